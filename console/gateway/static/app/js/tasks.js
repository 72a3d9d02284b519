// 任务: my tasks (a handler's dispatched cases, an inspector's checks), one task with its
// history, and its steps — 签收, 处置反馈 with a photo, 信息核实 and 核查 with an on-site photo,
// 申请回退, 申请挂账 — each through the outbox.

import { api, currentUser, fetchBlob, token } from "./api.js";
import { formatSpan, formatTime, t } from "./i18n.js";
import { outboxCard } from "./mine.js";
import { enqueue, events, items } from "./outbox.js";
import { shrink } from "./photos.js";
import { kv } from "./store.js";
import { ICON_CAMERA } from "./report.js";
import { fill, h, icon, thumb, toast } from "./ui.js";

/** What a role may do with a task when its detail (and its `actions`) was never downloaded. */
function guessedActions(task) {
  const role = currentUser()?.role;
  if (role === "department" && task.state === "dispatched") return ["feedback", "request_return"];
  if (role === "inspector" && task.state === "handled") return ["verify_pass", "verify_fail"];
  if (role === "inspector" && task.state === "report_check") return ["confirm_report", "reject_report"];
  return [];
}

/** Make `box`'s children `parts`, in order, moving none that is already where it belongs. */
function place(box, parts) {
  for (const child of [...box.children]) if (!parts.includes(child)) child.remove();
  let at = box.firstElementChild;
  for (const part of parts) {
    if (part === at) at = at.nextElementSibling;
    else box.insertBefore(part, at);
  }
}

function deadlineText(task) {
  if (!task.deadline_at) return null;
  const left = Date.parse(task.deadline_at) - Date.now();
  return left >= 0
    ? t("deadline_left", { t: formatSpan(left) })
    : t("deadline_over", { t: formatSpan(left) });
}

export class TasksScreen {
  constructor(root, onCount) {
    this.root = root;
    this.onCount = onCount;
    this.tasks = [];
    this.openId = null;
    this.task = null;
    this.forms = { caseId: null, parts: new Map() };
    this.listView = h("div.list", { id: "task-list" });
    this.stale = h("p.stale", { hidden: true });
    this.detailView = h("div.screen", { id: "task-detail", hidden: true });
    this.listWrap = h(
      "div.screen",
      h(
        "div.section-head",
        h("h2", t("tab_tasks")),
        h("button.secondary.small", { type: "button", onclick: () => this.load() }, t("refresh")),
      ),
      this.stale,
      this.listView,
    );
    fill(root, this.listWrap, this.detailView);
    events.addEventListener("change", () => {
      if (!this.root.hidden) this.renderCurrent();
    });
    events.addEventListener("sent", (e) => {
      if (!e.detail.case_id || this.root.hidden) return;
      if (this.openId === e.detail.case_id) this.openTask(this.openId);
      this.load();
    });
  }

  shown(caseId = null) {
    this.openId = caseId;
    this.listWrap.hidden = caseId !== null;
    this.detailView.hidden = caseId === null;
    this.load();
    if (caseId !== null) this.openTask(caseId);
  }

  hidden() {}

  async renderCurrent() {
    if (this.openId === null) this.renderList();
    else this.renderDetail(this.detail || this.tasks.find((x) => x.id === this.openId));
  }

  async pendingFor(caseId) {
    return (await items()).filter((i) => i.case_id === caseId && i.state !== "sent");
  }

  async load() {
    const kept = await kv.get("tasks").catch(() => null);
    if (kept) {
      this.tasks = kept.items;
      this.renderList();
    }
    if (!token()) return;
    try {
      const found = await api("tasks");
      this.tasks = found.tasks || [];
      await kv.set("tasks", { at: Date.now(), items: this.tasks });
      this.stale.hidden = true;
    } catch (error) {
      this.stale.hidden = false;
      const offline = kept ? t("tasks_cached", { time: formatTime(kept.at) }) : t("tasks_offline");
      this.stale.textContent = error.status ? error.message : offline;
    }
    this.renderList();
  }

  async renderList() {
    this.onCount(this.tasks.filter((x) => !x.accepted).length);
    const pending = await items();
    fill(
      this.listView,
      this.tasks.length
        ? this.tasks.map((task) => {
            const waiting = pending.filter((i) => i.case_id === task.id && i.state !== "sent");
            return h(
              "a.card.item.task-item",
              { href: `#task/${task.id}`, dataset: { id: String(task.id) } },
              h(
                "div.item-head",
                h("div.item-title", h(`span.light.${task.light || "none"}`), task.number),
                h("span.pill.state", task.state_label),
              ),
              h("div.text", `${task.category_name} · ${task.address || ""}`),
              h(
                "div.meta",
                task.urgent ? h("span.pill.urgent", t("urgent_badge")) : null,
                h("span", task.accepted ? t("accepted") : t("not_accepted")),
                deadlineText(task) ? h("span", deadlineText(task)) : null,
              ),
              waiting.length
                ? h(
                    "div.meta",
                    waiting.map((i) => h(`span.pill.${i.state}`, t("pending_action", { what: t(`kind_${i.kind}`) }))),
                  )
                : null,
            );
          })
        : h("p.empty-state", t("tasks_empty")),
    );
  }

  async openTask(caseId) {
    this.detail = null;
    const summary = this.tasks.find((x) => x.id === caseId);
    const kept = await kv.get(`task:${caseId}`).catch(() => null);
    this.detail = kept || null;
    this.renderDetail(kept || summary, !kept);
    if (!token()) return;
    try {
      const detail = await api(`tasks/${caseId}`);
      await kv.set(`task:${caseId}`, detail);
      if (this.openId !== caseId) return;
      this.detail = detail;
      this.renderDetail(detail, false);
    } catch {
      // offline: what was shown stays, marked as such
      if (this.openId === caseId) this.renderDetail(kept || summary, true);
    }
  }

  async renderDetail(task, stale = false) {
    if (!task) {
      fill(this.detailView, this.backButton(), h("p.empty-state", t("case_gone")));
      return;
    }
    const pending = await this.pendingFor(task.id);
    this.task = task;
    const actions = task.actions || guessedActions(task);
    const timeline = task.timeline || [];
    const box = this.detailBoxes();
    fill(box.top, this.backButton(), h("h2", task.number), h("span.pill.state", task.state_label));
    fill(box.stale, stale ? t("task_offline") : "");
    box.stale.hidden = !stale;
    fill(
      box.info,
      h(
        "dl.kv",
        h("dt", t("category")),
        h("dd", task.category_name),
        h("dt", t("address")),
        h("dd", task.address || "—"),
        h("dt", t("description")),
        h("dd", task.description || "—"),
        task.deadline_at ? [h("dt", t("deadline")), h("dd", deadlineText(task))] : null,
        h("dt", t("reported")),
        h("dd", formatTime(task.reported_at)),
      ),
    );
    this.showPhotos(box.photos, task);
    fill(box.pending, pending.map(outboxCard));
    box.pending.hidden = !pending.length;
    // the forms stay in place when the steps open change (a step gone is taken out, a new one
    // put in): a form moved out of the page loses its focus, and what is being typed with it
    const parts = this.actionParts(task, actions, pending);
    place(box.actions, parts);
    box.actions.hidden = !parts.length;
    fill(
      box.timeline,
      h("h2", t("timeline")),
      h(
        "ol.timeline",
        timeline
          .slice()
          .reverse()
          .map((e) =>
            h(
              "li",
              h("div.when", `${formatTime(e.at)} · ${e.actor_name || ""}`),
              h("div.what", e.action_label || e.action),
              e.note ? h("div.note", e.note) : null,
            ),
          ),
      ),
    );
    box.timeline.hidden = !timeline.length;
  }

  /** The case's photos (the reporter's, earlier feedback), fetched with the token when online. */
  async showPhotos(box, task) {
    const photos = task.attachments || [];
    const key = `${task.id}:${photos.map((p) => p.id).join(",")}`;
    if (box.dataset.key === key) return;
    box.dataset.key = key;
    fill(box);
    box.hidden = !photos.length;
    for (const photo of photos) {
      const blob = await fetchBlob(`/api/v1/attachments/${photo.id}`);
      if (box.dataset.key !== key) return;
      if (blob) box.append(h("div.photo", thumb(blob, photo.filename)));
    }
    box.hidden = !box.children.length;
  }

  /** The detail's parts, made once: each render refills them in place. */
  detailBoxes() {
    if (!this.boxes || this.boxes.top.parentNode !== this.detailView) {
      this.boxes = {
        top: h("div.detail-top"),
        stale: h("p.stale"),
        info: h("div.card"),
        photos: h("div.photos.case-photos", { id: "task-photos" }),
        pending: h("div.list"),
        actions: h("div.actions"),
        timeline: h("div.card"),
      };
      fill(this.detailView, Object.values(this.boxes));
    }
    return this.boxes;
  }

  backButton() {
    return h("button.back", { type: "button", onclick: () => (location.hash = "#tasks") }, `‹ ${t("back")}`);
  }

  /**
   * The steps open now. Each form is built once per task and kept while it stays open, so a
   * re-render (the outbox sent something, the task was re-read) never loses what is typed.
   */
  actionParts(task, actions, pending) {
    const waiting = new Set(pending.filter((i) => i.state !== "refused").map((i) => i.kind));
    if (this.forms.caseId !== task.id) this.forms = { caseId: task.id, parts: new Map() };
    const part = (name, build) => {
      if (!this.forms.parts.has(name)) this.forms.parts.set(name, build());
      return this.forms.parts.get(name);
    };
    const parts = [];
    const role = currentUser()?.role;
    // 签收 once the case reaches the department (a handler's own task; not after it has moved on)
    const canAccept = actions.includes("accept") || (role === "department" && task.state === "dispatched");
    if (!task.accepted && canAccept && !waiting.has("accept")) {
      parts.push(
        part("accept", () =>
          h(
            "button.primary.big",
            { type: "button", id: "task-accept", onclick: () => this.queue("accept", "accept", { json: {} }) },
            t("accept"),
          ),
        ),
      );
    }
    if (actions.includes("feedback") && !waiting.has("feedback")) parts.push(part("feedback", () => this.feedbackForm()));
    if (actions.some((a) => a.startsWith("verify_")) && !waiting.has("verify_pass") && !waiting.has("verify_fail")) {
      parts.push(part("verify", () => this.verifyForm()));
    }
    const checking = ["confirm_report", "reject_report"];
    if (actions.some((a) => checking.includes(a)) && !checking.some((k) => waiting.has(k))) {
      parts.push(part("report_check", () => this.reportCheckForm()));
    }
    if (actions.includes("request_return") && !waiting.has("return")) {
      parts.push(part("return", () => this.reasonForm("return", "return_req", "return_reason")));
    }
    if (actions.includes("request_suspension") && !waiting.has("suspension")) {
      parts.push(part("suspension", () => this.reasonForm("suspension", "suspension_req", "suspension_reason")));
    }
    return parts;
  }

  photoPicker() {
    const state = { photo: null };
    const preview = h("div.photos");
    const note = h("p.hint", { hidden: true });
    const input = h("input", {
      type: "file",
      accept: "image/*",
      capture: "environment",
      onchange: async () => {
        const file = input.files[0];
        input.value = "";
        if (!file) return;
        note.hidden = false;
        note.textContent = t("photo_working");
        try {
          state.photo = await shrink(file);
          note.hidden = true;
          fill(preview, h("div.photo", thumb(state.photo.blob)));
        } catch {
          note.textContent = t("photo_bad", { name: file.name });
        }
      },
    });
    const pickerEl = h(
      "div.step",
      preview,
      note,
      h("label.button.file-button", icon(ICON_CAMERA), h("span", t("photo_take")), input),
    );
    return { state, el: pickerEl, input };
  }

  feedbackForm() {
    const text = h("textarea", { placeholder: t("feedback_note_hint"), maxlength: 1000, id: "feedback-note" });
    const picker = this.photoPicker();
    picker.input.id = "feedback-photo";
    return h(
      "form.card.form",
      {
        id: "feedback-form",
        novalidate: true,
        onsubmit: (e) => {
          e.preventDefault();
          const note = text.value.trim();
          if (!note) return toast(t("need_note"), "error");
          this.queue("feedback", "feedback", {
            fields: { note },
            files: picker.state.photo ? [{ field: "photo", blob: picker.state.photo.blob, name: "feedback.jpg" }] : [],
            summary: { description: note },
          });
        },
      },
      h("h2", t("feedback")),
      h("label.field", h("span", t("feedback_note")), text),
      picker.el,
      h("button.primary.big", { type: "submit" }, t("send")),
    );
  }

  verifyForm() {
    const text = h("textarea", { maxlength: 1000, id: "verify-note" });
    const pass = h("input", { type: "radio", name: "result", value: "pass", checked: true });
    const fail = h("input", { type: "radio", name: "result", value: "fail" });
    const picker = this.photoPicker();
    return h(
      "form.card.form",
      {
        id: "verify-form",
        novalidate: true,
        onsubmit: (e) => {
          e.preventDefault();
          const result = fail.checked ? "fail" : "pass";
          const note = text.value.trim();
          if (result === "fail" && !note) return toast(t("need_note"), "error");
          this.queue("verify", `verify_${result}`, {
            path: `tasks/${this.task.id}/verification`,
            fields: { result, note },
            files: picker.state.photo ? [{ field: "photo", blob: picker.state.photo.blob, name: "check.jpg" }] : [],
            summary: { description: note },
          });
        },
      },
      h("h2", t("verify")),
      h("div.choice", h("label", pass, t("verify_pass")), h("label", fail, t("verify_fail"))),
      h("label.field", h("span", t("verify_note")), text),
      picker.el,
      h("button.primary.big", { type: "submit" }, t("send")),
    );
  }

  /** 信息核实: is the report true? A photo of the scene; a note when it is not. */
  reportCheckForm() {
    const text = h("textarea", { maxlength: 1000, id: "report-check-note" });
    const confirm = h("input", { type: "radio", name: "check-result", value: "confirm", checked: true });
    const reject = h("input", { type: "radio", name: "check-result", value: "reject" });
    const picker = this.photoPicker();
    picker.input.id = "report-check-photo";
    return h(
      "form.card.form",
      {
        id: "report-check-form",
        novalidate: true,
        onsubmit: (e) => {
          e.preventDefault();
          const result = reject.checked ? "reject" : "confirm";
          const note = text.value.trim();
          if (result === "reject" && !note) return toast(t("need_note"), "error");
          this.queue("report_check", `${result}_report`, {
            path: `tasks/${this.task.id}/report-check`,
            fields: { result, note },
            files: picker.state.photo ? [{ field: "photo", blob: picker.state.photo.blob, name: "site.jpg" }] : [],
            summary: { description: note },
          });
        },
      },
      h("h2", t("report_check")),
      h("p.hint", t("report_check_hint")),
      h("div.choice", h("label", confirm, t("report_confirm")), h("label", reject, t("report_reject"))),
      h("label.field", h("span", t("report_check_note")), text),
      picker.el,
      h("button.primary.big", { type: "submit" }, t("send")),
    );
  }

  /** 申请回退 / 申请挂账: a reason, folded away until wanted. */
  reasonForm(kind, title, label) {
    const text = h("textarea", { maxlength: 500 });
    const form = h(
      "form.form",
      {
        novalidate: true,
        onsubmit: (e) => {
          e.preventDefault();
          const reason = text.value.trim();
          if (!reason) return toast(t("need_note"), "error");
          this.queue(kind, kind, { path: `tasks/${this.task.id}/${kind}`, json: { reason } });
        },
      },
      h("label.field", h("span", t(label)), text),
      h("button.secondary", { type: "submit" }, t(title)),
    );
    return h(`details.card.${kind}-form`, h("summary", t(title)), form);
  }

  /** Queue a step on the task shown (at the version shown: the one the person saw). */
  async queue(form, kind, request) {
    const task = this.task;
    this.forms.parts.delete(form); // sent on: the next time this step opens, it starts blank
    await enqueue({
      kind,
      path: `tasks/${task.id}/${kind}`,
      case_id: task.id,
      version: task.version,
      label: task.number,
      ...request,
    });
    toast(t("queued_action", { what: t(`kind_${kind}`) }), "ok");
    this.renderCurrent();
  }
}
