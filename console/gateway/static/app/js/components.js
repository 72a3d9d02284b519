// 对应部件 (issue 17): for a 部件 category at a known point, the register's objects of that class
// within 30 m (GET components/nearby, nearest first), to pick one or “不在部件库中”. The pick goes
// with the report as component_id; the server checks it again (class, distance). Offline the
// list cannot be had: the report goes without an object, and the card says so. Every text from
// the register is set as text (h() → textContent), never as markup.

import { api, ApiError, token } from "./api.js";
import { lang, t } from "./i18n.js";
import { fill, h } from "./ui.js";

/** The choice "not in the register" (an explicit answer, sent as no component_id). */
export const NONE = "none";

/** The status in the page's language (both labels from resources/components/statuses.csv). */
function statusLabel(c) {
  return (lang === "en" && c.status_label_en) || c.status_label;
}
const DEBOUNCE_MS = 300;

export class ComponentPicker {
  constructor() {
    this.seq = 0;
    this.timer = null;
    this.last = null;
    this.clear();
    this.list = h("ul.components", { id: "component-list", role: "radiogroup", "aria-label": t("component_title") });
    this.note = h("p.hint", { id: "component-note" });
    this.error = h("p.error", { id: "component-error", role: "alert", hidden: true });
    this.card = h(
      "div.card.step",
      { id: "component-card", hidden: true },
      h("div.step-title", h("span", t("component_title")), h("span.opt", t("component_radius"))),
      this.note,
      this.list,
      this.error,
    );
  }

  clear() {
    this.key = null; // "code lon lat" the list is for
    this.items = []; // the server's answer
    this.choice = null; // an item's id, NONE, or null (not chosen yet)
    this.status = "idle"; // idle | loading | ready | offline | failed
  }

  reset() {
    this.seq++;
    clearTimeout(this.timer);
    this.timer = null;
    this.last = null;
    this.clear();
    this.card.hidden = true;
    this.render();
  }

  /** The category or the point changed: fetch the list again (debounced), keeping the pick
   * when the object is still proposed. */
  update(category, position) {
    this.last = { category, position };
    const wanted = category && category.kind === "component";
    this.card.hidden = !wanted;
    if (!wanted) {
      this.seq++;
      clearTimeout(this.timer);
      this.timer = null;
      this.clear();
      this.render();
      return;
    }
    if (!position) {
      this.key = null;
      this.status = "idle";
      this.items = [];
      this.render();
      return;
    }
    const key = `${category.code} ${position.lon.toFixed(6)} ${position.lat.toFixed(6)}`;
    if (key === this.key && this.status !== "offline" && this.status !== "failed") return;
    this.key = key;
    clearTimeout(this.timer);
    const seq = ++this.seq;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.fetch(seq, category.code, position);
    }, DEBOUNCE_MS);
  }

  async fetch(seq, code, position) {
    if (!navigator.onLine || !token()) {
      this.loaded(seq, "offline", []);
      return;
    }
    this.status = "loading";
    this.render();
    const query = new URLSearchParams({
      category_code: code,
      lon: position.lon.toFixed(6),
      lat: position.lat.toFixed(6),
    });
    try {
      const found = await api(`components/nearby?${query}`);
      this.loaded(seq, "ready", Array.isArray(found) ? found : []);
    } catch (error) {
      const offline = error instanceof ApiError && error.status === 0;
      this.loaded(seq, offline ? "offline" : "failed", [], offline ? null : error.message);
    }
  }

  loaded(seq, status, items, message = null) {
    if (seq !== this.seq) return; // a newer point or category asked meanwhile
    this.status = status;
    this.items = items;
    this.failure = message;
    if (this.choice !== NONE && !items.some((c) => c.id === this.choice)) this.choice = null;
    if (!items.length) this.choice = null;
    this.render();
  }

  /** {id} to send (null: no object), or {wait}: the i18n key of why the report must wait
   * (the list is loading, or it proposes objects and the person has not chosen). */
  value() {
    if (this.card.hidden) return { id: null };
    if (this.status === "loading" || this.timer !== null) return { wait: "component_loading" };
    if (!this.items.length) return { id: null };
    if (this.choice === null) return { wait: "component_need_choice" };
    return { id: this.choice === NONE ? null : this.choice };
  }

  /** The network came back: a list that could not be had is asked for again. */
  retry() {
    if (this.last && (this.status === "offline" || this.status === "failed")) {
      this.update(this.last.category, this.last.position);
    }
  }

  /** The server refused the object (its ValidationError on component_id): said here. */
  showError(message) {
    this.error.textContent = message;
    this.error.hidden = false;
    this.card.scrollIntoView({ block: "center" });
  }

  focus() {
    this.card.scrollIntoView({ block: "center" });
    const first = this.list.querySelector("button");
    if (first) first.focus();
  }

  pick(choice) {
    this.choice = choice;
    this.error.hidden = true;
    this.render();
  }

  render() {
    const { status, items } = this;
    const notes = {
      idle: t("component_need_position"),
      loading: t("component_loading"),
      offline: t("component_offline"),
      failed: `${t("component_failed")}${this.failure ? `（${this.failure}）` : ""}`,
      ready: items.length ? t("component_pick") : t("component_none"),
    };
    this.note.textContent = notes[status];
    this.note.classList.toggle("warn", status === "offline" || status === "failed");
    this.card.dataset.state = status;
    if (status !== "ready" || !items.length) {
      this.list.hidden = true;
      fill(this.list);
      if (status !== "ready") this.error.hidden = true;
      return;
    }
    this.list.hidden = false;
    const option = (choice, ...content) =>
      h(
        "li",
        h(
          "button.component-item",
          {
            type: "button",
            role: "radio",
            "aria-checked": String(this.choice === choice),
            dataset: { id: String(choice) },
            onclick: () => this.pick(choice),
          },
          ...content,
        ),
      );
    fill(
      this.list,
      items.map((c) =>
        option(
          c.id,
          h(
            "span.line",
            h("span.name", c.name),
            h("span.distance", t("component_distance", { m: Math.round(c.distance_m) })),
          ),
          h("span.meta", [c.identifier, statusLabel(c)].filter(Boolean).join(" · ")),
          c.address ? h("span.meta", c.address) : null,
        ),
      ),
      option(NONE, h("span.line", h("span.name", t("component_not_listed"))), h("span.meta", t("component_not_listed_hint"))),
    );
  }
}
