//! `subject_result`: A grade in a subject: lower-secondary grades for intake, and upper-secondary results.

use crate::enums::ResultKind;
use sea_orm::entity::prelude::*;

/// A grade in a subject: lower-secondary grades for intake, and upper-secondary results.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subject_result")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub person_id: i32,
    /// The upper-secondary school that gave it; none for lower secondary.
    pub school_id: Option<i32>,
    pub enrolment_id: Option<i32>,
    pub subject_code: String,
    /// Validated by `Grade`.
    pub grade: String,
    pub kind: ResultKind,
    pub school_year: i32,
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
        belongs_to = "super::organisation::Entity",
        from = "Column::SchoolId",
        to = "super::organisation::Column::Id"
    )]
    School,
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

impl Related<super::organisation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::School.def()
    }
}

impl Related<super::enrolment::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Enrolment.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
