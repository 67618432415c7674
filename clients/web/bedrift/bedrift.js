// Vigo Bedrift: a training company's applicants for its approved trades, its apprentices with
// their contracts and trade tests, and its answers to placements. What the gate withholds is
// shown as withheld.
import {
  $, Pager, attempt, code, date, el, facts, fill, intakeYear, personHeading, query, ready,
  schoolYear, setUpHeader, showDone, signedIn, table, tabs, t,
} from "/portal/portal.js";

const PAGE_SIZE = 20;
const view = { caller: null, company: null, tab: "applicants", year: intakeYear(), trade: "", answer: null };
const pager = new Pager(() => loadList());

async function begin() {
  view.caller = await signedIn("COMPANY", begin);
  if (!view.caller) return;
  const company = await attempt(() => query("company"), begin);
  if (!company) return;
  view.company = company.data.ownOrganisation;
  await loadList();
}

async function loadList() {
  const loaded =
    view.tab === "applicants"
      ? await attempt(() =>
          query("applicants", {
            first: PAGE_SIZE,
            after: pager.after,
            intakeYear: view.year,
            trade: view.trade || null,
          }),
          loadList,
        )
      : await attempt(() => query("apprentices", { first: PAGE_SIZE, after: pager.after }), loadList);
  if (!loaded) return;
  view.answer = loaded;
  draw();
}

function choose(changes) {
  Object.assign(view, changes);
  pager.reset();
  loadList();
}

function draw() {
  if (!view.company) return;
  const trades = view.company.approvedTrades || [];
  fill(
    $("content"),
    el("h1", {}, view.company.name || t("bedrift")),
    el("p", { class: "lead" }, t("bedriftLead")),
    el(
      "p",
      { id: "approved-trades" },
      el("strong", {}, `${t("approvedTrades")}: `),
      trades.map((a) => a.trade.name).join(", ") || t("none"),
    ),
    tabs(
      [
        ["applicants", t("applicants")],
        ["apprentices", t("apprentices")],
      ],
      view.tab,
      (tab) => choose({ tab }),
    ),
    view.tab === "applicants" ? applicantFilters(trades) : null,
    el("div", { role: "tabpanel", "aria-labelledby": `tab-${view.tab}`, id: "list" }, list()),
  );
  ready(`bedrift-${view.tab}`);
}

function applicantFilters(trades) {
  const year = el(
    "select",
    { id: "filter-year", onchange: (e) => choose({ year: Number(e.target.value) }) },
    [intakeYear(), intakeYear() + 1].map((y) =>
      el("option", { value: String(y), selected: y === view.year }, String(y)),
    ),
  );
  const trade = el(
    "select",
    { id: "filter-trade", onchange: (e) => choose({ trade: e.target.value }) },
    el("option", { value: "" }, t("allTrades")),
    trades.map((a) =>
      el("option", { value: a.trade.code, selected: a.trade.code === view.trade }, a.trade.name),
    ),
  );
  return el(
    "div",
    { class: "filters" },
    el("div", {}, el("label", { for: "filter-year" }, t("filterYear")), year),
    el("div", {}, el("label", { for: "filter-trade" }, t("filterTrade")), trade),
  );
}

function list() {
  const answer = view.answer;
  if (!answer || !answer.data.persons) return el("p", { class: "hint" }, t("loading"));
  const connection = answer.data.persons;
  const base = (i) => ["persons", "edges", i, "node"];
  return [
    pager.controls(connection, connection.edges.length),
    connection.edges.length
      ? connection.edges.map((edge, i) =>
          view.tab === "applicants" ? applicant(answer, base(i), edge.node) : apprentice(answer, base(i), edge.node),
        )
      : el("p", { class: "empty" }, t("none")),
    connection.edges.length > 5 ? pager.controls(connection, connection.edges.length) : null,
  ];
}

function applicant(answer, path, person) {
  const wishes = [];
  (person.applications || []).forEach((application, a) =>
    (application.wishes || []).forEach((wish, w) => wishes.push({ application, a, wish, w })),
  );
  return el(
    "article",
    { class: "card person", "data-national-id": person.nationalId ?? "" },
    personHeading(answer, path, person),
    facts([
      [t("address"), answer.show([...path, "contact", "address"])],
      [t("postalCode"), answer.show([...path, "contact", "postalCode"])],
      [t("city"), answer.show([...path, "contact", "city"])],
      [t("phone"), answer.show([...path, "contact", "phone"])],
      [t("email"), answer.show([...path, "contact", "email"])],
    ]),
    answer.isWithheld([...path, "applications"])
      ? facts([[t("applications"), answer.show([...path, "applications"])]])
      : table(
          t("applications"),
          [t("rank"), t("intakeYear"), t("trade"), t("status"), t("placement")],
          wishes.map(({ application, wish }) => [
            String(wish.rank),
            String(application.intakeYear),
            wish.programmeArea ? wish.programmeArea.name : "–",
            code("ApplicationStatus", application.status),
            placements(wish.offers || []),
          ]),
        ),
    el(
      "details",
      {},
      el("summary", {}, `${t("results")} (${answer.isWithheld([...path, "results"]) ? t("withheld") : (person.results || []).length})`),
      answer.isWithheld([...path, "results"])
        ? answer.show([...path, "results"])
        : table(
            "",
            [t("subject"), t("grade"), t("kind"), t("schoolYear")],
            (person.results || []).map((r) => [r.subjectCode, r.grade, code("ResultKind", r.kind), schoolYear(r.schoolYear)]),
          ),
    ),
  );
}

/** The placements made to the company for one wish, with buttons where it is to answer. */
function placements(offers) {
  const own = offers.filter((o) => o.round === "PLACEMENT");
  if (!own.length) return "–";
  return el(
    "div",
    {},
    own.map((offer) =>
      offer.answer === "UNANSWERED"
        ? el(
            "div",
            { class: "actions", "data-offer": offer.id },
            el("button", { type: "button", class: "primary", onclick: () => answerPlacement(offer.id, true) }, t("placementAccept")),
            el("button", { type: "button", onclick: () => answerPlacement(offer.id, false) }, t("placementDecline")),
          )
        : el("p", {}, `${code("OfferAnswer", offer.answer)} ${date(offer.answeredAt)}`),
    ),
  );
}

async function answerPlacement(offerId, accept) {
  const done = await attempt(
    () => query("answer-placement", { offerId, accept }),
    () => answerPlacement(offerId, accept),
  );
  if (!done) return;
  await loadList();
  showDone(t("placementAnswered", code("OfferAnswer", done.data.answerPlacement.answer)));
}

function apprentice(answer, path, person) {
  return el(
    "article",
    { class: "card person", "data-national-id": person.nationalId ?? "" },
    personHeading(answer, path, person),
    facts([
      [t("phone"), answer.show([...path, "contact", "phone"])],
      [t("email"), answer.show([...path, "contact", "email"])],
    ]),
    table(
      t("contracts"),
      [t("trade"), t("kind"), t("status"), t("start"), t("end"), t("approvedOn"), t("trainingOffice")],
      (person.contracts || []).map((c) => [
        c.trade ? c.trade.name : "–",
        code("ContractKind", c.kind),
        code("ContractStatus", c.status),
        date(c.startDate),
        date(c.endDate),
        date(c.approvedOn),
        c.trainingOffice ? c.trainingOffice.name : "–",
      ]),
    ),
    table(
      t("tradeTests"),
      [t("trade"), t("kind"), t("registeredOn"), t("testDate"), t("result")],
      (person.tradeTests || []).map((test) => [
        test.trade ? test.trade.name : "–",
        code("TradeTestKind", test.kind),
        date(test.registeredOn),
        date(test.testDate),
        code("TradeTestResult", test.result),
      ]),
    ),
  );
}

setUpHeader(draw);
begin();
