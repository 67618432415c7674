//! `apprenticeship_contract`: A lærekontrakt or opplæringskontrakt between a person and a training company.

use crate::enums::{ContractKind, ContractStatus};
use sea_orm::entity::prelude::*;

/// A lærekontrakt or opplæringskontrakt between a person and a training company.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "apprenticeship_contract")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub person_id: i32,
    pub company_id: i32,
    pub training_office_id: Option<i32>,
    /// The trade.
    pub programme_area_id: i32,
    pub kind: ContractKind,
    pub status: ContractStatus,
    pub start_date: Date,
    pub end_date: Date,
    pub approved_on: Option<Date>,
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
        from = "Column::CompanyId",
        to = "super::organisation::Column::Id"
    )]
    Company,
    #[sea_orm(
        belongs_to = "super::organisation::Entity",
        from = "Column::TrainingOfficeId",
        to = "super::organisation::Column::Id"
    )]
    TrainingOffice,
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
