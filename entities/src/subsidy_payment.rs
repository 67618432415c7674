//! `subsidy_payment`: A subsidy (lærlingtilskudd) paid to a training company.

use sea_orm::entity::prelude::*;

/// A subsidy (lærlingtilskudd) paid to a training company.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subsidy_payment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organisation_id: i32,
    pub contract_id: Option<i32>,
    /// Amount in øre, exact.
    pub amount_ore: i64,
    pub paid_on: Date,
    /// e.g. `2025-H1`.
    pub period: String,
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
        belongs_to = "super::apprenticeship_contract::Entity",
        from = "Column::ContractId",
        to = "super::apprenticeship_contract::Column::Id"
    )]
    Contract,
}

impl Related<super::organisation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organisation.def()
    }
}

impl Related<super::apprenticeship_contract::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Contract.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
