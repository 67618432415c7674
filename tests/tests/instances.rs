//! Several server instances over one database: a policy change made through one is in force
//! in the others too.

use sea_orm::EntityTrait;
use serde_json::json;
use vigo_api::policy_sync;
use vigo_api::server::AppState;
use vigo_policy::{Gate, Role};
use vigo_tests::{Backend, TestApp, backends};

#[tokio::test]
async fn a_policy_change_reaches_every_instance() -> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 30).await?;
        // A second instance, with a gate of its own over the same database.
        let other_gate = Gate::new(vigo_policy::store::load_or_install(&app.db).await?);
        let _other =
            AppState::with_gate(app.db.clone(), app.auth.clone(), other_gate.clone(), 10_000)?;
        // As `vigo serve` starts it.
        policy_sync::start(
            app.db.clone(),
            other_gate.clone(),
            policy_sync::POLL_INTERVAL,
        );
        let before = other_gate.policy().version();
        let school = app
            .auth
            .authenticate(Some(&format!("Bearer {}", app.token(Role::School, None))))?;
        assert!(
            other_gate
                .access(&school)?
                .fields
                .allows("Contact", "email")
        );

        // Through the first instance, the school loses contact data.
        let rules: Vec<String> = app
            .gate
            .policy()
            .rules()
            .iter()
            .map(ToString::to_string)
            .filter(|r| r != "p, school, administration, category:contact, read, allow")
            .collect();
        let body = app
            .query(
                &app.token(Role::PrivacyOfficer, None),
                "mutation($r: String!) { replacePolicy(rules: $r, summary: \"schools lose contact data\") { version } }",
                json!({ "r": rules.join("\n") }),
            )
            .await?;
        let version = body["data"]["replacePolicy"]["version"]
            .as_i64()
            .ok_or_else(|| anyhow::anyhow!("{body}"))?;

        match backend {
            // Announced on commit: in force well before the next poll (5 s).
            Backend::Postgres => {
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
                while other_gate.policy().version() < version
                    && std::time::Instant::now() < deadline
                {
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
            }
            // No notifications: the poll finds it.
            Backend::Sqlite => {
                assert_eq!(policy_sync::refresh(&app.db, &other_gate).await?, version);
            }
        }
        assert_eq!(other_gate.policy().version(), version, "{backend:?}");
        assert!(
            !other_gate
                .access(&school)?
                .fields
                .allows("Contact", "email"),
            "{backend:?}"
        );
        // Refreshing again changes nothing.
        assert_eq!(policy_sync::refresh(&app.db, &other_gate).await?, version);
        assert!(before < version);
    }
    Ok(())
}

#[tokio::test]
async fn instances_started_together_on_an_empty_database_all_come_up() -> anyhow::Result<()> {
    for backend in backends() {
        if backend != Backend::Postgres {
            // One SQLite file serves one instance; several at once are a PostgreSQL setup.
            continue;
        }
        let db = vigo_tests::TestDb::create(backend).await?;
        // Three instances, each with its own connections, as `vigo serve` starts: migrate,
        // then load the policy (installing the default one on an empty database).
        let mut starts = Vec::new();
        for _ in 0..3 {
            let url = db.url.clone();
            starts.push(tokio::spawn(async move {
                let connection = vigo_api::db::connect(&url).await?;
                vigo_api::db::migrate(&connection).await?;
                let policy = vigo_policy::store::load_or_install(&connection).await?;
                anyhow::Ok(policy.version())
            }));
        }
        let mut versions = Vec::new();
        for start in starts {
            versions.push(start.await??);
        }
        // All came up, on one and the same installed policy.
        assert_eq!(versions, vec![versions[0]; 3], "{versions:?}");
        let connection = db.connect().await?;
        let installs = vigo_entities::policy_change::Entity::find()
            .all(&connection)
            .await?;
        assert_eq!(installs.len(), 1, "the default policy is installed once");
    }
    Ok(())
}
