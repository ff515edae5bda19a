// Check-in desk: wedge and camera scans, answers from the server or, offline, from the cached roster.
import { verifyAsync } from "../../vendor/noble-ed25519/index.js";
import { createStore, del, delMany, get, set, setMany, values } from "../../vendor/idb-keyval/index.js";

const root = document.getElementById("desk");
const L = JSON.parse(document.getElementById("desk-labels").textContent);
const slug = root.dataset.slug;
const assemblyId = Number(root.dataset.assemblyId);
// Who is logged in on this page: each queued scan keeps it, and uploads only this user's.
const currentUser = root.dataset.user || "";
const pageCsrf = document.querySelector("[name=csrfmiddlewaretoken]")?.value || "";
const CONTEXT = new TextEncoder().encode("plenary-badge-v1:");
const TOKEN_LENGTH = 114;
const ROSTER_KEY = `badges:roster:${slug}`;
const QUEUE_KEY = `badges:queue:${slug}`; // the queue as one list, before one record a scan
// One record a scan, keyed by its idempotency key: each write is its own transaction, so
// scans answered at the same moment cannot overwrite each other's place in the queue.
const queueStore = createStore(`plenary-desk-queue-${slug}`, "scans");
const STORED_TOKEN_LENGTH = 200; // as the server stores it: a long read is kept in part

const $ = (id) => document.getElementById(id);
const wedge = $("wedge");
const deskName = $("desk-name");
// No maxlength on the field: a scan typed into it must arrive whole to be told from a name.
const deskLabel = () => cutText(deskName.value.trim(), 60);

// At most `max` code points (as the server counts), never half a character or emoji: a
// UTF-16 slice split surrogate pairs, and the server refused the lone half.
function cutText(text, max) {
  const points = Array.from(text);
  if (points.length <= max) return text;
  if (typeof Intl !== "undefined" && Intl.Segmenter) {
    let kept = "";
    let count = 0;
    for (const { segment } of new Intl.Segmenter().segment(text)) {
      count += Array.from(segment).length;
      if (count > max) break;
      kept += segment;
    }
    return kept;
  }
  return points.slice(0, max).join("");
}

// What a scanner may add and is not part of a token: control characters (GS, RS, FS of GS1/AIM
// prefixes, NEL, Tab), format characters (zero-width, BOM), every space and separator. The
// server drops the same set (badges.tokens.normal_token): both read one text alike.
const IGNORED = /[\p{Cc}\p{Cf}\p{Z}]/gu;

function normalToken(text) {
  return text.replace(IGNORED, "").toUpperCase().replace(/=+$/, "");
}

// The read as sent and stored: no control characters (a NUL cannot be stored), no lone half
// of a surrogate pair (a queue stored before cutText), at most what the server keeps.
function storableRead(text) {
  const whole = text.replace(/\p{Cc}/gu, "").replace(/\p{Cs}/gu, "\ufffd").trim();
  return cutText(whole, STORED_TOKEN_LENGTH);
}
const checkpointSelect = $("checkpoint");

let roster = null; // {etag, body, byId: Map, inside: {code: Set}}
let online = true;
let uploading = false;
let queueMessage = ""; // the last upload's outcome: stays until the next scan
let latestScan = 0; // only the latest scan's answer takes the panel
let shownKey = ""; // idempotency key of the scan the panel answers
const DEVICE_KEY = "badges:device";
const device = localStorage.getItem(DEVICE_KEY) || newKey();
localStorage.setItem(DEVICE_KEY, device);

// ---- storage ----------------------------------------------------------------

function hydrate(saved) {
  if (!saved) return null;
  const byId = new Map(saved.body.delegates.map((d) => [d.id, d]));
  const inside = {};
  for (const [code, ids] of Object.entries(saved.body.inside || {})) inside[code] = new Set(ids);
  return { ...saved, byId, inside };
}

async function saveRoster() {
  if (!roster) return;
  const inside = {};
  for (const [code, ids] of Object.entries(roster.inside)) inside[code] = [...ids];
  await set(ROSTER_KEY, { etag: roster.etag, fetchedAt: roster.fetchedAt, body: { ...roster.body, inside } });
}

async function queue() {
  const items = await values(queueStore);
  return items.sort((a, b) => a.client_time.localeCompare(b.client_time));
}

async function enqueue(item) {
  await set(item.idempotency_key, item, queueStore);
  showQueue((await queue()).length);
}

async function moveOldQueue() {
  const old = await get(QUEUE_KEY);
  if (!old) return;
  await setMany(old.map((item) => [item.idempotency_key, item]), queueStore);
  await del(QUEUE_KEY);
}

// ---- network state -------------------------------------------------------------

function setOnline(value) {
  online = value;
  const net = $("net");
  net.textContent = value ? L.online : L.offline_net;
  net.className = "net " + (value ? "online" : "offline");
}

// The logout answer clears this site's stored data unless scans wait here (assembly.views.LogoutView).
function markQueueWaiting(length) {
  document.cookie = `plenary_desk_queue=${length ? 1 : 0}; path=/; max-age=${30 * 24 * 3600}; SameSite=Strict`;
}

function showQueue(length) {
  markQueueWaiting(length);
  const rosterNote = roster ? `${L.roster}: ${roster.body.delegates.length} ${L.delegates}` : L.no_roster;
  const waiting = length === 1 ? L.queued_one : L.queued;
  $("queue-note").textContent = [length ? `${length} ${waiting}` : "", queueMessage, rosterNote]
    .filter(Boolean)
    .join(" · ");
}

// Read at each request: logging in again in another tab rotates the token.
function csrfToken() {
  const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
  return cookie ? decodeURIComponent(cookie.slice("csrftoken=".length)) : pageCsrf;
}

async function api(url, { method = "GET", body, timeout = 4000, headers = {} } = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeout);
  try {
    return await fetch(url, {
      method,
      headers: {
        Accept: "application/json",
        ...(body ? { "Content-Type": "application/json" } : {}),
        ...(method !== "GET" ? { "X-CSRFToken": csrfToken() } : {}),
        ...headers,
      },
      body: body ? JSON.stringify(body) : undefined,
      credentials: "same-origin",
      signal: controller.signal,
    });
  } finally {
    clearTimeout(timer);
  }
}

// ---- roster --------------------------------------------------------------------

async function refreshRoster() {
  try {
    const response = await api(root.dataset.rosterUrl, {
      headers: roster?.etag ? { "If-None-Match": roster.etag } : {},
      timeout: 8000,
    });
    if (response.status === 304) {
      roster.fetchedAt = Date.now();
    } else if (response.ok) {
      roster = hydrate({ etag: response.headers.get("ETag"), fetchedAt: Date.now(), body: await response.json() });
      await saveRoster();
      cachePhotos();
    }
    setOnline(true);
  } catch (error) {
    setOnline(false);
  }
  showQueue((await queue()).length);
}

// The service worker keeps what the page fetched: the roster's photos, so an offline answer
// shows the face. Bounded: a few hundred small images, fetched one at a time.
const PHOTOS_CACHED = 300;
let photosCached = false;
async function cachePhotos() {
  if (photosCached || !navigator.serviceWorker?.controller) return;
  photosCached = true;
  const urls = roster.body.delegates.map((d) => d.photo_url).filter(Boolean).slice(0, PHOTOS_CACHED);
  for (const url of urls) {
    try {
      await fetch(url, { credentials: "same-origin" });
    } catch (error) {
      return; // offline again: the rest waits for the next roster
    }
  }
}

// ---- tokens, checked in the browser for offline answers ------------------------

const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function base32Decode(text) {
  let bits = 0;
  let value = 0;
  const out = [];
  for (const char of text) {
    const index = B32.indexOf(char);
    if (index < 0) return null;
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return new Uint8Array(out);
}

function hexBytes(hex) {
  return new Uint8Array(hex.match(/../g).map((pair) => parseInt(pair, 16)));
}

async function readToken(text) {
  const cleaned = normalToken(text);
  if (cleaned.length !== TOKEN_LENGTH) return null;
  const raw = base32Decode(cleaned);
  if (!raw || raw.length < 71) return null;
  const payload = raw.slice(0, 7);
  const signature = raw.slice(7, 71);
  const message = new Uint8Array(CONTEXT.length + payload.length);
  message.set(CONTEXT);
  message.set(payload, CONTEXT.length);
  let genuine = false;
  try {
    genuine = await verifyAsync(signature, message, hexBytes(roster.body.public_key));
  } catch (error) {
    genuine = false;
  }
  if (!genuine) return null;
  return {
    assemblyId: (payload[0] << 8) | payload[1],
    delegateId: (payload[2] << 16) | (payload[3] << 8) | payload[4],
    version: (payload[5] << 8) | payload[6],
  };
}

async function answerOffline(scan) {
  if (!roster) return { reason: "invalid", explanation: L.no_roster, delegate: null };
  const claim = await readToken(scan.token);
  const refuse = (reason, explanation, delegate = null) => ({ reason, explanation, delegate });
  if (!claim) return refuse("invalid", L.why_invalid);
  if (claim.assemblyId !== assemblyId) return refuse("wrong_assembly", L.why_wrong);
  const delegate = roster.byId.get(claim.delegateId);
  if (!delegate || delegate.badge_version == null) return refuse("unknown", L.why_unknown);
  const lastDay = new Date(roster.body.last_day + "T23:59:59");
  if (Date.now() > lastDay.getTime() + 86400000) return refuse("revoked", L.why_expired, delegate);
  if (claim.version !== delegate.badge_version || delegate.revoked) return refuse("revoked", L.why_revoked, delegate);
  if (delegate.state !== "approved") return refuse("not_approved", L.why_not_approved, delegate);
  forgetLastNight();
  const inside = (roster.inside[scan.checkpoint] ||= new Set());
  if (scan.direction === "in") {
    if (inside.has(delegate.id)) return refuse("already_in", L.why_already, delegate);
    inside.add(delegate.id);
    return { reason: "ok", explanation: L.why_ok, delegate };
  }
  inside.delete(delegate.id);
  return { reason: "ok", explanation: L.why_out, delegate };
}

// Presence ends each night on the server (README "The end of the day"): a desk offline across
// it must not answer "Already in" to everyone it let in the day before.
function forgetLastNight() {
  let ends = Date.parse(roster.body.presence_ends_at || "");
  if (!(ends <= Date.now())) return;
  while (ends <= Date.now()) ends += 86400000;
  roster.inside = {};
  roster.body.presence_ends_at = new Date(ends).toISOString();
  saveRoster();
}

function rememberPresence(result) {
  if (!roster || !result.delegate || result.reason !== "ok") return;
  const inside = (roster.inside[result.checkpoint] ||= new Set());
  if (result.direction === "in") inside.add(result.delegate.id);
  else inside.delete(result.delegate.id);
  saveRoster();
}

// ---- answers ---------------------------------------------------------------------

let audio = null;
function beep(kind) {
  try {
    audio ||= new (window.AudioContext || window.webkitAudioContext)();
    const tones = { green: [[880, 0.12]], amber: [[660, 0.1], [660, 0.1]], red: [[220, 0.45]] }[kind];
    let at = audio.currentTime;
    for (const [frequency, length] of tones) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.frequency.value = frequency;
      oscillator.type = kind === "red" ? "square" : "sine";
      gain.gain.setValueAtTime(0.2, at);
      gain.gain.exponentialRampToValueAtTime(0.001, at + length);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(at);
      oscillator.stop(at + length);
      at += length + 0.06;
    }
  } catch (error) {
    // No audio device: the colour still answers.
  }
}

// Answers that are not about the badge: the server refused the request, or never answered.
const NOT_ABOUT_THE_BADGE = new Set(["not_recorded", "unreachable"]);

function colourFor(reason) {
  if (reason === "ok") return "green";
  if (reason === "already_in" || NOT_ABOUT_THE_BADGE.has(reason)) return "amber";
  return "red";
}

function initials(name) {
  return name.split(/\s+/).filter(Boolean).slice(0, 2).map((part) => part[0]).join("").toUpperCase();
}

// An answer stays long enough to read, then the panel is ready again: the next person never
// sees the previous one's green. Silent: the live region is off while it resets.
const ANSWER_SHOWN_MS = 7000;
let fadeTimer = null;

function fadeToReady() {
  const panel = $("answer");
  panel.setAttribute("aria-live", "off");
  panel.className = "answer idle";
  delete panel.dataset.reason;
  $("answer-verdict").textContent = L.ready;
  for (const id of ["answer-name", "answer-org", "answer-why"]) $(id).textContent = "";
  $("answer-flag").hidden = true;
  $("answer-photo").replaceWith(initialsBox(null));
  shownKey = "";
}

function show(result, { offline = false } = {}) {
  const colour = colourFor(result.reason);
  const panel = $("answer");
  clearTimeout(fadeTimer);
  // A person's answer fades; a refusal about the desk itself (session ended, not recorded)
  // stays until the volunteer acts on it.
  if (result.reason === "ok" || result.reason === "already_in") {
    fadeTimer = setTimeout(fadeToReady, ANSWER_SHOWN_MS);
  }
  panel.setAttribute("aria-live", "assertive");
  panel.className = `answer ${colour}`;
  panel.classList.toggle("refused", NOT_ABOUT_THE_BADGE.has(result.reason));
  panel.dataset.reason = result.reason;
  const verdict = result.reason === "ok" && result.direction === "out" ? L.ok_out : L[result.reason] || result.reason;
  $("answer-verdict").textContent = verdict;
  if (offline || result.offline) {
    const mark = document.createElement("span");
    mark.className = "offline-mark";
    mark.textContent = L.offline;
    $("answer-verdict").append(mark);
  }
  const delegate = result.delegate;
  $("answer-name").textContent = delegate ? delegate.name : "";
  $("answer-org").textContent = delegate ? [delegate.organization, delegate.role_label].filter(Boolean).join(" · ") : "";
  $("answer-why").textContent = result.explanation || "";
  const flag = $("answer-flag");
  flag.hidden = !(delegate && delegate.attention);
  flag.textContent = delegate?.attention || "";
  const photo = $("answer-photo");
  photo.replaceChildren();
  if (delegate?.photo_url) {
    const img = document.createElement("img");
    img.alt = "";
    img.className = "photo";
    img.id = "answer-photo";
    // Offline, a photo not cached yet: the initials, not a broken image.
    img.addEventListener("error", () => img.replaceWith(initialsBox(delegate)), { once: true });
    img.src = delegate.photo_url;
    photo.replaceWith(img);
  } else {
    photo.replaceWith(initialsBox(delegate));
  }
  beep(colour);
  wedge.focus();
  bringIntoView(panel);
}

// On a small or zoomed screen the answer sits below the fold: it scrolls up to be seen, the
// focus staying in the scan field; where it is already in sight, nothing moves.
function bringIntoView(panel) {
  const box = panel.getBoundingClientRect();
  if (box.top >= 0 && box.bottom <= window.innerHeight) return;
  const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  panel.scrollIntoView({ block: "nearest", behavior: still ? "auto" : "smooth" });
}

function initialsBox(delegate) {
  const box = document.createElement("div");
  box.className = "photo";
  box.id = "answer-photo";
  box.setAttribute("aria-hidden", "true");
  box.textContent = delegate ? initials(delegate.name) : "";
  return box;
}

// An answer that arrives after a newer scan: a line of history, not the panel.
function noteEarlier(result) {
  const verdict = L[result.reason] || result.reason;
  $("answer-history").textContent = `${L.earlier_scan}: ${[result.delegate?.name, verdict].filter(Boolean).join(" – ")}`;
}

// The panel answers the latest scan only; returns whether it did.
function answer(seq, result, options = {}) {
  if (seq !== latestScan) {
    noteEarlier(result);
    return false;
  }
  shownKey = result.idempotency_key || "";
  show(result, options);
  return true;
}

async function readJson(response) {
  try {
    return await response.json();
  } catch (error) {
    return null;
  }
}

function refusalText(status, body) {
  if (status === 401) return L.session_ended;
  if (!body?.detail) return `${L.server_failed} (HTTP ${status})`;
  if (status === 403) return `${body.detail} ${L.log_in_again}`;
  return body.detail;
}

function refusal(status, body) {
  return { reason: "not_recorded", explanation: refusalText(status, body), delegate: null };
}

function showRefusal(status, body) {
  show(refusal(status, body));
}

function showUnreachable() {
  setOnline(false);
  show({ reason: "unreachable", explanation: L.unreachable_why, delegate: null });
}

// ---- scanning ----------------------------------------------------------------------

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function currentDirection() {
  return document.querySelector("input[name=direction]:checked").value;
}

async function handleScan(text) {
  const token = storableRead(text);
  if (!normalToken(token)) return;
  const seq = ++latestScan;
  queueMessage = "";
  $("upload-report").replaceChildren();
  const scan = {
    // Text that cannot be a badge (a vCard QR) is kept in part, as the server stores it.
    token,
    checkpoint: checkpointSelect.value,
    direction: currentDirection(),
    desk: deskLabel(),
    device,
    client_time: new Date().toISOString(),
    idempotency_key: newKey(),
  };
  // Not shaped as a badge: answered at once; the server's answer replaces it if it differs.
  if (!looksLikeToken(token)) {
    answer(seq, { reason: "invalid", explanation: L.why_invalid, delegate: null, idempotency_key: scan.idempotency_key });
    return recordScan(scan, seq, "invalid");
  }
  return recordScan(scan, seq);
}

// guessed: the reason the panel already shows for this scan; an answer that agrees is not shown again.
async function recordScan(scan, seq, guessed = null) {
  let response;
  try {
    response = await api(root.dataset.scanUrl, { method: "POST", body: scan });
  } catch (error) {
    return answerScanOffline(scan, seq, guessed);
  }
  if (response.status >= 500) return answerScanOffline(scan, seq, guessed);
  const body = await readJson(response);
  // A page that is not our API's answer (a captive portal's) means the server was not reached.
  if (response.ok && !body) return answerScanOffline(scan, seq, guessed);
  setOnline(true);
  // Only the scan's answer speaks about the badge: a refused request (session ended, CSRF,
  // unknown checkpoint) says nothing about it, and nothing is queued, as resending would not help.
  if (!response.ok) return answer(seq, refusal(response.status, body));
  if (body.reason !== guessed) answer(seq, body);
  rememberPresence(body);
  scheduleCounts();
}

async function answerScanOffline(scan, seq, guessed = null) {
  setOnline(false);
  const offlineAnswer = await answerOffline(scan);
  // Queued first: the answer shows a scan that is safe.
  await enqueue({ ...scan, offline_answer: offlineAnswer.reason, queued_by: currentUser });
  if (offlineAnswer.reason !== guessed) {
    answer(seq, { ...offlineAnswer, direction: scan.direction, idempotency_key: scan.idempotency_key }, { offline: true });
  }
  saveRoster();
}

// A long offline spell's queue goes up in parts: one request for thousands of scans could
// outlast the upload's timeout (and every retry of it), or pass the server's 5,000 a request.
const UPLOAD_CHUNK = 500;

// Scans queued by this page's user; the others wait for this user to vouch for them or discard
// them. A scan queued before scans named their user (no queued_by) is the desk's own, as it
// was then: holding it back left real check-ins off the quorum.
function queuedByMe(item) {
  return Boolean(currentUser) && (item.queued_by === undefined || String(item.queued_by) === currentUser);
}

async function ownQueue() {
  const all = await queue();
  const own = all.filter(queuedByMe);
  showOthers(all.filter((item) => !own.includes(item)));
  return own;
}

// Scans another login queued (or made after a logout, from the cached desk) are not uploaded
// as this user: the user sees how many and decides.
function showOthers(others) {
  const box = $("others-queued");
  const count = currentUser ? others.length : 0;
  // Rebuilt only when the count changes: a screen reader would repeat it every upload round.
  if (box.dataset.count === String(count)) return;
  box.dataset.count = String(count);
  if (!count) {
    box.replaceChildren();
    return;
  }
  const note = document.createElement("p");
  note.textContent = `${others.length} ${L.others_queued}.`;
  const vouch = document.createElement("button");
  vouch.type = "button";
  vouch.className = "button secondary";
  vouch.textContent = L.upload_as_mine;
  vouch.addEventListener("click", async () => {
    await setMany(others.map((item) => [item.idempotency_key, { ...item, queued_by: currentUser }]), queueStore);
    box.replaceChildren();
    uploadQueue();
  });
  const discard = document.createElement("button");
  discard.type = "button";
  discard.className = "button secondary";
  discard.textContent = L.discard;
  discard.addEventListener("click", async () => {
    await delMany(others.map((item) => item.idempotency_key), queueStore);
    box.replaceChildren();
    queueMessage = L.discarded;
    showQueue((await queue()).length);
  });
  box.replaceChildren(note, vouch, discard);
}

async function uploadQueue() {
  if (uploading) return;
  uploading = true;
  let conflicts = 0;
  let unreadable = 0;
  const changed = [];
  try {
    if (!(await ownQueue()).length) return;
    for (;;) {
      const items = (await ownQueue()).slice(0, Number(root.dataset.uploadChunk) || UPLOAD_CHUNK);
      if (!items.length) break;
      // sent_at: the server corrects this desk's clock by how far it is from its own.
      const scans = items.map(({ queued_by, ...item }) => ({ ...item, token: storableRead(item.token), desk: cutText(storableRead(item.desk || ""), 60) }));
      const body = { scans, sent_at: new Date().toISOString() };
      const response = await api(root.dataset.uploadUrl, { method: "POST", body, timeout: 15000 });
      if (response.status >= 500) throw new Error(`upload ${response.status}`);
      const answer = await response.json();
      if (!response.ok) {
        // The network works but the server will not take the queue as it is (a checkpoint
        // renamed while offline, the desk's role withdrawn): say so, keep every scan, retry later.
        setOnline(true);
        queueMessage = `${L.upload_refused}: ${refusalText(response.status, answer)}`;
        showQueue((await queue()).length);
        return;
      }
      // Removed by key, each its own write: scans queued meanwhile stay.
      await delMany(answer.results.map((result) => result.idempotency_key), queueStore);
      conflicts += answer.conflicts || 0;
      unreadable += answer.results.filter((result) => result.reason === "invalid").length;
      changed.push(...answersChanged(items, answer.results));
      setOnline(true);
    }
    const sent = conflicts === 1 ? L.conflicts_one : L.conflicts;
    queueMessage = [
      conflicts ? `${L.uploaded}: ${conflicts} ${sent}` : L.uploaded,
      unreadable ? `${unreadable} ${L.unreadable_dropped}` : "",
    ]
      .filter(Boolean)
      .join(" · ");
    showQueue((await queue()).length);
    reportChanged(changed);
    refreshRoster();
    scheduleCounts();
  } catch (error) {
    setOnline(false);
  } finally {
    uploading = false;
  }
}

// The server's answers that differ from what the desk answered offline.
function answersChanged(items, results) {
  const offline = new Map(items.map((item) => [item.idempotency_key, item.offline_answer]));
  return results.filter((result) => offline.get(result.idempotency_key) !== result.reason);
}

function reportChanged(changed) {
  $("upload-report").replaceChildren(
    ...changed.map((result) => {
      const item = document.createElement("li");
      item.textContent = `${result.delegate?.name || L.not_a_badge}: ${L[result.reason] || result.reason} – ${result.explanation}`;
      return item;
    }),
  );
  // The panel still shows the offline answer of a scan the server answered otherwise.
  const current = changed.find((result) => result.idempotency_key === shownKey);
  if (current) show(current);
}

$("wedge-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = wedge.value;
  wedge.value = "";
  handleScan(text);
});

// ---- stray scans: a wedge scanner types into whichever field has the focus ----------------

const TOKEN_SHAPE = new RegExp(`^[${B32}]{${TOKEN_LENGTH}}$`);
const fieldTextBefore = new WeakMap(); // a field's text before the latest typing into it

function looksLikeToken(text) {
  return TOKEN_SHAPE.test(normalToken(text));
}

function rememberFieldText(input) {
  fieldTextBefore.set(input, input.value);
}

function insertedText(before, after) {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let end = 0;
  const room = Math.min(before.length, after.length) - start;
  while (end < room && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  return after.slice(start, after.length - end);
}

// The token a scanner typed into the field, and the field's text without it; null for staff typing.
function strayScan(input) {
  const before = fieldTextBefore.get(input) ?? "";
  const typed = insertedText(before, input.value);
  if (looksLikeToken(typed)) return { token: typed, rest: before };
  // The text before was taken mid-scan (a slow scanner outlasting the search's pause).
  const tail = input.value.slice(-TOKEN_LENGTH);
  if (looksLikeToken(tail)) return { token: tail, rest: input.value.slice(0, -TOKEN_LENGTH) };
  return null;
}

function isStaffField(element) {
  return element instanceof HTMLInputElement && element !== wedge && ["text", "search"].includes(element.type);
}

root.addEventListener("focusin", (event) => {
  if (isStaffField(event.target)) rememberFieldText(event.target);
});

// A scanner types a whole code in a burst, a few milliseconds a key; people type slower.
// The burst is judged by its mean pace, so one late key (a busy page) does not split a scan.
const SCANNER_GAP_MS = 40;
const SCAN_PAUSE_MS = 300;
const SCAN_MIN_LENGTH = 6;
// Keys a person types on the checkpoint list act on it until this many arrive at a scanner's
// pace: a quick "ma" still jumps to "Main entrance", no hand types three keys in 80 ms.
const SCAN_DIVERT_LENGTH = 3;
const noBurst = () => ({ text: "", start: 0, at: 0, field: null, before: "", choice: "" });
let burst = noBurst();

function followBurst(event) {
  const now = performance.now();
  if (now - burst.at > SCAN_PAUSE_MS) {
    const field = isStaffField(event.target) ? event.target : null;
    burst = { ...noBurst(), start: now, at: now, field, before: field ? field.value : "" };
    // The list jumps on the burst's first keys before they are known to be a scanner's.
    burst.choice = checkpointSelect.value;
  }
  burst.text += event.key;
  burst.at = now;
}

function atScannerPace({ text, start, at }) {
  return (at - start) / Math.max(1, text.length - 1) <= SCANNER_GAP_MS;
}

function endsBurst() {
  const fast = atScannerPace(burst);
  return burst.text.length >= SCAN_MIN_LENGTH && fast && performance.now() - burst.at <= SCAN_PAUSE_MS ? burst : null;
}

// A scan ending on the checkpoint list: a slow scanner's too, as nobody types a token there.
function scanEndingHere(target) {
  const scanned = endsBurst();
  if (scanned || target !== checkpointSelect) return scanned;
  return looksLikeToken(burst.text) ? burst : null;
}

// What the scan's keys changed before they were known as a scan comes back.
function undoBurst(scanned) {
  if (scanned.field) scanned.field.value = scanned.before;
  if (scanned.choice && checkpointSelect.value !== scanned.choice) {
    checkpointSelect.value = scanned.choice;
    rememberCheckpoint();
  }
}

function takeScan(scanned) {
  undoBurst(scanned);
  wedge.value = "";
  handleScan(scanned.text);
}

// Keys on a radio or button would change it: the scan field takes them instead. The
// checkpoint list takes a person's letters (a jump to an option) and is not one of these.
function isControl(element) {
  return (
    element !== wedge &&
    element !== checkpointSelect &&
    !isStaffField(element) &&
    element instanceof HTMLElement &&
    element.closest("#desk")
  );
}

// On the checkpoint list, a burst at a scanner's pace goes to the scan field, whole.
function divertScannerBurst(event) {
  if (burst.text.length < SCAN_DIVERT_LENGTH || !atScannerPace(burst)) return;
  event.preventDefault();
  undoBurst(burst);
  burst.field = null;
  wedge.value = burst.text;
  wedge.focus();
}

function followTypedKey(event) {
  followBurst(event);
  if (event.target === checkpointSelect) return divertScannerBurst(event);
  if (isControl(event.target) && !(event.key === " " && !burst.text.trim())) {
    event.preventDefault();
    wedge.focus();
    wedge.value += event.key;
  }
}

// Enter or Escape on the list ends the choice: the scan field takes the focus back, once the
// list has done with the key (an open list commits the option on Enter).
function endChoice(event) {
  if (event.target === checkpointSelect && ["Enter", "Escape"].includes(event.key)) {
    setTimeout(() => wedge.focus());
  }
}

// Capture: the scan must win over the field's own Enter (a search, a reprint, a button).
document.addEventListener(
  "keydown",
  (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey) return;
    if (event.target === checkpointSelect) markKeyOnCheckpoint();
    if (event.key.length === 1) return followTypedKey(event);
    if (event.key === "Tab" && !event.shiftKey) return endScanOnTab(event);
    if (event.key !== "Enter") return endChoice(event);
    const scanned = scanEndingHere(event.target);
    burst = noBurst(); // an Enter ends any burst
    if (event.target === wedge) return;
    const stray = isStaffField(event.target) ? strayScan(event.target) : null;
    if (stray) {
      event.preventDefault();
      event.stopPropagation();
      event.target.value = stray.rest;
      handleScan(stray.token);
      return;
    }
    if (scanned) {
      event.preventDefault();
      event.stopPropagation();
      takeScan(scanned);
      wedge.focus();
      return;
    }
    if (isControl(event.target) && wedge.value) {
      // A scan that began on a control and ends here (a slow scanner): it goes to the scan field.
      event.preventDefault();
      event.stopPropagation();
      $("wedge-form").requestSubmit();
      return;
    }
    endChoice(event);
  },
  true,
);

// Some scanners end a code with Tab, not Enter: a token-shaped burst ending in Tab is a scan;
// any other Tab moves the focus as usual.
function endScanOnTab(event) {
  const scanned = scanEndingHere(event.target);
  if (!scanned || !looksLikeToken(scanned.text)) return;
  burst = noBurst();
  event.preventDefault();
  event.stopPropagation();
  takeScan(scanned);
  wedge.focus();
}

// ---- focus: the wedge input gets every keystroke unless staff are typing elsewhere ----

function keepFocus() {
  const active = document.activeElement;
  if (!active || active === document.body || active === document.documentElement || active.id === "answer") {
    wedge.focus();
  }
}
setInterval(keepFocus, 1000);
$("answer").addEventListener("click", () => wedge.focus());

// A key on the closed list changes the checkpoint at once (an arrow, a letter): the person is
// still walking the list, and keeps the focus there until Enter, Escape or Tab.
let keyOnCheckpoint = false;
function markKeyOnCheckpoint() {
  keyOnCheckpoint = true;
  setTimeout(() => {
    keyOnCheckpoint = false;
  });
}

function rememberCheckpoint() {
  localStorage.setItem(`badges:checkpoint:${slug}`, checkpointSelect.value);
}

checkpointSelect.addEventListener("change", () => {
  rememberCheckpoint();
  if (!keyOnCheckpoint) wedge.focus(); // chosen with a pointer
});
for (const radio of document.querySelectorAll("input[name=direction]")) {
  radio.addEventListener("change", () => wedge.focus());
}
// A tap on the direction already chosen changes nothing: the scan field takes the focus back all the same.
for (const radio of document.querySelectorAll("input[name=direction]")) {
  radio.addEventListener("click", () => wedge.focus());
}
const DIRECTION_KEY = `badges:direction:${slug}`;
const savedDirection = document.querySelector(`input[name=direction][value="${localStorage.getItem(DIRECTION_KEY)}"]`);
if (savedDirection) savedDirection.checked = true;
for (const radio of document.querySelectorAll("input[name=direction]")) {
  radio.addEventListener("change", () => localStorage.setItem(DIRECTION_KEY, radio.value));
}
deskName.value = localStorage.getItem(`badges:desk:${slug}`) || deskName.value;
deskName.addEventListener("change", () => localStorage.setItem(`badges:desk:${slug}`, deskLabel()));
// The address's checkpoint first: offline, the page comes from the cache, served for any query.
const savedCheckpoint =
  new URLSearchParams(location.search).get("checkpoint") || localStorage.getItem(`badges:checkpoint:${slug}`);
if ([...checkpointSelect.options].some((option) => option.value === savedCheckpoint)) checkpointSelect.value = savedCheckpoint;

// ---- live counts ---------------------------------------------------------------------

let countsTimer = null;
let socketOpen = false; // the socket says when counts move: no need to ask after each scan
function scheduleCounts() {
  if (socketOpen) return;
  clearTimeout(countsTimer);
  countsTimer = setTimeout(loadCounts, 400);
}

// Live: at most one fetch a second, and always one after the last change.
let countsDue = false;
let lastCountsAt = 0;
function followCounts() {
  if (countsDue) return;
  countsDue = true;
  setTimeout(() => {
    countsDue = false;
    lastCountsAt = Date.now();
    loadCounts();
  }, Math.max(0, 1000 - (Date.now() - lastCountsAt)));
}

async function loadCounts() {
  try {
    const response = await api(root.dataset.countsUrl);
    if (!response.ok) return;
    renderCounts(await response.json());
  } catch (error) {
    // Offline: counts wait for the network.
  }
}

function renderCounts(body) {
  const box = $("counts");
  box.replaceChildren(
    ...body.checkpoints.map((cp) => {
      const item = document.createElement("div");
      item.className = "count";
      item.dataset.checkpoint = cp.code;
      const share = body.approved_in_person ? Math.min(100, Math.round((100 * cp.inside) / body.approved_in_person)) : 0;
      item.innerHTML = '<div class="n"></div><div class="label"></div><div class="meter"><span></span></div><div class="muted small"></div>';
      item.querySelector(".n").textContent = `${cp.inside.toLocaleString()} / ${body.approved_in_person.toLocaleString()}`;
      item.querySelector(".label").textContent = `${cp.name}: ${L.inside}`;
      item.querySelector(".meter span").style.width = `${share}%`;
      item.querySelector(".small").textContent = `${cp.entries_today.toLocaleString()} ${L.entries} · ${cp.refused_today.toLocaleString()} ${L.refused}`;
      return item;
    }),
  );
}

function connectLive(delay = 1000) {
  let socket;
  try {
    socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/a/${slug}/`);
  } catch (error) {
    return;
  }
  let lastSeq = 0;
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.seq && message.seq < lastSeq) return;
    lastSeq = message.seq || lastSeq;
    if (message.type === "snapshot") followCounts(); // counts may have moved while it was down
    if (message.type === "checkin.changed") followCounts();
    if (message.type === "badges.changed") refreshRoster();
  });
  socket.addEventListener("open", () => {
    socketOpen = true;
  });
  socket.addEventListener("close", () => {
    socketOpen = false;
    setTimeout(() => connectLive(Math.min(delay * 2, 30000)), delay);
  });
}

// ---- search, reprint, print -------------------------------------------------------------

// As the server folds (assembly.text.fold): any case, any accent, any script, the
// letters NFKD keeps whole as a plain keyboard types them, and only letters and digits
// ("kim seoyeon" finds "Kim Seo-yeon" offline as online).
const PLAIN_LETTERS = { ı: "i", ł: "l", ø: "o", đ: "d", ð: "d", ħ: "h", ŧ: "t", ß: "ss", æ: "ae", œ: "oe", þ: "th" };
const PLAIN_PATTERN = new RegExp(`[${Object.keys(PLAIN_LETTERS).join("")}]`, "gu");
function fold(text) {
  return (text || "")
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(PLAIN_PATTERN, (letter) => PLAIN_LETTERS[letter])
    .replace(/[^\p{L}\p{N}]/gu, "");
}

const RESULTS_SHOWN = 20;

// One more than shown: the list then says there are more.
function searchRoster(query) {
  const needle = fold(query.trim());
  if (!needle) return [];
  return [...(roster?.byId.values() || [])]
    .filter((d) => fold(d.name).includes(needle) || fold(d.organization).includes(needle))
    .slice(0, RESULTS_SHOWN + 1);
}

// The live region says how many were found; the list itself is read when the person goes to it.
function summarise(found) {
  const summary = $("search-summary");
  if (!found) {
    summary.textContent = "";
  } else if (!found.length) {
    summary.textContent = L.no_results;
  } else if (found.length > RESULTS_SHOWN) {
    summary.textContent = L.more_results;
  } else {
    const noun = found.length === 1 ? summary.dataset.foundOne : summary.dataset.found;
    summary.textContent = `${found.length} ${noun}`;
  }
}

function clearResults() {
  $("search-results").replaceChildren();
  summarise(null);
}

// "Reprint badge Kim Seo-yeon": two results from one city are told apart by ear too.
function namedButton(action, item, nameId) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button secondary";
  button.textContent = L[action];
  button.id = `${item.id}-${action}`;
  button.setAttribute("aria-labelledby", `${button.id} ${nameId}`);
  return button;
}

function renderResults(found) {
  const list = $("search-results");
  summarise(found);
  if (!found.length) {
    const empty = document.createElement("li");
    empty.textContent = L.no_results;
    list.replaceChildren(empty);
    return;
  }
  const delegates = found.slice(0, RESULTS_SHOWN);
  const more = found.length > RESULTS_SHOWN ? [moreResults()] : [];
  list.replaceChildren(
    ...delegates.map((d) => {
      const item = document.createElement("li");
      item.id = `result-${d.id}`;
      const who = document.createElement("div");
      const strong = document.createElement("strong");
      strong.id = `${item.id}-name`;
      strong.textContent = d.name;
      who.append(strong, document.createElement("br"));
      who.append(`${d.organization || ""} · ${d.state} · ${L.version} ${d.badge_version ?? "–"}`);
      const actions = document.createElement("div");
      actions.className = "actions";
      const reprint = namedButton("reprint", item, strong.id);
      reprint.addEventListener("click", () => askReason(item, d));
      const print = namedButton("print", item, strong.id);
      print.addEventListener("click", () => printBadge(d));
      actions.append(reprint, print);
      item.append(who, actions);
      return item;
    }),
    ...more,
  );
}

function moreResults() {
  const item = document.createElement("li");
  item.className = "more-results";
  item.textContent = L.more_results;
  return item;
}

// The answer's body, or null once the panel says why nothing was done.
async function postBadgeAction(delegate, action, body) {
  let response;
  try {
    response = await api(`${root.dataset.badgeUrl}${delegate.id}/${action}`, { method: "POST", body, timeout: 15000 });
  } catch (error) {
    showUnreachable();
    return null;
  }
  const answer = await readJson(response);
  if (!response.ok || !answer) {
    showRefusal(response.status, answer);
    return null;
  }
  setOnline(true);
  return answer;
}

// `required` takes a reason made of spaces, which the server refuses after the round trip.
function markBlankReason(input) {
  input.setCustomValidity(input.value.trim() ? "" : L.reason_blank);
}

function askReason(item, delegate) {
  if (item.querySelector("form")) return;
  const form = document.createElement("form");
  const id = `reason-${delegate.id}`;
  form.innerHTML = `<label for="${id}"></label><input type="text" id="${id}" required maxlength="300"><button type="submit" class="button"></button>`;
  form.querySelector("label").textContent = L.reprint_reason;
  form.querySelector("button").textContent = L.reprint;
  const input = form.querySelector("input");
  input.addEventListener("input", () => markBlankReason(input));
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    form.remove();
    wedge.focus();
  });
  const submit = form.querySelector("button");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    // A second Enter or click while the first reprint is on its way would print a third version.
    if (submit.disabled) return;
    markBlankReason(input);
    if (!input.reportValidity()) return;
    submit.disabled = true;
    const body = await postBadgeAction(delegate, "reprint", { reason: input.value.trim(), desk: deskLabel() });
    submit.disabled = false;
    if (!body) return;
    form.replaceWith(`${L.reprinted} ${body.version}`);
    window.open(body.pdf_url, "_blank", "noopener");
    refreshRoster();
    wedge.focus();
  });
  item.append(form);
  input.focus();
}

// Delegates whose print is on its way: a double click opens one print tab, not two.
const printing = new Set();

async function printBadge(delegate) {
  if (printing.has(delegate.id)) return;
  printing.add(delegate.id);
  let body;
  try {
    body = await postBadgeAction(delegate, "printed", { desk: deskLabel() });
  } finally {
    printing.delete(delegate.id);
  }
  if (!body) return;
  window.open(body.pdf_url, "_blank", "noopener");
  wedge.focus();
}

const search = $("search");
let searchTimer = null;

async function runSearch() {
  clearTimeout(searchTimer);
  rememberFieldText(search);
  const query = search.value.trim();
  if (query.length < 2) {
    clearResults();
    return;
  }
  try {
    const response = await api(`${root.dataset.searchUrl}?q=${encodeURIComponent(query)}&limit=${RESULTS_SHOWN + 1}`);
    if (!response.ok) throw new Error("search");
    renderResults(await response.json());
  } catch (error) {
    renderResults(searchRoster(query));
  }
}

function endSearch() {
  clearTimeout(searchTimer);
  search.value = "";
  clearResults();
  wedge.focus();
}

search.addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(runSearch, 250);
});
// The field's clear button empties it: the desk goes back to scanning.
search.addEventListener("search", () => {
  if (!search.value) endSearch();
});
search.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  event.preventDefault();
  endSearch();
});
$("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  runSearch();
});

// ---- camera ---------------------------------------------------------------------------

let scanner = null;
// A badge held up is read many times a second: answered once, and again only after it
// has been out of the frame for a moment.
const OUT_OF_FRAME_MS = 2000;
let lastCamera = { text: "", seenAt: 0 };
$("camera-toggle").addEventListener("click", async () => {
  const button = $("camera-toggle");
  const video = $("camera-video");
  if (scanner) {
    scanner.stop();
    scanner.destroy();
    scanner = null;
    video.hidden = true;
    button.textContent = L.start_camera;
    wedge.focus();
    return;
  }
  try {
    const { default: QrScanner } = await import("../../vendor/qr-scanner/qr-scanner.min.js");
    video.hidden = false;
    scanner = new QrScanner(
      video,
      (result) => {
        const text = result.data || result;
        const now = Date.now();
        const stillInFrame = text === lastCamera.text && now - lastCamera.seenAt < OUT_OF_FRAME_MS;
        lastCamera = { text, seenAt: now };
        if (!stillInFrame) handleScan(text);
      },
      {
        returnDetailedScanResult: true,
        preferredCamera: "environment",
        maxScansPerSecond: 10,
        // The whole frame, not the default centre square: a badge held anywhere in view reads.
        calculateScanRegion: (v) => {
          const scale = Math.min(1, 800 / Math.max(v.videoWidth, v.videoHeight));
          return {
            x: 0,
            y: 0,
            width: v.videoWidth,
            height: v.videoHeight,
            downScaledWidth: Math.round(v.videoWidth * scale),
            downScaledHeight: Math.round(v.videoHeight * scale),
          };
        },
      },
    );
    await scanner.start();
    button.textContent = L.stop_camera;
    $("camera-note").textContent = "";
  } catch (error) {
    $("camera-note").textContent = `${L.camera_error}: ${error}`;
    scanner = null;
    video.hidden = true;
  }
  wedge.focus();
});

// ---- logging out -----------------------------------------------------------------------------

// Logging out clears this device's stored data (the server says so): scans not uploaded yet
// would go with it. One more upload first, and a question if some remain.
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !new URL(form.action, location.href).pathname.endsWith("/logout/")) return;
  if (form.dataset.confirmed) return;
  event.preventDefault();
  await uploadQueue();
  const waiting = (await queue()).length;
  if (waiting && !window.confirm(`${waiting} ${L.logout_loses_queue}`)) return;
  form.dataset.confirmed = "true";
  form.requestSubmit();
});

// ---- start ----------------------------------------------------------------------------------

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register(root.dataset.swUrl, { scope: root.dataset.scope }).catch(() => {});
}
window.addEventListener("online", () => uploadQueue());
window.addEventListener("offline", () => setOnline(false));

roster = hydrate(await get(ROSTER_KEY));
await moveOldQueue();
showQueue((await queue()).length);
await refreshRoster();
root.dataset.ready = "true";
loadCounts();
connectLive();
uploadQueue();
setInterval(refreshRoster, Math.max(10, Number(root.dataset.refresh) || 60) * 1000);
setInterval(() => uploadQueue(), 5000);
setInterval(loadCounts, 30000);
wedge.focus();
