//! Creates `audit_event`, `audit_event_person`, `disclosure`, `disclosure_person`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditEvent::Table)
                    .col(big_pk_auto(AuditEvent::Id))
                    .col(timestamp_with_time_zone(AuditEvent::At))
                    .col(string_len(AuditEvent::ActorRole, 32))
                    .col(string_len_null(AuditEvent::ActorOrg, 9))
                    .col(string_len(AuditEvent::ActorSub, 200))
                    .col(string_len(AuditEvent::Purpose, 64))
                    .col(string_len(AuditEvent::Operation, 200))
                    .col(string_len(AuditEvent::RequestId, 64))
                    .col(text(AuditEvent::Categories))
                    .col(string_len(AuditEvent::Outcome, 32))
                    .col(string_len(AuditEvent::PrevHash, 64))
                    .col(string_len_uniq(AuditEvent::Hash, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_event_at")
                    .table(AuditEvent::Table)
                    .col(AuditEvent::At)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_event_actor_org")
                    .table(AuditEvent::Table)
                    .col(AuditEvent::ActorOrg)
                    .to_owned(),
            )
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
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Disclosure::Table)
                    .col(pk_auto(Disclosure::Id))
                    .col(timestamp_with_time_zone(Disclosure::At))
                    .col(string_len(Disclosure::Recipient, 200))
                    .col(string_len(Disclosure::LegalBasis, 200))
                    .col(string_len(Disclosure::Purpose, 64))
                    .col(string_len(Disclosure::Extract, 64))
                    .col(integer(Disclosure::RowCount))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_disclosure_at")
                    .table(Disclosure::Table)
                    .col(Disclosure::At)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DisclosurePerson::Table)
                    .col(pk_auto(DisclosurePerson::Id))
                    .col(integer(DisclosurePerson::DisclosureId))
                    .col(integer(DisclosurePerson::PersonId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_disclosure_person_disclosure_id")
                            .from(DisclosurePerson::Table, DisclosurePerson::DisclosureId)
                            .to(Disclosure::Table, Disclosure::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_disclosure_person_person_id")
                            .from(DisclosurePerson::Table, DisclosurePerson::PersonId)
                            .to(Person::Table, Person::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_disclosure_person_disclosure_id_person_id")
                    .table(DisclosurePerson::Table)
                    .col(DisclosurePerson::DisclosureId)
                    .col(DisclosurePerson::PersonId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_disclosure_person_person_id")
                    .table(DisclosurePerson::Table)
                    .col(DisclosurePerson::PersonId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DisclosurePerson::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Disclosure::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AuditEventPerson::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AuditEvent::Table).to_owned())
            .await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum AuditEvent {
    Table,
    Id,
    At,
    ActorRole,
    ActorOrg,
    ActorSub,
    Purpose,
    Operation,
    RequestId,
    Categories,
    Outcome,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum AuditEventPerson {
    Table,
    Id,
    AuditEventId,
    PersonId,
}

#[derive(DeriveIden)]
enum Disclosure {
    Table,
    Id,
    At,
    Recipient,
    LegalBasis,
    Purpose,
    Extract,
    RowCount,
}

#[derive(DeriveIden)]
enum DisclosurePerson {
    Table,
    Id,
    DisclosureId,
    PersonId,
}

#[derive(DeriveIden)]
enum Person {
    Table,
    Id,
}
