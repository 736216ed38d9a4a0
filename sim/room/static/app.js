// Trilat team and facilitator pages: plain JavaScript, no libraries. The page polls the host
// every two seconds; a token (team or facilitator) is kept in this browser's localStorage.
"use strict";

const POLL_MS = 2000;
const TEAM_KEY = "trilat-team-token";
const FAC_KEY = "trilat-facilitator-token";
const DEVICE_KEY = "trilat-device";
let view = null;
let timerLeft = null;
let timerRunning = false;
let timerOver = false;
let chosen = null; // card ids ticked on this device (null: follow the submitted move)
let lastCardsKey = "";
let lastMoveKey = "";
let briefingSet = false;
let wasOver = false;
let facilitatorAct = null;

function $(id) { return document.getElementById(id); }

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "width") node.style.width = value; // CSSOM, allowed by the page's CSP
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function device() {
  let id = localStorage.getItem(DEVICE_KEY);
  if (!id) {
    id = Math.random().toString(36).slice(2) + Date.now().toString(36);
    localStorage.setItem(DEVICE_KEY, id);
  }
  return id;
}

async function api(path, token, body) {
  const headers = { "X-Device": device() };
  if (token) headers.Authorization = "Bearer " + token;
  const options = { headers, method: body === undefined ? "GET" : "POST" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  let data = {};
  try { data = await response.json(); } catch (e) { data = {}; }
  return { ok: response.ok, status: response.status, data };
}

function clock(seconds) {
  const s = Math.max(0, Math.round(seconds));
  return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
}

function drawClock() {
  const node = $("clock");
  if (timerLeft === null || timerOver) { node.textContent = ""; return; }
  node.textContent = timerLeft <= 0 ? "Time is up" : (timerRunning ? "Time left " : "Paused ") + clock(timerLeft);
  node.className = timerLeft <= 60 ? "urgent" : "";
}

setInterval(() => {
  if (timerRunning && timerLeft !== null) timerLeft = Math.max(0, timerLeft - 1);
  drawClock();
}, 1000);

function setTimer(timer, over) {
  timerLeft = timer.left;
  timerRunning = timer.running;
  timerOver = over;
  drawClock();
}

// ------------------------------------------------------------------ joining

function showJoin(message) {
  $("join").hidden = false;
  $("team").hidden = true;
  $("join-error").textContent = message || "";
  const code = new URLSearchParams(location.search).get("code");
  if (code && !$("code").value) $("code").value = code;
}

async function lobby(event) {
  if (event) event.preventDefault();
  const code = $("code").value.trim();
  const result = await api("/api/lobby", null, { code });
  if (!result.ok) { $("join-error").textContent = result.data.error || "Could not reach the host."; return; }
  $("join-error").textContent = "";
  $("lobby").hidden = false;
  $("lobby-title").textContent = result.data.title;
  const box = $("team-buttons");
  box.replaceChildren();
  for (const team of result.data.teams) {
    const button = el("button", { type: "button", class: "team-button", "data-team": team.team },
      team.name + (team.joined ? " (already joined)" : ""));
    button.disabled = team.joined;
    button.addEventListener("click", () => join(code, team.team));
    box.append(button);
  }
}

async function join(code, team) {
  const result = await api("/api/join", null, { code, team });
  if (!result.ok) { $("join-error").textContent = result.data.error || "Could not join."; return; }
  localStorage.setItem(TEAM_KEY, result.data.token);
  history.replaceState(null, "", "/");
  startTeam();
}

// ------------------------------------------------------------------ a team

function startTeam() {
  $("join").hidden = true;
  $("team").hidden = false;
  refreshTeam();
  loadLink();
  loadGlossary();
  setInterval(refreshTeam, POLL_MS);
}

async function refreshTeam() {
  const token = localStorage.getItem(TEAM_KEY);
  let result;
  try { result = await api("/api/team", token); } catch (e) {
    $("status").textContent = "Reconnecting to the host...";
    return;
  }
  if (result.status === 401) {
    localStorage.removeItem(TEAM_KEY);
    location.reload();
    return;
  }
  if (!result.ok) return;
  view = result.data;
  drawTeam();
}

function drawTeam() {
  const v = view;
  document.title = "Trilat: " + v.team.name;
  $("team-name").textContent = v.team.name;
  const turn = v.turn;
  setTimer(v.timer, turn.finished);
  $("move-prefix").hidden = turn.finished;
  $("quarter").textContent = turn.finished ? "The game is over (" + turn.played + " turns played)" : "turn " + turn.next + " of " + turn.of + ", " + turn.quarter;
  let status;
  if (turn.finished) status = "The game is over. Look at the projector for the debrief.";
  else if (turn.paused) status = "The facilitator has paused the game.";
  else if (v.move.submitted) status = "Move submitted. You can still change it until the facilitator plays the turn.";
  else status = "Choose your cards and submit before the time is up.";
  $("status").replaceChildren(status);
  if (!turn.finished && !turn.paused) {
    $("status").append(" ", el("a", { href: "#move", text: "Go to your cards" }));
  }
  $("move").hidden = turn.finished;
  $("status").className = "banner" + (v.move.submitted ? " done" : "");
  if (!briefingSet) { $("briefing").open = turn.played === 0; briefingSet = true; } // open before the first turn
  if (turn.finished && !wasOver) $("briefing").open = false;
  wasOver = turn.finished;
  $("situation").textContent = v.scenario.title + ". " + (v.scenario.summary || "");
  $("power").textContent = "You are " + v.team.government + " (" + v.team.city + "). In power: " + v.team.in_power + ".";
  $("objectives").replaceChildren(...v.objectives.map(o => el("li", {},
    el("strong", { text: (o.goal === "raise" ? "Raise " : "Lower ") + o.label }),
    o.doc ? " - " + o.doc : "")));
  $("capital").textContent = "Political capital: " + v.team.capital.toFixed(1) + " of " + v.team.capital_max.toFixed(0) +
    ". Each card costs capital; you get more each turn.";
  drawCards();
  $("world").replaceChildren(...v.world.map(w => el("li", {},
    el("span", { class: "w-label", text: w.label }),
    el("span", { class: "meter" }, el("span", { class: "fill " + w.word, width: w.value + "%" })),
    el("span", { class: "w-value", text: w.value + " " + w.word }))));
  $("news-when").textContent = turn.played ? "News from " + v.news_quarter : "News";
  $("news").replaceChildren(...(v.news.length ? v.news.map(n => el("li", {}, el("strong", { text: n.title }),
    n.say ? el("br") : null, n.say || null)) : [el("li", { text: "Nothing yet: the first turn has not been played." })]));
  $("teams-box").hidden = turn.finished;
  $("teams").replaceChildren(...v.teams.map(t => el("li", {
    text: t.name + ": " + (t.submitted ? "submitted" : t.joined ? "choosing" : "not joined yet") })));
}

function drawCards() {
  const v = view;
  const key = JSON.stringify([v.revision[0], v.cards.map(c => [c.id, c.affordable]), v.move]);
  const moveKey = JSON.stringify([v.turn.next, v.move]);
  if (chosen === null || moveKey !== lastMoveKey) chosen = new Set(v.move.cards);
  lastMoveKey = moveKey;
  if (key === lastCardsKey) { updateCost(); return; }
  lastCardsKey = key;
  const box = $("cards");
  box.replaceChildren();
  const open = !v.turn.finished;
  for (const card of v.cards) {
    const id = "card-" + card.id;
    const input = el("input", { type: "checkbox", id, value: card.id, "data-card": card.id });
    input.checked = chosen.has(card.id);
    input.disabled = !open;
    input.addEventListener("change", () => {
      if (input.checked) chosen.add(card.id); else chosen.delete(card.id);
      updateCost();
    });
    const effects = el("ul", { class: "effects" }, ...card.effects.map(e => el("li", { text: e })));
    let condition = null;
    if (card.condition) {
      const state = card.condition.holds === true ? "holds now" : card.condition.holds === false ? "does not hold now" : "decided when the turn is played";
      condition = el("p", { class: "condition" + (card.condition.holds === false ? " off" : "") },
        "Only if: " + card.condition.text + " (" + state + ")");
    }
    // The label holds only the checkbox and the title (a short name for screen readers); a tap
    // anywhere else on the card ticks it too.
    const cardBox = el("div", { class: "card" + (card.affordable ? "" : " costly"), "data-card-box": card.id },
      el("label", { for: id, class: "card-head" },
        input,
        el("span", { class: "card-title", text: card.title }),
        el("span", { class: "cost", text: card.cost + " capital" })),
      card.say ? el("p", { class: "say", text: card.say }) : null,
      card.doc ? el("p", { class: "doc", text: card.doc }) : null,
      card.effects.length ? el("p", { class: "effects-head", text: "What it does:" }) : null,
      card.effects.length ? effects : null,
      condition,
      card.affordable ? null : el("p", { class: "condition off", text: "Costs more capital than you have now." }),
      card.source ? el("p", { class: "source", text: "Source: " + card.source }) : null);
    cardBox.addEventListener("click", event => {
      if (open && !event.target.closest("label")) input.click();
    });
    box.append(cardBox);
  }
  updateCost();
}

function updateCost() {
  const v = view;
  const cost = v.cards.filter(c => chosen.has(c.id)).reduce((sum, c) => sum + c.cost, 0);
  const over = cost > v.team.capital + 1e-9;
  $("cost").textContent = chosen.size + " card" + (chosen.size === 1 ? "" : "s") + ": " + cost + " of " +
    v.team.capital.toFixed(1) + " capital" + (over ? ", too much" : "");
  $("cost").className = over ? "over" : "";
  const same = JSON.stringify([...chosen].sort()) === JSON.stringify([...v.move.cards].sort());
  $("submit").disabled = over || v.turn.finished || (v.move.submitted && same);
  $("submit").textContent = v.move.submitted ? (same ? "Submitted" : "Change my move") :
    (chosen.size ? "Submit move" : "Submit: pass this turn");
}

async function submitMove(event) {
  event.preventDefault();
  const order = view.cards.map(c => c.id).filter(id => chosen.has(id));
  const result = await api("/api/team/move", localStorage.getItem(TEAM_KEY), { cards: order });
  $("move-error").textContent = result.ok ? "" : (result.data.error || "Could not submit.");
  if (result.ok) { lastCardsKey = ""; refreshTeam(); }
}

async function loadLink() {
  const result = await api("/api/team/link", localStorage.getItem(TEAM_KEY));
  if (!result.ok) return;
  $("team-link").value = result.data.link;
  // The host's QR code is an SVG it made itself (segno); nothing a user typed is in it but the link.
  $("team-qr").innerHTML = result.data.qr_svg;
}

async function loadGlossary() {
  const result = await api("/api/glossary", localStorage.getItem(TEAM_KEY));
  if (!result.ok) return;
  $("terms").replaceChildren(...result.data.terms.flatMap(t => [el("dt", { text: t.word }), el("dd", { text: t.meaning })]));
}

// ------------------------------------------------------------------ the facilitator

function startFacilitator() {
  $("join").hidden = true;
  $("facilitator").hidden = false;
  const token = localStorage.getItem(FAC_KEY);
  const act = async (path, body) => {
    const result = await api(path, token, body || {});
    $("f-error").textContent = result.ok ? "" : (result.data.error || "Refused.");
    if (result.ok) drawFacilitator(result.data);
  };
  facilitatorAct = act;
  $("f-plus").addEventListener("click", () => act("/api/facilitator/timer", { seconds: Math.round(timerLeft + 60) }));
  $("f-minus").addEventListener("click", () => act("/api/facilitator/timer", { seconds: Math.max(0, Math.round(timerLeft - 60)) }));
  $("f-pause").addEventListener("click", () => act("/api/facilitator/timer", { pause: timerRunning }));
  $("f-resolve").addEventListener("click", () => act("/api/facilitator/resolve"));
  $("f-end").addEventListener("click", () => { if (confirm("End the game now?")) act("/api/facilitator/end"); });
  const poll = async () => {
    const result = await api("/api/facilitator", token);
    if (result.ok) drawFacilitator(result.data);
    else $("f-error").textContent = result.data.error || "Refused.";
  };
  poll();
  setInterval(poll, POLL_MS);
}

function drawFacilitator(f) {
  setTimer(f.timer, f.turn.finished);
  $("f-turn").textContent = f.scenario.title + ": " + (f.turn.finished ? "game over" :
    "turn " + f.turn.next + " of " + f.turn.of + ", " + f.turn.quarter);
  $("f-code").textContent = f.join_code;
  const over = f.turn.finished;
  $("f-teams").replaceChildren(...f.teams.map(t => {
    const item = el("li", { "data-team": t.team }, t.name + ": " + (t.joined ? t.devices + " device(s)" +
      (over ? "" : ", " + (t.submitted ? "submitted" : "choosing")) : "not joined"));
    if (t.joined && !over) {
      const release = el("button", { type: "button", class: "small", text: "Sign out" });
      release.addEventListener("click", () => {
        if (confirm("Sign out every device of " + t.name + "? The team can then join again with the code.")) {
          facilitatorAct("/api/facilitator/release", { team: t.team });
        }
      });
      item.append(" ", release);
    }
    return item;
  }));
  $("f-pause").textContent = f.timer.running ? "Pause timer" : "Resume timer";
  $("f-timer-row").hidden = over;
  $("f-resolve-row").hidden = !f.can_resolve || over;
  $("f-save").textContent = !f.save ? "" : f.turn.finished ?
    "Game over. Write the report with: trilat report " + f.save : "Autosave: " + f.save;
}

// ------------------------------------------------------------------ start

function start() {
  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get("t")) localStorage.setItem(TEAM_KEY, hash.get("t"));
  if (hash.get("f")) localStorage.setItem(FAC_KEY, hash.get("f"));
  if (hash.get("t") || hash.get("f")) history.replaceState(null, "", "/" + (hash.get("f") ? "?facilitator" : ""));
  $("code-form").addEventListener("submit", lobby);
  $("move-form").addEventListener("submit", submitMove);
  if (location.search.includes("facilitator") && localStorage.getItem(FAC_KEY)) startFacilitator();
  else if (localStorage.getItem(TEAM_KEY)) startTeam();
  else {
    showJoin();
    if ($("code").value) lobby();
  }
}

document.addEventListener("DOMContentLoaded", start);
