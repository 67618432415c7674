// Vigo Skole: a school's pupils by programme area and level with their enrolments and results
// at the school, and the applicants of the current intake offered a place there.
import {
  $, Pager, attempt, code, date, el, facts, fill, intakeYear, number, personHeading, query,
  ready, schoolYear, setUpHeader, signedIn, table, tabs, t,
} from "/portal/portal.js";

const PAGE_SIZE = 25;
const view = { caller: null, school: null, tab: "pupils", programmeArea: "", status: "", answer: null };
const pager = new Pager(() => loadList());

async function begin() {
  view.caller = await signedIn("SCHOOL", begin);
  if (!view.caller) return;
  const school = await attempt(() => query("school"), begin);
  if (!school) return;
  view.school = school.data.ownOrganisation;
  await loadList();
}

async function loadList() {
  const loaded =
    view.tab === "pupils"
      ? await attempt(() =>
          query("pupils", {
            first: PAGE_SIZE,
            after: pager.after,
            school: view.caller.organisation,
            programmeArea: view.programmeArea || null,
            status: view.status || null,
          }),
          loadList,
        )
      : await attempt(
          () => query("offered", { first: PAGE_SIZE, after: pager.after, intakeYear: intakeYear() }),
          loadList,
        );
  if (!loaded) return;
  view.answer = loaded;
  draw();
}

function choose(changes) {
  Object.assign(view, changes);
  pager.reset();
  loadList();
}

/** The programme areas the school offers, by level and name. */
function programmeAreas() {
  const seen = new Map();
  for (const offer of (view.school && view.school.offers) || []) {
    if (offer.programmeArea) seen.set(offer.programmeArea.code, offer.programmeArea);
  }
  return [...seen.values()].sort(
    (a, b) => String(a.level).localeCompare(String(b.level)) || String(a.name).localeCompare(String(b.name)),
  );
}

function draw() {
  if (!view.school) return;
  fill(
    $("content"),
    el("h1", {}, view.school.name || t("skole")),
    el("p", { class: "lead" }, t("skoleLead")),
    tabs(
      [
        ["pupils", t("pupils")],
        ["offered", t("offered")],
      ],
      view.tab,
      (tab) => choose({ tab }),
    ),
    view.tab === "pupils" ? filters() : el("p", {}, t("offeredLead", intakeYear())),
    el("div", { role: "tabpanel", "aria-labelledby": `tab-${view.tab}`, id: "list" }, list()),
  );
  ready(`skole-${view.tab}`);
}

function filters() {
  const area = el(
    "select",
    { id: "filter-programme", onchange: (e) => choose({ programmeArea: e.target.value }) },
    el("option", { value: "" }, t("allProgrammes")),
    programmeAreas().map((p) =>
      el("option", { value: p.code, selected: p.code === view.programmeArea }, `${code("Level", p.level)} · ${p.name}`),
    ),
  );
  const status = el(
    "select",
    { id: "filter-status", onchange: (e) => choose({ status: e.target.value }) },
    el("option", { value: "" }, t("allStatuses")),
    ["ACTIVE", "COMPLETED", "WITHDRAWN", "TRANSFERRED"].map((s) =>
      el("option", { value: s, selected: s === view.status }, code("EnrolmentStatus", s)),
    ),
  );
  return el(
    "div",
    { class: "filters" },
    el("div", {}, el("label", { for: "filter-programme" }, t("programme")), area),
    el("div", {}, el("label", { for: "filter-status" }, t("status")), status),
  );
}

function list() {
  const answer = view.answer;
  if (!answer || !answer.data.persons) return el("p", { class: "hint" }, t("loading"));
  const connection = answer.data.persons;
  const path = (i) => ["persons", "edges", i, "node"];
  const nodes = connection.edges.map((edge) => edge.node);
  return [
    pager.controls(connection, nodes.length),
    view.tab === "pupils"
      ? pupils(answer, nodes, path)
      : el("div", {}, nodes.length ? nodes.map((n, i) => offered(answer, path(i), n)) : el("p", { class: "empty" }, t("none"))),
    nodes.length > 10 ? pager.controls(connection, nodes.length) : null,
  ];
}

function pupils(answer, nodes, path) {
  return table(
    t("pupils"),
    [t("name"), t("nationalId"), t("programme"), t("level"), t("schoolYear"), t("status"), t("details")],
    nodes.map((person, i) => {
      const enrolments = [...(person.enrolments || [])].sort((a, b) => (b.schoolYear ?? 0) - (a.schoolYear ?? 0));
      const latest = enrolments[0];
      return [
        `${person.givenName ?? ""} ${person.familyName ?? ""}`,
        answer.show([...path(i), "nationalId"]),
        latest && latest.programmeArea ? latest.programmeArea.name : "–",
        latest && latest.programmeArea ? code("Level", latest.programmeArea.level) : "–",
        latest ? schoolYear(latest.schoolYear) : "–",
        latest ? code("EnrolmentStatus", latest.status) : "–",
        el(
          "details",
          {},
          el("summary", {}, t("details")),
          facts([
            [t("phone"), answer.show([...path(i), "contact", "phone"])],
            [t("email"), answer.show([...path(i), "contact", "email"])],
          ]),
          table(
            t("enrolments"),
            [t("schoolYear"), t("programme"), t("status"), t("coursePercentage"), t("start"), t("end")],
            enrolments.map((e) => [
              schoolYear(e.schoolYear),
              e.programmeArea ? e.programmeArea.name : "–",
              code("EnrolmentStatus", e.status),
              e.coursePercentage === null ? "–" : `${number(e.coursePercentage)} %`,
              date(e.startDate),
              date(e.endDate),
            ]),
          ),
          answer.isWithheld([...path(i), "results"])
            ? facts([[t("results"), answer.show([...path(i), "results"])]])
            : table(
                t("results"),
                [t("subject"), t("grade"), t("kind"), t("schoolYear")],
                (person.results || []).map((r) => [r.subjectCode, r.grade, code("ResultKind", r.kind), schoolYear(r.schoolYear)]),
              ),
        ),
      ];
    }),
  );
}

function offered(answer, path, person) {
  const wishes = [];
  for (const application of person.applications || []) {
    for (const wish of application.wishes || []) wishes.push({ application, wish });
  }
  return el(
    "article",
    { class: "card person", "data-national-id": person.nationalId ?? "" },
    personHeading(answer, path, person),
    facts([
      [t("address"), answer.show([...path, "contact", "address"])],
      [t("city"), answer.show([...path, "contact", "city"])],
      [t("phone"), answer.show([...path, "contact", "phone"])],
      [t("email"), answer.show([...path, "contact", "email"])],
    ]),
    table(
      t("applications"),
      [t("rank"), t("programme"), t("points"), t("status"), t("offer"), t("answer")],
      wishes.map(({ application, wish }) => [
        String(wish.rank),
        wish.programmeArea ? `${code("Level", wish.programmeArea.level)} · ${wish.programmeArea.name}` : "–",
        application.points === null ? "–" : number(application.points, 2),
        code("WishStatus", wish.status),
        (wish.offers || []).map((o) => `${code("IntakeRound", o.round)} ${date(o.offeredAt)}`).join(", ") || "–",
        (wish.offers || []).map((o) => code("OfferAnswer", o.answer)).join(", ") || "–",
      ]),
    ),
  );
}

setUpHeader(draw);
begin();
