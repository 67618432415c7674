//! `diploma`: A certificate: vitnemål, kompetansebevis, fagbrev or svennebrev.

use crate::enums::DiplomaKind;
use sea_orm::entity::prelude::*;

/// A certificate: vitnemål, kompetansebevis, fagbrev or svennebrev.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "diploma")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub person_id: i32,
    pub kind: DiplomaKind,
    pub programme_area_id: Option<i32>,
    pub issued_on: Date,
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
        belongs_to = "super::programme_area::Entity",
        from = "Column::ProgrammeAreaId",
        to = "super::programme_area::Column::Id"
    )]
    ProgrammeArea,
}

impl Related<super::person::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Person.def()
    }
}

impl Related<super::programme_area::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ProgrammeArea.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
