//! Seeding writes the whole synthetic population on every backend, refuses a database that
//! is not empty unless forced, and leaves the database usable for later writes.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, PaginatorTrait};
use vigo_entities::prelude::*;
use vigo_entities::{organisation, person};
use vigo_migrations::{Migrator, MigratorTrait};
use vigo_synth::{Config, SeedError, generate, seed};
use vigo_tests::{TestDb, backends, count};

/// Foreign keys in the schema (PostgreSQL suspends them while seeding and must restore them).
async fn foreign_key_count(db: &sea_orm::DatabaseConnection) -> anyhow::Result<i64> {
    count(
        db,
        "SELECT COUNT(*) AS n FROM sqlite_master m, pragma_foreign_key_list(m.name) WHERE m.type = 'table'",
        "SELECT COUNT(*) AS n FROM pg_constraint WHERE contype = 'f'",
    )
    .await
}

#[tokio::test]
async fn seeds_refuses_without_force_and_replaces_with_force() -> anyhow::Result<()> {
    let population = generate(Config::new(400, 3));
    for backend in backends() {
        let test_db = TestDb::create(backend).await?;
        let db = test_db.connect().await?;
        Migrator::up(&db, None).await?;

        let foreign_keys_before = foreign_key_count(&db).await?;
        assert_eq!(foreign_keys_before, 45, "{backend:?}");
        let report = seed(&db, &population, false).await?;
        assert_eq!(Person::find().count(&db).await?, 400, "{backend:?}");
        assert_eq!(
            foreign_key_count(&db).await?,
            foreign_keys_before,
            "{backend:?}: foreign keys restored"
        );
        assert_eq!(
            SubjectResult::find().count(&db).await? as usize,
            population.subject_results.len()
        );
        assert_eq!(
            ApprenticeshipContract::find().count(&db).await? as usize,
            population.contracts.len()
        );
        assert_eq!(report.tables.len(), 26);

        let refused = seed(&db, &generate(Config::new(10, 9)), false).await;
        assert!(
            matches!(refused, Err(SeedError::NotEmpty { persons: 400, .. })),
            "{backend:?}"
        );
        assert_eq!(
            Person::find().count(&db).await?,
            400,
            "a refused seed changes nothing"
        );

        seed(&db, &generate(Config::new(50, 9)), true).await?;
        assert_eq!(
            Person::find().count(&db).await?,
            50,
            "{backend:?}: --force replaces"
        );

        // Ids were assigned by the seeder; new rows must still get fresh ids.
        let org = organisation::ActiveModel {
            org_no: Set("974760673".into()),
            name: Set("Brønnøysundregistrene".into()),
            kind: Set(vigo_entities::enums::OrganisationKind::Authority),
            ..Default::default()
        }
        .insert(&db)
        .await?;
        assert!(org.id > 1, "{backend:?}");
        let new_person = person::ActiveModel {
            national_id: Set("30108299939".into()),
            id_kind: Set("birth_number".into()),
            given_name: Set("Ny".into()),
            family_name: Set("Person".into()),
            birth_date: Set(chrono::NaiveDate::from_ymd_opt(1982, 10, 30).unwrap_or_default()),
            citizenship: Set("NO".into()),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&db)
        .await?;
        assert!(new_person.id > 50, "{backend:?}");
        db.close().await?;
    }
    Ok(())
}

#[tokio::test]
async fn a_failed_seed_writes_nothing() -> anyhow::Result<()> {
    let mut population = generate(Config::new(100, 4));
    // A duplicate national id late in the run violates the unique constraint.
    let duplicate = population.persons[0].national_id.clone();
    if let Some(last) = population.persons.last_mut() {
        last.national_id = duplicate;
    }
    for backend in backends() {
        let test_db = TestDb::create(backend).await?;
        let db = test_db.connect().await?;
        Migrator::up(&db, None).await?;
        assert!(seed(&db, &population, false).await.is_err(), "{backend:?}");
        assert_eq!(
            Person::find().count(&db).await?,
            0,
            "{backend:?}: no partial write"
        );
        assert_eq!(
            Organisation::find().count(&db).await?,
            0,
            "{backend:?}: no partial write"
        );
        db.close().await?;
    }
    Ok(())
}

/// Every seeded row reads back through its entity exactly as it was generated: column
/// names, types, enums, dates and timestamps agree between entities and migrations.
#[tokio::test]
async fn every_table_round_trips_through_its_entity() -> anyhow::Result<()> {
    use sea_orm::QueryOrder;
    let population = generate(Config::new(300, 5));
    for backend in backends() {
        let test_db = TestDb::create(backend).await?;
        let db = test_db.connect().await?;
        Migrator::up(&db, None).await?;
        seed(&db, &population, false).await?;
        macro_rules! round_trip {
            ($($module:ident => $rows:ident),* $(,)?) => {$(
                let stored = vigo_entities::$module::Entity::find()
                    .order_by_asc(vigo_entities::$module::Column::Id)
                    .all(&db)
                    .await?;
                assert_eq!(stored, population.$rows, "{backend:?}: {}", stringify!($module));
            )*};
        }
        round_trip!(
            programme_area => programme_areas, organisation => organisations,
            approved_trade => approved_trades, school_offer => school_offers,
            employee => employees, employee_role => employee_roles, exam_board => exam_boards,
            exam_board_member => exam_board_members, person => persons, contact => contacts,
            consent => consents, loan_customer => loan_customers, application => applications,
            application_wish => wishes, offer => offers, application_change => application_changes,
            enrolment => enrolments, subject_result => subject_results, absence => absences,
            diploma => diplomas, apprenticeship_contract => contracts, trade_test => trade_tests,
            subsidy_payment => subsidies, education_right => education_rights,
            follow_up_status => follow_ups, automated_decision => decisions,
        );
        db.close().await?;
    }
    Ok(())
}
