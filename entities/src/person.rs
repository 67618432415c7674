//! `person`: A person known to the county: applicant, pupil, apprentice or candidate.

use sea_orm::entity::prelude::*;

/// A person known to the county: applicant, pupil, apprentice or candidate.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "person")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Fødselsnummer, D-nummer, H-nummer or temporary number; validated by `NationalId`.
    #[sea_orm(unique)]
    pub national_id: String,
    /// Kind of number, from `IdKind::code`.
    pub id_kind: String,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: Date,
    /// `female`/`male`, where known.
    pub gender: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    pub citizenship: String,
    /// Set when the population register reports the death.
    pub deceased_on: Option<Date>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
