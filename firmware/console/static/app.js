// gsmbox console: fills each page from the JSON API. No framework, no CDN.
"use strict";
const csrf = document.querySelector('meta[name="csrf"]').content;
const page = document.body.dataset.page;
const content = document.getElementById("content");
let timer = null;

function h(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids.flat()) e.append(k instanceof Node ? k : document.createTextNode(k ?? ""));
  return e;
}
async function api(method, path, body, raw) {
  const opt = { method, headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" };
  if (body !== undefined) {
    opt.body = raw ? body : JSON.stringify(body);
    opt.headers["Content-Type"] = raw ? "text/csv" : "application/json";
  }
  const r = await fetch(path, opt);
  if (r.status === 401) { location.href = "/login"; throw new Error("logged out"); }
  const j = await r.json().catch(() => ({}));
  return { ok: r.ok, status: r.status, body: j };
}
const get = async (p) => (await api("GET", p)).body;
function card(k, v, cls) { return h("div", { class: "card" }, h("div", { class: "k" }, k), h("div", { class: "v " + (cls || "") }, v)); }
function na(v, unit) { return v === null || v === undefined ? h("span", { class: "na" }, "n/a") : String(v) + (unit || ""); }
function table(cols, rows, id) {
  return h("div", { class: "tablewrap" }, h("table", { id }, h("thead", {}, h("tr", {}, cols.map((c) => h("th", {}, c[0])))),
    h("tbody", {}, rows.length ? rows.map((r) => h("tr", {}, cols.map((c) => h("td", {}, c[1](r))))) :
      h("tr", {}, h("td", { colspan: cols.length, class: "muted" }, "none")))));
}
function ago(t) {
  if (!t || t.startsWith("0001")) return "never";
  const s = Math.max(0, (Date.now() - Date.parse(t)) / 1000);
  return s < 90 ? Math.round(s) + " s ago" : s < 5400 ? Math.round(s / 60) + " min ago" : Math.round(s / 3600) + " h ago";
}
function dur(s) { s = Math.floor(s); const d = Math.floor(s / 86400), hh = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60); return (d ? d + "d " : "") + hh + "h " + m + "m " + (s % 60) + "s"; }
function sigUp(g) { return g ? g.uplink_dbm + " dBm" : na(null); }
function sigDown(g) { return g && g.downlink_dbm !== null ? g.downlink_dbm + " dBm" : na(null); }
function sigQual(g) { return g && g.rxqual !== null ? h("span", { class: g.rxqual >= 5 ? "bad" : "" }, "RXQUAL " + g.rxqual) : na(null); }
function sigDist(g) { return g ? (g.distance_m < 1000 ? Math.round(g.distance_m) + " m" : (g.distance_m / 1000).toFixed(1) + " km") + " (TA " + g.ta + ")" : na(null); }
function poll(fn, ms) { const run = async () => { try { await fn(); } catch (e) { console.log(e); } timer = setTimeout(run, ms); }; run(); }
function show(...kids) { content.replaceChildren(...kids); }

// streamCards shows a USB radio's sample stream (none on the simulated
// air); all adds the counters the Radio page shows in full.
function streamCards(st, all) {
  if (!st) return [];
  const mb = (v) => (v / 1e6).toFixed(2) + " MB/s";
  const cards = [
    card("Radio stream", st.up ? (st.healthy ? "healthy" : "UNHEALTHY (TX off)") : "down" + (st.last_error ? ": " + st.last_error : ""), st.up && st.healthy ? "ok" : "bad"),
    card("USB throughput RX / TX", mb(st.rx_bytes_per_second) + " / " + mb(st.tx_bytes_per_second)),
    card("RX lost / TX late packets", st.rx_lost_packets + " / " + st.tx_late_packets, st.rx_lost_packets || st.tx_late_packets ? "bad" : ""),
    card("Underruns / overruns", st.underruns + " / " + st.overruns),
    card("Reference clock", st.clock_source + (st.clock_detail ? ": " + st.clock_detail : ""), st.clock_source === "none" ? "bad" : ""),
  ];
  if (all) {
    cards.push(card("Unplugs", String(st.unplugs), st.unplugs ? "bad" : ""), card("Stalls", String(st.stalls)), card("Stream faults", String(st.faults)),
      card("Starts / failed opens", st.starts + " / " + st.open_failures), card("TX suppressed samples", String(st.tx_suppressed_samples)),
      card("Interlock", st.interlock + ", " + st.interlock_trips + " trips"));
  }
  if (st.channel) {
    const c = st.channel;
    cards.push(card("Channel choice", `ARFCN ${c.arfcn} (${c.reason})`));
  }
  return cards;
}

const pages = {
  async overview() {
    poll(async () => {
      const s = await get("/api/status");
      const hw = s.hardware;
      show(h("div", { class: "cards", id: "overview" },
        card("Cell", s.on_air ? "On air" : "Off air", s.on_air ? "ok" : "bad"),
        card("Why", s.why),
        card("Network", `${s.network} (${s.plmn})`),
        card("Band / ARFCN", `${s.band} / ${s.arfcn}`),
        card("BSIC / LAC / CI", `${s.bsic} / ${s.lac} / ${s.ci}`),
        card("TX power", s.tx_power_dbm + " dBm"),
        card("Phones attached", String(s.attached)),
        card("Connections now", String(s.sessions)),
        card("Subscribers", String(s.subscribers)),
        card("Uptime", dur(s.uptime_s)),
        card("Version", s.version + (s.commit ? " (" + s.commit.slice(0, 12) + ")" : "")),
        card("Image sha256", na(s.image_sha256 || null)),
        card("Clock discipline", hw ? na(hw.clock_state || null) : na(null)),
        card("Clock error", hw ? na(hw.clock_error_ppb, " ppb") : na(null)),
        card("PA temperature", hw ? na(hw.pa_temp_c, " °C") : na(null)),
        card("Interlock", hw ? na(hw.interlock || null) : na(null)),
        card("Box address", s.net ? (s.net.address || "none: " + s.net.state + (s.net.error ? " (" + s.net.error + ")" : "")) : na(null), s.net && !s.net.address && s.net.mode !== "off" ? "bad" : ""),
        card("Console at", s.console_urls && s.console_urls.length ? s.console_urls.join(" ") : na(null)),
        card("Wall clock", s.net && s.net.clock ? s.net.clock.source + (s.net.clock.source === "ntp" ? " (" + s.net.clock.ntp_server + ")" : "") : na(null)),
        ...streamCards(s.stream, false),
        card("Last USB stick", s.last_usb || "none yet"),
        card("Subscriber data", s.data_restored ? "RESTORED FROM BACKUP: " + s.data_restored : "intact"),
        card("TDMA frame", String(s.fn))));
    }, 2000);
  },
  async phones() {
    poll(async () => {
      const p = await get("/api/phones");
      show(h("h2", {}, "Connections now"),
        table([["IMSI", (r) => r.imsi], ["Channel", (r) => r.channel], ["Procedure", (r) => r.procedure], ["State", (r) => r.state], ["Since", (r) => ago(r.since)],
          ["Uplink", (r) => sigUp(r.signal)], ["Downlink", (r) => sigDown(r.signal)], ["Quality", (r) => sigQual(r.signal)], ["Distance", (r) => sigDist(r.signal)]], p.sessions, "sessions"),
        h("h2", {}, `Attached (${p.attached.length})`),
        table([["IMSI", (r) => r.imsi], ["MSISDN", (r) => r.msisdn], ["TMSI", (r) => r.tmsi], ["LAI", (r) => r.lai], ["Last seen", (r) => ago(r.last_seen)], ["IMEI", (r) => r.imei],
          ["Signal", (r) => r.signal ? h("span", {}, sigDown(r.signal), " / ", sigQual(r.signal)) : na(null)], ["Distance", (r) => sigDist(r.signal)]], p.attached, "attached"),
        h("h2", {}, "Location updates and other connections (newest first)"),
        table([["When", (r) => ago(r.time)], ["IMSI", (r) => r.imsi], ["Procedure", (r) => r.procedure], ["Outcome", (r) => h("span", { class: r.outcome === "accepted" ? "ok" : "bad" }, r.outcome)], ["Reject cause", (r) => r.cause || ""], ["Auth", (r) => r.authenticated ? "yes" : "no"], ["Cipher", (r) => r.cipher]], p.history.slice(0, 100), "history"),
        h("p", { class: "small" }, "Uplink: the level the box receives the phone at. Downlink and quality: what the phone reports (RXQUAL 0 best .. 7 worst). Distance: timing advance × 553.5 m, ±550 m. Signal of attached phones is from their last connection."));
    }, 2000);
  },
  async subscribers() {
    const msg = h("div", { id: "sub-msg" });
    const q = h("input", { id: "sub-search", placeholder: "Search IMSI, number or name", oninput: () => load() });
    const list = h("div", { id: "sub-list" });
    const f = {};
    const field = (n, label, type) => (f[n] = h("input", { id: "sub-" + n, name: n, type: type || "text", autocomplete: "off" }), h("label", {}, label, f[n]));
    f.algorithm = h("select", { id: "sub-algorithm" }, ["", "none", "comp128v1", "comp128v2", "comp128v3", "milenage", "xor"].map((a) => h("option", { value: a }, a || "(unchanged)")));
    f.barred = h("select", { id: "sub-barred" }, h("option", { value: "" }, "(unchanged)"), h("option", { value: "false" }, "allowed"), h("option", { value: "true" }, "barred"));
    let editing = null;
    const title = h("h2", {}, "Add a subscriber");
    const input = () => {
      const o = { imsi: f.imsi.value.trim() };
      for (const n of ["msisdn", "name", "imei"]) if (f[n].value !== "" || editing) o[n] = f[n].value.trim();
      for (const n of ["ki", "opc"]) if (f[n].value !== "") o[n] = f[n].value.trim();
      if (f.algorithm.value) o.algorithm = f.algorithm.value;
      if (f.barred.value) o.barred = f.barred.value === "true";
      return o;
    };
    const reset = () => { editing = null; title.textContent = "Add a subscriber"; f.imsi.disabled = false; for (const k in f) f[k].value = ""; };
    const save = async (ev) => {
      ev.preventDefault();
      const r = editing ? await api("PUT", "/api/subscribers/" + encodeURIComponent(editing), input()) : await api("POST", "/api/subscribers", input());
      msg.replaceChildren(r.ok ? h("p", { class: "notice" }, (editing ? "Saved " : "Added ") + f.imsi.value) : h("pre", { class: "error" }, r.body.error || "failed"));
      if (r.ok) { reset(); load(); }
    };
    const edit = (s) => {
      editing = s.imsi; title.textContent = "Edit " + s.imsi; f.imsi.value = s.imsi; f.imsi.disabled = true;
      f.msisdn.value = s.msisdn; f.name.value = s.name; f.imei.value = s.imei; f.ki.value = ""; f.opc.value = ""; f.algorithm.value = ""; f.barred.value = "";
      f.ki.placeholder = s.has_key ? "(set; leave empty to keep)" : "";
      window.scrollTo(0, document.body.scrollHeight);
    };
    const remove = async (s) => {
      if (!confirm("Remove " + s.imsi + "?")) return;
      const r = await api("DELETE", "/api/subscribers/" + encodeURIComponent(s.imsi));
      msg.replaceChildren(r.ok ? h("p", { class: "notice" }, "Removed " + s.imsi) : h("p", { class: "error" }, r.body.error));
      load();
    };
    async function load() {
      const d = await get("/api/subscribers?q=" + encodeURIComponent(q.value));
      list.replaceChildren(h("p", { class: "small" }, `${d.subscribers.length} shown of ${d.total}`),
        table([["IMSI", (r) => r.imsi], ["MSISDN", (r) => r.msisdn], ["Name", (r) => r.name], ["Auth", (r) => r.has_key ? r.algorithm : "none"],
          ["Status", (r) => r.barred ? h("span", { class: "bad" }, "barred") : "allowed"], ["Attached", (r) => r.attached ? "yes" : "no"], ["Last seen", (r) => ago(r.last_seen)],
          ["", (r) => h("span", {}, h("button", { class: "secondary", onclick: () => edit(r) }, "Edit"), " ", h("button", { class: "danger", onclick: () => remove(r) }, "Remove"))]], d.subscribers, "subscribers"));
    }
    const file = h("input", { type: "file", id: "csv-file", accept: ".csv,text/csv" });
    const upd = h("input", { type: "checkbox", id: "csv-update" });
    const importCSV = async () => {
      if (!file.files[0]) return;
      const text = await file.files[0].text();
      const r = await api("POST", "/api/subscribers.csv?update=" + upd.checked, text, true);
      msg.replaceChildren(r.ok ? h("p", { class: "notice" }, `Imported: ${r.body.added} added, ${r.body.updated} updated`) : h("pre", { class: "error" }, r.body.error));
      load();
    };
    show(h("div", { class: "row" }, q), msg, list, title,
      h("form", { class: "form grid", id: "sub-form", onsubmit: save }, field("imsi", "IMSI"), field("msisdn", "MSISDN"), field("name", "Name"),
        h("label", {}, "Algorithm", f.algorithm), field("ki", "Ki / K (write-only)", "password"), field("opc", "OPc (milenage, write-only)", "password"),
        field("imei", "IMEI"), h("label", {}, "Access", f.barred), h("div", { class: "row" }, h("button", { type: "submit", id: "sub-save" }, "Save"), h("button", { type: "button", class: "secondary", onclick: reset }, "Clear"))),
      h("h2", {}, "CSV"), h("div", { class: "row" }, h("a", { href: "/api/subscribers.csv", download: "subscribers.csv" }, "Export (keys are never exported)")),
      h("div", { class: "row" }, file, h("label", {}, h("span", {}, "Update existing"), upd), h("button", { type: "button", onclick: importCSV, id: "csv-import" }, "Import")));
    load();
  },
  async messages() {
    poll(async () => {
      const r = await api("GET", "/api/sms?all=1");
      if (r.status === 501) { show(h("p", { class: "warn", id: "not-available" }, "SMS is not available in this build.")); return; }
      if (r.status !== 200) { show(h("p", { class: "warn", id: "sms-off" }, r.body.error || "SMS unavailable")); return; }
      const msgs = (r.body.messages || []).slice().reverse();
      show(h("h2", {}, `Messages (${msgs.filter((m) => m.state === "queued").length} waiting)`),
        table([["ID", (m) => String(m.id)], ["State", (m) => m.state], ["From", (m) => m.from], ["To", (m) => m.to],
          ["Received", (m) => ago(m.received)], ["Attempts", (m) => String(m.attempts)], ["Text", (m) => m.text_error ? "(undecodable)" : m.text]], msgs, "sms"),
        h("p", { class: "small" }, "Send, broadcast and cancel: gsmbox sms on the box, or POST/DELETE /api/sms."));
    }, 5000);
  },
  async calls() { feature("/api/calls", "Calls"); },
  async radio() {
    const hist = [];
    // The pictures are made once and their source bumped on each poll, so
    // that the browser swaps them without flicker.
    const spec = h("img", { class: "pic", id: "radio-spectrum", alt: "received spectrum" });
    const cons = h("img", { class: "pic", id: "radio-constellation", alt: "constellation of recent bursts" });
    let n = 0;
    poll(async () => {
      const r = await get("/api/radio");
      n++;
      if (r.pictures) { spec.src = "/api/radio/spectrum.svg?n=" + n; cons.src = "/api/radio/constellation.svg?n=" + n; }
      const busy = Object.values(r.busy).reduce((a, b) => a + b, 0);
      hist.push(busy); if (hist.length > 120) hist.shift();
      const max = Math.max(4, ...hist);
      const pts = hist.map((v, i) => `${(i / 119) * 300},${78 - (v / max) * 74}`).join(" ");
      const svg = `<svg class="spark" viewBox="0 0 300 80" preserveAspectRatio="none"><polyline fill="none" stroke="#2b6cb0" stroke-width="2" points="${pts}"/></svg>`;
      const occ = h("div", {}); occ.innerHTML = svg;
      const c = r.counters;
      show(h("h2", {}, "Timeslots"), table([["TS", (x) => String(x[0])], ["Use", (x) => x[1]]], (r.slots || []).map((v, i) => [i, v]), "slots"),
        h("h2", {}, `Dedicated channels busy now: ${busy}`), occ, h("p", { class: "small" }, "Busy channels over the last 4 minutes (max " + max + ")"),
        h("h2", {}, "Access"), h("div", { class: "cards", id: "radio-counters" },
          card("RACH channel requests", c.rach_access_bursts), card("RACH undecodable", c.rach_bad), card("Immediate assignments", c.agch_assignments),
          card("Assignment rejects", c.agch_rejects, c.agch_rejects ? "bad" : ""), card("AGCH dropped", c.agch_dropped), card("T3101 expired", c.t3101_expired),
          card("Radio link lost", c.radio_link_lost), card("Uplink blocks", c.uplink_blocks), card("Uplink bad blocks", c.uplink_bad_blocks),
          card("Uplink BLER", c.uplink_blocks ? (100 * c.uplink_bad_blocks / c.uplink_blocks).toFixed(2) + " %" : "n/a"),
          card("Paging sent", c.paging_sent)),
        h("h2", {}, "Uplink by channel type"),
        table([["Channel", (u) => u.channel], ["RXLEV", (u) => na(u.rxlev_dbm, " dBm")], ["BLER", (u) => u.bler === null ? na(null) : h("span", { class: u.bler > 0.1 ? "bad" : "" }, (100 * u.bler).toFixed(1) + " %")],
          ["Blocks", (u) => String(u.blocks)], ["Bad", (u) => String(u.bad_blocks)]], r.uplink || [], "uplink"),
        h("p", { class: "small" }, "RXLEV and BLER are running averages over the recent blocks; on the RACH, blocks are access bursts."),
        ...(r.pictures ? [h("h2", {}, "Received spectrum"), spec, h("h2", {}, "Recent bursts"), cons] : []),
        ...(r.stream ? [h("h2", {}, `Sample stream (${r.stream.frontend}, ${r.stream.chain})`), h("div", { class: "cards", id: "radio-stream" }, ...streamCards(r.stream, true))] : []));
    }, 2000);
  },
  async config() {
    const ta = h("textarea", { id: "config-text", spellcheck: "false" });
    const out = h("div", { id: "config-result" });
    const src = h("p", { class: "small" });
    const revert = h("button", { class: "secondary", id: "config-revert", type: "button" }, "Revert to previous");
    const load = async () => { const c = await get("/api/config"); ta.value = c.text; src.textContent = "Running configuration from " + c.source; revert.disabled = !c.has_previous; };
    const result = (r, okText) => {
      if (r.ok) out.replaceChildren(h("p", { class: "notice" }, okText + (r.body.changes && r.body.changes.length ? ": " + r.body.changes.join("; ") : "")));
      else out.replaceChildren(h("div", { class: "error" }, h("strong", {}, "Not applied:"), h("ul", { id: "config-problems" }, (r.body.problems || [{ text: r.body.error }]).map((p) => h("li", {}, p.text)))));
    };
    const validate = async () => result(await api("POST", "/api/config/validate", { text: ta.value }), "Valid");
    const apply = async () => { const r = await api("POST", "/api/config/apply", { text: ta.value }); result(r, "Applied"); if (r.ok) load(); };
    revert.addEventListener("click", async () => { const r = await api("POST", "/api/config/revert"); result(r, "Reverted to the previous configuration"); if (r.ok) load(); });
    show(src, ta, h("div", { class: "row" }, h("button", { type: "button", id: "config-validate", onclick: validate }, "Validate"),
      h("button", { type: "button", id: "config-apply", onclick: apply }, "Apply"), revert), out);
    load();
  },
  async logs() {
    const pre = h("pre", { class: "log", id: "log" });
    let seq = 0, lines = [];
    show(h("div", { class: "row" }, h("a", { href: "/api/logs.txt", download: "gsmbox.log" }, "Download the log")), pre);
    poll(async () => {
      const d = await get("/api/logs?since=" + seq);
      if (d.seq !== seq) { lines = lines.concat(d.lines).slice(-1000); seq = d.seq; const end = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 20; pre.textContent = lines.join("\n"); if (end) pre.scrollTop = pre.scrollHeight; }
    }, 1500);
  },
  async security() {
    const out = h("div", {});
    const name = h("input", { id: "tok-name", placeholder: "e.g. prometheus" });
    const scopes = ["read", "write", "metrics"].map((s) => h("label", {}, h("span", {}, s), h("input", { type: "checkbox", value: s, checked: s === "metrics" })));
    const cur = h("input", { type: "password", id: "pw-cur", autocomplete: "current-password" }), nw = h("input", { type: "password", id: "pw-new", autocomplete: "new-password" });
    const load = async () => {
      const t = await get("/api/tokens"), a = await get("/api/audit");
      list.replaceChildren(table([["Name", (r) => r.name], ["Scopes", (r) => r.scopes.join(", ")], ["Created", (r) => ago(r.created)],
        ["", (r) => h("button", { class: "danger", onclick: async () => { await api("DELETE", "/api/tokens/" + r.id); load(); } }, "Revoke")]], t.tokens, "tokens"));
      audit.replaceChildren(table([["When", (r) => new Date(r.time).toLocaleString()], ["Who", (r) => r.who], ["From", (r) => r.from], ["What", (r) => r.action + " " + (r.target || "")], ["Detail", (r) => r.detail || ""], ["OK", (r) => r.ok ? "yes" : h("span", { class: "bad" }, "no")]], a.entries, "audit"));
    };
    const list = h("div", {}), audit = h("div", {});
    const mk = async () => {
      const r = await api("POST", "/api/tokens", { name: name.value, scopes: scopes.map((l) => l.lastChild).filter((c) => c.checked).map((c) => c.value) });
      out.replaceChildren(r.ok ? h("p", { class: "notice" }, "New token (shown once; copy it now): ", h("code", {}, r.body.token)) : h("p", { class: "error" }, r.body.error));
      load();
    };
    const pw = async () => { const r = await api("POST", "/api/password", { current: cur.value, new: nw.value }); out.replaceChildren(r.ok ? h("p", { class: "notice" }, "Password changed; log in again.") : h("p", { class: "error" }, r.body.error)); };
    show(out, h("h2", {}, "API tokens"), list, h("div", { class: "form grid" }, h("label", {}, "Name", name), ...scopes, h("button", { type: "button", onclick: mk }, "Create token")),
      h("h2", {}, "Change password"), h("div", { class: "form grid" }, h("label", {}, "Current", cur), h("label", {}, "New (10+ characters)", nw), h("button", { type: "button", onclick: pw }, "Change")),
      h("h2", {}, "Audit log"), audit);
    load();
  },
};
async function feature(path, name) {
  const r = await api("GET", path);
  if (r.status === 501) { show(h("p", { class: "warn", id: "not-available" }, name + " is not available in this build.")); return; }
  show(h("pre", {}, JSON.stringify(r.body, null, 1)));
}
(pages[page] || (() => {}))();
