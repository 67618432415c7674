//! `disclosure_person`: Links a disclosure to each person it included.

use sea_orm::entity::prelude::*;

/// Links a disclosure to each person it included.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "disclosure_person")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub disclosure_id: i32,
    pub person_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::disclosure::Entity",
        from = "Column::DisclosureId",
        to = "super::disclosure::Column::Id"
    )]
    Disclosure,
    #[sea_orm(
        belongs_to = "super::person::Entity",
        from = "Column::PersonId",
        to = "super::person::Column::Id"
    )]
    Person,
}

impl Related<super::disclosure::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Disclosure.def()
    }
}

impl Related<super::person::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Person.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
