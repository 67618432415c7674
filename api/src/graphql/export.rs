//! The person's own export (GDPR art. 15): everything held about the caller as one JSON
//! document, the same that `vigo export-subject` writes.

use std::sync::Arc;

use async_graphql::{Context, ErrorExtensions, Json, Request, Result};
use sea_orm::DatabaseConnection;
use vigo_policy::{Access, Subject};

use super::VigoSchema;
use super::enforce::{self, TypeMap};
use crate::audit::Touched;
use crate::denials::RequestId;
use crate::error::ApiError;

/// The query that reads every field of `Person` the access lets its holder read. What is not
/// about the person is named, not copied: an organisation by its number and name (not its
/// offers, trades or other apprentices), a programme area by its code and name.
pub fn subject_query(types: &TypeMap, access: &Access) -> String {
    let about_the_person = |type_name: &str, field: &str| match type_name {
        "Organisation" => matches!(field, "orgNo" | "name"),
        "ProgrammeArea" => matches!(field, "code" | "name"),
        _ => true,
    };
    format!(
        "query ExportSubject {{ me {{ {} }} }}",
        enforce::select_all(types, "Person", &|t, f| {
            about_the_person(t, f) && access.fields.allows(t, f)
        })
    )
}

/// Runs [`subject_query`] for the caller within its own request: the same loaders' scope,
/// the same enforcement, and the persons and categories it reads are added to the request's
/// audit event. What it holds is what the caller's field mask allows; a token that names no
/// person has nothing of its own to export and is refused.
pub async fn subject_export(ctx: &Context<'_>) -> Result<Option<Json<serde_json::Value>>> {
    let access = super::query::open_root(ctx, "Query.subjectExport").await?;
    let subject = ctx.data::<Subject>()?;
    if subject.person.is_none() {
        let refusal = "the export is of the caller's own data; this token names no person";
        return Err(super::query::refuse(ctx, access, "Query.subjectExport", refusal).await);
    }
    let schema = ctx.data::<VigoSchema>()?;
    let types = ctx.data::<Arc<TypeMap>>()?;
    let touched = ctx.data::<Arc<Touched>>()?;
    let request_id = &ctx.data::<RequestId>()?.0;
    let internal = |e: &dyn std::fmt::Display| {
        ApiError::Internal(anyhow::anyhow!("subject export: {e}")).extend()
    };
    let mut document = async_graphql::parser::parse_query(subject_query(types, access))
        .map_err(|e| internal(&e))?;
    let enforced = enforce::enforce(
        &mut document,
        types,
        &access.fields,
        None,
        &Default::default(),
    );
    touched.add_categories(enforced.categories.iter().cloned());
    let mut request = Request::new("");
    request.set_parsed_query(document);
    let request = crate::server::scoped_request(
        ctx.data::<DatabaseConnection>()?,
        ctx.data::<std::sync::Arc<super::loaders::ReferenceRows>>()?,
        subject,
        access,
        request_id,
        request,
        touched,
    );
    // Boxed: the export runs the schema from inside one of its own resolvers.
    let response = Box::pin(schema.execute(request)).await;
    if let Some(error) = response.errors.first() {
        return Err(internal(&error.message));
    }
    let mut data = response.data.into_json().map_err(|e| internal(&e))?;
    Ok(Some(Json(data["me"].take())).filter(|d| !d.0.is_null()))
}
