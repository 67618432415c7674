//! The `vigo` binary's contract for bad input: one clear line on stderr and a non-zero exit.

use std::path::PathBuf;
use std::process::{Command, Output};

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("vigo-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        TempDir(dir)
    }

    fn db_url(&self) -> String {
        format!("sqlite://{}?mode=rwc", self.0.join("vigo.db").display())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn vigo(dir: &TempDir, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vigo"))
        .args(args)
        .current_dir(&dir.0)
        .env_remove("VIGO_DATABASE_URL")
        .env_remove("VIGO_JWT_SECRET")
        .env("VIGO_LOG", "warn")
        .output()
        .unwrap_or_else(|e| panic!("cannot run vigo: {e}"))
}

fn stderr_line(output: &Output) -> String {
    let text = String::from_utf8_lossy(&output.stderr).trim().to_owned();
    assert_eq!(
        text.lines().count(),
        1,
        "expected one line on stderr, got: {text}"
    );
    text
}

#[test]
fn token_with_an_unknown_role_lists_the_valid_ones() {
    let dir = TempDir::new("role");
    let output = vigo(&dir, &["token", "--role", "janitor"]);
    assert!(!output.status.success());
    let line = stderr_line(&output);
    for role in [
        "caseworker",
        "school",
        "company",
        "student",
        "privacy_officer",
    ] {
        assert!(line.contains(role), "{line}");
    }
}

#[test]
fn token_refuses_what_the_server_would_refuse_and_signs_the_rest() {
    let dir = TempDir::new("token");
    let output = vigo(&dir, &["token", "--role", "school"]);
    assert!(!output.status.success());
    assert!(stderr_line(&output).contains("organisation number"));

    let output = vigo(&dir, &["token", "--role", "ot", "--purpose", "statistics"]);
    assert!(!output.status.success());
    assert!(stderr_line(&output).contains("follow_up"));

    let output = vigo(
        &dir,
        &["token", "--role", "student", "--person", "01811050048"],
    );
    assert!(!output.status.success());
    assert!(stderr_line(&output).contains("check digit"));

    // The secret is kept beside the database, so there must be one.
    let output = vigo(&dir, &["token", "--role", "school", "--org", "974760673"]);
    assert!(!output.status.success());
    assert!(
        stderr_line(&output).contains("no Vigo database at vigo.db; run `vigo demo`"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!dir.0.join("vigo.db").exists() && !dir.0.join("vigo.db.jwt-secret").exists());
    succeeded(&vigo(&dir, &["migrate", "--db", &dir.db_url()]));
    let output = vigo(
        &dir,
        &[
            "token",
            "--role",
            "school",
            "--org",
            "974760673",
            "--db",
            &dir.db_url(),
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let token = String::from_utf8_lossy(&output.stdout);
    assert_eq!(token.trim().split('.').count(), 3, "a JWT has three parts");
    assert!(
        dir.0.join("vigo.db.jwt-secret").exists(),
        "the secret is kept beside the database"
    );
}

#[test]
fn serve_with_an_unreachable_or_malformed_database_exits_with_one_line() {
    let dir = TempDir::new("serve");
    for url in [
        "postgres://vigo@127.0.0.1:1/vigo",
        "mysql://vigo@localhost/vigo",
    ] {
        let output = vigo(
            &dir,
            &[
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--db",
                url,
                "--dev-tokens",
            ],
        );
        assert!(!output.status.success(), "{url}");
        let line = stderr_line(&output);
        assert!(
            line.starts_with("error:")
                && (line.contains("database") || line.contains("PostgreSQL at 127.0.0.1:1")),
            "{line}"
        );
    }
    assert!(
        !dir.0.join("vigo.jwt-secret").exists(),
        "a failed start leaves no secret behind"
    );
}

#[test]
fn serve_accepts_development_tokens_only_when_told_and_never_makes_a_secret_silently() {
    let dir = TempDir::new("serve-tokens");
    let db = dir.db_url();
    succeeded(&vigo(&dir, &["migrate", "--db", &db]));
    let output = vigo(&dir, &["serve", "--listen", "127.0.0.1:0", "--db", &db]);
    assert!(!output.status.success());
    let line = stderr_line(&output);
    assert!(
        line.contains("no token could be verified") && line.contains("VIGO_ISSUERS"),
        "{line}"
    );
    assert!(
        !dir.0.join("vigo.db.jwt-secret").exists(),
        "no secret is made behind the operator's back"
    );
    // An issuer needs its `iss` and audiences, whatever its keys.
    let jwks = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/jwks.json");
    let output = vigo(
        &dir,
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--db",
            &db,
            "--jwks-file",
            jwks,
        ],
    );
    assert!(stderr_line(&output).contains("VIGO_JWT_ISSUER"));
    let output = vigo(
        &dir,
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--db",
            &db,
            "--jwks-file",
            jwks,
            "--jwt-issuer",
            "https://issuer.test/",
        ],
    );
    assert!(stderr_line(&output).contains("VIGO_JWT_AUDIENCE"));
    let output = vigo(
        &dir,
        &["token", "--role", "caseworker", "--ttl", "30d", "--db", &db],
    );
    assert!(stderr_line(&output).contains("at most"));
}

#[test]
fn seed_refuses_a_database_that_is_not_empty_unless_forced() {
    let dir = TempDir::new("seed");
    let db = dir.db_url();
    let output = vigo(&dir, &["seed", "--persons", "60", "--db", &db]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("seeded 60 persons"));

    let output = vigo(&dir, &["seed", "--persons", "60", "--db", &db]);
    assert!(!output.status.success());
    assert!(stderr_line(&output).contains("--force"));

    let output = vigo(
        &dir,
        &[
            "seed",
            "--persons",
            "30",
            "--seed",
            "2",
            "--force",
            "--db",
            &db,
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn schema_prints_the_sdl() {
    let dir = TempDir::new("schema");
    let output = vigo(&dir, &["schema"]);
    assert!(output.status.success());
    let sdl = String::from_utf8_lossy(&output.stdout);
    for needle in [
        "type Person",
        "type PersonConnection",
        "markDeceased(",
        "A person known to the county",
    ] {
        assert!(sdl.contains(needle), "missing {needle}");
    }
}

#[test]
fn schema_for_a_role_shows_only_what_it_can_read() {
    let dir = TempDir::new("role-schema");
    let whole = vigo(&dir, &["schema"]);
    assert!(whole.status.success());
    let whole = String::from_utf8_lossy(&whole.stdout).into_owned();
    let output = vigo(&dir, &["schema", "--role", "ot"]);
    assert!(output.status.success());
    let ot = String::from_utf8_lossy(&output.stdout).into_owned();
    let block = |sdl: &str, name: &str| {
        sdl.split("\n\n")
            .find(|chunk| chunk.contains(&format!("type {name} {{")))
            .map(str::to_owned)
    };
    let contact = block(&ot, "Contact").unwrap_or_default();
    assert!(
        contact.contains("phone: String") && !contact.contains("email: "),
        "{contact}"
    );
    assert!(block(&whole, "Contact").is_some_and(|c| c.contains("email: ")));
    assert!(block(&ot, "FollowUpStatus").is_some());
    assert!(block(&ot, "Decision").is_none());
    // OT's one write: a follow-up status, and nothing else of the caseworkers' mutations.
    let mutation = block(&ot, "Mutation").unwrap_or_default();
    assert!(mutation.contains("setFollowUpStatus("), "{mutation}");
    assert!(
        !mutation.contains("registerPerson(") && !mutation.contains("setContact("),
        "{mutation}"
    );

    let output = vigo(&dir, &["schema", "--role", "ot", "--purpose", "statistics"]);
    assert!(!output.status.success());
    assert!(stderr_line(&output).contains("follow_up"));
}

#[test]
fn audit_verify_names_the_first_bad_record() {
    use sea_orm::ConnectionTrait;
    let dir = TempDir::new("audit");
    let db = dir.db_url();
    let output = vigo(&dir, &["migrate", "--db", &db]);
    assert!(output.status.success());
    let output = vigo(&dir, &["audit", "verify", "--db", &db]);
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("intact: 0 events"));

    // An event that was never appended through the chain.
    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    runtime.block_on(async {
        let conn = sea_orm::Database::connect(&db).await.unwrap_or_else(|e| panic!("{e}"));
        conn.execute_unprepared(
            "INSERT INTO audit_event (id, at, actor_role, actor_org, actor_sub, purpose, operation, request_id, categories, outcome, prev_hash, hash) \
             VALUES (1, '2026-11-29T10:00:00Z', 'school', NULL, 'x', 'administration', 'Query.person', '-', 'identity', 'allowed', \
             '0000000000000000000000000000000000000000000000000000000000000000', 'forged')",
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    });
    let output = vigo(&dir, &["audit", "verify", "--db", &db]);
    assert!(!output.status.success());
    assert!(stderr_line(&output).contains("audit event 1"));
}

#[test]
fn export_subject_writes_everything_about_the_person_and_is_audited() {
    use sea_orm::{EntityTrait, QueryOrder};
    let dir = TempDir::new("export");
    let db = dir.db_url();
    succeeded(&vigo(&dir, &["seed", "--persons", "40", "--db", &db]));
    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let national_id = runtime.block_on(async {
        let conn = sea_orm::Database::connect(&db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let contact = vigo_entities::contact::Entity::find()
            .order_by_asc(vigo_entities::contact::Column::PersonId)
            .one(&conn)
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("a person with contact data"));
        vigo_entities::person::Entity::find_by_id(contact.person_id)
            .one(&conn)
            .await
            .ok()
            .flatten()
            .map(|p| p.national_id)
            .unwrap_or_default()
    });
    let out = dir.0.join("export.json");
    let out_arg = out.display().to_string();
    let output = vigo(
        &dir,
        &[
            "export-subject",
            &national_id,
            "--out",
            &out_arg,
            "--reason",
            "request by letter of 1 December",
            "--operator",
            "kari",
            "--db",
            &db,
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Recorded as the operator who ran it, with the reason, not as the person.
    let event = runtime.block_on(async {
        let conn = sea_orm::Database::connect(&db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        vigo_entities::audit_event::Entity::find()
            .order_by_desc(vigo_entities::audit_event::Column::Id)
            .one(&conn)
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("the export's event"))
    });
    assert_eq!(event.actor_role, "caseworker");
    assert_eq!(event.actor_sub, "operator:kari");
    assert!(
        event.operation.contains("request by letter of 1 December"),
        "{}",
        event.operation
    );
    let document: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).unwrap_or_default()).unwrap_or_default();
    assert_eq!(document["nationalId"], national_id.as_str());
    assert!(document["contact"]["address"].is_string(), "{document}");
    for list in [
        "enrolments",
        "results",
        "applications",
        "educationRights",
        "accessLog",
    ] {
        assert!(document[list].is_array(), "{list} missing: {document}");
    }
    // What is about the person, not the organisations' catalogues: an organisation appears
    // by its number and name only.
    let mut organisations = Vec::new();
    collect_objects_with(&document, "orgNo", &mut organisations);
    assert!(!organisations.is_empty(), "{document}");
    for organisation in &organisations {
        let mut keys: Vec<&str> = organisation
            .as_object()
            .map_or(Vec::new(), |o| o.keys().map(String::as_str).collect());
        keys.sort_unstable();
        assert_eq!(keys, ["name", "orgNo"], "{organisation}");
    }
    let output = vigo(&dir, &["audit", "verify", "--db", &db]);
    assert!(String::from_utf8_lossy(&output.stdout).contains("intact: 1 events"));

    // An export that cannot be written is not recorded as made, and leaves nothing behind.
    let blocked = dir.0.join("again.json");
    std::fs::create_dir(dir.0.join(".again.json.partial")).unwrap_or_else(|e| panic!("{e}"));
    let output = vigo(
        &dir,
        &[
            "export-subject",
            &national_id,
            "--out",
            &blocked.display().to_string(),
            "--reason",
            "a second request",
            "--db",
            &db,
        ],
    );
    assert!(!output.status.success());
    assert!(stderr_line(&output).contains("cannot create"), "{output:?}");
    assert!(!blocked.exists());
    let output = vigo(&dir, &["audit", "verify", "--db", &db]);
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("intact: 1 events"),
        "the failed export is not in the trail"
    );

    let output = vigo(
        &dir,
        &[
            "export-subject",
            "01811050048",
            "--out",
            &out_arg,
            "--reason",
            "test",
            "--db",
            &db,
        ],
    );
    assert!(!output.status.success());
    assert!(stderr_line(&output).contains("check digit"));
}

/// Every object in a JSON document that has `key`.
fn collect_objects_with<'a>(
    value: &'a serde_json::Value,
    key: &str,
    found: &mut Vec<&'a serde_json::Value>,
) {
    match value {
        serde_json::Value::Object(object) => {
            if object.contains_key(key) {
                found.push(value);
            }
            for nested in object.values() {
                collect_objects_with(nested, key, found);
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                collect_objects_with(item, key, found);
            }
        }
        _ => {}
    }
}

#[test]
fn extract_writes_the_recipients_file_and_records_the_disclosure() {
    let dir = TempDir::new("extract");
    let db = dir.db_url();
    let output = vigo(&dir, &["seed", "--persons", "30", "--db", &db]);
    assert!(output.status.success());
    let token = vigo(&dir, &["token", "--role", "folkeregister", "--db", &db]);
    assert!(token.status.success());
    let token = String::from_utf8_lossy(&token.stdout).trim().to_owned();
    let out = dir.0.join("ids.csv");
    let out_arg = out.display().to_string();
    let run = |name: &str, format: &str, token: &str| {
        vigo(
            &dir,
            &[
                "extract",
                name,
                "--format",
                format,
                "--out",
                &out_arg,
                "--overwrite",
                "--token",
                token,
                "--db",
                &db,
            ],
        )
    };
    let output = run("national-ids", "csv", &token);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("recorded as disclosure 1"));
    let text = std::fs::read_to_string(&out).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.first(), Some(&"national_id"));
    assert_eq!(lines.len(), 31, "a header and every person");
    let output = vigo(&dir, &["audit", "verify", "--db", &db]);
    assert!(String::from_utf8_lossy(&output.stdout).contains("intact: 1 events"));

    for (name, format, token, says) in [
        ("national-ids", "jsonstat", token.as_str(), "csv or parquet"),
        ("national-ids", "xlsx", token.as_str(), "valid formats"),
        (
            "grades",
            "csv",
            token.as_str(),
            "national-ids, enrolment-status",
        ),
        ("diplomas", "csv", token.as_str(), "Person.diplomas"),
        ("national-ids", "csv", "not-a-token", "token"),
    ] {
        let output = run(name, format, token);
        assert!(!output.status.success(), "{name} {format}");
        let line = stderr_line(&output);
        assert!(line.contains(says), "{name} {format}: {line}");
    }
}

#[test]
fn audit_prune_keeps_everything_unless_a_retention_period_is_set() {
    let dir = TempDir::new("prune");
    let db = dir.db_url();
    let output = vigo(&dir, &["seed", "--persons", "20", "--db", &db]);
    assert!(output.status.success());
    let token = vigo(&dir, &["token", "--role", "folkeregister", "--db", &db]);
    let token = String::from_utf8_lossy(&token.stdout).trim().to_owned();
    let out = dir.0.join("ids.csv").display().to_string();
    for _ in 0..2 {
        let output = vigo(
            &dir,
            &[
                "extract",
                "national-ids",
                "--format",
                "csv",
                "--out",
                &out,
                "--overwrite",
                "--token",
                &token,
                "--db",
                &db,
            ],
        );
        assert!(output.status.success());
    }
    let output = vigo(&dir, &["audit", "prune", "--db", &db]);
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("kept whole"));
    // Less than a year is refused, and so is a prune without signed checkpoints to stay
    // within.
    let output = vigo(&dir, &["audit", "prune", "--retention", "1d", "--db", &db]);
    assert!(stderr_line(&output).contains("at least 365 days"));
    let output = vigo(&dir, &["audit", "prune", "--retention", "2y", "--db", &db]);
    assert!(stderr_line(&output).contains("--checkpoints"));
    let key = dir.0.join("audit.key").display().to_string();
    succeeded(&vigo(
        &dir,
        &[
            "audit",
            "keygen",
            "--name",
            "vigo.test/audit",
            "--out",
            &key,
        ],
    ));
    let cps = dir.0.join("checkpoints");
    std::fs::create_dir_all(&cps).unwrap_or_else(|e| panic!("{e}"));
    let cps = cps.display().to_string();
    succeeded(&vigo(
        &dir,
        &[
            "audit",
            "checkpoint",
            "--key",
            &key,
            "--out",
            &cps,
            "--db",
            &db,
        ],
    ));
    let output = vigo(
        &dir,
        &[
            "audit",
            "prune",
            "--retention",
            "2y",
            "--checkpoints",
            &cps,
            "--db",
            &db,
        ],
    );
    assert!(stderr_line(&output).contains("--key"));
    let pruned = succeeded(&vigo(
        &dir,
        &[
            "audit",
            "prune",
            "--retention",
            "2y",
            "--checkpoints",
            &cps,
            "--key",
            &key,
            "--db",
            &db,
        ],
    ));
    assert!(pruned.contains("nothing removed"), "{pruned}");
    assert!(events(&dir, &db).contains("intact: 2 events"));
    let output = vigo(
        &dir,
        &["audit", "prune", "--retention", "soon", "--db", &db],
    );
    assert!(!output.status.success());
}

/// The number of events `vigo audit verify` reports.
fn events(dir: &TempDir, db: &str) -> String {
    let output = vigo(dir, &["audit", "verify", "--db", db]);
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

#[test]
fn files_of_personal_data_are_never_written_through_links_over_files_or_into_folders() {
    let dir = TempDir::new("outputs");
    let db = dir.db_url();
    assert!(
        vigo(&dir, &["seed", "--persons", "30", "--db", &db])
            .status
            .success()
    );
    let token = vigo(&dir, &["token", "--role", "folkeregister", "--db", &db]);
    let token = String::from_utf8_lossy(&token.stdout).trim().to_owned();
    let extract = |out: &str, extra: &[&str]| {
        let mut args = vec![
            "extract",
            "national-ids",
            "--format",
            "csv",
            "--out",
            out,
            "--token",
            &token,
            "--db",
            &db,
        ];
        args.extend_from_slice(extra);
        vigo(&dir, &args)
    };
    let before = events(&dir, &db);

    // An existing file, a folder, a symbolic link: refused before any database work, with
    // nothing recorded and nothing left behind.
    let existing = dir.0.join("existing.csv");
    std::fs::write(&existing, "kept").unwrap_or_default();
    let folder = dir.0.join("folder");
    std::fs::create_dir_all(&folder).unwrap_or_default();
    let target = dir.0.join("target.txt");
    std::fs::write(&target, "untouched").unwrap_or_default();
    let link = dir.0.join("link.csv");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&target, &link).unwrap_or_default();
    for (out, says) in [
        (&existing, "exists"),
        (&folder, "folder"),
        (&link, "symbolic link"),
    ] {
        let output = extract(&out.display().to_string(), &[]);
        assert!(!output.status.success(), "{}", out.display());
        assert!(
            stderr_line(&output).contains(says),
            "{}",
            stderr_line(&output)
        );
    }
    assert_eq!(
        std::fs::read_to_string(&existing).unwrap_or_default(),
        "kept"
    );
    assert_eq!(
        std::fs::read_to_string(&target).unwrap_or_default(),
        "untouched"
    );
    assert_eq!(events(&dir, &db), before, "no disclosure was recorded");
    let leftovers: Vec<_> = std::fs::read_dir(&dir.0)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // A new file is written owner-only; --overwrite replaces a file, never a link.
    let fresh = dir.0.join("ids.csv");
    assert!(extract(&fresh.display().to_string(), &[]).status.success());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&fresh)
            .map(|m| m.permissions().mode())
            .unwrap_or(0);
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(
        extract(&existing.display().to_string(), &["--overwrite"])
            .status
            .success()
    );
    assert!(
        std::fs::read_to_string(&existing)
            .unwrap_or_default()
            .contains("national")
    );
    assert!(
        !extract(&link.display().to_string(), &["--overwrite"])
            .status
            .success()
    );
    assert_eq!(
        std::fs::read_to_string(&target).unwrap_or_default(),
        "untouched"
    );

    // The art. 15 export alike: through a link it is refused, and the link's target kept.
    let output = vigo(
        &dir,
        &[
            "export-subject",
            "01811050047",
            "--out",
            &link.display().to_string(),
            "--reason",
            "test",
            "--db",
            &db,
        ],
    );
    assert!(!output.status.success());
    assert!(
        stderr_line(&output).contains("symbolic link"),
        "{}",
        stderr_line(&output)
    );
    assert_eq!(
        std::fs::read_to_string(&target).unwrap_or_default(),
        "untouched"
    );
}

fn succeeded(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The tampering demo, as an operator runs it: sign checkpoints, rewrite the trail as someone
/// with write access to the database would, and see `verify` pass on the chain alone and fail
/// against the checkpoints; then prove an access to a person, and the guards on retention and
/// re-seeding.
#[test]
fn the_tampering_demo_fails_verify_against_signed_checkpoints() {
    use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder, Statement};
    let dir = TempDir::new("tamper");
    let db = dir.db_url();
    succeeded(&vigo(&dir, &["seed", "--persons", "30", "--db", &db]));
    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let connection = runtime
        .block_on(sea_orm::Database::connect(&db))
        .unwrap_or_else(|e| panic!("{e}"));
    let person = runtime
        .block_on(vigo_entities::person::Entity::find().one(&connection))
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("a person"));
    let export = |n: usize| {
        let out = dir.0.join(format!("export-{n}.json"));
        succeeded(&vigo(
            &dir,
            &[
                "export-subject",
                &person.national_id,
                "--out",
                &out.display().to_string(),
                "--reason",
                "request of 2 December",
                "--db",
                &db,
            ],
        ));
    };
    let key = dir.0.join("audit.key").display().to_string();
    let verifier = succeeded(&vigo(
        &dir,
        &[
            "audit",
            "keygen",
            "--name",
            "vigo.test/audit",
            "--out",
            &key,
        ],
    ))
    .trim()
    .to_owned();
    let checkpoints = dir.0.join("checkpoints");
    std::fs::create_dir_all(&checkpoints).unwrap_or_else(|e| panic!("{e}"));
    let cps = checkpoints.display().to_string();
    for n in 0..3 {
        export(n);
        let signed = succeeded(&vigo(
            &dir,
            &[
                "audit",
                "checkpoint",
                "--key",
                &key,
                "--out",
                &cps,
                "--db",
                &db,
            ],
        ));
        assert!(signed.contains("signed the trail"), "{signed}");
    }
    let verify_signed = [
        "audit",
        "verify",
        "--checkpoints",
        &cps,
        "--verifier",
        &verifier,
        "--db",
        &db,
    ];
    let intact = succeeded(&vigo(&dir, &verify_signed));
    assert!(
        intact.contains("consistent with 3 signed checkpoints"),
        "{intact}"
    );

    // A person's proof of the second export, checked by the verifier command.
    let second = runtime
        .block_on(vigo_entities::audit_event::Entity::find_by_id(2i64).one(&connection))
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("event 2"));
    let inclusion = runtime
        .block_on(vigo_audit::anchor::inclusion(&connection, 2, &second.hash))
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("a proof"));
    let proof = serde_json::json!({ "data": { "accessLogProof": {
        "eventId": "2", "eventHash": inclusion.event_hash, "treeSize": inclusion.tree_size,
        "path": inclusion.proof, "checkpoint": inclusion.checkpoint,
    } } });
    let proof_file = dir.0.join("proof.json");
    std::fs::write(&proof_file, proof.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let pf = proof_file.display().to_string();
    let checked = succeeded(&vigo(
        &dir,
        &["audit", "verify-proof", &pf, "--verifier", &verifier],
    ));
    assert!(
        checked.contains("event 2 is in the trail of 3 events"),
        "{checked}"
    );
    let forged = proof.to_string().replace(&second.hash, &"ab".repeat(32));
    std::fs::write(&proof_file, forged).unwrap_or_else(|e| panic!("{e}"));
    let output = vigo(
        &dir,
        &["audit", "verify-proof", &pf, "--verifier", &verifier],
    );
    assert!(stderr_line(&output).contains("not in the signed trail"));

    // Truncation: the newest event goes and the head (tree edge included) is reset to the
    // one before, as anyone who can write the database can do.
    let events = runtime
        .block_on(
            vigo_entities::audit_event::Entity::find()
                .order_by_asc(vigo_entities::audit_event::Column::Id)
                .all(&connection),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let mut frontier = vigo_audit::merkle::Frontier::new();
    for event in &events[..2] {
        frontier.push(vigo_audit::tree::event_leaf(&event.hash).unwrap_or_else(|e| panic!("{e}")));
    }
    for sql in [
        "DELETE FROM audit_event_person WHERE audit_event_id = 3".to_owned(),
        "DELETE FROM audit_event WHERE id = 3".to_owned(),
        "DELETE FROM audit_tree_node WHERE NOT (level = 0 AND idx < 2) AND NOT (level = 1 AND idx = 0)".to_owned(),
        format!(
            "UPDATE audit_chain SET last_event_id = 2, last_hash = '{}', frontier = '{}'",
            events[1].hash,
            vigo_audit::tree::frontier_text(&frontier)
        ),
    ] {
        runtime
            .block_on(connection.execute_raw(Statement::from_string(
                sea_orm::DbBackend::Sqlite,
                sql,
            )))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let fooled = succeeded(&vigo(&dir, &["audit", "verify", "--db", &db]));
    assert!(fooled.contains("intact: 2 events"), "{fooled}");
    let output = vigo(&dir, &verify_signed);
    assert!(!output.status.success());
    let line = stderr_line(&output);
    assert!(
        line.contains("checkpoint of 3 events") && line.contains("removed from the end"),
        "{line}"
    );

    // Retention never takes the past year; re-seeding keeps a trail of real requests unless
    // told to discard it, and then records the discard.
    let output = vigo(
        &dir,
        &[
            "audit",
            "prune",
            "--retention",
            "1s",
            "--checkpoints",
            &cps,
            "--key",
            &key,
            "--db",
            &db,
        ],
    );
    assert!(stderr_line(&output).contains("at least 365 days"));
    let output = vigo(&dir, &["seed", "--persons", "20", "--force", "--db", &db]);
    assert!(stderr_line(&output).contains("--discard-audit-trail"));
    succeeded(&vigo(
        &dir,
        &[
            "seed",
            "--persons",
            "20",
            "--force",
            "--discard-audit-trail",
            "--db",
            &db,
        ],
    ));
    let after = succeeded(&vigo(&dir, &["audit", "verify", "--db", &db]));
    assert!(after.contains("intact: 1 events"), "{after}");
    let discard = runtime
        .block_on(vigo_entities::audit_event::Entity::find_by_id(1i64).one(&connection))
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("the discard record"));
    assert!(
        discard.operation.starts_with("Audit.discard:2:"),
        "{}",
        discard.operation
    );
}

#[test]
fn commands_that_read_a_database_refuse_to_create_an_empty_one() {
    let dir = TempDir::new("missing");
    let out = dir.0.join("out.json");
    let out = out.to_string_lossy();
    for args in [
        vec!["audit", "verify"],
        vec!["serve", "--dev-tokens", "--listen", "127.0.0.1:0"],
        vec!["token", "--role", "caseworker"],
        vec![
            "extract",
            "national-ids",
            "--format",
            "csv",
            "--out",
            &out,
            "--token",
            "x.y.z",
        ],
        vec![
            "export-subject",
            "01811050047",
            "--out",
            &out,
            "--reason",
            "test",
        ],
    ] {
        let output = vigo(&dir, &args);
        assert!(!output.status.success(), "{args:?}");
        let line = stderr_line(&output);
        assert_eq!(
            line,
            "error: no Vigo database at vigo.db; run `vigo demo` (or `vigo migrate` for an empty one), or set VIGO_DATABASE_URL",
            "{args:?}"
        );
        let left: Vec<_> = std::fs::read_dir(&dir.0)
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert!(left.is_empty(), "{args:?} left {left:?} behind");
    }
}

#[test]
fn sqlite_urls_work_without_a_mode() {
    let dir = TempDir::new("mode");
    let url = format!("sqlite://{}", dir.0.join("plain.db").display());
    let output = vigo(&dir, &["migrate", "--db", &url]);
    let printed = succeeded(&output);
    assert!(printed.starts_with("applied "), "{printed}");
    assert!(
        output.stderr.is_empty(),
        "commands log only warnings: {:?}",
        String::from_utf8_lossy(&output.stderr)
    );
    succeeded(&vigo(&dir, &["audit", "verify", "--db", &url]));
}

#[test]
fn an_unreachable_postgres_is_named_within_seconds() {
    let dir = TempDir::new("unreachable");
    let started = std::time::Instant::now();
    let output = vigo(
        &dir,
        &["migrate", "--db", "postgres://postgres@127.0.0.1:1/vigo"],
    );
    assert!(!output.status.success());
    let line = stderr_line(&output);
    assert!(
        line.contains("cannot reach PostgreSQL at 127.0.0.1:1") && line.contains("refused"),
        "{line}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // A host that does not answer at all is given up on after a few seconds.
    let started = std::time::Instant::now();
    let output = vigo(
        &dir,
        &["migrate", "--db", "postgres://postgres@192.0.2.1:5432/vigo"],
    );
    let line = stderr_line(&output);
    assert!(line.contains("PostgreSQL at 192.0.2.1:5432"), "{line}");
    assert!(started.elapsed() < std::time::Duration::from_secs(8));
}

#[test]
fn a_missing_postgres_database_is_named_without_internals() {
    let Ok(server) = std::env::var("VIGO_TEST_POSTGRES_URL") else {
        eprintln!("VIGO_TEST_POSTGRES_URL is not set; skipped");
        return;
    };
    let dir = TempDir::new("no-such-db");
    let url = format!(
        "{}/vigo_no_such_database",
        server
            .rsplit_once('/')
            .map_or(server.as_str(), |(base, _)| base)
    );
    let output = vigo(&dir, &["migrate", "--db", &url]);
    assert!(!output.status.success());
    let line = stderr_line(&output);
    assert!(
        line.contains("has no database \"vigo_no_such_database\"") && line.contains("createdb"),
        "{line}"
    );
    assert!(!line.contains("line") && !line.contains(".c"), "{line}");
}

#[test]
fn a_value_from_the_environment_is_named_by_its_variable() {
    let dir = TempDir::new("env");
    let output = Command::new(env!("CARGO_BIN_EXE_vigo"))
        .args(["serve", "--dev-tokens"])
        .current_dir(&dir.0)
        .env("VIGO_RATE_LIMIT", "fast")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!output.status.success());
    let line = stderr_line(&output);
    assert!(
        line.starts_with("error: VIGO_RATE_LIMIT=\"fast\" is not valid"),
        "{line}"
    );
    // Typed as a flag, the flag is named.
    let output = vigo(&dir, &["serve", "--rate-limit", "fast"]);
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(text.contains("--rate-limit"), "{text}");
}

/// Runs the demo until it has printed its guide, then stops it.
fn demo_guide(dir: &TempDir, args: &[&str]) -> String {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigo"))
        .arg("demo")
        .args(["--listen", "127.0.0.1:0", "--db", &dir.db_url()])
        .args(args)
        .current_dir(&dir.0)
        .env_remove("VIGO_DATABASE_URL")
        .env_remove("VIGO_LOG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut printed = String::new();
    if let Some(stdout) = child.stdout.take() {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            printed.push_str(&line);
            printed.push('\n');
            if line.starts_with("Who may see what") {
                break;
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    printed
}

#[test]
fn the_demo_prints_who_each_token_is_and_what_to_do_next() {
    let dir = TempDir::new("demo");
    let printed = demo_guide(&dir, &["--persons", "30"]);
    assert!(
        printed.starts_with("Vigo demo: 30 synthetic persons"),
        "{printed}"
    );
    for role in vigo_policy::Role::ALL {
        let export = format!("export {}='", role.code().to_uppercase());
        assert!(printed.contains(&export), "no token for {role}: {printed}");
        assert!(
            printed.contains(role.description()),
            "{role} is not explained"
        );
    }
    assert!(printed.contains("export NATIONAL_ID="), "{printed}");
    assert!(printed.contains("curl -s http://127.0.0.1:"), "{printed}");
    assert!(printed.contains("vigo schema --role"), "{printed}");
    assert!(
        printed.contains("GraphiQL: open http://127.0.0.1:"),
        "{printed}"
    );
    assert!(
        !printed.contains("127.0.0.1:0/"),
        "the address printed is the one bound"
    );
    assert!(!printed.contains(" INFO "), "no log lines on stdout");

    // A database that holds persons keeps them, and says so; --fresh replaces them.
    let again = demo_guide(&dir, &["--persons", "40"]);
    assert!(
        again.contains("already holds 30 persons") && again.contains("--fresh"),
        "{again}"
    );
    let fresh = demo_guide(&dir, &["--persons", "40", "--fresh"]);
    assert!(
        fresh.starts_with("Vigo demo: 40 synthetic persons"),
        "{fresh}"
    );
}

#[test]
fn a_port_that_is_taken_is_the_first_and_only_thing_the_demo_says() {
    let dir = TempDir::new("port");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let address = taken
        .local_addr()
        .unwrap_or_else(|e| panic!("{e}"))
        .to_string();
    let output = vigo(&dir, &["demo", "--listen", &address, "--db", &dir.db_url()]);
    assert!(!output.status.success());
    assert!(output.stdout.is_empty(), "nothing printed before the error");
    let line = stderr_line(&output);
    assert!(
        line.contains(&format!("cannot listen on {address}")) && line.contains("--listen"),
        "{line}"
    );
    assert!(
        !dir.0.join("vigo.db").exists(),
        "nothing made before the error"
    );
}

#[test]
fn extract_lists_and_writes_statistics_for_statisticians() {
    let dir = TempDir::new("statistics");
    let db = dir.db_url();
    let listed = succeeded(&vigo(&dir, &["extract", "--list"]));
    for name in ["pupils-by-school", "trade-tests", "enrolment-status"] {
        assert!(listed.contains(name), "{listed}");
    }
    let output = vigo(
        &dir,
        &[
            "extract", "pupils", "--format", "csv", "--out", "x.csv", "--token", "x",
        ],
    );
    assert!(
        stderr_line(&output)
            .contains("unknown extract 'pupils'; statistics: applicants-by-programme")
    );
    succeeded(&vigo(&dir, &["seed", "--persons", "60", "--db", &db]));
    let token = succeeded(&vigo(&dir, &["token", "--role", "udir", "--db", &db]));
    let out = dir.0.join("age.json");
    let printed = succeeded(&vigo(
        &dir,
        &[
            "extract",
            "pupils-by-age",
            "--format",
            "jsonstat",
            "--out",
            &out.display().to_string(),
            "--filter",
            "level=vg1,total",
            "--token",
            token.trim(),
            "--db",
            &db,
        ],
    ));
    assert!(
        printed.contains("Pupils by level and age") && printed.contains("withheld"),
        "{printed}"
    );
    let dataset: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).unwrap_or_default()).unwrap_or_default();
    assert_eq!(dataset["class"], "dataset");
    assert_eq!(dataset["size"], serde_json::json!([2, 8]));
    let school = succeeded(&vigo(&dir, &["token", "--role", "websak", "--db", &db]));
    let output = vigo(
        &dir,
        &[
            "extract",
            "pupils-by-age",
            "--format",
            "csv",
            "--out",
            "no.csv",
            "--token",
            school.trim(),
            "--db",
            &db,
        ],
    );
    assert!(!output.status.success());
    assert!(stderr_line(&output).contains("may not read statistics"));
    assert!(!dir.0.join("no.csv").exists());
}

#[test]
fn the_policy_is_exported_linted_compared_and_imported_as_files() {
    let dir = TempDir::new("policy");
    let db = dir.db_url();
    succeeded(&vigo(&dir, &["migrate", "--db", &db]));
    // Export: the policy in force, sorted, under a header naming its version.
    let out = succeeded(&vigo(
        &dir,
        &["policy", "export", "in-force.csv", "--db", &db],
    ));
    assert!(out.contains("wrote policy version 1"), "{out}");
    let exported = std::fs::read_to_string(dir.0.join("in-force.csv")).unwrap_or_default();
    assert!(
        exported.starts_with("# Vigo access policy, version 1"),
        "{exported}"
    );
    let rules: Vec<&str> = exported.lines().filter(|l| l.starts_with("p, ")).collect();
    let mut sorted = rules.clone();
    sorted.sort_unstable();
    assert_eq!(rules, sorted);
    let again = vigo(&dir, &["policy", "export", "in-force.csv", "--db", &db]);
    assert!(!again.status.success(), "an existing file is not replaced");
    // Lint: clean as exported; a deny that overrides nothing is a finding with its line.
    succeeded(&vigo(&dir, &["policy", "lint", "in-force.csv"]));
    let edited = format!(
        "{exported}p, ot, follow_up, field:Contact.phone, read, deny\np, ssb, statistics, field:Contact.email, read, deny\n"
    );
    std::fs::write(dir.0.join("edited.csv"), &edited).unwrap_or_else(|e| panic!("{e}"));
    let lint = vigo(&dir, &["policy", "lint", "edited.csv"]);
    assert!(!lint.status.success());
    let findings = String::from_utf8_lossy(&lint.stdout).into_owned();
    let ssb_line = edited.lines().count();
    assert!(
        findings.contains(&format!(
            "line {ssb_line}: 'p, ssb, statistics, field:Contact.email, read, deny' never matters"
        )),
        "{findings}"
    );
    // Diff: the rules, and what OT loses.
    let diff = succeeded(&vigo(
        &dir,
        &["policy", "diff", "in-force.csv", "edited.csv"],
    ));
    assert!(
        diff.contains("+ p, ot, follow_up, field:Contact.phone, read, deny"),
        "{diff}"
    );
    assert!(
        diff.contains("ot acting for follow_up:\n  loses fields: Contact.phone"),
        "{diff}"
    );
    // Import: a broken file changes nothing; a good one is a new version by the operator.
    let broken = format!("{edited}p, ot, follow_up, field:Person.shoeSize, read, allow\n");
    std::fs::write(dir.0.join("broken.csv"), &broken).unwrap_or_else(|e| panic!("{e}"));
    let refused = vigo(
        &dir,
        &[
            "policy",
            "import",
            "broken.csv",
            "--summary",
            "x",
            "--db",
            &db,
        ],
    );
    assert!(!refused.status.success());
    assert!(stderr_line(&refused).contains("unknown field 'Person.shoeSize'"));
    let out = succeeded(&vigo(
        &dir,
        &[
            "policy",
            "import",
            "edited.csv",
            "--summary",
            "no phone for OT",
            "--db",
            &db,
        ],
    ));
    assert!(out.contains("policy version 2 is in force"), "{out}");
    succeeded(&vigo(&dir, &["policy", "export", "now.csv", "--db", &db]));
    let now = std::fs::read_to_string(dir.0.join("now.csv")).unwrap_or_default();
    assert!(
        now.contains("version 2") && now.contains("no phone for OT"),
        "{now}"
    );
    assert!(now.contains("p, ot, follow_up, field:Contact.phone, read, deny"));
    let verified = succeeded(&vigo(&dir, &["audit", "verify", "--db", &db]));
    assert!(
        verified.contains("intact: 1 events"),
        "the import is recorded: {verified}"
    );
}

#[test]
fn an_address_file_with_a_bad_line_is_refused_whole_unless_told_to_skip() {
    let dir = TempDir::new("addresses");
    let db = dir.db_url();
    let output = vigo(&dir, &["seed", "--persons", "30", "--db", &db]);
    assert!(output.status.success());
    std::fs::write(
        dir.0.join("addresses.csv"),
        "national_id,address,postal_code,city,municipality_code\n12345678901,Storgata 1,0155,Oslo,0301\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let output = vigo(&dir, &["intake", "addresses", "addresses.csv", "--db", &db]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("1 malformed line(s); nothing was imported")
            && stderr.contains("line 2: national id:"),
        "{stderr}"
    );
    let output = vigo(
        &dir,
        &[
            "intake",
            "addresses",
            "addresses.csv",
            "--skip-bad",
            "--db",
            &db,
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("skipped line 2: national id:"));
    assert!(
        String::from_utf8_lossy(&output.stdout).starts_with("0 lines read (1 skipped as malformed"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn the_seeded_coming_intake_runs_and_is_contested() {
    let dir = TempDir::new("coming-intake");
    let db = dir.db_url();
    let output = vigo(&dir, &["seed", "--persons", "600", "--db", &db]);
    assert!(output.status.success());
    let output = vigo(&dir, &["intake", "points", "--year", "2027", "--db", &db]);
    let points = succeeded(&output);
    assert!(points.starts_with("intake 2027: points for "), "{points}");
    let output = vigo(
        &dir,
        &[
            "intake", "run", "--year", "2027", "--round", "main", "--seed", "1", "--db", &db,
        ],
    );
    let run = succeeded(&output);
    // "run 1: the main round of 2027, seed 1: A applicants, P offered a place (F their first
    // wish), W on waiting lists; …"
    let number = |after: &str| -> usize {
        run.split(after)
            .next()
            .and_then(|head| head.rsplit(' ').next())
            .and_then(|n| n.trim_start_matches('(').parse().ok())
            .unwrap_or_else(|| panic!("no number before {after:?} in {run}"))
    };
    let (applicants, first, waiting) = (
        number(" applicants"),
        number(" their first wish"),
        number(" on waiting lists"),
    );
    assert!(applicants >= 30, "{run}");
    assert!(
        first < applicants,
        "some first wishes are oversubscribed: {run}"
    );
    assert!(waiting > 0, "{run}");
    let output = vigo(&dir, &["intake", "replay", "1", "--db", &db]);
    assert!(succeeded(&output).contains("reproduces"));
}
