// SPDX-License-Identifier: Apache-2.0
// The dashboard: plain DOM over the public API (docs/openapi.json), nothing else. A token in
// the address's fragment (#token=...) is exchanged for an HttpOnly session cookie and removed
// from the address bar; the fragment never reaches the server or its logs.
"use strict";

const main = document.getElementById("main");
let live = null; // the EventSource of the run page, closed when leaving it

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c ?? ""));
  return e;
}

async function api(path, options) {
  const res = await fetch(path, Object.assign({ credentials: "same-origin" }, options || {}));
  if (res.status === 401) { showSignIn(); throw new Error("signed out"); }
  const body = res.headers.get("content-type")?.includes("json") ? await res.json() : await res.text();
  if (!res.ok) throw new Error(body.detail || res.statusText);
  return body;
}

function showSignIn(message) {
  main.replaceChildren();
  const form = document.getElementById("signin");
  form.hidden = false;
  document.getElementById("signin-error").textContent = message || "";
}

async function signIn(token) {
  const res = await fetch("/v1/session", {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json" }, body: JSON.stringify({ token }),
  });
  if (!res.ok) {
    const p = await res.json().catch(() => ({}));
    showSignIn(p.detail || "the token was refused");
    return false;
  }
  document.getElementById("signin").hidden = true;
  return true;
}

function statusCell(status) {
  return el("td", { class: "status status-" + status }, status);
}

async function runsPage(params) {
  const status = params.get("status") || "";
  const q = new URLSearchParams({ limit: "50" });
  if (status) q.set("status", status);
  const data = await api("/v1/runs?" + q);
  const select = el("select", { id: "status-filter" }, el("option", { value: "" }, "any status"),
    ...["running", "ok", "failed", "halted", "declined", "interrupted"].map(s => el("option", { value: s }, s)));
  select.value = status;
  select.onchange = () => { location.hash = "#/?status=" + select.value; };
  const rows = data.runs.map(r => el("tr", { "data-run": r.run },
    el("td", {}, el("a", { href: "#/runs/" + r.run }, r.run)),
    el("td", {}, r.task_name || r.command || r.task),
    statusCell(r.status),
    el("td", { class: "num" }, String(r.hosts)), el("td", { class: "num ok" }, String(r.ok)),
    el("td", { class: "num bad" }, String(r.failed + r.unreachable)),
    el("td", {}, r.user), el("td", {}, r.triggered_by || ""), el("td", {}, r.started_at)));
  main.replaceChildren(el("h1", {}, "Runs"), el("div", { class: "filters" }, "Status: ", select),
    rows.length ? el("table", { id: "runs" },
      el("thead", {}, el("tr", {}, ...["Run", "Task", "Status", "Hosts", "OK", "Failed", "User", "Started by", "Started"].map(h => el("th", {}, h)))),
      el("tbody", {}, ...rows)) : el("p", { class: "muted" }, "No runs."));
}

async function runPage(id) {
  const run = await api("/v1/runs/" + encodeURIComponent(id));
  const counts = {};
  for (const h of run.hosts) counts[h.status] = (counts[h.status] || 0) + 1;
  const waves = (run.batches || []).map(b => el("tr", {},
    el("td", { class: "num" }, String(b.wave)), el("td", { class: "num" }, String(b.planned_hosts)),
    el("td", { class: "num ok" }, String(b.ok)), el("td", { class: "num bad" }, String(b.failed + b.unreachable)),
    el("td", {}, b.gate || ""), el("td", {}, b.reason || "")));
  // Each step's output (as the records keep it) for runs small enough to show whole.
  const outputs = run.hosts.length <= 20;
  const hosts = run.hosts.map(h => el("tr", { "data-host": h.host },
    el("td", {}, h.host), statusCell(h.status), el("td", {}, h.message || h.error || ""),
    el("td", {}, ...(h.steps || []).map(s => {
      const box = el("div", { class: "step" },
        el("span", { class: "status status-" + s.status }, s.name + ": " + s.status));
      if (outputs) for (const stream of ["stdout", "stderr"]) {
        if (!s["bytes_" + (stream === "stdout" ? "out" : "err")]) continue;
        const pre = el("pre", { class: stream === "stderr" ? "bad" : "" });
        box.append(pre);
        fetch("/v1/runs/" + encodeURIComponent(run.run) + "/hosts/" + encodeURIComponent(h.host) +
              "/steps/" + s.index + "/output?stream=" + stream, { credentials: "same-origin" })
          .then(r => r.ok ? r.text() : "").then(t => { pre.textContent = t; });
      }
      return box;
    }))));
  main.replaceChildren(
    el("h1", {}, "Run " + run.run),
    el("p", {}, "Task ", el("strong", {}, run.task), " · status ",
      el("span", { id: "run-status", class: "status status-" + run.status }, run.status),
      " · by " + run.user + " · started " + run.started_at),
    el("p", { id: "host-counts" }, Object.entries(counts).map(([k, v]) => v + " " + k).join(", ") || "no hosts yet"),
    el("h2", {}, "Waves"),
    el("table", { id: "waves" }, el("thead", {}, el("tr", {}, ...["Wave", "Hosts", "OK", "Failed", "Gate", "Reason"].map(h => el("th", {}, h)))), el("tbody", {}, ...waves)),
    el("h2", {}, "Hosts"),
    el("table", { id: "hosts" }, el("thead", {}, el("tr", {}, ...["Host", "Status", "Error", "Steps"].map(h => el("th", {}, h)))), el("tbody", {}, ...hosts)));
  if (run.status === "running" && !live) {
    live = new EventSource("/v1/runs/" + encodeURIComponent(run.run) + "/events");
    live.onmessage = () => { runPage(id).catch(() => {}); };
    live.onerror = () => { if (live) { live.close(); live = null; } };
  }
}

async function schedulesPage() {
  const data = await api("/v1/schedules");
  const rows = data.schedules.map(s => el("tr", {},
    el("td", {}, s.name), el("td", {}, s.task), el("td", {}, s.when + (s.tz === "UTC" ? "" : " " + s.tz)),
    el("td", {}, s.paused ? "paused" : (s.next || "never")), el("td", {}, s.last),
    el("td", { class: "bad" }, s.problem || "")));
  main.replaceChildren(el("h1", {}, "Schedules"), rows.length ? el("table", { id: "schedules" },
    el("thead", {}, el("tr", {}, ...["Name", "Task", "When", "Next", "Last", "Problem"].map(h => el("th", {}, h)))),
    el("tbody", {}, ...rows)) : el("p", { class: "muted" }, "No schedules."));
}

async function route() {
  if (live && !location.hash.startsWith("#/runs/")) { live.close(); live = null; }
  const hash = location.hash.slice(1) || "/";
  const [path, query] = hash.split("?");
  try {
    if (path.startsWith("/runs/")) await runPage(decodeURIComponent(path.slice(6)));
    else if (path === "/schedules") await schedulesPage();
    else await runsPage(new URLSearchParams(query || ""));
  } catch (e) {
    if (e.message !== "signed out") main.replaceChildren(el("p", { class: "bad" }, e.message));
  }
}

document.getElementById("signin").addEventListener("submit", async ev => {
  ev.preventDefault();
  if (await signIn(document.getElementById("token").value.trim())) route();
});

(async () => {
  const m = location.hash.match(/^#token=([A-Za-z0-9_]+)/);
  if (m) {
    history.replaceState(null, "", location.pathname + "#/");
    if (!(await signIn(m[1]))) return;
  }
  window.addEventListener("hashchange", route);
  route();
})();
