//! The schema migrates forward, back and forward again on every backend.

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
        assert_eq!(table_count(&db).await?, 34, "{backend:?}: tables after up");
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
            34,
            "{backend:?}: tables after second up"
        );
        db.close().await?;
    }
    Ok(())
}
