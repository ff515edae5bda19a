// Secretariat check-in dashboard: hall count and arrivals chart kept live, badge batches with progress.
const root = document.getElementById("dashboard");
const L = JSON.parse(document.getElementById("dashboard-labels").textContent);
const csrf = document.querySelector("[name=csrfmiddlewaretoken]").value;
const slug = root.dataset.slug;
let chart = null;
let chartShape = "";

async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (!response.ok) throw new Error(`${response.status}`);
  return response.json();
}

async function loadCounts() {
  const body = await getJSON(root.dataset.countsUrl);
  for (const cp of body.checkpoints) {
    const item = document.querySelector(`#checkpoint-counts [data-checkpoint="${cp.code}"] .inside`);
    if (item) item.textContent = cp.inside.toLocaleString();
    if (cp.is_voting) {
      document.getElementById("hall-count").textContent = cp.inside.toLocaleString();
      const share = body.approved_in_person ? Math.min(100, (100 * cp.inside) / body.approved_in_person) : 0;
      document.getElementById("hall-meter").style.width = `${share}%`;
    }
  }
}

const PALETTE = ["#0b4f8a", "#a1121c", "#0b6b2e", "#5a3d7a", "#7a4a00"];
const zone = root.dataset.timeZone;
// The hours as the page says ("Times in <zone>"), not in the browser's zone.
const hourFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
  timeZone: zone,
  day: "numeric",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

function checkpointName(code) {
  return document.querySelector(`#checkpoint-counts [data-checkpoint="${CSS.escape(code)}"]`)?.dataset.name || code;
}

function cell(tag, text, scope) {
  const element = document.createElement(tag);
  element.textContent = text;
  if (scope) element.scope = scope;
  return element;
}

// The chart's figures for screen readers and anyone who wants numbers: one row per hour with arrivals.
function fillArrivalsTable(hours, checkpoints, series) {
  const table = document.getElementById("arrivals-table");
  const head = document.createElement("tr");
  head.append(cell("th", table.dataset.hour, "col"));
  for (const code of checkpoints) head.append(cell("th", checkpointName(code), "col"));
  head.append(cell("th", table.dataset.total, "col"));
  const body = hours.flatMap((hour, index) => {
    const counts = series.map((values) => values[index]);
    const total = counts.reduce((sum, n) => sum + n, 0);
    if (!total) return [];
    const row = document.createElement("tr");
    row.append(cell("th", hourFormat.format(new Date(hour * 1000)), "row"));
    for (const n of counts) row.append(cell("td", n.toLocaleString()));
    row.append(cell("td", total.toLocaleString()));
    return [row];
  });
  table.tHead.replaceChildren(head);
  table.tBodies[0].replaceChildren(...body);
}

async function loadArrivals() {
  const rows = await getJSON(root.dataset.arrivalsUrl);
  const box = document.getElementById("arrivals-chart");
  document.getElementById("arrivals-empty").hidden = rows.length > 0;
  document.getElementById("arrivals-details").hidden = rows.length === 0;
  if (!rows.length) return;
  // Every hour from the first arrival to the last (at least six), so bars sit on a real time axis.
  const stamps = rows.map((row) => Date.parse(row.hour) / 1000);
  const first = Math.min(...stamps);
  const last = Math.max(...stamps, first + 5 * 3600);
  const hours = [];
  for (let hour = first; hour <= last; hour += 3600) hours.push(hour);
  const checkpoints = [...new Set(rows.map((row) => row.checkpoint))];
  const series = checkpoints.map((code) =>
    hours.map((hour) => rows.find((row) => row.checkpoint === code && Date.parse(row.hour) / 1000 === hour)?.count ?? 0),
  );
  fillArrivalsTable(hours, checkpoints, series);
  const data = [hours, ...series];
  const bars = window.uPlot.paths.bars({ size: [0.6, 60] });
  const options = {
    width: box.clientWidth || 600,
    height: 260,
    scales: { x: { time: true, range: (u, min, max) => [min - 1800, max + 1800] } },
    tzDate: (seconds) => window.uPlot.tzDate(new Date(seconds * 1000), zone),
    // Names only: the figures are in the table, not behind a hover.
    legend: { live: false },
    axes: [{}, { label: L.entries }],
    series: [
      {},
      ...checkpoints.map((code, index) => ({
        label: checkpointName(code),
        stroke: PALETTE[index % PALETTE.length],
        fill: PALETTE[index % PALETTE.length] + "cc",
        paths: bars,
        points: { show: false },
      })),
    ],
  };
  const shape = checkpoints.join("\n");
  if (chart && chartShape === shape) {
    chart.setData(data);
  } else {
    chart?.destroy();
    chart = new window.uPlot(options, data, box);
    chartShape = shape;
  }
}

let timer = null;
// At most one refresh a second, and always one after the last change.
function refreshSoon() {
  if (timer) return;
  timer = setTimeout(() => {
    timer = null;
    loadCounts().catch(() => {});
    loadArrivals().catch(() => {});
  }, 1000);
}

function connectLive(delay = 1000) {
  const socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/a/${slug}/`);
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "checkin.changed") refreshSoon();
  });
  socket.addEventListener("close", () => setTimeout(() => connectLive(Math.min(delay * 2, 30000)), delay));
}

// ---- batches ----
const form = document.getElementById("batch-form");
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  const response = await fetch(root.dataset.batchUrl, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
    body: JSON.stringify({
      layout: data.get("layout"),
      role: data.get("role") || "",
      attendance: data.get("attendance") || "",
      not_printed: data.get("not_printed") === "on",
    }),
  });
  const body = await response.json();
  const progress = document.getElementById("batch-progress");
  progress.hidden = false;
  if (!response.ok) {
    document.getElementById("batch-status").textContent = body.detail;
    return;
  }
  follow(`${root.dataset.batchUrl}/${body.id}`);
});

async function follow(url) {
  const status = document.getElementById("batch-status");
  const bar = document.getElementById("batch-bar");
  const result = document.getElementById("batch-result");
  const body = await getJSON(url);
  bar.value = body.percent;
  status.textContent = `${L[body.status] || body.status}: ${body.done.toLocaleString()} / ${body.total.toLocaleString()}`;
  if (body.status === "done") {
    const link = document.createElement("a");
    link.href = body.download_url;
    link.className = "button";
    link.textContent = L.download;
    result.replaceChildren(link);
    link.focus();
  } else if (body.status === "failed") {
    result.textContent = `${L.failed}: ${body.error}`;
  } else {
    setTimeout(() => follow(url), 800);
  }
}

loadArrivals().catch(() => {});
connectLive();
setInterval(refreshSoon, 60000);
window.addEventListener("resize", () => chart?.setSize({ width: document.getElementById("arrivals-chart").clientWidth, height: 260 }));
