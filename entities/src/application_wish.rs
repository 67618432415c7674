//! `application_wish`: One ranked wish (ønske) of an application: a programme area, at a school or as an apprenticeship.

use crate::enums::WishStatus;
use sea_orm::entity::prelude::*;

/// One ranked wish (ønske) of an application: a programme area, at a school or as an apprenticeship.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "application_wish")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub application_id: i32,
    /// 1 is the most wanted.
    pub rank: i32,
    /// None for an apprenticeship wish.
    pub school_id: Option<i32>,
    pub programme_area_id: i32,
    /// The applicant wishes an apprenticeship in this trade.
    pub apprenticeship: bool,
    pub status: WishStatus,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::application::Entity",
        from = "Column::ApplicationId",
        to = "super::application::Column::Id"
    )]
    Application,
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

impl Related<super::application::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Application.def()
    }
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
