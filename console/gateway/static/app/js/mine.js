// 我的上报: what waits in the outbox (and what the server refused, with its message), then the
// reports the server has from this person, with their states (kept on the device for offline).

import { api, currentUser, token } from "./api.js";
import { formatTime, t } from "./i18n.js";
import { discard, events, items, retry, retryWithout } from "./outbox.js";
import { kv } from "./store.js";
import { fill, h, thumb } from "./ui.js";

/** One outbox record as a card (also used by the task screen for its pending steps). */
export function outboxCard(item) {
  const me = currentUser();
  const mine = me && item.user === me.username;
  const state =
    item.state === "queued" && !mine ? t("state_other_user", { user: item.user || "?" }) : t(`state_${item.state}`);
  const photos = (item.files || []).filter((f) => f.blob);
  const summary = item.summary || {};
  return h(
    "div.card.item.outbox-item",
    { dataset: { key: item.key, state: item.state } },
    h(
      "div.item-head",
      h("div.item-title", `${t(`kind_${item.kind}`)}：${item.label || ""}`),
      h(`span.pill.${item.state}`, state),
    ),
    h(
      "div.meta",
      h("span", formatTime(item.created)),
      (item.files || []).length ? h("span", t("photos_n", { n: item.files.length })) : null,
    ),
    summary.address || summary.description
      ? h("div.text", [summary.address, summary.description].filter(Boolean).join(" · "))
      : null,
    photos.length ? h("div.thumbs", photos.map((f) => thumb(f.blob))) : null,
    item.state === "refused" && item.message ? h("div.message", { role: "alert" }, item.message) : null,
    item.state === "queued" && item.message ? h("div.hint", item.message) : null,
    item.state === "refused" || item.state === "queued"
      ? h(
          "div.row",
          item.state === "refused"
            ? h("button.secondary.small", { type: "button", onclick: () => retry(item.key) }, t("retry"))
            : null,
          // a report whose register object was refused (queued offline): send it naming none
          item.state === "refused" && item.field === "component_id" && item.fields?.component_id
            ? h(
                "button.secondary.small.retry-without-component",
                { type: "button", onclick: () => retryWithout(item.key, "component_id") },
                t("retry_without_component"),
              )
            : null,
          h(
            "button.danger-outline",
            {
              type: "button",
              onclick: () => {
                if (confirm(t("discard_confirm"))) discard(item.key);
              },
            },
            t("discard"),
          ),
        )
      : null,
  );
}

function photoCount(photos) {
  return Array.isArray(photos) ? photos.length : Number(photos) || 0;
}

export class MineScreen {
  constructor(root) {
    this.root = root;
    this.outbox = h("div.list", { id: "outbox-list" });
    this.list = h("div.list", { id: "mine-list" });
    this.stale = h("p.stale", { hidden: true });
    this.refreshButton = h(
      "button.secondary.small",
      { type: "button", onclick: () => this.load() },
      t("refresh"),
    );
    fill(
      root,
      h("div.section-head", h("h2", t("outbox")), null),
      this.outbox,
      h("div.section-head", h("h2", t("my_reports")), this.refreshButton),
      this.stale,
      this.list,
    );
    events.addEventListener("change", () => this.renderOutbox());
    events.addEventListener("sent", (e) => {
      if (["report", "self_handle"].includes(e.detail.kind) && !this.root.hidden) this.load();
    });
    this.renderOutbox();
  }

  shown() {
    this.renderOutbox();
    this.load();
  }

  hidden() {}

  async renderOutbox() {
    const waiting = (await items()).filter((i) => i.state !== "sent").reverse();
    fill(this.outbox, waiting.length ? waiting.map(outboxCard) : h("p.hint", t("outbox_empty")));
  }

  async load() {
    const kept = await kv.get("mine").catch(() => null);
    if (kept) this.render(kept.items);
    if (!token()) return;
    try {
      const found = await api("reports/mine");
      await kv.set("mine", { at: Date.now(), items: found });
      this.stale.hidden = true;
      this.render(found);
    } catch (error) {
      this.stale.hidden = false;
      const offline = kept ? t("mine_cached", { time: formatTime(kept.at) }) : t("mine_offline");
      this.stale.textContent = error.status ? error.message : offline;
    }
  }

  render(reports) {
    fill(
      this.list,
      reports.length
        ? reports.map((r) =>
            h(
              "div.card.item.report-item",
              { dataset: { number: r.number } },
              h("div.item-head", h("div.item-title", r.number), h("span.pill.state", r.state_label || r.state)),
              h("div.text", r.category_name || ""),
              h(
                "div.meta",
                r.address ? h("span", r.address) : null,
                h("span", formatTime(r.reported_at)),
                photoCount(r.photos) ? h("span", t("photos_n", { n: photoCount(r.photos) })) : null,
              ),
            ),
          )
        : h("p.empty-state", t("mine_empty")),
    );
  }
}
