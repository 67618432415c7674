//! `offer`: An offer of a place made for a wish, and the applicant's answer.

use crate::enums::{IntakeRound, OfferAnswer};
use sea_orm::entity::prelude::*;

/// An offer of a place made for a wish, and the applicant's answer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "offer")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub wish_id: i32,
    /// For an apprenticeship wish: the company the applicant is offered to, which answers.
    pub company_id: Option<i32>,
    pub round: IntakeRound,
    pub offered_at: DateTimeUtc,
    pub answer: OfferAnswer,
    pub answered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::application_wish::Entity",
        from = "Column::WishId",
        to = "super::application_wish::Column::Id"
    )]
    Wish,
}

impl Related<super::application_wish::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Wish.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
