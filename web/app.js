/* vigil dashboard: one page, five views, kept live by the monitor's event
 * stream (server-sent events on /api/stream: alerts as they are raised, and
 * the view's data when it changes), or, when the stream cannot be had, by
 * polling the JSON API (/api/..., docs/dashboard.md) every 2 s. Everything from the monitor is
 * put in the page with textContent, never as HTML: alert fields hold
 * whatever names an attacker chose. */
"use strict";

const POLL_MS = 2000;
const PRIORITIES = ["Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug"];
const PRIO_COLORS = ["#7a1712", "#912018", "#b42318", "#d9480f", "#c58a00", "#2f6fec", "#12824c", "#7a8394"];
const SERIES_COLORS = ["#2f6fec", "#12824c", "#c58a00", "#d9480f", "#7c3aed", "#0e9384", "#e5484d", "#667085"];
const KEEP_ALERTS = 2000; /* the newest; older ones open by id (#alert/ID) */
const EVENT_POINTS = 90; /* samples of the overview (every 5 s pushed, 2 s polled) */

const state = {
  csrf: null, ph: false, mute: false, overrides: null,
  overview: null, alerts: [], alertIds: new Set(), lastAlertId: 0, seen: 0, polls: 0, streamed: 0,
  processes: null, profiles: null, bpf: null, bpfAt: 0,
  eventSeries: { labels: [], byType: {} },
  charts: {}, page: "overview", arg: null, muteOpen: null,
};

/* ---- small helpers ---- */

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}
const $ = (id) => document.getElementById(id);
function fill(node, ...children) { node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined)); }

function num(n) { return n === undefined || n === null ? "–" : Number(n).toLocaleString("en-US"); }
function bytes(n) {
  if (n === undefined || n === null) return "–";
  const u = ["B", "KiB", "MiB", "GiB"]; let i = 0; n = Number(n);
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : n) + " " + u[i];
}
function duration(s) {
  s = Number(s || 0);
  const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : m ? `${m}m ${s % 60}s` : `${s}s`;
}
function shortTime(iso) {
  if (!iso) return "–";
  const d = new Date(iso);
  if (isNaN(d)) return iso;
  const t = d.toLocaleTimeString("en-GB", { hour12: false });
  return d.toDateString() === new Date().toDateString() ? t : d.toISOString().slice(0, 10) + " " + t;
}
function badge(cls, text) { return el("span", { class: "badge " + cls, text }); }
function toast(msg) {
  const t = $("toast"); t.textContent = msg; t.classList.add("shown");
  clearTimeout(toast.timer); toast.timer = setTimeout(() => t.classList.remove("shown"), 4000);
}

async function api(path, body) {
  const opts = { credentials: "same-origin", headers: {} };
  if (body !== undefined) {
    opts.method = "POST";
    opts.headers["Content-Type"] = "application/json";
    opts.headers["X-Vigil-CSRF"] = state.csrf;
    opts.body = JSON.stringify(body);
  }
  const r = await fetch(path, opts);
  const text = await r.text();
  let data; try { data = JSON.parse(text); } catch (e) { data = { error: text.trim() }; }
  if (!r.ok) throw new Error(data.error || `HTTP ${r.status}`);
  return data;
}

/* ---- routing: #overview, #alerts[?filters], #alert/ID[/mute],
 *      #processes[?find=..&alerts=1], #profiles, #profile/INO, #bpf ---- */

/* #alerts?priority=Warning&rule=...&tag=...&proc=...&text=...&time=300 sets
 * the filters (a link to a filtered list) */
function hashFilters(query) {
  const q = new URLSearchParams(query || "");
  const ids = { priority: "f-priority", rule: "f-rule", tag: "f-tag", proc: "f-proc", text: "f-text", time: "f-time" };
  for (const [k, id] of Object.entries(ids)) {
    if (!q.has(k)) continue;
    const e = $(id);
    if (e.tagName === "SELECT" && ![...e.options].some((o) => o.value === q.get(k))) e.append(el("option", { value: q.get(k), text: q.get(k) }));
    e.value = q.get(k);
  }
}

function route() {
  const [path, query] = (location.hash.slice(1) || "overview").split("?");
  const [page, arg, extra] = path.split("/");
  if (page === "alerts") { renderAlerts(); hashFilters(query); }
  if (page === "processes" && query) {
    const q = new URLSearchParams(query);
    if (q.has("find")) $("p-find").value = q.get("find");
    if (q.has("alerts")) $("p-alerts").checked = q.get("alerts") === "1";
  }
  const known = ["overview", "alerts", "alert", "processes", "profiles", "profile", "bpf"];
  state.page = known.includes(page) ? page : "overview";
  state.arg = arg ? decodeURIComponent(arg) : null;
  state.muteOpen = state.page === "alert" && extra === "mute" ? state.arg : null;
  for (const s of document.querySelectorAll(".page")) s.classList.toggle("shown", s.id === "page-" + state.page);
  const navPage = { alert: "alerts", profile: "profiles" }[state.page] || state.page;
  for (const a of document.querySelectorAll("nav a")) a.classList.toggle("active", a.dataset.page === navPage);
  if (state.page === "alert") renderAlertDetail(true);
  if (state.page === "profile") renderProfileDetail(true);
  openStream();
  refreshPage().then(render);
  render();
}

/* ---- live: the stream, or polling ---- */

const live = { es: null, view: null, ready: false, timer: null, retryAt: 0, renderTimer: null, refreshTimer: null };

/* Adds alerts (from the stream, a catch-up or a poll), each once, in id order. */
function addAlerts(list) {
  let added = 0, sorted = true;
  for (const a of list) {
    if (state.alertIds.has(a.id)) continue;
    if (state.alerts.length && a.id < state.alerts[state.alerts.length - 1].id) sorted = false;
    state.alerts.push(a); state.alertIds.add(a.id); added++;
    if (a.id > state.lastAlertId) state.lastAlertId = a.id;
  }
  if (!sorted) state.alerts.sort((x, y) => x.id - y.id);
  if (state.alerts.length > KEEP_ALERTS)
    for (const a of state.alerts.splice(0, state.alerts.length - KEEP_ALERTS)) state.alertIds.delete(a.id);
  return added;
}

/* The monitor's last alert id went down: another monitor now. */
function monitorChanged(lastId) {
  if (lastId >= state.lastAlertId) return;
  state.alerts = []; state.alertIds = new Set(); state.lastAlertId = 0; state.seen = 0;
}

async function catchUp() {
  const al = await api(`/api/alerts?after=${state.lastAlertId}&limit=${KEEP_ALERTS}`);
  monitorChanged(al.last_id);
  addAlerts(al.alerts);
}

function takeOverview(ov) {
  state.overview = ov;
  sampleEvents(ov);
}

function setLive(mode, text) {
  const e = $("live");
  e.dataset.mode = mode;
  e.className = "live " + (mode === "stream" || mode === "poll" ? "ok" : "bad");
  e.textContent = text || `live · ${mode === "stream" ? "pushed" : "polled"} · ` + new Date().toLocaleTimeString("en-GB", { hour12: false });
}

/* Many alerts at once redraw once. */
function scheduleRender() {
  if (!live.renderTimer) live.renderTimer = setTimeout(() => { live.renderTimer = null; render(); }, 150);
}
/* Views that ask the monitor for more than the stream carries (an alert
 * search, a profile's anomalies) ask again after new alerts, once a second. */
function scheduleRefresh() {
  if (!live.refreshTimer) live.refreshTimer = setTimeout(() => { live.refreshTimer = null; refreshPage().then(render); }, 1000);
}

function streamView() { return { alert: "alerts" }[state.page] || state.page; }

/* One stream for the view shown; a new view opens a new one. If the
 * browser cannot have one (no EventSource, all streams taken, refused),
 * the page polls and tries the stream again 30 s later. */
function openStream() {
  const view = streamView();
  if (live.es && live.view === view) return;
  if (live.es) { live.es.close(); live.es = null; }
  if (typeof EventSource === "undefined" || Date.now() < live.retryAt) { startPolling(); return; }
  const es = new EventSource(`/api/stream?view=${encodeURIComponent(view)}`);
  live.es = es; live.view = view; live.ready = false;
  const on = (name, fn) => es.addEventListener(name, (e) => {
    if (live.es !== es) return;
    state.streamed++;
    try { fn(JSON.parse(e.data)); } catch (err) { toast(err.message); }
  });
  on("hello", async (h) => {
    stopPolling();
    monitorChanged(h.last_id);
    try { await catchUp(); } catch (err) { toast(err.message); }
    live.ready = true;
    setLive("stream");
    render();
  });
  on("alert", (a) => {
    if (addAlerts([a])) { scheduleRender(); if (state.page === "profile" || state.search) scheduleRefresh(); }
  });
  on("overview", (ov) => { takeOverview(ov); if (live.ready) setLive("stream"); scheduleRender(); });
  on("processes", (p) => { state.processes = p; scheduleRender(); });
  on("profiles", (p) => { state.profiles = p; scheduleRender(); });
  on("bpf", (b) => { state.bpf = b; state.bpfAt = Date.now(); scheduleRender(); });
  es.onerror = () => {
    if (live.es !== es) return;
    if (es.readyState === EventSource.CLOSED) { /* refused: poll instead, for a while */
      live.es = null; live.retryAt = Date.now() + 30000;
      startPolling();
    } else {
      setLive("reconnecting", "reconnecting…"); /* the browser opens it again by itself */
    }
  };
}

function startPolling() {
  if (live.timer) return;
  live.timer = setInterval(() => { if (Date.now() >= live.retryAt && typeof EventSource !== "undefined") openStream(); poll(); }, POLL_MS);
  poll();
}
function stopPolling() { if (live.timer) { clearInterval(live.timer); live.timer = null; } }

async function poll() {
  state.polls++;
  try {
    const [ov, al] = await Promise.all([api("/api/overview"), api(`/api/alerts?after=${state.lastAlertId}&limit=${KEEP_ALERTS}`)]);
    takeOverview(ov);
    monitorChanged(al.last_id);
    addAlerts(al.alerts);
    await refreshPage();
    setLive("poll");
  } catch (e) {
    setLive("down", "disconnected: " + e.message);
  }
  render();
}

/* What the view shows beyond the stream's data; with the stream, the
 * process table, the profiles and the BPF inventory come pushed. */
async function refreshPage() {
  const pushed = !!live.es && live.es.readyState === 1;
  try {
    if (state.page === "processes" && !pushed) state.processes = await api("/api/processes");
    if (state.page === "alerts") {
      /* a process or text filter searches all the monitor keeps, not only the page's window */
      const q = $("f-proc").value.trim() || $("f-text").value.trim();
      state.search = q ? { q, list: (await api(`/api/alerts?q=${encodeURIComponent(q)}&limit=${KEEP_ALERTS}`)).alerts } : null;
    }
    if ((state.page === "profiles" || state.page === "profile") && state.ph && !pushed) state.profiles = await api("/api/profiles");
    if (state.page === "profile" && state.ph) /* the monitor keeps more than the page */
      state.anomalies = { ino: Number(state.arg), list: (await api(`/api/alerts?ino=${Number(state.arg)}&limit=200`)).alerts };
    if (state.page === "bpf" && !pushed && Date.now() - state.bpfAt > 5000) { state.bpf = await api("/api/bpf"); state.bpfAt = Date.now(); }
  } catch (e) { toast(e.message); }
}

function sampleEvents(ov) {
  const s = state.eventSeries, rates = (ov.monitor && ov.monitor.events_per_s_by_type) || {};
  s.labels.push(new Date().toLocaleTimeString("en-GB", { hour12: false }));
  const n = s.labels.length;
  for (const t of Object.keys(rates)) if (!s.byType[t]) s.byType[t] = new Array(n - 1).fill(0);
  for (const t of Object.keys(s.byType)) s.byType[t].push(rates[t] || 0);
  if (n > EVENT_POINTS) { s.labels.shift(); for (const t of Object.keys(s.byType)) s.byType[t].shift(); }
}

function render() {
  if (!state.overview) return;
  const host = state.overview.monitor ? ` · pid ${state.overview.monitor.pid}` : "";
  $("host").textContent = (state.hostname || "") + host;
  const fresh = state.alerts.length - state.seen;
  $("nav-alerts").textContent = state.page === "alerts" || fresh <= 0 ? "" : String(fresh);
  if (state.page === "alerts") state.seen = state.alerts.length;
  ({ overview: renderOverview, alerts: renderAlerts, alert: renderAlertDetail, processes: renderProcesses,
     profiles: renderProfiles, profile: renderProfileDetail, bpf: renderBpf })[state.page]();
}

/* ---- overview ---- */

function tile(label, value, sub, bad) {
  return el("div", { class: "tile" + (bad ? " bad" : "") }, el("div", { class: "label", text: label }),
            el("div", { class: "value", text: value }), sub ? el("div", { class: "sub", text: sub }) : null);
}

function chart(id, config) {
  if (typeof Chart === "undefined") return null;
  let c = state.charts[id];
  if (!c) {
    config.options = Object.assign({ animation: false, responsive: true, maintainAspectRatio: false,
                                     plugins: { legend: { labels: { boxWidth: 12 } } } }, config.options || {});
    c = state.charts[id] = new Chart($(id), config);
  } else {
    c.data = config.data;
    c.update("none");
  }
  return c;
}

function renderOverview() {
  const ov = state.overview, m = ov.monitor || {}, drops = m.drops || {}, ph = ov.ph;
  const dropTotal = (drops.ring_full || 0) + (drops.malformed || 0);
  const outs = ov.outputs || {};
  let outDrops = 0; for (const o of Object.values(outs)) outDrops += o.dropped || 0;
  fill($("tiles"),
    tile("Uptime", duration(m.uptime_s), `pid ${m.pid}`),
    tile("Events / s", num(m.events_per_s), `${num(m.events_total)} in all`),
    tile("Alerts", num(m.alerts), `${num(ov.alerts.by_priority.Critical + ov.alerts.by_priority.Error)} critical or error`),
    tile("Drops", num(dropTotal + outDrops), `ring ${num(drops.ring_full)} · outputs ${num(outDrops)}`, dropTotal + outDrops > 0),
    tile("Rules loaded", num(m.rules_loaded), `${num((m.programs || []).length)} BPF programs`),
    ph ? tile("pH profiles", num(ph.profiles), `${num(ph.profiles_by_state.normal)} normal`) : tile("pH", "off", "vigil run --ph"),
    tile("Memory", bytes(m.rss_bytes), `BPF maps ${bytes(m.bpf_map_bytes)}`));

  const s = state.eventSeries;
  const types = Object.keys(s.byType).sort((a, b) => s.byType[b].at(-1) - s.byType[a].at(-1));
  const top = types.slice(0, 7), rest = types.slice(7);
  const datasets = top.map((t, i) => ({ label: t, data: s.byType[t], borderColor: SERIES_COLORS[i],
                                         backgroundColor: SERIES_COLORS[i], pointRadius: 0, borderWidth: 2, tension: .25 }));
  if (rest.length) datasets.push({ label: "other", pointRadius: 0, borderWidth: 2, borderColor: SERIES_COLORS[7],
    data: s.labels.map((_, i) => rest.reduce((a, t) => a + s.byType[t][i], 0)) });
  chart("chart-events", { type: "line", data: { labels: s.labels.slice(), datasets },
    options: { scales: { y: { beginAtZero: true }, x: { ticks: { maxTicksLimit: 6 } } } } });

  const h = ov.alerts.by_minute;
  const labels = h.minutes.map((t) => new Date(t * 1000).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" }));
  chart("chart-alerts", { type: "bar", data: { labels,
    datasets: PRIORITIES.slice(0, 7).map((p, i) => ({ label: p, data: h[p], backgroundColor: PRIO_COLORS[i], stack: "a" }))
      .filter((d) => d.data.some((v) => v > 0)) },
    options: { scales: { x: { stacked: true, ticks: { maxTicksLimit: 8 } }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } } });

  const rows = [["Ring buffer full", drops.ring_full], ["Malformed records", drops.malformed],
                ["32-bit socketcalls undecoded", drops.socketcall32_undecoded]];
  for (const [t, n] of Object.entries(drops.ring_full_by_type || {})) rows.push([`ring full: ${t}`, n]);
  for (const [t, n] of Object.entries(drops.ring_full_by_cpu || {})) rows.push([`ring full: ${t}`, n]);
  if (ph) rows.push(["pH alert records lost", ph.alert_drops]);
  fill($("drops"), rows.map(([k, v]) => el("tr", {}, el("td", { text: k }), el("td", { text: num(v) }))));

  const outRows = Object.entries(outs).map(([name, o]) => el("tr", {},
    el("td", { class: "name-cut", text: name, title: name }), el("td", { text: o.type }), el("td", { class: "num", text: num(o.queued) }),
    el("td", { class: "num", text: num(o.sent) }), el("td", { class: "num", text: num(o.dropped) }),
    el("td", { class: "num", text: num(o.errors) })));
  fill($("outputs"), el("thead", {}, el("tr", {}, ["Output", "Type", "Queued", "Sent", "Dropped", "Errors"].map(
    (t, i) => el("th", { class: i > 1 ? "num" : null, text: t })))),
    el("tbody", {}, outRows.length ? outRows : el("tr", {}, el("td", { colspan: 6, class: "empty", text: "no outputs" }))));

  if (ph) {
    const st = ph.profiles_by_state;
    chart("chart-ph", { type: "doughnut", data: { labels: ["training", "frozen", "normal"],
      datasets: [{ data: [st.training, st.frozen, st.normal], backgroundColor: ["#c58a00", "#2f6fec", "#12824c"] }] },
      options: { plugins: { legend: { position: "right" } } } });
    $("ph-note").textContent = `${num(ph.items)} items learnt · ${bytes(ph.profile_bytes_avg)} per profile · ${num(ph.alerts)} pH alerts`;
  } else {
    $("ph-note").textContent = "pH is off in this monitor.";
  }
}

/* ---- alerts ---- */

function field(a, k) { const v = a.alert.output_fields && a.alert.output_fields[k]; return v === undefined || v === null ? "" : String(v); }
function procLabel(a) {
  const name = field(a, "proc.name") || (a.ancestry[0] && a.ancestry[0].comm) || "";
  const pid = field(a, "proc.pid") || (a.ancestry[0] && a.ancestry[0].pid) || "";
  return name ? `${name} (${pid})` : pid ? String(pid) : "–";
}

function syncSelect(sel, values, anyLabel) {
  const cur = sel.value, want = ["", ...values];
  const have = Array.from(sel.options).map((o) => o.value);
  if (have.join("\n") === want.join("\n")) return;
  fill(sel, want.map((v) => el("option", { value: v, text: v || anyLabel })));
  sel.value = want.includes(cur) ? cur : "";
}

function alertFilters() {
  return { prio: $("f-priority").value, rule: $("f-rule").value, tag: $("f-tag").value,
           proc: $("f-proc").value.trim().toLowerCase(), text: $("f-text").value.trim().toLowerCase(),
           since: Number($("f-time").value) };
}

function matches(a, f) {
  const al = a.alert;
  if (f.prio && PRIORITIES.indexOf(al.priority) > PRIORITIES.indexOf(f.prio)) return false;
  if (f.rule && al.rule !== f.rule) return false;
  if (f.tag && !(al.tags || []).includes(f.tag)) return false;
  if (f.since && Date.now() - new Date(al.time).getTime() > f.since * 1000) return false;
  if (f.text && !(al.output || "").toLowerCase().includes(f.text) && !al.rule.toLowerCase().includes(f.text)) return false;
  if (f.proc) {
    const hay = [field(a, "proc.name"), field(a, "proc.pid"), field(a, "proc.exepath"), field(a, "proc.cmdline"),
                 ...a.ancestry.map((p) => `${p.comm} ${p.pid} ${p.exe}`)].join(" ").toLowerCase();
    if (!hay.includes(f.proc)) return false;
  }
  return true;
}

function renderAlerts() {
  if (!$("f-priority").options.length)
    fill($("f-priority"), el("option", { value: "", text: "any" }),
         PRIORITIES.map((p) => el("option", { value: p, text: `${p} or higher` })));
  syncSelect($("f-rule"), [...new Set(state.alerts.map((a) => a.alert.rule))].sort(), "any");
  syncSelect($("f-tag"), [...new Set(state.alerts.flatMap((a) => a.alert.tags || []))].sort(), "any");
  const f = alertFilters();
  /* redraw only when something changed: new alerts or other filters */
  const search = state.search && (state.search.q === ($("f-proc").value.trim() || $("f-text").value.trim())) ? state.search : null;
  const pool = search ? search.list : state.alerts;
  const key = JSON.stringify([state.lastAlertId, pool.length, !!search, f, Math.floor(Date.now() / 60000)]);
  if (renderAlerts.key === key) return;
  renderAlerts.key = key;
  const shown = pool.filter((a) => matches(a, f)).reverse().slice(0, 500);
  $("alert-summary").textContent = search ?
    `${shown.length} shown of ${pool.length} found by the monitor among the last 10,000 (newest first)` :
    `${shown.length} shown of the last ${state.alerts.length} (newest first; a process or text filter searches the monitor's last 10,000)`;
  const rows = shown.map((a) => el("tr", { class: "link alert-row", "data-id": a.id,
      onclick: () => { location.hash = `#alert/${a.id}`; } },
    el("td", { class: "time", text: shortTime(a.alert.time) }),
    el("td", {}, badge("p-" + a.alert.priority, a.alert.priority)),
    el("td", { class: "rule" }, el("a", { href: `#alert/${a.id}`, text: a.alert.rule })),
    el("td", { class: "proc", text: procLabel(a) }),
    el("td", { class: "out", text: a.alert.output, title: a.alert.output })));
  fill($("alerts-table").tBodies[0], rows.length ? rows : el("tr", {}, el("td", { colspan: 5, class: "empty",
    text: state.alerts.length ? "no alert matches these filters" : "no alerts yet" })));
}

async function renderAlertDetail(force) {
  const id = Number(state.arg), box = $("alert-detail");
  if (!force && box.dataset.id === String(id)) return; /* already shown: it does not change */
  let a = state.alerts.find((x) => x.id === id);
  if (!a) { try { a = await api(`/api/alerts/${id}`); } catch (e) { fill(box, el("div", { class: "card empty", text: e.message })); return; } }
  box.dataset.id = String(id);
  const al = a.alert, fields = al.output_fields || {};
  const muteBox = el("div", { id: "mute-box" });
  fill(box,
    el("div", { class: "card" },
      el("div", { class: "detail-head" }, badge("p-" + al.priority, al.priority), el("h1", { id: "alert-rule", text: al.rule })),
      el("p", { class: "muted", text: `${shortTime(al.time)} · ${al.source} on ${al.hostname} · alert #${a.id}` }),
      el("p", { id: "alert-output", text: al.output }),
      el("div", {}, (al.tags || []).map((t) => el("span", { class: "tag", text: t }))),
      state.mute ? el("div", { class: "actions" }, el("button", { class: "primary", id: "mute-btn", onclick: () => proposeMute(a.id) }, "Mute similar…")) : null,
      muteBox),
    el("div", { class: "grid2" },
      el("div", { class: "card" }, el("h2", { text: "Output fields" }),
        el("table", { class: "fields", id: "alert-fields" }, Object.entries(fields).map(([k, v]) =>
          el("tr", { "data-field": k }, el("td", { class: "mono", text: k }), el("td", { class: "mono", text: v === null ? "–" : String(v) }))))),
      el("div", { class: "card" }, el("h2", { text: "Process ancestry" }),
        el("ul", { class: "ancestry", id: "alert-ancestry" }, a.ancestry.length ? a.ancestry.map((p, i) =>
          el("li", { title: p.cmdline }, el("span", { class: "muted", text: i ? "↑ ".repeat(1) : "● " }),
            el("b", { text: p.comm }), ` ${p.pid} `, el("span", { class: "mono muted", text: p.exe }), " ",
            el("span", { class: "mono", text: p.cmdline.length > 90 ? p.cmdline.slice(0, 90) + "…" : p.cmdline })))
          : el("li", { class: "muted", text: "the process had already gone" })))),
    el("div", { class: "card" }, el("h2", { text: "Raw JSON" }), el("pre", { class: "raw", id: "alert-raw", text: JSON.stringify(al, null, 2) })));
  if (state.muteOpen === String(id)) proposeMute(id);
}

async function proposeMute(id, fields) {
  const box = $("mute-box");
  let p;
  try { p = await api(`/api/mute?id=${id}` + (fields ? `&fields=${encodeURIComponent(fields.join(","))}` : "")); }
  catch (e) { fill(box, el("p", { class: "muted", text: e.message })); return; }
  const checks = p.candidates.map((c) => el("label", { class: "check" },
    el("input", { type: "checkbox", value: c.field, checked: p.fields.includes(c.field),
                  onchange: () => proposeMute(id, Array.from(box.querySelectorAll("input:checked")).map((i) => i.value)) }),
    el("span", { class: "mono", text: `${c.field} = ${c.value}` })));
  fill(box, el("div", { class: "mute" },
    el("h3", { text: "Mute similar alerts: a Falco exception for this rule" }),
    el("p", { class: "muted", text: "Alerts of this rule whose fields all have these values will no longer be raised. Pick the fields:" }),
    el("div", { class: "filters" }, checks),
    el("pre", { class: "raw", id: "mute-yaml", text: p.yaml }),
    el("div", { class: "actions" },
      el("button", { class: "primary", id: "mute-confirm", onclick: async () => {
        try {
          const r = await api("/api/mute", { id, fields: p.fields });
          fill(box, el("p", { id: "mute-done", text: `Appended to ${r.file}; rules ${r.reloaded ? "reloaded" : "NOT reloaded (see the log)"}.` }));
        } catch (e) { toast("mute refused: " + e.message); }
      } }, `Append to ${state.overrides} and reload the rules`),
      el("button", { onclick: () => fill(box) }, "Cancel"))));
}

/* ---- processes ---- */

function renderProcesses() {
  const data = state.processes;
  if (!data) return;
  const key = [data, $("p-find").value, $("p-alerts").checked];
  if (renderProcesses.key && key.every((k, i) => k === renderProcesses.key[i])) return;
  renderProcesses.key = key;
  const procs = data.processes, byPid = new Map(procs.map((p) => [p.pid, p]));
  const kids = new Map();
  for (const p of procs) {
    const parent = byPid.has(p.ppid) && p.ppid !== p.pid ? p.ppid : 0;
    if (!kids.has(parent)) kids.set(parent, []);
    kids.get(parent).push(p);
  }
  for (const list of kids.values()) list.sort((a, b) => a.pid - b.pid);
  const find = $("p-find").value.trim().toLowerCase(), onlyAlerts = $("p-alerts").checked;
  const hit = (p) => (!find || `${p.comm} ${p.pid} ${p.exe} ${p.cmdline}`.toLowerCase().includes(find)) && (!onlyAlerts || p.alerts > 0);
  /* a process is shown when it or a descendant matches */
  const keep = new Set();
  const mark = (p, depth) => {
    let any = hit(p);
    for (const c of kids.get(p.pid) || []) if (depth < 64 && mark(c, depth + 1)) any = true;
    if (any) keep.add(p.pid);
    return any;
  };
  for (const root of kids.get(0) || []) mark(root, 0);
  const rows = [];
  const walk = (p, depth, last, prefix) => {
    if (!keep.has(p.pid) || rows.length > 3000) return;
    const ph = p.ph || null;
    rows.push(el("tr", { class: "proc-row" + (p.alerts ? " hit" : ""), "data-pid": p.pid, "data-ppid": p.ppid, "data-depth": depth },
      el("td", { class: "name", title: p.cmdline }, el("span", { class: "branch", text: prefix + (depth ? (last ? "└─ " : "├─ ") : "") }), el("b", { text: p.comm })),
      el("td", { class: "num", text: p.pid }),
      el("td", { class: "num", text: p.uid }),
      el("td", { class: "path mono", text: p.exe, title: p.cmdline }),
      el("td", { class: "num" }, el("span", { class: "alerts-n", text: p.alerts ? String(p.alerts) : "" })),
      el("td", {}, ph && ph.state ? badge("s-" + ph.state, ph.state) : el("span", { class: "muted", text: "–" })),
      el("td", { class: "num", text: ph ? ph.lfc : "" })));
    const children = (kids.get(p.pid) || []).filter((c) => keep.has(c.pid));
    children.forEach((c, i) => walk(c, depth + 1, i === children.length - 1,
                                    depth ? prefix + (last ? "   " : "│  ") : ""));
  };
  const roots = (kids.get(0) || []).filter((p) => keep.has(p.pid));
  roots.forEach((r, i) => walk(r, 0, i === roots.length - 1, ""));
  $("proc-summary").textContent = `${procs.length} live processes in vigil's table · ${procs.filter((p) => p.alerts).length} with alerts kept` +
    (state.ph ? " · pH state from the model's task storage" : " · pH is off");
  fill($("proc-table").tBodies[0], rows.length ? rows : el("tr", {}, el("td", { colspan: 7, class: "empty", text: "no process matches" })));
}

/* ---- pH profiles ---- */

function renderProfiles() {
  if (!state.ph) { $("prof-summary").textContent = "pH is off in this monitor (vigil run --ph)."; return; }
  const list = state.profiles;
  if (!list) return;
  const by = { training: 0, frozen: 0, normal: 0 };
  for (const p of list) by[p.state] = (by[p.state] || 0) + 1;
  $("prof-summary").textContent = `${list.length} profiles: ${by.training} training, ${by.frozen} frozen, ${by.normal} normal`;
  const sorted = list.slice().sort((a, b) => (b.anomalies - a.anomalies) || (b.calls - a.calls));
  fill($("prof-table").tBodies[0], sorted.map((p) => el("tr", { class: "link prof-row", "data-ino": p.ino, "data-exe": p.exe || "",
      onclick: () => { location.hash = `#profile/${p.ino}`; } },
    el("td", { class: "path mono", text: p.exe || `(unknown path) inode ${p.ino}` }),
    el("td", { class: "state" }, badge("s-" + p.state, p.state)),
    el("td", { class: "num", text: num(p.train_count) }),
    el("td", { class: "num", text: num(p.calls) }),
    el("td", { class: "num", text: num(p.items) }),
    el("td", { class: "num", text: bytes(p.bytes) }),
    el("td", { class: "num", text: num(p.anomalies) }),
    el("td", { class: "time", text: shortTime(p.last_anomaly) }))));
}

async function renderProfileDetail(force) {
  const box = $("profile-detail"), ino = Number(state.arg);
  const p = (state.profiles || []).find((x) => x.ino === ino);
  if (!p) { if (state.profiles) fill(box, el("div", { class: "card empty", text: "no such profile" })); return; }
  const anomalies = (state.anomalies && state.anomalies.ino === ino ? state.anomalies.list : [])
    .filter((a) => /^pH (incident|anomaly)/.test(a.alert.rule)).reverse();
  const key = JSON.stringify([p.state, p.train_count, p.anomalies, p.items, anomalies.length]);
  if (!force && box.dataset.key === key && box.dataset.ino === String(ino)) return;
  const again = box.dataset.ino === String(ino);
  box.dataset.key = key; box.dataset.ino = String(ino);
  const act = (action) => async () => {
    if (!p.exe) { toast("the profile's path is unknown: run the program once"); return; }
    if (!confirm(`${action} the profile of ${p.exe}?`)) return;
    try { await api("/api/profile", { action, exe: p.exe }); toast(`${action}: done`); state.profiles = await api("/api/profiles"); renderProfileDetail(true); }
    catch (e) { toast(`${action} refused: ` + e.message); }
  };
  const heat = again ? $("heat") : el("div", { class: "heat", id: "heat" }, el("p", { class: "muted", text: "loading…" }));
  fill(box,
    el("div", { class: "card" },
      el("div", { class: "detail-head" }, el("h1", { class: "mono", id: "profile-exe", text: p.exe || `(unknown path) inode ${p.ino}` }),
        el("span", { id: "profile-state" }, badge("s-" + p.state, p.state))),
      el("div", { class: "stats" },
        [["train count", num(p.train_count)], ["calls", num(p.calls)], ["items", num(p.items)], ["memory", bytes(p.bytes)],
         ["anomalies", num(p.anomalies)], ["last anomaly", shortTime(p.last_anomaly)], ["profile", `#${p.id} · gen ${p.train_gen}/${p.test_gen}`]]
          .map(([k, v]) => el("div", {}, el("b", { text: v }), el("span", { text: k })))),
      el("div", { class: "actions" },
        el("button", { class: "primary", onclick: act("normalize"), title: "the training data becomes the test data: normal now" }, "Normalize"),
        el("button", { onclick: act("sensitize"), title: "forget this training period; normal mode stays" }, "Sensitize"),
        el("button", { onclick: act("tolerize"), title: "stop normal mode, keep learning" }, "Tolerize"),
        el("button", { class: "danger", onclick: act("reset"), title: "start over from nothing" }, "Reset"))),
    el("div", { class: "card" }, el("h2", { text: "Which call follows which" }), heat),
    el("div", { class: "card" }, el("h2", { text: "Anomalies (kept alerts)" }),
      el("div", { class: "scroll" }, el("table", { class: "list", id: "anomalies" },
        el("thead", {}, el("tr", {}, ["Time", "PID", "Call", "Window (oldest first)", "LFC"].map((t) => el("th", { text: t })))),
        el("tbody", {}, anomalies.length ? anomalies.map((a) => el("tr", { class: "link", onclick: () => { location.hash = `#alert/${a.id}`; } },
          el("td", { class: "time", text: shortTime(a.alert.time) }), el("td", { class: "num", text: field(a, "proc.pid") }),
          el("td", { class: "mono", text: field(a, "ph.call") }), el("td", { class: "mono", text: field(a, "ph.window") }),
          el("td", { class: "num", text: field(a, "ph.lfc") })))
          : el("tr", {}, el("td", { colspan: 5, class: "empty", text: "no anomaly among the alerts kept" })))))));
  if (!again || force) drawHeat(p);
}

function fpText(p) {
  const pct = 100 * Number(p || 0);
  return pct >= 1 ? pct.toFixed(1) + "%" : pct >= 0.01 ? pct.toFixed(2) + "%" : "under 0.01%";
}

async function drawHeat(p) {
  const box = $("heat");
  let h;
  try { h = await api(`/api/profile/heatmap?dev=${p.dev}&ino=${p.ino}`); }
  catch (e) { fill(box, el("p", { class: "muted", text: e.message })); return; }
  if (!h.calls.length) {
    fill(box, el("p", { class: "muted", id: "heat-note", "data-source": h.source, text: h.ngrams ?
      `This profile holds ${num(h.ngrams)} hashed n-grams, which do not name their calls, and its call-pair sketch is empty: ` +
      "the kernel notes the pairs as the program runs, and the sketch is not saved: after a restart the picture comes back when the program runs again." :
      "Nothing learnt yet." }));
    return;
  }
  const n = h.calls.length, cell = Math.max(6, Math.min(16, Math.floor(640 / n)));
  const label = Math.min(130, 7 * Math.max(...h.calls.map((c) => c.length)) + 8);
  const w = label + n * cell + 4, ht = label + n * cell + 4, dpr = window.devicePixelRatio || 1;
  const cv = el("canvas", { id: "heat-canvas", width: w * dpr, height: ht * dpr, "data-calls": n, "data-cells": h.follows.length,
                           "data-source": h.source });
  cv.style.width = w + "px"; cv.style.height = ht + "px";
  const g = cv.getContext("2d"); g.scale(dpr, dpr);
  const dark = matchMedia("(prefers-color-scheme: dark)").matches;
  g.fillStyle = dark ? "#0f141c" : "#f4f6f9"; g.fillRect(label, label, n * cell, n * cell);
  g.strokeStyle = dark ? "#263042" : "#e3e7ee"; g.lineWidth = 0.5;
  for (let i = 0; i <= n; i++) {
    g.beginPath(); g.moveTo(label + i * cell, label); g.lineTo(label + i * cell, label + n * cell); g.stroke();
    g.beginPath(); g.moveTo(label, label + i * cell); g.lineTo(label + n * cell, label + i * cell); g.stroke();
  }
  /* the next call in full colour; calls further on fainter */
  for (const [a, b, d] of h.follows) {
    g.fillStyle = `rgba(47, 111, 236, ${d <= 1 ? 1 : Math.max(0.18, 0.75 - 0.09 * d)})`;
    g.fillRect(label + b * cell + 1, label + a * cell + 1, cell - 1, cell - 1);
  }
  g.fillStyle = dark ? "#8d99ab" : "#475467"; g.font = `${Math.min(11, cell)}px system-ui, sans-serif`;
  g.textBaseline = "middle";
  h.calls.forEach((c, i) => {
    g.textAlign = "right"; g.fillText(c, label - 4, label + i * cell + cell / 2);
    g.save(); g.translate(label + i * cell + cell / 2, label - 4); g.rotate(-Math.PI / 2); g.textAlign = "left"; g.fillText(c, 0, 0); g.restore();
  });
  const next = h.follows.filter((f) => f[2] === 1).length;
  const note = h.source === "sketch" ?
    `${n} calls · row: a call; column: the call that came right after it (${next} pairs), from the call-pair sketch the kernel keeps ` +
    `beside this profile's ${num(h.ngrams)} hashed n-grams (${bytes(h.sketch_bytes)}): a pair noted is always shown; a cell may also be a pair ` +
    `that never happened: false positives, estimated, ${fpText(h.false_positive)} of the empty cells (${(100 * h.fill).toFixed(1)}% of the filter's bits set)` :
    `${n} calls · row: a call; column: a call after it, dark when it came next (${next} pairs), ` +
    `fainter the further on it came in the window · ${num(h.pairs)} pairs learnt`;
  fill(box, el("p", { class: "muted", id: "heat-note", "data-source": h.source, text: note }), cv);
}

/* ---- eBPF ---- */

function renderBpf() {
  const b = state.bpf;
  if (!b || (renderBpf.key && renderBpf.key[0] === b && renderBpf.key[1] === $("b-susp").checked)) return;
  renderBpf.key = [b, $("b-susp").checked];
  const only = $("b-susp").checked;
  const objs = b.objects.filter((o) => !only || o.verdict === "suspicious");
  $("bpf-summary").textContent = `${b.objects.length} BPF objects on the machine, ${b.suspicious} suspicious (as vigil bpf-audit judges them)` +
    (b.truncated ? `; ${b.truncated} more not listed` : "");
  objs.sort((x, y) => (x.verdict === y.verdict ? 0 : x.verdict === "suspicious" ? -1 : 1) || x.kind.localeCompare(y.kind) || x.id - y.id);
  fill($("bpf-table").tBodies[0], objs.length ? objs.map((o) => el("tr", { class: "bpf-row", "data-verdict": o.verdict },
    el("td", { text: o.kind }), el("td", { class: "num", text: o.id }), el("td", { text: o.type }),
    el("td", { class: "mono", text: o.name }), el("td", { class: "path mono", text: o.attach, title: o.attach }),
    el("td", { text: o.pid ? `${o.comm} (${o.pid})` : "–", title: o.exe }),
    el("td", {}, badge("v-" + o.verdict, o.verdict)), el("td", { class: "muted", text: o.reason })))
    : el("tr", {}, el("td", { colspan: 8, class: "empty", text: "nothing to show" })));
}

/* ---- start ---- */

async function start() {
  try {
    const s = await api("/api/session");
    Object.assign(state, { csrf: s.csrf, ph: s.ph, mute: s.mute, overrides: s.overrides, hostname: s.hostname });
  } catch (e) {
    $("live").className = "live bad"; $("live").textContent = "no access: " + e.message;
    return;
  }
  for (const id of ["f-priority", "f-rule", "f-tag", "f-time"]) $(id).addEventListener("change", render);
  for (const id of ["f-proc", "f-text", "p-find"]) $(id).addEventListener("input", render);
  for (const id of ["f-proc", "f-text"]) $(id).addEventListener("change", () => refreshPage().then(render));
  for (const id of ["p-alerts", "b-susp"]) $(id).addEventListener("change", render);
  window.addEventListener("hashchange", route);
  route(); /* opens the stream, or polls */
}

document.addEventListener("DOMContentLoaded", start);
