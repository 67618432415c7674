//! The GraphQL API end to end on every backend: the read model, pagination, batching,
//! mutations with their validation, the central field guard, and query limits.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use vigo_entities::enums::OrganisationKind;
use vigo_entities::ids::synthetic_national_id;
use vigo_policy::Role;
use vigo_tests::{Backend, TestApp, backends, error_code};

const PAGE: &str = "query($first: Int, $after: String, $filter: PersonFilter) {
  persons(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { nationalId } }
  }
}";

const EVERYTHING: &str = "
  nationalId idKind givenName familyName birthDate gender citizenship deceasedOn
  contact { address postalCode city municipalityCode phone email }
  enrolments { school { orgNo name } programmeArea { code name } schoolYear status coursePercentage startDate endDate }
  results { subjectCode grade kind schoolYear school { orgNo } }
  applications { intakeYear points status submittedAt
    wishes { rank status apprenticeship programmeArea { code } school { orgNo } offers { round answer offeredAt } }
    changes { change actor changedAt } }
  contracts { id kind status startDate endDate company { orgNo } trade { code } trainingOffice { orgNo } }
  tradeTests { id kind result testDate trade { code } examBoard { name } }
  educationRights { kind startDate expiresOn years programmeChangeUsed assessment }
  followUp { code registeredAt schoolYear }
  diplomas { kind issuedOn programmeArea { code } }
  absence { schoolYear days hours }
  loanCustomer
  decisions { kind outcome explanation inputs madeAt }";

async fn all_pages(
    app: &TestApp,
    token: &str,
    first: i32,
    filter: Value,
) -> anyhow::Result<(Vec<String>, i64)> {
    let mut seen = Vec::new();
    let mut after = Value::Null;
    let mut total;
    loop {
        let body = app
            .query(
                token,
                PAGE,
                json!({ "first": first, "after": after, "filter": filter }),
            )
            .await?;
        assert!(body.get("errors").is_none(), "{body}");
        let page = &body["data"]["persons"];
        total = page["totalCount"].as_i64().unwrap_or(-1);
        for edge in page["edges"].as_array().into_iter().flatten() {
            seen.push(
                edge["node"]["nationalId"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            );
        }
        if !page["pageInfo"]["hasNextPage"].as_bool().unwrap_or(false) {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    Ok((seen, total))
}

#[tokio::test]
async fn pagination_round_trips_every_person_exactly_once() -> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 230).await?;
        let token = app.token(Role::Caseworker, None);
        let (seen, total) = all_pages(&app, &token, 37, Value::Null).await?;
        assert_eq!(total, 230, "{backend:?}");
        assert_eq!(seen.len(), 230, "{backend:?}: every person once");
        let unique: HashSet<&String> = seen.iter().collect();
        assert_eq!(unique.len(), 230, "{backend:?}: no person twice");
        let expected: HashSet<&String> = app
            .population
            .persons
            .iter()
            .map(|p| &p.national_id)
            .collect();
        assert_eq!(unique, expected);

        // A school filter returns exactly the persons enrolled there.
        let school = &app
            .population
            .organisations
            .iter()
            .find(|o| o.kind == OrganisationKind::School)
            .unwrap();
        let enrolled: HashSet<i32> = app
            .population
            .enrolments
            .iter()
            .filter(|e| e.school_id == school.id)
            .map(|e| e.person_id)
            .collect();
        let expected: HashSet<String> = app
            .population
            .persons
            .iter()
            .filter(|p| enrolled.contains(&p.id))
            .map(|p| p.national_id.clone())
            .collect();
        let (seen, total) = all_pages(&app, &token, 10, json!({ "school": school.org_no })).await?;
        assert_eq!(
            seen.into_iter().collect::<HashSet<_>>(),
            expected,
            "{backend:?}"
        );
        assert_eq!(total as usize, expected.len());

        let year = app.population.applications[0].intake_year;
        let applicants: HashSet<i32> = app
            .population
            .applications
            .iter()
            .filter(|a| a.intake_year == year)
            .map(|a| a.person_id)
            .collect();
        let (seen, _) = all_pages(&app, &token, 100, json!({ "intakeYear": year })).await?;
        assert_eq!(
            seen.len(),
            applicants.len(),
            "{backend:?}: intake year filter"
        );
    }
    Ok(())
}

#[tokio::test]
async fn page_size_cursor_and_filter_input_are_validated() -> anyhow::Result<()> {
    let app = TestApp::new(Backend::Sqlite, 20).await?;
    let token = app.token(Role::Caseworker, None);
    let body = app.query(&token, PAGE, json!({ "first": 101 })).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("first")
    );
    let body = app
        .query(
            &token,
            PAGE,
            json!({ "first": 5, "after": "bm90LWEtY3Vyc29y" }),
        )
        .await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("after")
    );
    let body = app
        .query(&token, PAGE, json!({ "filter": { "school": "123" } }))
        .await?;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("filter.school"),
        "{body}"
    );
    let body = app
        .query(&token, PAGE, json!({ "filter": { "status": "sleeping" } }))
        .await?;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("filter.status"),
        "{body}"
    );
    Ok(())
}

#[tokio::test]
async fn nested_lists_are_batched_one_query_per_level() -> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 250).await?;
        let token = app.token(Role::Caseworker, None);
        let query = format!(
            "query($first: Int) {{ persons(first: $first) {{ edges {{ node {{ {EVERYTHING} }} }} }} }}"
        );
        let mut counts = Vec::new();
        for first in [10, 100] {
            app.statements.store(0, Ordering::SeqCst);
            let body = app.query(&token, &query, json!({ "first": first })).await?;
            assert!(body.get("errors").is_none(), "{body}");
            assert_eq!(
                body["data"]["persons"]["edges"].as_array().map(Vec::len),
                Some(first as usize)
            );
            counts.push(app.statements.load(Ordering::SeqCst));
        }
        assert_eq!(
            counts[0], counts[1],
            "{backend:?}: statements must not grow with the page size: {counts:?}"
        );
        assert!(
            counts[1] <= 30,
            "{backend:?}: {} statements for a 100-person page",
            counts[1]
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_person_reads_back_with_every_relation() -> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 300).await?;
        let token = app.token(Role::Caseworker, None);
        let pop = &app.population;
        // A person with a contract has the longest history.
        let person_id = pop.contracts.first().map(|c| c.person_id).unwrap_or(1);
        let person = &pop.persons[(person_id - 1) as usize];
        let count = |n: usize| Value::from(n);
        let body = app
            .query(
                &token,
                &format!("query($n: String!) {{ person(nationalId: $n) {{ {EVERYTHING} }} }}"),
                json!({ "n": person.national_id }),
            )
            .await?;
        assert!(body.get("errors").is_none(), "{body}");
        let got = &body["data"]["person"];
        let len = |field: &str| Value::from(got[field].as_array().map(Vec::len).unwrap_or(0));
        assert_eq!(
            len("enrolments"),
            count(
                pop.enrolments
                    .iter()
                    .filter(|e| e.person_id == person_id)
                    .count()
            ),
            "{backend:?}"
        );
        assert_eq!(
            len("results"),
            count(
                pop.subject_results
                    .iter()
                    .filter(|r| r.person_id == person_id)
                    .count()
            )
        );
        assert_eq!(
            len("applications"),
            count(
                pop.applications
                    .iter()
                    .filter(|a| a.person_id == person_id)
                    .count()
            )
        );
        assert_eq!(
            len("contracts"),
            count(
                pop.contracts
                    .iter()
                    .filter(|c| c.person_id == person_id)
                    .count()
            )
        );
        assert_eq!(
            len("educationRights"),
            count(
                pop.education_rights
                    .iter()
                    .filter(|r| r.person_id == person_id)
                    .count()
            )
        );
        assert_eq!(
            len("decisions"),
            count(
                pop.decisions
                    .iter()
                    .filter(|d| d.person_id == person_id)
                    .count()
            )
        );
        assert_eq!(
            len("absence"),
            count(
                pop.absences
                    .iter()
                    .filter(|a| a.person_id == person_id)
                    .count()
            )
        );
        assert_eq!(
            got["loanCustomer"],
            Value::from(pop.loan_customers.iter().any(|l| l.person_id == person_id))
        );
        let first_application = &got["applications"][0];
        let wishes = first_application["wishes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(!wishes.is_empty());
        let ranks: Vec<i64> = wishes.iter().filter_map(|w| w["rank"].as_i64()).collect();
        assert_eq!(
            ranks,
            (1..=ranks.len() as i64).collect::<Vec<_>>(),
            "wishes in rank order"
        );
        assert_eq!(
            got["enrolments"][0]["school"]["orgNo"]
                .as_str()
                .map(str::len),
            Some(9)
        );
        assert!(
            got["decisions"][0]["explanation"]
                .as_str()
                .unwrap_or_default()
                .len()
                > 40
        );
    }
    Ok(())
}

#[tokio::test]
async fn me_is_the_students_own_record_and_organisations_are_for_caseworkers() -> anyhow::Result<()>
{
    let app = TestApp::new(Backend::Sqlite, 60).await?;
    let me = app.population.persons[4].national_id.clone();
    let body = app
        .query(
            &app.token(Role::Student, Some(&me)),
            "{ me { nationalId enrolments { schoolYear } } }",
            Value::Null,
        )
        .await?;
    assert_eq!(body["data"]["me"]["nationalId"], me.as_str());
    let body = app
        .query(
            &app.token(Role::Caseworker, None),
            "{ me { nationalId } }",
            Value::Null,
        )
        .await?;
    assert_eq!(body["data"]["me"], Value::Null);

    let school = app
        .population
        .organisations
        .iter()
        .find(|o| o.kind == OrganisationKind::School)
        .unwrap();
    let query = "query($o: String!) { organisation(orgNo: $o) { name kind schoolNumber offers { intakeYear capacity programmeArea { code } } apprentices { status } subsidyPayments { amount } } }";
    let body = app
        .query(
            &app.token(Role::Caseworker, None),
            query,
            json!({ "o": school.org_no }),
        )
        .await?;
    assert_eq!(body["data"]["organisation"]["name"], school.name.as_str());
    let offers = app
        .population
        .school_offers
        .iter()
        .filter(|o| o.school_id == school.id)
        .count();
    assert_eq!(
        body["data"]["organisation"]["offers"]
            .as_array()
            .map(Vec::len),
        Some(offers)
    );
    let body = app
        .query(
            &app.token(Role::School, None),
            query,
            json!({ "o": school.org_no }),
        )
        .await?;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    Ok(())
}

/// A valid synthetic national id that the seeded population does not use.
fn new_national_id(serial: u32) -> String {
    let born = chrono::NaiveDate::from_ymd_opt(1961, 3, 9).unwrap_or_default();
    synthetic_national_id(born, false, serial)
        .map(|id| id.as_string())
        .unwrap_or_default()
}

struct Fixture {
    school: String,
    programme_area: String,
    intake_year: i32,
    company: String,
    trade: String,
}

fn fixture(app: &TestApp) -> anyhow::Result<Fixture> {
    let pop = &app.population;
    let offer = pop
        .school_offers
        .iter()
        .find(|o| pop.programme_areas[(o.programme_area_id - 1) as usize].level == "vg1")
        .ok_or_else(|| anyhow::anyhow!("no Vg1 offer"))?;
    let approval = pop
        .approved_trades
        .iter()
        .find(|a| {
            pop.organisations[(a.organisation_id - 1) as usize].kind == OrganisationKind::Company
        })
        .ok_or_else(|| anyhow::anyhow!("no company approval"))?;
    Ok(Fixture {
        school: pop.organisations[(offer.school_id - 1) as usize]
            .org_no
            .clone(),
        programme_area: pop.programme_areas[(offer.programme_area_id - 1) as usize]
            .code
            .clone(),
        intake_year: offer.intake_year,
        company: pop.organisations[(approval.organisation_id - 1) as usize]
            .org_no
            .clone(),
        trade: pop.programme_areas[(approval.programme_area_id - 1) as usize]
            .code
            .clone(),
    })
}

/// Asserts a BAD_USER_INPUT error whose message names `field`.
fn assert_bad_input(body: &Value, field: &str) {
    assert_eq!(error_code(body), Some("BAD_USER_INPUT"), "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(field),
        "message should name {field}: {message}"
    );
}

#[tokio::test]
async fn caseworker_mutations_happy_paths_and_bad_input() -> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 80).await?;
        let t = app.token(Role::Caseworker, None);
        let f = fixture(&app)?;
        let nid = new_national_id(0);
        let contact = json!({ "address": "Prøvegata 1", "postalCode": "0150", "city": "Oslo", "municipalityCode": "0301", "phone": "+4700000001", "email": "ny@example.org" });

        // registerPerson
        let register = "mutation($i: RegisterPersonInput!) { registerPerson(input: $i) { nationalId birthDate contact { city } } }";
        let body = app.query(&t, register, json!({ "i": { "nationalId": nid, "givenName": "Ny", "familyName": "Person", "citizenship": "NO", "contact": contact } })).await?;
        assert_eq!(
            body["data"]["registerPerson"]["birthDate"], "1961-03-09",
            "{backend:?}: {body}"
        );
        assert_eq!(body["data"]["registerPerson"]["contact"]["city"], "OSLO");
        let body = app.query(&t, register, json!({ "i": { "nationalId": nid, "givenName": "Ny", "familyName": "Igjen", "citizenship": "NO" } })).await?;
        assert_bad_input(&body, "nationalId");
        let mut wrong = nid.clone();
        wrong.replace_range(10..11, if nid.ends_with('0') { "1" } else { "0" });
        let body = app.query(&t, register, json!({ "i": { "nationalId": wrong, "givenName": "A", "familyName": "B", "citizenship": "NO" } })).await?;
        assert_bad_input(&body, "check digit");
        let other = new_national_id(1);
        let mut bad_contact = contact.clone();
        bad_contact["postalCode"] = json!("15");
        let body = app.query(&t, register, json!({ "i": { "nationalId": other, "givenName": "A", "familyName": "B", "citizenship": "NO", "contact": bad_contact } })).await?;
        assert_bad_input(&body, "contact.postalCode");
        let body = app
            .query(
                &t,
                "query($n: String!) { person(nationalId: $n) { nationalId } }",
                json!({ "n": other }),
            )
            .await?;
        assert_eq!(
            body["data"]["person"],
            Value::Null,
            "a refused registration writes nothing"
        );

        // updatePerson and setContact
        let body = app.query(&t, "mutation($n: String!) { updatePerson(nationalId: $n, input: { familyName: \"Endret\" }) { familyName givenName } }", json!({ "n": nid })).await?;
        assert_eq!(body["data"]["updatePerson"]["familyName"], "Endret");
        assert_eq!(body["data"]["updatePerson"]["givenName"], "Ny");
        let body = app.query(&t, "mutation($n: String!) { updatePerson(nationalId: $n, input: { citizenship: \"norway\" }) { familyName } }", json!({ "n": nid })).await?;
        assert_bad_input(&body, "citizenship");
        let mut new_contact = contact.clone();
        new_contact["email"] = json!("endret@example.org");
        let body = app.query(&t, "mutation($n: String!, $c: ContactInput!) { setContact(nationalId: $n, contact: $c) { contact { email } } }", json!({ "n": nid, "c": new_contact })).await?;
        assert_eq!(
            body["data"]["setContact"]["contact"]["email"],
            "endret@example.org"
        );
        new_contact["email"] = json!("not-an-address");
        let body = app.query(&t, "mutation($n: String!, $c: ContactInput!) { setContact(nationalId: $n, contact: $c) { nationalId } }", json!({ "n": nid, "c": new_contact })).await?;
        assert_bad_input(&body, "contact.email");

        // submitApplication and changeWishes, with the change log
        let submit = "mutation($n: String!, $y: Int!, $w: [WishInput!]!) { submitApplication(nationalId: $n, intakeYear: $y, wishes: $w) { intakeYear status wishes { rank programmeArea { code } school { orgNo } } changes { change actor } } }";
        let wish = json!({ "programmeArea": f.programme_area, "school": f.school });
        let body = app
            .query(
                &t,
                submit,
                json!({ "n": nid, "y": f.intake_year, "w": [wish] }),
            )
            .await?;
        assert_eq!(
            body["data"]["submitApplication"]["status"], "SUBMITTED",
            "{body}"
        );
        assert_eq!(
            body["data"]["submitApplication"]["wishes"][0]["school"]["orgNo"],
            f.school.as_str()
        );
        assert_eq!(
            body["data"]["submitApplication"]["changes"][0]["change"],
            "submitted"
        );
        assert!(
            body["data"]["submitApplication"]["changes"][0]["actor"]
                .as_str()
                .unwrap_or_default()
                .starts_with("caseworker:")
        );
        let body = app
            .query(
                &t,
                submit,
                json!({ "n": nid, "y": f.intake_year, "w": [wish] }),
            )
            .await?;
        assert_bad_input(&body, "intakeYear");
        let seven: Vec<Value> = (0..7).map(|_| wish.clone()).collect();
        let body = app
            .query(
                &t,
                submit,
                json!({ "n": new_national_id(2), "y": f.intake_year, "w": seven }),
            )
            .await?;
        assert_bad_input(&body, "nationalId");
        let change = "mutation($n: String!, $y: Int!, $w: [WishInput!]!) { changeWishes(nationalId: $n, intakeYear: $y, wishes: $w) { wishes { rank apprenticeship } changes { change } } }";
        let body = app
            .query(
                &t,
                change,
                json!({ "n": nid, "y": f.intake_year, "w": seven }),
            )
            .await?;
        assert_bad_input(&body, "wishes");
        let body = app
            .query(
                &t,
                change,
                json!({ "n": nid, "y": f.intake_year, "w": [wish, wish] }),
            )
            .await?;
        assert_bad_input(&body, "wishes");
        let apprenticeship = json!({ "programmeArea": f.trade, "apprenticeship": true });
        let body = app
            .query(
                &t,
                change,
                json!({ "n": nid, "y": f.intake_year, "w": [wish, apprenticeship] }),
            )
            .await?;
        assert_eq!(
            body["data"]["changeWishes"]["wishes"][1]["apprenticeship"], true,
            "{body}"
        );
        let changes: Vec<&str> = body["data"]["changeWishes"]["changes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["change"].as_str())
            .collect();
        assert_eq!(changes, ["submitted", "wishes_changed"]);
        let not_offered = json!({ "programmeArea": f.programme_area, "school": f.company });
        let body = app
            .query(
                &t,
                change,
                json!({ "n": nid, "y": f.intake_year, "w": [not_offered] }),
            )
            .await?;
        assert_bad_input(&body, "wishes.school");

        // recordResult and registerEnrolment
        let record = "mutation($n: String!, $i: ResultInput!) { recordResult(nationalId: $n, input: $i) { grade kind school { orgNo } } }";
        let body = app.query(&t, record, json!({ "n": nid, "i": { "subjectCode": "MAT", "grade": "5", "kind": "FINAL", "schoolYear": 2025, "school": f.school } })).await?;
        assert_eq!(body["data"]["recordResult"]["grade"], "5", "{body}");
        let body = app.query(&t, record, json!({ "n": nid, "i": { "subjectCode": "MAT", "grade": "7", "kind": "FINAL", "schoolYear": 2025 } })).await?;
        assert_bad_input(&body, "grade");
        let body = app.query(&t, record, json!({ "n": nid, "i": { "subjectCode": "MAT", "grade": "4", "kind": "guess", "schoolYear": 2025 } })).await?;
        assert_bad_input(&body, "kind");
        let enrol = "mutation($n: String!, $i: EnrolmentInput!) { registerEnrolment(nationalId: $n, input: $i) { status school { orgNo } programmeArea { code } } }";
        let body = app.query(&t, enrol, json!({ "n": nid, "i": { "school": f.school, "programmeArea": f.programme_area, "schoolYear": 2026, "startDate": "2026-08-17" } })).await?;
        assert_eq!(
            body["data"]["registerEnrolment"]["status"], "ACTIVE",
            "{body}"
        );
        let body = app.query(&t, enrol, json!({ "n": nid, "i": { "school": f.school, "programmeArea": f.programme_area, "schoolYear": 2026, "startDate": "17.08.2026" } })).await?;
        // The message names the value, its type and the rule.
        assert_bad_input(&body, "\"17.08.2026\" is not a date as YYYY-MM-DD");
        let body = app.query(&t, enrol, json!({ "n": nid, "i": { "school": f.company, "programmeArea": f.programme_area, "schoolYear": 2026, "startDate": "2026-08-17" } })).await?;
        assert_bad_input(&body, "school");

        // createContract, approveContract
        let create = "mutation($n: String!, $i: ContractInput!) { createContract(nationalId: $n, input: $i) { id status } }";
        let body = app.query(&t, create, json!({ "n": nid, "i": { "company": f.company, "trade": f.trade, "kind": "APPRENTICE", "startDate": "2026-08-15", "endDate": "2028-08-14" } })).await?;
        assert_eq!(body["data"]["createContract"]["status"], "DRAFT", "{body}");
        let contract_id = body["data"]["createContract"]["id"].clone();
        let body = app.query(&t, create, json!({ "n": nid, "i": { "company": f.company, "trade": f.trade, "kind": "APPRENTICE", "startDate": "2026-08-15", "endDate": "2026-08-14" } })).await?;
        assert_bad_input(&body, "endDate");
        let body = app.query(&t, create, json!({ "n": nid, "i": { "company": f.school, "trade": f.trade, "kind": "APPRENTICE", "startDate": "2026-08-15", "endDate": "2028-08-14" } })).await?;
        assert_bad_input(&body, "company");
        let approve = "mutation($c: ID!) { approveContract(contractId: $c) { status approvedOn } }";
        let body = app.query(&t, approve, json!({ "c": contract_id })).await?;
        assert_eq!(
            body["data"]["approveContract"]["status"], "APPROVED",
            "{body}"
        );
        let body = app.query(&t, approve, json!({ "c": contract_id })).await?;
        assert_bad_input(&body, "contractId");
        let body = app.query(&t, approve, json!({ "c": "Person:1" })).await?;
        assert_bad_input(&body, "contractId");

        // registerTradeTest, recordTradeTestResult
        let register_test = "mutation($n: String!, $t: String!, $k: TradeTestKind!) { registerTradeTest(nationalId: $n, trade: $t, kind: $k, testDate: \"2028-06-01\") { id result examBoard { name } } }";
        let body = app
            .query(
                &t,
                register_test,
                json!({ "n": nid, "t": f.trade, "k": "TRADE_TEST" }),
            )
            .await?;
        let test_id = body["data"]["registerTradeTest"]["id"].clone();
        assert!(test_id.is_string(), "{body}");
        assert!(body["data"]["registerTradeTest"]["examBoard"]["name"].is_string());
        let body = app
            .query(
                &t,
                register_test,
                json!({ "n": nid, "t": f.programme_area, "k": "TRADE_TEST" }),
            )
            .await?;
        assert_bad_input(&body, "trade");
        let result = "mutation($i: ID!, $r: TradeTestResult!) { recordTradeTestResult(tradeTestId: $i, result: $r) { result } }";
        let body = app
            .query(&t, result, json!({ "i": test_id, "r": "excellent" }))
            .await?;
        assert_bad_input(&body, "result");
        let body = app
            .query(&t, result, json!({ "i": test_id, "r": "PASSED" }))
            .await?;
        assert_eq!(body["data"]["recordTradeTestResult"]["result"], "PASSED");

        // setFollowUpStatus
        let ot = "mutation($n: String!, $c: String!) { setFollowUpStatus(nationalId: $n, code: $c, schoolYear: 2026) { code } }";
        let body = app
            .query(&t, ot, json!({ "n": nid, "c": "OTUK_IM" }))
            .await?;
        assert_eq!(body["data"]["setFollowUpStatus"]["code"], "OTUK_IM");
        let body = app.query(&t, ot, json!({ "n": nid, "c": "OTXX" })).await?;
        assert_bad_input(&body, "code");

        // markDeceased: contact deleted, open application withdrawn, logged, in one go
        let dead = "mutation($n: String!) { markDeceased(nationalId: $n, deceasedOn: \"2026-11-01\") { deceasedOn contact { city } applications { status wishes { status } changes { change } } } }";
        let body = app.query(&t, dead, json!({ "n": nid })).await?;
        let person = &body["data"]["markDeceased"];
        assert_eq!(person["deceasedOn"], "2026-11-01", "{body}");
        assert_eq!(person["contact"], Value::Null);
        assert_eq!(person["applications"][0]["status"], "WITHDRAWN");
        assert!(
            person["applications"][0]["wishes"]
                .as_array()
                .into_iter()
                .flatten()
                .all(|w| w["status"] == "WITHDRAWN")
        );
        assert_eq!(
            person["applications"][0]["changes"][2]["change"],
            "withdrawn"
        );
        let body = app.query(&t, dead, json!({ "n": nid })).await?;
        assert_bad_input(&body, "nationalId");
        let body = app.query(&t, "mutation($n: String!, $c: ContactInput!) { setContact(nationalId: $n, contact: $c) { nationalId } }", json!({ "n": nid, "c": contact })).await?;
        assert_bad_input(&body, "nationalId");
    }
    Ok(())
}

#[tokio::test]
async fn mutations_are_forbidden_to_other_roles_and_change_nothing() -> anyhow::Result<()> {
    let app = TestApp::new(Backend::Sqlite, 30).await?;
    let me = app.population.persons[0].national_id.clone();
    let student = app.token(Role::Student, Some(&me));
    let body = app
        .query(
            &student,
            "mutation($n: String!) { markDeceased(nationalId: $n) { deceasedOn } }",
            json!({ "n": me }),
        )
        .await?;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = app
        .query(
            &student,
            "{ me { deceasedOn contact { city } } }",
            Value::Null,
        )
        .await?;
    assert_eq!(
        body["data"]["me"]["deceasedOn"],
        Value::Null,
        "nothing changed"
    );
    let school = app.token(Role::School, None);
    let body = app
        .query(&school, "mutation($i: RegisterPersonInput!) { registerPerson(input: $i) { nationalId } }", json!({ "i": { "nationalId": new_national_id(5), "givenName": "A", "familyName": "B", "citizenship": "NO" } }))
        .await?;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    Ok(())
}

#[tokio::test]
async fn a_live_policy_edit_nulls_denied_fields_with_a_forbidden_error() -> anyhow::Result<()> {
    let app = TestApp::new(Backend::Sqlite, 30).await?;
    let officer = app.token(Role::PrivacyOfficer, None);
    let caseworker = app.token(Role::Caseworker, None);
    let body = app
        .query(&officer, "{ policy { version rules } }", Value::Null)
        .await?;
    let version = body["data"]["policy"]["version"]
        .as_i64()
        .unwrap_or_default();
    let mut rules: Vec<String> = body["data"]["policy"]["rules"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r.as_str().map(str::to_owned))
        .collect();
    assert!(rules.len() > 100, "{body}");
    rules.push("p, caseworker, administration, field:Person.familyName, read, deny".into());
    rules.push("p, caseworker, administration, field:Contact.email, read, deny".into());
    let body = app
        .query(
            &officer,
            "mutation($r: String!) { replacePolicy(rules: $r, summary: \"test\") { version } }",
            json!({ "r": rules.join("\n") }),
        )
        .await?;
    assert_eq!(
        body["data"]["replacePolicy"]["version"],
        json!(version + 1),
        "{body}"
    );

    let living = app.population.contacts[0].person_id;
    let nid = app.population.persons[(living - 1) as usize]
        .national_id
        .clone();
    let body = app
        .query(&caseworker, "query($n: String!) { person(nationalId: $n) { givenName familyName contact { city email } } }", json!({ "n": nid }))
        .await?;
    let person = &body["data"]["person"];
    assert!(person["givenName"].is_string(), "{body}");
    assert_eq!(person["familyName"], Value::Null);
    assert!(
        person
            .as_object()
            .is_some_and(|p| p.contains_key("familyName")),
        "a denied field is null, not left out: {body}"
    );
    assert!(person["contact"]["city"].is_string());
    assert_eq!(person["contact"]["email"], Value::Null);
    let mut denied: HashMap<String, String> = HashMap::new();
    for error in body["errors"].as_array().into_iter().flatten() {
        denied.insert(
            error["path"].to_string(),
            error["extensions"]["code"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    assert_eq!(
        denied.get(r#"["person","familyName"]"#).map(String::as_str),
        Some("FORBIDDEN"),
        "{body}"
    );
    assert_eq!(
        denied
            .get(r#"["person","contact","email"]"#)
            .map(String::as_str),
        Some("FORBIDDEN")
    );
    assert_eq!(denied.len(), 2);

    // The denials are recorded for the privacy officer, under the new version.
    let body = app
        .query(
            &officer,
            "{ denials(last: 10) { kind target actorRole policyVersion } }",
            Value::Null,
        )
        .await?;
    let targets: Vec<&str> = body["data"]["denials"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["kind"] == "FIELD" && d["actorRole"] == "caseworker")
        .filter_map(|d| d["target"].as_str())
        .collect();
    assert!(
        targets.contains(&"Person.familyName") && targets.contains(&"Contact.email"),
        "{body}"
    );
    assert_eq!(
        body["data"]["denials"][0]["policyVersion"],
        json!(version + 1)
    );
    Ok(())
}

#[tokio::test]
async fn a_broken_policy_edit_is_refused_and_the_last_good_one_stays() -> anyhow::Result<()> {
    let app = TestApp::new(Backend::Sqlite, 10).await?;
    let officer = app.token(Role::PrivacyOfficer, None);
    let before = app.gate.policy();
    let cases = [
        (
            "p, caseworker, administration, field:Person.shoeSize, read, allow",
            "Person.shoeSize",
        ),
        (
            "p, janitor, administration, scope:everyone, read, allow",
            "janitor",
        ),
        (
            "p, school, administration, scope:neighbours, read, allow",
            "neighbours",
        ),
        (
            "p, school, administration, category:horoscope, read, allow",
            "horoscope",
        ),
        (
            "p, caseworker, administration, scope:everyone, read, allow",
            "policy, write",
        ),
    ];
    for (rules, named) in cases {
        let body = app
            .query(
                &officer,
                "mutation($r: String!) { replacePolicy(rules: $r, summary: \"broken\") { version } }",
                json!({ "r": rules }),
            )
            .await?;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains(named), "{message}");
    }
    assert_eq!(app.gate.policy().version(), before.version());
    assert_eq!(app.gate.policy().rules(), before.rules());
    let stored = vigo_policy::store::load_or_install(&app.db).await?;
    assert_eq!(stored.rules(), before.rules(), "nothing was written");
    // Only the privacy officer may edit.
    let body = app
        .query(
            &app.token(Role::Caseworker, None),
            "mutation { replacePolicy(rules: \"\", summary: \"x\") { version } }",
            Value::Null,
        )
        .await?;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    Ok(())
}

#[tokio::test]
async fn complexity_limit_and_rate_limit_refuse_before_any_database_work() -> anyhow::Result<()> {
    let app = TestApp::with_rate_limit(Backend::Sqlite, 10, 1).await?;
    let token = app.token(Role::Caseworker, None);
    let fields: String = (0..1100).map(|i| format!(" f{i}: givenName")).collect();
    app.statements.store(0, Ordering::SeqCst);
    let body = app
        .query(
            &token,
            &format!("{{ persons(first: 1) {{ edges {{ node {{ {fields} }} }} }} }}"),
            Value::Null,
        )
        .await?;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .to_lowercase()
            .contains("complex"),
        "{body}"
    );
    assert_eq!(
        app.statements.load(Ordering::SeqCst),
        0,
        "refused before any SQL"
    );

    // A burst of twice the rate is allowed; the next request is refused.
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let (status, _) = app
            .post(Some(&token), json!({ "query": "{ me { nationalId } }" }))
            .await?;
        statuses.push(status);
    }
    assert_eq!(
        statuses.last(),
        Some(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    // Another token is not affected.
    let other = app.token(Role::Student, Some(&app.population.persons[0].national_id));
    let (status, _) = app
        .post(Some(&other), json!({ "query": "{ me { nationalId } }" }))
        .await?;
    assert_eq!(status, StatusCode::OK);
    Ok(())
}

#[tokio::test]
async fn metrics_count_operations_and_responses_carry_request_ids() -> anyhow::Result<()> {
    let app = TestApp::new(Backend::Sqlite, 10).await?;
    let token = app.token(Role::Caseworker, None);
    app.post(Some(&token), json!({ "query": "query CountMe { persons(first: 1) { totalCount } }", "operationName": "CountMe" })).await?;
    app.post(
        Some(&app.token(Role::School, None)),
        json!({ "query": "{ persons(first: 1) { totalCount } }" }),
    )
    .await?;
    // Clients choose operation names freely; the labels stay the schema's root fields.
    for i in 0..20 {
        app.post(Some(&token), json!({ "query": format!("query Op{i} {{ persons(first: 1) {{ totalCount }} }}"), "operationName": format!("Op{i}") })).await?;
    }
    // Metrics are served apart from the API: not at the API's address.
    let (status, headers, _) = app
        .send(Request::get("/metrics").body(Body::empty())?)
        .await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let text = app.metrics_text().await?;
    assert!(
        text.contains("vigo_graphql_requests_total{operation=\"Query.persons\"}"),
        "{text}"
    );
    assert!(!text.contains("CountMe") && !text.contains("Op7"), "{text}");
    assert!(
        text.contains("vigo_graphql_request_duration_seconds"),
        "{text}"
    );
    assert!(text.contains("vigo_denials_total"), "{text}");
    assert!(headers.get("x-request-id").is_some());
    let request = Request::get("/health")
        .header("x-request-id", "abc-123")
        .body(Body::empty())?;
    let (_, headers, _) = app.send(request).await?;
    assert_eq!(
        headers.get("x-request-id").and_then(|v| v.to_str().ok()),
        Some("abc-123")
    );
    Ok(())
}

#[tokio::test]
async fn grades_read_the_same_through_the_fast_path_and_the_resolvers() -> anyhow::Result<()> {
    let app = TestApp::new(Backend::Sqlite, 60).await?;
    let caseworker = app.token(Role::Caseworker, None);
    let results = |body: &Value| -> Vec<Value> {
        body["data"]["persons"]["edges"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|e| e["node"]["results"].as_array().cloned().unwrap_or_default())
            .collect()
    };
    // Scalars only: built at once. With an object field: every field through its resolver.
    let fast = app
        .query(
            &caseworker,
            "{ persons(first: 60) { edges { node { results { subjectCode grade kind schoolYear passed __typename g: grade } } } } }",
            Value::Null,
        )
        .await?;
    let usual = app
        .query(
            &caseworker,
            "{ persons(first: 60) { edges { node { results { subjectCode grade kind schoolYear passed __typename g: grade school { orgNo } } } } } }",
            Value::Null,
        )
        .await?;
    let fast = results(&fast);
    let mut usual = results(&usual);
    for result in &mut usual {
        if let Some(object) = result.as_object_mut() {
            object.remove("school");
        }
    }
    assert_eq!(fast.len(), app.population.subject_results.len());
    assert_eq!(fast, usual);
    assert!(
        fast.iter()
            .all(|r| r["g"] == r["grade"] && r["__typename"] == "SubjectResult")
    );
    assert!(fast.iter().any(|r| r["passed"] == json!(true)));

    // A denied field still resolves to null with FORBIDDEN; allowed ones keep their values.
    use vigo_entities::enums::ResultKind;
    let pop = &app.population;
    let customer = pop
        .loan_customers
        .iter()
        .map(|l| l.person_id)
        .find(|id| {
            pop.subject_results.iter().any(|r| {
                r.person_id == *id
                    && matches!(r.kind, ResultKind::WrittenExam | ResultKind::OralExam)
            })
        })
        .ok_or_else(|| anyhow::anyhow!("no loan customer with exams"))?;
    let national_id = app.population.persons[(customer - 1) as usize]
        .national_id
        .clone();
    let lanekassen = app.token(Role::Lanekassen, None);
    let body = app
        .query(
            &lanekassen,
            "query($n: String!) { person(nationalId: $n) { results { subjectCode passed grade } } }",
            json!({ "n": national_id }),
        )
        .await?;
    let shown = body["data"]["person"]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!shown.is_empty(), "{body}");
    assert!(
        shown
            .iter()
            .all(|r| r["grade"].is_null() && r["subjectCode"].is_string())
    );
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    let body = app
        .query(
            &lanekassen,
            "query($n: String!) { person(nationalId: $n) { results { subjectCode passed } } }",
            json!({ "n": national_id }),
        )
        .await?;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(
        body["data"]["person"]["results"].as_array().map(Vec::len),
        Some(shown.len())
    );
    Ok(())
}
