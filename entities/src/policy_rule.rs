//! `policy_rule`: One rule of the Casbin policy in force.

use sea_orm::entity::prelude::*;

/// One rule of the Casbin policy in force: `p, role, purpose, object, action, effect`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "policy_rule")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub role: String,
    pub purpose: String,
    pub object: String,
    pub action: String,
    pub effect: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
