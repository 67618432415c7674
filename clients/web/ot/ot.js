// Vigo OT: the follow-up service's target group with contact details and OT status; e-mail
// and grades are withheld from OT by the default policy and shown so. A new status can be
// registered where the policy gives OT that write.
import {
  $, Pager, attempt, code, date, el, facts, fill, personHeading, query, ready, schoolYear,
  setUpHeader, showDone, signedIn, table, t,
} from "/portal/portal.js";

const PAGE_SIZE = 20;
const view = { caller: null, answer: null, mayRegister: false };
const pager = new Pager(() => loadList());

async function begin() {
  view.caller = await signedIn("OT", begin);
  if (!view.caller) return;
  const writes = await attempt(() => query("writes"), begin);
  if (!writes) return;
  const mutation = writes.data.__type;
  view.mayRegister = Boolean(mutation && (mutation.fields || []).some((f) => f.name === "setFollowUpStatus"));
  await loadList();
}

async function loadList() {
  const loaded = await attempt(
    () => query("target-group", { first: PAGE_SIZE, after: pager.after }),
    loadList,
  );
  if (!loaded) return;
  view.answer = loaded;
  draw();
}

function draw() {
  const answer = view.answer;
  if (!answer) return;
  const connection = answer.data.persons;
  const path = (i) => ["persons", "edges", i, "node"];
  fill(
    $("content"),
    el("h1", {}, t("targetGroup")),
    el("p", { class: "lead" }, t("otLead")),
    view.mayRegister ? null : el("p", { class: "hint", id: "status-not-allowed" }, t("statusNotAllowed")),
    pager.controls(connection, connection.edges.length),
    connection.edges.length
      ? connection.edges.map((edge, i) => youth(answer, path(i), edge.node))
      : el("p", { class: "empty" }, t("none")),
    connection.edges.length > 5 ? pager.controls(connection, connection.edges.length) : null,
  );
  ready("ot");
}

function youth(answer, path, person) {
  const statuses = [...(person.followUp || [])].sort((a, b) => String(b.registeredAt).localeCompare(String(a.registeredAt)));
  return el(
    "article",
    { class: "card person", "data-national-id": person.nationalId ?? "" },
    personHeading(answer, path, person),
    facts([
      [t("address"), answer.show([...path, "contact", "address"])],
      [t("postalCode"), answer.show([...path, "contact", "postalCode"])],
      [t("city"), answer.show([...path, "contact", "city"])],
      [t("phone"), el("span", { class: "phone" }, answer.show([...path, "contact", "phone"]))],
      [t("email"), el("span", { class: "email" }, answer.show([...path, "contact", "email"]))],
      [t("results"), el("span", { class: "results" }, answer.isWithheld([...path, "results"]) ? answer.show([...path, "results"]) : (person.results || []).map((r) => `${r.subjectCode} ${r.grade}`).join(", ") || "–")],
    ]),
    table(
      t("followUp"),
      [t("status"), t("registered"), t("schoolYear")],
      statuses.map((s) => [s.code, date(s.registeredAt), schoolYear(s.schoolYear)]),
    ),
    answer.isWithheld([...path, "enrolments"])
      ? null
      : table(
          t("enrolments"),
          [t("schoolYear"), t("school"), t("programme"), t("status"), t("end")],
          (person.enrolments || []).map((e) => [
            schoolYear(e.schoolYear),
            e.school ? e.school.name : "–",
            e.programmeArea ? e.programmeArea.name : "–",
            code("EnrolmentStatus", e.status),
            date(e.endDate),
          ]),
        ),
    view.mayRegister && person.nationalId ? statusForm(person.nationalId) : null,
  );
}

/** The current school year, by the year it starts (August). */
function currentSchoolYear() {
  const now = new Date();
  return now.getMonth() >= 7 ? now.getFullYear() : now.getFullYear() - 1;
}

function statusForm(nationalId) {
  const id = `status-${nationalId}`;
  const input = el("input", { id, name: "code", required: true, pattern: "[A-Za-z_]{2,12}", autocomplete: "off", "aria-describedby": `${id}-hint` });
  return el(
    "form",
    {
      class: "status-form",
      onsubmit: async (event) => {
        event.preventDefault();
        const value = input.value.trim().toUpperCase();
        const done = await attempt(() =>
          query("set-status", { nationalId, code: value, schoolYear: currentSchoolYear() }),
        );
        if (!done) return;
        await loadList();
        showDone(t("statusSaved", done.data.setFollowUpStatus.code));
      },
    },
    el("label", { for: id }, t("registerStatus")),
    el("p", { class: "hint", id: `${id}-hint` }, t("statusCodeHint")),
    input,
    el("div", { class: "actions" }, el("button", { type: "submit" }, t("save"))),
  );
}

setUpHeader(draw);
begin();
