//! Root query fields.

use async_graphql::{Context, ErrorExtensions, Object, Result};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use vigo_entities::ids::NationalId;
use vigo_entities::person;
use vigo_policy::{Gate, Subject};

use super::person::Person;
use crate::error::ApiError;

#[derive(Default)]
pub struct Query;

#[Object]
impl Query {
    /// A person by national id (fødselsnummer, D-nummer, …). `null` when no such person
    /// exists or the person is outside the caller's scope; the two look the same.
    async fn person(&self, ctx: &Context<'_>, national_id: String) -> Result<Option<Person>> {
        let subject = ctx.data::<Subject>()?;
        let access = ctx
            .data::<Gate>()?
            .person_access(subject)
            .map_err(|e| ApiError::Forbidden(e.to_string()).extend())?;
        let national_id = NationalId::parse(&national_id)
            .map_err(|e| ApiError::bad_input("nationalId", e).extend())?;
        let found = person::Entity::find()
            .filter(person::Column::NationalId.eq(national_id.as_string()))
            .filter(access.rows.person_condition())
            .one(ctx.data::<DatabaseConnection>()?)
            .await
            .map_err(|e| ApiError::from(e).extend())?;
        Ok(found.map(Person))
    }
}
