//! `school_offer`: A school's offer of a programme area in an intake year, with its capacity.

use sea_orm::entity::prelude::*;

/// A school's offer of a programme area in an intake year, with its capacity.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "school_offer")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub school_id: i32,
    pub programme_area_id: i32,
    pub intake_year: i32,
    /// Places offered.
    pub capacity: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::organisation::Entity",
        from = "Column::SchoolId",
        to = "super::organisation::Column::Id"
    )]
    School,
    #[sea_orm(
        belongs_to = "super::programme_area::Entity",
        from = "Column::ProgrammeAreaId",
        to = "super::programme_area::Column::Id"
    )]
    ProgrammeArea,
}

impl Related<super::organisation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::School.def()
    }
}

impl Related<super::programme_area::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ProgrammeArea.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
