//! `programme_area`: A programme area (programområde) from Vigo's code list, also used for trades.

use sea_orm::entity::prelude::*;

/// A programme area (programområde) from Vigo's code list, also used for trades.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "programme_area")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// 10-character code, validated by `ProgrammeAreaCode`.
    #[sea_orm(unique)]
    pub code: String,
    pub name: String,
    /// `vg1`, `vg2`, `vg3` or `apprenticeship`.
    pub level: String,
    /// Two-letter education programme (utdanningsprogram), e.g. `EL`.
    pub education_programme: String,
    pub vocational: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
