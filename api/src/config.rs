//! The command line and its configuration, read once at start. Every option can also come
//! from a `VIGO_*` environment variable.

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The one default database, shared by every command: an SQLite file in the working
/// directory, which `vigo demo` fills, so that `vigo token`, `vigo extract` and the others
/// work on the demo's data (and sign with its secret) without being told where it is.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://vigo.db";

/// The default address the API listens on.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// Reads a listen address: an IP address and port, or a host name (`localhost:8080`) that
/// resolves to one.
pub fn listen_address(value: &str) -> Result<SocketAddr, String> {
    if let Ok(address) = value.parse() {
        return Ok(address);
    }
    let example = "give an address and port such as 127.0.0.1:8080 or localhost:8080";
    if !value.contains(':') {
        return Err(format!("'{value}' names no port; {example}"));
    }
    match std::net::ToSocketAddrs::to_socket_addrs(value) {
        // IPv4 first: `localhost` then answers where curl and browsers try first.
        Ok(addresses) => {
            let addresses: Vec<SocketAddr> = addresses.collect();
            addresses
                .iter()
                .find(|a| a.is_ipv4())
                .or(addresses.first())
                .copied()
                .ok_or_else(|| format!("'{value}' resolves to no address; {example}"))
        }
        Err(e) => Err(format!("cannot resolve '{value}' ({e}); {example}")),
    }
}

/// Vigo: privacy-aware data platform for upper-secondary education.
#[derive(Debug, Parser)]
#[command(name = "vigo", version, about, propagate_version = true)]
pub struct Cli {
    /// Log format.
    #[arg(long, global = true, env = "VIGO_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Runs the embedded demo: an SQLite database with a synthetic population, one token per
    /// role printed, and the server.
    Demo(DemoArgs),
    /// Serves the API, applying pending migrations first.
    Serve(ServeArgs),
    /// Applies pending migrations.
    Migrate(DatabaseArgs),
    /// Fills the database with a synthetic population.
    Seed(SeedArgs),
    /// Prints a signed development token.
    Token(TokenArgs),
    /// Prints the GraphQL schema (SDL), whole or as one role may read it.
    Schema(SchemaArgs),
    /// Works with the audit trail.
    Audit(AuditArgs),
    /// Writes everything held about one person as one JSON document (GDPR art. 15); the
    /// export is recorded in the audit trail.
    ExportSubject(ExportSubjectArgs),
    /// Writes an extract as the token's subject would receive it: rows from its row scope,
    /// columns from its field mask. The disclosure is recorded before the file appears.
    Extract(ExtractArgs),
    /// Works with the access policy as files: export, import, lint and compare.
    Policy(PolicyArgs),
    /// Runs intake rounds and replays them.
    Intake(IntakeArgs),
}

impl Command {
    /// The log level unless `VIGO_LOG` says otherwise: the server logs what it does, the
    /// other commands print their result and log only warnings and errors.
    pub fn default_log_level(&self) -> &'static str {
        match self {
            Command::Serve(_) => "info",
            _ => "warn",
        }
    }
}

/// For a command line refused over a value that came from an environment variable (say
/// `VIGO_RATE_LIMIT=fast`), the message naming that variable: clap's own names the flag,
/// which the user never typed.
pub fn environment_error(error: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue};
    use std::error::Error as _;
    let flag = match error.get(ContextKind::InvalidArg)? {
        ContextValue::String(flag) => flag.split([' ', '=']).next()?.to_owned(),
        _ => return None,
    };
    let long = flag.strip_prefix("--")?;
    let typed: Vec<String> = std::env::args().collect();
    if typed
        .iter()
        .any(|a| a == &flag || a.starts_with(&format!("{flag}=")))
    {
        return None;
    }
    let variable = environment_of(&<Cli as clap::CommandFactory>::command(), long)?;
    let value = std::env::var(&variable).ok()?;
    let reason = error
        .get(ContextKind::Custom)
        .map(ToString::to_string)
        .or_else(|| error.source().map(ToString::to_string))
        .unwrap_or_else(|| "not a valid value".to_owned());
    Some(format!("{variable}={value:?} is not valid: {reason}"))
}

/// The environment variable of the option `--long` anywhere in the command tree.
fn environment_of(command: &clap::Command, long: &str) -> Option<String> {
    command
        .get_arguments()
        .find(|a| a.get_long() == Some(long))
        .and_then(|a| a.get_env())
        .map(|e| e.to_string_lossy().into_owned())
        .or_else(|| {
            command
                .get_subcommands()
                .find_map(|sub| environment_of(sub, long))
        })
}

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// The extract: a statistic of the catalogue (`vigo extract --list`) or a recipient
    /// file (`national-ids`, `enrolment-status`, `diplomas`).
    #[arg(required_unless_present = "list")]
    pub name: Option<String>,
    /// Lists the statistics and recipient extracts, and exits.
    #[arg(long)]
    pub list: bool,
    /// `csv`, `parquet` or (statistics) `jsonstat`.
    #[arg(long, required_unless_present = "list")]
    pub format: Option<String>,
    /// Where to write the file.
    #[arg(long, required_unless_present = "list")]
    pub out: Option<std::path::PathBuf>,
    /// Replace a file that exists at `--out`.
    #[arg(long)]
    pub overwrite: bool,
    /// Statistics: keep only these categories of a dimension, as `DIMENSION=ID,ID`
    /// (repeatable), e.g. `--filter year=2025,2026`.
    #[arg(long = "filter", value_name = "DIMENSION=IDS")]
    pub filters: Vec<String>,
    /// The recipient's token (JWT), as it would call the API.
    #[arg(
        long,
        env = "VIGO_TOKEN",
        hide_env_values = true,
        required_unless_present = "list"
    )]
    pub token: Option<String>,
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub secret: SecretArgs,
}

#[derive(Debug, Args)]
pub struct ExportSubjectArgs {
    /// The person's national id.
    pub national_id: String,
    /// Where to write the JSON document.
    #[arg(long)]
    pub out: std::path::PathBuf,
    /// Replace a file that exists at `--out`.
    #[arg(long)]
    pub overwrite: bool,
    /// Why the export is made (e.g. the person's request of a date); recorded in the audit
    /// trail, where the person sees it.
    #[arg(long)]
    pub reason: String,
    /// Who runs it, as recorded in the audit trail; by default the operating system user.
    #[arg(long, env = "VIGO_OPERATOR")]
    pub operator: Option<String>,
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub secret: SecretArgs,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub command: AuditCommand,
}

#[derive(Debug, Args)]
pub struct IntakeArgs {
    #[command(subcommand)]
    pub command: IntakeCommand,
}

#[derive(Debug, Subcommand)]
pub enum IntakeCommand {
    /// Runs one round of a year's intake: allocates school places, stores the offers, each
    /// applicant's decision with its explanation, and the run (seed, inputs, outcome) for
    /// replay, in one transaction, recorded in the audit trail.
    Run(IntakeRunArgs),
    /// Runs a stored round again from its recorded inputs and seed; exits non-zero naming
    /// every applicant whose result differs.
    Replay(IntakeReplayArgs),
    /// Computes the Vg1 points of a year's applications from the applicants' lower-secondary
    /// grades, each with a decision explaining them.
    Points(IntakePointsArgs),
    /// Assesses every person's education right from their history, replacing the stored
    /// rights, each with the rule that decided it and a decision explaining it.
    Rights(IntakeRightsArgs),
    /// Imports the population register's address file (CSV: national id, address, postal
    /// code, city, municipality number): updates contact data with a change log, and sets
    /// aside open applications of those who live outside the county, each with a decision.
    /// A malformed line is reported with its number and nothing is imported, unless
    /// --skip-bad.
    Addresses(IntakeAddressesArgs),
    /// Offers applicants who wish an apprenticeship to approved companies in the trade with
    /// free positions, by youth right, points and lottery; each company answers its offers.
    Place(IntakePlaceArgs),
}

#[derive(Debug, Args)]
pub struct IntakeAddressesArgs {
    /// The address file (UTF-8 CSV, an optional header row).
    pub file: std::path::PathBuf,
    /// Import the valid lines and report the malformed ones, instead of refusing the file.
    #[arg(long)]
    pub skip_bad: bool,
    /// Who runs it, for the audit trail (default: $USER).
    #[arg(long)]
    pub operator: Option<String>,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Args)]
pub struct IntakePlaceArgs {
    /// The intake year.
    #[arg(long)]
    pub year: i32,
    /// The lottery's seed; drawn from the operating system when left out (and printed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Who runs it, for the audit trail (default: $USER).
    #[arg(long)]
    pub operator: Option<String>,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Args)]
pub struct IntakeRightsArgs {
    /// Assess as of this date (YYYY-MM-DD); today in Oslo when left out.
    #[arg(long)]
    pub on: Option<chrono::NaiveDate>,
    /// Who runs it, for the audit trail (default: $USER).
    #[arg(long)]
    pub operator: Option<String>,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Args)]
pub struct IntakePointsArgs {
    /// The intake year.
    #[arg(long)]
    pub year: i32,
    /// Who runs it, for the audit trail (default: $USER).
    #[arg(long)]
    pub operator: Option<String>,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// A round of the intake.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RoundArg {
    /// The main round (July).
    Main,
    /// The supplementary round, on the main round's answers.
    Supplementary,
}

#[derive(Debug, Args)]
pub struct IntakeRunArgs {
    /// The intake year (the school year starting in August of it).
    #[arg(long)]
    pub year: i32,
    #[arg(long, value_enum)]
    pub round: RoundArg,
    /// The lottery's seed; drawn from the operating system when left out (and printed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Who runs it, for the audit trail (default: $USER).
    #[arg(long)]
    pub operator: Option<String>,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Args)]
pub struct IntakeReplayArgs {
    /// The run's number, as `vigo intake run` printed it.
    pub run: i32,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Args)]
pub struct PolicyArgs {
    #[command(subcommand)]
    pub command: PolicyCommand,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Writes the policy in force as Casbin CSV in a stable order, with a header naming its
    /// version.
    Export(PolicyExportArgs),
    /// Replaces the policy with a file's rules, as a new version made by the operator;
    /// refused whole, changing nothing, when any line is invalid.
    Import(PolicyImportArgs),
    /// Checks a policy file for probable mistakes; exits non-zero on any finding.
    Lint(PolicyFileArgs),
    /// Shows what changes from policy file A to policy file B: rules added and removed, and
    /// what each role and purpose gains and loses.
    Diff(PolicyDiffArgs),
}

#[derive(Debug, Args)]
pub struct PolicyExportArgs {
    /// The file to write.
    pub file: std::path::PathBuf,
    /// Replace the file if it exists.
    #[arg(long)]
    pub overwrite: bool,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Args)]
pub struct PolicyImportArgs {
    /// The policy file (Casbin CSV: `p, role, purpose, object, action, effect` lines).
    pub file: std::path::PathBuf,
    /// Why the policy changes, for the version history.
    #[arg(long)]
    pub summary: String,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Args)]
pub struct PolicyFileArgs {
    /// The policy file.
    pub file: std::path::PathBuf,
}

#[derive(Debug, Args)]
pub struct PolicyDiffArgs {
    /// The earlier policy file.
    pub a: std::path::PathBuf,
    /// The later policy file.
    pub b: std::path::PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Checks the audit trail's hash chain and Merkle tree, and with `--checkpoints` proves
    /// the trail consistent with every signed checkpoint; exits non-zero naming the first
    /// altered, removed or reordered record.
    Verify(VerifyArgs),
    /// Applies the retention rule: removes events older than the retention period (at least
    /// a year), within the latest signed checkpoint, records the prune in the trail and signs
    /// the trail that results.
    /// Without a period (the default) the trail is kept whole and nothing is removed.
    Prune(PruneArgs),
    /// Makes a checkpoint signing key: writes the private key (owner-only) and prints the
    /// public verifier key to publish.
    Keygen(KeygenArgs),
    /// Signs the trail's size and Merkle root (after verifying it against the checkpoints
    /// before) and writes the signed checkpoint to a directory the database's writers cannot
    /// change, or to stdout.
    Checkpoint(CheckpointArgs),
    /// Checks an inclusion proof (`accessLogProof` as JSON) with the publisher's verifier key:
    /// the access it names is in the signed trail.
    VerifyProof(VerifyProofArgs),
}

/// The public key checkpoints are verified with.
#[derive(Debug, Args)]
pub struct VerifierArgs {
    /// The checkpoint signer's verifier key (`NAME+HASH+KEY`), as `vigo audit keygen` printed it.
    #[arg(long = "verifier", env = "VIGO_CHECKPOINT_VERIFIER")]
    pub verifier: Option<String>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Directory of signed checkpoints (`*.checkpoint`) to prove the trail against.
    #[arg(long, env = "VIGO_CHECKPOINT_DIR")]
    pub checkpoints: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub verifier: VerifierArgs,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// The key's name, which is also the checkpoints' origin (e.g. `vigo.example-county.no/audit`).
    #[arg(long)]
    pub name: String,
    /// Where to write the private key; it must not exist.
    #[arg(long)]
    pub out: std::path::PathBuf,
}

#[derive(Debug, Args)]
pub struct CheckpointArgs {
    /// The private signing key's file, kept away from the database.
    #[arg(long, env = "VIGO_CHECKPOINT_KEY")]
    pub key: std::path::PathBuf,
    /// Directory to write the checkpoint to (its earlier checkpoints are verified first), or
    /// `-` for stdout (then the chain and tree are verified, with no earlier checkpoint to
    /// hold them against: prefer a directory).
    #[arg(long, env = "VIGO_CHECKPOINT_DIR")]
    pub out: std::path::PathBuf,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Args)]
pub struct VerifyProofArgs {
    /// The proof: the JSON of `accessLogProof` (or a GraphQL response holding it).
    pub proof: std::path::PathBuf,
    #[command(flatten)]
    pub verifier: VerifierArgs,
}

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// How long audit events are kept, e.g. `10y` or `3650d` (at least a year); unset keeps them all.
    #[arg(long, env = "VIGO_AUDIT_RETENTION", value_parser = humantime::parse_duration)]
    pub retention: Option<Duration>,
    /// Signed checkpoints: only events a verified checkpoint covers are removed, and the
    /// trail after the prune is signed into the same directory.
    #[arg(long, env = "VIGO_CHECKPOINT_DIR")]
    pub checkpoints: Option<std::path::PathBuf>,
    /// The checkpoint signing key: a prune is vouched for by the key, so that nobody who
    /// merely writes the database can remove events and say they were pruned.
    #[arg(long, env = "VIGO_CHECKPOINT_KEY")]
    pub key: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Print only what this role can ever read under the default policy.
    #[arg(long)]
    pub role: Option<String>,
    /// The purpose the role acts for; defaults to its purpose in the default policy.
    #[arg(long, requires = "role")]
    pub purpose: Option<String>,
}

#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// Database URL: `sqlite://FILE` or `postgres://USER@HOST:PORT/DB`; by default the
    /// demo's `vigo.db` in the working directory.
    #[arg(long = "db", env = "VIGO_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,
}

/// How tokens are verified.
#[derive(Debug, Args)]
pub struct SecretArgs {
    /// Secret for development (HS256) tokens, at least 32 characters. `vigo serve` accepts
    /// development tokens only with this or `--dev-tokens`.
    #[arg(long, env = "VIGO_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// Accept development tokens signed with the secret kept beside the database (made on
    /// first use), as `vigo token` and `vigo demo` sign them.
    #[arg(long, env = "VIGO_DEV_TOKENS")]
    pub dev_tokens: bool,
    /// TOML file of production token issuers, one `[[issuer]]` table each: `iss`,
    /// `audiences`, `jwks_file` or `jwks_url`, `max_lifetime`, `refresh`, `scopes`.
    #[arg(long, env = "VIGO_ISSUERS")]
    pub issuers: Option<std::path::PathBuf>,
    /// One issuer without a file: its JWKS file (RS256, ES256 keys) …
    #[arg(long, env = "VIGO_JWKS_FILE", conflicts_with = "jwks_url")]
    pub jwks_file: Option<std::path::PathBuf>,
    /// … or its JWKS URL (https), fetched again every ten minutes and when keys rotate …
    #[arg(long, env = "VIGO_JWKS_URL")]
    pub jwks_url: Option<String>,
    /// … with the `iss` its tokens carry …
    #[arg(long, env = "VIGO_JWT_ISSUER")]
    pub jwt_issuer: Option<String>,
    /// … the `aud` values accepted (comma-separated) …
    #[arg(long, env = "VIGO_JWT_AUDIENCE", value_delimiter = ',')]
    pub jwt_audience: Vec<String>,
    /// … and the longest token lifetime accepted (default one hour).
    #[arg(long, env = "VIGO_JWT_MAX_LIFETIME", value_parser = humantime::parse_duration)]
    pub jwt_max_lifetime: Option<Duration>,
    /// Secret page cursors are sealed with, shared by every instance, where no development
    /// secret is configured (each instance makes its own otherwise, and a cursor works only
    /// on the instance that made it).
    #[arg(long, env = "VIGO_CURSOR_SECRET", hide_env_values = true)]
    pub cursor_secret: Option<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (an IP address or a host name, and a port).
    #[arg(long, env = "VIGO_LISTEN", default_value = DEFAULT_LISTEN, value_parser = listen_address)]
    pub listen: SocketAddr,
    /// Requests per second each token may make (bursts up to twice that).
    #[arg(long, env = "VIGO_RATE_LIMIT", default_value_t = crate::server::DEFAULT_RATE_LIMIT)]
    pub rate_limit: u32,
    /// Address for Prometheus metrics (`/metrics`), apart from the API's; none when unset.
    #[arg(long, env = "VIGO_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// Signs a checkpoint of the audit trail at every interval with this key (kept away from
    /// the database), into `--checkpoint-dir`.
    #[arg(long, env = "VIGO_CHECKPOINT_KEY", requires = "checkpoint_dir")]
    pub checkpoint_key: Option<std::path::PathBuf>,
    /// Where the signed checkpoints go: a directory the database's writers cannot change.
    #[arg(long, env = "VIGO_CHECKPOINT_DIR", requires = "checkpoint_key")]
    pub checkpoint_dir: Option<std::path::PathBuf>,
    /// How often a checkpoint is signed, e.g. `1h`.
    #[arg(long, env = "VIGO_CHECKPOINT_INTERVAL", default_value = "1h", value_parser = humantime::parse_duration)]
    pub checkpoint_interval: Duration,
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub secret: SecretArgs,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Number of synthetic persons, when the database is empty (2 000 unless given); a
    /// database that holds persons keeps them unless `--fresh`.
    #[arg(long)]
    pub persons: Option<usize>,
    /// Replace the data of a database that holds some with a new synthetic population (its
    /// audit trail is discarded, and the discard recorded).
    #[arg(long)]
    pub fresh: bool,
    /// Address to listen on (an IP address or a host name, and a port).
    #[arg(long, env = "VIGO_LISTEN", default_value = DEFAULT_LISTEN, value_parser = listen_address)]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Address for Prometheus metrics (`/metrics`), apart from the API's; none when unset.
    #[arg(long, env = "VIGO_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    #[command(flatten)]
    pub secret: SecretArgs,
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// Number of synthetic persons.
    #[arg(long)]
    pub persons: usize,
    /// Seed of the generator: the same seed gives the same population.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Replace the data of a database that is not empty.
    #[arg(long)]
    pub force: bool,
    /// With `--force`, also discard an audit trail that records requests (the discard is
    /// recorded as the new trail's first event); without it such a database is refused.
    #[arg(long, requires = "force")]
    pub discard_audit_trail: bool,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// Role, one of the access matrix's roles (e.g. caseworker, school, student).
    #[arg(long)]
    pub role: String,
    /// Organisation number the role acts for (school, company, bank, …).
    #[arg(long)]
    pub org: Option<String>,
    /// National id of the person, for the student role.
    #[arg(long)]
    pub person: Option<String>,
    /// Programme area code of the trade an exam board assesses, for the exam_board role.
    #[arg(long)]
    pub trade: Option<String>,
    /// Purpose; defaults to the role's purpose in the default policy.
    #[arg(long)]
    pub purpose: Option<String>,
    /// Lifetime, e.g. `30m`, `8h`, `2d`.
    #[arg(long, default_value = "8h", value_parser = humantime::parse_duration)]
    pub ttl: Duration,
    /// Subject identifier recorded in the audit trail.
    #[arg(long)]
    pub sub: Option<String>,
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub secret: SecretArgs,
}

#[cfg(test)]
mod tests {
    use super::listen_address;

    #[test]
    fn listen_addresses_may_name_a_host() {
        assert_eq!(
            listen_address("127.0.0.1:8080").map(|a| a.to_string()),
            Ok("127.0.0.1:8080".to_owned())
        );
        assert_eq!(
            listen_address("localhost:8080").map(|a| a.to_string()),
            Ok("127.0.0.1:8080".to_owned())
        );
        let no_port = listen_address("localhost").unwrap_err();
        assert!(no_port.contains("names no port"), "{no_port}");
        let unknown = listen_address("no-such-host.invalid:80").unwrap_err();
        assert!(
            unknown.contains("cannot resolve") && unknown.contains("127.0.0.1:8080"),
            "{unknown}"
        );
    }
}
