//! GraphQL over HTTP as its specification says, and errors a person can act on: what is wrong
//! with a token, a body too large, a refused operation in words, the media types asked for.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use vigo_policy::Role;
use vigo_tests::{Backend, TestApp, error_code};

fn post(token: &str, accept: Option<&str>, body: &str) -> Request<Body> {
    let mut request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    if let Some(accept) = accept {
        request = request.header(header::ACCEPT, accept);
    }
    request
        .body(Body::from(body.to_owned()))
        .unwrap_or_default()
}

fn message(body: &Value) -> String {
    body["errors"][0]["message"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn a_malformed_token_is_told_what_is_wrong_with_it() -> anyhow::Result<()> {
    let app = TestApp::new(Backend::Sqlite, 5).await?;
    for (token, says) in [
        ("garbage", "three parts"),
        ("\"eyJ.a.b\"", "quotes"),
        ("a.b.c", "base64url"),
    ] {
        let (status, headers, body) = app.send(post(token, None, "{}")).await?;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token}: {body}");
        assert_eq!(headers[header::WWW_AUTHENTICATE], "Bearer");
        assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
        let text = message(&body);
        assert!(text.contains(says), "{token}: {text}");
        assert!(!text.contains("InvalidToken"), "{text}");
    }
    Ok(())
}

#[tokio::test]
async fn a_body_too_large_is_answered_as_json_with_a_code() -> anyhow::Result<()> {
    let app = TestApp::new(Backend::Sqlite, 5).await?;
    let token = app.token(Role::Caseworker, None);
    let padding = " ".repeat(vigo_api::server::MAX_BODY_BYTES + 1);
    let body = format!("{{\"query\":\"{{ caller {{ role }} }}{padding}\"}}");
    let (status, headers, body) = app.send(post(&token, None, &body)).await?;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()?
            .starts_with("application/json")
    );
    assert_eq!(error_code(&body), Some("REQUEST_TOO_LARGE"), "{body}");
    assert!(message(&body).contains("bytes"), "{body}");
    Ok(())
}

#[tokio::test]
async fn a_refused_operation_says_who_the_role_is_in_words() -> anyhow::Result<()> {
    let app = TestApp::new(Backend::Sqlite, 5).await?;
    let token = app.token(Role::Ssb, None);
    let body = app
        .query(&token, "{ persons(first: 1) { totalCount } }", json!({}))
        .await?;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    let text = message(&body);
    assert!(
        text.contains("ssb") && text.contains("may not read person data"),
        "{text}"
    );
    assert!(text.contains("receives statistics only"), "{text}");
    Ok(())
}

#[tokio::test]
async fn responses_come_in_the_media_type_the_client_accepts() -> anyhow::Result<()> {
    let app = TestApp::new(Backend::Sqlite, 5).await?;
    let token = app.token(Role::Caseworker, None);
    let query = r#"{"query":"{ caller { role } }"}"#;
    for (accept, media) in [
        (None, "application/json"),
        (Some("application/json"), "application/json"),
        (Some("*/*"), "application/json"),
        (
            Some("application/graphql-response+json"),
            "application/graphql-response+json",
        ),
        (
            Some("application/json;q=0.5, application/graphql-response+json"),
            "application/graphql-response+json",
        ),
    ] {
        let (status, headers, body) = app.send(post(&token, accept, query)).await?;
        assert_eq!(status, StatusCode::OK, "{accept:?}: {body}");
        let content_type = headers[header::CONTENT_TYPE].to_str()?;
        assert!(
            content_type.starts_with(media),
            "{accept:?}: {content_type}"
        );
        assert_eq!(body["data"]["caller"]["role"], "CASEWORKER");
    }
    let (status, _, body) = app.send(post(&token, Some("text/html"), query)).await?;
    assert_eq!(status, StatusCode::NOT_ACCEPTABLE);
    assert_eq!(error_code(&body), Some("NOT_ACCEPTABLE"));
    Ok(())
}

#[tokio::test]
async fn request_errors_are_400_without_data_in_graphql_response_json() -> anyhow::Result<()> {
    let app = TestApp::new(Backend::Sqlite, 5).await?;
    let token = app.token(Role::Caseworker, None);
    let failures = [
        r#"{"query":"{"}"#,
        r#"{"query":"{ notAField }"}"#,
        r#"{"query":"query Q($id: String!) { person(nationalId: $id) { givenName } }","variables":{"id":null}}"#,
    ];
    for failure in failures {
        let (status, _, body) = app
            .send(post(
                &token,
                Some("application/graphql-response+json"),
                failure,
            ))
            .await?;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{failure}: {body}");
        assert!(body.get("data").is_none(), "{failure}: {body}");
        assert!(body["errors"][0]["message"].is_string(), "{body}");
        // The legacy type answers every well-formed request 200, still without data.
        let (status, _, body) = app
            .send(post(&token, Some("application/json"), failure))
            .await?;
        assert_eq!(status, StatusCode::OK, "{failure}: {body}");
        assert!(body.get("data").is_none(), "{failure}: {body}");
    }
    // An error during execution is a result: 200, with data.
    let (status, _, body) = app
        .send(post(
            &app.token(Role::Ssb, None),
            Some("application/graphql-response+json"),
            r#"{"query":"{ persons(first: 1) { totalCount } }"}"#,
        ))
        .await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("data").is_some(), "{body}");
    Ok(())
}

#[tokio::test]
async fn a_post_must_declare_its_body_as_json_in_utf8() -> anyhow::Result<()> {
    let app = TestApp::new(Backend::Sqlite, 5).await?;
    let token = app.token(Role::Caseworker, None);
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/json; charset=utf-16"),
    ] {
        let mut request =
            Request::post("/graphql").header(header::AUTHORIZATION, format!("Bearer {token}"));
        if let Some(content_type) = content_type {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        let (status, _, body) = app
            .send(request.body(Body::from(r#"{"query":"{ caller { role } }"}"#))?)
            .await?;
        assert_eq!(
            status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}"
        );
        assert_eq!(error_code(&body), Some("UNSUPPORTED_MEDIA_TYPE"));
    }
    // A body without a query (a misspelt key, say) is a bad request, whatever it holds.
    let (status, _, body) = app
        .send(post(&token, None, r#"{"qeury":"{ caller { role } }"}"#))
        .await?;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(message(&body).starts_with("query: missing"), "{body}");
    let request = Request::post("/graphql")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json; charset=UTF-8")
        .body(Body::from(r#"{"query":"{ caller { role } }"}"#))?;
    let (status, _, _) = app.send(request).await?;
    assert_eq!(status, StatusCode::OK);
    // GraphQL over GET is not served: a query never runs from a URL.
    let request = Request::get("/graphql?query=mutation%20%7B%20__typename%20%7D")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())?;
    let (status, headers, _) = app.send(request).await?;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers[header::ALLOW], "POST");
    Ok(())
}
