//! `exam_board`: An exam board (prøvenemnd) that assesses trade tests in one trade.

use sea_orm::entity::prelude::*;

/// An exam board (prøvenemnd) that assesses trade tests in one trade.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "exam_board")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub name: String,
    /// The trade it assesses.
    pub programme_area_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::programme_area::Entity",
        from = "Column::ProgrammeAreaId",
        to = "super::programme_area::Column::Id"
    )]
    ProgrammeArea,
}

impl Related<super::programme_area::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ProgrammeArea.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
