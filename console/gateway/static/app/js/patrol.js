// 巡查 (网格定期巡查), for inspectors and grid managers: start a patrol (needs the network: the
// server gives it its number), then while it is on take the position every 10 s, keep the
// screen awake, show the time, the distance and the track over the grids; the points go into
// the outbox in batches (6 points or 60 s, and at the end), each with a key made here, so a
// patrol walked offline is uploaded when the network returns and a resend is stored once.
// Ending is queued too, after the points; then the server's coverage is shown.
//
// The open patrol lives in IndexedDB (kv "patrol"): a reload, a crash or a closed tab goes on
// with it. A batch being handed to the outbox is written down first (its key and points), so
// it is queued exactly once whatever happens in between.
//
// A test hook: localStorage "grid.app.patrolIntervalMs" shortens the 10 s (tests only; the
// app never sets it; below 200 ms it is ignored).

import { api, ApiError, currentUser, onSignedOut } from "./api.js";
import { formatTime, t } from "./i18n.js";
import { distance, gridAt, loadGrids } from "./mapview.js";
import { outboxCard } from "./mine.js";
import { enqueue, events, items } from "./outbox.js";
import { kv } from "./store.js";
import { fill, h, toast } from "./ui.js";

const STATE = "patrol";
const INTERVAL_KEY = "grid.app.patrolIntervalMs";
const DEFAULT_INTERVAL_MS = 10000;
const BATCH_POINTS = 6;
const BATCH_SAMPLES = 6; // a batch also goes when its first point is 6 intervals old (60 s)
const WORST_ACCURACY_M = 200; // a fix worse than this is not recorded

/** The sampling interval: 10 s, unless a test has set the hook. */
export function intervalMs() {
  const asked = Number(localStorage.getItem(INTERVAL_KEY));
  return Number.isFinite(asked) && asked >= 200 ? asked : DEFAULT_INTERVAL_MS;
}

/** Whether the person walks patrols: the server says so (/me's may_patrol). */
export function canPatrol(user) {
  return user?.may_patrol === true;
}

function clock(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const pad = (n) => String(n).padStart(2, "0");
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

function km(m) {
  return m >= 1000 ? t("patrol_km", { n: (m / 1000).toFixed(2) }) : t("patrol_m", { n: Math.round(m) });
}

export class PatrolScreen {
  constructor(root, onState = () => {}) {
    this.root = root;
    this.onState = onState; // tells the tab bar whether a patrol is on
    this.state = null;
    this.timer = null;
    this.ticker = null;
    this.watch = null;
    this.lastFix = null;
    this.keptFixAt = 0;
    this.orphan = null; // a patrol open on the server, unknown to this device
    this.sampling = false;
    this.lock = null;
    this.wake = "off"; // off | on | released | unsupported | failed
    this.wakeError = "";
    this.geoNote = "";
    this.map = null;
    this.layers = {};
    this.grids = null;
    this.build();
    events.addEventListener("change", () => this.renderQueue());
    events.addEventListener("sent", (e) => this.onSent(e.detail));
    document.addEventListener("visibilitychange", () => this.onVisibility());
    onSignedOut((reason) => {
      if (reason === "signed_out") this.stopRecording();
    });
    loadGrids().then((grids) => {
      if (grids) this.grids = grids;
    });
    this.ready = this.resume();
  }

  // ------------------------------------------------------------------ the screen
  build() {
    const e = {};
    this.el = e;
    e.status = h("div.patrol-status", { id: "patrol-status" });
    e.elapsed = h("b", { id: "patrol-elapsed" }, "00:00:00");
    e.distance = h("b", { id: "patrol-distance" }, "0 m");
    e.points = h("b", { id: "patrol-points" }, "0");
    e.grids = h("b", { id: "patrol-grids" }, "0");
    e.figures = h(
      "div.figures",
      h("div.figure", h("span", t("patrol_elapsed")), e.elapsed),
      h("div.figure", h("span", t("patrol_distance")), e.distance),
      h("div.figure", h("span", t("patrol_points")), e.points),
      h("div.figure", h("span", t("patrol_grids_passed")), e.grids),
    );
    e.wake = h("p.hint", { id: "patrol-wake" });
    e.geo = h("p.hint", { id: "patrol-geo" });
    e.mapBox = h("div.map.patrol-map", { id: "patrol-map" });
    e.start = h("button.primary.big", { type: "button", id: "patrol-start", onclick: () => this.start() }, t("patrol_start"));
    e.end = h("button.primary.big.stop", { type: "button", id: "patrol-end", onclick: () => this.end() }, t("patrol_end"));
    e.again = h("button.secondary.big", { type: "button", id: "patrol-again", onclick: () => this.clearResult() }, t("patrol_new"));
    e.error = h("p.error", { role: "alert", hidden: true });
    e.queue = h("div.list", { id: "patrol-queue" });
    e.result = h("div.card.patrol-result", { id: "patrol-result", hidden: true });
    e.orphanText = h("p");
    e.orphan = h(
      "div.card.patrol-orphan",
      { id: "patrol-orphan", hidden: true },
      e.orphanText,
      h(
        "div.row",
        h("button.secondary.grow", { type: "button", id: "patrol-adopt", onclick: () => this.adopt() }, t("patrol_adopt")),
        h("button.danger-outline", { type: "button", id: "patrol-orphan-end", onclick: () => this.endOrphan() }, t("patrol_end")),
      ),
    );
    e.intro = h("p.hint", t("patrol_intro"));
    fill(
      this.root,
      h("div.card.patrol-card", e.status, e.figures, e.intro, e.wake, e.geo),
      e.orphan,
      e.mapBox,
      e.error,
      e.queue,
      e.result,
      h("div.submit-bar", e.start, e.end, e.again),
    );
  }

  shown() {
    // signed out and in again while a patrol was on: it goes on
    if (this.state && this.state.phase === "on" && !this.timer) this.startRecording();
    // ended, the coverage not fetched yet (the network went): try again
    if (this.state && this.state.phase === "ending") this.checkEnded();
    this.ensureMap();
    this.render();
    this.renderQueue();
    if (this.map) this.map.invalidateSize();
    if (!this.state) this.findOpen();
  }

  hidden() {}

  ensureMap() {
    if (this.map || !window.L) return;
    const L = window.L;
    this.map = L.map(this.el.mapBox, {
      center: [34.266, 108.93],
      zoom: 14,
      attributionControl: false,
      minZoom: 11,
      maxZoom: 19,
      zoomSnap: 0.5,
    });
    this.layers.visited = L.layerGroup().addTo(this.map);
    this.layers.track = L.polyline([], { className: "track", weight: 4, interactive: false }).addTo(this.map);
    this.layers.here = null;
    loadGrids().then((grids) => {
      if (!grids) return;
      this.grids = grids;
      L.geoJSON(grids, { interactive: false, style: { className: "grid-line", weight: 1, fillOpacity: 0 } }).addTo(this.map);
      this.drawTrack(true);
    });
    this.drawTrack(true);
  }

  drawTrack(fit = false) {
    if (!this.map) return;
    const L = window.L;
    const track = this.state ? this.state.track.map(([lat, lon]) => [lat, lon]) : [];
    this.layers.track.setLatLngs(track);
    this.layers.visited.clearLayers();
    if (this.grids && this.state) {
      const codes = new Set(this.state.result ? this.state.result.grids.map((g) => g.code) : this.state.visited || []);
      const features = this.grids.features.filter((f) => codes.has(f.properties.code));
      if (features.length) {
        L.geoJSON(
          { type: "FeatureCollection", features },
          { interactive: false, style: { className: "grid-visited", weight: 2, fillOpacity: 0.18 } },
        ).addTo(this.layers.visited);
      }
    }
    const last = track[track.length - 1];
    if (last) {
      if (!this.layers.here) {
        this.layers.here = L.circleMarker(last, { radius: 7, className: "here", interactive: false }).addTo(this.map);
      } else {
        this.layers.here.setLatLng(last);
      }
      const whole = () => this.map.fitBounds(this.layers.track.getBounds(), { padding: [28, 28], maxZoom: 16 });
      if (track.length === 1) this.map.setView(last, 16);
      else if (fit) whole();
      else if (!this.map.getBounds().pad(-0.1).contains(last)) whole(); // the walk left the view: all of it
    } else if (this.layers.here) {
      this.layers.here.remove();
      this.layers.here = null;
    }
  }

  render() {
    const s = this.state;
    const phase = s ? s.phase : "idle";
    this.root.dataset.phase = phase;
    this.root.dataset.patrol = s ? String(s.id) : "";
    this.root.dataset.recorded = String(s ? s.track.length : 0);
    const last = s && s.track[s.track.length - 1];
    this.root.dataset.last = last ? `${last[1].toFixed(6)},${last[0].toFixed(6)}` : "";
    const e = this.el;
    const orphan = phase === "idle" ? this.orphan : null;
    e.orphan.hidden = !orphan;
    if (orphan) e.orphanText.textContent = t("patrol_orphan", { id: orphan.id, time: formatTime(orphan.started_at) });
    e.start.hidden = phase !== "idle" || Boolean(orphan);
    e.end.hidden = phase !== "on";
    e.again.hidden = phase !== "done";
    e.intro.hidden = phase !== "idle";
    const text = {
      idle: t("patrol_idle"),
      on: t("patrol_on", { id: s && s.id, time: s ? formatTime(s.started_at) : "" }),
      ending: t("patrol_ending", { id: s && s.id }),
      done: t("patrol_done", { id: s && s.id }),
    }[phase];
    fill(e.status, h(`span.dot.${phase}`), h("span", text));
    e.distance.textContent = km(s ? s.distance_m : 0);
    e.points.textContent = String(s ? s.track.length : 0);
    e.grids.textContent = String(s ? (s.result ? s.result.grids_visited : (s.visited || []).length) : 0);
    this.tick();
    this.renderWake();
    e.geo.textContent = phase === "on" ? this.geoNote : "";
    e.geo.hidden = !e.geo.textContent;
    this.renderResult();
    this.onState(phase === "on" || phase === "ending");
  }

  tick() {
    const s = this.state;
    let ms = 0;
    if (s && s.phase === "on") ms = Date.now() - s.started_local;
    else if (s && s.result && s.result.duration_s != null) ms = s.result.duration_s * 1000;
    else if (s && s.ended_local) ms = s.ended_local - s.started_local;
    this.el.elapsed.textContent = clock(ms);
  }

  renderWake() {
    const on = this.state && this.state.phase === "on";
    const el = this.el.wake;
    el.hidden = !on;
    el.className = `hint wake ${this.wake}`;
    el.textContent =
      {
        on: t("wake_on"),
        released: t("wake_released"),
        unsupported: t("wake_unsupported"),
        failed: t("wake_failed", { why: this.wakeError }),
        off: "",
      }[this.wake] || "";
  }

  async renderQueue() {
    const s = this.state;
    if (!s) {
      fill(this.el.queue);
      return;
    }
    const chain = `patrol:${s.id}`;
    const mine = (await items()).filter((i) => i.chain === chain);
    const waiting = mine.filter((i) => i.state === "queued" || i.state === "sending");
    const refused = mine.filter((i) => i.state === "refused");
    const points = waiting.reduce((n, i) => n + (i.json && i.json.points ? i.json.points.length : 0), 0);
    this.root.dataset.waiting = String(waiting.length);
    this.root.dataset.refused = String(refused.length);
    fill(
      this.el.queue,
      waiting.length || s.pending.length
        ? h("p.hint", { id: "patrol-upload" }, t("patrol_waiting", { n: points + s.pending.length }))
        : null,
      refused.map(outboxCard),
    );
  }

  renderResult() {
    const s = this.state;
    const box = this.el.result;
    if (!s || s.phase === "on" || s.phase === "idle") {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    if (!s.result) {
      fill(box, h("p.hint", s.phase === "ending" ? t("patrol_result_wait") : t("patrol_result_none")));
      return;
    }
    const r = s.result;
    fill(
      box,
      h("h2", t("patrol_result")),
      h(
        "dl.kv",
        h("dt", t("patrol_distance")),
        h("dd", { id: "result-distance" }, km(r.distance_m || 0)),
        h("dt", t("patrol_duration")),
        h("dd", clock((r.duration_s || 0) * 1000)),
        h("dt", t("patrol_points")),
        h("dd", String(r.points)),
        h("dt", t("patrol_grids_visited")),
        h("dd", { id: "result-grids" }, String(r.grids_visited)),
      ),
      r.grids.length
        ? h(
            "ul.coverage",
            { id: "coverage-list" },
            r.grids.map((g) =>
              h(
                "li",
                { dataset: { code: g.code } },
                h("span.name", g.name),
                h("span.code", g.code),
                h("b.metres", t("patrol_m", { n: Math.round(g.length_m) })),
              ),
            ),
          )
        : h("p.empty-state", t("patrol_no_grids")),
    );
  }

  showError(message) {
    this.el.error.hidden = !message;
    this.el.error.textContent = message || "";
  }

  // ------------------------------------------------------------------ state
  async save() {
    if (this.state) await kv.set(STATE, this.state);
    else await kv.delete(STATE);
  }

  /** After a reload: the patrol kept on the device goes on (its half-queued batch too). */
  async resume() {
    const kept = await kv.get(STATE).catch(() => null);
    const me = currentUser();
    if (!kept || !me || kept.user !== me.username) return;
    this.state = kept;
    if (kept.batch) {
      await this.queueBatch(kept.batch);
      await this.save();
    }
    if (kept.phase === "ending") {
      if (kept.end_key) await this.queueEnd();
      await this.checkEnded();
    }
    if (kept.phase === "on") this.startRecording();
    this.render();
    this.drawTrack(true);
    this.renderQueue();
  }

  /** A patrol open on the server that this device does not know (its storage cleared, or
   * started on another phone): offered to carry on here or to end, never taken silently. */
  async findOpen() {
    await this.ready;
    if (this.state || !navigator.onLine) return;
    try {
      const [latest] = await api("patrols/mine?limit=1");
      this.orphan = latest && !latest.ended_at && !this.state ? latest : null;
    } catch {
      this.orphan = null; // offline or signed out: asked again next time
    }
    this.render();
  }

  async adopt() {
    const patrol = this.orphan;
    if (!patrol) return;
    this.orphan = null;
    this.state = this.fresh(patrol);
    await this.save();
    this.startRecording();
    toast(t("patrol_resumed", { id: patrol.id }));
    this.render();
    this.drawTrack(true);
  }

  async endOrphan() {
    const patrol = this.orphan;
    if (!patrol || !confirm(t("patrol_end_confirm"))) return;
    try {
      await api(`patrols/${patrol.id}/end`, { method: "POST", json: {} });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 409) {
        this.showError(error.message || String(error));
        return;
      }
    }
    this.orphan = null;
    this.state = { ...this.fresh(patrol), phase: "ending" };
    await this.loadResult();
  }

  fresh(patrol) {
    const me = currentUser();
    return {
      phase: "on",
      id: patrol.id,
      user: me.username,
      started_at: patrol.started_at,
      started_local: Date.parse(patrol.started_at) || Date.now(),
      track: [], // [lat, lon, device ms, accuracy]
      pending: [], // recorded, not yet in a batch
      pending_since: 0,
      distance_m: 0,
      visited: [],
      batch: null, // {key, points} being handed to the outbox
      end_key: null,
      result: null,
    };
  }

  // ------------------------------------------------------------------ start and end
  async start() {
    this.showError("");
    if (!navigator.onLine) {
      this.showError(t("patrol_start_offline"));
      return;
    }
    this.el.start.disabled = true;
    try {
      let patrol;
      try {
        patrol = await api("patrols", { method: "POST", json: {} });
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 409) throw error;
        await this.findOpen(); // one open already: carry on with it, or end it
        return;
      }
      this.state = this.fresh(patrol);
      this.state.started_local = Date.now();
      await this.save();
      this.startRecording();
      this.render();
      this.drawTrack(true);
      toast(t("patrol_started", { id: patrol.id }), "ok");
    } catch (error) {
      this.showError(error instanceof ApiError ? error.message : String(error));
    } finally {
      this.el.start.disabled = false;
    }
  }

  async end() {
    const s = this.state;
    if (!s || s.phase !== "on" || this.el.end.disabled) return;
    if (!confirm(t("patrol_end_confirm"))) return;
    this.el.end.disabled = true; // once: the last point, the last batch, the end
    try {
      await this.finish(s);
    } finally {
      this.el.end.disabled = false;
    }
  }

  async finish(s) {
    this.stopRecording();
    while (this.sampling) await new Promise((resolve) => setTimeout(resolve, 50));
    const fix = await this.fix(); // the position where it ends
    if (fix) await this.record(fix, false);
    await this.flush();
    s.phase = "ending";
    s.ended_local = Date.now();
    s.end_key = crypto.randomUUID();
    await this.save();
    this.render();
    await this.queueEnd();
    await this.checkEnded();
  }

  async queueEnd() {
    const s = this.state;
    if (!s || !s.end_key) return;
    if ((await items()).some((i) => i.key === s.end_key)) return; // queued (or sent) already
    await enqueue({
      key: s.end_key,
      kind: "patrol_end",
      path: `patrols/${s.id}/end`,
      json: {},
      chain: `patrol:${s.id}`,
      done_on: [409], // ended already: a resend after a lost answer
      label: t("patrol_label", { id: s.id }),
    });
  }

  /** The end was sent (now or before a reload): fetch the coverage. */
  async checkEnded() {
    const s = this.state;
    if (!s || s.phase !== "ending") return;
    const sent = (await items()).find((i) => i.key === s.end_key && i.state === "sent");
    if (sent) await this.loadResult();
  }

  async onSent(item) {
    const s = this.state;
    if (!s || item.chain !== `patrol:${s.id}`) return;
    if (item.kind === "patrol_end") await this.loadResult();
  }

  async loadResult() {
    const s = this.state;
    if (!s) return;
    try {
      s.result = await api(`patrols/${s.id}/coverage`);
      s.phase = "done";
      await this.save();
    } catch (error) {
      if (error instanceof ApiError && error.status) this.showError(error.message);
    }
    this.render();
    this.drawTrack(true);
    this.renderQueue();
  }

  async clearResult() {
    this.state = null;
    await this.save();
    this.showError("");
    this.render();
    this.drawTrack();
    this.renderQueue();
  }

  // ------------------------------------------------------------------ recording
  startRecording() {
    if (this.timer) return;
    const every = intervalMs();
    this.timer = setInterval(() => this.sample(), every);
    this.ticker = setInterval(() => this.tick(), 1000);
    if ("geolocation" in navigator) {
      this.watch = navigator.geolocation.watchPosition(
        (p) => this.gotFix(p),
        (error) => this.geoProblem(error),
        { enableHighAccuracy: true, maximumAge: 0 },
      );
    } else {
      this.geoNote = t("patrol_geo_none");
    }
    this.acquireWake();
    this.sample();
  }

  stopRecording() {
    clearInterval(this.timer);
    clearInterval(this.ticker);
    this.timer = null;
    this.ticker = null;
    if (this.watch !== null && "geolocation" in navigator) navigator.geolocation.clearWatch(this.watch);
    this.watch = null;
    if (this.lock) this.lock.release().catch(() => {});
    this.lock = null;
    this.wake = "off";
  }

  geoProblem(error) {
    this.geoNote = error && error.code === 1 ? t("patrol_geo_denied") : t("patrol_geo_wait");
    this.el.geo.textContent = this.geoNote;
    this.el.geo.hidden = false;
  }

  /** The position now: the watch's last fix while it is recent (a phone's GPS reports as it
   * moves), else one asked for; null when there is none. */
  fix() {
    const last = this.lastFix;
    if (last && Date.now() - last.at < BATCH_SAMPLES * intervalMs()) return Promise.resolve(last);
    if (!("geolocation" in navigator)) return Promise.resolve(null);
    return new Promise((resolve) => {
      navigator.geolocation.getCurrentPosition(
        (p) => {
          this.gotFix(p);
          resolve(this.lastFix);
        },
        (error) => {
          this.geoProblem(error);
          resolve(null);
        },
        { enableHighAccuracy: true, maximumAge: intervalMs(), timeout: Math.max(intervalMs() - 500, 1000) },
      );
    });
  }

  gotFix(p) {
    this.lastFix = { lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy, at: Date.now() };
  }

  async sample() {
    const s = this.state;
    if (!s || s.phase !== "on" || this.sampling) return;
    this.sampling = true;
    try {
      const fix = await this.fix();
      if (this.state !== s || s.phase !== "on" || !this.timer) return;
      if (fix) await this.record(fix, true);
      // no new position for a while (standing still, no signal): what is kept goes anyway
      if (s.pending.length && Date.now() - s.pending_since >= BATCH_SAMPLES * intervalMs()) {
        await this.flush();
        this.renderQueue();
      }
    } finally {
      this.sampling = false;
    }
  }

  /** Keep one position (and hand a batch to the outbox when one is due, `batching`). */
  async record(fix, batching) {
    const s = this.state;
    if (fix.accuracy > WORST_ACCURACY_M) {
      this.geoNote = t("patrol_poor_fix", { m: Math.round(fix.accuracy) });
      this.render();
      return;
    }
    this.geoNote = "";
    const now = Date.now();
    const last = s.track[s.track.length - 1];
    if (last && now <= last[2]) return; // the device's times must go forward
    // standing still (no new fix): a point now and then, not one every interval
    if (last && fix.at <= this.keptFixAt && now - last[2] < BATCH_SAMPLES * intervalMs()) return;
    this.keptFixAt = fix.at;
    if (last) s.distance_m += distance([last[0], last[1]], [fix.lat, fix.lon]);
    s.track.push([fix.lat, fix.lon, now, fix.accuracy]);
    s.pending.push({
      lon: Number(fix.lon.toFixed(7)),
      lat: Number(fix.lat.toFixed(7)),
      device_time: new Date(now).toISOString(),
      accuracy: fix.accuracy == null ? null : Math.round(fix.accuracy * 10) / 10,
    });
    if (!s.pending_since) s.pending_since = now;
    if (this.grids) {
      const grid = gridAt(this.grids, fix.lon, fix.lat);
      if (grid && !s.visited.includes(grid.properties.code)) s.visited.push(grid.properties.code);
    }
    await this.save();
    const due = s.pending.length >= BATCH_POINTS || now - s.pending_since >= BATCH_SAMPLES * intervalMs();
    if (batching && due) await this.flush();
    this.render();
    this.drawTrack();
    this.renderQueue();
  }

  /** Hand the points recorded so far to the outbox as one batch. */
  async flush() {
    const s = this.state;
    if (!s || !s.pending.length) return;
    s.batch = { key: crypto.randomUUID(), points: s.pending };
    s.pending = [];
    s.pending_since = 0;
    await this.save(); // written down before it is queued: a reload queues it (same key) once
    await this.queueBatch(s.batch);
    s.batch = null;
    await this.save();
  }

  async queueBatch(batch) {
    const s = this.state;
    const queued = (await items()).some((i) => i.key === batch.key);
    if (!queued) {
      await enqueue({
        key: batch.key,
        kind: "patrol_points",
        path: `patrols/${s.id}/points`,
        json: { points: batch.points },
        chain: `patrol:${s.id}`,
        label: t("patrol_batch_label", { id: s.id, n: batch.points.length }),
      });
    }
    s.batch = null;
  }

  // ------------------------------------------------------------------ wake lock
  async acquireWake() {
    if (!("wakeLock" in navigator)) {
      this.wake = "unsupported";
      this.renderWake();
      return;
    }
    if (document.visibilityState !== "visible") return;
    try {
      this.lock = await navigator.wakeLock.request("screen");
      this.wake = "on";
      this.lock.addEventListener("release", () => {
        this.lock = null;
        if (this.state && this.state.phase === "on") this.wake = "released";
        this.renderWake();
      });
    } catch (error) {
      this.wake = "failed";
      this.wakeError = (error && error.message) || String(error);
    }
    this.renderWake();
  }

  onVisibility() {
    if (document.visibilityState !== "visible" || !this.state || this.state.phase !== "on") return;
    // back in front: the timers may have been stopped meanwhile; take the position now
    if (!this.lock && this.wake !== "unsupported") this.acquireWake();
    this.sample();
  }
}
