//! `organisation`: A school, training company, training office or authority.

use crate::enums::OrganisationKind;
use sea_orm::entity::prelude::*;

/// A school, training company, training office or authority.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organisation")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Organisation number, validated by `OrgNo`.
    #[sea_orm(unique)]
    pub org_no: String,
    pub name: String,
    pub kind: OrganisationKind,
    /// County (2 digits) + 3 digits, for schools.
    #[sea_orm(unique)]
    pub school_number: Option<String>,
    pub municipality_code: Option<String>,
    /// The training office a member company belongs to.
    pub training_office_id: Option<i32>,
    /// Bank account for subsidy payments, validated by `AccountNo`.
    pub account_no: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::organisation::Entity",
        from = "Column::TrainingOfficeId",
        to = "super::organisation::Column::Id"
    )]
    TrainingOffice,
}

impl ActiveModelBehavior for ActiveModel {}
