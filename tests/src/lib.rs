//! Shared harness for Vigo's end-to-end tests: a fresh database per test on every backend
//! that is available, so that the same test runs on SQLite and on PostgreSQL.
//!
//! SQLite always runs. PostgreSQL runs when `VIGO_TEST_POSTGRES_URL` names a server
//! (for example `postgres://postgres@127.0.0.1:5432/postgres`); each test then gets its own
//! database, dropped when the test ends, whether it passed or not.

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
