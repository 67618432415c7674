//! `audit_checkpoint`: A copy of a signed checkpoint of the audit trail.
use sea_orm::entity::prelude::*;

/// A copy of a signed checkpoint (C2SP tlog-checkpoint): the tree size, its root (hex) and the
/// signed note itself. Trusted only through its signature, which the database cannot make.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_checkpoint")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub size: i64,
    pub root: String,
    #[sea_orm(column_type = "Text")]
    pub note: String,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
