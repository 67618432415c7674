//! What one request may cost: lists are costed by their size before anything runs, and a
//! response that turns out larger than allowed is refused as it is built, so no request holds
//! unbounded memory.

use std::sync::atomic::Ordering;

use axum::http::StatusCode;
use serde_json::{Value, json};
use vigo_api::graphql::Limits;
use vigo_entities::enums::OrganisationKind;
use vigo_policy::Role;
use vigo_tests::{Backend, TestApp, error_code};

/// 60 aliases of a company's apprentices, their company's apprentices and so on, twelve
/// levels deep: within depth 12 and complexity 1 000, and once 39 MB of response.
fn apprentices_of_apprentices(org_no: &str) -> String {
    let mut nested = String::from("company { name }");
    for _ in 0..4 {
        nested = format!("company {{ apprentices {{ {nested} }} }}");
    }
    // organisation { apprentices { company { apprentices { … company { name } } } } }
    let alias = format!("apprentices {{ {nested} }}");
    let aliases: String = (0..60)
        .map(|i| format!(" a{i}: organisation(orgNo: \"{org_no}\") {{ {alias} }}"))
        .collect();
    format!("{{{aliases} }}")
}

fn company(app: &TestApp) -> String {
    app.population
        .organisations
        .iter()
        .find(|o| o.kind == OrganisationKind::Company)
        .map(|o| o.org_no.clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn lists_are_costed_by_their_size_before_anything_runs() -> anyhow::Result<()> {
    let app = TestApp::new(Backend::Sqlite, 200).await?;
    let token = app.token(Role::Caseworker, None);
    let document = apprentices_of_apprentices(&company(&app));
    app.statements.store(0, Ordering::SeqCst);
    let started = std::time::Instant::now();
    let (status, body) = app.post(Some(&token), json!({ "query": document })).await?;
    let took = started.elapsed();
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("could hold"), "{body}");
    assert_eq!(app.statements.load(Ordering::SeqCst), 0, "nothing ran");
    assert!(took < std::time::Duration::from_millis(50), "{took:?}");

    // A page size counts: the same fields over 10 persons pass, over 100 with their
    // results, enrolments and contact they still do (the partner's page); 1 000 alias
    // pages of 100 do not.
    let page = "persons(first: 100) { edges { node { nationalId contact { email phone } enrolments { schoolYear school { name } programmeArea { code } } results { subjectCode grade } } } }";
    let body = app
        .query(&token, &format!("{{ {page} }}"), Value::Null)
        .await?;
    assert!(body["errors"].is_null(), "{body}");
    let many: String = (0..40).map(|i| format!(" p{i}: {page}")).collect();
    let (status, body) = app
        .post(Some(&token), json!({ "query": format!("{{{many} }}") }))
        .await?;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    Ok(())
}

#[tokio::test]
async fn a_response_larger_than_allowed_is_refused_as_it_is_built() -> anyhow::Result<()> {
    // Estimates are lifted out of the way, so what is counted is what execution builds.
    let app = TestApp::new(Backend::Sqlite, 60)
        .await?
        .with_limits(Limits {
            estimated_values: u64::MAX,
            values: 200,
            ..Limits::default()
        })?;
    let token = app.token(Role::Caseworker, None);
    let small = "{ persons(first: 10) { edges { node { nationalId } } } }";
    let body = app.query(&token, small, Value::Null).await?;
    assert!(body["errors"].is_null(), "{body}");
    let large = "{ persons(first: 100) { edges { node { nationalId givenName familyName results { subjectCode grade } } } } }";
    let (status, body) = app.post(Some(&token), json!({ "query": large })).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(error_code(&body), Some("RESPONSE_TOO_LARGE"), "{body}");
    assert!(body["data"].is_null(), "no part of it is sent: {body}");
    assert_eq!(body["errors"].as_array().map(Vec::len), Some(1), "{body}");

    // Bytes are capped too, without building more than the cap.
    let app = app.with_limits(Limits {
        response_bytes: 2_000,
        ..Limits::default()
    })?;
    let body = app.query(&token, small, Value::Null).await?;
    assert!(body["errors"].is_null(), "{body}");
    let (status, _, body) = app
        .send(
            axum::http::Request::post("/graphql")
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {token}"))
                .body(axum::body::Body::from(
                    json!({ "query": "{ persons(first: 100) { edges { node { nationalId givenName familyName } } } }" })
                        .to_string(),
                ))?,
        )
        .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(error_code(&body), Some("RESPONSE_TOO_LARGE"), "{body}");
    assert!(body.to_string().len() < 2_000);
    let (_, headers_ok, _) = app
        .send(
            axum::http::Request::post("/graphql")
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {token}"))
                .body(axum::body::Body::from(
                    json!({ "query": small }).to_string(),
                ))?,
        )
        .await?;
    assert_eq!(
        headers_ok.get("cache-control").map(|v| v.as_bytes()),
        Some(&b"no-store"[..]),
        "personal data is not cached"
    );
    Ok(())
}

#[tokio::test]
async fn what_the_count_cannot_see_is_refused_before_it_runs() -> anyhow::Result<()> {
    let app = TestApp::new(Backend::Sqlite, 40).await?;
    let caseworker = app.token(Role::Caseworker, None);
    let person = app.population.persons[0].national_id.clone();
    let student = app.token(Role::Student, Some(&person));
    // `__typename` is answered before anything counts it: aliases of it are refused.
    let aliased: String = (0..900).map(|i| format!(" t{i}: __typename")).collect();
    let (status, body) = app
        .post(
            Some(&student),
            json!({ "query": format!("{{ me {{ accessLog {{{aliased} }} }} }}") }),
        )
        .await?;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.to_string().contains("__typename"), "{body}");
    // One whole-record export per request.
    let (status, body) = app
        .post(
            Some(&student),
            json!({ "query": "{ a: subjectExport b: subjectExport }" }),
        )
        .await?;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.to_string().contains("at most once"), "{body}");
    // A change whose result could exceed what a response may hold is refused before it
    // changes anything.
    let nested = "wishes { school { apprentices { company { apprentices { company { orgNo name kind } } } } } }";
    app.statements.store(0, Ordering::SeqCst);
    let (status, body) = app
        .post(
            Some(&caseworker),
            json!({ "query": format!("mutation {{ submitApplication(nationalId: \"{person}\", intakeYear: 2031, wishes: []) {{ {nested} }} }}") }),
        )
        .await?;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.to_string().contains("nothing was changed"), "{body}");
    assert_eq!(app.statements.load(Ordering::SeqCst), 0, "nothing ran");
    // A page size left to a variable's default counts at the most a page may hold (here
    // against an estimate limit of 100 000: 100 pages of 1 000 exceed it, of 10 do not).
    let app = app.with_limits(Limits {
        estimated_values: 100_000,
        ..Limits::default()
    })?;
    let officer = app.token(Role::PrivacyOfficer, None);
    let pages: String = (0..100)
        .map(|i| format!(" d{i}: denials(last: $n) {{ at }}"))
        .collect();
    let document = format!("query($n: Int! = 1000) {{{pages} }}");
    let (status, body) = app
        .post(Some(&officer), json!({ "query": document }))
        .await?;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.to_string().contains("could hold"), "{body}");
    let (status, body) = app
        .post(
            Some(&officer),
            json!({ "query": document, "variables": { "n": 10 } }),
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    Ok(())
}
