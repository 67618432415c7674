//! Rebuilds `audit_event_person` for append speed: every request that returns persons adds
//! one row per person, so the table keeps only what the trail needs — a composite primary key
//! (event, person) for verification and an index by person for the person's own access log.
//! It drops the surrogate id and the foreign keys: the trail must neither slow down nor be
//! blocked by the person data it records, and `vigo audit verify` detects tampering with it.
//! The links are part of each event's hash, so every existing link is carried over.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .rename_table(
                Table::rename()
                    .table(AuditEventPerson::Table, AuditEventPersonBefore::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditEventPerson::Table)
                    .col(big_integer(AuditEventPerson::AuditEventId))
                    .col(integer(AuditEventPerson::PersonId))
                    .primary_key(
                        Index::create()
                            .name("pk_audit_event_person")
                            .col(AuditEventPerson::AuditEventId)
                            .col(AuditEventPerson::PersonId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO audit_event_person (audit_event_id, person_id) \
                 SELECT DISTINCT audit_event_id, person_id FROM audit_event_person_before",
            )
            .await?;
        manager
            .drop_table(
                Table::drop()
                    .table(AuditEventPersonBefore::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_event_person_by_person")
                    .table(AuditEventPerson::Table)
                    .col(AuditEventPerson::PersonId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditEventPerson::Table).to_owned())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditEventPerson::Table)
                    .col(big_pk_auto(AuditEventPerson::Id))
                    .col(big_integer(AuditEventPerson::AuditEventId))
                    .col(integer(AuditEventPerson::PersonId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_audit_event_person_audit_event_id")
                            .from(AuditEventPerson::Table, AuditEventPerson::AuditEventId)
                            .to(AuditEvent::Table, AuditEvent::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_audit_event_person_person_id")
                            .from(AuditEventPerson::Table, AuditEventPerson::PersonId)
                            .to(Person::Table, Person::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_audit_event_person_audit_event_id_person_id")
                    .table(AuditEventPerson::Table)
                    .col(AuditEventPerson::AuditEventId)
                    .col(AuditEventPerson::PersonId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_event_person_person_id")
                    .table(AuditEventPerson::Table)
                    .col(AuditEventPerson::PersonId)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum AuditEventPerson {
    Table,
    Id,
    AuditEventId,
    PersonId,
}

#[derive(DeriveIden)]
enum AuditEvent {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Person {
    Table,
    Id,
}

/// The links as they were, while they are carried over.
#[derive(DeriveIden)]
enum AuditEventPersonBefore {
    Table,
}
