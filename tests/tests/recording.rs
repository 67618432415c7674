//! The audit event comes from what was executed and read: the operation that ran (root
//! fields through fragments), the categories it read, and exactly the persons its response
//! holds, on every path of the schema that returns a person.

use std::collections::BTreeSet;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use vigo_api::graphql::enforce::TypeMap;
use vigo_entities::{audit_event, audit_event_person, person};
use vigo_policy::Role;
use vigo_tests::{TestApp, backends, unused_national_id};

async fn newest(app: &TestApp) -> anyhow::Result<(audit_event::Model, BTreeSet<i32>)> {
    let event = audit_event::Entity::find()
        .order_by_desc(audit_event::Column::Id)
        .one(&app.db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no audit event"))?;
    let persons = audit_event_person::Entity::find()
        .filter(audit_event_person::Column::AuditEventId.eq(event.id))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|l| l.person_id)
        .collect();
    Ok((event, persons))
}

async fn event_count(app: &TestApp) -> anyhow::Result<usize> {
    Ok(audit_event::Entity::find().all(&app.db).await?.len())
}

/// The ids of the persons whose national ids occur anywhere in `body`.
async fn persons_in(app: &TestApp, body: &Value) -> anyhow::Result<BTreeSet<i32>> {
    let mut ids = Vec::new();
    collect_national_ids(body, &mut ids);
    Ok(person::Entity::find()
        .filter(person::Column::NationalId.is_in(ids))
        .all(&app.db)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect())
}

fn collect_national_ids(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            for (key, member) in object {
                match (key.as_str(), member) {
                    ("nationalId", Value::String(id)) => out.push(id.clone()),
                    _ => collect_national_ids(member, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_national_ids(i, out)),
        _ => {}
    }
}

#[tokio::test]
async fn every_path_to_a_person_links_exactly_the_persons_in_the_response() -> anyhow::Result<()> {
    // Every field of the schema that returns a person must be covered below.
    let types = TypeMap::from_sdl(&vigo_api::graphql::sdl()).map_err(anyhow::Error::msg)?;
    let mut paths: BTreeSet<String> = BTreeSet::new();
    for type_name in ["Query", "Mutation", "PersonEdge", "Organisation"]
        .into_iter()
        .map(str::to_owned)
        .chain(types.data_types())
    {
        for (field, returns) in types.fields_of(&type_name) {
            if returns == "Person" {
                paths.insert(format!("{type_name}.{field}"));
            }
        }
    }
    let covered: BTreeSet<String> = [
        "Query.me",
        "Query.person",
        "PersonEdge.node",
        "Mutation.registerPerson",
        "Mutation.updatePerson",
        "Mutation.setContact",
        "Mutation.markDeceased",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(paths, covered, "a path to Person this test does not walk");

    for backend in backends() {
        let app = TestApp::new(backend, 150).await?;
        let caseworker = app.token(Role::Caseworker, None);
        let pop = &app.population;
        let someone = pop.contacts[0].person_id;
        let someone_nid = pop.persons[(someone - 1) as usize].national_id.clone();
        let student = app.token(Role::Student, Some(&someone_nid));

        // Reads: the response's persons are exactly the event's.
        let reads: Vec<(&str, &str, Value)> = vec![
            (&student, "{ me { nationalId givenName } }", Value::Null),
            (
                &caseworker,
                "query($n: String!) { person(nationalId: $n) { nationalId } }",
                json!({ "n": someone_nid }),
            ),
            (
                &caseworker,
                "{ persons(first: 7) { edges { node { nationalId enrolments { status } } } } }",
                Value::Null,
            ),
            (
                &caseworker,
                "{ ...Page } fragment Page on Query { persons(first: 3) { edges { node { nationalId } } } }",
                Value::Null,
            ),
        ];
        for (token, query, variables) in reads {
            let body = app.query(token, query, variables).await?;
            assert!(body["errors"].is_null(), "{backend:?} {query}: {body}");
            let expected = persons_in(&app, &body).await?;
            assert!(!expected.is_empty(), "{query}");
            let (event, linked) = newest(&app).await?;
            assert_eq!(linked, expected, "{backend:?} {query}");
            assert!(
                !event.operation.is_empty() && event.operation.starts_with("Query."),
                "{query}: {}",
                event.operation
            );
            assert!(
                event.categories.contains("identity"),
                "{query}: {}",
                event.categories
            );
        }

        // An organisation's apprentices: the contracts' persons.
        let company = pop
            .contracts
            .iter()
            .map(|c| c.company_id)
            .max_by_key(|id| pop.contracts.iter().filter(|c| c.company_id == *id).count())
            .unwrap_or_default();
        let org_no = pop.organisations[(company - 1) as usize].org_no.clone();
        let body = app
            .query(
                &caseworker,
                "query($o: String!) { organisation(orgNo: $o) { apprentices { id status } } }",
                json!({ "o": org_no }),
            )
            .await?;
        let contracts: BTreeSet<i32> = body["data"]["organisation"]["apprentices"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| {
                c["id"]
                    .as_str()?
                    .strip_prefix("ApprenticeshipContract:")?
                    .parse()
                    .ok()
            })
            .collect();
        assert!(!contracts.is_empty(), "{body}");
        let expected: BTreeSet<i32> = pop
            .contracts
            .iter()
            .filter(|c| contracts.contains(&c.id))
            .map(|c| c.person_id)
            .collect();
        let (event, linked) = newest(&app).await?;
        assert_eq!(linked, expected, "{backend:?}: apprentices");
        assert_eq!(event.operation, "Query.organisation");

        // The art. 15 export: the person themself.
        let body = app
            .query(&student, "{ subjectExport }", Value::Null)
            .await?;
        assert!(body["errors"].is_null(), "{body}");
        let (event, linked) = newest(&app).await?;
        assert_eq!(linked, BTreeSet::from([someone]));
        assert_eq!(event.operation, "Query.subjectExport");

        // Writes: one event, the write's own, linking the person written and read back.
        let nid = unused_national_id(1);
        let contact = json!({ "address": "Prøvegata 2", "postalCode": "0150", "city": "Oslo", "municipalityCode": "0301" });
        let writes: Vec<(&str, String, Value)> = vec![
            ("registerPerson", "mutation($n: String!) { registerPerson(input: { nationalId: $n, givenName: \"A\", familyName: \"B\", citizenship: \"NO\" }) { nationalId } }".into(), json!({ "n": nid })),
            ("updatePerson", "mutation($n: String!) { updatePerson(nationalId: $n, input: { givenName: \"C\" }) { nationalId } }".into(), json!({ "n": nid })),
            ("setContact", "mutation($n: String!, $c: ContactInput!) { setContact(nationalId: $n, contact: $c) { nationalId contact { city } } }".into(), json!({ "n": nid, "c": contact })),
            ("markDeceased", "mutation($n: String!) { markDeceased(nationalId: $n) { nationalId } }".into(), json!({ "n": nid })),
        ];
        for (name, query, variables) in writes {
            let before = event_count(&app).await?;
            let body = app.query(&caseworker, &query, variables).await?;
            assert!(body["errors"].is_null(), "{backend:?} {name}: {body}");
            let expected = persons_in(&app, &body).await?;
            assert_eq!(expected.len(), 1, "{name}: {body}");
            assert_eq!(event_count(&app).await?, before + 1, "{name}: one event");
            let (event, linked) = newest(&app).await?;
            assert_eq!(event.operation, format!("Mutation.{name}"));
            assert_eq!(linked, expected, "{backend:?} {name}");
        }
    }
    Ok(())
}

#[tokio::test]
async fn the_event_records_the_operation_that_ran_and_what_it_read() -> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 60).await?;
        let caseworker = app.token(Role::Caseworker, None);

        // Of two operations, only the one that ran is recorded, with its categories only.
        let document = "query Names { persons(first: 2) { edges { node { givenName } } } } \
                        query Contacts { persons(first: 2) { edges { node { contact { email } } } } organisation(orgNo: \"974760673\") { name } }";
        let (_, body) = app
            .post(
                Some(&caseworker),
                json!({ "query": document, "operationName": "Names" }),
            )
            .await?;
        assert!(body["errors"].is_null(), "{body}");
        let (event, linked) = newest(&app).await?;
        assert_eq!(event.operation, "Query.persons");
        assert_eq!(event.categories, "identity", "{backend:?}");
        assert_eq!(linked.len(), 2);

        // A count reveals no one's data: recorded, linking nobody, reading no category.
        let before = event_count(&app).await?;
        let body = app
            .query(&caseworker, "{ persons { totalCount } }", Value::Null)
            .await?;
        assert!(
            body["data"]["persons"]["totalCount"].as_i64() > Some(0),
            "{body}"
        );
        assert_eq!(event_count(&app).await?, before + 1);
        let (event, linked) = newest(&app).await?;
        assert_eq!(event.operation, "Query.persons");
        assert!(linked.is_empty(), "{linked:?}");
        assert_eq!(event.categories, "");

        // The trail read through a fragment is itself recorded.
        let officer = app.token(Role::PrivacyOfficer, None);
        let before = event_count(&app).await?;
        let body = app
            .query(&officer, "{ ...Trail } fragment Trail on Query { auditEvents(first: 1) { id } denials(last: 1) { id } }", Value::Null)
            .await?;
        assert!(body["errors"].is_null(), "{body}");
        assert_eq!(event_count(&app).await?, before + 1, "{backend:?}");
        let (event, _) = newest(&app).await?;
        assert_eq!(event.operation, "Query.auditEvents,Query.denials");
    }
    Ok(())
}

#[tokio::test]
async fn what_is_skipped_is_not_recorded_and_writes_record_what_they_write() -> anyhow::Result<()> {
    let app = TestApp::new(vigo_tests::Backend::Sqlite, 40).await?;
    let caseworker = app.token(Role::Caseworker, None);
    let body = app
        .query(
            &caseworker,
            "query($no: Boolean!) { persons(first: 2) { edges { node { givenName contact @include(if: $no) { email } } } } organisation(orgNo: \"974760673\") @skip(if: true) { name } }",
            json!({ "no": false }),
        )
        .await?;
    assert!(body["errors"].is_null(), "{body}");
    let (event, _) = newest(&app).await?;
    assert_eq!(event.operation, "Query.persons");
    assert_eq!(event.categories, "identity");

    // A write's event names what it wrote, whatever its result selects.
    let nid = app.population.persons[app.population.contacts[0].person_id as usize - 1]
        .national_id
        .clone();
    let contact = json!({ "address": "Prøvegata 3", "postalCode": "0150", "city": "Oslo", "municipalityCode": "0301" });
    let body = app
        .query(&caseworker, "mutation($n: String!, $c: ContactInput!) { setContact(nationalId: $n, contact: $c) { __typename } }", json!({ "n": nid, "c": contact }))
        .await?;
    assert!(body["errors"].is_null(), "{body}");
    let (event, _) = newest(&app).await?;
    assert_eq!(event.operation, "Mutation.setContact");
    assert!(
        event.categories.split(',').any(|c| c == "contact"),
        "{}",
        event.categories
    );

    // Cursors identify persons: a page of cursors links them; a count alone links nobody.
    let body = app
        .query(
            &caseworker,
            "{ persons(first: 3) { edges { cursor } } }",
            Value::Null,
        )
        .await?;
    assert!(body["errors"].is_null(), "{body}");
    let (_, linked) = newest(&app).await?;
    assert_eq!(linked.len(), 3);
    Ok(())
}
