//! The HTTP API end to end, in-process, on every backend: health, authentication failures,
//! the gate's decisions and input validation.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use vigo_api::auth::{Authenticator, development_claims};
use vigo_policy::{Purpose, Role};
use vigo_tests::{TestApp, backends, error_code};

fn person_query(national_id: &str) -> Value {
    json!({
        "query": "query($n: String!) { person(nationalId: $n) { id nationalId idKind givenName familyName birthDate gender citizenship contact { address postalCode city municipalityCode phone email } } }",
        "variables": { "n": national_id }
    })
}

#[tokio::test]
async fn health_answers_when_the_database_does() -> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 200).await?;
        let (status, _, body) = app
            .send(Request::get("/health").body(Body::empty())?)
            .await?;
        assert_eq!(status, StatusCode::OK, "{backend:?}");
        assert_eq!(body["status"], "ok");
    }
    Ok(())
}

#[tokio::test]
async fn a_caseworker_reads_a_person_with_contact_data() -> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 200).await?;
        let living = app.population.contacts[3].person_id;
        let person = &app.population.persons[(living - 1) as usize];
        let contact = &app.population.contacts[3];
        let token = app.token(Role::Caseworker, None);
        let (status, body) = app
            .post(Some(&token), person_query(&person.national_id))
            .await?;
        assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
        let got = &body["data"]["person"];
        assert_eq!(
            got["nationalId"],
            person.national_id.as_str(),
            "{backend:?}"
        );
        assert_eq!(got["givenName"], person.given_name.as_str());
        assert_eq!(got["familyName"], person.family_name.as_str());
        assert_eq!(got["birthDate"], person.birth_date.to_string());
        assert_eq!(got["contact"]["address"], contact.address.as_str());
        assert_eq!(got["contact"]["email"], json!(contact.email));
        assert!(body.get("errors").is_none(), "{body}");
    }
    Ok(())
}

#[tokio::test]
async fn an_unknown_person_is_null_and_a_bad_id_names_the_rule() -> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 200).await?;
        let token = app.token(Role::Caseworker, None);
        // A valid synthetic number that was not generated.
        let absent = vigo_entities::ids::synthetic_national_id(
            chrono::NaiveDate::from_ymd_opt(1950, 1, 1).unwrap_or_default(),
            false,
            0,
        )
        .map(|id| id.as_string())
        .unwrap_or_default();
        let (_, body) = app.post(Some(&token), person_query(&absent)).await?;
        assert_eq!(body["data"]["person"], Value::Null, "{backend:?}");
        assert!(body.get("errors").is_none());

        let (_, body) = app.post(Some(&token), person_query("01811050048")).await?;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("nationalId") && message.contains("check digit"),
            "{message}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_student_sees_only_themself_and_other_roles_are_denied() -> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 200).await?;
        let me = &app.population.persons[0].national_id;
        let other = &app.population.persons[1].national_id;
        let token = app.token(Role::Student, Some(me));
        let (_, body) = app.post(Some(&token), person_query(me)).await?;
        assert_eq!(
            body["data"]["person"]["nationalId"],
            me.as_str(),
            "{backend:?}"
        );
        let (_, body) = app.post(Some(&token), person_query(other)).await?;
        assert_eq!(
            body["data"]["person"],
            Value::Null,
            "{backend:?}: another person is out of scope"
        );

        // Roles without any person scope are refused outright.
        for role in [Role::Ssb, Role::Udir, Role::PrivacyOfficer, Role::Bank] {
            let token = app.token(role, None);
            let (status, body) = app.post(Some(&token), person_query(me)).await?;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(error_code(&body), Some("FORBIDDEN"), "{role}: {body}");
            assert!(
                body["data"].is_null() || body["data"]["person"].is_null(),
                "{role} got data: {body}"
            );
        }
    }
    Ok(())
}

#[tokio::test]
async fn bad_tokens_get_401_and_unknown_roles_403_never_data() -> anyhow::Result<()> {
    let app = TestApp::new(vigo_tests::Backend::Sqlite, 200).await?;
    let me = app.population.persons[0].national_id.clone();
    let query = person_query(&me);

    let (status, body) = app.post(None, query.clone()).await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));

    let (status, _) = app.post(Some("not-a-jwt"), query.clone()).await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let mut claims = development_claims(
        Role::Caseworker,
        Purpose::Administration,
        None,
        None,
        "t".into(),
        Duration::from_secs(60),
    );
    claims.exp -= 7200;
    let (status, body) = app.post(Some(&app.sign(&claims)), query.clone()).await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("expired")
    );

    let forged = Authenticator::from_secret(b"some-other-secret-some-other-secret");
    let claims = development_claims(
        Role::Caseworker,
        Purpose::Administration,
        None,
        None,
        "t".into(),
        Duration::from_secs(60),
    );
    let (status, body) = app
        .post(Some(&forged.sign(&claims)?), query.clone())
        .await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.get("data").is_none());

    let mut claims = development_claims(
        Role::Caseworker,
        Purpose::Administration,
        None,
        None,
        "t".into(),
        Duration::from_secs(60),
    );
    claims.role = "superuser".into();
    let (status, body) = app.post(Some(&app.sign(&claims)), query.clone()).await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("caseworker"),
        "lists valid roles"
    );

    let mut claims = development_claims(
        Role::Caseworker,
        Purpose::Administration,
        None,
        None,
        "t".into(),
        Duration::from_secs(60),
    );
    claims.purpose = Some("statistics".into());
    let (status, body) = app.post(Some(&app.sign(&claims)), query).await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.get("data").is_none());
    Ok(())
}

#[tokio::test]
async fn malformed_and_over_deep_queries_are_refused_cleanly() -> anyhow::Result<()> {
    let app = TestApp::new(vigo_tests::Backend::Sqlite, 200).await?;
    let token = app.token(Role::Caseworker, None);
    let (status, body) = app
        .post(Some(&token), json!({ "query": "{ person(nationalId: }" }))
        .await?;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body["errors"][0]["message"].is_string() && body["data"].is_null(),
        "{body}"
    );

    // Data nested past the limit, and introspection nested past its own (deeper) limit.
    let deep_data = format!(
        "{{ organisation(orgNo: \"974760673\") {{ {}name{} }} }}",
        "apprentices { company { ".repeat(6),
        " } }".repeat(6)
    );
    let levels = vigo_api::graphql::MAX_INTROSPECTION_DEPTH;
    let deep_introspection = format!(
        "{{ __schema {{ queryType {{ fields {{ type {{ {}name{} }} }} }} }} }}",
        "ofType { ".repeat(levels),
        " }".repeat(levels)
    );
    for deep in [deep_data, deep_introspection] {
        app.statements.store(0, std::sync::atomic::Ordering::SeqCst);
        let (status, body) = app.post(Some(&token), json!({ "query": deep })).await?;
        let message = body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .to_lowercase();
        assert!(message.contains("nested too deep"), "{body}");
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(app.statements.load(std::sync::atomic::Ordering::SeqCst), 0);
    }

    let oversized = "x".repeat(vigo_api::server::MAX_BODY_BYTES + 1);
    let (status, _) = app
        .post(Some(&token), json!({ "query": oversized }))
        .await?;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    Ok(())
}
