// 上报: category → photo → position → address and description (the server needs both) → send.
// The report goes into the outbox (with its photos, already shrunk) and is sent from there.
// A 部件 category at a known point proposes the register's objects nearby (components.js): the
// person picks one or “不在部件库中”, and the pick goes as component_id.
// Grid staff may also have handled the matter on the spot (自行处置, 小事不出网格): the same
// request carries the after-photos and the handling note, and the server does both at once.

import { api, token } from "./api.js";
import { ComponentPicker } from "./components.js";
import { formatTime, t } from "./i18n.js";
import { distance, gridAt, loadGrids, ReportMap } from "./mapview.js";
import { discard, enqueue, outcome } from "./outbox.js";
import { shrink } from "./photos.js";
import { kv } from "./store.js";
import { fill, h, icon, thumb, toast } from "./ui.js";

const MAX_PHOTOS = 4;
const RECENT = "grid.app.recent-categories";
/** How long a report naming an object waits (online) for the server's answer, so that a
 * refused object is shown beside the list with the form still filled in. */
const COMPONENT_ANSWER_MS = 15000;
export const ICON_CAMERA =
  "M9 3 7.2 5H4a2 2 0 0 0-2 2v11a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V7a2 2 0 0 0-2-2h-3.2L15 3zm3 5a5 5 0 1 1 0 10 5 5 0 0 1 0-10zm0 2a3 3 0 1 0 0 6 3 3 0 0 0 0-6z";
const ICON_GALLERY =
  "M4 4h16a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm0 12h16l-5-7-4 5-3-3zm4-9a2 2 0 1 0 0 4 2 2 0 0 0 0-4z";
const ICON_LOCATE =
  "M12 8a4 4 0 1 1 0 8 4 4 0 0 1 0-8zm-1-7h2v3.1A8 8 0 0 1 19.9 11H23v2h-3.1A8 8 0 0 1 13 19.9V23h-2v-3.1A8 8 0 0 1 4.1 13H1v-2h3.1A8 8 0 0 1 11 4.1zm1 5a6 6 0 1 0 0 12 6 6 0 0 0 0-12z";

function kindLabel(kind) {
  return kind === "component" ? t("kind_component") : kind === "event_type" ? t("kind_event_type") : kind || "";
}

/** "14001 · 事件 · 安全稳定": the code, the kind and the function of grid work (#16 §3). */
function categoryMeta(c) {
  return [c.code, kindLabel(c.kind), c.function].filter(Boolean).join(" · ");
}

/** Every category, kept on the device for searching offline (fetched when signed in). */
export async function cacheCategories() {
  try {
    const all = await api("categories?limit=2000");
    if (Array.isArray(all) && all.length) await kv.set("categories", { at: Date.now(), items: all });
  } catch {
    // offline: the copy kept before (if any) serves
  }
}

async function searchOffline(q) {
  const kept = await kv.get("categories").catch(() => null);
  const items = kept ? kept.items : [];
  const needle = q.trim().toLowerCase();
  if (!needle) return items.slice(0, 20);
  return items
    .filter((c) => c.name.toLowerCase().includes(needle) || c.code.startsWith(needle) || c.function === q.trim())
    .slice(0, 20);
}

export class ReportScreen {
  constructor(root) {
    this.root = root;
    this.state = this.blank();
    this.map = null;
    this.watch = null;
    this.grids = null;
    this.searchSeq = 0;
    this.build();
  }

  blank() {
    return { category: null, photos: [], after: [], position: null, gps: null, manual: false };
  }

  build() {
    const s = {};
    this.el = s;
    s.query = h("input", {
      type: "search",
      id: "category-search",
      placeholder: t("category_search"),
      autocomplete: "off",
      enterkeyhint: "search",
      oninput: () => this.search(),
      onfocus: () => this.search(),
    });
    s.results = h("ul.results", { id: "category-results", hidden: true });
    s.recent = h("div.recent");
    s.chosen = h("div.chosen", { hidden: true });
    s.offlineNote = h("p.hint", { hidden: true }, t("category_offline"));
    s.n1 = h("span.n", "1");
    s.n2 = h("span.n", "2");
    s.n3 = h("span.n", "3");

    s.photos = h("div.photos", { id: "photo-list" });
    s.photoNote = h("p.hint", { hidden: true });
    const takeInput = h("input", {
      type: "file",
      accept: "image/*",
      capture: "environment",
      id: "photo-camera",
      "aria-label": t("photo_take"),
      onchange: (e) => this.addPhotos(e.target, "photos"),
    });
    const pickInput = h("input", {
      type: "file",
      accept: "image/*",
      multiple: true,
      id: "photo-input",
      "aria-label": t("photo_pick"),
      onchange: (e) => this.addPhotos(e.target, "photos"),
    });
    s.photoButtons = h(
      "div.row",
      h("label.button.file-button.grow", icon(ICON_CAMERA), h("span", t("photo_take")), takeInput),
      h("label.button.file-button.grow", icon(ICON_GALLERY), h("span", t("photo_pick")), pickInput),
    );

    s.mapBox = h("div.map", { id: "report-map" });
    s.accuracy = h("span.acc", { id: "position-text" }, t("locating"));
    s.grid = h("span", { id: "grid-text" });
    s.where = h("div.where", s.accuracy, s.grid, h("span.hint", t("map_hint")));
    s.locate = h(
      "button.secondary.small",
      { type: "button", onclick: () => this.locate() },
      icon(ICON_LOCATE),
      h("span", t("locate_again")),
    );

    this.components = new ComponentPicker();
    window.addEventListener("online", () => this.components.retry());

    s.address = h("input", { id: "report-address", placeholder: t("address_hint"), maxlength: 256 });
    s.useGrid = h("button.suggest", { type: "button", hidden: true, onclick: () => this.useGridName() });
    s.description = h("textarea", {
      id: "report-description",
      placeholder: t("description_hint"),
      maxlength: 2000,
    });
    s.urgent = h("input", { type: "checkbox", id: "report-urgent", role: "switch" });
    s.submit = h("button.primary.big", { type: "submit", id: "report-submit" }, t("submit_report"));

    // 自行处置: the after-photos and what was done, shown when the switch is on
    s.selfHandle = h("input", {
      type: "checkbox",
      id: "report-self-handle",
      role: "switch",
      onchange: () => this.renderSelf(),
    });
    s.after = h("div.photos", { id: "after-photo-list" });
    s.afterNote = h("p.hint", { hidden: true });
    const afterInput = h("input", {
      type: "file",
      accept: "image/*",
      capture: "environment",
      id: "after-photo-input",
      "aria-label": t("after_photos"),
      onchange: (e) => this.addPhotos(e.target, "after"),
    });
    s.afterButtons = h(
      "div.row",
      h("label.button.file-button.grow", icon(ICON_CAMERA), h("span", t("after_photos")), afterInput),
    );
    s.handlingNote = h("textarea", {
      id: "handling-note",
      placeholder: t("handling_note_hint"),
      maxlength: 2000,
    });
    s.selfFields = h(
      "div.self-fields",
      { hidden: true },
      h("div.step-title", h("span", t("after_photos")), h("span.opt", t("photo_max", { n: MAX_PHOTOS }))),
      s.after,
      s.afterNote,
      s.afterButtons,
      h("label.field", h("span", t("handling_note")), s.handlingNote),
    );
    s.selfCard = h(
      "div.card.step.self-card",
      { id: "self-handle-card", hidden: true },
      h(
        "label.switch.self",
        h("span", h("span.label", t("self_handle")), h("br"), h("small.hint", t("self_handle_hint"))),
        s.selfHandle,
      ),
      s.selfFields,
    );

    const form = h(
      "form.form",
      { id: "report-form", novalidate: true, onsubmit: (e) => this.submit(e) },
      h(
        "div.card.step",
        h("div.step-title", s.n1, h("span", t("category"))),
        s.chosen,
        h("div.field", s.query),
        s.recent,
        s.offlineNote,
        s.results,
      ),
      h(
        "div.card.step",
        h("div.step-title", s.n2, h("span", t("photos")), h("span.opt", t("photo_max", { n: MAX_PHOTOS }))),
        s.photos,
        s.photoNote,
        s.photoButtons,
      ),
      h(
        "div.card.step",
        h("div.step-title", s.n3, h("span", t("location"))),
        s.mapBox,
        h("div.row", h("div.grow", s.where), s.locate),
      ),
      this.components.card,
      h(
        "div.card.step",
        h("label.field", h("span", t("address")), s.address),
        s.useGrid,
        h("label.field", h("span", t("description")), s.description),
        h(
          "label.switch",
          h("span", h("span.label", t("urgent")), h("br"), h("small.hint", t("urgent_hint"))),
          s.urgent,
        ),
      ),
      s.selfCard,
      h("div.submit-bar", s.submit),
    );
    fill(this.root, form);
    this.renderChosen();
    this.renderRecent();
  }

  /** Called each time the screen is shown. */
  shown() {
    this.renderSelfCard();
    if (!this.map && window.L) {
      this.map = new ReportMap(this.el.mapBox, (lat, lon, byHand) => this.moved(lat, lon, byHand));
      loadGrids().then((grids) => {
        this.grids = grids;
        if (grids) this.map.showGrids(grids);
        this.renderWhere();
      });
    }
    if (this.map) requestAnimationFrame(() => this.map.refresh());
    if (!this.state.position && this.watch === null) this.locate();
    if (!this.grids && token()) {
      loadGrids().then((grids) => {
        if (grids && this.map) {
          this.grids = grids;
          this.map.showGrids(grids);
          this.renderWhere();
        }
      });
    }
  }

  hidden() {
    this.stopWatch();
  }

  // ------------------------------------------------------------ category

  async search() {
    const q = this.el.query.value;
    const seq = ++this.searchSeq;
    await new Promise((r) => setTimeout(r, 180));
    if (seq !== this.searchSeq) return;
    let found;
    let offline = false;
    if (navigator.onLine && token()) {
      try {
        found = await api(`categories?q=${encodeURIComponent(q.trim())}&limit=20`);
      } catch {
        found = null;
      }
    }
    if (!Array.isArray(found)) {
      found = await searchOffline(q);
      offline = true;
    }
    if (seq !== this.searchSeq) return;
    this.el.offlineNote.hidden = !offline;
    if (!q.trim() && document.activeElement !== this.el.query) {
      this.el.results.hidden = true;
      return;
    }
    fill(
      this.el.results,
      found.length
        ? found.map((c) =>
            h(
              "li",
              h(
                "button",
                { type: "button", onclick: () => this.choose(c) },
                h("span.name", c.name),
                h("span.meta", categoryMeta(c)),
              ),
            ),
          )
        : h("li.empty", t("category_none")),
    );
    this.el.results.hidden = false;
  }

  choose(category) {
    this.state.category = category;
    this.el.query.value = "";
    this.el.results.hidden = true;
    this.searchSeq++;
    const recent = JSON.parse(localStorage.getItem(RECENT) || "[]").filter((c) => c.code !== category.code);
    recent.unshift(category);
    localStorage.setItem(RECENT, JSON.stringify(recent.slice(0, 6)));
    this.renderChosen();
    this.renderRecent();
  }

  /** The 自行处置 switch shows only for a category the person's duties let them self-handle
   * (resources/org/grid_staff_duties.csv: the server marks each category it lists, self_handle). */
  renderSelfCard() {
    const allowed = this.state.category?.self_handle === true;
    this.el.selfCard.hidden = !allowed;
    if (!allowed && this.el.selfHandle.checked) {
      this.el.selfHandle.checked = false;
      this.renderSelf();
    }
  }

  renderChosen() {
    const c = this.state.category;
    this.renderSelfCard();
    this.el.chosen.hidden = !c;
    this.el.query.parentElement.hidden = Boolean(c);
    this.el.n1.classList.toggle("done", Boolean(c));
    this.components.update(c, this.state.position);
    if (!c) return;
    fill(
      this.el.chosen,
      h("div", h("div.name", { id: "category-chosen" }, c.name), h("div.meta", { id: "category-chosen-meta" }, categoryMeta(c))),
      h(
        "button.secondary.small",
        {
          type: "button",
          onclick: () => {
            this.state.category = null;
            this.renderChosen();
            this.renderRecent();
            this.el.query.focus();
          },
        },
        t("category_change"),
      ),
    );
  }

  renderRecent() {
    const recent = this.state.category ? [] : JSON.parse(localStorage.getItem(RECENT) || "[]");
    this.el.recent.hidden = !recent.length;
    fill(
      this.el.recent,
      recent.map((c) => h("button", { type: "button", onclick: () => this.choose(c) }, c.name)),
    );
  }

  // ------------------------------------------------------------ photos

  /** Photos into `which`: "photos" (the report's, before) or "after" (自行处置). */
  async addPhotos(input, which = "photos") {
    const files = [...input.files];
    input.value = "";
    const list = this.state[which];
    const note = which === "after" ? this.el.afterNote : this.el.photoNote;
    for (const file of files) {
      if (list.length >= MAX_PHOTOS) {
        toast(t("photo_max", { n: MAX_PHOTOS }), "error");
        break;
      }
      note.hidden = false;
      note.textContent = t("photo_working");
      try {
        const shrunk = await shrink(file);
        list.push(shrunk);
        note.hidden = true;
      } catch {
        note.textContent = t("photo_bad", { name: file.name });
      }
      this.renderPhotos();
    }
  }

  renderPhotos() {
    this.renderList(this.el.photos, this.state.photos);
    this.renderList(this.el.after, this.state.after);
    this.el.n2.classList.toggle("done", this.state.photos.length > 0);
    this.el.photoButtons.hidden = this.state.photos.length >= MAX_PHOTOS;
    this.el.afterButtons.hidden = this.state.after.length >= MAX_PHOTOS;
  }

  renderList(box, photos) {
    fill(
      box,
      photos.map((p, i) =>
        h(
          "div.photo",
          thumb(p.blob, `${i + 1}`),
          h(
            "button.remove",
            {
              type: "button",
              "aria-label": t("photo_remove"),
              onclick: () => {
                photos.splice(i, 1);
                this.renderPhotos();
              },
            },
            "×",
          ),
        ),
      ),
    );
  }

  renderSelf() {
    const on = this.el.selfHandle.checked;
    this.el.selfFields.hidden = !on;
    this.el.submit.textContent = on ? t("submit_self_handle") : t("submit_report");
  }

  // ------------------------------------------------------------ position

  locate() {
    this.stopWatch();
    if (!("geolocation" in navigator)) {
      this.el.accuracy.textContent = t("geo_none");
      return;
    }
    this.state.manual = false;
    if (!this.state.position) this.el.accuracy.textContent = t("locating");
    this.watch = navigator.geolocation.watchPosition(
      (p) => {
        if (this.state.manual) return;
        const { latitude: lat, longitude: lon, accuracy } = p.coords;
        this.state.gps = { lat, lon, accuracy: Math.round(accuracy) };
        this.state.position = { lat, lon };
        if (this.map) this.map.place(lat, lon, false, accuracy);
        this.renderWhere();
        if (accuracy <= 15) this.stopWatch(); // good enough: save the battery
      },
      (error) => {
        if (this.state.position) return;
        this.el.accuracy.textContent = error.code === 1 ? t("geo_denied") : t("geo_unavailable");
        this.el.accuracy.classList.add("warn");
      },
      { enableHighAccuracy: true, maximumAge: 10000, timeout: 30000 },
    );
  }

  stopWatch() {
    if (this.watch !== null) navigator.geolocation.clearWatch(this.watch);
    this.watch = null;
  }

  moved(lat, lon, byHand) {
    if (byHand) {
      this.state.manual = true;
      this.stopWatch();
    }
    this.state.position = { lat, lon };
    this.renderWhere();
  }

  renderWhere() {
    const { position, gps, manual } = this.state;
    this.el.n3.classList.toggle("done", Boolean(position));
    this.components.update(this.state.category, position);
    if (!position) return;
    this.el.accuracy.classList.remove("warn");
    if (manual) {
      const off = gps ? Math.round(distance([gps.lat, gps.lon], [position.lat, position.lon])) : 0;
      this.el.accuracy.textContent = t("located_manual", { m: off });
    } else if (gps) {
      this.el.accuracy.textContent = t("accuracy", { m: gps.accuracy });
    }
    const grid = gridAt(this.grids, position.lon, position.lat);
    if (this.map) this.map.highlight(grid);
    this.el.grid.classList.toggle("warn", Boolean(this.grids && !grid));
    this.here = grid;
    this.el.useGrid.hidden = !grid;
    if (grid) this.el.useGrid.textContent = t("use_grid_name", { grid: grid.properties.name });
    this.el.grid.textContent = grid
      ? t("in_grid", { grid: grid.properties.name, street: grid.properties.street })
      : this.grids
        ? t("outside_grids")
        : "";
  }

  useGridName() {
    if (!this.here) return;
    const p = this.here.properties;
    this.el.address.value = `${p.street}${p.name}`;
    this.el.description.focus();
  }

  // ------------------------------------------------------------ send

  async submit(event) {
    event.preventDefault();
    const { category, photos, position, gps, manual } = this.state;
    if (!category) {
      toast(t("need_category"), "error");
      this.el.query.focus();
      return;
    }
    if (!position) {
      toast(t("need_position"), "error");
      return;
    }
    if (this.grids && !gridAt(this.grids, position.lon, position.lat)) {
      toast(t("outside_grids"), "error");
      return;
    }
    const component = this.components.value();
    if (component.wait) {
      toast(t(component.wait), "error");
      this.components.focus();
      return;
    }
    for (const [input, key] of [
      [this.el.address, "need_address"],
      [this.el.description, "need_description"],
    ]) {
      if (!input.value.trim()) {
        toast(t(key), "error");
        input.focus();
        return;
      }
    }
    const selfHandled = !this.el.selfCard.hidden && this.el.selfHandle.checked;
    const after = this.state.after;
    if (selfHandled) {
      if (!photos.length) return toast(t("need_before_photo"), "error");
      if (!after.length) return toast(t("need_after_photo"), "error");
      if (!this.el.handlingNote.value.trim()) {
        toast(t("need_handling_note"), "error");
        this.el.handlingNote.focus();
        return;
      }
    }
    const fields = {
      category_code: category.code,
      kind: category.kind,
      lon: position.lon.toFixed(6),
      lat: position.lat.toFixed(6),
      accuracy: !manual && gps ? gps.accuracy : null,
      address: this.el.address.value.trim(),
      description: this.el.description.value.trim(),
      urgent: this.el.urgent.checked ? "1" : "0",
      device_time: new Date().toISOString(),
    };
    if (selfHandled) Object.assign(fields, { self_handled: "1", handling_note: this.el.handlingNote.value.trim() });
    if (component.id != null) fields.component_id = String(component.id);
    this.el.submit.disabled = true;
    try {
      // one request, one key: the report and (when self-handled) its handling, or neither
      const item = await enqueue({
        kind: selfHandled ? "self_handle" : "report",
        path: "reports",
        fields,
        files: [
          ...photos.map((p, i) => ({ field: "photo", blob: p.blob, name: `photo-${i + 1}.jpg` })),
          ...(selfHandled ? after : []).map((p, i) => ({ field: "after_photo", blob: p.blob, name: `after-${i + 1}.jpg` })),
        ],
        label: category.name,
        summary: { address: fields.address, description: fields.description, when: formatTime(fields.device_time) },
      });
      if (component.id != null && navigator.onLine) {
        // the server checks the object again (its class, within 30 m): a refusal is shown
        // beside the list, the report unfiled and the form as it was
        this.el.submit.textContent = t("sending_report");
        const answer = await outcome(item.key, COMPONENT_ANSWER_MS);
        this.renderSelf();
        if (answer && answer.state === "refused" && answer.field === "component_id") {
          await discard(item.key);
          this.components.showError(answer.message);
          return null;
        }
        if (answer && (answer.state === "sent" || answer.state === "refused")) {
          this.reset(); // the sender's toast says the case number, or why it was refused
          return item;
        }
      }
      this.reset();
      toast(t(selfHandled ? "queued_self_handle" : "queued_report"), "ok");
      return item;
    } finally {
      this.el.submit.disabled = false;
    }
  }

  reset() {
    this.stopWatch();
    const last = this.state.position;
    this.state = this.blank();
    this.el.address.value = "";
    this.el.description.value = "";
    this.el.urgent.checked = false;
    this.el.selfHandle.checked = false;
    this.el.handlingNote.value = "";
    this.renderSelf();
    this.components.reset();
    this.renderChosen();
    this.renderRecent();
    this.renderPhotos();
    if (this.map) this.map.clear();
    this.el.grid.textContent = "";
    this.el.useGrid.hidden = true;
    this.here = null;
    this.el.accuracy.textContent = t("locating");
    if (last && this.map) this.map.map.setView([last.lat, last.lon]);
    this.locate();
  }
}
