//! The central field guard: every field of every object is checked against the caller's
//! field mask here, once, so that no resolver decides access by itself.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo,
};
use async_graphql::{
    ErrorExtensions, PathSegment, Pos, QueryPathSegment, ServerError, ServerResult, Value,
};
use vigo_policy::FieldMask;

use crate::error::ApiError;

/// The field mask of the request's caller, added to each request by the HTTP layer. A
/// request without one may read no field below the root.
#[derive(Clone, Debug)]
pub struct CallerFields(pub FieldMask);

/// Installs [`FieldGuardExtension`] on the schema.
pub struct FieldGuard;

impl ExtensionFactory for FieldGuard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(FieldGuardExtension)
    }
}

pub struct FieldGuardExtension;

/// Root types decide access by row scope in their resolvers; introspection is not data.
fn is_exempt(info: &ResolveInfo<'_>) -> bool {
    info.is_for_introspection
        || info.parent_type.starts_with("__")
        || matches!(info.parent_type, "Query" | "Mutation")
        || matches!(info.path_node.segment, QueryPathSegment::Index(_))
}

#[async_graphql::async_trait::async_trait]
impl Extension for FieldGuardExtension {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        if is_exempt(&info) {
            return next.run(ctx, info).await;
        }
        let allowed = ctx
            .data_opt::<CallerFields>()
            .is_some_and(|fields| fields.0.allows(info.parent_type, info.name));
        if allowed {
            return next.run(ctx, info).await;
        }
        metrics::counter!("vigo_denials_total", "kind" => "field").increment(1);
        let message = format!("not allowed to read {}.{}", info.parent_type, info.name);
        let mut error: ServerError = ApiError::Forbidden(message)
            .extend()
            .into_server_error(Pos::default());
        error.locations.clear();
        // GraphQL names never start with a digit, so numeric segments are list indices.
        error.path = info
            .path_node
            .to_string_vec()
            .into_iter()
            .map(|segment| match segment.parse::<usize>() {
                Ok(index) => PathSegment::Index(index),
                Err(_) => PathSegment::Field(segment),
            })
            .collect();
        Err(error)
    }
}
