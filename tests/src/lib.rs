//! Shared harness for Vigo's end-to-end tests: a fresh database per test on every backend
//! that is available, so that the same test runs on SQLite and on PostgreSQL.
//!
//! SQLite always runs. PostgreSQL runs when `VIGO_TEST_POSTGRES_URL` names a server
//! (for example `postgres://postgres@127.0.0.1:5432/postgres`); each test then gets its own
//! database, dropped when the test ends, whether it passed or not.

pub mod attacker;
pub mod browser;

use std::sync::atomic::{AtomicU32, Ordering};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

/// A database backend the tests run against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The backends available here: SQLite, plus PostgreSQL when configured.
pub fn backends() -> Vec<Backend> {
    let mut found = vec![Backend::Sqlite];
    if postgres_admin_url().is_some() {
        found.push(Backend::Postgres);
    }
    found
}

fn postgres_admin_url() -> Option<String> {
    std::env::var("VIGO_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

fn unique_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("vigo_test_{}_{}_{}", std::process::id(), nanos, n)
}

/// A fresh, empty database that is removed when dropped.
pub struct TestDb {
    pub backend: Backend,
    /// Connection URL of the fresh database, for code that connects by itself (the CLI).
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    SqliteDir(std::path::PathBuf),
    PostgresDatabase { admin_url: String, name: String },
}

impl TestDb {
    /// Creates a fresh database on `backend`.
    pub async fn create(backend: Backend) -> anyhow::Result<Self> {
        let name = unique_name();
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(&name);
                std::fs::create_dir_all(&dir)?;
                let url = format!("sqlite://{}?mode=rwc", dir.join("vigo.db").display());
                Ok(TestDb {
                    backend,
                    url,
                    cleanup: Cleanup::SqliteDir(dir),
                })
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url()
                    .ok_or_else(|| anyhow::anyhow!("VIGO_TEST_POSTGRES_URL is not set"))?;
                let admin = Database::connect(&admin_url).await?;
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await?;
                admin.close().await?;
                let base = admin_url
                    .rsplit_once('/')
                    .map(|(base, _)| base.to_owned())
                    .unwrap_or(admin_url.clone());
                Ok(TestDb {
                    backend,
                    url: format!("{base}/{name}"),
                    cleanup: Cleanup::PostgresDatabase { admin_url, name },
                })
            }
        }
    }

    /// Opens a connection to the fresh database.
    pub async fn connect(&self) -> anyhow::Result<DatabaseConnection> {
        Ok(Database::connect(&self.url).await?)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::SqliteDir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::PostgresDatabase { admin_url, name } => {
                let (admin_url, db_name) = (admin_url.clone(), name.clone());
                // Drop may run inside a runtime; a thread with its own runtime avoids blocking it.
                let dropped = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()?;
                    runtime.block_on(async {
                        let admin = Database::connect(&admin_url).await?;
                        admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS \"{db_name}\" WITH (FORCE)"
                            ))
                            .await?;
                        admin.close().await?;
                        anyhow::Ok(())
                    })
                })
                .join();
                if !matches!(dropped, Ok(Ok(()))) {
                    eprintln!("could not drop test database {name}");
                }
            }
        }
    }
}

/// An API over a fresh, seeded database, called in-process. Counts the SQL statements
/// the database answers, so that tests can bound them.
pub struct TestApp {
    pub router: axum::Router,
    /// The metrics listener's router (`/metrics`), apart from the API's.
    pub metrics: axum::Router,
    pub auth: vigo_api::auth::Authenticator,
    pub population: vigo_synth::Population,
    pub statements: std::sync::Arc<AtomicU32>,
    pub backend: Backend,
    /// The app's connection (statements on it are counted too).
    pub db: DatabaseConnection,
    pub gate: vigo_policy::Gate,
    /// The state the router serves, to serve it again another way (the demo's tokens).
    pub state: vigo_api::server::AppState,
    _db: TestDb,
}

/// The development secret of test apps.
pub const TEST_SECRET: &[u8] = b"test-secret-test-secret-test-secret!";

impl TestApp {
    /// A seeded app with the default policy, installed in its database as on first start.
    pub async fn new(backend: Backend, persons: usize) -> anyhow::Result<Self> {
        Self::with_rate_limit(backend, persons, 10_000).await
    }

    /// A seeded app with the given per-token rate limit.
    pub async fn with_rate_limit(
        backend: Backend,
        persons: usize,
        rate_limit: u32,
    ) -> anyhow::Result<Self> {
        use vigo_migrations::MigratorTrait;
        let test_db = TestDb::create(backend).await?;
        let mut db = test_db.connect().await?;
        vigo_migrations::Migrator::up(&db, None).await?;
        let population = vigo_synth::generate(vigo_synth::Config::new(persons, 11));
        vigo_synth::seed(&db, &population, false).await?;
        let gate = vigo_policy::Gate::new(vigo_policy::store::load_or_install(&db).await?);
        let statements = std::sync::Arc::new(AtomicU32::new(0));
        let counter = statements.clone();
        db.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::Relaxed);
        });
        let auth = vigo_api::auth::Authenticator::from_secret(TEST_SECRET);
        let state = vigo_api::server::AppState::with_gate(
            db.clone(),
            auth.clone(),
            gate.clone(),
            rate_limit,
        )?;
        Ok(TestApp {
            metrics: vigo_api::server::metrics_router(state.clone()),
            router: vigo_api::server::router(state.clone()),
            state,
            auth,
            population,
            statements,
            backend,
            db,
            gate,
            _db: test_db,
        })
    }

    /// Runs raw SQL on the app's database, as someone with write access to it would.
    pub async fn execute(&self, sql: &str) -> anyhow::Result<()> {
        let backend = self.db.get_database_backend();
        self.db
            .execute_raw(sea_orm::Statement::from_string(backend, sql.to_owned()))
            .await?;
        Ok(())
    }

    /// The same app with other limits on what one request may cost.
    pub fn with_limits(mut self, limits: vigo_api::graphql::Limits) -> anyhow::Result<Self> {
        let state = vigo_api::server::AppState::with_gate(
            self.db.clone(),
            self.auth.clone(),
            self.gate.clone(),
            10_000,
        )?
        .with_limits(limits);
        self.metrics = vigo_api::server::metrics_router(state.clone());
        self.router = vigo_api::server::router(state.clone());
        self.state = state;
        Ok(self)
    }

    /// A token for `role`, acting for the first seeded organisation of the role's kind (a
    /// school, a company, any organisation for others) and, for exam boards, the first
    /// board's trade.
    pub fn token(&self, role: vigo_policy::Role, person: Option<&str>) -> String {
        use vigo_entities::enums::OrganisationKind;
        use vigo_policy::Role;
        let kind = match role {
            Role::School => Some(OrganisationKind::School),
            Role::Company => Some(OrganisationKind::Company),
            _ => None,
        };
        let org = role
            .requires_org()
            .then(|| {
                self.population
                    .organisations
                    .iter()
                    .find(|o| kind.is_none_or(|k| o.kind == k))
                    .map(|o| o.org_no.clone())
            })
            .flatten();
        let trade = role
            .requires_trade()
            .then(|| {
                let board = self.population.exam_boards.first()?;
                self.population
                    .programme_areas
                    .iter()
                    .find(|a| a.id == board.programme_area_id)
                    .map(|a| a.code.clone())
            })
            .flatten();
        self.token_for(role, org.as_deref(), person, trade.as_deref())
    }

    /// A token for `role` acting for exactly the given organisation, person and trade.
    pub fn token_for(
        &self,
        role: vigo_policy::Role,
        org: Option<&str>,
        person: Option<&str>,
        trade: Option<&str>,
    ) -> String {
        use vigo_entities::ids::{NationalId, OrgNo};
        let org = org.and_then(|o| OrgNo::parse(o).ok());
        let person = person.and_then(|p| NationalId::parse(p).ok());
        let mut claims = vigo_api::auth::development_claims(
            role,
            role.default_purpose(),
            org.as_ref(),
            person.as_ref(),
            format!("test-{role}"),
            std::time::Duration::from_secs(300),
        );
        claims.trade = trade.map(str::to_owned);
        self.sign(&claims)
    }

    pub fn sign(&self, claims: &vigo_api::auth::Claims) -> String {
        self.auth.sign(claims).unwrap_or_default()
    }

    /// Posts a GraphQL request; returns the status and the JSON body.
    pub async fn post(
        &self,
        token: Option<&str>,
        body: serde_json::Value,
    ) -> anyhow::Result<(axum::http::StatusCode, serde_json::Value)> {
        let mut request =
            axum::http::Request::post("/graphql").header("content-type", "application/json");
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let (status, _, body) = self
            .send(request.body(axum::body::Body::from(body.to_string()))?)
            .await?;
        Ok((status, body))
    }

    /// Runs a query as `token`, with variables, and returns the JSON body.
    pub async fn query(
        &self,
        token: &str,
        query: &str,
        variables: serde_json::Value,
    ) -> anyhow::Result<serde_json::Value> {
        let (_, body) = self
            .post(
                Some(token),
                serde_json::json!({ "query": query, "variables": variables }),
            )
            .await?;
        Ok(body)
    }

    /// Adds rules to the policy in force, as a privacy officer does.
    pub async fn extend_policy(&self, extra: &[&str]) -> anyhow::Result<()> {
        let officer = self.token(vigo_policy::Role::PrivacyOfficer, None);
        let body = self
            .query(&officer, "{ policy { rules } }", serde_json::json!({}))
            .await?;
        let mut rules: Vec<String> = body["data"]["policy"]["rules"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_str().map(str::to_owned))
            .collect();
        rules.extend(extra.iter().map(|r| (*r).to_owned()));
        let body = self
            .query(
                &officer,
                "mutation($r: String!) { replacePolicy(rules: $r, summary: \"test grant\") { version } }",
                serde_json::json!({ "r": rules.join("\n") }),
            )
            .await?;
        anyhow::ensure!(body["errors"].is_null(), "policy edit refused: {body}");
        Ok(())
    }

    /// The metrics listener's `/metrics` text.
    pub async fn metrics_text(&self) -> anyhow::Result<String> {
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        let request = axum::http::Request::get("/metrics").body(axum::body::Body::empty())?;
        let response = self.metrics.clone().oneshot(request).await?;
        let bytes = response.into_body().collect().await?.to_bytes();
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Sends any request; returns status, headers and the body as JSON (or the text as a
    /// JSON string when it is not JSON).
    pub async fn send(
        &self,
        request: axum::http::Request<axum::body::Body>,
    ) -> anyhow::Result<(
        axum::http::StatusCode,
        axum::http::HeaderMap,
        serde_json::Value,
    )> {
        let (status, headers, bytes) = respond(&self.router, request).await?;
        let value = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
            serde_json::Value::String(String::from_utf8_lossy(&bytes).into_owned())
        });
        Ok((status, headers, value))
    }

    /// `GET path` without a token (pages and their files): status, headers and body.
    pub async fn get(
        &self,
        path: &str,
    ) -> anyhow::Result<(axum::http::StatusCode, axum::http::HeaderMap, Vec<u8>)> {
        get(&self.router, path).await
    }

    /// [`TestApp::get`], the body as text.
    pub async fn get_text(
        &self,
        path: &str,
    ) -> anyhow::Result<(axum::http::StatusCode, axum::http::HeaderMap, String)> {
        let (status, headers, bytes) = self.get(path).await?;
        Ok((
            status,
            headers,
            String::from_utf8_lossy(&bytes).into_owned(),
        ))
    }
}

/// `GET path` on `router` without a token: status, headers and body.
pub async fn get(
    router: &axum::Router,
    path: &str,
) -> anyhow::Result<(axum::http::StatusCode, axum::http::HeaderMap, Vec<u8>)> {
    respond(
        router,
        axum::http::Request::get(path).body(axum::body::Body::empty())?,
    )
    .await
}

async fn respond(
    router: &axum::Router,
    request: axum::http::Request<axum::body::Body>,
) -> anyhow::Result<(axum::http::StatusCode, axum::http::HeaderMap, Vec<u8>)> {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let response = router.clone().oneshot(request).await?;
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await?.to_bytes().to_vec();
    Ok((status, headers, bytes))
}

/// Runs a query whose one row has an integer column `n`, choosing the SQL by backend.
pub async fn count(db: &DatabaseConnection, sqlite: &str, postgres: &str) -> anyhow::Result<i64> {
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Sqlite => sqlite,
        _ => postgres,
    };
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(backend, sql))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no row"))?;
    Ok(row.try_get::<i64>("", "n")?)
}

/// The `extensions.code` of the first error of a response.
/// A valid synthetic national id that no seeded person has (the seed's persons are born
/// after 1990): the "no such person" to compare a refusal with.
pub fn unused_national_id(serial: u32) -> String {
    let born = chrono::NaiveDate::from_ymd_opt(1962, 5, 17).unwrap_or_default();
    vigo_entities::ids::synthetic_national_id(born, true, serial)
        .map(|id| id.as_string())
        .unwrap_or_default()
}

pub fn error_code(body: &serde_json::Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}

/// An audit event's hash by the chain's published canonical form (each part length-prefixed,
/// `|`-separated, SHA-256): what an attacker recomputes, and what trails from before a
/// migration were written with.
pub fn chained_hash(
    event: &vigo_entities::audit_event::Model,
    persons: &[i32],
    prev: &str,
) -> String {
    use sha2::Digest;
    let persons: Vec<String> = persons.iter().map(i32::to_string).collect();
    let at = event
        .at
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let parts = [
        at.as_str(),
        &event.actor_role,
        event.actor_org.as_deref().unwrap_or(""),
        &event.actor_sub,
        &event.purpose,
        &event.operation,
        &event.request_id,
        &event.categories,
        event.outcome.code(),
        &persons.join(","),
        prev,
    ];
    let canonical: Vec<String> = parts.iter().map(|p| format!("{}:{p}", p.len())).collect();
    hex::encode(sha2::Sha256::digest(canonical.join("|").as_bytes()))
}
