//! `disclosure`: A disclosure (utlevering): an export of data to a recipient.

use sea_orm::entity::prelude::*;

/// A disclosure (utlevering): an export of data to a recipient.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "disclosure")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub at: DateTimeUtc,
    /// Recipient organisation number or name.
    pub recipient: String,
    pub legal_basis: String,
    pub purpose: String,
    pub extract: String,
    pub row_count: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
