//! The privacy officer's console (`clients/admin/`), served from the binary at `/admin`. The
//! page is a client of the public GraphQL API like any other: it holds no data of its own and
//! is sent none; the officer signs in by pasting a token, which it sends with each request.
//! Its Content-Security-Policy allows this origin's script, style and API only.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::graphiql::{FILE_POLICY, set_headers};
use crate::portal::PAGE_POLICY;
use crate::server::AppState;

/// The files under `/admin/`: name, content type, bytes.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "admin.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../clients/admin/admin.js"),
    ),
    (
        "admin.css",
        "text/css; charset=utf-8",
        include_bytes!("../../clients/admin/admin.css"),
    ),
];

/// `GET /admin`: the console.
pub async fn page() -> Response {
    let mut response = include_str!("../../clients/admin/index.html").into_response();
    set_headers(
        &mut response,
        "text/html; charset=utf-8",
        PAGE_POLICY,
        "no-store",
    );
    response
}

/// `GET /admin/{file}`: the console's script and style; `demo-token` only on `vigo demo`,
/// which prints the same token to the terminal anyway; anything else is 404.
pub async fn asset(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    if file == "demo-token" {
        let officer = state.demo_tokens().and_then(|tokens| {
            tokens
                .iter()
                .find(|t| t.role == vigo_policy::Role::PrivacyOfficer)
        });
        return match officer {
            Some(officer) => {
                let mut response = officer.token.clone().into_response();
                set_headers(
                    &mut response,
                    "text/plain; charset=utf-8",
                    FILE_POLICY,
                    "no-store",
                );
                response
            }
            None => StatusCode::NOT_FOUND.into_response(),
        };
    }
    let Some((_, content_type, bytes)) = ASSETS.iter().find(|(name, _, _)| *name == file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = bytes.into_response();
    set_headers(&mut response, content_type, FILE_POLICY, "no-cache");
    response
}
