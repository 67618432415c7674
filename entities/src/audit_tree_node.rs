//! `audit_tree_node`: A complete perfect subtree of the audit trail's Merkle tree.
use sea_orm::entity::prelude::*;

/// A complete perfect subtree of the audit trail's Merkle tree (RFC 6962): at `level`, the
/// `idx`th block of 2^level events; level 0 is an event's leaf hash. Hex.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_tree_node")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub level: i16,
    #[sea_orm(primary_key, auto_increment = false)]
    pub idx: i64,
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
