//! `audit_event`: One audited request: who read or wrote what, for which purpose. Hash-chained.

use crate::enums::AccessOutcome;
use sea_orm::entity::prelude::*;

/// One audited request: who read or wrote what, for which purpose. Hash-chained.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    pub actor_role: String,
    pub actor_org: Option<String>,
    pub actor_sub: String,
    pub purpose: String,
    pub operation: String,
    pub request_id: String,
    /// Data categories or fields touched, comma-separated.
    #[sea_orm(column_type = "Text")]
    pub categories: String,
    pub outcome: AccessOutcome,
    /// Hash of the previous event; the chain makes edits detectable.
    pub prev_hash: String,
    #[sea_orm(unique)]
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
