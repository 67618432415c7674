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

/// Where a database URL points, read before connecting: to check that a database a command
/// reads is there, to reach PostgreSQL's host first (a clear message within seconds rather
/// than a pool's timeout), and to name the place in messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// An SQLite file, by its path.
    SqliteFile(String),
    /// An SQLite database in memory (tests).
    SqliteMemory,
    /// A PostgreSQL server: its host and port (none for a Unix socket), and the database.
    Postgres {
        host: Option<String>,
        port: u16,
        database: String,
    },
}

impl Location {
    /// Reads a database URL, refusing what Vigo cannot connect to.
    pub fn of(url: &str) -> anyhow::Result<Self> {
        if let Some(rest) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let path = rest.split('?').next().unwrap_or(rest);
            return Ok(if path.is_empty() || path.starts_with(":memory:") {
                Location::SqliteMemory
            } else {
                Location::SqliteFile(path.to_owned())
            });
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let parsed = url::Url::parse(url).map_err(|e| {
                anyhow::anyhow!("the database URL {} does not parse: {e}", redacted(url))
            })?;
            let socket = parsed.query_pairs().any(|(key, _)| key == "host");
            return Ok(Location::Postgres {
                host: match parsed.host_str() {
                    Some(host) if !socket && !host.is_empty() => Some(host.to_owned()),
                    None if !socket => Some("localhost".to_owned()),
                    _ => None,
                },
                port: parsed.port().unwrap_or(5432),
                database: parsed.path().trim_start_matches('/').to_owned(),
            });
        }
        anyhow::bail!(
            "unsupported database URL '{}': use sqlite://FILE (e.g. sqlite://vigo.db) or postgres://USER@HOST:PORT/DB",
            redacted(url)
        )
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::SqliteFile(path) => write!(f, "{path}"),
            Location::SqliteMemory => f.write_str("an in-memory SQLite database"),
            Location::Postgres {
                host: Some(host),
                port,
                database,
            } => write!(f, "PostgreSQL database \"{database}\" at {host}:{port}"),
            Location::Postgres { database, .. } => {
                write!(f, "PostgreSQL database \"{database}\" (Unix socket)")
            }
        }
    }
}

/// The URL a database is opened with when it may be created: an SQLite URL without a `mode`
/// gets `mode=rwc`, so that `sqlite://vigo.db` works as `sqlite://vigo.db?mode=rwc` does.
pub fn creating(url: &str) -> String {
    if !url.starts_with("sqlite:") || url.contains("mode=") {
        return url.to_owned();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}mode=rwc")
}

/// Connects, creating an SQLite file that is not there yet (`demo`, `migrate`, `seed`), and
/// failing fast with one clear message when the database cannot be reached.
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    let location = Location::of(url)?;
    open(&creating(url), &location).await
}

/// Connects to a database that must exist already, for commands that read one (`token`,
/// `extract`, `export-subject`, `audit …`): an SQLite file that is not there is refused
/// instead of created empty, and so is a database without Vigo's schema.
pub async fn connect_existing(url: &str) -> anyhow::Result<DatabaseConnection> {
    let location = Location::of(url)?;
    let db = open_present(url, &location).await?;
    let applied = Migrator::get_applied_migrations(&db)
        .await
        .unwrap_or_default();
    anyhow::ensure!(
        !applied.is_empty(),
        "{location} holds no Vigo database; run `vigo migrate` or set VIGO_DATABASE_URL"
    );
    let pending = Migrator::get_pending_migrations(&db).await?.len();
    anyhow::ensure!(
        pending == 0,
        "{location} holds an older Vigo database ({pending} migration(s) to apply); run `vigo migrate` (`vigo serve` migrates too)"
    );
    Ok(db)
}

/// Connects to a database that is there, whether or not it has Vigo's schema yet (`vigo
/// serve` migrates it): an SQLite file that is not there is refused instead of served empty.
pub async fn connect_present(url: &str) -> anyhow::Result<DatabaseConnection> {
    open_present(url, &Location::of(url)?).await
}

async fn open_present(url: &str, location: &Location) -> anyhow::Result<DatabaseConnection> {
    if let Location::SqliteFile(path) = location {
        anyhow::ensure!(
            std::path::Path::new(path).is_file(),
            "no Vigo database at {path}; run `vigo demo` (or `vigo migrate` for an empty one), or set VIGO_DATABASE_URL"
        );
    }
    open(url, location).await
}

/// How long reaching PostgreSQL's port may take before the command gives up.
const REACH_TIMEOUT: Duration = Duration::from_secs(3);

async fn open(url: &str, location: &Location) -> anyhow::Result<DatabaseConnection> {
    if let Location::Postgres {
        host: Some(host),
        port,
        ..
    } = location
    {
        reach(host, *port).await?;
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        .max_connections(if url.starts_with("sqlite:") { 8 } else { 20 })
        // Requests are many and short: a parallel plan's worker processes, started per
        // statement, cost more than they save when every core already serves a request.
        .map_sqlx_postgres_opts(|postgres| {
            postgres.options([("max_parallel_workers_per_gather", "0")])
        })
        .sqlx_logging(false);
    let db = Database::connect(options)
        .await
        .map_err(|e| connect_error(location, &e.to_string()))?;
    db.ping()
        .await
        .map_err(|e| connect_error(location, &e.to_string()))?;
    Ok(db)
}

/// Opens a TCP connection to PostgreSQL's port, so that a server that is down or a wrong
/// host or port is named within seconds.
async fn reach(host: &str, port: u16) -> anyhow::Result<()> {
    let unreachable = |why: String| {
        anyhow::anyhow!(
            "cannot reach PostgreSQL at {host}:{port}: {why}; is the server running, and are the host and port in VIGO_DATABASE_URL right?"
        )
    };
    match tokio::time::timeout(REACH_TIMEOUT, tokio::net::TcpStream::connect((host, port))).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(unreachable(io_reason(&e))),
        Err(_) => Err(unreachable(format!(
            "no answer within {} s",
            REACH_TIMEOUT.as_secs()
        ))),
    }
}

/// An I/O error's reason without the operating system's error number.
fn io_reason(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(at) => text[..at].to_lowercase(),
        None => text,
    }
}

/// A connection failure in words a person can act on: what was tried, and what the server
/// said, on one line and without the driver's internals.
fn connect_error(location: &Location, message: &str) -> anyhow::Error {
    let message = one_line(message);
    let said = message
        .rsplit_once("error returned from database: ")
        .map_or(message.as_str(), |(_, said)| said)
        .trim_start_matches("Connection Error: ");
    if let Location::Postgres {
        host: Some(host),
        port,
        database,
    } = location
        && said.contains("does not exist")
        && said.contains("database")
    {
        return anyhow::anyhow!(
            "PostgreSQL at {host}:{port} has no database \"{database}\"; create it (createdb -h {host} -p {port} {database}) or name another in VIGO_DATABASE_URL"
        );
    }
    if let Location::SqliteFile(path) = location
        && said.contains("unable to open database file")
    {
        return anyhow::anyhow!(
            "cannot open the SQLite database {path}: the file is missing or its folder is not writable"
        );
    }
    anyhow::anyhow!("cannot connect to {location}: {said}")
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
    use super::{Location, creating, redacted};

    #[test]
    fn sqlite_urls_without_a_mode_may_create() {
        assert_eq!(creating("sqlite://x.db"), "sqlite://x.db?mode=rwc");
        assert_eq!(
            creating("sqlite://x.db?cache=shared"),
            "sqlite://x.db?cache=shared&mode=rwc"
        );
        assert_eq!(creating("sqlite://x.db?mode=ro"), "sqlite://x.db?mode=ro");
        assert_eq!(creating("postgres://u@h/db"), "postgres://u@h/db");
    }

    #[test]
    fn locations_name_the_file_or_the_server() {
        assert_eq!(
            Location::of("sqlite://vigo.db?mode=rwc").unwrap(),
            Location::SqliteFile("vigo.db".into())
        );
        assert_eq!(
            Location::of("sqlite::memory:").unwrap(),
            Location::SqliteMemory
        );
        assert_eq!(
            Location::of("postgres://vigo:pw@db.example:5433/vigo")
                .unwrap()
                .to_string(),
            "PostgreSQL database \"vigo\" at db.example:5433"
        );
        assert!(Location::of("mysql://x").is_err());
        assert!(Location::of("vigo.db").is_err());
    }

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
