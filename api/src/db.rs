//! Connecting to the database and bringing its schema up to date.

use std::time::Duration;

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement,
    TransactionTrait,
};
use vigo_migrations::{Migrator, MigratorTrait};

/// The URL with any password replaced, for messages.
pub fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{}@{}", &url[..scheme_end + 3], user, &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

/// Connects, failing fast with one clear message when the database cannot be reached.
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    if !(url.starts_with("sqlite:")
        || url.starts_with("postgres://")
        || url.starts_with("postgresql://"))
    {
        anyhow::bail!(
            "unsupported database URL '{}': use sqlite://FILE?mode=rwc or postgres://USER@HOST:PORT/DB",
            redacted(url)
        );
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        .max_connections(if url.starts_with("sqlite:") { 8 } else { 20 })
        .sqlx_logging(false);
    let db = Database::connect(options).await.map_err(|e| {
        anyhow::anyhow!(
            "cannot connect to the database at {}: {}",
            redacted(url),
            one_line(&e.to_string())
        )
    })?;
    db.ping().await.map_err(|e| {
        anyhow::anyhow!(
            "the database at {} does not answer: {}",
            redacted(url),
            one_line(&e.to_string())
        )
    })?;
    Ok(db)
}

/// Connects to a database that must exist already, for commands that read one (`audit …`):
/// an SQLite file that is not there is refused instead of created empty, and so is a
/// database without Vigo's schema.
pub async fn connect_existing(url: &str) -> anyhow::Result<DatabaseConnection> {
    let file = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or(rest))
        .filter(|path| !path.is_empty() && !path.starts_with(":memory:"));
    if let Some(path) = file {
        anyhow::ensure!(
            std::path::Path::new(path).exists(),
            "no Vigo database at {path}; run `vigo demo` or set VIGO_DATABASE_URL"
        );
    }
    let db = connect(url).await?;
    let applied = Migrator::get_applied_migrations(&db)
        .await
        .unwrap_or_default();
    anyhow::ensure!(
        !applied.is_empty(),
        "{} holds no Vigo database; run `vigo migrate` or set VIGO_DATABASE_URL",
        redacted(url)
    );
    Ok(db)
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The PostgreSQL advisory lock key under which migrations run ("vigomig").
const MIGRATION_LOCK: i64 = 0x0076_6967_6f6d_6967;

/// Applies pending migrations; returns how many were applied. On PostgreSQL they run in one
/// transaction holding an advisory lock, so that any number of instances can start together
/// (as in a rolling deployment): the first migrates, the others wait and find nothing to do.
/// The audit trail's Merkle tree is then built for events recorded before it existed.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<usize> {
    let applied = migrate_schema(db).await?;
    vigo_audit::tree::build(db)
        .await
        .map_err(|e| anyhow::anyhow!("the audit trail: {e}"))?;
    Ok(applied)
}

async fn migrate_schema(db: &DatabaseConnection) -> anyhow::Result<usize> {
    if db.get_database_backend() != DbBackend::Postgres {
        let pending = Migrator::get_pending_migrations(db).await?.len();
        Migrator::up(db, None).await?;
        return Ok(pending);
    }
    let txn = db.begin().await?;
    txn.execute_raw(Statement::from_string(
        DbBackend::Postgres,
        format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"),
    ))
    .await?;
    let pending = Migrator::get_pending_migrations(&txn).await?.len();
    Migrator::up(&txn, None).await?;
    txn.commit().await?;
    Ok(pending)
}

#[cfg(test)]
mod tests {
    use super::redacted;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redacted("postgres://vigo:s3cret@db:5432/vigo"),
            "postgres://vigo@db:5432/vigo"
        );
        assert_eq!(
            redacted("postgres://vigo@db/vigo"),
            "postgres://vigo@db/vigo"
        );
        assert_eq!(
            redacted("sqlite://vigo.db?mode=rwc"),
            "sqlite://vigo.db?mode=rwc"
        );
    }
}
