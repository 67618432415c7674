//! Vigo's server and command line: the composition root that wires the database, the policy
//! gate, authentication and the GraphQL schema together.

pub mod admin;
pub mod audit;
pub mod audit_commands;
pub mod auth;
pub mod config;
pub mod db;
pub mod denials;
pub mod error;
pub mod extract;
/// Extracts, as the command line and the tests use them.
pub use vigo_analytics as analytics;
pub mod graphiql;
pub mod graphql;
pub mod intake;
pub mod output;
mod policy_commands;
pub mod policy_sync;
pub mod portal;
pub mod server;
pub mod service;
pub mod statistics;
pub mod telemetry;

use std::time::{Duration, Instant};

use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use vigo_entities::enums::OrganisationKind;
use vigo_entities::ids::{NationalId, OrgNo, ProgrammeAreaCode};
use vigo_entities::{contact, exam_board, organisation, person, programme_area};
use vigo_policy::{Gate, Purpose, Role, Subject};

use crate::auth::{Authenticator, development_claims, signing_secret};
use crate::config::{Cli, Command, DemoArgs, SeedArgs, ServeArgs, TokenArgs};
use crate::server::{AppState, DemoToken};

/// Runs one command of the command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Demo(args) => demo(args).await,
        Command::Serve(args) => serve(args).await,
        Command::Migrate(args) => {
            let db = db::connect(&args.database_url).await?;
            let applied = db::migrate(&db).await?;
            println!(
                "applied {applied} migrations to {}",
                db::redacted(&args.database_url)
            );
            Ok(())
        }
        Command::Seed(args) => seed(args).await,
        Command::Token(args) => token(args).await,
        Command::Schema(args) => schema(args).await,
        Command::ExportSubject(args) => export_subject(args).await,
        Command::Extract(args) => run_extract(args).await,
        Command::Intake(config::IntakeArgs { command }) => match command {
            config::IntakeCommand::Run(args) => intake_run(args).await,
            config::IntakeCommand::Replay(args) => intake_replay(args).await,
            config::IntakeCommand::Points(args) => intake_points(args).await,
            config::IntakeCommand::Rights(args) => intake_rights(args).await,
            config::IntakeCommand::Addresses(args) => intake_addresses(args).await,
            config::IntakeCommand::Place(args) => intake_place(args).await,
        },
        Command::Policy(config::PolicyArgs { command }) => match command {
            config::PolicyCommand::Export(args) => policy_commands::export(args).await,
            config::PolicyCommand::Import(args) => policy_commands::import(args).await,
            config::PolicyCommand::Lint(args) => policy_commands::lint(args).await,
            config::PolicyCommand::Diff(args) => policy_commands::diff(args).await,
        },
        Command::Audit(config::AuditArgs { command }) => match command {
            config::AuditCommand::Verify(args) => audit_commands::verify(args).await,
            config::AuditCommand::Prune(args) => audit_commands::prune(args).await,
            config::AuditCommand::Keygen(args) => audit_commands::keygen(args),
            config::AuditCommand::Checkpoint(args) => audit_commands::checkpoint(args).await,
            config::AuditCommand::VerifyProof(args) => audit_commands::verify_proof(args),
        },
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let listeners = server::Listeners::bind(args.listen, args.metrics_listen).await?;
    let db = db::connect_present(&args.database.database_url).await?;
    let auth = authenticator(
        &args.secret,
        &args.database.database_url,
        DevelopmentTokens::Configured,
    )
    .await?;
    let applied = db::migrate(&db).await?;
    tracing::info!(applied, "database schema is up to date");
    let gate = load_gate(&db).await?;
    if let (Some(key), Some(dir)) = (&args.checkpoint_key, &args.checkpoint_dir) {
        let signer = audit_commands::read_signer(key)?;
        // At most once a minute: an interval of zero would sign without pause.
        let every = args.checkpoint_interval.max(Duration::from_secs(60));
        let (db, dir) = (db.clone(), dir.clone());
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            loop {
                ticks.tick().await;
                match audit_commands::sign_into(&db, &signer, &dir).await {
                    Ok(done) => tracing::info!("{done}"),
                    Err(e) => tracing::error!("audit checkpoint: {e}"),
                }
            }
        });
    }
    let state = AppState::with_gate(db, auth, gate, args.rate_limit)?;
    server::serve(state, listeners).await
}

/// The gate over the policy stored in the database (the default one on first start).
async fn load_gate(db: &DatabaseConnection) -> anyhow::Result<Gate> {
    let policy = vigo_policy::store::load_or_install(db)
        .await
        .map_err(|e| anyhow::anyhow!("the stored access policy: {e}"))?;
    tracing::info!(
        version = policy.version(),
        rules = policy.rules().len(),
        "access policy loaded"
    );
    Ok(Gate::new(policy))
}

async fn intake_run(args: config::IntakeRunArgs) -> anyhow::Result<()> {
    use rand::{RngCore, SeedableRng};
    let db = db::connect_existing(&args.database.database_url).await?;
    let seed = args
        .seed
        .unwrap_or_else(|| rand::rngs::StdRng::from_os_rng().next_u64());
    let actor = intake_operator(args.operator.as_deref())?;
    let round = match args.round {
        config::RoundArg::Main => vigo_entities::enums::IntakeRound::Main,
        config::RoundArg::Supplementary => vigo_entities::enums::IntakeRound::Supplementary,
    };
    let summary = intake::run(&db, args.year, round, seed, &actor).await?;
    println!(
        "run {}: the {} round of {}, seed {}: {} applicants, {} offered a place ({} their first wish), {} on waiting lists; replay with `vigo intake replay {}`",
        summary.run,
        summary.round,
        summary.year,
        summary.seed,
        summary.applicants,
        summary.placed,
        summary.first_wish,
        summary.waiting,
        summary.run
    );
    Ok(())
}

/// The county's operator running intake from the server's shell, as the audit trail names
/// them: a caseworker acting for intake.
fn intake_operator(operator: Option<&str>) -> anyhow::Result<Subject> {
    let operator = operator
        .map(str::to_owned)
        .or_else(|| std::env::var("USER").ok())
        .filter(|o| !o.trim().is_empty())
        .unwrap_or_else(|| "unknown".to_owned());
    Ok(Subject::new(
        Role::Caseworker,
        Purpose::Intake,
        None,
        None,
        format!("operator:{operator}"),
    )?)
}

async fn intake_points(args: config::IntakePointsArgs) -> anyhow::Result<()> {
    let db = db::connect_existing(&args.database.database_url).await?;
    let actor = intake_operator(args.operator.as_deref())?;
    let summary = intake::compute_points(&db, args.year, &actor).await?;
    println!(
        "intake {}: points for {} of {} applications; {} to be handled individually (too few grades)",
        summary.year, summary.with_points, summary.applications, summary.individual_handling
    );
    Ok(())
}

async fn intake_rights(args: config::IntakeRightsArgs) -> anyhow::Result<()> {
    let db = db::connect_existing(&args.database.database_url).await?;
    let actor = intake_operator(args.operator.as_deref())?;
    let on = args.on.unwrap_or_else(|| vigo_policy::Today::now().date);
    let summary = intake::assess_rights(&db, on, &actor).await?;
    println!(
        "assessed {} persons as of {on}: {} with a youth right, {} with an adult right, {} with none",
        summary.persons, summary.youth, summary.adult, summary.none
    );
    Ok(())
}

async fn intake_addresses(args: config::IntakeAddressesArgs) -> anyhow::Result<()> {
    let file = std::fs::read(&args.file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", args.file.display()))?;
    let db = db::connect_existing(&args.database.database_url).await?;
    let actor = intake_operator(args.operator.as_deref())?;
    let imported = intake::residency::import_addresses(
        &db,
        &file,
        args.skip_bad,
        vigo_intake::residency::OSLO,
        &actor,
    )
    .await?;
    for bad in &imported.skipped {
        eprintln!("skipped {bad}");
    }
    println!(
        "{} lines read ({} skipped as malformed, {} about persons Vigo does not hold): contact data changed for {}; {} applicants checked, {} set aside as another county's responsibility, {} taken back after moving in",
        imported.lines,
        imported.skipped.len(),
        imported.not_held,
        imported.changed,
        imported.applicants,
        imported.outside,
        imported.taken_back
    );
    Ok(())
}

async fn intake_place(args: config::IntakePlaceArgs) -> anyhow::Result<()> {
    use rand::{RngCore, SeedableRng};
    let db = db::connect_existing(&args.database.database_url).await?;
    let seed = args
        .seed
        .unwrap_or_else(|| rand::rngs::StdRng::from_os_rng().next_u64());
    let actor = intake_operator(args.operator.as_deref())?;
    let summary = intake::placement::place(&db, args.year, seed, &actor).await?;
    println!(
        "run {}: apprenticeship placement {} of {}, seed {}: {} applicants, {} offered to a company ({} free positions at {} companies); replay with `vigo intake replay {}`",
        summary.run,
        summary.round,
        summary.year,
        summary.seed,
        summary.applicants,
        summary.placed,
        summary.positions,
        summary.companies,
        summary.run
    );
    Ok(())
}

async fn intake_replay(args: config::IntakeReplayArgs) -> anyhow::Result<()> {
    let db = db::connect_existing(&args.database.database_url).await?;
    let replayed = intake::replay(&db, args.run).await?;
    if replayed.differences.is_empty() {
        println!(
            "run {} reproduces: the same result for all {} applicants from its recorded inputs and seed",
            replayed.run, replayed.applicants
        );
        return Ok(());
    }
    for difference in &replayed.differences {
        println!("{difference}");
    }
    anyhow::bail!(
        "run {} does not reproduce: {} difference(s)",
        replayed.run,
        replayed.differences.len()
    )
}

/// Writes everything held about one person, exactly as the person sees it through `me`
/// with every field selected, and records the export in the audit trail.
async fn export_subject(args: config::ExportSubjectArgs) -> anyhow::Result<()> {
    let national_id =
        NationalId::parse(&args.national_id).map_err(|e| anyhow::anyhow!("national id: {e}"))?;
    let destination = output::Destination::check(&args.out, args.overwrite)?;
    let db = db::connect_existing(&args.database.database_url).await?;
    let auth = authenticator(
        &args.secret,
        &args.database.database_url,
        DevelopmentTokens::Local,
    )
    .await?;
    let gate = load_gate(&db).await?;
    let state = AppState::with_gate(db, auth, gate.clone(), server::DEFAULT_RATE_LIMIT)?;
    let subject = Subject::new(
        Role::Student,
        Purpose::SelfService,
        None,
        Some(national_id),
        "export-subject".into(),
    )?;
    let reason = args.reason.trim();
    anyhow::ensure!(
        !reason.is_empty(),
        "--reason: say why the export is made; the person sees it in their access log"
    );
    // The export reads as the person would (their own scope and mask), but the trail names
    // the county's operator who ran it, and why.
    let operator = args
        .operator
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .filter(|o| !o.trim().is_empty())
        .unwrap_or_else(|| "unknown".to_owned());
    let recorded = server::Recorded {
        actor: Subject::new(
            Role::Caseworker,
            Purpose::Administration,
            None,
            None,
            format!("operator:{operator}"),
        )?,
        reason: Some(format!("art. 15 export: {reason}")),
    };
    // Read, write the file beside its destination, and only then record the export and put
    // the file in place: an export that failed is not recorded as made.
    let mut request = async_graphql::Request::new("query ExportSubject { subjectExport }");
    let request_id = format!("export-subject-{}", uuid::Uuid::new_v4());
    let access = gate.access(&subject)?;
    let enforced =
        server::enforce_fields(&state, &subject, &access, &request_id, &mut request).await?;
    let (response, reached) =
        server::execute(&state, &subject, &access, &request_id, request, &enforced).await;
    if let Some(error) = response.errors.first() {
        anyhow::bail!("export failed: {}", error.message);
    }
    let document = response.data.into_json()?;
    if document["subjectExport"].is_null() {
        anyhow::bail!("no person with national id {}", national_id.as_string());
    }
    let written = destination.stage().and_then(|mut file| {
        std::io::Write::write_all(
            &mut file,
            &serde_json::to_vec_pretty(&document["subjectExport"])?,
        )?;
        file.sync_all()?;
        Ok(())
    });
    let outcome = match written {
        Ok(()) => server::audit_request(&state, &recorded, &request_id, &enforced, &reached)
            .await
            .map_err(|e| anyhow::anyhow!("{e}")),
        Err(e) => Err(e),
    };
    if let Err(e) = outcome.and_then(|()| destination.deliver()) {
        destination.discard();
        return Err(e);
    }
    println!(
        "wrote everything held about {} to {}",
        national_id.as_string(),
        args.out.display()
    );
    Ok(())
}

/// The catalogue of extracts, as `vigo extract --list` prints it.
fn extract_list() -> String {
    use std::fmt::Write;
    let mut out = String::from(
        "Statistics (ssb, udir and caseworkers; csv, parquet or jsonstat; small counts withheld):\n",
    );
    for statistic in vigo_analytics::statistics::CATALOGUE {
        let dimensions: Vec<&str> = statistic.dimensions.iter().map(|(id, _)| *id).collect();
        let _ = writeln!(
            out,
            "  {:<26} {} [{}]; counts {} of {}",
            statistic.name,
            statistic.title,
            dimensions.join(" × "),
            statistic.unit,
            statistic.population
        );
    }
    out.push_str("\nRecipient files (the recipient's rows and columns; csv or parquet; recorded as disclosures):\n");
    for extract in vigo_analytics::RECIPIENT_EXTRACTS {
        let _ = writeln!(
            out,
            "  {:<26} {}",
            extract.name,
            extract
                .description
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    out
}

/// Reads `--filter DIMENSION=ID,ID` arguments.
pub fn selections(
    filters: &[String],
) -> anyhow::Result<Vec<vigo_analytics::statistics::Selection>> {
    filters
        .iter()
        .map(|f| {
            let (dimension, ids) = f.split_once('=').ok_or_else(|| {
                anyhow::anyhow!("--filter {f}: write DIMENSION=ID,ID (e.g. year=2025,2026)")
            })?;
            Ok(vigo_analytics::statistics::Selection {
                dimension: dimension.trim().to_owned(),
                categories: ids.split(',').map(|i| i.trim().to_owned()).collect(),
            })
        })
        .collect()
}

/// Writes an extract for the subject of `--token`: a statistic of the catalogue (recorded
/// as a pull) or a recipient file (see [`extract::run`]).
async fn run_extract(args: config::ExtractArgs) -> anyhow::Result<()> {
    if args.list {
        print!("{}", extract_list());
        return Ok(());
    }
    let (Some(name), Some(format), Some(out), Some(token)) =
        (&args.name, &args.format, &args.out, &args.token)
    else {
        anyhow::bail!("give the extract's name, --format, --out and --token (or --list)");
    };
    let format: vigo_analytics::Format = format.parse()?;
    let extract = vigo_analytics::Extract::named(name)?;
    let selections = selections(&args.filters)?;
    let destination = output::Destination::check(out, args.overwrite)?;
    let db = db::connect_existing(&args.database.database_url).await?;
    let auth = authenticator(
        &args.secret,
        &args.database.database_url,
        DevelopmentTokens::Local,
    )
    .await?;
    let subject = auth
        .authenticate(Some(&format!("Bearer {}", token.trim())))
        .map_err(|e| anyhow::anyhow!("--token: {e}"))?;
    let gate = load_gate(&db).await?;
    gate.admit(&subject)?;
    if let vigo_analytics::Extract::Statistic(_) = extract {
        let request_id = format!("statistics-{}", uuid::Uuid::new_v4());
        let pulled = statistics::pull(&db, &gate, &subject, name, format, &selections, &request_id)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let written = destination.stage().and_then(|mut file| {
            std::io::Write::write_all(&mut file, &pulled.bytes)?;
            file.sync_all()?;
            Ok(())
        });
        if let Err(e) = written.and_then(|()| destination.deliver()) {
            destination.discard();
            return Err(e);
        }
        println!(
            "wrote {} ({} cells, {} withheld) to {}; recorded in the audit trail",
            pulled.about.title,
            pulled.dataset.values.len(),
            pulled.dataset.withheld(),
            out.display()
        );
        return Ok(());
    }
    anyhow::ensure!(
        selections.is_empty(),
        "--filter applies to statistics; a recipient file holds what its recipient may receive"
    );
    let written = extract::run_to(&db, &gate, &subject, name, format, &destination).await?;
    println!(
        "wrote {} rows about {} persons to {} (columns: {}); recorded as disclosure {}",
        written.rows,
        written.persons,
        out.display(),
        written.columns.join(", "),
        written.disclosure
    );
    if !written.withheld.is_empty() {
        println!(
            "left out, as {} may not read them: {}",
            subject.role,
            written.withheld.join(", ")
        );
    }
    Ok(())
}

/// Prints the SDL, or the part of it a role can ever read under the default policy.
async fn schema(args: config::SchemaArgs) -> anyhow::Result<()> {
    let sdl = graphql::sdl();
    let Some(role) = args.role else {
        print!("{sdl}");
        return Ok(());
    };
    let role: Role = role.parse()?;
    let purpose = match &args.purpose {
        Some(p) => p.parse::<Purpose>()?,
        None => role.default_purpose(),
    };
    let policy = vigo_policy::Policy::default_policy().await?;
    let grant = policy.admit(role, purpose)?;
    let types = graphql::enforce::TypeMap::from_sdl(&sdl).map_err(anyhow::Error::msg)?;
    let visibility = graphql::enforce::Visibility::of(&types, &grant.fields, &grant);
    print!("{}", graphql::enforce::filter_sdl(&sdl, &visibility));
    Ok(())
}

/// Where development tokens may come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DevelopmentTokens {
    /// Only where configured: `VIGO_JWT_SECRET` or `--dev-tokens` (the server).
    Configured,
    /// The secret kept beside the database, made on first use (the command line's own
    /// tools: `token`, `demo`, `extract`, `export-subject`).
    Local,
}

/// The token verifier the settings describe: the issuers (from the issuers file and the
/// one-issuer settings) and, where allowed, development tokens. Fails when no token at all
/// could be verified, naming the settings that would fix it.
async fn authenticator(
    args: &config::SecretArgs,
    database_url: &str,
    development: DevelopmentTokens,
) -> anyhow::Result<Authenticator> {
    let mut settings = match &args.issuers {
        Some(path) => auth::issuers::read_issuers_file(path)?,
        None => Vec::new(),
    };
    if args.jwks_file.is_some() || args.jwks_url.is_some() {
        let iss = args.jwt_issuer.clone().ok_or_else(|| {
            anyhow::anyhow!("VIGO_JWT_ISSUER: name the `iss` the JWKS's tokens carry")
        })?;
        anyhow::ensure!(
            !args.jwt_audience.is_empty(),
            "VIGO_JWT_AUDIENCE: name the `aud` values Vigo accepts from {iss}"
        );
        settings.push(auth::IssuerSettings {
            iss,
            audiences: args.jwt_audience.clone(),
            jwks_file: args.jwks_file.clone(),
            jwks_url: args.jwks_url.clone(),
            max_lifetime: args.jwt_max_lifetime,
            refresh: None,
            scopes: Default::default(),
            role: None,
            roles: Vec::new(),
        });
    } else {
        anyhow::ensure!(
            args.jwt_issuer.is_none() && args.jwt_audience.is_empty(),
            "VIGO_JWT_ISSUER and VIGO_JWT_AUDIENCE go with VIGO_JWKS_FILE or VIGO_JWKS_URL"
        );
    }
    let secret = match (&args.jwt_secret, args.dev_tokens, development) {
        (Some(secret), _, _) => Some(signing_secret(Some(secret), database_url)?),
        (None, true, _) | (None, false, DevelopmentTokens::Local) => {
            Some(signing_secret(None, database_url)?)
        }
        (None, false, DevelopmentTokens::Configured) => None,
    };
    let mut auth = match (&secret, &args.cursor_secret) {
        (_, Some(cursor)) => {
            anyhow::ensure!(
                cursor.len() >= 32,
                "VIGO_CURSOR_SECRET must be at least 32 characters"
            );
            let auth = match &secret {
                Some(secret) => Authenticator::from_secret(secret),
                None => Authenticator::production(cursor.as_bytes()),
            };
            auth.with_cursor_secret(cursor.as_bytes())
        }
        (Some(secret), None) => Authenticator::from_secret(secret),
        (None, None) => {
            if !settings.is_empty() {
                tracing::warn!(
                    "VIGO_CURSOR_SECRET is not set: page cursors work only on the instance that made them"
                );
            }
            let mut random = [0u8; 32];
            rand::RngCore::fill_bytes(
                &mut <rand::rngs::StdRng as rand::SeedableRng>::from_os_rng(),
                &mut random,
            );
            Authenticator::production(&random)
        }
    };
    if secret.is_some() && !settings.is_empty() {
        tracing::warn!(
            "development tokens are accepted beside production issuers: whoever knows the development secret can sign any role"
        );
    }
    for issuer in settings {
        auth = auth.with_issuer(auth::Issuer::start(issuer).await?);
    }
    anyhow::ensure!(
        auth.accepts_any(),
        "no token could be verified: configure production issuers (VIGO_ISSUERS, or VIGO_JWKS_FILE or VIGO_JWKS_URL with VIGO_JWT_ISSUER and VIGO_JWT_AUDIENCE) or development tokens (VIGO_JWT_SECRET, or --dev-tokens for the secret kept beside the database)"
    );
    Ok(auth)
}

async fn seed(args: SeedArgs) -> anyhow::Result<()> {
    let db = db::connect(&args.database.database_url).await?;
    db::migrate(&db).await?;
    let started = Instant::now();
    let population = vigo_synth::generate(vigo_synth::Config::new(args.persons, args.seed));
    let generated = started.elapsed();
    let existing = match (args.force, args.discard_audit_trail) {
        (false, _) => vigo_synth::Existing::Refuse,
        (true, false) => vigo_synth::Existing::Replace,
        (true, true) => vigo_synth::Existing::ReplaceDiscardingAuditTrail,
    };
    let discarded = trail_head(&db).await?;
    let report = vigo_synth::seed_over(&db, &population, existing).await?;
    if let (Some(head), vigo_synth::Existing::ReplaceDiscardingAuditTrail) = (discarded, existing) {
        record_discard(&db, &head, "seed --force --discard-audit-trail").await?;
    }
    let total = started.elapsed();
    for (table, rows, took) in &report.tables {
        tracing::info!(table, rows, seconds = took.as_secs_f64(), "table written");
    }
    println!(
        "seeded {} persons ({} rows in {} tables) in {:.1} s (generation {:.1} s, writing {:.1} s)",
        args.persons,
        report.total_rows(),
        report.tables.len(),
        total.as_secs_f64(),
        generated.as_secs_f64(),
        (total - generated).as_secs_f64()
    );
    Ok(())
}

/// Starts a new trail by saying what was discarded (its size and head hash), and by whom.
async fn record_discard(
    db: &DatabaseConnection,
    head: &vigo_entities::audit_chain::Model,
    command: &str,
) -> anyhow::Result<()> {
    let operator = std::env::var("VIGO_OPERATOR")
        .or_else(|_| std::env::var("USER"))
        .unwrap_or_else(|_| "unknown".into());
    let event = audit::Event::new(
        vigo_audit::Actor {
            role: "operator".into(),
            org: None,
            sub: format!("operator:{operator}"),
            purpose: "administration".into(),
        },
        &format!("Audit.discard:{}:{}", head.last_event_id, head.last_hash),
        command,
        &[],
        &[],
    );
    audit::record(db, &[event]).await?;
    eprintln!(
        "discarded the audit trail of {} events; the new trail's first event records it",
        head.last_event_id
    );
    Ok(())
}

/// The head of a trail that records requests, which replacing the data would discard.
async fn trail_head(
    db: &DatabaseConnection,
) -> anyhow::Result<Option<vigo_entities::audit_chain::Model>> {
    Ok(vigo_entities::audit_chain::Entity::find_by_id(1)
        .one(db)
        .await?
        .filter(|head| head.last_event_id > 0))
}

async fn token(args: TokenArgs) -> anyhow::Result<()> {
    let role: Role = args.role.parse()?;
    let purpose = match &args.purpose {
        Some(p) => p.parse::<Purpose>()?,
        None => role.default_purpose(),
    };
    let org = args
        .org
        .as_deref()
        .map(|o| OrgNo::parse(o).map_err(|e| anyhow::anyhow!("--org: {e}")))
        .transpose()?;
    let person = args
        .person
        .as_deref()
        .map(|p| NationalId::parse(p).map_err(|e| anyhow::anyhow!("--person: {e}")))
        .transpose()?;
    let trade = args
        .trade
        .as_deref()
        .map(|t| ProgrammeAreaCode::parse(t).map_err(|e| anyhow::anyhow!("--trade: {e}")))
        .transpose()?;
    let sub = args
        .sub
        .clone()
        .unwrap_or_else(|| format!("dev-{}", role.code()));
    // Refuse here what the server would refuse under the default policy, so that no
    // unusable token is printed.
    Subject::new(role, purpose, org.clone(), person, sub.clone())?.with_trade(trade.clone())?;
    vigo_policy::Policy::default_policy()
        .await?
        .admit(role, purpose)?;
    anyhow::ensure!(
        args.ttl <= auth::MAX_DEVELOPMENT_LIFETIME,
        "--ttl: development tokens live at most {}",
        humantime::format_duration(auth::MAX_DEVELOPMENT_LIFETIME)
    );
    if args.secret.jwt_secret.is_none() {
        // The secret kept beside the database: there must be a database to keep it beside,
        // or the token would be signed with a secret no server knows.
        db::connect_existing(&args.database.database_url).await?;
    }
    let secret = signing_secret(
        args.secret.jwt_secret.as_deref(),
        &args.database.database_url,
    )?;
    let mut claims =
        development_claims(role, purpose, org.as_ref(), person.as_ref(), sub, args.ttl);
    claims.trade = trade.map(|t| t.as_str().to_owned());
    println!("{}", Authenticator::from_secret(&secret).sign(&claims)?);
    Ok(())
}

/// The demo's population when the database is empty and `--persons` is not given.
const DEMO_PERSONS: usize = 2000;

async fn demo(args: DemoArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let url = &args.database.database_url;
    let listeners = server::Listeners::bind(args.listen, args.metrics_listen).await?;
    let db = db::connect(url).await?;
    db::migrate(&db).await?;
    let auth = authenticator(&args.secret, url, DevelopmentTokens::Local).await?;
    let held = person::Entity::find().count(&db).await?;
    let wanted = args.persons.unwrap_or(DEMO_PERSONS);
    let mut notes = Vec::new();
    if held == 0 || args.fresh {
        let population = vigo_synth::generate(vigo_synth::Config::new(wanted, 1));
        let discarded = trail_head(&db).await?;
        let existing = if args.fresh {
            vigo_synth::Existing::ReplaceDiscardingAuditTrail
        } else {
            vigo_synth::Existing::Refuse
        };
        vigo_synth::seed_over(&db, &population, existing).await?;
        if let Some(head) = discarded {
            record_discard(&db, &head, "demo --fresh").await?;
        }
    } else if args.persons.is_some_and(|n| n as u64 != held) {
        notes.push(format!(
            "note: {} already holds {held} persons, so --persons {wanted} does not apply; add --fresh to replace them with {wanted} new ones",
            db::Location::of(url)?
        ));
    }
    let persons = person::Entity::find().count(&db).await?;
    let address = listeners.api_address()?;
    let (tokens, example) = demo_tokens(&db, &auth).await?;
    print!(
        "{}",
        demo_guide(&DemoGuide {
            location: db::Location::of(url)?.to_string(),
            url: url.clone(),
            persons,
            address,
            tokens: &tokens,
            example: example.as_deref(),
            notes: &notes,
            seconds: started.elapsed().as_secs_f64(),
        })
    );
    let gate = load_gate(&db).await?;
    let mut state = AppState::with_gate(db, auth, gate, server::DEFAULT_RATE_LIMIT)?;
    // The console and the portals offer the printed tokens to this machine's own browser
    // only: on any other address, whoever reached the page could act as anyone.
    if address.ip().is_loopback() {
        state = state.with_demo_tokens(tokens);
    }
    server::serve(state, listeners).await
}

/// What the demo prints once it listens.
struct DemoGuide<'a> {
    location: String,
    url: String,
    persons: u64,
    address: std::net::SocketAddr,
    tokens: &'a [DemoToken],
    example: Option<&'a str>,
    notes: &'a [String],
    seconds: f64,
}

/// The demo's printout: who each token is, then lines to copy and paste for the next steps.
fn demo_guide(guide: &DemoGuide<'_>) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let base = format!("http://{}", guide.address);
    let _ = writeln!(
        out,
        "Vigo demo: {} synthetic persons in {}, listening on {base} (ready after {:.1} s).",
        guide.persons, guide.location, guide.seconds
    );
    for note in guide.notes {
        let _ = writeln!(out, "{note}");
    }
    let _ = writeln!(
        out,
        "\nDevelopment tokens (valid 12 hours), as lines to paste into another shell. Each acts as one party and sees only what it may:\n"
    );
    for token in guide.tokens {
        let acting = token
            .org
            .as_deref()
            .map(|org| format!(", for organisation {org}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "# {}{acting}: {}\nexport {}='{}'",
            token.role,
            token.role.description(),
            token.role.code().to_uppercase(),
            token.token
        );
    }
    if let Some(national_id) = guide.example {
        let _ = writeln!(
            out,
            "# the student token's own national id, a person to look up\nexport NATIONAL_ID='{national_id}'"
        );
    }
    let national_id = guide.example.unwrap_or("NATIONAL_ID");
    let database = if guide.url == config::DEFAULT_DATABASE_URL {
        String::new()
    } else {
        format!(" --db '{}'", guide.url)
    };
    let _ = writeln!(
        out,
        "\nNext steps, in the shell where you pasted the lines above:\n"
    );
    let _ = writeln!(
        out,
        "curl -s {base}/graphql -H \"Authorization: Bearer $CASEWORKER\" -H 'content-type: application/json' \\\n  -d '{{\"query\":\"{{ person(nationalId: \\\"{national_id}\\\") {{ givenName familyName birthDate contact {{ city email }} }} }}\"}}'"
    );
    let _ = writeln!(
        out,
        "curl -s {base}/graphql -H \"Authorization: Bearer $STUDENT\" -H 'content-type: application/json' \\\n  -d '{{\"query\":\"{{ me {{ givenName accessLog {{ at actorRole purpose categories }} }} }}\"}}'"
    );
    let _ = writeln!(
        out,
        "vigo schema --role ssb                          # what a role may read, as a schema of its own"
    );
    let school = guide
        .tokens
        .iter()
        .find(|t| t.role == Role::School)
        .and_then(|t| t.org.as_deref())
        .unwrap_or("ORGNO");
    let _ = writeln!(
        out,
        "vigo token --role school --org {school}{database}   # another token, which this demo accepts"
    );
    let _ = writeln!(
        out,
        "\nGraphiQL: open {base}/graphql and give a token under Headers as {{\"Authorization\": \"Bearer …\"}}."
    );
    let _ = writeln!(
        out,
        "Privacy officer's console: open {base}/admin{}.",
        if guide.address.ip().is_loopback() {
            " (it offers this demo's privacy officer token)"
        } else {
            " and sign in with the privacy officer token above"
        }
    );
    let _ = writeln!(
        out,
        "Web portals (Min side, Vigo Bedrift, the school's page, Vigo OT): open {base}/portal/{}.",
        if guide.address.ip().is_loopback() {
            " and choose whom to be"
        } else {
            " and sign in with a token above"
        }
    );
    let _ = writeln!(
        out,
        "Who may see what: docs/access.md. Stop the demo with Ctrl-C; its data stays in {} for the next start.",
        guide.location
    );
    out
}

/// Which demo organisation a role acts for, by the authority's name.
fn demo_authority(role: Role) -> Option<&'static str> {
    let index = match role {
        Role::Caseworker | Role::Ot | Role::Websak | Role::PrivacyOfficer => 0,
        Role::Lanekassen => 1,
        Role::Ssb => 2,
        Role::Udir => 3,
        Role::Folkeregister => 4,
        Role::Difi => 5,
        Role::Vitnemalsregister => 6,
        Role::Bank => 7,
        Role::School | Role::Company | Role::ExamBoard | Role::Student => return None,
    };
    vigo_synth::AUTHORITIES.get(index).copied()
}

/// One development token per role, acting for organisations and a person of the demo data,
/// and the national id of that person.
async fn demo_tokens(
    db: &DatabaseConnection,
    auth: &Authenticator,
) -> anyhow::Result<(Vec<DemoToken>, Option<String>)> {
    let first_org = |filter: sea_orm::Condition| {
        organisation::Entity::find()
            .filter(filter)
            .order_by_asc(organisation::Column::Id)
            .one(db)
    };
    let school = first_org(
        organisation::Column::Kind
            .eq(OrganisationKind::School)
            .into(),
    )
    .await?;
    let company = first_org(
        organisation::Column::Kind
            .eq(OrganisationKind::Company)
            .into(),
    )
    .await?;
    // A living person (one with contact data) acts as the demo's student.
    let student = match contact::Entity::find()
        .order_by_asc(contact::Column::PersonId)
        .one(db)
        .await?
    {
        Some(c) => person::Entity::find_by_id(c.person_id).one(db).await?,
        None => None,
    };
    // The demo's exam board assesses the first trade that has a board.
    let board_trade = match exam_board::Entity::find()
        .order_by_asc(exam_board::Column::Id)
        .one(db)
        .await?
    {
        Some(board) => programme_area::Entity::find_by_id(board.programme_area_id)
            .one(db)
            .await?
            .map(|area| area.code),
        None => None,
    };
    let mut tokens = Vec::new();
    for role in Role::ALL {
        let org = match role {
            Role::School => school.as_ref().map(|o| o.org_no.clone()),
            Role::Company => company.as_ref().map(|o| o.org_no.clone()),
            _ => match demo_authority(*role) {
                Some(name) => first_org(organisation::Column::Name.eq(name).into())
                    .await?
                    .map(|o| o.org_no),
                None => None,
            },
        };
        let org = org.as_deref().map(OrgNo::parse).transpose()?;
        let person = match role {
            Role::Student => student
                .as_ref()
                .map(|p| NationalId::parse(&p.national_id))
                .transpose()?,
            _ => None,
        };
        let mut claims = development_claims(
            *role,
            role.default_purpose(),
            org.as_ref(),
            person.as_ref(),
            format!("demo-{}", role.code()),
            Duration::from_secs(12 * 3600),
        );
        if role.requires_trade() {
            claims.trade = board_trade.clone();
        }
        tokens.push(DemoToken {
            role: *role,
            org: org.map(|o| o.as_str().to_owned()),
            token: auth.sign(&claims)?,
        });
    }
    Ok((tokens, student.map(|p| p.national_id)))
}
