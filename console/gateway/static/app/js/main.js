// 城管通: the staff app's start. Signs the person in (or not), builds the screens once
// (a half-filled report survives a tab switch), follows the hash (#report, #mine, #tasks,
// #task/ID, #patrol for inspectors and grid managers), shows the network and the outbox in the
// top bar, and starts the sender.

import { ApiError, currentUser, deviceLabel, onSignedOut, refreshUser, signIn, signOut, token } from "./api.js";
import { lang, setLang, t, translate } from "./i18n.js";
import { MineScreen } from "./mine.js";
import { counts, drain, events, startSender } from "./outbox.js";
import { cacheCategories, ReportScreen } from "./report.js";
import { loadGrids } from "./mapview.js";
import { canPatrol, PatrolScreen } from "./patrol.js";
import { kv } from "./store.js";
import { TasksScreen } from "./tasks.js";
import { toast } from "./ui.js";

const $ = (id) => document.getElementById(id);

let screens = null;
let current = null;

function reportsAllowed(user) {
  // a department's handlers take tasks; the people on patrol (监督员, 网格员 …) report
  return Boolean(user) && user.role !== "department";
}

function buildScreens() {
  if (screens) return;
  screens = {
    report: new ReportScreen($("screen-report")),
    mine: new MineScreen($("screen-mine")),
    tasks: new TasksScreen($("screen-tasks"), (n) => badge("badge-tasks", n, "waiting")),
  };
  if (canPatrol(currentUser())) {
    // a patrol on goes on whichever tab is shown
    screens.patrol = new PatrolScreen($("screen-patrol"), (on) => {
      $("badge-patrol").hidden = !on;
    });
  }
}

function badge(id, n, kind = "") {
  const el = $(id);
  el.hidden = !n;
  el.textContent = n > 99 ? "99+" : String(n);
  el.className = `badge ${kind}`;
}

function route() {
  if (!token()) {
    showSignIn();
    return;
  }
  buildScreens();
  const user = currentUser();
  const canReport = reportsAllowed(user);
  for (const name of ["report", "mine"]) {
    document.querySelector(`.tab[data-tab="${name}"]`).hidden = !canReport;
  }
  document.querySelector('.tab[data-tab="patrol"]').hidden = !screens.patrol;
  const hash = location.hash.replace(/^#/, "");
  let name = hash.split("/")[0];
  let caseId = null;
  if (name === "task") {
    caseId = Number(hash.split("/")[1]);
    name = "tasks";
  }
  if (!(name in screens) || (!canReport && name !== "tasks")) name = canReport ? "report" : "tasks";
  $("screen-signin").hidden = true;
  $("tabs").hidden = false;
  $("me").hidden = false;
  for (const [key, screen] of Object.entries(screens)) {
    const show = key === name;
    if (screen.root.hidden === show) {
      screen.root.hidden = !show;
      if (!show) screen.hidden();
    }
  }
  for (const tab of document.querySelectorAll(".tab")) tab.classList.toggle("active", tab.dataset.tab === name);
  current = name;
  screens[name].shown(caseId);
  renderMe();
}

function showSignIn(message = null) {
  $("screen-signin").hidden = false;
  $("tabs").hidden = true;
  $("me").hidden = true;
  $("menu").hidden = true;
  for (const id of ["screen-report", "screen-mine", "screen-tasks", "screen-patrol"]) $(id).hidden = true;
  const user = currentUser();
  if (user && !$("signin-username").value) $("signin-username").value = user.username;
  if (!$("signin-device").value) $("signin-device").value = deviceLabel();
  const error = $("signin-error");
  error.hidden = !message;
  error.textContent = message || "";
}

async function onSignIn(event) {
  event.preventDefault();
  const username = $("signin-username").value.trim();
  const password = $("signin-password").value;
  const label = $("signin-device").value.trim() || deviceLabel();
  if (!username || !password) return;
  const button = $("signin-submit");
  button.disabled = true;
  button.textContent = t("signing_in");
  const previous = currentUser()?.username;
  try {
    await signIn(username, password, label);
    if (previous && previous !== username) {
      // another person on this device: nothing of the last one's shows (their queue waits)
      await kv.forgetPersonal();
      if (screens) {
        location.hash = "";
        location.reload();
        return;
      }
    }
    $("signin-password").value = "";
    $("signin-error").hidden = true;
    afterSignIn();
    if (!location.hash) location.hash = reportsAllowed(currentUser()) ? "#report" : "#tasks";
    route();
  } catch (error) {
    const message = error instanceof ApiError ? error.message : String(error);
    showSignIn(message);
  } finally {
    button.disabled = false;
    button.textContent = t("sign_in");
  }
}

function afterSignIn() {
  cacheCategories();
  loadGrids();
  drain(true);
}

function renderMe() {
  const user = currentUser();
  if (!user) return;
  $("me").textContent = user.display_name || user.username;
  $("menu-who").textContent = t("signed_in_as", {
    name: user.display_name || user.username,
    role: [user.role_label, user.department].filter(Boolean).join(" · "),
  });
}

async function renderOutboxChip() {
  const { waiting, refused } = await counts();
  const chip = $("outbox-chip");
  chip.hidden = !waiting && !refused;
  chip.classList.toggle("refused", refused > 0);
  chip.textContent = refused ? t("refused_n", { n: refused }) : t("outbox_n", { n: waiting });
  badge("badge-mine", waiting + refused, refused ? "" : "waiting");
}

function renderNet() {
  const el = $("net");
  el.classList.toggle("off", !navigator.onLine);
  el.textContent = navigator.onLine ? t("online") : t("offline");
}

function wireChrome() {
  $("signin-form").addEventListener("submit", onSignIn);
  $("outbox-chip").addEventListener("click", () => {
    location.hash = "#mine";
  });
  $("me").addEventListener("click", (e) => {
    e.stopPropagation();
    $("menu").hidden = !$("menu").hidden;
  });
  document.addEventListener("click", (e) => {
    if (!$("menu").contains(e.target)) $("menu").hidden = true;
  });
  $("menu-lang").addEventListener("click", () => {
    setLang(lang === "zh" ? "en" : "zh");
    const url = new URL(location.href);
    url.searchParams.delete("lang");
    location.replace(url.toString()); // the screens are built once, in one language
  });
  $("menu-signout").addEventListener("click", async () => {
    const { waiting } = await counts();
    if (waiting && !confirm(t("sign_out_pending", { n: waiting }))) return;
    await signOut();
  });
  window.addEventListener("hashchange", route);
  window.addEventListener("online", renderNet);
  window.addEventListener("offline", renderNet);
  events.addEventListener("change", renderOutboxChip);
  events.addEventListener("sent", (e) => {
    const item = e.detail;
    if (["report", "self_handle"].includes(item.kind) && item.result?.number) toast(t("sent_report", { number: item.result.number }), "ok");
  });
  events.addEventListener("refused", (e) => toast(e.detail.message || t("state_refused"), "error"));
  onSignedOut((reason) => {
    showSignIn(reason === "expired" ? t("session_expired") : null);
  });
}

function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  const hadController = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.register("sw.js", { scope: "./" }).catch(() => {});
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (hadController) $("update").hidden = false; // a new release took over: offer a reload
  });
  $("update-reload").addEventListener("click", () => location.reload());
}

function start() {
  translate();
  wireChrome();
  renderNet();
  renderOutboxChip();
  registerWorker();
  startSender();
  if (token()) {
    refreshUser()
      .then(renderMe)
      .catch(() => {});
    afterSignIn();
  }
  route();
  document.body.classList.add("ready");
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
