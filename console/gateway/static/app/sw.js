// The app's service worker: the shell (every file of the app and Leaflet's) in one cache named
// after the release, so a reload works offline and a new release replaces the cache whole.
// The gateway fills in VERSION (a digest of the shell's files) and SHELL when it serves this.
// API calls are never cached here: the app keeps what it needs in IndexedDB itself.

const VERSION = "__VERSION__";
const SHELL = [] /* __SHELL__ */;
const CACHE = `grid-app-${VERSION}`;
const INDEX = new URL("./", self.registration.scope).href;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names.filter((n) => n.startsWith("grid-app-") && n !== CACHE).map((n) => caches.delete(n)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !url.href.startsWith(self.registration.scope)) return;
  if (url.pathname.includes("/data/")) return; // signed-in data: the network's answer only
  if (request.mode === "navigate") {
    // any page of the app (/app/, /app/?lang=en, /app/#tasks) is the one shell
    event.respondWith(caches.match(INDEX).then((hit) => hit || fetch(request)));
    return;
  }
  event.respondWith(
    caches.match(request, { ignoreSearch: true }).then((hit) => hit || fetch(request)),
  );
});
