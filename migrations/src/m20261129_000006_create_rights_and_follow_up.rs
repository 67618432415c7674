//! Creates `education_right`, `follow_up_status`, `automated_decision`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EducationRight::Table)
                    .col(pk_auto(EducationRight::Id))
                    .col(integer(EducationRight::PersonId))
                    .col(string_len(EducationRight::Kind, 32))
                    .col(date(EducationRight::StartDate))
                    .col(date(EducationRight::ExpiresOn))
                    .col(integer(EducationRight::Years))
                    .col(boolean(EducationRight::ProgrammeChangeUsed))
                    .col(text(EducationRight::Assessment))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_education_right_person_id")
                            .from(EducationRight::Table, EducationRight::PersonId)
                            .to(Person::Table, Person::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_education_right_person_id")
                    .table(EducationRight::Table)
                    .col(EducationRight::PersonId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(FollowUpStatus::Table)
                    .col(pk_auto(FollowUpStatus::Id))
                    .col(integer(FollowUpStatus::PersonId))
                    .col(string_len(FollowUpStatus::Code, 8))
                    .col(timestamp_with_time_zone(FollowUpStatus::RegisteredAt))
                    .col(integer(FollowUpStatus::SchoolYear))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_follow_up_status_person_id")
                            .from(FollowUpStatus::Table, FollowUpStatus::PersonId)
                            .to(Person::Table, Person::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_follow_up_status_person_id")
                    .table(FollowUpStatus::Table)
                    .col(FollowUpStatus::PersonId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_follow_up_status_code")
                    .table(FollowUpStatus::Table)
                    .col(FollowUpStatus::Code)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AutomatedDecision::Table)
                    .col(pk_auto(AutomatedDecision::Id))
                    .col(integer(AutomatedDecision::PersonId))
                    .col(string_len(AutomatedDecision::Kind, 32))
                    .col(timestamp_with_time_zone(AutomatedDecision::MadeAt))
                    .col(string_len(AutomatedDecision::Outcome, 200))
                    .col(text(AutomatedDecision::Explanation))
                    .col(text(AutomatedDecision::Inputs))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_automated_decision_person_id")
                            .from(AutomatedDecision::Table, AutomatedDecision::PersonId)
                            .to(Person::Table, Person::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_automated_decision_person_id")
                    .table(AutomatedDecision::Table)
                    .col(AutomatedDecision::PersonId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AutomatedDecision::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(FollowUpStatus::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(EducationRight::Table).to_owned())
            .await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum EducationRight {
    Table,
    Id,
    PersonId,
    Kind,
    StartDate,
    ExpiresOn,
    Years,
    ProgrammeChangeUsed,
    Assessment,
}

#[derive(DeriveIden)]
enum FollowUpStatus {
    Table,
    Id,
    PersonId,
    Code,
    RegisteredAt,
    SchoolYear,
}

#[derive(DeriveIden)]
enum AutomatedDecision {
    Table,
    Id,
    PersonId,
    Kind,
    MadeAt,
    Outcome,
    Explanation,
    Inputs,
}

#[derive(DeriveIden)]
enum Person {
    Table,
    Id,
}
