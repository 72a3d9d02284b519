// The public page: report a problem without an account (position → category → photo →
// description), get the case number and a tracking code, follow the case, rate it when closed.
// Shared with the staff app: the photo shrinking (canvas: no EXIF), the grid map, DOM helpers.
// Text from the server is only ever set with textContent.
// Offline: the service worker (sw.js) opens the page from its cache; a report sent without
// network waits in the phone's store (queue.js) with its Idempotency-Key and goes when the
// network returns (one case, however often it is tried).

import { gridAt, ReportMap } from "/app/js/mapview.js";
import { shrink } from "/app/js/photos.js";
import { fill, h, thumb, toast } from "/app/js/ui.js";
import { pending } from "./queue.js";
import { lang, t, translatePage } from "./text.js";

const API = "/api/v1/public";
const MAX_PHOTOS = 3;
const RATINGS = ["satisfied", "basically_satisfied", "dissatisfied"];

const $ = (id) => document.getElementById(id);

const state = {
  position: null, // {lat, lon, accuracy, byHand}
  category: null,
  photos: [], // {blob, name}
  grids: null,
  key: null, // the idempotency key of the report being sent (kept across retries)
  searchSeq: 0,
  tracked: null, // {number, code}
  categories: [], // every event category, for a search without network
  flushing: false,
};
let map = null;

/** A refusal by the server ({error, message, field}) or no answer at all (status 0). */
class Refused extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function call(path, options = {}) {
  let response;
  try {
    response = await fetch(path, { credentials: "omit", ...options });
  } catch {
    throw new Refused(0, { message: t("offline") });
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Refused(response.status, body);
  return body;
}

function formatTime(value) {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function showError(el, text, kind = "") {
  el.textContent = text || "";
  el.hidden = !text;
  el.classList.toggle("queued", kind === "queued"); // kept, not refused: a notice, not an error
}

// ------------------------------------------------------------------ screens

function route() {
  const screen = location.hash === "#track" ? "track" : "report";
  $("report-form").hidden = screen !== "report" || !$("done").hidden;
  $("track").hidden = screen !== "track";
  if (screen === "track") $("done").hidden = true;
  $("seg-report").classList.toggle("active", screen === "report");
  $("seg-track").classList.toggle("active", screen === "track");
  if (screen === "report" && map) setTimeout(() => map.refresh(), 0);
}

// ------------------------------------------------------------------ position

function describePosition() {
  const where = $("where");
  const p = state.position;
  if (!p) {
    fill(where, t("no_position"));
    return;
  }
  const grid = gridAt(state.grids, p.lon, p.lat);
  const lines = [];
  if (state.grids && !grid) lines.push(h("span.warn", t("outside")));
  else if (grid) lines.push(h("span.acc", `${grid.properties.street} · ${grid.properties.name}`));
  lines.push(
    h("span", p.byHand || p.accuracy == null ? t("located_by_hand") : t("accuracy", { n: Math.round(p.accuracy) })),
  );
  fill(where, ...lines);
  map.highlight(grid);
  const address = $("address");
  address.placeholder = grid ? t("near", { grid: `${grid.properties.street}${grid.properties.name}` }) : "";
}

function moved(lat, lon, byHand) {
  state.position = { lat, lon, accuracy: byHand ? null : state.position?.accuracy ?? null, byHand };
  describePosition();
  resetKey();
}

function locate() {
  if (!("geolocation" in navigator)) {
    fill($("where"), t("geo_failed"));
    return;
  }
  fill($("where"), t("locating"));
  navigator.geolocation.getCurrentPosition(
    (pos) => {
      const { latitude: lat, longitude: lon, accuracy } = pos.coords;
      state.position = { lat, lon, accuracy, byHand: false };
      map.place(lat, lon, false, Math.min(accuracy, 500));
      map.map.setView([lat, lon], 16, { animate: false }); // also when the outlines came first
      describePosition();
      resetKey();
    },
    () => fill($("where"), state.position ? t("located_by_hand") : t("geo_failed")),
    { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 },
  );
}

async function loadGrids() {
  try {
    const response = await fetch("/report/data/grids.json");
    if (!response.ok) return;
    state.grids = await response.json();
    map.showGrids(state.grids);
    const p = state.position;
    if (p) map.map.setView([p.lat, p.lon], 16, { animate: false }); // the place, not the district
    describePosition();
  } catch {
    // no map outlines: the position still works
  }
}

// ------------------------------------------------------------------ category

async function search() {
  const q = $("category-search").value.trim();
  const seq = ++state.searchSeq;
  let found = [];
  try {
    found = await call(`${API}/categories?limit=12&q=${encodeURIComponent(q)}`);
  } catch (e) {
    if (e.status !== 0) return;
    found = searchHere(q); // no network: the list kept on the phone
  }
  if (seq !== state.searchSeq) return;
  const list = $("category-results");
  list.hidden = false;
  if (!found.length) {
    fill(list, h("li.empty", t("no_match")));
    return;
  }
  fill(
    list,
    found.map((c) =>
      h(
        "li",
        h(
          "button",
          { type: "button", dataset: { code: c.code }, onclick: () => choose(c) },
          h("span.name", c.name),
          h("span.meta", (c.path || "").split(" / ")[0]),
        ),
      ),
    ),
  );
}

/** The event categories matching ``q`` by name, code or path, from the list kept offline. */
function searchHere(q) {
  const text = q.toLowerCase();
  return state.categories
    .filter((c) => !text || c.name.toLowerCase().includes(text) || c.code.startsWith(text) || (c.path || "").toLowerCase().includes(text))
    .slice(0, 12);
}

async function loadCategories() {
  try {
    state.categories = await call(`${API}/categories?limit=500`); // the worker keeps a copy
  } catch {
    // neither network nor a kept copy: the search asks the server when it can
  }
}

function choose(category) {
  state.category = category;
  resetKey();
  $("category-results").hidden = true;
  $("category-search").hidden = true;
  const chosen = $("category-chosen");
  chosen.hidden = false;
  fill(
    chosen,
    h("div", h("div.name", category.name), h("div.meta", category.path || category.code)),
    h(
      "button.secondary.small",
      {
        type: "button",
        id: "category-change",
        onclick: () => {
          state.category = null;
          chosen.hidden = true;
          $("category-search").hidden = false;
          $("category-search").focus();
          search();
        },
      },
      t("change"),
    ),
  );
}

// ------------------------------------------------------------------ photos

function showPhotos() {
  fill(
    $("photo-list"),
    state.photos.map((p, i) =>
      h(
        "div.photo",
        thumb(p.blob, p.name),
        h(
          "button.remove",
          {
            type: "button",
            "aria-label": t("remove"),
            onclick: () => {
              state.photos.splice(i, 1);
              resetKey();
              showPhotos();
            },
          },
          "×",
        ),
      ),
    ),
  );
}

async function addPhotos(files) {
  for (const file of files) {
    if (state.photos.length >= MAX_PHOTOS) {
      toast(t("too_many_photos"), "error");
      break;
    }
    try {
      const { blob } = await shrink(file);
      state.photos.push({ blob, name: file.name.replace(/\.[^.]*$/, "") + ".jpg" });
    } catch {
      toast(t("not_image"), "error");
    }
  }
  resetKey();
  showPhotos();
}

// ------------------------------------------------------------------ send

/** Any change to the report makes it another request: a new key on the next send. */
function resetKey() {
  state.key = null;
}

async function send(event) {
  event.preventDefault();
  const error = $("report-error");
  showError(error, "");
  const p = state.position;
  const description = $("description").value.trim();
  const problem = !p ? t("no_position") : !state.category ? t("choose_category") : !description ? t("need_description") : "";
  if (problem) {
    showError(error, problem);
    return;
  }
  const grid = gridAt(state.grids, p.lon, p.lat);
  const address =
    $("address").value.trim() ||
    (grid ? t("near", { grid: `${grid.properties.street}${grid.properties.name}` }) : `${p.lat.toFixed(5)}, ${p.lon.toFixed(5)}`);
  const fields = {
    category_code: state.category.code,
    lon: p.lon.toFixed(7),
    lat: p.lat.toFixed(7),
    address,
    description,
    name: $("name").value.trim(),
    phone: $("phone").value.trim(),
  };
  state.key = state.key || crypto.randomUUID();
  const item = { key: state.key, fields, photos: state.photos.map((x) => ({ ...x })), at: Date.now() };
  const button = $("report-submit");
  button.disabled = true;
  button.textContent = t("sending");
  try {
    const answer = await post(item);
    await forget(); // sent: nothing older waits any more
    showDone(answer);
  } catch (e) {
    if (e.status === 0) {
      // no network: kept on the phone with its key, sent when the network returns; the form
      // stays filled. Only the latest version of the report waits (an edit replaced it).
      await keep(item);
      showError(error, t("queued"), "queued");
    } else {
      showError(error, e.message);
    }
  } finally {
    button.disabled = false;
    button.textContent = t("send");
  }
}

function post(item) {
  const form = new FormData();
  for (const [name, value] of Object.entries(item.fields)) form.set(name, value);
  for (const photo of item.photos) form.append("photo", photo.blob, photo.name);
  return call(`${API}/reports`, { method: "POST", body: form, headers: { "Idempotency-Key": item.key } });
}

async function keep(item) {
  try {
    for (const old of await pending.all()) if (old.key !== item.key) await pending.delete(old.key);
    await pending.put(item);
  } catch {
    // no store (private mode): the form stays filled, to send again by hand
  }
}

async function forget() {
  try {
    for (const old of await pending.all()) await pending.delete(old.key);
  } catch {
    // no store
  }
}

/** Send the reports waiting on the phone; each answer (number and code) is shown. */
async function flush() {
  if (state.flushing) return;
  state.flushing = true;
  try {
    for (const item of await pending.all()) {
      try {
        const answer = await post(item);
        await pending.delete(item.key);
        showDone(answer);
        if (location.hash === "#track") location.hash = "#report";
        toast(t("queued_sent"), "ok");
      } catch (e) {
        if (e.status === 0 || e.status === 429 || e.status >= 500) break; // later
        await pending.delete(item.key); // refused: it never will be accepted
        showError($("report-error"), t("failed", { msg: e.message }));
      }
    }
  } catch {
    // no store
  } finally {
    state.flushing = false;
  }
}

function showDone(answer) {
  state.tracked = { number: answer.number, code: answer.tracking_code };
  $("done-number").textContent = answer.number;
  $("done-code").textContent = answer.tracking_code;
  resetForm(); // sent: a new report starts blank (the position stays)
  $("report-form").hidden = true;
  $("done").hidden = false;
  window.scrollTo(0, 0);
}

function resetForm() {
  state.category = null;
  state.photos = [];
  state.key = null;
  $("report-form").reset();
  $("category-chosen").hidden = true;
  $("category-search").hidden = false;
  $("category-results").hidden = true;
  showPhotos();
}

function clearReport() {
  resetForm();
  $("done").hidden = true;
  $("report-form").hidden = false;
  describePosition();
}

// ------------------------------------------------------------------ tracking

async function track(event) {
  event?.preventDefault();
  const number = $("track-number").value.trim().toUpperCase();
  const code = $("track-code").value.trim();
  const error = $("track-error");
  showError(error, "");
  if (!number || !code) {
    showError(error, t("not_found"));
    return;
  }
  try {
    // the code goes in a header: never in a URL (history, access logs)
    const seen = await call(`${API}/cases/${encodeURIComponent(number)}`, {
      headers: { "X-Tracking-Code": code },
    });
    state.tracked = { number, code };
    showCase(seen);
  } catch (e) {
    $("case").hidden = true;
    showError(error, e.status === 404 ? t("not_found") : e.message);
  }
}

function stateLabel(item) {
  return lang === "en" ? item.state_label_en : item.state_label;
}

function showCase(seen) {
  const box = $("case");
  box.hidden = false;
  const finished = seen.state === "closed" || seen.state === "archived";
  const steps = seen.timeline.map((step, i) =>
    h(
      i === seen.timeline.length - 1 ? "li.now" : "li",
      h("div.what", stateLabel(step)),
      h("div.when", formatTime(step.at)),
    ),
  );
  const parts = [
    h(
      "div.card",
      h(
        "div.head",
        h("h2.code", { id: "case-number" }, seen.number),
        h(finished ? "span.pill.closed" : "span.pill.state", { id: "case-state" }, stateLabel(seen)),
      ),
      h(
        "dl.kv",
        h("dt", t("category_label")),
        h("dd", seen.category),
        h("dt", t("reported_at")),
        h("dd", formatTime(seen.reported_at)),
      ),
    ),
    h("div.card", h("h2", t("progress")), h("ol.timeline", { id: "case-timeline" }, steps)),
  ];
  if (seen.merged_into) parts.push(mergedCard(seen.merged_into));
  if (seen.after_photos.length) {
    const after = h("div.after");
    parts.push(h("div.card", h("h2", t("after_photos")), after));
    for (const p of seen.after_photos) showPhoto(after, p.url);
  }
  if (seen.rating) {
    parts.push(h("p.rated", { id: "case-rated" }, t("rated", { label: t(seen.rating.rating) })));
  } else if (seen.can_rate) {
    parts.push(ratingForm(seen.number));
  }
  fill(box, ...parts);
}

/** The case the report was merged into (合并): its number, state and timeline. */
function mergedCard(into) {
  const finished = into.state === "closed" || into.state === "archived";
  const steps = into.timeline.map((step, i) =>
    h(
      i === into.timeline.length - 1 ? "li.now" : "li",
      h("div.what", stateLabel(step)),
      h("div.when", formatTime(step.at)),
    ),
  );
  return h(
    "div.card.merged",
    { id: "case-merged" },
    h(
      "div.head",
      h("h2", t("merged_into"), " ", h("span.code", { id: "merged-number" }, into.number)),
      h(finished ? "span.pill.closed" : "span.pill.state", { id: "merged-state" }, stateLabel(into)),
    ),
    h("p.hint", t("merged_hint")),
    into.via.length ? h("p.hint", t("merged_via", { numbers: into.via.join(" → ") })) : null,
    h("ol.timeline", { id: "merged-timeline" }, steps),
  );
}

/** An after-photo, fetched with the code in a header and shown from a blob: URL. */
async function showPhoto(box, url) {
  try {
    const response = await fetch(url, { headers: { "X-Tracking-Code": state.tracked.code } });
    if (!response.ok) return;
    const src = URL.createObjectURL(await response.blob());
    const img = h("img", { src, alt: t("after_photos") });
    img.addEventListener("load", () => URL.revokeObjectURL(src), { once: true });
    box.append(img);
  } catch {
    // no network: the timeline is shown without it
  }
}

function ratingForm(number) {
  const error = h("p.error", { role: "alert", hidden: true });
  const comment = h("textarea", { id: "rating-comment", maxlength: 500 });
  const choice = h(
    "div.choice",
    RATINGS.map((r) => h("label", h("input", { type: "radio", name: "rating", value: r }), t(r))),
  );
  const submit = h("button.primary.big", { type: "submit", id: "rating-submit" }, t("rate_send"));
  const form = h(
    "form.card.form.rating",
    { id: "rating-form", novalidate: true },
    h("h2", t("rate_title")),
    h("p.hint", t("rate_hint")),
    choice,
    h("label.field", h("span", t("comment")), comment),
    error,
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const picked = form.querySelector("input[name=rating]:checked");
    if (!picked) {
      showError(error, t("choose_rating"));
      return;
    }
    submit.disabled = true;
    try {
      await call(`${API}/cases/${encodeURIComponent(number)}/rating`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ code: state.tracked.code, rating: picked.value, comment: comment.value.trim() }),
      });
      toast(t("thanks"), "ok");
      await track();
    } catch (e) {
      showError(error, t("failed", { msg: e.message }));
      submit.disabled = false;
    }
  });
  return form;
}

// ------------------------------------------------------------------ start

function start() {
  translatePage();
  const other = lang === "en" ? "zh" : "en";
  $("lang").href = `?lang=${other}${location.hash}`;
  $("lang").textContent = other === "en" ? "English" : "中文";

  if ("serviceWorker" in navigator) navigator.serviceWorker.register("sw.js").catch(() => {});

  map = new ReportMap($("map"), moved);
  describePosition();
  loadGrids();
  loadCategories();
  locate();
  window.addEventListener("online", flush);
  pending
    .all()
    .then((items) => {
      if (!items.length) return;
      showError($("report-error"), t("queued"), "queued");
      if (navigator.onLine) flush();
    })
    .catch(() => {});

  $("locate").addEventListener("click", locate);
  $("category-search").addEventListener("input", search);
  $("category-search").addEventListener("focus", search);
  $("photo-input").addEventListener("change", (e) => {
    addPhotos([...e.target.files]);
    e.target.value = "";
  });
  for (const id of ["description", "address", "name", "phone"]) $(id).addEventListener("input", resetKey);
  $("report-form").addEventListener("submit", send);
  $("track-form").addEventListener("submit", track);
  $("done-copy").addEventListener("click", async () => {
    const text = `${t("number")} ${state.tracked.number}  ${t("code")} ${state.tracked.code}`;
    try {
      await navigator.clipboard.writeText(text);
      toast(t("copied"), "ok");
    } catch {
      toast(text);
    }
  });
  $("done-track").addEventListener("click", () => {
    $("track-number").value = state.tracked.number;
    $("track-code").value = state.tracked.code;
    location.hash = "#track";
    track();
  });
  $("done-again").addEventListener("click", clearReport);
  window.addEventListener("hashchange", route);
  route();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
