// What every portal page shares: the GraphQL client with the user's own token, sign-in and
// sign-out, the language switch (bokmål, English), Norwegian dates and numbers, and how a
// withheld field, an expired session or a failed request is shown. The pages hold no data of
// their own: everything comes from POST /graphql, as any partner's client would get it.

import { TEXT, label } from "/portal/text.js";

const TOKEN_KEY = "vigo-portal-token";
const LANGUAGE_KEY = "vigo-portal-language";

/** The portal for each role, by path under /portal/. */
export const PORTALS = {
  STUDENT: "min-side",
  COMPANY: "bedrift",
  SCHOOL: "skole",
  OT: "ot",
};

// ---- Language ---------------------------------------------------------------------------

export function language() {
  return localStorage.getItem(LANGUAGE_KEY) === "en" ? "en" : "nb";
}

/** The text `key` in the chosen language, with `{0}`, `{1}` … filled in. */
export function t(key, ...values) {
  const text = TEXT[language()][key] ?? TEXT.nb[key] ?? key;
  return text.replace(/\{(\d+)\}/g, (_, i) => String(values[Number(i)] ?? ""));
}

/** The label of an enum value, e.g. `code("EnrolmentStatus", "ACTIVE")`. */
export function code(kind, value) {
  if (value === null || value === undefined) return "–";
  return label(language(), kind, value);
}

/** Dates and numbers are written the Norwegian way in both languages: 03.12.2026, 42,50. */
const LOCALE = "nb-NO";

/** A date (`YYYY-MM-DD`) or time as Norwegians write it: 03.12.2026, 14:30. */
export function date(value, withTime = false) {
  if (!value) return "–";
  const parsed = new Date(value.length === 10 ? `${value}T12:00:00Z` : value);
  if (Number.isNaN(parsed.getTime())) return value;
  const options = { day: "2-digit", month: "2-digit", year: "numeric", timeZone: "Europe/Oslo" };
  if (withTime) Object.assign(options, { hour: "2-digit", minute: "2-digit" });
  return new Intl.DateTimeFormat(LOCALE, options).format(parsed);
}

/** A number with a decimal comma in bokmål: 42,50. */
export function number(value, decimals = 0) {
  if (value === null || value === undefined) return "–";
  return new Intl.NumberFormat(LOCALE, {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  }).format(value);
}

/** A school year by the year it starts: 2025/26. */
export function schoolYear(year) {
  if (year === null || year === undefined) return "–";
  return `${year}/${String((year + 1) % 100).padStart(2, "0")}`;
}

/** The current intake, as the API's scopes count it: the calendar year in Oslo. */
export function intakeYear() {
  const year = new Intl.DateTimeFormat("en", { year: "numeric", timeZone: "Europe/Oslo" }).format(
    new Date(),
  );
  return Number(year);
}

/** A decision's explanation in the chosen language: stored as bokmål, a blank line, English. */
export function explanation(text) {
  if (!text) return "–";
  const split = text.indexOf("\n\n");
  if (split < 0) return text;
  return language() === "en" ? text.slice(split + 2) : text.slice(0, split);
}

// ---- Elements ---------------------------------------------------------------------------

export const $ = (id) => document.getElementById(id);

/** Builds an element with attributes and children (strings become text, never HTML). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Replaces the children of `node`, keeping keyboard focus on the control that had it. */
export function fill(node, ...children) {
  const focused = node.contains(document.activeElement) ? document.activeElement.id : "";
  node.replaceChildren();
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
  return node;
}

/** How a field the access policy withholds from this user is shown: in words, not colour. */
export function withheld() {
  return el("span", { class: "withheld", title: t("withheldTitle") }, t("withheld"));
}

/** A table with a caption, headings and rows (each a list of cells); a note when empty. */
export function table(caption, headings, rows, empty = t("none")) {
  if (!rows.length) {
    return el("div", { class: "table" }, caption ? el("p", { class: "caption" }, caption) : null, el("p", { class: "empty" }, empty));
  }
  return el(
    "div",
    { class: "table" },
    el(
      "table",
      {},
      el("caption", { class: caption ? "" : "visually-hidden" }, caption || headings.join(", ")),
      el("thead", {}, el("tr", {}, headings.map((h) => el("th", { scope: "col" }, h)))),
      el(
        "tbody",
        {},
        rows.map((cells) =>
          el(
            "tr",
            {},
            cells.map((cell, i) =>
              i === 0 ? el("th", { scope: "row" }, cell ?? "–") : el("td", {}, cell ?? "–"),
            ),
          ),
        ),
      ),
    ),
  );
}

/** Tabs over one panel: `items` are `[id, label]`; `choose(id)` switches to one. */
export function tabs(items, selected, choose) {
  return el(
    "ul",
    { class: "tabs", role: "tablist" },
    items.map(([id, text]) =>
      el(
        "li",
        {},
        el(
          "button",
          { type: "button", role: "tab", id: `tab-${id}`, "aria-selected": String(selected === id), onclick: () => choose(id) },
          text,
        ),
      ),
    ),
  );
}

/** A person's name with their national id, or the withheld marker where it is withheld. */
export function personHeading(answer, path, person) {
  return el(
    "h3",
    {},
    `${person.givenName ?? ""} ${person.familyName ?? ""} `,
    el("span", { class: "muted" }, "(", answer.show([...path, "nationalId"]), ")"),
  );
}

/** A list of label and value pairs. */
export function facts(pairs) {
  return el(
    "dl",
    { class: "facts" },
    pairs.map(([name, value]) => [el("dt", {}, name), el("dd", {}, value ?? "–")]),
  );
}

// ---- The API ----------------------------------------------------------------------------

/** The answer to one GraphQL document: its data and which paths the policy withheld. */
export class Answer {
  constructor(data, withheldPaths) {
    this.data = data;
    this.withheldPaths = withheldPaths;
  }

  /** Whether the field at `path` (a list of names and indexes) was withheld. */
  isWithheld(path) {
    return this.withheldPaths.has(path.join("."));
  }

  /** The value at `path` for display: the withheld marker, a dash for none, or `show(value)`. */
  show(path, show = (v) => v) {
    if (this.isWithheld(path)) return withheld();
    let value = this.data;
    for (const step of path) value = value == null ? value : value[step];
    if (value === null || value === undefined || value === "") return "–";
    return show(value);
  }
}

/** An error the page shows in words; `expired` sends the user to sign in again. */
export class PortalError extends Error {
  constructor(message, { expired = false, retry = true } = {}) {
    super(message);
    this.expired = expired;
    this.retry = retry;
  }
}

const documents = new Map();

/** The GraphQL document `name` of this page, from the file beside it. */
async function documentText(name) {
  if (!documents.has(name)) {
    let response;
    try {
      response = await fetch(new URL(`${name}.graphql`, location.href), { cache: "no-cache" });
    } catch {
      throw new PortalError(t("errorNetwork"));
    }
    if (!response.ok) throw new PortalError(t("errorServer", response.status));
    documents.set(name, await response.text());
  }
  return documents.get(name);
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || "";
}

/** Runs the document `name` (a file beside the page) with the user's token. FORBIDDEN fields
 *  come back as withheld paths; any other error is thrown as a PortalError in words. */
export async function query(name, variables = {}) {
  const text = await documentText(name);
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/graphql-response+json, application/json",
        authorization: `Bearer ${token()}`,
      },
      body: JSON.stringify({ query: text, variables }),
    });
  } catch {
    throw new PortalError(t("errorNetwork"));
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new PortalError(t("errorServer", response.status));
  }
  const errors = body.errors || [];
  if (response.status === 401) {
    const message = errors[0] ? errors[0].message : "";
    throw new PortalError(/expired/.test(message) ? t("expired") : t("signInAgain"), {
      expired: true,
      retry: false,
    });
  }
  const withheldPaths = new Set();
  const other = [];
  for (const error of errors) {
    const errorCode = error.extensions && error.extensions.code;
    if (errorCode === "FORBIDDEN" && error.path) withheldPaths.add(error.path.join("."));
    else other.push(error);
  }
  if (other.length && (!body.data || Object.values(body.data).every((v) => v === null))) {
    const first = other[0];
    const errorCode = first.extensions && first.extensions.code;
    if (errorCode === "FORBIDDEN") throw new PortalError(t("notForYou"), { retry: false });
    if (errorCode === "BAD_USER_INPUT") throw new PortalError(first.message, { retry: false });
    if (response.status === 429) throw new PortalError(t("errorBusy"));
    throw new PortalError(t("errorServer", response.status));
  }
  return new Answer(body.data, withheldPaths);
}

// ---- The page ---------------------------------------------------------------------------

/** Shows `error` in the page's message box, with a retry button where retrying may help. */
export function showError(error, retry) {
  const box = $("message");
  const message = error instanceof PortalError ? error.message : t("errorUnexpected");
  const children = [el("p", {}, message)];
  if (error instanceof PortalError && error.expired) {
    sessionStorage.removeItem(TOKEN_KEY);
    children.push(el("a", { href: "/portal/", class: "button" }, t("signIn")));
  } else if (retry && !(error instanceof PortalError && !error.retry)) {
    children.push(
      el(
        "button",
        {
          type: "button",
          id: "retry",
          onclick: () => {
            box.hidden = true;
            retry();
          },
        },
        t("retry"),
      ),
    );
  }
  fill(box, children);
  box.className = "message error";
  box.hidden = false;
  box.focus();
}

/** Shows a confirmation in the page's message box. */
export function showDone(message) {
  const box = $("message");
  fill(box, el("p", {}, message));
  box.className = "message ok";
  box.hidden = false;
}

export function clearMessage() {
  $("message").hidden = true;
}

/** Runs `task`, showing its error with a retry of `again` (the step the task belongs to,
 *  which draws what it loads; the task itself when not given); its result or undefined. */
export async function attempt(task, again = null) {
  try {
    return await task();
  } catch (error) {
    if (!(error instanceof PortalError)) console.error(error);
    showError(error, again || (() => attempt(task)));
    return undefined;
  }
}

/** Writes the page's shared parts in the chosen language: `data-text` elements, the
 *  language switch, the logging notice, and the page title. */
export function translate() {
  document.documentElement.lang = language();
  for (const node of document.querySelectorAll("[data-text]")) {
    node.textContent = t(node.dataset.text);
  }
  for (const node of document.querySelectorAll("[data-label]")) {
    node.setAttribute("aria-label", t(node.dataset.label));
  }
  const switcher = $("language");
  if (switcher) {
    switcher.textContent = language() === "en" ? "Norsk (bokmål)" : "English";
    switcher.setAttribute("lang", language() === "en" ? "nb" : "en");
  }
  const title = document.body.dataset.title;
  if (title) document.title = `${t(title)} · Vigo`;
}

/** Sets up the header's language switch and sign-out; `redraw` runs after a switch. */
export function setUpHeader(redraw) {
  translate();
  $("language").addEventListener("click", () => {
    localStorage.setItem(LANGUAGE_KEY, language() === "en" ? "nb" : "en");
    translate();
    redraw();
  });
  const signOut = $("sign-out");
  if (signOut) {
    signOut.addEventListener("click", () => {
      sessionStorage.removeItem(TOKEN_KEY);
      location.assign("/portal/");
    });
  }
}

export function storeToken(value) {
  sessionStorage.setItem(TOKEN_KEY, value.trim());
}

/** Who the token acts for, or a redirect to sign in. `expected` is the role the page is for;
 *  a token of another role sees a notice and nothing else (the API would give it nothing
 *  of this page's anyway). `again` is retried after a failure. */
export async function signedIn(expected, again) {
  if (!token()) {
    location.replace("/portal/");
    return null;
  }
  const answer = await attempt(() => query("../caller"), again);
  if (!answer) return null;
  const caller = answer.data.caller;
  if (caller.role !== expected) {
    const own = PORTALS[caller.role];
    fill(
      $("content"),
      el("h2", {}, t("wrongPortalTitle")),
      el("p", { id: "wrong-portal" }, t("wrongPortal", code("Role", expected), code("Role", caller.role))),
      own ? el("a", { href: `/portal/${own}/`, class: "button" }, t("toYourPortal")) : null,
    );
    return null;
  }
  const who = $("who");
  who.textContent = caller.organisation
    ? `${code("Role", caller.role)} · ${caller.organisation}`
    : code("Role", caller.role);
  who.hidden = false;
  $("sign-out").hidden = false;
  return caller;
}

/** Previous/next buttons over a cursor-paged list. `load(after)` loads a page. */
export class Pager {
  constructor(load) {
    this.load = load;
    this.cursors = [null];
  }

  get after() {
    return this.cursors[this.cursors.length - 1];
  }

  reset() {
    this.cursors = [null];
  }

  /** The navigation for a page whose connection is `connection`. */
  controls(connection, shown) {
    const page = this.cursors.length;
    const previous = el(
      "button",
      {
        type: "button",
        class: "previous",
        disabled: page === 1,
        onclick: () => {
          this.cursors.pop();
          this.load();
        },
      },
      t("previous"),
    );
    const next = el(
      "button",
      {
        type: "button",
        class: "next",
        disabled: !connection.pageInfo.hasNextPage,
        onclick: () => {
          this.cursors.push(connection.pageInfo.endCursor);
          this.load();
        },
      },
      t("next"),
    );
    return el(
      "nav",
      { class: "pager", "aria-label": t("pages") },
      previous,
      el("span", { class: "page-count", "aria-live": "polite" }, t("pageOf", page, number(shown), number(connection.totalCount))),
      next,
    );
  }
}

/** Client-side pages of a list held whole (an access log): `size` rows at a time. */
export function pagedRows(rows, size, render) {
  const holder = el("div", {});
  let page = 0;
  const draw = () => {
    const last = Math.max(0, Math.ceil(rows.length / size) - 1);
    page = Math.min(page, last);
    const slice = rows.slice(page * size, page * size + size);
    fill(
      holder,
      render(slice),
      rows.length > size
        ? el(
            "nav",
            { class: "pager", "aria-label": t("pages") },
            el("button", { type: "button", class: "previous", disabled: page === 0, onclick: () => { page -= 1; draw(); } }, t("previous")),
            el("span", { class: "page-count" }, t("rowsOf", page * size + 1, page * size + slice.length, rows.length)),
            el("button", { type: "button", class: "next", disabled: page >= last, onclick: () => { page += 1; draw(); } }, t("next")),
          )
        : null,
    );
  };
  draw();
  return holder;
}

/** The page is ready for its first paint (tests and timings wait for this). */
export function ready(name) {
  document.body.dataset.ready = name;
  if (!document.body.dataset.readyAt) document.body.dataset.readyAt = String(Math.round(performance.now()));
}
