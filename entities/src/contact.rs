//! `contact`: Contact data: the address from the population register, phone and email. Deleted on death.

use sea_orm::entity::prelude::*;

/// Contact data: the address from the population register, phone and email. Deleted on death.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contact")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub person_id: i32,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    /// Decides which county is responsible (residency check).
    pub municipality_code: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub updated_at: DateTimeUtc,
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
