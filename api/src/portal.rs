//! The web modules (`clients/web/`), served from the binary under `/portal/`: Min side for
//! pupils and applicants, Vigo Bedrift, the school's page and Vigo OT. They are clients of the
//! public GraphQL API like any partner's: they hold no data and are sent none; the user signs
//! in with the token of their own sign-in, which the page keeps in the tab's session storage.
//! Each page's GraphQL documents are files beside it, served too, so that a test can run them.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use vigo_policy::Role;

use crate::graphiql::{FILE_POLICY, set_headers};
use crate::server::AppState;

/// The roles with a portal: the person themself, and the partners.
const PORTAL_ROLES: &[Role] = &[Role::Student, Role::Company, Role::School, Role::Ot];

/// The pages' policy: this origin's scripts, styles and API only; nothing inline, no frames.
pub(crate) const PAGE_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

const HTML: &str = "text/html; charset=utf-8";
const SCRIPT: &str = "text/javascript; charset=utf-8";
const STYLE: &str = "text/css; charset=utf-8";
const GRAPHQL: &str = "text/plain; charset=utf-8";

macro_rules! files {
    ($($path:literal => $type:expr),* $(,)?) => {
        /// Every file under `/portal/`: its path there, content type and bytes.
        pub const FILES: &[(&str, &str, &[u8])] = &[
            $(($path, $type, include_bytes!(concat!("../../clients/web/", $path)))),*
        ];
    };
}

files! {
    "index.html" => HTML,
    "portal.css" => STYLE,
    "portal.js" => SCRIPT,
    "text.js" => SCRIPT,
    "sign-in.js" => SCRIPT,
    "caller.graphql" => GRAPHQL,
    "min-side/index.html" => HTML,
    "min-side/min-side.js" => SCRIPT,
    "min-side/me.graphql" => GRAPHQL,
    "min-side/answer-offer.graphql" => GRAPHQL,
    "min-side/export.graphql" => GRAPHQL,
    "bedrift/index.html" => HTML,
    "bedrift/bedrift.js" => SCRIPT,
    "bedrift/company.graphql" => GRAPHQL,
    "bedrift/applicants.graphql" => GRAPHQL,
    "bedrift/apprentices.graphql" => GRAPHQL,
    "bedrift/answer-placement.graphql" => GRAPHQL,
    "skole/index.html" => HTML,
    "skole/skole.js" => SCRIPT,
    "skole/school.graphql" => GRAPHQL,
    "skole/pupils.graphql" => GRAPHQL,
    "skole/offered.graphql" => GRAPHQL,
    "ot/index.html" => HTML,
    "ot/ot.js" => SCRIPT,
    "ot/target-group.graphql" => GRAPHQL,
    "ot/writes.graphql" => GRAPHQL,
    "ot/set-status.graphql" => GRAPHQL,
}

/// `GET /portal`: the sign-in page is at `/portal/`, so that the pages' relative paths hold.
pub async fn root() -> Redirect {
    Redirect::permanent("/portal/")
}

/// `GET /portal/`: sign in.
pub async fn index() -> Response {
    file("index.html")
}

/// `GET /portal/{*path}`: a page (`bedrift/` is `bedrift/index.html`), its script, style or
/// GraphQL documents; `demo-tokens` only on `vigo demo`; anything else is 404.
pub async fn asset(State(state): State<AppState>, Path(path): Path<String>) -> Response {
    if path == "demo-tokens" {
        return demo_tokens(&state);
    }
    if path.ends_with('/') {
        return file(&format!("{path}index.html"));
    }
    if FILES
        .iter()
        .any(|(name, _, _)| *name == format!("{path}/index.html"))
    {
        return Redirect::permanent(&format!("/portal/{path}/")).into_response();
    }
    file(&path)
}

fn file(path: &str) -> Response {
    let Some((_, content_type, bytes)) = FILES.iter().find(|(name, _, _)| *name == path) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = bytes.into_response();
    if *content_type == HTML {
        set_headers(&mut response, content_type, PAGE_POLICY, "no-store");
    } else {
        set_headers(&mut response, content_type, FILE_POLICY, "no-cache");
    }
    response
}

/// The demo's tokens for the roles that have a portal, which the sign-in page offers to
/// choose from; the demo prints them to the terminal anyway. Served only by `vigo demo` on a
/// loopback address: on any other, whoever reached the page could act as anyone.
fn demo_tokens(state: &AppState) -> Response {
    let Some(tokens) = state.demo_tokens() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let offered: Vec<serde_json::Value> = tokens
        .iter()
        .filter(|t| PORTAL_ROLES.contains(&t.role))
        .map(|t| {
            serde_json::json!({
                "role": t.role.code(),
                "org": t.org,
                "description": t.role.description(),
                "token": t.token,
            })
        })
        .collect();
    let mut response = axum::Json(offered).into_response();
    set_headers(&mut response, "application/json", FILE_POLICY, "no-store");
    response
}
