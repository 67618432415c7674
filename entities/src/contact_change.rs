//! `contact_change`: The change log of a person's contact data: what changed, from where, by whom. Deleted with the contact data on death.

use sea_orm::entity::prelude::*;

/// The change log of a person's contact data: what changed, from where, by whom. Deleted with
/// the contact data on death.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contact_change")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub person_id: i32,
    pub changed_at: DateTimeUtc,
    /// `role:purpose:subject` of who made the change.
    pub actor: String,
    /// e.g. `population_register` (an address file) or `caseworker`.
    pub source: String,
    /// JSON: each changed field with its value before and after.
    #[sea_orm(column_type = "Text")]
    pub detail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::person::Entity",
        from = "Column::PersonId",
        to = "super::person::Column::Id"
    )]
    Person,
}

impl Related<super::person::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Person.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
