//! The `Person` type and its contact data.

use async_graphql::{Context, ErrorExtensions, ID, Object, Result};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use vigo_entities::{contact, person};

use crate::error::ApiError;

/// A person known to the county: applicant, pupil, apprentice or candidate.
pub struct Person(pub person::Model);

#[Object]
impl Person {
    /// Opaque identifier, stable for the person.
    async fn id(&self) -> ID {
        ID(format!("Person:{}", self.0.id))
    }
    /// Fødselsnummer, D-nummer, H-nummer or temporary number.
    async fn national_id(&self) -> Option<&str> {
        Some(&self.0.national_id)
    }
    /// Kind of number: `birth_number`, `d_number`, `h_number` or `temporary`.
    async fn id_kind(&self) -> Option<&str> {
        Some(&self.0.id_kind)
    }
    async fn given_name(&self) -> Option<&str> {
        Some(&self.0.given_name)
    }
    async fn family_name(&self) -> Option<&str> {
        Some(&self.0.family_name)
    }
    /// Birth date as `YYYY-MM-DD`.
    async fn birth_date(&self) -> Option<String> {
        Some(self.0.birth_date.to_string())
    }
    /// `female` or `male`, where known.
    async fn gender(&self) -> Option<&str> {
        self.0.gender.as_deref()
    }
    /// Citizenship as an ISO 3166-1 alpha-2 code.
    async fn citizenship(&self) -> Option<&str> {
        Some(&self.0.citizenship)
    }
    /// Contact data; `null` when none is held (for example after a death is reported).
    async fn contact(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        let found = contact::Entity::find()
            .filter(contact::Column::PersonId.eq(self.0.id))
            .one(ctx.data::<DatabaseConnection>()?)
            .await
            .map_err(|e| ApiError::from(e).extend())?;
        Ok(found.map(Contact))
    }
}

/// Address from the population register, and phone and email.
pub struct Contact(contact::Model);

#[Object]
impl Contact {
    async fn address(&self) -> Option<&str> {
        Some(&self.0.address)
    }
    async fn postal_code(&self) -> Option<&str> {
        Some(&self.0.postal_code)
    }
    async fn city(&self) -> Option<&str> {
        Some(&self.0.city)
    }
    /// Municipality number; decides which county is responsible.
    async fn municipality_code(&self) -> Option<&str> {
        Some(&self.0.municipality_code)
    }
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
}
