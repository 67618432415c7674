//! Keeps the rules of every policy version with the version, so that a privacy officer can
//! compare any two versions and roll back to an earlier one. Versions made before this
//! migration have no rules recorded (null); the version in force gets its rules when the
//! policy is next loaded.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(PolicyChange::Table)
                    .add_column(text_null(PolicyChange::Rules))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(PolicyChange::Table)
                    .drop_column(PolicyChange::Rules)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum PolicyChange {
    Table,
    Rules,
}
