//! `absence`: Absence for one enrolment and school year.

use sea_orm::entity::prelude::*;

/// Absence for one enrolment and school year.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "absence")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub person_id: i32,
    #[sea_orm(unique)]
    pub enrolment_id: i32,
    pub school_year: i32,
    pub days: i32,
    pub hours: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::person::Entity",
        from = "Column::PersonId",
        to = "super::person::Column::Id"
    )]
    Person,
    #[sea_orm(
        belongs_to = "super::enrolment::Entity",
        from = "Column::EnrolmentId",
        to = "super::enrolment::Column::Id"
    )]
    Enrolment,
}

impl Related<super::person::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Person.def()
    }
}

impl Related<super::enrolment::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Enrolment.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
