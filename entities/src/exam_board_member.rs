//! `exam_board_member`: Membership of an employee in an exam board.

use sea_orm::entity::prelude::*;

/// Membership of an employee in an exam board.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "exam_board_member")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub exam_board_id: i32,
    pub employee_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::exam_board::Entity",
        from = "Column::ExamBoardId",
        to = "super::exam_board::Column::Id"
    )]
    ExamBoard,
    #[sea_orm(
        belongs_to = "super::employee::Entity",
        from = "Column::EmployeeId",
        to = "super::employee::Column::Id"
    )]
    Employee,
}

impl Related<super::exam_board::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ExamBoard.def()
    }
}

impl Related<super::employee::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Employee.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
