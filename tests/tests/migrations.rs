//! The schema migrates forward, back and forward again on every backend, and an upgrade from
//! every earlier migration keeps the audit trail whole: no migration drops or rewrites it.

use sea_orm::{EntityTrait, PaginatorTrait};
use vigo_migrations::{Migrator, MigratorTrait};
use vigo_tests::{TestDb, backends, count};

async fn table_count(db: &sea_orm::DatabaseConnection) -> anyhow::Result<i64> {
    count(
        db,
        "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'seaql_migrations'",
        "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'seaql_migrations'",
    )
    .await
}

#[tokio::test]
async fn migrations_run_forward_back_and_forward_again() -> anyhow::Result<()> {
    for backend in backends() {
        let test_db = TestDb::create(backend).await?;
        let db = test_db.connect().await?;
        Migrator::up(&db, None).await?;
        assert_eq!(table_count(&db).await?, 38, "{backend:?}: tables after up");
        assert_eq!(
            vigo_entities::prelude::Person::find().count(&db).await?,
            0,
            "{backend:?}"
        );
        Migrator::down(&db, None).await?;
        assert_eq!(table_count(&db).await?, 0, "{backend:?}: tables after down");
        Migrator::up(&db, None).await?;
        assert_eq!(
            table_count(&db).await?,
            38,
            "{backend:?}: tables after second up"
        );
        db.close().await?;
    }
    Ok(())
}

/// Writes a trail of three events (two persons each) into a database at an earlier
/// migration, as the code of that time wrote it: chained, with links, the head updated.
async fn write_trail_as_before(db: &sea_orm::DatabaseConnection) -> anyhow::Result<()> {
    use sea_orm::{ActiveModelTrait, ConnectionTrait, Set, Statement};
    use vigo_entities::{audit_event, enums::AccessOutcome, person};
    for n in 1..=3 {
        person::ActiveModel {
            national_id: Set(format!("0{n}8{n}0800001")),
            id_kind: Set("fnr".into()),
            given_name: Set(format!("Test{n}")),
            family_name: Set("Person".into()),
            birth_date: Set(chrono::NaiveDate::from_ymd_opt(2008, 1, n).unwrap_or_default()),
            gender: Set(None),
            citizenship: Set("NO".into()),
            deceased_on: Set(None),
            created_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    let backend = db.get_database_backend();
    let mut prev = vigo_migrations::GENESIS_HASH.to_owned();
    for id in 1..=3i64 {
        let mut event = audit_event::Model {
            id,
            at: chrono::DateTime::from_timestamp(1_790_000_000 + id, 0).unwrap_or_default(),
            actor_role: "caseworker".into(),
            actor_org: None,
            actor_sub: "c".into(),
            purpose: "administration".into(),
            operation: "Query.persons".into(),
            request_id: format!("r{id}"),
            categories: "identity".into(),
            outcome: AccessOutcome::Allowed,
            prev_hash: prev.clone(),
            hash: String::new(),
        };
        let persons = [1, if id == 2 { 3 } else { 2 }];
        event.hash = vigo_tests::chained_hash(&event, &persons, &prev);
        let model: audit_event::ActiveModel = event.clone().into();
        model.insert(db).await?;
        for person in persons {
            db.execute_raw(Statement::from_string(
                backend,
                format!("INSERT INTO audit_event_person (audit_event_id, person_id) VALUES ({id}, {person})"),
            ))
            .await?;
        }
        prev = event.hash;
    }
    db.execute_raw(Statement::from_string(
        backend,
        format!("UPDATE audit_chain SET last_event_id = 3, last_hash = '{prev}' WHERE id = 1"),
    ))
    .await?;
    Ok(())
}

#[tokio::test]
async fn an_upgrade_from_every_earlier_migration_keeps_the_audit_trail_whole() -> anyhow::Result<()>
{
    let all = Migrator::migrations().len() as u32;
    for backend in backends() {
        // The chain exists from migration 9 on.
        for applied in 9..all {
            let test_db = TestDb::create(backend).await?;
            let db = test_db.connect().await?;
            Migrator::up(&db, Some(applied)).await?;
            write_trail_as_before(&db).await?;
            vigo_api::db::migrate(&db).await?;
            assert_eq!(
                vigo_audit::verify(&db).await?,
                3,
                "{backend:?}: upgraded from migration {applied}"
            );
            // The tree was built for the old events: the trail can be signed, and grows.
            let signer = vigo_audit::checkpoint::Signer::generate("vigo.test/audit", [3u8; 32])?;
            let signed = vigo_audit::anchor::make_checkpoint(&db, &signer, &[]).await?;
            assert_eq!(signed.checkpoint.size, 3);
            vigo_audit::record(
                &db,
                &[vigo_audit::Event::new(
                    vigo_audit::Actor {
                        role: "caseworker".into(),
                        org: None,
                        sub: "c".into(),
                        purpose: "administration".into(),
                    },
                    "Query.person",
                    "after",
                    &[],
                    &[1],
                )],
            )
            .await?;
            let verified = vigo_audit::verify_against(&db, &[signed.checkpoint]).await?;
            assert_eq!(
                (verified.events, verified.checkpoints),
                (4, 1),
                "{backend:?} {applied}"
            );
            db.close().await?;
        }
    }
    Ok(())
}
