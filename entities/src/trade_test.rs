//! `trade_test`: A registration for a trade, journeyman or competence test, and its result.

use crate::enums::{TradeTestKind, TradeTestResult};
use sea_orm::entity::prelude::*;

/// A registration for a trade, journeyman or competence test, and its result.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "trade_test")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub person_id: i32,
    pub contract_id: Option<i32>,
    pub programme_area_id: i32,
    pub exam_board_id: Option<i32>,
    pub kind: TradeTestKind,
    pub registered_on: Date,
    pub test_date: Option<Date>,
    /// None until assessed.
    pub result: Option<TradeTestResult>,
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
        belongs_to = "super::apprenticeship_contract::Entity",
        from = "Column::ContractId",
        to = "super::apprenticeship_contract::Column::Id"
    )]
    Contract,
    #[sea_orm(
        belongs_to = "super::programme_area::Entity",
        from = "Column::ProgrammeAreaId",
        to = "super::programme_area::Column::Id"
    )]
    ProgrammeArea,
    #[sea_orm(
        belongs_to = "super::exam_board::Entity",
        from = "Column::ExamBoardId",
        to = "super::exam_board::Column::Id"
    )]
    ExamBoard,
}

impl Related<super::person::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Person.def()
    }
}

impl Related<super::apprenticeship_contract::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Contract.def()
    }
}

impl Related<super::programme_area::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ProgrammeArea.def()
    }
}

impl Related<super::exam_board::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ExamBoard.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
