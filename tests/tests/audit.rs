//! The audit trail: every read of persons and every write is recorded before the response is
//! sent, the person sees who looked, and tampering breaks the chain.

use sea_orm::{EntityTrait, PaginatorTrait, QueryOrder};
use serde_json::{Value, json};
use vigo_api::audit;
use vigo_entities::audit_event;
use vigo_policy::Role;
use vigo_tests::{Backend, TestApp, backends, error_code};

/// A pupil of the school that `app.token(Role::School, …)` acts for.
fn pupil_of_a_school(app: &TestApp) -> (i32, String, String) {
    let pop = &app.population;
    // Enrolled this school year, so inside the school's scope.
    let year = vigo_policy::Today::now().school_year();
    let enrolment = pop
        .enrolments
        .iter()
        .find(|e| e.school_year == year)
        .expect("a pupil this school year");
    let school = pop
        .organisations
        .iter()
        .find(|o| o.id == enrolment.school_id)
        .expect("the school");
    let person = pop
        .persons
        .iter()
        .find(|p| p.id == enrolment.person_id)
        .expect("the pupil");
    (person.id, person.national_id.clone(), school.org_no.clone())
}

/// The newest event of the trail.
async fn last_event(app: &TestApp) -> anyhow::Result<audit_event::Model> {
    audit_event::Entity::find()
        .order_by_desc(audit_event::Column::Id)
        .one(&app.db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the trail is empty"))
}

/// The persons linked to an event, sorted.
async fn linked_persons(app: &TestApp, event: i64) -> anyhow::Result<Vec<i32>> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let mut persons: Vec<i32> = vigo_entities::audit_event_person::Entity::find()
        .filter(vigo_entities::audit_event_person::Column::AuditEventId.eq(event))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|l| l.person_id)
        .collect();
    persons.sort_unstable();
    Ok(persons)
}

#[tokio::test]
async fn a_pupil_sees_that_the_school_read_their_data() -> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 120).await?;
        let (_, national_id, org_no) = pupil_of_a_school(&app);
        let school = app.token_for(Role::School, Some(&org_no), None, None);
        let body = app
            .query(
                &school,
                "query($n: String!) { person(nationalId: $n) { givenName contact { city } enrolments { status } } }",
                json!({ "n": national_id }),
            )
            .await?;
        assert!(body["data"]["person"]["givenName"].is_string(), "{body}");

        let me = app.token(Role::Student, Some(&national_id));
        let body = app
            .query(
                &me,
                "{ me { accessLog { at actorRole actorOrg purpose operation categories } } }",
                Value::Null,
            )
            .await?;
        let log = body["data"]["me"]["accessLog"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let by_school: Vec<&Value> = log.iter().filter(|e| e["actorRole"] == "school").collect();
        assert_eq!(by_school.len(), 1, "{backend:?}: {body}");
        let event = by_school[0];
        assert_eq!(event["actorOrg"], json!(org_no));
        assert_eq!(event["purpose"], "administration");
        assert_eq!(event["operation"], "Query.person");
        assert_eq!(
            event["categories"],
            json!(["contact", "enrolment", "identity"])
        );
        assert!(
            body.to_string().find("test-school").is_none(),
            "the individual employee is not shown"
        );
        assert!(audit::verify(&app.db).await? >= 2, "{backend:?}");
    }
    Ok(())
}

#[tokio::test]
async fn one_event_per_request_links_every_person_returned_and_writes_are_recorded()
-> anyhow::Result<()> {
    let app = TestApp::new(Backend::Sqlite, 60).await?;
    let caseworker = app.token(Role::Caseworker, None);
    let before = audit_event::Entity::find().count(&app.db).await?;
    let body = app
        .query(
            &caseworker,
            "{ persons(first: 25) { edges { node { nationalId } } } }",
            Value::Null,
        )
        .await?;
    assert_eq!(
        body["data"]["persons"]["edges"].as_array().map(Vec::len),
        Some(25)
    );
    assert_eq!(
        audit_event::Entity::find().count(&app.db).await?,
        before + 1
    );
    let links = vigo_entities::audit_event_person::Entity::find()
        .count(&app.db)
        .await?;
    assert_eq!(links, 25, "one link per person returned");

    let living = app.population.contacts[0].person_id;
    let national_id = app.population.persons[(living - 1) as usize]
        .national_id
        .clone();
    let body = app
        .query(
            &caseworker,
            "mutation($n: String!) { markDeceased(nationalId: $n) { deceasedOn } }",
            json!({ "n": national_id }),
        )
        .await?;
    assert!(
        body["data"]["markDeceased"]["deceasedOn"].is_string(),
        "{body}"
    );
    let last = last_event(&app).await?;
    assert_eq!(last.operation, "Mutation.markDeceased");
    // Contracts read through an organisation are linked to their persons.
    let contract = &app.population.contracts[0];
    let company = app
        .population
        .organisations
        .iter()
        .find(|o| o.id == contract.company_id)
        .map(|o| o.org_no.clone())
        .unwrap_or_default();
    let body = app
        .query(
            &caseworker,
            "query($o: String!) { organisation(orgNo: $o) { apprentices { status } } }",
            json!({ "o": company }),
        )
        .await?;
    assert!(
        body["data"]["organisation"]["apprentices"].is_array(),
        "{body}"
    );
    let last = last_event(&app).await?;
    assert_eq!(last.operation, "Query.organisation");
    let linked = linked_persons(&app, last.id).await?;
    assert!(linked.contains(&contract.person_id), "{linked:?}");

    // The deceased person's trail keeps working.
    let me = app.token(Role::Student, Some(&national_id));
    let body = app
        .query(&me, "{ me { accessLog { operation } } }", Value::Null)
        .await?;
    let operations: Vec<&str> = body["data"]["me"]["accessLog"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["operation"].as_str())
        .collect();
    assert!(operations.contains(&"Mutation.markDeceased"), "{body}");
    Ok(())
}

#[tokio::test]
async fn tampering_with_the_trail_is_detected() -> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 40).await?;
        let caseworker = app.token(Role::Caseworker, None);
        for _ in 0..4 {
            app.query(
                &caseworker,
                "{ persons(first: 3) { edges { node { givenName } } } }",
                Value::Null,
            )
            .await?;
        }
        assert_eq!(audit::verify(&app.db).await?, 4, "{backend:?}");
        let ids: Vec<i64> = audit_event::Entity::find()
            .all(&app.db)
            .await?
            .into_iter()
            .map(|e| e.id)
            .collect();

        // Changing what an event says.
        app.execute(&format!(
            "UPDATE audit_event SET actor_role = 'caseworker', purpose = 'intake' WHERE id = {}",
            ids[1]
        ))
        .await?;
        let err = audit::verify(&app.db).await.unwrap_err().to_string();
        assert!(
            err.contains(&format!("audit event {}", ids[1])),
            "{backend:?}: {err}"
        );
        app.execute(&format!(
            "UPDATE audit_event SET purpose = 'administration' WHERE id = {}",
            ids[1]
        ))
        .await?;
        assert_eq!(audit::verify(&app.db).await?, 4, "restored");

        // Removing whom an event touched.
        app.execute(&format!("DELETE FROM audit_event_person WHERE audit_event_id = {} AND person_id = (SELECT MIN(person_id) FROM audit_event_person WHERE audit_event_id = {})", ids[2], ids[2]),
        )
        .await?;
        let err = audit::verify(&app.db).await.unwrap_err().to_string();
        assert!(
            err.contains(&format!("audit event {}", ids[2])),
            "{backend:?}: {err}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn removed_events_are_detected_in_the_middle_and_at_the_end() -> anyhow::Result<()> {
    let app = TestApp::new(Backend::Sqlite, 30).await?;
    let caseworker = app.token(Role::Caseworker, None);
    for _ in 0..3 {
        app.query(
            &caseworker,
            "{ persons(first: 2) { edges { node { givenName } } } }",
            Value::Null,
        )
        .await?;
    }
    let ids: Vec<i64> = audit_event::Entity::find()
        .all(&app.db)
        .await?
        .into_iter()
        .map(|e| e.id)
        .collect();
    app.execute(&format!(
        "DELETE FROM audit_event_person WHERE audit_event_id = {}",
        ids[2]
    ))
    .await?;
    app.execute(&format!("DELETE FROM audit_event WHERE id = {}", ids[2]))
        .await?;
    let err = audit::verify(&app.db).await.unwrap_err().to_string();
    assert!(err.contains("removed from the end"), "{err}");
    app.execute(&format!(
        "DELETE FROM audit_event_person WHERE audit_event_id = {}",
        ids[0]
    ))
    .await?;
    app.execute(&format!("DELETE FROM audit_event WHERE id = {}", ids[0]))
        .await?;
    let err = audit::verify(&app.db).await.unwrap_err().to_string();
    assert!(err.contains(&format!("audit event {}", ids[1])), "{err}");
    Ok(())
}

#[tokio::test]
async fn a_request_whose_audit_record_cannot_be_written_returns_no_data() -> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 20).await?;
        app.execute("DROP TABLE audit_chain").await?;
        let (status, body) = app
            .post(
                Some(&app.token(Role::Caseworker, None)),
                json!({ "query": "{ persons(first: 5) { edges { node { nationalId givenName } } } }" }),
            )
            .await?;
        assert_eq!(status.as_u16(), 500, "{backend:?}: {body}");
        assert_eq!(error_code(&body), Some("INTERNAL"));
        assert!(body.get("data").is_none_or(Value::is_null), "{body}");
        assert!(!body.to_string().contains("givenName"), "{body}");
    }
    Ok(())
}

#[tokio::test]
async fn a_write_whose_audit_record_cannot_be_written_changes_nothing() -> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 20).await?;
        let person = app.population.persons[0].clone();
        // The chain's head is locked and updated by every append: renaming its table makes
        // the append, and only the append, fail.
        app.execute("ALTER TABLE audit_chain RENAME TO audit_chain_moved")
            .await?;
        let body = app
            .query(
                &app.token(Role::Caseworker, None),
                "mutation($n: String!) { updatePerson(nationalId: $n, input: { givenName: \"Changed\" }) { givenName } }",
                json!({ "n": person.national_id }),
            )
            .await?;
        assert_eq!(error_code(&body), Some("INTERNAL"), "{backend:?}: {body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("nothing was changed")),
            "{body}"
        );
        let stored = vigo_entities::person::Entity::find_by_id(person.id)
            .one(&app.db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("person gone"))?;
        assert_eq!(
            stored.given_name, person.given_name,
            "{backend:?}: rolled back"
        );
        app.execute("ALTER TABLE audit_chain_moved RENAME TO audit_chain")
            .await?;
        let body = app
            .query(
                &app.token(Role::Caseworker, None),
                "mutation($n: String!) { updatePerson(nationalId: $n, input: { givenName: \"Changed\" }) { givenName } }",
                json!({ "n": person.national_id }),
            )
            .await?;
        assert_eq!(
            body["data"]["updatePerson"]["givenName"], "Changed",
            "{body}"
        );
        let last = last_event(&app).await?;
        assert_eq!(last.operation, "Mutation.updatePerson");
        assert_eq!(last.categories, "identity");
        assert_eq!(audit::verify(&app.db).await?, 1, "{backend:?}");
    }
    Ok(())
}

#[tokio::test]
async fn the_retention_rule_removes_old_events_and_the_chain_still_verifies() -> anyhow::Result<()>
{
    for backend in backends() {
        let app = TestApp::new(backend, 30).await?;
        let caseworker = app.token(Role::Caseworker, None);
        let read = "{ persons(first: 3) { edges { node { nationalId } } } }";
        for _ in 0..2 {
            app.query(&caseworker, read, Value::Null).await?;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let cutoff = chrono::Utc::now();
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        for _ in 0..2 {
            app.query(&caseworker, read, Value::Null).await?;
        }
        assert_eq!(audit::verify(&app.db).await?, 4);
        let second = audit_event::Entity::find_by_id(2i64)
            .one(&app.db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no event 2"))?;

        // As if run two years on, within a signed checkpoint of all four events.
        let later = chrono::Utc::now() + chrono::TimeDelta::days(730);
        let pruned = audit::prune(&app.db, cutoff, 4, later).await?;
        assert_eq!(
            pruned,
            audit::Pruned {
                events: 2,
                through: Some(2)
            },
            "{backend:?}"
        );
        assert_eq!(
            audit::verify(&app.db).await?,
            3,
            "{backend:?}: kept + prune record"
        );
        let last = last_event(&app).await?;
        assert_eq!(last.operation, format!("Audit.prune:2:{}", second.hash));
        let links = vigo_entities::audit_event_person::Entity::find()
            .all(&app.db)
            .await?;
        assert!(
            links.iter().all(|l| l.audit_event_id > 2),
            "links pruned too"
        );
        // Nothing older than the cutoff is left: pruning again removes nothing.
        assert_eq!(audit::prune(&app.db, cutoff, 4, later).await?.events, 0);

        // Removing the first kept event is still tampering, even when the next one is
        // renumbered to take its place.
        app.execute("DELETE FROM audit_event_person WHERE audit_event_id = 3")
            .await?;
        app.execute("DELETE FROM audit_event WHERE id = 3").await?;
        let err = audit::verify(&app.db).await.unwrap_err().to_string();
        assert!(err.contains("audit event 4"), "{backend:?}: {err}");
        app.execute("UPDATE audit_event_person SET audit_event_id = 3 WHERE audit_event_id = 4")
            .await?;
        app.execute("UPDATE audit_event SET id = 3 WHERE id = 4")
            .await?;
        let err = audit::verify(&app.db).await.unwrap_err().to_string();
        assert!(err.contains("audit event 3"), "{backend:?}: {err}");
    }
    Ok(())
}

#[tokio::test]
async fn a_person_exports_everything_held_about_them_as_one_document() -> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 40).await?;
        let living = app.population.contacts[0].person_id;
        let person = app
            .population
            .persons
            .iter()
            .find(|p| p.id == living)
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("no living person"))?;
        let me = app.token(Role::Student, Some(&person.national_id));
        let body = app.query(&me, "{ subjectExport }", Value::Null).await?;
        assert!(body.get("errors").is_none(), "{backend:?}: {body}");
        let document = &body["data"]["subjectExport"];
        assert_eq!(document["nationalId"], json!(person.national_id));
        assert!(document["contact"]["address"].is_string(), "{document}");
        for list in [
            "enrolments",
            "applications",
            "accessLog",
            "disclosures",
            "decisions",
        ] {
            assert!(document[list].is_array(), "{list} missing: {document}");
        }
        // The same as `me` with every field: the plain query gives the same identity.
        let plain = app
            .query(&me, "{ me { givenName familyName } }", Value::Null)
            .await?;
        assert_eq!(document["givenName"], plain["data"]["me"]["givenName"]);

        // The export is one audit event, with the categories it read and the person.
        let events = audit_event::Entity::find()
            .order_by_asc(audit_event::Column::Id)
            .all(&app.db)
            .await?;
        let export = events
            .iter()
            .find(|e| e.operation == "Query.subjectExport")
            .ok_or_else(|| anyhow::anyhow!("the export is not in the trail"))?;
        for category in ["identity", "contact", "access_log", "disclosures"] {
            assert!(
                export.categories.split(',').any(|c| c == category),
                "{category} not recorded: {}",
                export.categories
            );
        }
        let linked = linked_persons(&app, export.id).await?;
        assert_eq!(linked, [person.id]);

        // A token that names no person has nothing of its own to export.
        let school = app.token(Role::School, None);
        let body = app.query(&school, "{ subjectExport }", Value::Null).await?;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
        let denial = vigo_entities::access_denial::Entity::find()
            .order_by_desc(vigo_entities::access_denial::Column::Id)
            .one(&app.db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the refusal is not recorded"))?;
        assert_eq!(denial.target, "Query.subjectExport");
    }
    Ok(())
}

#[tokio::test]
async fn a_read_beside_a_mutation_that_does_not_run_is_still_recorded() -> anyhow::Result<()> {
    let app = TestApp::new(Backend::Sqlite, 20).await?;
    let (_, body) = app
        .post(
            Some(&app.token(Role::Caseworker, None)),
            json!({
                "query": "query R { persons(first: 2) { edges { node { nationalId } } } } mutation W { markDeceased(nationalId: \"x\") { id } }",
                "operationName": "R",
            }),
        )
        .await?;
    assert_eq!(
        body["data"]["persons"]["edges"].as_array().map(Vec::len),
        Some(2),
        "{body}"
    );
    let last = last_event(&app).await?;
    assert!(last.operation.contains("Query.persons"), "{last:?}");
    assert_eq!(linked_persons(&app, last.id).await?.len(), 2);
    Ok(())
}

#[tokio::test]
async fn concurrent_writers_keep_the_chain_valid() -> anyhow::Result<()> {
    use tower::ServiceExt;
    for backend in backends() {
        let app = std::sync::Arc::new(TestApp::new(backend, 50).await?);
        // A second server instance over the same database, with its own audit writer.
        let other = vigo_api::server::router(vigo_api::server::AppState::with_gate(
            app.db.clone(),
            app.auth.clone(),
            app.gate.clone(),
            10_000,
        )?);
        let token = app.token(Role::Caseworker, None);
        let mut tasks = Vec::new();
        for i in 0..24 {
            let (app, other, token) = (app.clone(), other.clone(), token.clone());
            tasks.push(tokio::spawn(async move {
                let query = format!(
                    "{{ persons(first: {}) {{ edges {{ node {{ nationalId }} }} }} }}",
                    1 + i % 5
                );
                if i % 2 == 0 {
                    return app.query(&token, &query, Value::Null).await;
                }
                let request = axum::http::Request::post("/graphql")
                    .header("content-type", "application/json")
                    .header("authorization", format!("Bearer {token}"))
                    .body(axum::body::Body::from(
                        json!({ "query": query }).to_string(),
                    ))?;
                let response = other.oneshot(request).await?;
                let bytes = http_body_util::BodyExt::collect(response.into_body())
                    .await?
                    .to_bytes();
                Ok(serde_json::from_slice(&bytes)?)
            }));
        }
        for task in tasks {
            let body: Value = task.await??;
            assert!(body["errors"].is_null(), "{backend:?}: {body}");
        }
        assert_eq!(audit::verify(&app.db).await?, 24, "{backend:?}");
    }
    Ok(())
}

#[tokio::test]
async fn the_privacy_officer_queries_the_trail_by_person_role_and_time() -> anyhow::Result<()> {
    let app = TestApp::new(Backend::Sqlite, 120).await?;
    let (_, national_id, org_no) = pupil_of_a_school(&app);
    let school = app.token_for(Role::School, Some(&org_no), None, None);
    let caseworker = app.token(Role::Caseworker, None);
    let read = "query($n: String!) { person(nationalId: $n) { givenName } }";
    app.query(&school, read, json!({ "n": national_id }))
        .await?;
    app.query(&caseworker, read, json!({ "n": national_id }))
        .await?;
    app.query(
        &caseworker,
        "{ persons(first: 3) { edges { node { givenName } } } }",
        Value::Null,
    )
    .await?;
    let officer = app.token(Role::PrivacyOfficer, None);
    let query = "query($f: AuditFilter, $first: Int!, $before: ID) { auditEvents(filter: $f, first: $first, before: $before) { id actorRole actorOrg actorSub operation persons } }";
    let events = |body: &Value| {
        body["data"]["auditEvents"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };

    let body = app
        .query(
            &officer,
            query,
            json!({ "f": { "person": national_id }, "first": 10 }),
        )
        .await?;
    let found = events(&body);
    let roles: Vec<&str> = found
        .iter()
        .filter_map(|e| e["actorRole"].as_str())
        .collect();
    assert!(
        roles.contains(&"school") && roles.contains(&"caseworker"),
        "{body}"
    );

    let body = app
        .query(
            &officer,
            query,
            json!({ "f": { "org": org_no }, "first": 10 }),
        )
        .await?;
    assert_eq!(events(&body).len(), 1, "{body}");
    assert_eq!(
        events(&body)[0]["actorSub"],
        "test-school",
        "the officer sees the individual"
    );

    let body = app
        .query(
            &officer,
            query,
            json!({ "f": { "role": "CASEWORKER" }, "first": 1 }),
        )
        .await?;
    let newest = events(&body);
    assert_eq!(newest.len(), 1);
    assert_eq!(newest[0]["operation"], "Query.persons");
    assert_eq!(newest[0]["persons"], 3);
    let body = app
        .query(
            &officer,
            query,
            json!({ "f": { "role": "CASEWORKER" }, "first": 5, "before": newest[0]["id"] }),
        )
        .await?;
    assert_eq!(
        events(&body).len(),
        1,
        "the next page holds the older one: {body}"
    );

    let body = app
        .query(
            &officer,
            query,
            json!({ "f": { "from": "2999-01-01T00:00:00Z" }, "first": 5 }),
        )
        .await?;
    assert!(events(&body).is_empty());
    let body = app
        .query(
            &officer,
            query,
            json!({ "f": { "from": "yesterday" }, "first": 5 }),
        )
        .await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    // Reading the trail is itself recorded.
    let body = app
        .query(
            &officer,
            query,
            json!({ "f": { "role": "PRIVACY_OFFICER" }, "first": 5 }),
        )
        .await?;
    assert!(
        events(&body)
            .iter()
            .any(|e| e["operation"] == "Query.auditEvents"),
        "{body}"
    );
    // Nobody else reads the trail.
    let body = app.query(&caseworker, query, json!({ "first": 5 })).await?;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));

    // Denials only: filtered by role and kind, a page at a time.
    let school = app.token(Role::School, None);
    for _ in 0..2 {
        app.query(
            &school,
            "{ persons(first: 1) { edges { node { loanCustomer } } } }",
            Value::Null,
        )
        .await?;
    }
    let denials = "query($f: DenialFilter, $last: Int!, $before: ID) { denials(filter: $f, last: $last, before: $before) { id kind target actorRole actorOrg } }";
    let body = app
        .query(
            &officer,
            denials,
            json!({ "f": { "role": "SCHOOL", "kind": "FIELD" }, "last": 1 }),
        )
        .await?;
    let page = body["data"]["denials"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(page.len(), 1, "{body}");
    assert_eq!(page[0]["target"], "Person.loanCustomer");
    assert_eq!(page[0]["actorRole"], "school");
    let body = app
        .query(
            &officer,
            denials,
            json!({ "f": { "role": "SCHOOL", "kind": "FIELD" }, "last": 10, "before": page[0]["id"] }),
        )
        .await?;
    assert_eq!(
        body["data"]["denials"].as_array().map(Vec::len),
        Some(1),
        "the older denial on the next page: {body}"
    );
    // The caseworker's refused read of the trail is an operation denial, not a field one.
    let body = app
        .query(
            &officer,
            denials,
            json!({ "f": { "role": "CASEWORKER" }, "last": 10 }),
        )
        .await?;
    assert!(
        body["data"]["denials"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|d| d["kind"] == "OPERATION"),
        "{body}"
    );
    let body = app
        .query(
            &officer,
            denials,
            json!({ "f": { "kind": "maybe" }, "last": 1 }),
        )
        .await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    Ok(())
}
