//! The gate's promise on the paths around the field mask: arguments that select persons,
//! existence, writes, cursors, the employee behind a change and the time bounds of scopes.
//! Each runs on every backend.

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;

use base64::Engine;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use vigo_entities::enums::{EnrolmentStatus, OrganisationKind};
use vigo_entities::{access_denial, audit_event, person};
use vigo_policy::{Role, Today};
use vigo_tests::{TestApp, backends, error_code, unused_national_id};

const PAGE: &str = "query($f: PersonFilter, $a: String) { persons(first: 100, filter: $f, after: $a) { totalCount edges { cursor node { nationalId } } pageInfo { hasNextPage endCursor } } }";

/// Every national id `persons(filter:)` returns to `token`, page by page, or the error body.
async fn filtered(
    app: &TestApp,
    token: &str,
    filter: Value,
) -> anyhow::Result<Result<BTreeSet<String>, Value>> {
    let mut seen = BTreeSet::new();
    let mut after: Option<String> = None;
    loop {
        let body = app
            .query(token, PAGE, json!({ "f": filter, "a": after }))
            .await?;
        if body["errors"].is_array() {
            return Ok(Err(body));
        }
        let page = &body["data"]["persons"];
        for edge in page["edges"].as_array().into_iter().flatten() {
            seen.insert(
                edge["node"]["nationalId"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            );
        }
        if page["pageInfo"]["hasNextPage"] != true {
            return Ok(Ok(seen));
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
}

fn national_ids(app: &TestApp, ids: impl IntoIterator<Item = i32>) -> BTreeSet<String> {
    let ids: BTreeSet<i32> = ids.into_iter().collect();
    app.population
        .persons
        .iter()
        .filter(|p| ids.contains(&p.id))
        .map(|p| p.national_id.clone())
        .collect()
}

fn org_no(app: &TestApp, id: i32) -> String {
    app.population
        .organisations
        .iter()
        .find(|o| o.id == id)
        .map(|o| o.org_no.clone())
        .unwrap_or_default()
}

/// The busiest school, given the right to write by a policy edit: its id, pupils and token.
async fn school_that_writes(app: &TestApp) -> anyhow::Result<(i32, Vec<i32>, String)> {
    app.extend_policy(&["p, school, administration, mutations, write, allow"])
        .await?;
    let (school, pupils) = busiest_school(app);
    let token = app.token_for(Role::School, Some(&org_no(app, school)), None, None);
    Ok((school, pupils, token))
}

/// The school with the most pupils enrolled this school year, and those pupils.
fn busiest_school(app: &TestApp) -> (i32, Vec<i32>) {
    let year = Today::now().school_year();
    let pop = &app.population;
    pop.organisations
        .iter()
        .filter(|o| o.kind == OrganisationKind::School)
        .map(|o| {
            let pupils: Vec<i32> = pop
                .enrolments
                .iter()
                .filter(|e| e.school_id == o.id && e.school_year == year)
                .map(|e| e.person_id)
                .collect();
            (o.id, pupils)
        })
        .max_by_key(|(_, pupils)| pupils.len())
        .unwrap_or_default()
}

/// A person the school's scope does not reach: never enrolled there, never offered a place.
fn outside_school(app: &TestApp, school: i32) -> Option<i32> {
    let pop = &app.population;
    pop.persons.iter().map(|p| p.id).find(|id| {
        !pop.enrolments
            .iter()
            .any(|e| e.person_id == *id && e.school_id == school)
            && !pop.applications.iter().any(|a| {
                a.person_id == *id
                    && pop
                        .wishes
                        .iter()
                        .any(|w| w.application_id == a.id && w.school_id == Some(school))
            })
    })
}

#[tokio::test]
async fn filters_select_only_by_what_the_caller_may_read() -> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 300).await?;
        let pop = &app.population;
        let today = Today::now();
        let (school, _) = busiest_school(&app);
        let school_no = org_no(&app, school);

        // Roles whose mask holds no enrolment may not filter by one: FORBIDDEN naming it,
        // and no data (before the fix, each got exactly the school's active pupils).
        for role in [
            Role::Folkeregister,
            Role::Websak,
            Role::Vitnemalsregister,
            Role::ExamBoard,
        ] {
            let token = app.token(role, None);
            let body = filtered(
                &app,
                &token,
                json!({ "school": school_no, "status": "ACTIVE" }),
            )
            .await?
            .err()
            .unwrap_or_default();
            assert_eq!(error_code(&body), Some("FORBIDDEN"), "{role}: {body}");
            let message = body["errors"][0]["message"].as_str().unwrap_or_default();
            assert!(message.contains("PersonFilter.school"), "{role}: {message}");
            assert!(
                body["data"].is_null() || body["data"]["persons"].is_null(),
                "{role}: {body}"
            );
        }

        // Lånekassen may not read programme areas, so it may not filter by them either.
        let loans = app.token(Role::Lanekassen, None);
        let area = pop.enrolments[0].programme_area_id;
        let code = pop
            .programme_areas
            .iter()
            .find(|a| a.id == area)
            .map(|a| a.code.clone());
        let body = filtered(&app, &loans, json!({ "programmeArea": code }))
            .await?
            .err()
            .unwrap_or_default();
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("PersonFilter.programmeArea")
        );

        // It may filter by status, but only over the enrolments it may see: this school year's.
        let customers: BTreeSet<i32> = pop.loan_customers.iter().map(|l| l.person_id).collect();
        let completed = |this_year_only: bool| {
            national_ids(
                &app,
                pop.enrolments
                    .iter()
                    .filter(|e| {
                        customers.contains(&e.person_id)
                            && e.status == EnrolmentStatus::Completed
                            && (!this_year_only || e.school_year == today.school_year())
                    })
                    .map(|e| e.person_id),
            )
        };
        assert_ne!(
            completed(true),
            completed(false),
            "the data must tell the two apart"
        );
        let got = filtered(&app, &loans, json!({ "status": "COMPLETED" })).await?;
        assert_eq!(got.ok(), Some(completed(true)));

        // A school filtering by another school finds nobody, even its own pupil enrolled
        // there: it sees only enrolments at itself.
        let caseworker = app.token(Role::Caseworker, None);
        let (_, pupils) = busiest_school(&app);
        let pupil = pupils[0];
        let other = pop
            .organisations
            .iter()
            .find(|o| o.kind == OrganisationKind::School && o.id != school)
            .map(|o| o.org_no.clone())
            .unwrap_or_default();
        let area_code = pop
            .programme_areas
            .iter()
            .find(|a| a.level == "vg1")
            .map(|a| a.code.clone())
            .unwrap_or_default();
        let body = app
            .query(
                &caseworker,
                "mutation($n: String!, $i: EnrolmentInput!) { registerEnrolment(nationalId: $n, input: $i) { schoolYear } }",
                json!({ "n": national_ids(&app, [pupil]).pop_first(), "i": { "school": other, "programmeArea": area_code, "schoolYear": today.school_year(), "startDate": format!("{}-08-15", today.school_year()) } }),
            )
            .await?;
        assert!(body["errors"].is_null(), "{body}");
        let by_caseworker = filtered(&app, &caseworker, json!({ "school": other }))
            .await?
            .unwrap_or_default();
        assert!(
            by_caseworker.contains(
                national_ids(&app, [pupil])
                    .first()
                    .map(String::as_str)
                    .unwrap_or_default()
            )
        );
        let by_school = filtered(
            &app,
            &app.token_for(Role::School, Some(&school_no), None, None),
            json!({ "school": other }),
        )
        .await?;
        assert_eq!(by_school.ok(), Some(BTreeSet::new()));

        // The categories a filter reads are recorded with the read.
        let body = app
            .query(&caseworker, "query($f: PersonFilter) { persons(first: 5, filter: $f) { edges { node { givenName } } } }", json!({ "f": { "school": school_no } }))
            .await?;
        assert!(body["errors"].is_null(), "{body}");
        let event = newest_event(&app).await?;
        assert!(
            event.categories.split(',').any(|c| c == "enrolment"),
            "{}",
            event.categories
        );
        assert!(
            event.categories.split(',').any(|c| c == "identity"),
            "{}",
            event.categories
        );
    }
    Ok(())
}

async fn newest_event(app: &TestApp) -> anyhow::Result<audit_event::Model> {
    use sea_orm::QueryOrder;
    audit_event::Entity::find()
        .order_by_desc(audit_event::Column::Id)
        .one(&app.db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no audit event"))
}

#[tokio::test]
async fn a_person_outside_the_scope_looks_exactly_like_one_who_does_not_exist() -> anyhow::Result<()>
{
    for backend in backends() {
        let app = TestApp::new(backend, 200).await?;
        let (school, _) = busiest_school(&app);
        let token = app.token_for(Role::School, Some(&org_no(&app, school)), None, None);
        let outside = national_ids(&app, outside_school(&app, school))
            .pop_first()
            .unwrap_or_default();
        let absent = unused_national_id(7);
        assert!(
            app.population
                .persons
                .iter()
                .all(|p| p.national_id != absent)
        );
        let lookup =
            "query($n: String!) { person(nationalId: $n) { givenName contact { email } } }";
        let mut seen = Vec::new();
        for national_id in [&outside, &absent, &outside, &absent] {
            app.statements.store(0, Ordering::SeqCst);
            let body = app
                .query(&token, lookup, json!({ "n": national_id }))
                .await?;
            seen.push((body, app.statements.load(Ordering::SeqCst)));
        }
        // The same answer and the same statements, whichever it was.
        assert_eq!(seen[0], seen[1], "{backend:?}");
        assert_eq!(seen[2], seen[3], "{backend:?}");
        assert_eq!(seen[0].0, json!({ "data": { "person": null } }));
        // No metric counts row denials the caller could scrape.
        let metrics = app.metrics_text().await?;
        assert!(metrics.contains("vigo_graphql_requests_total"), "{metrics}");
        assert!(!metrics.contains("kind=\"row\""), "{metrics}");
        // The privacy officer still learns of the attempts, once each (filed off the path).
        let mut denials = Vec::new();
        for _ in 0..50 {
            denials = access_denial::Entity::find()
                .filter(access_denial::Column::Kind.eq("row"))
                .all(&app.db)
                .await?;
            if denials.len() >= 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(denials.len(), 2, "{backend:?}");
        assert!(
            denials
                .iter()
                .all(|d| d.actor_role == "school" && d.target == "Person")
        );
    }
    Ok(())
}

#[tokio::test]
async fn person_lookups_per_request_are_bounded_before_any_runs() -> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 40).await?;
        let token = app.token(Role::Caseworker, None);
        let fields = |n: usize| {
            (0..n)
                .map(|i| {
                    format!(
                        "p{i}: person(nationalId: \"{}\") {{ givenName }}",
                        unused_national_id(i as u32 + 20)
                    )
                })
                .collect::<Vec<String>>()
                .join(" ")
        };
        let lookups = |n: usize| format!("{{ {} }}", fields(n));
        app.statements.store(0, Ordering::SeqCst);
        let (status, body) = app
            .post(Some(&token), json!({ "query": lookups(26) }))
            .await?;
        assert_eq!(status, axum::http::StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("at most 25")
        );
        assert_eq!(
            app.statements.load(Ordering::SeqCst),
            0,
            "refused before any database work"
        );
        // Through a fragment too.
        let fragment = format!("{{ ...F }} fragment F on Query {{ {} }}", fields(26));
        let (status, _) = app.post(Some(&token), json!({ "query": fragment })).await?;
        assert_eq!(status, axum::http::StatusCode::BAD_REQUEST);
        let (status, body) = app
            .post(Some(&token), json!({ "query": lookups(25) }))
            .await?;
        assert_eq!(status, axum::http::StatusCode::OK, "{body}");
        assert!(body["errors"].is_null(), "{body}");
    }
    Ok(())
}

#[tokio::test]
async fn writes_reach_only_the_writers_scope_and_read_back_through_it() -> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 200).await?;
        let (school, pupils, token) = school_that_writes(&app).await?;
        let update = "mutation($n: String!) { updatePerson(nationalId: $n, input: { givenName: \"Endret\" }) { givenName contact { email } } }";

        // Outside the scope: as if no such person were registered; nothing changes.
        let outside = outside_school(&app, school).unwrap_or_default();
        let outside_id = national_ids(&app, [outside])
            .pop_first()
            .unwrap_or_default();
        let body = app
            .query(&token, update, json!({ "n": outside_id }))
            .await?;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("no person is registered")
        );
        assert!(
            body["data"].is_null() || body["data"]["updatePerson"].is_null(),
            "{body}"
        );
        let absent = app
            .query(&token, update, json!({ "n": unused_national_id(3) }))
            .await?;
        assert_eq!(body["errors"][0]["message"], absent["errors"][0]["message"]);
        let kept = person::Entity::find_by_id(outside)
            .one(&app.db)
            .await?
            .map(|p| p.given_name);
        assert_ne!(kept.as_deref(), Some("Endret"));

        // Inside it: written, and the payload read as a query would read it.
        let inside = national_ids(&app, [pupils[0]])
            .pop_first()
            .unwrap_or_default();
        let body = app.query(&token, update, json!({ "n": inside })).await?;
        assert_eq!(
            body["data"]["updatePerson"]["givenName"], "Endret",
            "{body}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn cursors_are_opaque_and_belong_to_their_caller() -> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 30).await?;
        let caseworker = app.token(Role::Caseworker, None);
        let body = app
            .query(
                &caseworker,
                "{ persons(first: 2) { edges { cursor } pageInfo { endCursor } } }",
                json!({}),
            )
            .await?;
        let cursor = body["data"]["persons"]["pageInfo"]["endCursor"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&cursor)?;
        assert!(
            !String::from_utf8_lossy(&bytes).contains("person:"),
            "{cursor}"
        );
        assert!(bytes.len() > 24, "{cursor}");
        // Continues for its caller; refused for another, as is a cursor of the old form.
        let next =
            "query($a: String) { persons(first: 2, after: $a) { edges { node { nationalId } } } }";
        let body = app.query(&caseworker, next, json!({ "a": cursor })).await?;
        assert!(body["errors"].is_null(), "{body}");
        let websak = app.token(Role::Websak, None);
        let body = app.query(&websak, next, json!({ "a": cursor })).await?;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
        let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("person:1");
        let body = app.query(&caseworker, next, json!({ "a": forged })).await?;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    }
    Ok(())
}

#[tokio::test]
async fn the_person_sees_the_organisation_and_role_behind_a_change_never_the_employee()
-> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 60).await?;
        let caseworker = app.token(Role::Caseworker, None);
        let pop = &app.population;
        let offer = pop
            .school_offers
            .iter()
            .find(|o| {
                pop.programme_areas
                    .iter()
                    .any(|a| a.id == o.programme_area_id && a.level == "vg1")
            })
            .ok_or_else(|| anyhow::anyhow!("no Vg1 offer"))?;
        let wish = json!({
            "programmeArea": pop.programme_areas.iter().find(|a| a.id == offer.programme_area_id).map(|a| a.code.clone()),
            "school": org_no(&app, offer.school_id),
        });
        let nid = unused_national_id(9);
        let body = app
            .query(&caseworker, "mutation($i: RegisterPersonInput!) { registerPerson(input: $i) { nationalId } }", json!({ "i": { "nationalId": nid, "givenName": "Ny", "familyName": "Søker", "citizenship": "NO" } }))
            .await?;
        assert!(body["errors"].is_null(), "{body}");
        let body = app
            .query(&caseworker, "mutation($n: String!, $y: Int!, $w: [WishInput!]!) { submitApplication(nationalId: $n, intakeYear: $y, wishes: $w) { changes { actor actorRole } } }", json!({ "n": nid, "y": offer.intake_year, "w": [wish] }))
            .await?;
        // The county's own staff see the employee.
        let actor = body["data"]["submitApplication"]["changes"][0]["actor"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(actor.contains("test-caseworker"), "{body}");

        let student = app.token(Role::Student, Some(&nid));
        let body = app
            .query(
                &student,
                "{ me { applications { changes { change actorRole actorOrg actor } } } }",
                json!({}),
            )
            .await?;
        let change = &body["data"]["me"]["applications"][0]["changes"][0];
        assert_eq!(change["actorRole"], "caseworker", "{body}");
        assert_eq!(change["actor"], Value::Null, "{body}");
        assert_eq!(error_code(&body), Some("FORBIDDEN"));
        let export = app.query(&student, "{ subjectExport }", json!({})).await?;
        assert!(export["errors"].is_null(), "{export}");
        let text = export["data"]["subjectExport"].to_string();
        assert!(text.contains("\"actorRole\":\"caseworker\""), "{text}");
        assert!(!text.contains("test-caseworker"), "{text}");
    }
    Ok(())
}

#[tokio::test]
async fn scopes_are_bounded_in_time_at_their_edges() -> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 80).await?;
        let pop = &app.population;
        let today = Today::now();
        let caseworker = app.token(Role::Caseworker, None);
        let approval = pop
            .approved_trades
            .iter()
            .find(|a| {
                pop.organisations
                    .iter()
                    .any(|o| o.id == a.organisation_id && o.kind == OrganisationKind::Company)
            })
            .ok_or_else(|| anyhow::anyhow!("no approved company"))?;
        let company = org_no(&app, approval.organisation_id);
        let trade = pop
            .programme_areas
            .iter()
            .find(|a| a.id == approval.programme_area_id)
            .map(|a| a.code.clone())
            .unwrap_or_default();
        let (school, _) = busiest_school(&app);
        let school_no = org_no(&app, school);
        let vg1 = pop
            .programme_areas
            .iter()
            .find(|a| a.level == "vg1")
            .map(|a| a.code.clone())
            .unwrap_or_default();
        let mut serial = 40;
        let mut register = async || -> anyhow::Result<String> {
            serial += 1;
            let nid = unused_national_id(serial);
            let body = app
                .query(&caseworker, "mutation($n: String!) { registerPerson(input: { nationalId: $n, givenName: \"T\", familyName: \"T\", citizenship: \"NO\" }) { nationalId } }", json!({ "n": nid }))
                .await?;
            anyhow::ensure!(body["errors"].is_null(), "{body}");
            Ok(nid)
        };
        let run = async |query: &str, variables: Value| -> anyhow::Result<()> {
            let body = app.query(&caseworker, query, variables).await?;
            anyhow::ensure!(body["errors"].is_null(), "{body}");
            Ok(())
        };
        let contract = "mutation($n: String!, $i: ContractInput!) { createContract(nationalId: $n, input: $i) { status } }";
        let contract_ending = |end: chrono::NaiveDate| json!({ "company": company, "trade": trade, "kind": "APPRENTICE", "startDate": (end - chrono::Duration::days(730)).to_string(), "endDate": end.to_string() });
        let application = "mutation($n: String!, $y: Int!, $w: [WishInput!]!) { submitApplication(nationalId: $n, intakeYear: $y, wishes: $w) { status } }";
        let apprenticeship = json!([{ "programmeArea": trade, "apprenticeship": true }]);
        let enrolment = "mutation($n: String!, $i: EnrolmentInput!) { registerEnrolment(nationalId: $n, input: $i) { status } }";
        let enrolled_in = |year: i32| json!({ "school": school_no, "programmeArea": vg1, "schoolYear": year, "startDate": format!("{year}-08-15") });

        // (person, token that should or should not see them, whether it should)
        let mut cases = Vec::new();
        let year_ago = today.contracts_ended_since();
        for (ended, seen) in [
            (year_ago, true),
            (year_ago - chrono::Duration::days(1), false),
        ] {
            let nid = register().await?;
            run(contract, json!({ "n": nid, "i": contract_ending(ended) })).await?;
            cases.push((nid, "company", seen));
        }
        for (intake, seen) in [
            (today.intake_year() + 1, true),
            (today.intake_year(), true),
            (today.intake_year() - 1, false),
        ] {
            let nid = register().await?;
            run(
                application,
                json!({ "n": nid, "y": intake, "w": apprenticeship }),
            )
            .await?;
            cases.push((nid, "company", seen));
        }
        for (year, seen) in [
            (today.school_year() - 1, true),
            (today.school_year() - 2, false),
        ] {
            let nid = register().await?;
            run(enrolment, json!({ "n": nid, "i": enrolled_in(year) })).await?;
            cases.push((nid, "school", seen));
        }
        let company_token = app.token_for(Role::Company, Some(&company), None, None);
        let school_token = app.token_for(Role::School, Some(&school_no), None, None);
        for (nid, who, seen) in cases {
            let token = if who == "company" {
                &company_token
            } else {
                &school_token
            };
            let body = app
                .query(
                    token,
                    "query($n: String!) { person(nationalId: $n) { nationalId } }",
                    json!({ "n": nid }),
                )
                .await?;
            assert_eq!(
                body["data"]["person"].is_object(),
                seen,
                "{backend:?} {who}: {body}"
            );
        }
    }
    Ok(())
}

#[tokio::test]
async fn look_ups_spread_through_fragments_count_every_time() -> anyhow::Result<()> {
    let app = TestApp::new(vigo_tests::Backend::Sqlite, 20).await?;
    let token = app.token(Role::Caseworker, None);
    let fields: String = (0..10)
        .map(|i| {
            format!(
                " p{i}: person(nationalId: \"{}\") {{ givenName }}",
                unused_national_id(i + 60)
            )
        })
        .collect();
    // 10 look-ups spread three times run 30: refused, as is the doubling through nesting.
    for document in [
        format!("{{ ...F ...F ...F }} fragment F on Query {{{fields} }}"),
        format!(
            "{{ ...G }} fragment G on Query {{ ...F ...F ...F }} fragment F on Query {{{fields} }}"
        ),
    ] {
        app.statements.store(0, Ordering::SeqCst);
        let (status, body) = app.post(Some(&token), json!({ "query": document })).await?;
        assert_eq!(status, axum::http::StatusCode::BAD_REQUEST, "{body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("at most 25"),
            "{body}"
        );
        assert_eq!(app.statements.load(Ordering::SeqCst), 0);
    }
    // Twice is 20: allowed.
    let document = format!("{{ ...F ...F }} fragment F on Query {{{fields} }}");
    let (status, body) = app.post(Some(&token), json!({ "query": document })).await?;
    assert_eq!(status, axum::http::StatusCode::OK, "{body}");
    Ok(())
}

#[tokio::test]
async fn documents_that_expand_exponentially_are_refused_at_once() -> anyhow::Result<()> {
    let app = TestApp::new(vigo_tests::Backend::Sqlite, 10).await?;
    // 24 fragments, each spreading the next twice: about 1 KB that expands to 2^24 selections.
    let mut document = String::from("{ ...F0 }");
    for level in 0..24 {
        document.push_str(&format!(
            " fragment F{level} on Query {{ ...F{next} ...F{next} }}",
            next = level + 1
        ));
    }
    document.push_str(" fragment F24 on Query { __typename }");
    for role in [Role::Ssb, Role::Caseworker] {
        let started = std::time::Instant::now();
        let (status, body) = app
            .post(Some(&app.token(role, None)), json!({ "query": document }))
            .await?;
        let took = started.elapsed();
        assert_eq!(
            status,
            axum::http::StatusCode::BAD_REQUEST,
            "{role}: {body}"
        );
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("too large"),
            "{body}"
        );
        assert!(
            took < std::time::Duration::from_millis(50),
            "{role}: {took:?}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_document_may_not_name_the_stand_in_for_denied_fields() -> anyhow::Result<()> {
    let app = TestApp::new(vigo_tests::Backend::Sqlite, 10).await?;
    let token = app.token(Role::Websak, None);
    let body = app
        .query(
            &token,
            "{ persons(first: 1) { edges { node { __denied(field: \"Person.healthRecord\") } } } }",
            Value::Null,
        )
        .await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let forged = access_denial::Entity::find()
        .filter(access_denial::Column::Target.eq("Person.healthRecord"))
        .all(&app.db)
        .await?;
    assert!(forged.is_empty(), "a forged denial was recorded");
    Ok(())
}

#[tokio::test]
async fn writes_stay_within_the_writers_records() -> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 120).await?;
        let (school, pupils, token) = school_that_writes(&app).await?;
        let pop = &app.population;
        let other = pop
            .organisations
            .iter()
            .find(|o| o.kind == OrganisationKind::School && o.id != school)
            .map(|o| o.org_no.clone())
            .unwrap_or_default();
        let vg1 = pop
            .programme_areas
            .iter()
            .find(|a| a.level == "vg1")
            .map(|a| a.code.clone());
        let pupil = national_ids(&app, [pupils[0]])
            .pop_first()
            .unwrap_or_default();
        let enrol = "mutation($n: String!, $i: EnrolmentInput!) { registerEnrolment(nationalId: $n, input: $i) { schoolYear } }";
        let year = Today::now().school_year();
        let at = |school: &str| json!({ "n": pupil, "i": { "school": school, "programmeArea": vg1, "schoolYear": year, "startDate": format!("{year}-08-20") } });
        let count = || async {
            Ok::<_, anyhow::Error>(
                vigo_entities::enrolment::Entity::find()
                    .all(&app.db)
                    .await?
                    .len(),
            )
        };
        let before = count().await?;
        // At another school: refused, nothing written.
        let body = app.query(&token, enrol, at(&other)).await?;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{backend:?}: {body}");
        assert_eq!(count().await?, before, "{backend:?}: nothing written");
        // At its own: written.
        let body = app.query(&token, enrol, at(&org_no(&app, school))).await?;
        assert!(body["errors"].is_null(), "{body}");
        assert_eq!(count().await?, before + 1);
        // Registering persons needs a scope over everyone: no oracle for taken numbers.
        let taken = pop.persons[0].national_id.clone();
        let register = "mutation($n: String!) { registerPerson(input: { nationalId: $n, givenName: \"A\", familyName: \"B\", citizenship: \"NO\" }) { nationalId } }";
        let taken_answer = app.query(&token, register, json!({ "n": taken })).await?;
        let free_answer = app
            .query(&token, register, json!({ "n": unused_national_id(77) }))
            .await?;
        assert_eq!(
            error_code(&taken_answer),
            Some("FORBIDDEN"),
            "{taken_answer}"
        );
        assert_eq!(taken_answer, free_answer);
    }
    Ok(())
}

#[tokio::test]
async fn a_client_request_id_correlates_but_never_names_the_record() -> anyhow::Result<()> {
    let app = TestApp::new(vigo_tests::Backend::Sqlite, 20).await?;
    let token = app.token(Role::Caseworker, None);
    let request = axum::http::Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .header("x-request-id", "disclosure-1")
        .body(axum::body::Body::from(
            json!({ "query": "{ persons(first: 2) { edges { node { givenName } } } }" })
                .to_string(),
        ))?;
    let (status, headers, body) = app.send(request).await?;
    assert_eq!(status, axum::http::StatusCode::OK, "{body}");
    // Echoed for the client's own correlation…
    assert_eq!(
        headers.get("x-request-id").and_then(|v| v.to_str().ok()),
        Some("disclosure-1")
    );
    // …but the trail names the request by the server's own id.
    let event = newest_event(&app).await?;
    assert_ne!(event.request_id, "disclosure-1");
    assert!(uuid_like(&event.request_id), "{}", event.request_id);
    Ok(())
}

fn uuid_like(id: &str) -> bool {
    id.len() == 36 && id.chars().filter(|c| *c == '-').count() == 4
}
