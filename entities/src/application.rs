//! `application`: An application (søknad) for one intake year.

use crate::enums::ApplicationStatus;
use sea_orm::entity::prelude::*;

/// An application (søknad) for one intake year.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "application")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub person_id: i32,
    pub intake_year: i32,
    /// Intake points × 100 (two decimals, exact); none when handled individually.
    pub points_hundredths: Option<i32>,
    pub status: ApplicationStatus,
    pub submitted_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::person::Entity",
        from = "Column::PersonId",
        to = "super::person::Column::Id"
    )]
    Person,
}

impl Related<super::person::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Person.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
