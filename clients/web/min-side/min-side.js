// Min side: the person's own record, grouped as a person reads it, with who has looked at it,
// whom it was sent to and the decisions about them; answering an offer; the art. 15 export.
import {
  $, attempt, code, date, el, explanation, facts, fill, number, pagedRows, query, ready,
  schoolYear, setUpHeader, showDone, signedIn, table, t,
} from "/portal/portal.js";

let answer = null;

const yesNo = (value) => (value ? t("yes") : t("no"));
const categories = (list) => (list || []).map((c) => code("Category", c)).join(", ");
const organisation = (event) => {
  if (!event.actorOrg) return "–";
  return event.actorOrgName ? `${event.actorOrgName} (${event.actorOrg})` : event.actorOrg;
};

async function load() {
  const loaded = await attempt(() => query("me"), load);
  if (!loaded) return;
  answer = loaded;
  draw();
}

function draw() {
  if (!answer) return;
  const me = answer.data.me;
  const content = $("content");
  if (!me) {
    fill(content, el("h1", {}, t("minSide")), el("p", {}, t("none")));
    return;
  }
  const show = (path, format) => answer.show(["me", ...[path].flat()], format);
  fill(
    content,
    el("h1", {}, `${me.givenName ?? ""} ${me.familyName ?? ""}`.trim() || t("minSide")),
    el("p", { class: "lead" }, t("minSideLead")),
    identity(show, me),
    schooling(me),
    applications(me),
    apprenticeship(me),
    rights(me),
    decisions(me),
    accessLog(me),
    disclosures(me),
    exportSection(),
  );
  ready("min-side");
}

function identity(show, me) {
  const contact = me.contact;
  const changes = (contact && contact.changes) || [];
  return el(
    "section",
    { id: "identity", "aria-labelledby": "identity-title" },
    el("h2", { id: "identity-title" }, t("identity")),
    facts([
      [t("nationalId"), show("nationalId")],
      [t("name"), `${me.givenName ?? ""} ${me.familyName ?? ""}`],
      [t("birthDate"), show("birthDate", (v) => date(v))],
      [t("gender"), show("gender", (v) => code("Gender", v))],
      [t("citizenship"), show("citizenship")],
    ]),
    el("h3", {}, t("contact")),
    contact || answer.isWithheld(["me", "contact"])
      ? facts([
          [t("address"), show(["contact", "address"])],
          [t("postalCode"), show(["contact", "postalCode"])],
          [t("city"), show(["contact", "city"])],
          [t("municipality"), show(["contact", "municipalityCode"])],
          [t("phone"), show(["contact", "phone"])],
          [t("email"), show(["contact", "email"])],
        ])
      : el("p", { class: "empty" }, t("none")),
    changes.length
      ? el(
          "details",
          {},
          el("summary", {}, `${t("contactChanges")} (${changes.length})`),
          table(
            "",
            [t("when"), t("source"), t("changedBy"), t("changes")],
            changes.map((c) => [
              date(c.changedAt, true),
              code("Source", c.source),
              code("Role", c.actorRole),
              describeChange(c.detail),
            ]),
          ),
        )
      : null,
  );
}

/** A contact change's JSON (`{"city":{"from":…,"to":…}}`) in words. */
function describeChange(detail) {
  try {
    const fields = JSON.parse(detail || "{}");
    return Object.entries(fields)
      .map(([field, change]) => `${t(field === "municipalityCode" ? "municipality" : field)}: ${change.from ?? "–"} → ${change.to ?? "–"}`)
      .join("; ");
  } catch {
    return detail || "–";
  }
}

function schooling(me) {
  const results = [...(me.results || [])].sort((a, b) => (b.schoolYear ?? 0) - (a.schoolYear ?? 0));
  return el(
    "section",
    { id: "schooling", "aria-labelledby": "schooling-title" },
    el("h2", { id: "schooling-title" }, t("schoolHistory")),
    table(
      t("enrolments"),
      [t("schoolYear"), t("school"), t("programme"), t("level"), t("status"), t("coursePercentage"), t("start"), t("end")],
      (me.enrolments || []).map((e) => [
        schoolYear(e.schoolYear),
        e.school ? e.school.name : "–",
        e.programmeArea ? e.programmeArea.name : "–",
        e.programmeArea ? code("Level", e.programmeArea.level) : "–",
        code("EnrolmentStatus", e.status),
        e.coursePercentage === null ? "–" : `${number(e.coursePercentage)} %`,
        date(e.startDate),
        date(e.endDate),
      ]),
    ),
    el("h3", {}, t("results")),
    pagedRows(results, 20, (rows) =>
      table(
        "",
        [t("subject"), t("grade"), t("kind"), t("schoolYear"), t("school"), t("passed")],
        rows.map((r) => [
          r.subjectCode,
          r.grade,
          code("ResultKind", r.kind),
          schoolYear(r.schoolYear),
          r.school ? r.school.name : "–",
          r.passed === null ? "–" : yesNo(r.passed),
        ]),
      ),
    ),
    el("h3", {}, t("absence")),
    table(
      "",
      [t("schoolYear"), t("days"), t("hours")],
      (me.absence || []).map((a) => [schoolYear(a.schoolYear), number(a.days), number(a.hours)]),
    ),
  );
}

const DAY = 24 * 3600 * 1000;

function applications(me) {
  return el(
    "section",
    { id: "applications", "aria-labelledby": "applications-title" },
    el("h2", { id: "applications-title" }, t("applications")),
    (me.applications || []).length
      ? me.applications.map((application) =>
          el(
            "div",
            { class: "card" },
            el("h3", {}, `${t("intakeYear")} ${application.intakeYear}`),
            facts([
              [t("status"), code("ApplicationStatus", application.status)],
              [t("points"), application.points === null ? "–" : number(application.points, 2)],
              [t("submitted"), date(application.submittedAt, true)],
            ]),
            table(
              "",
              [t("rank"), t("wish"), t("status"), t("offer"), t("answer")],
              (application.wishes || []).map((wish) => [
                String(wish.rank),
                wish.apprenticeship
                  ? `${t("apprenticeship")}: ${wish.programmeArea ? wish.programmeArea.name : "–"}`
                  : `${wish.programmeArea ? wish.programmeArea.name : "–"}, ${wish.school ? wish.school.name : "–"}`,
                code("WishStatus", wish.status),
                offers(wish.offers || []),
                answers(wish.offers || []),
              ]),
            ),
          ),
        )
      : el("p", { class: "empty" }, t("none")),
  );
}

function offers(list) {
  if (!list.length) return "–";
  return el(
    "ul",
    { class: "plain" },
    list.map((offer) =>
      el(
        "li",
        {},
        `${code("IntakeRound", offer.round)}, ${date(offer.offeredAt)}`,
        offer.company ? ` (${offer.company.name})` : null,
      ),
    ),
  );
}

/** The answer to each offer, or for an open school place the three ways to answer it. */
function answers(list) {
  if (!list.length) return "–";
  return el(
    "div",
    {},
    list.map((offer) => {
      const open = offer.answer === "UNANSWERED" && offer.round !== "PLACEMENT";
      if (!open) return el("p", {}, code("OfferAnswer", offer.answer), offer.answeredAt ? ` ${date(offer.answeredAt)}` : "");
      const deadline = offer.offeredAt ? date(new Date(new Date(offer.offeredAt).getTime() + 7 * DAY).toISOString()) : "–";
      return el(
        "div",
        { class: "answer", "data-offer": offer.id },
        el("p", {}, `${t("deadline")}: ${deadline}`),
        el(
          "div",
          { class: "actions" },
          [
            ["ACCEPTED", "accept"],
            ["ACCEPTED_WAITING", "acceptWaiting"],
            ["DECLINED", "decline"],
          ].map(([value, text]) =>
            el(
              "button",
              {
                type: "button",
                class: value === "ACCEPTED" ? "primary" : "",
                "data-answer": value,
                onclick: () => answerOffer(offer.id, value),
              },
              t(text),
            ),
          ),
        ),
      );
    }),
  );
}

async function answerOffer(offerId, value) {
  const done = await attempt(
    () => query("answer-offer", { offerId, answer: value }),
    () => answerOffer(offerId, value),
  );
  if (!done) return;
  await load();
  showDone(t("answered", code("OfferAnswer", done.data.answerOffer.answer)));
}

function apprenticeship(me) {
  return el(
    "section",
    { id: "apprenticeship", "aria-labelledby": "apprenticeship-title" },
    el("h2", { id: "apprenticeship-title" }, t("apprenticeshipTitle")),
    table(
      t("contracts"),
      [t("trade"), t("kind"), t("company"), t("trainingOffice"), t("status"), t("start"), t("end"), t("approvedOn")],
      (me.contracts || []).map((c) => [
        c.trade ? c.trade.name : "–",
        code("ContractKind", c.kind),
        c.company ? c.company.name : "–",
        c.trainingOffice ? c.trainingOffice.name : "–",
        code("ContractStatus", c.status),
        date(c.startDate),
        date(c.endDate),
        date(c.approvedOn),
      ]),
    ),
    table(
      t("tradeTests"),
      [t("trade"), t("kind"), t("examBoard"), t("registeredOn"), t("testDate"), t("result")],
      (me.tradeTests || []).map((test) => [
        test.trade ? test.trade.name : "–",
        code("TradeTestKind", test.kind),
        test.examBoard ? test.examBoard.name : "–",
        date(test.registeredOn),
        date(test.testDate),
        code("TradeTestResult", test.result),
      ]),
    ),
  );
}

function rights(me) {
  return el(
    "section",
    { id: "rights", "aria-labelledby": "rights-title" },
    el("h2", { id: "rights-title" }, t("rights")),
    table(
      "",
      [t("kind"), t("start"), t("expires"), t("years"), t("programmeChange"), t("assessment")],
      (me.educationRights || []).map((r) => [
        code("RightKind", r.kind),
        date(r.startDate),
        date(r.expiresOn),
        number(r.years),
        r.programmeChangeUsed === null ? "–" : yesNo(r.programmeChangeUsed),
        r.assessment,
      ]),
    ),
    table(
      t("diplomas"),
      [t("kind"), t("programme"), t("issuedOn")],
      (me.diplomas || []).map((d) => [
        code("DiplomaKind", d.kind),
        d.programmeArea ? d.programmeArea.name : "–",
        date(d.issuedOn),
      ]),
    ),
    table(
      t("followUp"),
      [t("status"), t("registered"), t("schoolYear")],
      (me.followUp || []).map((f) => [f.code, date(f.registeredAt), schoolYear(f.schoolYear)]),
    ),
    facts([[t("loanCustomer"), answer.show(["me", "loanCustomer"], yesNo)]]),
  );
}

function decisions(me) {
  const list = [...(me.decisions || [])].sort((a, b) => String(b.madeAt).localeCompare(String(a.madeAt)));
  return el(
    "section",
    { id: "decisions", "aria-labelledby": "decisions-title" },
    el("h2", { id: "decisions-title" }, t("decisions")),
    el("p", {}, t("decisionsLead")),
    list.length
      ? pagedRows(list, 10, (rows) =>
          el(
            "div",
            {},
            rows.map((d) =>
              el(
                "div",
                { class: "card decision" },
                el("h3", {}, `${code("DecisionKind", d.kind)}: ${d.outcome ?? "–"}`),
                el("p", { class: "muted" }, date(d.madeAt, true)),
                el("p", { class: "explanation" }, explanation(d.explanation)),
              ),
            ),
          ),
        )
      : el("p", { class: "empty" }, t("none")),
  );
}

function accessLog(me) {
  const list = [...(me.accessLog || [])].sort((a, b) => String(b.at).localeCompare(String(a.at)));
  return el(
    "section",
    { id: "access-log", "aria-labelledby": "access-log-title" },
    el("h2", { id: "access-log-title" }, t("accessLog")),
    el("p", {}, t("accessLogLead")),
    pagedRows(list, 20, (rows) =>
      table(
        "",
        [t("when"), t("organisation"), t("role"), t("purpose"), t("categories")],
        rows.map((e) => [
          date(e.at, true),
          organisation(e),
          code("Role", e.actorRole),
          code("Purpose", e.purpose),
          categories(e.categories),
        ]),
      ),
    ),
  );
}

function disclosures(me) {
  return el(
    "section",
    { id: "disclosures", "aria-labelledby": "disclosures-title" },
    el("h2", { id: "disclosures-title" }, t("disclosures")),
    table(
      "",
      [t("when"), t("recipient"), t("extract"), t("purpose"), t("legalBasis")],
      (me.disclosures || []).map((d) => [
        date(d.at, true),
        d.recipient,
        d.extract,
        code("Purpose", d.purpose),
        d.legalBasis,
      ]),
    ),
  );
}

function exportSection() {
  return el(
    "section",
    { id: "export", "aria-labelledby": "export-title" },
    el("h2", { id: "export-title" }, t("download")),
    el("p", {}, t("downloadLead")),
    el("button", { type: "button", id: "download", class: "primary", onclick: download }, t("download")),
  );
}

/** Saves the art. 15 export as a JSON file, made in the browser from the API's answer. */
async function download() {
  const exported = await attempt(() => query("export"), download);
  if (!exported) return;
  const name = `vigo-innsyn-${new Date().toISOString().slice(0, 10)}.json`;
  const blob = new Blob([JSON.stringify(exported.data.subjectExport, null, 2)], { type: "application/json" });
  const link = el("a", { href: URL.createObjectURL(blob), download: name });
  document.body.append(link);
  link.click();
  link.remove();
  showDone(t("downloaded", name));
}

async function begin() {
  if (!(await signedIn("STUDENT", begin))) return;
  await load();
}

setUpHeader(draw);
begin();
