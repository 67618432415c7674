//! `audit_chain`: The head of the audit trail's hash chain (one row).

use sea_orm::entity::prelude::*;

/// The head of the audit trail's hash chain: the last event and its hash.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_chain")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    pub last_event_id: i64,
    pub last_hash: String,
    /// The Merkle tree's right edge: the hex roots of the perfect subtrees of
    /// `[0, last_event_id)`, largest first, comma-separated.
    #[sea_orm(column_type = "Text")]
    pub frontier: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
