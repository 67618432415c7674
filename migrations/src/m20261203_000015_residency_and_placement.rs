//! The residency check and apprenticeship placement. `contact_change` logs every change to a
//! person's contact data with where it came from (the population register's address file, or
//! a caseworker); `approved_trade.positions` is how many apprentices a company has declared it
//! can take in the trade; `offer.company_id` is the company an apprenticeship wish is offered
//! to (placement), which answers the offer.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ContactChange::Table)
                    .col(pk_auto(ContactChange::Id))
                    .col(integer(ContactChange::PersonId))
                    .col(timestamp_with_time_zone(ContactChange::ChangedAt))
                    .col(string(ContactChange::Actor))
                    .col(string_len(ContactChange::Source, 32))
                    .col(text(ContactChange::Detail))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ContactChange::Table, ContactChange::PersonId)
                            .to(Person::Table, Person::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_contact_change_person")
                    .table(ContactChange::Table)
                    .col(ContactChange::PersonId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ApprovedTrade::Table)
                    .add_column(integer(ApprovedTrade::Positions).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Offer::Table)
                    .add_column(integer_null(Offer::CompanyId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_offer_company")
                    .table(Offer::Table)
                    .col(Offer::CompanyId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_offer_company")
                    .table(Offer::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Offer::Table)
                    .drop_column(Offer::CompanyId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ApprovedTrade::Table)
                    .drop_column(ApprovedTrade::Positions)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(ContactChange::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ContactChange {
    Table,
    Id,
    PersonId,
    ChangedAt,
    Actor,
    Source,
    Detail,
}

#[derive(DeriveIden)]
enum Person {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ApprovedTrade {
    Table,
    Positions,
}

#[derive(DeriveIden)]
enum Offer {
    Table,
    CompanyId,
}
