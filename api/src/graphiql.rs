//! GraphiQL, served from the binary: pinned production builds of React and GraphiQL vendored
//! from their npm packages (`clients/graphiql/`, with their licences and checksums), under a
//! Content-Security-Policy that allows nothing but this origin. People paste bearer tokens
//! into this page, so no script from elsewhere runs on it, and it works offline.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use rand::{RngCore, SeedableRng};

const INDEX: &str = include_str!("../../clients/graphiql/index.html");

/// The files under `/graphiql/`: name, content type, bytes.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../clients/graphiql/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../clients/graphiql/react-dom.production.min.js"),
    ),
    (
        "graphiql.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../clients/graphiql/graphiql.min.js"),
    ),
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../../clients/graphiql/graphiql.min.css"),
    ),
    (
        "start.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../clients/graphiql/start.js"),
    ),
    (
        "page.css",
        "text/css; charset=utf-8",
        include_bytes!("../../clients/graphiql/page.css"),
    ),
    (
        "LICENSE.react",
        "text/plain; charset=utf-8",
        include_bytes!("../../clients/graphiql/LICENSE.react"),
    ),
    (
        "LICENSE.react-dom",
        "text/plain; charset=utf-8",
        include_bytes!("../../clients/graphiql/LICENSE.react-dom"),
    ),
    (
        "LICENSE.graphiql",
        "text/plain; charset=utf-8",
        include_bytes!("../../clients/graphiql/LICENSE.graphiql"),
    ),
];

/// The page's policy: scripts, styles, fonts, images and requests from this origin only
/// (fonts and icons are `data:` URLs inside the stylesheet); the one `<style>` element the
/// dialogs add carries the response's nonce; no frames, forms or base URL.
fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self' 'nonce-{nonce}'; \
         img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'"
    )
}

/// `GET /graphql`: the page, with a fresh style nonce.
pub async fn page(axum::extract::RawQuery(query): axum::extract::RawQuery) -> Response {
    // GraphQL over GET is not served: a query in a URL lands in logs and histories, and a
    // GET must never change anything. Such a request is told to POST.
    let asks_graphql = query.as_deref().is_some_and(|q| {
        q.split('&')
            .any(|pair| pair.split('=').next() == Some("query"))
    });
    if asks_graphql {
        let body = serde_json::json!({ "errors": [{
            "message": "GraphQL requests are POSTed as application/json; GET /graphql serves GraphiQL",
            "extensions": { "code": "METHOD_NOT_ALLOWED" },
        }] });
        let mut response = (StatusCode::METHOD_NOT_ALLOWED, axum::Json(body)).into_response();
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    let mut bytes = [0u8; 18];
    rand::rngs::StdRng::from_os_rng().fill_bytes(&mut bytes);
    let nonce = base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut response = INDEX.replace("{{STYLE_NONCE}}", &nonce).into_response();
    set_headers(
        &mut response,
        "text/html; charset=utf-8",
        &content_security_policy(&nonce),
        "no-store",
    );
    response
}

/// `GET /graphiql/{file}`: one of the vendored files; anything else is 404.
pub async fn asset(Path(file): Path<String>) -> Response {
    let Some((_, content_type, bytes)) = ASSETS.iter().find(|(name, _, _)| *name == file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = bytes.into_response();
    set_headers(
        &mut response,
        content_type,
        FILE_POLICY,
        "public, max-age=3600",
    );
    response
}

/// The policy of a file that is not a page: nothing, should it be opened as a page of its own.
pub(crate) const FILE_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// The headers of a page or file served from the binary: its type, its Content-Security-Policy,
/// caching, and no sniffing, framing or referrer.
pub(crate) fn set_headers(
    response: &mut Response,
    content_type: &str,
    policy: &str,
    cache: &'static str,
) {
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, HeaderValue::from_str(content_type)),
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(policy),
        ),
        (header::CACHE_CONTROL, Ok(HeaderValue::from_static(cache))),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            Ok(HeaderValue::from_static("nosniff")),
        ),
        (
            header::REFERRER_POLICY,
            Ok(HeaderValue::from_static("no-referrer")),
        ),
        (
            header::X_FRAME_OPTIONS,
            Ok(HeaderValue::from_static("DENY")),
        ),
    ] {
        if let Ok(value) = value {
            headers.insert(name, value);
        }
    }
}
