//! `automated_decision`: An automated decision (points, allocation, right) with its explanation (GDPR art. 22).

use sea_orm::entity::prelude::*;

/// An automated decision (points, allocation, right) with its explanation (GDPR art. 22).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "automated_decision")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub person_id: i32,
    /// e.g. `intake_points`, `allocation`, `education_right`.
    pub kind: String,
    pub made_at: DateTimeUtc,
    pub outcome: String,
    /// Plain-language explanation shown to the person.
    #[sea_orm(column_type = "Text")]
    pub explanation: String,
    /// JSON of the inputs the decision used.
    #[sea_orm(column_type = "Text")]
    pub inputs: String,
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
