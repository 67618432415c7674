//! Creates `policy_rule` (the Casbin policy in force), `policy_change` (its versions, who
//! made them and why) and `access_denial` (every refused read, for the privacy officer).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PolicyRule::Table)
                    .col(pk_auto(PolicyRule::Id))
                    .col(string_len(PolicyRule::Role, 32))
                    .col(string_len(PolicyRule::Purpose, 64))
                    .col(string_len(PolicyRule::Object, 200))
                    .col(string_len(PolicyRule::Action, 16))
                    .col(string_len(PolicyRule::Effect, 16))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_policy_rule")
                    .table(PolicyRule::Table)
                    .col(PolicyRule::Role)
                    .col(PolicyRule::Purpose)
                    .col(PolicyRule::Object)
                    .col(PolicyRule::Action)
                    .col(PolicyRule::Effect)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PolicyChange::Table)
                    .col(big_pk_auto(PolicyChange::Id))
                    .col(timestamp_with_time_zone(PolicyChange::ChangedAt))
                    .col(string_len(PolicyChange::Actor, 300))
                    .col(text(PolicyChange::Summary))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AccessDenial::Table)
                    .col(big_pk_auto(AccessDenial::Id))
                    .col(timestamp_with_time_zone(AccessDenial::At))
                    .col(string_len(AccessDenial::ActorRole, 32))
                    .col(string_len_null(AccessDenial::ActorOrg, 9))
                    .col(string_len(AccessDenial::ActorSub, 200))
                    .col(string_len(AccessDenial::Purpose, 64))
                    .col(string_len(AccessDenial::Kind, 16))
                    .col(string_len(AccessDenial::Target, 300))
                    .col(string_len(AccessDenial::RequestId, 64))
                    .col(big_integer(AccessDenial::PolicyVersion))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_access_denial_at")
                    .table(AccessDenial::Table)
                    .col(AccessDenial::At)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AccessDenial::Table.into_table_ref(),
            PolicyChange::Table.into_table_ref(),
            PolicyRule::Table.into_table_ref(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum PolicyRule {
    Table,
    Id,
    Role,
    Purpose,
    Object,
    Action,
    Effect,
}

#[derive(DeriveIden)]
enum PolicyChange {
    Table,
    Id,
    ChangedAt,
    Actor,
    Summary,
}

#[derive(DeriveIden)]
enum AccessDenial {
    Table,
    Id,
    At,
    ActorRole,
    ActorOrg,
    ActorSub,
    Purpose,
    Kind,
    Target,
    RequestId,
    PolicyVersion,
}
