// The gateway's API, as a signed-in device calls it. The device keeps only its token (and
// the signed-in person's name and role, for the screen); never the password.

import { t } from "./i18n.js";

const TOKEN = "grid.app.token";
const USER = "grid.app.user";
const BASE = "/api/v1";

const listeners = new Set();

/** Called with the reason ("expired" or "signed_out") when the token is forgotten. */
export function onSignedOut(callback) {
  listeners.add(callback);
}

export function token() {
  return localStorage.getItem(TOKEN);
}

export function currentUser() {
  try {
    return JSON.parse(localStorage.getItem(USER) || "null");
  } catch {
    return null;
  }
}

function remember(secret, user) {
  localStorage.setItem(TOKEN, secret);
  localStorage.setItem(USER, JSON.stringify(user));
}

export function forget(reason = "expired") {
  const had = token() !== null;
  localStorage.removeItem(TOKEN);
  if (had) for (const callback of listeners) callback(reason);
}

/** A refusal by the server ({error, message}) or no answer at all (status 0). */
export class ApiError extends Error {
  constructor(status, body = {}) {
    super(body.message || (status ? `HTTP ${status}` : t("network_down")));
    this.status = status;
    this.code = body.error || (status ? "http" : "network");
    this.field = body.field || null;
    this.body = body;
  }

  /** The request may succeed later as it is (no network, server busy or down). */
  get retryable() {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

/**
 * Call the API. `json` or `form` (a FormData) is the body; `headers` are added.
 * A 401 forgets the token (the person is asked to sign in again) and throws.
 */
export async function api(path, { method = "GET", json, form, headers = {}, auth = true } = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers } };
  if (auth) {
    const secret = token();
    if (!secret) throw new ApiError(401, { error: "signed_out", message: t("session_expired") });
    init.headers.Authorization = `Bearer ${secret}`;
  }
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (form !== undefined) {
    init.body = form;
  }
  let response;
  try {
    response = await fetch(path.startsWith("/") ? path : `${BASE}/${path}`, init);
  } catch {
    throw new ApiError(0);
  }
  if (response.status === 204) return null;
  let body = null;
  const type = response.headers.get("Content-Type") || "";
  if (type.includes("json")) {
    try {
      body = await response.json();
    } catch {
      body = null;
    }
  }
  if (!response.ok) {
    if (response.status === 401 && auth) forget();
    throw new ApiError(response.status, body && typeof body === "object" ? body : {});
  }
  return body;
}

/** A file the API serves (a case's photo) as a Blob, or null when it cannot be had now. */
export async function fetchBlob(path) {
  const secret = token();
  if (!secret) return null;
  try {
    const response = await fetch(path, { headers: { Authorization: `Bearer ${secret}` } });
    return response.ok ? await response.blob() : null;
  } catch {
    return null;
  }
}

/** The device's name as the person would recognise it: "Android · Chrome". */
export function deviceLabel() {
  const ua = navigator.userAgent;
  const os =
    (/Android/.test(ua) && "Android") ||
    (/iPhone/.test(ua) && "iPhone") ||
    (/iPad/.test(ua) && "iPad") ||
    (/Windows/.test(ua) && "Windows") ||
    (/Mac OS X/.test(ua) && "Mac") ||
    (/Linux/.test(ua) && "Linux") ||
    "";
  const browser =
    (/EdgA?\//.test(ua) && "Edge") ||
    (/Firefox\//.test(ua) && "Firefox") ||
    (/(Chrome|Chromium|CriOS)\//.test(ua) && "Chrome") ||
    (/Safari\//.test(ua) && "Safari") ||
    "";
  const model = /Android[^;)]*;\s*([^;)]+?)(?:\sBuild|\))/.exec(ua)?.[1];
  return [model && model !== "K" ? model : os, browser].filter(Boolean).join(" · ") || "Browser";
}

export async function signIn(username, password, label) {
  const answer = await api("session", {
    method: "POST",
    auth: false,
    json: { username, password, device_label: label },
  });
  remember(answer.token, answer.user);
  return answer.user;
}

/** Sign out on the server when it can be reached; the token is forgotten either way. */
export async function signOut() {
  try {
    await api("session", { method: "DELETE" });
  } catch {
    // offline or already revoked: forgetting it here is what matters on this device
  }
  forget("signed_out");
}

/** Refresh the signed-in person's name and role (GET /me). */
export async function refreshUser() {
  const user = await api("me");
  localStorage.setItem(USER, JSON.stringify(user));
  return user;
}
