// The public page's service worker: the page's shell — its own files and the staff app's it
// shares (/app/js/…, the stylesheet, Leaflet) — in one cache named after the release (the
// gateway fills in VERSION and SHELL: console/gateway/webapp.py fill_worker, as for /app/sw.js),
// so the page opens offline and a new release replaces the cache whole.
// The grid outlines and the category list are the network's when there is one, else the last
// copy kept here (the map and the category search work offline). Reports, tracking and
// ratings are never cached: a report made offline waits in the page's own store (queue.js).

const VERSION = "__VERSION__";
const SHELL = [] /* __SHELL__ */;
const CACHE = `grid-report-${VERSION}`;
const DATA = "grid-report-data";
const INDEX = new URL("./", self.registration.scope).href;
const SHELL_URLS = new Set(SHELL.map((url) => new URL(url, self.registration.scope).href));
const KEPT = ["/report/data/grids.json", "/api/v1/public/categories"];

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
          names
            .filter((n) => n.startsWith("grid-report-") && n !== CACHE && n !== DATA)
            .map((n) => caches.delete(n)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

/** The network's answer, kept for next time; the kept one when there is no network. */
async function networkThenKept(request) {
  const cache = await caches.open(DATA);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(request);
    if (kept) return kept;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    if (!url.href.startsWith(self.registration.scope)) return;
    // /report/, /report/?lang=en, /report/#track: the one page
    event.respondWith(caches.match(INDEX).then((hit) => hit || fetch(request)));
    return;
  }
  if (KEPT.includes(url.pathname)) {
    event.respondWith(networkThenKept(request));
    return;
  }
  url.search = "";
  if (!SHELL_URLS.has(url.href)) return; // the API: the network only
  event.respondWith(caches.match(request, { ignoreSearch: true }).then((hit) => hit || fetch(request)));
});
