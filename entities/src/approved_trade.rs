//! `approved_trade`: A trade (programme area) a company or training office is approved to train in.

use sea_orm::entity::prelude::*;

/// A trade (programme area) a company or training office is approved to train in.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "approved_trade")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organisation_id: i32,
    pub programme_area_id: i32,
    pub approved_on: Date,
    /// How many apprentices the company has declared it can take in the trade (placement
    /// offers it no more than this, less those it has).
    pub positions: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::organisation::Entity",
        from = "Column::OrganisationId",
        to = "super::organisation::Column::Id"
    )]
    Organisation,
    #[sea_orm(
        belongs_to = "super::programme_area::Entity",
        from = "Column::ProgrammeAreaId",
        to = "super::programme_area::Column::Id"
    )]
    ProgrammeArea,
}

impl Related<super::organisation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organisation.def()
    }
}

impl Related<super::programme_area::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ProgrammeArea.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
