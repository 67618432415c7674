//! Creates `audit_chain`: the head of the audit trail's hash chain, one row. Appending an
//! event updates it first, which serialises appends across requests and server instances
//! and lets verification notice events removed from the end.

use sea_orm_migration::{prelude::*, schema::*};

/// The hash the first event links to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditChain::Table)
                    .col(integer(AuditChain::Id).primary_key())
                    .col(big_integer(AuditChain::LastEventId))
                    .col(string_len(AuditChain::LastHash, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(AuditChain::Table)
                    .columns([
                        AuditChain::Id,
                        AuditChain::LastEventId,
                        AuditChain::LastHash,
                    ])
                    .values_panic([1.into(), 0i64.into(), GENESIS_HASH.into()])
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditChain::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AuditChain {
    Table,
    Id,
    LastEventId,
    LastHash,
}
