//! The GraphQL schema: one `build_schema` so that tests can execute queries without HTTP.

mod apprenticeship;
pub mod cursor;
pub mod enforce;
pub mod export;
mod follow_up;
mod leaves;
pub mod loaders;
mod mutation;
mod organisation;
mod person;
mod privacy;
mod query;
mod records;

use async_graphql::{EmptySubscription, Schema};
use sea_orm::DatabaseConnection;
use vigo_policy::Gate;

pub use mutation::Mutation;
pub use query::{MAX_PAGE_SIZE, Query};

/// Resolves a field the caller may not read: `null` in the data, and a FORBIDDEN error at the
/// field's path. (An error returned by a resolver would drop the field from the data instead
/// of nulling it.)
pub(crate) fn denied(ctx: &async_graphql::Context<'_>, field: &str) -> Option<bool> {
    use async_graphql::ErrorExtensions;
    let error = crate::error::ApiError::Forbidden(format!("not allowed to read {field}"))
        .extend()
        .into_server_error(ctx.item.pos);
    ctx.add_error(ctx.set_error_path(error));
    None
}

/// Vigo's GraphQL schema.
pub type VigoSchema = Schema<Query, Mutation, EmptySubscription>;

/// Deepest nesting of data fields accepted; deeper queries are refused before any database
/// work (see [`enforce::Enforced::depth`]).
pub const MAX_DEPTH: usize = 12;
/// Deepest nesting of introspection accepted: the standard introspection query of graphql-js
/// (`getIntrospectionQuery()`) reaches 15 through its `ofType` chain.
pub const MAX_INTROSPECTION_DEPTH: usize = 20;
/// Largest query complexity accepted (each field counts 1).
pub const MAX_COMPLEXITY: usize = 1_000;

/// Builds the schema over a database connection and the policy gate. Each request adds the
/// caller's [`vigo_policy::Subject`] and [`vigo_policy::Access`], and fresh loaders scoped
/// by it; its document has been through [`enforce::enforce`].
pub fn build_schema(db: DatabaseConnection, gate: Gate, cursors: cursor::CursorKey) -> VigoSchema {
    Schema::build(Query, Mutation, EmptySubscription)
        .data(crate::denials::DenialQueue::start(db.clone()))
        .data(db)
        .data(gate)
        .data(cursors)
        .limit_depth(MAX_INTROSPECTION_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        // "Did you mean …" would name fields and types a role cannot see.
        .disable_suggestions()
        .finish()
}

/// The schema in SDL, for partners and `vigo schema`.
pub fn sdl() -> String {
    Schema::build(Query, Mutation, EmptySubscription)
        .finish()
        .sdl()
}
