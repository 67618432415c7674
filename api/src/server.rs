//! The HTTP surface: `POST /graphql` behind authentication and a per-token rate limit,
//! GraphiQL, `/health` and `/metrics`.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRef, FromRequestParts, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::{HeaderName, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use sea_orm::DatabaseConnection;
use serde_json::json;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use vigo_policy::{Access, Gate, Subject};

use crate::audit::{self, Touched};
use crate::auth::{AuthError, Authenticator};
use crate::denials::{self, DenialKind, RequestId};
use crate::error::ApiError;
use crate::graphql::enforce::{self, Enforced, TypeMap, Visibility};
use crate::graphql::loaders::{self, ReferenceRows};
use crate::graphql::{Limits, VigoSchema, build_schema};

/// Largest request body accepted, in bytes; GraphQL requests are small.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Most `person(nationalId)` look-ups one request may make; each is a read of a person that
/// is recorded, so a request is refused before any of them runs beyond this.
pub const MAX_PERSON_LOOKUPS: usize = 25;

/// Most field selections one document may make once its fragments are expanded; a document
/// whose fragments spread each other twice over doubles per level and is refused here, before
/// any validation or execution expands it.
pub const MAX_SELECTIONS: u64 = 10_000;

/// Requests per second each token may make, with bursts up to twice that.
pub const DEFAULT_RATE_LIMIT: u32 = 50;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub schema: VigoSchema,
    /// The schema's types, for enforcing field masks on query documents.
    types: Arc<TypeMap>,
    /// Reference rows held for every request (see [`ReferenceRows`]).
    reference: Arc<ReferenceRows>,
    audit: audit::AuditWriter,
    pub auth: Authenticator,
    pub db: DatabaseConnection,
    pub gate: Gate,
    limits: Limits,
    limiter: Arc<DefaultKeyedRateLimiter<String>>,
    metrics: PrometheusHandle,
    /// The demo's tokens, which its console and portals offer (`vigo demo` on loopback only).
    demo_tokens: Option<Arc<[DemoToken]>>,
}

/// One role's development token on the demo, and the organisation it acts for.
#[derive(Clone, Debug)]
pub struct DemoToken {
    pub role: vigo_policy::Role,
    pub org: Option<String>,
    pub token: String,
}

/// The process-wide metrics recorder, installed on first use.
fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Another recorder may be installed already (in tests); this handle still renders ours.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

impl AppState {
    /// The same state with other limits on what one request may cost.
    pub fn with_limits(self, limits: Limits) -> Self {
        AppState {
            schema: build_schema(
                self.db.clone(),
                self.gate.clone(),
                self.auth.cursor_key().clone(),
                limits,
            ),
            limits,
            ..self
        }
    }

    /// The same state, offering `tokens` on the console's and the portals' sign-in pages (the
    /// demo's tokens, printed to the terminal too).
    pub fn with_demo_tokens(self, tokens: Vec<DemoToken>) -> Self {
        AppState {
            demo_tokens: Some(tokens.into()),
            ..self
        }
    }

    /// The demo's tokens, if this is the demo.
    pub fn demo_tokens(&self) -> Option<&[DemoToken]> {
        self.demo_tokens.as_deref()
    }

    /// The schema's types, as enforcement reads them.
    pub fn types(&self) -> &TypeMap {
        &self.types
    }

    /// Builds the state with a given gate and per-token rate limit (requests per second).
    pub fn with_gate(
        db: DatabaseConnection,
        auth: Authenticator,
        gate: Gate,
        rate_limit: u32,
    ) -> anyhow::Result<Self> {
        let per_second = NonZeroU32::new(rate_limit.max(1)).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(rate_limit.max(1).saturating_mul(2)).unwrap_or(NonZeroU32::MIN);
        Ok(AppState {
            schema: build_schema(
                db.clone(),
                gate.clone(),
                auth.cursor_key().clone(),
                Limits::default(),
            ),
            limits: Limits::default(),
            types: Arc::new(TypeMap::from_sdl(&crate::graphql::sdl()).map_err(anyhow::Error::msg)?),
            reference: Arc::default(),
            audit: audit::AuditWriter::start(db.clone()),
            auth,
            db,
            gate,
            limiter: Arc::new(RateLimiter::keyed(
                Quota::per_second(per_second).allow_burst(burst),
            )),
            metrics: metrics_handle(),
            demo_tokens: None,
        })
    }
}

/// The caller, authenticated from the bearer token before the body is read, and admitted
/// by the policy for the token's purpose.
pub struct Caller(pub Subject);

impl<S> FromRequestParts<S> for Caller
where
    S: Send + Sync,
    Authenticator: FromRef<S>,
    Gate: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let subject = Authenticator::from_ref(state)
            .authenticate(header)
            .inspect_err(|e| {
                let kind = if matches!(e, AuthError::NotPermitted(_)) {
                    "forbidden"
                } else {
                    "unauthenticated"
                };
                metrics::counter!("vigo_denials_total", "kind" => kind).increment(1);
            })?;
        Gate::from_ref(state).admit(&subject).map_err(|e| {
            metrics::counter!("vigo_denials_total", "kind" => "forbidden").increment(1);
            ApiError::from(AuthError::NotPermitted(e))
        })?;
        Ok(Caller(subject))
    }
}

impl FromRef<AppState> for Authenticator {
    fn from_ref(state: &AppState) -> Self {
        state.auth.clone()
    }
}

impl FromRef<AppState> for Gate {
    fn from_ref(state: &AppState) -> Self {
        state.gate.clone()
    }
}

/// The router, ready to serve or to call in-process from tests.
pub fn router(state: AppState) -> Router {
    let trace = TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
        let request_id = request
            .headers()
            .get(REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-")
            .to_owned();
        tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id)
    });
    Router::new()
        .route("/graphql", get(crate::graphiql::page).post(graphql))
        .route("/graphiql/{file}", get(crate::graphiql::asset))
        .route("/admin", get(crate::admin::page))
        .route("/admin/{file}", get(crate::admin::asset))
        .route("/portal", get(crate::portal::root))
        .route("/portal/", get(crate::portal::index))
        .route("/portal/{*path}", get(crate::portal::asset))
        .route("/extracts", get(extract_list))
        .route("/extracts/{name}", get(extract_file))
        .route("/health", get(health))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(trace)
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

/// Prometheus metrics, for a listen address of their own (`VIGO_METRICS_LISTEN`): operators
/// reach it, the API's callers do not.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(state)
}

/// Runs one GraphQL request for an authenticated caller, as GraphQL over HTTP says: a JSON
/// body (`application/json`, UTF-8; 415 otherwise), answered in the media type the client
/// accepts (`application/graphql-response+json` or `application/json`; 406 when neither).
/// The body is read as bytes so that [`MAX_BODY_BYTES`] applies (413 beyond it). The
/// caller's field mask is enforced on the query document before execution ([`enforce`]);
/// denied fields are recorded first.
async fn graphql(
    State(state): State<AppState>,
    Caller(subject): Caller,
    headers: axum::http::HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let Some(media) = Media::accepted(&headers) else {
        return http_error(
            StatusCode::NOT_ACCEPTABLE,
            "NOT_ACCEPTABLE",
            "responses are application/graphql-response+json or application/json; accept one of them",
        );
    };
    if let Err(message) = json_content_type(&headers) {
        return http_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            &message,
        );
    }
    let body = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return http_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "REQUEST_TOO_LARGE",
                &format!(
                    "the request body is larger than {MAX_BODY_BYTES} bytes; GraphQL requests are small: send variables, not data"
                ),
            );
        }
        Err(rejection) => {
            return http_error(
                rejection.status(),
                "BAD_REQUEST",
                &format!(
                    "the request body could not be read: {}",
                    rejection.body_text()
                ),
            );
        }
    };
    if let Some(refused) = rate_limited(&state, &subject) {
        return refused;
    }
    if body.is_empty() {
        return ApiError::bad_input(
            "body",
            "empty; send {\"query\": \"…\", \"variables\": {…}} as JSON",
        )
        .into_response();
    }
    let request: async_graphql::Request = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(e) => {
            return ApiError::bad_input("body", format!("not a GraphQL request over JSON: {e}"))
                .into_response();
        }
    };
    if request.query.trim().is_empty() {
        return ApiError::bad_input(
            "query",
            "missing; send the GraphQL document as {\"query\": \"…\"}",
        )
        .into_response();
    }
    // The trail's request id is the server's own: a client's `x-request-id` only correlates
    // logs (it is echoed and logged), so a client cannot make its request look like another
    // record (say `disclosure-1`, an extract's).
    let request_id = uuid::Uuid::new_v4().to_string();
    let correlation = headers
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::debug!(request_id, correlation, "graphql request");
    let response = match run_request(&state, &subject, &request_id, request).await {
        Ok(response) => response,
        Err(e) => return e.into_response(),
    };
    respond(&response, media, state.limits.response_bytes)
}

/// The 429 for a token past its rate, if it is.
fn rate_limited(state: &AppState, subject: &Subject) -> Option<Response> {
    let rate_key = format!("{}|{}", subject.role, subject.sub);
    // Forget tokens that have been quiet long enough, so the limiter's memory stays bounded.
    if state.limiter.len() > 10_000 {
        state.limiter.retain_recent();
    }
    if state.limiter.check_key(&rate_key).is_ok() {
        return None;
    }
    metrics::counter!("vigo_rate_limited_total").increment(1);
    Some(http_error(
        StatusCode::TOO_MANY_REQUESTS,
        "RATE_LIMITED",
        "too many requests for this token; slow down",
    ))
}

/// `GET /extracts`: the recipient files there are, and the statistics for callers the
/// policy grants them (as `statisticsCatalogue` in GraphQL).
async fn extract_list(State(state): State<AppState>, Caller(subject): Caller) -> Response {
    if let Some(refused) = rate_limited(&state, &subject) {
        return refused;
    }
    let granted = state.gate.grant(&subject).ok();
    let statistics: Vec<serde_json::Value> = vigo_analytics::statistics::CATALOGUE
        .iter()
        .filter(|s| granted.as_ref().is_some_and(|g| g.may_pull(s.name)))
        .map(|s| {
            json!({
                "name": s.name,
                "title": s.title,
                "unit": s.unit,
                "population": s.population,
                "dimensions": s.dimensions.iter().map(|(id, label)| json!({ "id": id, "label": label })).collect::<Vec<_>>(),
                "threshold": s.threshold,
                "formats": ["csv", "parquet", "jsonstat"],
            })
        })
        .collect();
    let recipient_files: Vec<serde_json::Value> = vigo_analytics::RECIPIENT_EXTRACTS
        .iter()
        .map(|e| {
            json!({
                "name": e.name,
                "description": e.description.split_whitespace().collect::<Vec<_>>().join(" "),
                "formats": ["csv", "parquet"],
            })
        })
        .collect();
    let mut response = Json(json!({ "statistics": statistics, "recipientFiles": recipient_files }))
        .into_response();
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}

/// `GET /extracts/{name}?format=csv|parquet|jsonstat&filter=DIMENSION=ID,ID`: a statistic
/// (recorded as a pull) or a recipient file (recorded as a disclosure, as `vigo extract`
/// records it), as a file with its content type and name.
async fn extract_file(
    State(state): State<AppState>,
    Caller(subject): Caller,
    axum::extract::Path(name): axum::extract::Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    if let Some(refused) = rate_limited(&state, &subject) {
        return refused;
    }
    let mut format = "csv".to_owned();
    let mut filters = Vec::new();
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match key.as_ref() {
            "format" => format = value.into_owned(),
            "filter" => filters.push(value.into_owned()),
            other => {
                return ApiError::bad_input(
                    "query",
                    format!("unknown parameter '{other}'; use format and filter"),
                )
                .into_response();
            }
        }
    }
    let format: vigo_analytics::Format = match format.parse() {
        Ok(format) => format,
        Err(e) => return ApiError::bad_input("format", e).into_response(),
    };
    let request_id = uuid::Uuid::new_v4().to_string();
    let extract = match vigo_analytics::Extract::named(&name) {
        Ok(extract) => extract,
        Err(unknown) => {
            return http_error(
                StatusCode::NOT_FOUND,
                "UNKNOWN_EXTRACT",
                &unknown.to_string(),
            );
        }
    };
    let (bytes, file_name) = if let vigo_analytics::Extract::Statistic(_) = extract {
        let selections = match crate::selections(&filters) {
            Ok(selections) => selections,
            Err(e) => return ApiError::bad_input("filter", e).into_response(),
        };
        match crate::statistics::pull(
            &state.db,
            &state.gate,
            &subject,
            &name,
            format,
            &selections,
            &request_id,
        )
        .await
        {
            Ok(pulled) => {
                let file_name = pulled.file_name();
                (pulled.bytes, file_name)
            }
            Err(e) => return e.into_response(),
        }
    } else {
        if !filters.is_empty() {
            return ApiError::bad_input(
                "filter",
                "applies to statistics; a recipient file holds what its recipient may receive",
            )
            .into_response();
        }
        let prepared =
            match crate::extract::prepare(&state.db, &state.gate, &subject, &name, format).await {
                Ok(prepared) => prepared,
                Err(e) => return extract_refusal(e),
            };
        if let Err(e) = prepared.record(&state.db).await {
            tracing::error!(error = %format!("{e:#}"), "a disclosure could not be recorded");
            return ApiError::Unrecorded("the disclosure could not be recorded; nothing was sent")
                .into_response();
        }
        (
            prepared.bytes,
            format!("{name}.{}", crate::statistics::extension(format)),
        )
    };
    let mut response = Response::new(axum::body::Body::from(bytes));
    let headers = response.headers_mut();
    let header = |value: String| {
        axum::http::HeaderValue::from_str(&value)
            .unwrap_or_else(|_| axum::http::HeaderValue::from_static("application/octet-stream"))
    };
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static(crate::statistics::content_type(format)),
    );
    headers.insert(
        axum::http::header::CONTENT_DISPOSITION,
        header(format!("attachment; filename=\"{file_name}\"")),
    );
    headers.insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}

/// A recipient extract's failure as an HTTP answer: a refusal is 403, bad input 400.
fn extract_refusal(error: anyhow::Error) -> Response {
    match error.downcast_ref::<vigo_analytics::ExtractError>() {
        Some(vigo_analytics::ExtractError::Denied { .. }) => {
            ApiError::Forbidden(error.to_string()).into_response()
        }
        Some(
            vigo_analytics::ExtractError::UnknownFormat(_)
            | vigo_analytics::ExtractError::FormatNotForRecipientFiles(_),
        ) => ApiError::bad_input("format", error).into_response(),
        _ => match error.downcast::<vigo_policy::PolicyError>() {
            Ok(refusal) => ApiError::Forbidden(refusal.to_string()).into_response(),
            Err(other) => ApiError::Internal(other).into_response(),
        },
    }
}

/// The media type a response is sent in, as the client's `Accept` header chooses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Media {
    /// `application/graphql-response+json`: status codes tell request errors (400) from
    /// results (200).
    GraphqlResponse,
    /// `application/json`, the legacy type: every well-formed request is answered 200.
    Json,
}

impl Media {
    /// The type the client prefers, by `q` and then by order; `application/json` when it
    /// names none, `None` when it accepts neither.
    fn accepted(headers: &axum::http::HeaderMap) -> Option<Media> {
        let values: Vec<&str> = headers
            .get_all(axum::http::header::ACCEPT)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        if values.is_empty() {
            return Some(Media::Json);
        }
        let mut best: Option<(f32, Media)> = None;
        for range in values.iter().flat_map(|v| v.split(',')) {
            let mut parts = range.split(';').map(str::trim);
            let media = parts.next().unwrap_or("").to_ascii_lowercase();
            let quality = parts
                .filter_map(|p| p.strip_prefix("q="))
                .find_map(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let candidate = match media.as_str() {
                "application/graphql-response+json" => Media::GraphqlResponse,
                "application/json" | "application/*" | "*/*" => Media::Json,
                _ => continue,
            };
            if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, candidate));
            }
        }
        best.map(|(_, media)| media)
    }

    fn content_type(self) -> &'static str {
        match self {
            Media::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Media::Json => "application/json; charset=utf-8",
        }
    }
}

/// Checks that the request body is declared as JSON in UTF-8, as GraphQL over HTTP requires
/// of a POST.
fn json_content_type(headers: &axum::http::HeaderMap) -> Result<(), String> {
    let declared = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .ok_or("the request has no Content-Type; send the GraphQL request as application/json")?;
    let mut parts = declared.split(';').map(str::trim);
    let media = parts.next().unwrap_or("");
    if !media.eq_ignore_ascii_case("application/json") {
        return Err(format!(
            "Content-Type {declared} is not accepted; send the GraphQL request as application/json"
        ));
    }
    for parameter in parts {
        if let Some(charset) = parameter
            .split_once('=')
            .filter(|(name, _)| name.trim().eq_ignore_ascii_case("charset"))
            .map(|(_, value)| value.trim().trim_matches('"'))
            && !charset.eq_ignore_ascii_case("utf-8")
        {
            return Err(format!(
                "charset {charset} is not accepted; send the request in UTF-8"
            ));
        }
    }
    Ok(())
}

/// An error answered before GraphQL runs, as JSON with a code like every other error.
fn http_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    (status, Json(body)).into_response()
}

/// A response as GraphQL over HTTP sends it: a request that failed before execution (a
/// document that does not parse or validate, variables that do not coerce) has no `data`,
/// and in `application/graphql-response+json` its status is 400.
#[derive(serde::Serialize)]
struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a async_graphql::Value>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [async_graphql::ServerError],
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    extensions: &'a std::collections::BTreeMap<String, async_graphql::Value>,
}

/// Whether a response is a request error: no data, and errors none of which lies on a path
/// (errors of execution carry the path of the field that failed).
fn is_request_error(response: &async_graphql::Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
}

/// The response as JSON, refused past `limit` bytes without writing more than that. It is
/// personal data: no cache may keep it.
fn respond(response: &async_graphql::Response, media: Media, limit: usize) -> Response {
    let request_error = is_request_error(response);
    let status = if request_error && media == Media::GraphqlResponse {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let body = Body {
        data: (!request_error).then_some(&response.data),
        errors: &response.errors,
        extensions: &response.extensions,
    };
    let mut bytes = Capped {
        bytes: Vec::new(),
        limit,
    };
    if serde_json::to_writer(&mut bytes, &body).is_err() {
        return http_error(
            StatusCode::OK,
            "RESPONSE_TOO_LARGE",
            &format!(
                "the response is larger than {limit} bytes; ask for fewer fields or smaller pages"
            ),
        );
    }
    let mut http = Response::new(axum::body::Body::from(bytes.bytes));
    *http.status_mut() = status;
    let headers = http.headers_mut();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static(media.content_type()),
    );
    headers.insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    headers.extend(response.http_headers.clone());
    http
}

/// A buffer that refuses to grow past its limit.
struct Capped {
    bytes: Vec<u8>,
    limit: usize,
}

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > self.limit {
            return Err(std::io::Error::other("response too large"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The one request pipeline, from an authenticated caller to a recorded response: the
/// caller's access, its mask enforced on the document ([`enforce_fields`]), execution with
/// loaders scoped by its row scope ([`execute`]), and the audit record ([`audit_request`]).
/// The HTTP handler, `vigo export-subject` and the benchmarks all run requests through it; a
/// response is returned only once what it read is recorded.
pub async fn run_request(
    state: &AppState,
    subject: &Subject,
    request_id: &str,
    request: async_graphql::Request,
) -> Result<async_graphql::Response, ApiError> {
    run_request_for(
        state,
        subject,
        &Recorded::caller(subject),
        request_id,
        request,
    )
    .await
}

/// Who the audit trail names for a request, and why, when that is not simply the caller: an
/// operator who runs a request on a person's behalf (`vigo export-subject`) is recorded as
/// themself, with the reason they gave.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub actor: Subject,
    pub reason: Option<String>,
}

impl Recorded {
    /// The caller themself, with no stated reason.
    pub fn caller(subject: &Subject) -> Self {
        Recorded {
            actor: subject.clone(),
            reason: None,
        }
    }
}

/// [`run_request`], recorded in the trail as `recorded`.
pub async fn run_request_for(
    state: &AppState,
    subject: &Subject,
    recorded: &Recorded,
    request_id: &str,
    mut request: async_graphql::Request,
) -> Result<async_graphql::Response, ApiError> {
    let started = Instant::now();
    let access = state
        .gate
        .access(subject)
        .map_err(|e| ApiError::Forbidden(e.to_string()))?;
    let enforced = enforce_fields(state, subject, &access, request_id, &mut request).await?;
    let (response, reached) =
        execute(state, subject, &access, request_id, request, &enforced).await;
    audit_request(state, recorded, request_id, &enforced, &reached).await?;
    // Labelled by the operation's first root field, one of the schema's: a bounded set,
    // whatever names clients choose.
    let operation = enforced
        .operations
        .first()
        .and_then(|root| vigo_policy::roots::root_field(root))
        .map_or("other", |root| root.name);
    metrics::counter!("vigo_graphql_requests_total", "operation" => operation).increment(1);
    metrics::histogram!("vigo_graphql_request_duration_seconds", "operation" => operation)
        .record(started.elapsed().as_secs_f64());
    Ok(response)
}

/// Enforces the caller's field mask on the request's document (see [`enforce`]) and records
/// the denied fields; a request whose denials cannot be recorded is refused. A document that
/// does not parse is left for the executor to refuse with its usual error.
pub async fn enforce_fields(
    state: &AppState,
    subject: &Subject,
    access: &Access,
    request_id: &str,
    request: &mut async_graphql::Request,
) -> Result<Enforced, ApiError> {
    let Ok(mut document) = async_graphql::parser::parse_query(&request.query) else {
        return Ok(Enforced::default());
    };
    let enforced = enforce::enforce(
        &mut document,
        &state.types,
        &access.fields,
        request.operation_name.as_deref(),
        &request.variables,
    );
    if enforced.forged {
        return Err(ApiError::bad_input(
            "query",
            format!("unknown field {}", enforce::DENIED_FIELD),
        ));
    }
    if enforced.selections > MAX_SELECTIONS {
        return Err(ApiError::bad_input(
            "query",
            format!(
                "too large: {} field selections once its fragments are expanded (at most {MAX_SELECTIONS})",
                enforced.selections
            ),
        ));
    }
    if enforced.depth > crate::graphql::MAX_DEPTH
        || enforced.introspection_depth > crate::graphql::MAX_INTROSPECTION_DEPTH
    {
        return Err(ApiError::bad_input(
            "query",
            format!(
                "nested too deep: data fields {} levels (at most {}), introspection {} levels (at most {})",
                enforced.depth,
                crate::graphql::MAX_DEPTH,
                enforced.introspection_depth,
                crate::graphql::MAX_INTROSPECTION_DEPTH
            ),
        ));
    }
    if enforced.aliased_typename {
        return Err(ApiError::bad_input(
            "query",
            "__typename may not be aliased; once per object is enough",
        ));
    }
    if enforced.subject_exports > 1 {
        return Err(ApiError::bad_input(
            "query",
            format!(
                "subjectExport and statistics run at most once per request; this one asks for {}",
                enforced.subject_exports
            ),
        ));
    }
    let writes = enforced
        .operations
        .iter()
        .any(|o| o.starts_with("Mutation."));
    if writes && enforced.estimated_values > state.limits.values {
        return Err(ApiError::bad_input(
            "query",
            format!(
                "a change's result could hold {} values (at most {}): nothing was changed; ask for less in the result",
                enforced.estimated_values, state.limits.values
            ),
        ));
    }
    if enforced.person_lookups > MAX_PERSON_LOOKUPS as u64 {
        return Err(ApiError::bad_input(
            "query",
            format!(
                "a request may look up at most {MAX_PERSON_LOOKUPS} persons by national id; this one asks for {}; use persons(filter:) for lists",
                enforced.person_lookups
            ),
        ));
    }
    if enforced.estimated_values > state.limits.estimated_values {
        return Err(ApiError::bad_input(
            "query",
            format!(
                "too large: its response could hold {} values (lists counted by their page size, else {}; at most {}); ask for fewer fields or smaller pages",
                enforced.estimated_values,
                crate::graphql::LIST_BOUND,
                state.limits.estimated_values
            ),
        ));
    }
    denials::record(
        &state.db,
        subject,
        request_id,
        access.version,
        DenialKind::Field,
        &enforced.denied,
    )
    .await?;
    request.set_parsed_query(document);
    Ok(enforced)
}

/// Executes a request for the caller, with loaders scoped by its row scope, and filters an
/// introspection result down to what the caller can read. Returns the response and what it
/// reached, for [`audit_request`].
pub async fn execute(
    state: &AppState,
    subject: &Subject,
    access: &Access,
    request_id: &str,
    request: async_graphql::Request,
    enforced: &Enforced,
) -> (async_graphql::Response, audit::Reached) {
    let touched = Arc::new(Touched::default());
    touched.add_categories(enforced.categories.iter().cloned());
    let request = scoped_request(
        &state.db,
        &state.reference,
        subject,
        access,
        request_id,
        request,
        &touched,
    )
    .data(state.schema.clone())
    .data(state.types.clone());
    let mut response = state.schema.execute(request).await;
    if enforced.introspection {
        let visibility = Visibility::of(&state.types, &access.fields, &access.grant);
        enforce::filter_introspection(&mut response.data, &visibility);
    }
    (response, touched.reached())
}

/// A request with what its resolvers read as request data: fresh loaders scoped by the
/// caller's row scope, the caller, the request id, the access and the audit bookkeeping.
pub fn scoped_request(
    db: &DatabaseConnection,
    reference: &Arc<ReferenceRows>,
    subject: &Subject,
    access: &Access,
    request_id: &str,
    request: async_graphql::Request,
    touched: &Arc<Touched>,
) -> async_graphql::Request {
    loaders::register(request, db, reference, &access.rows, touched)
        .data(reference.clone())
        .data(subject.clone())
        .data(RequestId(request_id.to_owned()))
        .data(touched.clone())
        .data(access.clone())
}

/// Records a request in the audit trail when it touched persons, ran a root field that
/// reads persons (a count or an absent person included: the look-up is a read), or read the
/// trail itself. Writes are recorded by each mutation in its own transaction
/// (see [`audit::append_for_request`]); persons a mutation's result reads beyond that (an
/// organisation's apprentices, say) are recorded here, as any read. The caller must not return
/// the response if this fails.
pub async fn audit_request(
    state: &AppState,
    recorded: &Recorded,
    request_id: &str,
    enforced: &Enforced,
    reached: &audit::Reached,
) -> Result<(), ApiError> {
    let reads = reached.roots.iter().any(|root| {
        vigo_policy::roots::root_field(root).is_some_and(vigo_policy::roots::RootField::is_recorded)
    });
    if reached.persons.is_empty() && !reads {
        return Ok(());
    }
    let mut operation = enforced.operations.join(",");
    if let Some(reason) = &recorded.reason {
        operation.push_str(&format!(" (reason: {reason})"));
    }
    let event = audit::Event::new(
        audit::actor(&recorded.actor),
        &operation,
        request_id,
        &reached.categories,
        &reached.persons,
    );
    state.audit.write(event).await.map(|_| ()).map_err(|e| {
        tracing::error!(error = %e, "the audit record could not be written; no data returned");
        ApiError::Unrecorded(
            "the access could not be recorded in the audit trail; no data returned",
        )
    })
}

async fn health(State(state): State<AppState>) -> impl IntoResponse {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ok" }))),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "database unavailable" })),
            )
        }
    }
}

/// Prometheus text format.
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    state.metrics.run_upkeep();
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        state.metrics.render(),
    )
}

/// The addresses a server listens on, bound before anything else is done, so that a port
/// already taken is the first and only thing a command reports.
pub struct Listeners {
    api: tokio::net::TcpListener,
    metrics: Option<tokio::net::TcpListener>,
}

impl Listeners {
    pub async fn bind(listen: SocketAddr, metrics: Option<SocketAddr>) -> anyhow::Result<Self> {
        Ok(Listeners {
            api: bind(listen, "--listen / VIGO_LISTEN").await?,
            metrics: match metrics {
                Some(address) => {
                    Some(bind(address, "--metrics-listen / VIGO_METRICS_LISTEN").await?)
                }
                None => None,
            },
        })
    }

    /// The API's address, as bound (the port chosen when it was 0).
    pub fn api_address(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.api.local_addr()?)
    }
}

async fn bind(address: SocketAddr, setting: &str) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(address).await.map_err(|e| {
        let hint = match e.kind() {
            std::io::ErrorKind::AddrInUse => format!(
                "another program (perhaps another Vigo) listens there; stop it or choose another port with {setting}"
            ),
            std::io::ErrorKind::AddrNotAvailable => {
                format!("this machine has no such address; choose one of its own with {setting}")
            }
            std::io::ErrorKind::PermissionDenied => {
                format!("ports below 1024 need privileges; choose a higher one with {setting}")
            }
            _ => format!("choose another address with {setting}"),
        };
        let reason = e.to_string();
        let reason = reason.split(" (os error").next().unwrap_or(&reason).to_lowercase();
        anyhow::anyhow!("cannot listen on {address}: {reason}; {hint}")
    })
}

/// Serves until Ctrl-C or SIGTERM, keeping the gate on the newest stored policy (see
/// [`crate::policy_sync`]) so that a change made through another instance applies here too.
pub async fn serve(state: AppState, listeners: Listeners) -> anyhow::Result<()> {
    crate::policy_sync::start(
        state.db.clone(),
        state.gate.clone(),
        crate::policy_sync::POLL_INTERVAL,
    );
    if let Some(listener) = listeners.metrics {
        tracing::info!(address = %listener.local_addr()?, "serving metrics at /metrics");
        let metrics = metrics_router(state.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, metrics).await {
                tracing::error!(error = %e, "the metrics listener stopped");
            }
        });
    }
    tracing::info!(address = %listeners.api.local_addr()?, "serving GraphQL at /graphql");
    axum::serve(listeners.api, router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
