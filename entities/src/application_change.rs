//! `application_change`: The change log of an application: every registration and change, by whom.

use sea_orm::entity::prelude::*;

/// The change log of an application: every registration and change, by whom.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "application_change")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub application_id: i32,
    pub changed_at: DateTimeUtc,
    /// `role:purpose:subject` of who made the change: the employee, for caseworkers only.
    pub actor: String,
    /// The organisation the change was made for, if any.
    pub actor_org: Option<String>,
    /// e.g. `submitted`, `wishes_changed`, `withdrawn`.
    pub change: String,
    /// JSON describing the change.
    #[sea_orm(column_type = "Text")]
    pub detail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::application::Entity",
        from = "Column::ApplicationId",
        to = "super::application::Column::Id"
    )]
    Application,
}

impl Related<super::application::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Application.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
