//! `education_right`: An education right (opplæringsrett) and its assessment.

use crate::enums::RightKind;
use sea_orm::entity::prelude::*;

/// An education right (opplæringsrett) and its assessment.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "education_right")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub person_id: i32,
    pub kind: RightKind,
    pub start_date: Date,
    /// Five years after start, six with apprenticeship, +1 on omvalg.
    pub expires_on: Date,
    /// Years of full-time education the right covers.
    pub years: i32,
    /// Whether the one change of programme (omvalg) is used.
    pub programme_change_used: bool,
    /// Why the right was granted as it was.
    #[sea_orm(column_type = "Text")]
    pub assessment: String,
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
