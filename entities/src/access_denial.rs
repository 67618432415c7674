//! `access_denial`: A refused read, recorded for the privacy officer.

use sea_orm::entity::prelude::*;

/// A refused read: a denied field, an operation the caller may not use, or a person
/// outside the caller's scope.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "access_denial")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    pub actor_role: String,
    pub actor_org: Option<String>,
    pub actor_sub: String,
    pub purpose: String,
    /// `field`, `operation` or `row`.
    pub kind: String,
    /// The field (`Type.field`) or operation refused.
    pub target: String,
    pub request_id: String,
    pub policy_version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
