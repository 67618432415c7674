//! The leak matrix: every role of the access matrix, every field of the schema, on seeded
//! data with persons inside and outside each scope. Scopes are recomputed here from the
//! synthetic population, independently of the SQL the policy crate generates.

use std::collections::{BTreeSet, HashSet};

use serde_json::{Value, json};
use vigo_api::graphql::enforce::{TypeMap, select_all};
use vigo_entities::enums::{
    ContractStatus, EnrolmentStatus, RightKind, TradeTestResult, WishStatus,
};
use vigo_policy::{Policy, Role, Today, catalog};
use vigo_synth::Population;
use vigo_tests::{Backend, TestApp, backends, error_code};

fn types() -> TypeMap {
    TypeMap::from_sdl(&vigo_api::graphql::sdl()).unwrap_or_else(|e| panic!("{e}"))
}

/// Where a role acts: the organisation, person and trade of its token.
struct Actor {
    role: Role,
    org: Option<(i32, String)>,
    person: Option<(i32, String)>,
    trade: Option<(i32, String)>,
}

fn actor(pop: &Population, role: Role) -> Actor {
    use vigo_entities::enums::OrganisationKind;
    let org_of = |kind: OrganisationKind| {
        // The organisation of that kind with the most people attached, so the scope is not empty.
        pop.organisations
            .iter()
            .filter(|o| o.kind == kind)
            .max_by_key(|o| {
                pop.enrolments
                    .iter()
                    .filter(|e| e.school_id == o.id)
                    .count()
                    + pop
                        .contracts
                        .iter()
                        .filter(|c| c.company_id == o.id)
                        .count()
            })
            .map(|o| (o.id, o.org_no.clone()))
    };
    let org = match role {
        Role::School => org_of(OrganisationKind::School),
        Role::Company => org_of(OrganisationKind::Company),
        Role::Bank => pop.organisations.first().map(|o| (o.id, o.org_no.clone())),
        _ => None,
    };
    let person = (role == Role::Student).then(|| {
        let p = &pop.persons[3];
        (p.id, p.national_id.clone())
    });
    let trade = (role == Role::ExamBoard)
        .then(|| {
            let test = pop.trade_tests.first()?;
            let area = pop
                .programme_areas
                .iter()
                .find(|a| a.id == test.programme_area_id)?;
            Some((area.id, area.code.clone()))
        })
        .flatten();
    Actor {
        role,
        org,
        person,
        trade,
    }
}

/// The national ids the access matrix lets `actor` reach, from the population alone;
/// `None` for roles that reach no person at all.
fn expected_scope(pop: &Population, actor: &Actor) -> Option<BTreeSet<String>> {
    let today = Today::now();
    let ids: HashSet<i32> = match actor.role {
        Role::Caseworker | Role::Folkeregister | Role::Websak => {
            pop.persons.iter().map(|p| p.id).collect()
        }
        Role::Student => actor.person.iter().map(|(id, _)| *id).collect(),
        Role::School => {
            let school = actor.org.as_ref()?.0;
            let offered: HashSet<i32> = pop.offers.iter().map(|o| o.wish_id).collect();
            // Enrolled in the current or the previous school year, or offered a place in the
            // current intake.
            let years = [today.school_year(), today.school_year() - 1];
            let mut ids: HashSet<i32> = pop
                .enrolments
                .iter()
                .filter(|e| e.school_id == school && years.contains(&e.school_year))
                .map(|e| e.person_id)
                .collect();
            let wished: HashSet<i32> = pop
                .wishes
                .iter()
                .filter(|w| w.school_id == Some(school) && offered.contains(&w.id))
                .map(|w| w.application_id)
                .collect();
            ids.extend(
                pop.applications
                    .iter()
                    .filter(|a| wished.contains(&a.id) && a.intake_year == today.intake_year())
                    .map(|a| a.person_id),
            );
            ids
        }
        Role::Company => {
            let company = actor.org.as_ref()?.0;
            let trades: HashSet<i32> = pop
                .approved_trades
                .iter()
                .filter(|t| t.organisation_id == company)
                .map(|t| t.programme_area_id)
                .collect();
            let mut ids: HashSet<i32> = pop
                .contracts
                .iter()
                .filter(|c| {
                    (c.company_id == company || c.training_office_id == Some(company))
                        && c.end_date >= today.contracts_ended_since()
                })
                .map(|c| c.person_id)
                .collect();
            let wished: HashSet<i32> = pop
                .wishes
                .iter()
                .filter(|w| {
                    w.apprenticeship
                        && w.status != WishStatus::Withdrawn
                        && trades.contains(&w.programme_area_id)
                })
                .map(|w| w.application_id)
                .collect();
            // Applicants of the current and the coming intake.
            let intakes = [today.intake_year(), today.intake_year() + 1];
            ids.extend(
                pop.applications
                    .iter()
                    .filter(|a| wished.contains(&a.id) && intakes.contains(&a.intake_year))
                    .map(|a| a.person_id),
            );
            ids
        }
        Role::Ot => pop
            .persons
            .iter()
            .map(|p| p.id)
            .filter(|id| {
                pop.education_rights.iter().any(|r| {
                    r.person_id == *id && r.kind == RightKind::Youth && r.expires_on >= today.date
                }) && !pop
                    .enrolments
                    .iter()
                    .any(|e| e.person_id == *id && e.status == EnrolmentStatus::Active)
                    && !pop
                        .contracts
                        .iter()
                        .any(|c| c.person_id == *id && c.status == ContractStatus::Approved)
            })
            .collect(),
        Role::Lanekassen => pop.loan_customers.iter().map(|l| l.person_id).collect(),
        Role::ExamBoard => {
            let trade = actor.trade.as_ref()?.0;
            pop.trade_tests
                .iter()
                .filter(|t| t.programme_area_id == trade)
                .map(|t| t.person_id)
                .collect()
        }
        Role::Difi => {
            use chrono::Datelike;
            let year = today.school_year() - 15;
            let enrolled: HashSet<i32> = pop.enrolments.iter().map(|e| e.person_id).collect();
            pop.persons
                .iter()
                .filter(|p| p.birth_date.year() == year && !enrolled.contains(&p.id))
                .map(|p| p.id)
                .collect()
        }
        Role::Vitnemalsregister => {
            let passed: HashSet<i32> = pop
                .trade_tests
                .iter()
                .filter(|t| {
                    matches!(
                        t.result,
                        Some(TradeTestResult::Passed | TradeTestResult::PassedWithDistinction)
                    )
                })
                .map(|t| t.person_id)
                .collect();
            pop.diplomas
                .iter()
                .map(|d| d.person_id)
                .filter(|id| passed.contains(id))
                .collect()
        }
        Role::Ssb | Role::Udir | Role::Bank | Role::PrivacyOfficer => return None,
    };
    Some(
        pop.persons
            .iter()
            .filter(|p| ids.contains(&p.id))
            .map(|p| p.national_id.clone())
            .collect(),
    )
}

fn token(app: &TestApp, actor: &Actor) -> String {
    app.token_for(
        actor.role,
        actor.org.as_ref().map(|(_, o)| o.as_str()),
        actor.person.as_ref().map(|(_, p)| p.as_str()),
        actor.trade.as_ref().map(|(_, t)| t.as_str()),
    )
}

/// Every national id a role reaches through `persons`, page by page.
async fn reached(app: &TestApp, token: &str) -> anyhow::Result<Option<BTreeSet<String>>> {
    let mut seen = BTreeSet::new();
    let mut after: Option<String> = None;
    loop {
        let body = app
            .query(
                token,
                "query($a: String) { persons(first: 100, after: $a) { edges { node { nationalId } } pageInfo { hasNextPage endCursor } } }",
                json!({ "a": after }),
            )
            .await?;
        if error_code(&body) == Some("FORBIDDEN") {
            assert!(
                body["data"].is_null() || body["data"]["persons"].is_null(),
                "{body}"
            );
            return Ok(None);
        }
        let page = &body["data"]["persons"];
        for edge in page["edges"].as_array().into_iter().flatten() {
            let id = edge["node"]["nationalId"].as_str().unwrap_or_default();
            assert!(seen.insert(id.to_owned()), "{id} twice");
        }
        if page["pageInfo"]["hasNextPage"] != true {
            return Ok(Some(seen));
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
}

/// Walks a response value against the selection's types: every denied field must be
/// `null`, every allowed one must not be reported denied.
#[allow(clippy::too_many_arguments)]
fn check_fields(
    value: &Value,
    type_name: &str,
    path_types: &mut Vec<String>,
    path: &mut Vec<String>,
    types: &TypeMap,
    allowed: &dyn Fn(&str, &str) -> bool,
    denied_paths: &HashSet<String>,
    role: Role,
) {
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                check_fields(
                    item,
                    type_name,
                    path_types,
                    path,
                    types,
                    allowed,
                    denied_paths,
                    role,
                );
                path.pop();
            }
        }
        Value::Object(object) => {
            for (field, returns) in types.fields_of(type_name) {
                let selected = types.fields_of(&returns).is_empty()
                    || (returns != type_name && !path_types.contains(&returns));
                let Some(member) = object.get(&field) else {
                    assert!(
                        !selected,
                        "{role}: {type_name}.{field} is missing from the data"
                    );
                    continue;
                };
                path.push(field.clone());
                let key = path.join(".");
                if allowed(type_name, &field) {
                    assert!(
                        !denied_paths.contains(&key),
                        "{role}: {type_name}.{field} is allowed but was denied at {key}"
                    );
                    path_types.push(type_name.to_owned());
                    check_fields(
                        member,
                        &returns,
                        path_types,
                        path,
                        types,
                        allowed,
                        denied_paths,
                        role,
                    );
                    path_types.pop();
                } else {
                    assert!(
                        member.is_null(),
                        "{role}: {type_name}.{field} leaked at {key}: {member}"
                    );
                    assert!(
                        denied_paths.contains(&key),
                        "{role}: {type_name}.{field} null without a FORBIDDEN error at {key}"
                    );
                }
                path.pop();
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn every_role_sees_exactly_what_the_access_matrix_allows() -> anyhow::Result<()> {
    let types = types();
    let selection = select_all(&types, "Person", &|_, _| true);
    let policy = Policy::default_policy().await?;
    for backend in backends() {
        // The whole record through every list is far past the size estimate (lists nest
        // lists: a person's enrolments' school's offers …); what it really holds is counted.
        let app = TestApp::new(backend, 400)
            .await?
            .with_limits(vigo_api::graphql::Limits {
                estimated_values: u64::MAX,
                ..Default::default()
            })?;
        let pop = &app.population;
        for role in Role::ALL {
            let actor = actor(pop, *role);
            let token = token(&app, &actor);
            let expected = expected_scope(pop, &actor);
            let reached = reached(&app, &token).await?;
            assert_eq!(reached, expected, "{backend:?} {role}: persons reached");
            let Some(expected) = expected else { continue };
            assert!(
                !expected.is_empty() || matches!(role, Role::Difi),
                "{role}: the test data must put someone in scope"
            );
            if *role != Role::Caseworker && *role != Role::Folkeregister && *role != Role::Websak {
                assert!(
                    expected.len() < pop.persons.len(),
                    "{role}: someone must be outside"
                );
            }

            // One person inside the scope, with every field of the schema: the one with the
            // most records the nested scope must hide, so that nested filtering is exercised.
            let Some(inside) = expected
                .iter()
                .max_by_key(|n| hidden_records(pop, &actor, n))
                .cloned()
            else {
                continue;
            };
            if matches!(role, Role::School | Role::Lanekassen) {
                assert!(
                    hidden_records(pop, &actor, &inside) > 0,
                    "{role}: the test data must hold records the nested scope hides"
                );
            }
            let body = app
                .query(
                    &token,
                    &format!("query($n: String!) {{ person(nationalId: $n) {{ {selection} }} }}"),
                    json!({ "n": inside }),
                )
                .await?;
            let grant = policy
                .grant(*role, role.default_purpose())
                .expect("granted");
            let allowed = |t: &str, f: &str| grant.fields.allows(t, f);
            let denied_paths: HashSet<String> = body["errors"]
                .as_array()
                .into_iter()
                .flatten()
                .inspect(|e| {
                    assert_eq!(e["extensions"]["code"], "FORBIDDEN", "{role}: {e}");
                })
                .map(|e| {
                    e["path"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|s| match s {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .collect::<Vec<_>>()
                        .join(".")
                })
                .collect();
            let person = &body["data"]["person"];
            assert!(person.is_object(), "{backend:?} {role}: {body}");
            check_fields(
                person,
                "Person",
                &mut Vec::new(),
                &mut vec!["person".to_owned()],
                &types,
                &allowed,
                &denied_paths,
                *role,
            );
            assert_nested_scopes(pop, &actor, person);

            // One person outside the scope looks absent.
            if let Some(outside) = pop
                .persons
                .iter()
                .find(|p| !expected.contains(&p.national_id))
            {
                let body = app
                    .query(
                        &token,
                        "query($n: String!) { person(nationalId: $n) { nationalId } }",
                        json!({ "n": outside.national_id }),
                    )
                    .await?;
                assert_eq!(body["data"]["person"], Value::Null, "{role}: {body}");
                assert!(
                    body["errors"].is_null(),
                    "{role}: out of scope is not an error"
                );
            }
        }
    }
    Ok(())
}

/// How many of a person's records the actor's nested scope must leave out.
fn hidden_records(pop: &Population, actor: &Actor, national_id: &str) -> usize {
    use vigo_entities::enums::ResultKind;
    let Some(person) = pop.persons.iter().find(|p| p.national_id == national_id) else {
        return 0;
    };
    let org = actor.org.as_ref().map(|o| o.0);
    let year = Today::now().school_year();
    let enrolments = pop.enrolments.iter().filter(|e| e.person_id == person.id);
    let results = pop
        .subject_results
        .iter()
        .filter(|r| r.person_id == person.id);
    match actor.role {
        Role::School => {
            enrolments.filter(|e| Some(e.school_id) != org).count()
                + results.filter(|r| r.school_id != org).count()
        }
        Role::Lanekassen => {
            enrolments.filter(|e| e.school_year != year).count()
                + results
                    .filter(|r| !matches!(r.kind, ResultKind::WrittenExam | ResultKind::OralExam))
                    .count()
        }
        Role::Company => pop
            .contracts
            .iter()
            .filter(|c| c.person_id == person.id && Some(c.company_id) != org)
            .count(),
        Role::ExamBoard => pop
            .trade_tests
            .iter()
            .filter(|t| {
                t.person_id == person.id
                    && Some(t.programme_area_id) != actor.trade.as_ref().map(|t| t.0)
            })
            .count(),
        _ => 0,
    }
}

/// Nested lists hold only the records the scope shows.
fn assert_nested_scopes(pop: &Population, actor: &Actor, person: &Value) {
    let list = |name: &str| person[name].as_array().cloned().unwrap_or_default();
    match actor.role {
        Role::School => {
            let org = &actor.org.as_ref().map(|o| o.1.clone()).unwrap_or_default();
            for e in list("enrolments") {
                assert_eq!(
                    &e["school"]["orgNo"], org,
                    "a school sees its own enrolments only"
                );
            }
            for r in list("results") {
                assert_eq!(
                    &r["school"]["orgNo"], org,
                    "a school sees its own results only"
                );
            }
            for a in list("applications") {
                for w in a["wishes"].as_array().into_iter().flatten() {
                    assert_eq!(&w["school"]["orgNo"], org, "wishes to the school only");
                }
            }
        }
        Role::Company => {
            let org = &actor.org.as_ref().map(|o| o.1.clone()).unwrap_or_default();
            for c in list("contracts") {
                assert!(
                    &c["company"]["orgNo"] == org || &c["trainingOffice"]["orgNo"] == org,
                    "contracts with the company only: {c}"
                );
            }
        }
        Role::Lanekassen => {
            let year = Today::now().school_year();
            for e in list("enrolments") {
                assert_eq!(e["schoolYear"], json!(year), "this school year only");
            }
            for r in list("results") {
                let kind = r["kind"].as_str().unwrap_or_default();
                assert!(
                    kind.ends_with("_EXAM") && !kind.starts_with("LOWER"),
                    "exams only: {r}"
                );
            }
        }
        Role::ExamBoard => {
            let code = actor
                .trade
                .as_ref()
                .map(|t| t.1.clone())
                .unwrap_or_default();
            for t in list("tradeTests") {
                assert_eq!(t["trade"]["code"], json!(code), "the board's trade only");
            }
        }
        _ => {}
    }
    let _ = pop;
}

/// DOMAIN.md's matrix for the fields of `Person` and `Contact`, written out here by hand so
/// that the default policy is checked against the matrix, not against itself.
#[tokio::test]
async fn the_default_policy_grants_the_identity_and_contact_fields_of_the_matrix()
-> anyhow::Result<()> {
    let identity =
        "id nationalId idKind givenName familyName birthDate gender citizenship deceasedOn";
    let contact = "address postalCode city municipalityCode phone email";
    let matrix: &[(Role, &str, &str)] = &[
        (Role::Caseworker, identity, contact),
        (Role::School, identity, contact),
        (
            Role::Company,
            "id nationalId givenName familyName",
            "address postalCode city phone email",
        ),
        (
            Role::Ot,
            "id nationalId givenName familyName",
            "address postalCode city municipalityCode phone",
        ),
        (Role::Lanekassen, "nationalId", ""),
        (Role::Folkeregister, "nationalId", ""),
        (Role::Difi, "nationalId", ""),
        (Role::Vitnemalsregister, identity, ""),
        (Role::ExamBoard, "id nationalId givenName familyName", ""),
        (Role::Websak, identity, contact),
        (Role::Student, identity, contact),
        (Role::Ssb, "", ""),
        (Role::Udir, "", ""),
        (Role::Bank, "", ""),
        (Role::PrivacyOfficer, "", ""),
    ];
    let policy = Policy::default_policy().await?;
    for (role, person, contact_fields) in matrix {
        let grant = policy
            .grant(*role, role.default_purpose())
            .expect("granted");
        for field in identity.split(' ') {
            let expected = person.split(' ').any(|f| f == field);
            assert_eq!(
                grant.fields.allows("Person", field),
                expected,
                "{role}: Person.{field}"
            );
        }
        for field in contact.split(' ') {
            let expected = contact_fields.split(' ').any(|f| f == field);
            assert_eq!(
                grant.fields.allows("Contact", field),
                expected,
                "{role}: Contact.{field}"
            );
        }
        let no_grades = matches!(
            role,
            Role::Ot
                | Role::Lanekassen
                | Role::Folkeregister
                | Role::Difi
                | Role::Websak
                | Role::ExamBoard
                | Role::Vitnemalsregister
        );
        if no_grades {
            assert!(
                !grant.fields.allows("SubjectResult", "grade"),
                "{role}: grades"
            );
        }
    }
    Ok(())
}

#[test]
fn every_field_of_every_data_type_is_classified() {
    let types = types();
    let mut unclassified = Vec::new();
    for type_name in types.data_types() {
        for (field, _) in types.fields_of(&type_name) {
            if !catalog::is_classified(&type_name, &field) {
                unclassified.push(format!("{type_name}.{field}"));
            }
        }
    }
    assert!(
        unclassified.is_empty(),
        "not in the field catalog: {unclassified:?}"
    );
    // And the catalog names no field the schema lacks.
    for field in catalog::FIELDS {
        assert!(
            types
                .fields_of(field.type_name)
                .iter()
                .any(|(f, _)| f == field.field),
            "the catalog lists {field}, which the schema lacks"
        );
    }
}

#[tokio::test]
async fn introspection_shows_each_role_only_what_it_can_read() -> anyhow::Result<()> {
    let app = TestApp::new(Backend::Sqlite, 20).await?;
    let query = "{ __schema { mutationType { name } types { name kind fields { name } } } }";
    let fields_of = |body: &Value, type_name: &str| -> Option<Vec<String>> {
        body["data"]["__schema"]["types"]
            .as_array()?
            .iter()
            .find(|t| t["name"] == type_name)
            .map(|t| {
                t["fields"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|f| f["name"].as_str().map(str::to_owned))
                    .collect()
            })
    };
    let pop = &app.population;
    let lanekassen = app
        .query(
            &token(&app, &actor(pop, Role::Lanekassen)),
            query,
            Value::Null,
        )
        .await?;
    let person = fields_of(&lanekassen, "Person").unwrap_or_default();
    assert!(person.contains(&"nationalId".to_owned()), "{person:?}");
    assert!(!person.contains(&"givenName".to_owned()) && !person.contains(&"contact".to_owned()));
    assert_eq!(
        fields_of(&lanekassen, "Contact"),
        None,
        "a type with nothing readable is gone"
    );
    assert_eq!(fields_of(&lanekassen, "Mutation"), None);
    assert!(
        lanekassen.to_string().find("vigoIntrospected").is_none(),
        "private aliases removed"
    );

    let caseworker = app
        .query(&app.token(Role::Caseworker, None), query, Value::Null)
        .await?;
    let person = fields_of(&caseworker, "Person").unwrap_or_default();
    assert!(person.contains(&"givenName".to_owned()) && person.contains(&"contact".to_owned()));
    assert!(
        fields_of(&caseworker, "Mutation").is_some_and(|m| m.contains(&"markDeceased".to_owned()))
    );
    assert!(!caseworker.to_string().contains("__denied"));

    // `vigo schema --role` agrees with introspection.
    let grant = app
        .gate
        .policy()
        .grant(Role::Lanekassen, role_purpose(Role::Lanekassen));
    let grant = grant.expect("granted");
    let visibility = vigo_api::graphql::enforce::Visibility::of(&types(), &grant.fields, &grant);
    let sdl = vigo_api::graphql::enforce::filter_sdl(&vigo_api::graphql::sdl(), &visibility);
    let person = sdl
        .split("\n\n")
        .find(|chunk| chunk.contains("type Person {"))
        .unwrap_or_default();
    assert!(
        person.contains("nationalId: String") && !person.contains("givenName"),
        "{person}"
    );
    assert!(!sdl.contains("type Contact") && !sdl.contains("type Mutation"));
    Ok(())
}

fn role_purpose(role: Role) -> vigo_policy::Purpose {
    role.default_purpose()
}

/// Every 11-digit string anywhere in a response.
fn national_ids_in(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::String(s) if s.len() == 11 && s.bytes().all(|b| b.is_ascii_digit()) => {
            found.push(s.clone());
        }
        Value::Array(items) => items.iter().for_each(|v| national_ids_in(v, found)),
        Value::Object(map) => map.values().for_each(|v| national_ids_in(v, found)),
        _ => {}
    }
}

#[test]
fn no_random_query_by_a_random_subject_returns_a_national_id_outside_its_scope() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    use vigo_entities::enums::OrganisationKind;

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let app = runtime
        .block_on(TestApp::new(Backend::Sqlite, 300))
        .expect("app");
    let pop = &app.population;
    let roles: Vec<Role> = Role::ALL
        .iter()
        .copied()
        .filter(|r| {
            !matches!(
                r,
                Role::Ssb | Role::Udir | Role::Bank | Role::PrivacyOfficer
            )
        })
        .collect();
    let schools: Vec<&vigo_entities::organisation::Model> = pop
        .organisations
        .iter()
        .filter(|o| o.kind == OrganisationKind::School)
        .collect();
    let companies: Vec<&vigo_entities::organisation::Model> = pop
        .organisations
        .iter()
        .filter(|o| o.kind == OrganisationKind::Company)
        .collect();
    let shapes = [
        "query($n: String!, $k: Int!) { persons(first: $k) { edges { node { nationalId } } } a: person(nationalId: $n) { nationalId } }",
        "query($n: String!) { person(nationalId: $n) { nationalId contact { city } enrolments { school { orgNo } } } }",
        "query { me { nationalId applications { wishes { school { orgNo } } } } }",
        "query($k: Int!, $s: String!) { persons(first: $k, filter: { school: $s }) { totalCount edges { node { nationalId } } } }",
        "query($k: Int!) { persons(first: $k, filter: { status: \"active\" }) { edges { node { nationalId familyName } } } }",
    ];
    let mut runner = TestRunner::new(Config::with_cases(48));
    let strategy = (
        0..roles.len(),
        0..pop.persons.len(),
        0..pop.persons.len(),
        0..shapes.len(),
        1..=100i32,
        0..64usize,
    );
    runner
        .run(&strategy, |(role, me, asked, shape, first, pick)| {
            let role = roles[role];
            let mut actor = actor(pop, role);
            match role {
                Role::School => {
                    let o = schools[pick % schools.len()];
                    actor.org = Some((o.id, o.org_no.clone()));
                }
                Role::Company => {
                    let o = companies[pick % companies.len()];
                    actor.org = Some((o.id, o.org_no.clone()));
                }
                Role::Student => {
                    let p = &pop.persons[me];
                    actor.person = Some((p.id, p.national_id.clone()));
                }
                Role::ExamBoard if !pop.trade_tests.is_empty() => {
                    let t = &pop.trade_tests[pick % pop.trade_tests.len()];
                    let code = pop
                        .programme_areas
                        .iter()
                        .find(|a| a.id == t.programme_area_id)
                        .map(|a| a.code.clone())
                        .unwrap_or_default();
                    actor.trade = Some((t.programme_area_id, code));
                }
                _ => {}
            }
            let allowed = expected_scope(pop, &actor).unwrap_or_default();
            let variables = json!({
                "n": pop.persons[asked].national_id,
                "k": first,
                "s": schools[pick % schools.len()].org_no,
            });
            let body = runtime
                .block_on(app.query(&token(&app, &actor), shapes[shape], variables))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let mut found = Vec::new();
            national_ids_in(&body["data"], &mut found);
            for id in found {
                prop_assert!(
                    allowed.contains(&id),
                    "{role} got {id} outside its scope: {body}"
                );
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
}
