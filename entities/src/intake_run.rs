//! `intake_run`: One intake round run, with its lottery seed, inputs and outcome for replay.

use sea_orm::entity::prelude::*;

/// One intake round run: enough to run it again and get the same result.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "intake_run")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub intake_year: i32,
    /// `main` or `supplementary`.
    pub round: String,
    pub ran_at: DateTimeUtc,
    /// Role, purpose and token subject (or operator) of who ran it.
    pub actor: String,
    /// The lottery's seed (a u64, stored with the same bits).
    pub seed: i64,
    /// JSON: the allocation instance (capacities, applicants, standings) and what each index
    /// stands for (offer and wish ids).
    #[sea_orm(column_type = "Text")]
    pub inputs: String,
    /// JSON: the outcome (places, waiting lists, cut-offs).
    #[sea_orm(column_type = "Text")]
    pub outcome: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
