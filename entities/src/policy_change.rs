//! `policy_change`: One version of the policy: when, by whom and why it changed.

use sea_orm::entity::prelude::*;

/// One version of the policy; its id is the policy version.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "policy_change")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub changed_at: DateTimeUtc,
    /// Role, purpose and token subject of who made the change.
    pub actor: String,
    pub summary: String,
    /// The version's rules in canonical order, one `p, …` line each; none for versions made
    /// before rules were kept with their version.
    pub rules: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
