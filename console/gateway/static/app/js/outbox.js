// The outbox: every action the person takes is first a record on the device (IndexedDB), with
// an idempotency key made here, then sent by one sender when the network allows. A resend
// carries the same key, so the server recognises it and never makes a second case or step.
//
// A record: {key, kind, user, created, state, path, method, fields, files, json, label,
//            summary, case_id, version, chain, done_on, tries, status, message, result,
//            next_try}
//   chain: records of one chain (a patrol's point batches, then its end) go in the order
//   queued: one still waiting holds the later ones (one refused does not: it is shown).
//   done_on: refusal statuses that mean the action is already done (a patrol's end resent
//   after a lost answer finds it ended: 409).
//   state: queued → sending → sent | refused (the server's message kept) | back to queued
//   (no network, server busy: tried again later; a 401 waits for the person to sign in).

import { api, ApiError, currentUser, token } from "./api.js";
import { t } from "./i18n.js";
import { outboxStore } from "./store.js";

export const events = new EventTarget();

/** Sent records are kept this long on the device (without their photos) to show what went. */
const KEEP_SENT_MS = 3 * 24 * 3600 * 1000;
const RETRY_STEPS_MS = [5000, 15000, 30000, 60000, 120000, 300000];

let draining = null;
let again = false;
let eager = false; // the network just came back: retry now whatever the back-off said
let timer = null;

function changed() {
  events.dispatchEvent(new Event("change"));
}

/**
 * Queue an action and try to send it. `request`: {kind, path, method, fields, files, json,
 * label, case_id}; `files` is a list of {field, blob, name}. Returns the stored record.
 */
export async function enqueue(request) {
  const user = currentUser();
  const item = {
    key: crypto.randomUUID(),
    method: "POST",
    fields: null,
    files: [],
    json: null,
    case_id: null,
    version: null,
    chain: null,
    done_on: [],
    ...request,
    user: user ? user.username : null,
    created: new Date().toISOString(),
    state: "queued",
    tries: 0,
    status: null,
    message: null,
    result: null,
    next_try: 0,
  };
  await outboxStore.put(item);
  changed();
  drain();
  return item;
}

/**
 * The record `key` once its first send has an outcome: sent, refused, or back in the queue
 * (no network, server busy); null if none within `ms`. A form that must show a refusal
 * beside its field (a report's component) waits for this while online.
 */
export function outcome(key, ms) {
  return new Promise((resolve) => {
    let timer = null;
    const check = async () => {
      const item = await outboxStore.get(key);
      if (item && (item.state === "sent" || item.state === "refused" || (item.state === "queued" && item.tries > 0))) {
        finish(item);
      }
    };
    const finish = (item) => {
      clearTimeout(timer);
      events.removeEventListener("change", check);
      resolve(item);
    };
    timer = setTimeout(() => finish(null), ms);
    events.addEventListener("change", check);
    check();
  });
}

export async function items() {
  return outboxStore.all();
}

/** What the person should see counted: waiting (queued or sending) and refused. */
export async function counts() {
  let waiting = 0;
  let refused = 0;
  for (const item of await outboxStore.all()) {
    if (item.state === "queued" || item.state === "sending") waiting += 1;
    else if (item.state === "refused") refused += 1;
  }
  return { waiting, refused };
}

export async function retry(key) {
  const item = await outboxStore.get(key);
  if (!item) return;
  if (item.status === 409 && item.current_version != null && item.current_version !== item.version) {
    // the person has read the case's new state in the refusal: the step now applies to it
    // (a new key: the request is not the one refused before)
    await outboxStore.delete(item.key);
    item.key = crypto.randomUUID();
    item.version = item.current_version;
  }
  Object.assign(item, { state: "queued", next_try: 0, status: null, message: null });
  await outboxStore.put(item);
  changed();
  drain(true);
}

/**
 * Send a refused record again without `field` (a report whose register object was refused,
 * queued offline: sent without naming one). A new key: it is another request.
 */
export async function retryWithout(key, field) {
  const item = await outboxStore.get(key);
  if (!item || !item.fields) return;
  await outboxStore.delete(item.key);
  delete item.fields[field];
  Object.assign(item, { key: crypto.randomUUID(), state: "queued", next_try: 0, status: null, message: null, field: null });
  await outboxStore.put(item);
  changed();
  drain(true);
}

export async function discard(key) {
  await outboxStore.delete(key);
  changed();
}

function body(item) {
  const version = item.version ?? undefined;
  if (item.json) return { json: version === undefined ? item.json : { ...item.json, version } };
  const form = new FormData();
  const fields = version === undefined ? item.fields : { ...item.fields, version };
  for (const [name, value] of Object.entries(fields || {})) {
    if (value !== null && value !== undefined) form.append(name, String(value));
  }
  for (const file of item.files || []) form.append(file.field, file.blob, file.name);
  return { form };
}

/**
 * The person's own next steps on the same case were taken on the case as their own step left
 * it (签收, then 处置反馈 offline): they carry on from the version this step produced. A step
 * of someone else in between still makes them stale (409), as it should.
 */
async function rebase(sent) {
  const next = sent.result && sent.result.version;
  if (!sent.case_id || sent.version == null || next == null) return;
  for (const other of await outboxStore.all()) {
    if (other.state !== "queued" || other.case_id !== sent.case_id || other.version !== sent.version) continue;
    other.version = next;
    await outboxStore.put(other);
  }
}

async function explain409(item, error) {
  // The case moved meanwhile: say where it is now (best effort, the message stands anyway).
  if (error.status !== 409 || !item.case_id) return error.message;
  try {
    const task = await api(`tasks/${item.case_id}`);
    item.current_version = task.version;
    return `${error.message}（${t("case_now", { state: task.state_label })}）`;
  } catch (again) {
    if (again instanceof ApiError && again.status === 404) {
      return `${error.message}（${t("case_gone")}）`;
    }
    return error.message;
  }
}

async function sendOne(item) {
  item.state = "sending";
  item.tries += 1;
  await outboxStore.put(item);
  changed();
  try {
    item.result = await api(item.path, {
      method: item.method,
      headers: { "Idempotency-Key": item.key },
      ...body(item),
    });
    item.state = "sent";
    item.sent = new Date().toISOString();
    item.status = 200;
    item.message = null;
    item.files = (item.files || []).map((f) => ({ field: f.field, name: f.name, size: f.blob.size }));
    await outboxStore.put(item);
    await rebase(item);
    events.dispatchEvent(new CustomEvent("sent", { detail: item }));
    return "sent";
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    item.status = error.status;
    if ((item.done_on || []).includes(error.status)) {
      // already done on the server (an answer lost before): as good as sent
      item.state = "sent";
      item.sent = new Date().toISOString();
      item.message = error.message;
      await outboxStore.put(item);
      events.dispatchEvent(new CustomEvent("sent", { detail: item }));
      return "sent";
    }
    if (error.status === 401 || error.retryable) {
      const step = RETRY_STEPS_MS[Math.min(item.tries - 1, RETRY_STEPS_MS.length - 1)];
      item.state = "queued";
      item.next_try = error.status === 401 ? 0 : Date.now() + step;
      item.message = error.status === 401 ? t("session_expired") : error.message;
      await outboxStore.put(item);
      return error.status === 401 ? "signed_out" : "later";
    }
    item.state = "refused";
    item.field = error.field; // the field the server named (a form may show it beside it)
    item.message = await explain409(item, error);
    await outboxStore.put(item);
    events.dispatchEvent(new CustomEvent("refused", { detail: item }));
    return "refused";
  } finally {
    changed();
  }
}

async function drainOnce() {
  const force = eager;
  eager = false;
  const me = currentUser();
  const now = Date.now();
  // a case's steps go in the order they were taken: one waiting or refused holds the later ones;
  // a chain's records (a patrol's batches) likewise, held only by one still waiting
  const held = new Set();
  const chains = new Set();
  for (const listed of await outboxStore.all()) {
    let item = listed;
    if (item.state === "sending") {
      item.state = "queued"; // a send cut off by a closed page (this is the only sender)
      await outboxStore.put(item);
    }
    if (item.state === "sent" && now - Date.parse(item.sent || item.created) > KEEP_SENT_MS) {
      await outboxStore.delete(item.key);
      continue;
    }
    if (item.state === "sent") continue;
    const mine = token() && me && item.user === me.username;
    const ready = item.state === "queued" && mine && navigator.onLine && (force || item.next_try <= now);
    const free = !(item.case_id && held.has(item.case_id)) && !(item.chain && chains.has(item.chain));
    if (ready && free) {
      item = (await outboxStore.get(item.key)) || item; // an earlier send may have rebased it
      const outcome = await sendOne(item);
      if (outcome === "signed_out") break;
      if (outcome === "later" && item.status === 0) break; // no network: the rest wait too
    }
    if (item.state !== "sent" && item.case_id) held.add(item.case_id);
    if ((item.state === "queued" || item.state === "sending") && item.chain) chains.add(item.chain);
  }
  schedule();
}

/**
 * Send what is queued (one sender at a time; a call during a run makes it run again).
 * `now`: ignore the back-off (the network has just returned, or the person asked).
 */
export function drain(now = false) {
  if (now) eager = true;
  if (draining) {
    again = true;
    return draining;
  }
  draining = (async () => {
    try {
      do {
        again = false;
        await drainOnce();
      } while (again);
    } finally {
      draining = null;
    }
  })();
  return draining;
}

async function schedule() {
  clearTimeout(timer);
  const waiting = (await outboxStore.all()).filter((i) => i.state === "queued");
  if (!waiting.length) return;
  const soonest = Math.min(...waiting.map((i) => i.next_try || 0));
  timer = setTimeout(drain, Math.max(2000, Math.min(soonest - Date.now(), 300000)));
}

/** Start the sender: now, whenever the network returns and when the app comes back. */
export function startSender() {
  window.addEventListener("online", () => drain(true));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") drain();
  });
  drain();
}
