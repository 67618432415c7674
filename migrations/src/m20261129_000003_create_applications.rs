//! Creates `application`, `application_wish`, `offer`, `application_change`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Application::Table)
                    .col(pk_auto(Application::Id))
                    .col(integer(Application::PersonId))
                    .col(integer(Application::IntakeYear))
                    .col(integer_null(Application::PointsHundredths))
                    .col(string_len(Application::Status, 32))
                    .col(timestamp_with_time_zone(Application::SubmittedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_application_person_id")
                            .from(Application::Table, Application::PersonId)
                            .to(Person::Table, Person::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_application_person_id_intake_year")
                    .table(Application::Table)
                    .col(Application::PersonId)
                    .col(Application::IntakeYear)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_application_intake_year")
                    .table(Application::Table)
                    .col(Application::IntakeYear)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApplicationWish::Table)
                    .col(pk_auto(ApplicationWish::Id))
                    .col(integer(ApplicationWish::ApplicationId))
                    .col(integer(ApplicationWish::Rank))
                    .col(integer_null(ApplicationWish::SchoolId))
                    .col(integer(ApplicationWish::ProgrammeAreaId))
                    .col(boolean(ApplicationWish::Apprenticeship))
                    .col(string_len(ApplicationWish::Status, 32))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_application_wish_application_id")
                            .from(ApplicationWish::Table, ApplicationWish::ApplicationId)
                            .to(Application::Table, Application::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_application_wish_school_id")
                            .from(ApplicationWish::Table, ApplicationWish::SchoolId)
                            .to(Organisation::Table, Organisation::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_application_wish_programme_area_id")
                            .from(ApplicationWish::Table, ApplicationWish::ProgrammeAreaId)
                            .to(ProgrammeArea::Table, ProgrammeArea::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_application_wish_application_id_rank")
                    .table(ApplicationWish::Table)
                    .col(ApplicationWish::ApplicationId)
                    .col(ApplicationWish::Rank)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_application_wish_school_id")
                    .table(ApplicationWish::Table)
                    .col(ApplicationWish::SchoolId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_application_wish_programme_area_id_apprenticeship")
                    .table(ApplicationWish::Table)
                    .col(ApplicationWish::ProgrammeAreaId)
                    .col(ApplicationWish::Apprenticeship)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Offer::Table)
                    .col(pk_auto(Offer::Id))
                    .col(integer(Offer::WishId))
                    .col(string_len(Offer::Round, 32))
                    .col(timestamp_with_time_zone(Offer::OfferedAt))
                    .col(string_len(Offer::Answer, 32))
                    .col(timestamp_with_time_zone_null(Offer::AnsweredAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_offer_wish_id")
                            .from(Offer::Table, Offer::WishId)
                            .to(ApplicationWish::Table, ApplicationWish::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_offer_wish_id")
                    .table(Offer::Table)
                    .col(Offer::WishId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApplicationChange::Table)
                    .col(pk_auto(ApplicationChange::Id))
                    .col(integer(ApplicationChange::ApplicationId))
                    .col(timestamp_with_time_zone(ApplicationChange::ChangedAt))
                    .col(string_len(ApplicationChange::Actor, 200))
                    .col(string_len(ApplicationChange::Change, 32))
                    .col(text(ApplicationChange::Detail))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_application_change_application_id")
                            .from(ApplicationChange::Table, ApplicationChange::ApplicationId)
                            .to(Application::Table, Application::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_application_change_application_id")
                    .table(ApplicationChange::Table)
                    .col(ApplicationChange::ApplicationId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ApplicationChange::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Offer::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ApplicationWish::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Application::Table).to_owned())
            .await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Application {
    Table,
    Id,
    PersonId,
    IntakeYear,
    PointsHundredths,
    Status,
    SubmittedAt,
}

#[derive(DeriveIden)]
enum ApplicationWish {
    Table,
    Id,
    ApplicationId,
    Rank,
    SchoolId,
    ProgrammeAreaId,
    Apprenticeship,
    Status,
}

#[derive(DeriveIden)]
enum Offer {
    Table,
    Id,
    WishId,
    Round,
    OfferedAt,
    Answer,
    AnsweredAt,
}

#[derive(DeriveIden)]
enum ApplicationChange {
    Table,
    Id,
    ApplicationId,
    ChangedAt,
    Actor,
    Change,
    Detail,
}

#[derive(DeriveIden)]
enum Person {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Organisation {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ProgrammeArea {
    Table,
    Id,
}
