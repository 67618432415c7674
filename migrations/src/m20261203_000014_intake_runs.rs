//! One row per intake round run: the year and round, who ran it and when, the lottery seed and
//! the tickets it drew, and the inputs and outcome as JSON, so that a caseworker can replay
//! the round and get the same result (the Public Administration Act and GDPR art. 22: an
//! automated decision can be reproduced). A round runs once per year.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IntakeRun::Table)
                    .col(pk_auto(IntakeRun::Id))
                    .col(integer(IntakeRun::IntakeYear))
                    .col(string_len(IntakeRun::Round, 16))
                    .col(timestamp_with_time_zone(IntakeRun::RanAt))
                    .col(string(IntakeRun::Actor))
                    .col(big_integer(IntakeRun::Seed))
                    .col(text(IntakeRun::Inputs))
                    .col(text(IntakeRun::Outcome))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_intake_run_year_round")
                    .table(IntakeRun::Table)
                    .col(IntakeRun::IntakeYear)
                    .col(IntakeRun::Round)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IntakeRun::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum IntakeRun {
    Table,
    Id,
    IntakeYear,
    Round,
    RanAt,
    Actor,
    Seed,
    Inputs,
    Outcome,
}
