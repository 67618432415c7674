//! The audit trail's Merkle tree (RFC 6962) beside its hash chain: `audit_tree_node` keeps
//! every complete perfect subtree (level 0 the leaves, one per event), so the root of any
//! size and inclusion and consistency proofs take a handful of rows; `audit_chain.frontier`
//! keeps the right edge that appends extend. The nodes hold hashes only, no personal data,
//! and stay when events are pruned, so proofs against old signed checkpoints still work.
//! `audit_checkpoint` keeps a copy of each signed checkpoint for the API's inclusion proofs;
//! the signature, made with a key the database does not hold, is what a reader trusts.
//! Existing events get their nodes when the trail is next opened (see `vigo_audit`): this
//! migration adds, it rewrites no audit row.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditTreeNode::Table)
                    .col(small_integer(AuditTreeNode::Level))
                    .col(big_integer(AuditTreeNode::Idx))
                    .col(string_len(AuditTreeNode::Hash, 64))
                    .primary_key(
                        Index::create()
                            .name("pk_audit_tree_node")
                            .col(AuditTreeNode::Level)
                            .col(AuditTreeNode::Idx),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AuditChain::Table)
                    .add_column(text(AuditChain::Frontier).default(""))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditCheckpoint::Table)
                    .col(big_integer(AuditCheckpoint::Size).primary_key())
                    .col(string_len(AuditCheckpoint::Root, 64))
                    .col(text(AuditCheckpoint::Note))
                    .col(timestamp_with_time_zone(AuditCheckpoint::RecordedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditCheckpoint::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AuditChain::Table)
                    .drop_column(AuditChain::Frontier)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(AuditTreeNode::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AuditTreeNode {
    Table,
    Level,
    Idx,
    Hash,
}

#[derive(DeriveIden)]
enum AuditChain {
    Table,
    Frontier,
}

#[derive(DeriveIden)]
enum AuditCheckpoint {
    Table,
    Size,
    Root,
    Note,
    RecordedAt,
}
