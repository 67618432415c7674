// The privacy officer's console: a client of the public GraphQL API and nothing else. Every
// datum comes from POST /graphql with the officer's own token, and every error the API gives
// is shown in its own words.
"use strict";

const state = { token: "", matrix: null, chosen: null, roles: [] };
const $ = (id) => document.getElementById(id);

/** Builds an element with attributes and children (strings become text, never HTML). */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function say(text, ok = false) {
  const box = $("message");
  box.textContent = text;
  box.classList.toggle("ok", ok);
  box.hidden = !text;
}

/** Runs a GraphQL document; throws an Error whose message is the API's own. */
async function gql(query, variables = {}) {
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/graphql-response+json, application/json",
        authorization: `Bearer ${state.token}`,
      },
      body: JSON.stringify({ query, variables }),
    });
  } catch (e) {
    throw new Error(`The server could not be reached: ${e.message}`);
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new Error(`The server answered ${response.status} without a GraphQL response.`);
  }
  if (body.errors && body.errors.length) {
    const first = body.errors[0];
    const code = first.extensions && first.extensions.code ? ` (${first.extensions.code})` : "";
    throw new Error(`${first.message}${code}`);
  }
  return body.data;
}

/** Runs `task`, showing its error in words; returns its result or undefined. */
async function attempt(task) {
  try {
    return await task();
  } catch (e) {
    say(e.message);
    return undefined;
  }
}

const upper = (code) => code.toUpperCase();

// ---- Sign in ----------------------------------------------------------------------------

async function signIn(token) {
  state.token = token.trim();
  const data = await attempt(() => gql("{ caller { role purpose } }"));
  if (!data) {
    state.token = "";
    return;
  }
  if (data.caller.role !== "PRIVACY_OFFICER" && data.caller.role !== "privacy_officer") {
    say(`This token acts as ${data.caller.role}; the console is for privacy officers.`);
    state.token = "";
    return;
  }
  sessionStorage.setItem("vigo-admin-token", state.token);
  say("");
  $("who").textContent = `Signed in as privacy officer, for ${String(data.caller.purpose).toLowerCase()}`;
  $("who").hidden = false;
  $("sign-out").hidden = false;
  $("sign-in").hidden = true;
  $("console").hidden = false;
  await loadMatrix();
}

function signOut() {
  sessionStorage.removeItem("vigo-admin-token");
  state.token = "";
  location.reload();
}

// ---- Tabs -------------------------------------------------------------------------------

const loaders = {
  matrix: () => loadMatrix(),
  edit: () => loadDraft(),
  history: () => loadHistory(),
  audit: () => loadAudit(),
  denials: () => loadDenials(),
};

function show(panel) {
  for (const tab of document.querySelectorAll('[role="tab"]')) {
    const selected = tab.getAttribute("aria-controls") === panel;
    tab.setAttribute("aria-selected", String(selected));
    $(tab.getAttribute("aria-controls")).hidden = !selected;
  }
  loaders[panel]();
}

// ---- The matrix -------------------------------------------------------------------------

const MATRIX = `query($rules: String) { accessMatrix(rules: $rules) {
  version categories { id description fields }
  rows { role purpose description scopes resources cells { category allowed total fields } } } }`;

async function loadMatrix() {
  const data = await attempt(() => gql(MATRIX));
  if (!data) return;
  state.matrix = data.accessMatrix;
  state.roles = [...new Set(state.matrix.rows.map((r) => r.role))];
  fillRoleSelects();
  $("matrix-version").textContent = `(policy version ${state.matrix.version})`;
  drawMatrix($("matrix-table"), state.matrix);
}

function level(cell) {
  if (cell.allowed === 0) return "none";
  return cell.allowed === cell.total ? "all" : "some";
}

function drawMatrix(table, matrix) {
  table.replaceChildren();
  table.append(
    el("caption", { class: "muted" }, "Roles and purposes (rows) against data categories (columns)"),
    el("thead", {}, el("tr", {},
      el("th", { scope: "col" }, "Role · purpose"),
      matrix.categories.map((c) => el("th", { scope: "col", class: "category", title: c.description }, c.id)))),
  );
  const body = el("tbody");
  for (const row of matrix.rows) {
    body.append(el("tr", {},
      el("th", { scope: "row", class: "role", title: row.description }, `${row.role} · ${row.purpose}`),
      row.cells.map((cell) => el("td", {}, el("button", {
        type: "button",
        class: level(cell),
        "aria-label": `${row.role} for ${row.purpose}: ${cell.category}, ${cell.allowed} of ${cell.total} fields`,
        onclick: () => explain(row, cell),
      }, cell.allowed === cell.total && cell.total > 0 ? "✓" : cell.allowed === 0 ? "–" : `${cell.allowed}/${cell.total}`)))));
  }
  table.append(body);
}

async function explain(row, cell) {
  state.chosen = { row, cell };
  const panel = $("explanation");
  panel.hidden = false;
  panel.replaceChildren(el("p", {}, "Asking the policy…"));
  const category = state.matrix.categories.find((c) => c.id === cell.category);
  const objects = [`category:${cell.category}`, ...category.fields.map((f) => `field:${f}`)];
  const query = `query($role: Role!, $purpose: String) { ${objects.map((o, i) =>
    `e${i}: explainAccess(role: $role, purpose: $purpose, object: ${JSON.stringify(o)}) { object allowed reason }`).join(" ")} }`;
  const data = await attempt(() => gql(query, { role: upper(row.role), purpose: row.purpose }));
  if (!data) {
    panel.hidden = true;
    return;
  }
  const answers = objects.map((_, i) => data[`e${i}`]);
  const [whole, ...fields] = answers;
  panel.replaceChildren(
    el("h3", {}, `${row.role} acting for ${row.purpose}: ${cell.category}`),
    el("p", {}, category.description),
    el("p", {}, el("span", { class: whole.allowed ? "allowed" : "denied" }, whole.allowed ? "Allowed: " : "Not all allowed: "), whole.reason),
    el("ul", {}, fields.map((f) => el("li", {},
      el("code", {}, f.object.replace("field:", "")), " — ",
      el("span", { class: f.allowed ? "allowed" : "denied" }, f.allowed ? "allowed" : "denied"), `: ${f.reason}`))),
    el("div", { class: "actions" },
      el("button", { type: "button", onclick: () => draftToggle(row, cell) },
        cell.allowed === cell.total ? `Change: deny ${cell.category} to ${row.role}` : `Change: allow ${cell.category} to ${row.role}`)),
  );
}

// ---- Editing ----------------------------------------------------------------------------

async function currentRules() {
  const data = await gql("{ policy { version rules } }");
  return data.policy.rules;
}

async function loadDraft() {
  if ($("draft").value.trim()) return;
  const rules = await attempt(currentRules);
  if (rules) $("draft").value = rules.join("\n");
}

async function draftToggle(row, cell) {
  await loadDraft();
  const lines = $("draft").value.split("\n").map((l) => l.trim()).filter(Boolean);
  const own = `p, ${row.role}, ${row.purpose}, `;
  const prefix = `${own}category:${cell.category}, read,`;
  const category = state.matrix.categories.find((c) => c.id === cell.category);
  const fieldDenies = new Set(category.fields.map((f) => `${own}field:${f}, read, deny`));
  // Allowing the whole category also lifts the denies of its fields; denying it needs no more.
  const kept = lines.filter((l) => !l.startsWith(prefix) && !(cell.allowed < cell.total && fieldDenies.has(l)));
  if (cell.allowed === cell.total) kept.push(`${prefix} deny`);
  else kept.push(`${prefix} allow`);
  $("draft").value = kept.join("\n");
  $("sim-role").value = row.role;
  show("edit");
  say(`Drafted: ${kept[kept.length - 1]}. Simulate to see what it does, then apply.`, true);
  await simulate();
}

async function simulate() {
  const rules = $("draft").value;
  const subject = { role: upper($("sim-role").value) };
  const org = $("sim-org").value.trim();
  if (org) subject.org = org;
  const nationalId = $("sim-person").value.trim() || null;
  const data = await attempt(() => gql(`query($rules: String!, $subject: SimulatedSubject!, $nationalId: String) {
    simulatePolicy(rules: $rules, subject: $subject, nationalId: $nationalId) {
      current { persons } proposed { persons } fieldsGained fieldsLost
      difference { added removed changes { role purpose fieldsGained fieldsLost scopesGained scopesLost resourcesGained resourcesLost } }
      recordCurrent { record withheld } recordProposed { record withheld } } }`,
  { rules, subject, nationalId }));
  const panel = $("simulation");
  if (!data) {
    panel.hidden = true;
    return;
  }
  const s = data.simulatePolicy;
  const list = (items, cls) => items.length ? el("ul", {}, items.map((i) => el("li", { class: cls }, el("code", {}, i)))) : el("p", { class: "muted" }, "nothing");
  panel.hidden = false;
  panel.replaceChildren(
    el("h3", {}, `What ${$("sim-role").value} could read`),
    el("p", {}, `Persons its row scope reaches: ${s.current.persons} now, ${s.proposed.persons} with the draft.`),
    el("h4", {}, "Fields gained"), list(s.fieldsGained, "gained"),
    el("h4", {}, "Fields lost"), list(s.fieldsLost, "lost"),
    el("h3", {}, "Every role"),
    s.difference.changes.length === 0 ? el("p", {}, "No role gains or loses anything.") :
      el("ul", {}, s.difference.changes.map((c) => el("li", {},
        el("strong", {}, `${c.role} · ${c.purpose}: `),
        [...c.fieldsGained, ...c.scopesGained, ...c.resourcesGained].map((g) => el("span", { class: "gained" }, `+${g} `)),
        [...c.fieldsLost, ...c.scopesLost, ...c.resourcesLost].map((l) => el("span", { class: "lost" }, `−${l} `))))),
    el("p", { class: "muted" }, `Rules added: ${s.difference.added.length}, removed: ${s.difference.removed.length}.`),
    s.recordCurrent ? el("div", { class: "records" },
      [["Now", s.recordCurrent], ["With the draft", s.recordProposed]].map(([title, r]) => el("div", {},
        el("h4", {}, title),
        r.record ? el("pre", {}, JSON.stringify(r.record, null, 2)) : el("p", {}, "Not visible: outside the role's reach, or no such person."),
        el("p", { class: "muted" }, `Withheld: ${r.withheld.length ? r.withheld.join(", ") : "nothing"}`)))) : null,
  );
}

async function apply() {
  const summary = $("summary").value.trim();
  if (!summary) {
    say("Say why the policy changes before applying it.");
    $("summary").focus();
    return;
  }
  const data = await attempt(() => gql(
    "mutation($rules: String!, $summary: String!) { replacePolicy(rules: $rules, summary: $summary) { version } }",
    { rules: $("draft").value, summary }));
  if (!data) return;
  say(`Policy version ${data.replacePolicy.version} is in force.`, true);
  $("summary").value = "";
  $("simulation").hidden = true;
  await loadMatrix();
}

// ---- History ----------------------------------------------------------------------------

async function loadHistory() {
  const data = await attempt(() => gql("{ policyChanges(last: 50) { version changedAt actor summary rules } }"));
  if (!data) return;
  const table = $("versions");
  table.replaceChildren(
    el("thead", {}, el("tr", {}, ["From", "To", "Version", "When", "Who", "Why", ""].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, data.policyChanges.map((v, i) => el("tr", {},
      el("td", {}, el("input", { type: "radio", name: "from", value: v.version, "aria-label": `compare from version ${v.version}`, checked: i === 1 })),
      el("td", {}, el("input", { type: "radio", name: "to", value: v.version, "aria-label": `compare to version ${v.version}`, checked: i === 0 })),
      el("td", {}, v.version),
      el("td", {}, new Date(v.changedAt).toLocaleString()),
      el("td", {}, el("code", {}, v.actor)),
      el("td", {}, v.summary),
      el("td", {}, i === 0 || !v.rules ? (v.rules ? "in force" : "rules not kept") :
        el("button", { type: "button", onclick: () => rollback(v.version) }, `Roll back to ${v.version}`))))),
  );
}

async function compare() {
  const from = document.querySelector('input[name="from"]:checked');
  const to = document.querySelector('input[name="to"]:checked');
  if (!from || !to) {
    say("Choose a version to compare from and one to compare to.");
    return;
  }
  const data = await attempt(() => gql(`query($from: Int!, $to: Int!) { policyDiff(from: $from, to: $to) {
    added removed changes { role purpose fieldsGained fieldsLost scopesGained scopesLost resourcesGained resourcesLost } } }`,
  { from: Number(from.value), to: Number(to.value) }));
  const panel = $("diff");
  if (!data) {
    panel.hidden = true;
    return;
  }
  const d = data.policyDiff;
  panel.hidden = false;
  panel.replaceChildren(
    el("h3", {}, `From version ${from.value} to ${to.value}`),
    el("ul", {},
      d.removed.map((r) => el("li", { class: "lost" }, el("code", {}, `− ${r}`))),
      d.added.map((r) => el("li", { class: "gained" }, el("code", {}, `+ ${r}`)))),
    d.changes.length === 0 ? el("p", {}, "No role gains or loses anything.") :
      el("ul", {}, d.changes.map((c) => el("li", {},
        el("strong", {}, `${c.role} · ${c.purpose}: `),
        [...c.fieldsGained, ...c.scopesGained, ...c.resourcesGained].map((g) => el("span", { class: "gained" }, `gains ${g} `)),
        [...c.fieldsLost, ...c.scopesLost, ...c.resourcesLost].map((l) => el("span", { class: "lost" }, `loses ${l} `))))),
  );
}

async function rollback(version) {
  const summary = $("summary").value.trim() || `rolled back from the console to version ${version}`;
  const data = await attempt(() => gql(
    "mutation($to: Int!, $summary: String!) { rollbackPolicy(to: $to, summary: $summary) { version } }",
    { to: version, summary }));
  if (!data) return;
  say(`Version ${data.rollbackPolicy.version} is in force, equal to version ${version}.`, true);
  $("draft").value = "";
  await loadHistory();
}

// ---- Audit trail ------------------------------------------------------------------------

function fillRoleSelects() {
  for (const id of ["sim-role", "audit-role"]) {
    const select = $(id);
    const chosen = select.value;
    select.replaceChildren(...(id === "audit-role" ? [el("option", { value: "" }, "every role")] : []),
      ...state.roles.map((r) => el("option", { value: r }, r)));
    if (chosen) select.value = chosen;
  }
}

function day(value, end) {
  if (!value) return undefined;
  const date = new Date(`${value}T00:00:00Z`);
  if (end) date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString();
}

async function loadAudit() {
  const filter = {};
  const person = $("audit-person").value.trim();
  const org = $("audit-org").value.trim();
  if (person) filter.person = person;
  if (org) filter.org = org;
  if ($("audit-role").value) filter.role = upper($("audit-role").value);
  if ($("audit-from").value) filter.from = day($("audit-from").value, false);
  if ($("audit-until").value) filter.until = day($("audit-until").value, true);
  const data = await attempt(() => gql(`query($filter: AuditFilter) { auditEvents(filter: $filter, first: 100) {
    id at actorRole actorOrg purpose operation categories persons } }`, { filter }));
  if (!data) return;
  const table = $("events");
  table.replaceChildren(
    el("thead", {}, el("tr", {}, ["#", "When", "Role", "Organisation", "Purpose", "What", "Categories", "Persons"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, data.auditEvents.length === 0 ? el("tr", {}, el("td", { colspan: 8 }, "No events match.")) :
      data.auditEvents.map((e) => el("tr", {},
        el("td", {}, e.id), el("td", {}, new Date(e.at).toLocaleString()), el("td", {}, e.actorRole),
        el("td", {}, e.actorOrg || ""), el("td", {}, e.purpose), el("td", {}, el("code", {}, e.operation)),
        el("td", {}, e.categories.join(", ")), el("td", {}, e.persons)))),
  );
}

// ---- Denials ----------------------------------------------------------------------------

const PALETTE = ["#0b5cad", "#b3261e", "#1e7b34", "#8a5a00", "#6b3fa0", "#00727d", "#a3366f", "#4a5360",
  "#c25400", "#2f6f4f", "#3d4fb8", "#7a6a00", "#8c2f39", "#00695c", "#5d4037", "#37474f"];

async function loadDenials() {
  const days = Number($("denials-days").value);
  const until = new Date();
  const from = new Date(until.getTime() - days * 86400000);
  const kind = $("denials-kind").value;
  const data = await attempt(() => gql(`query($from: DateTime, $until: DateTime) {
    denialCounts(from: $from, until: $until) { day role kind count }
    denials(last: 50) { at actorRole actorOrg purpose kind target } }`,
  { from: from.toISOString(), until: until.toISOString() }));
  if (!data) return;
  const kinds = [...new Set(data.denialCounts.map((c) => c.kind))].sort();
  const select = $("denials-kind");
  select.replaceChildren(el("option", { value: "" }, "every kind"), ...kinds.map((k) => el("option", { value: k }, k)));
  select.value = kinds.includes(kind) ? kind : "";
  const counts = data.denialCounts.filter((c) => !select.value || c.kind === select.value);
  drawChart(counts, from, days);
  $("chart-caption").textContent = `Refusals per day (UTC) over the last ${days} days, by role${select.value ? `, of kind ${select.value}` : ""}: ${counts.reduce((n, c) => n + c.count, 0)} in all.`;
  const table = $("denial-list");
  table.replaceChildren(
    el("thead", {}, el("tr", {}, ["When", "Role", "Organisation", "Purpose", "Kind", "What"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, data.denials.map((d) => el("tr", {},
      el("td", {}, new Date(d.at).toLocaleString()), el("td", {}, d.actorRole), el("td", {}, d.actorOrg || ""),
      el("td", {}, d.purpose), el("td", {}, d.kind || ""), el("td", {}, el("code", {}, d.target))))),
  );
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A stacked bar chart: one bar per day, one colour per role. */
function drawChart(counts, from, days) {
  const chart = $("chart");
  chart.replaceChildren();
  const dayList = [];
  for (let i = 0; i < days; i++) {
    dayList.push(new Date(from.getTime() + (i + 1) * 86400000).toISOString().slice(0, 10));
  }
  const roles = [...new Set(counts.map((c) => c.role))].sort();
  const byDay = new Map(dayList.map((d) => [d, new Map()]));
  for (const c of counts) {
    if (!byDay.has(c.day)) byDay.set(c.day, new Map());
    const roleCounts = byDay.get(c.day);
    roleCounts.set(c.role, (roleCounts.get(c.role) || 0) + c.count);
  }
  const width = 900, height = 300, left = 44, bottom = 40, top = 12;
  const totals = [...byDay.values()].map((m) => [...m.values()].reduce((a, b) => a + b, 0));
  const max = Math.max(1, ...totals);
  const step = (width - left - 8) / byDay.size;
  const scale = (v) => (v / max) * (height - bottom - top);
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": "chart-caption" });
  root.append(svg("line", { class: "axis", x1: left, y1: height - bottom, x2: width - 4, y2: height - bottom }));
  for (const tick of [0, Math.ceil(max / 2), max]) {
    const y = height - bottom - scale(tick);
    root.append(svg("text", { x: left - 6, y: y + 4, "text-anchor": "end" }, String(tick)));
    root.append(svg("line", { x1: left, y1: y, x2: width - 4, y2: y, stroke: "#e1e5ea" }));
  }
  [...byDay.keys()].sort().forEach((d, i) => {
    let y = height - bottom;
    const x = left + i * step + step * 0.1;
    roles.forEach((role, r) => {
      const value = byDay.get(d).get(role) || 0;
      if (!value) return;
      const h = scale(value);
      y -= h;
      const bar = svg("rect", { x, y, width: Math.max(1, step * 0.8), height: h, fill: PALETTE[r % PALETTE.length], "data-role": role, "data-day": d });
      bar.append(svg("title", {}, `${d}: ${value} refused to ${role}`));
      root.append(bar);
    });
    if (byDay.size <= 31 ? i % Math.ceil(byDay.size / 10) === 0 : i % 14 === 0) {
      root.append(svg("text", { x: x + step * 0.4, y: height - bottom + 16, "text-anchor": "middle" }, d.slice(5)));
    }
  });
  chart.append(root);
  const key = el("div", { class: "key" });
  roles.forEach((role, r) => {
    const item = el("span", {}, role);
    item.style.setProperty("--c", PALETTE[r % PALETTE.length]);
    key.append(item);
  });
  if (roles.length === 0) key.append(el("span", {}, "No refusals in this period."));
  chart.append(key);
}

// ---- Start ------------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", async () => {
  $("sign-in-form").addEventListener("submit", (e) => {
    e.preventDefault();
    signIn($("token").value);
  });
  $("sign-out").addEventListener("click", signOut);
  for (const tab of document.querySelectorAll('[role="tab"]')) {
    tab.addEventListener("click", () => show(tab.getAttribute("aria-controls")));
  }
  $("simulate").addEventListener("click", simulate);
  $("apply").addEventListener("click", apply);
  $("compare").addEventListener("click", compare);
  $("audit-form").addEventListener("submit", (e) => {
    e.preventDefault();
    loadAudit();
  });
  $("denials-form").addEventListener("submit", (e) => {
    e.preventDefault();
    loadDenials();
  });
  // The demo offers its own privacy officer token; a real server has none to offer.
  try {
    const demo = await fetch("/admin/demo-token");
    if (demo.ok) {
      const token = (await demo.text()).trim();
      $("demo-token").hidden = false;
      $("demo-token").addEventListener("click", () => {
        $("token").value = token;
        signIn(token);
      });
    }
  } catch {
    // No demo token: sign in by pasting one.
  }
  const saved = sessionStorage.getItem("vigo-admin-token");
  if (saved) signIn(saved);
});
