//! The GraphQL schema: one `build_schema` so that tests can execute queries without HTTP.

mod apprenticeship;
mod follow_up;
pub mod guard;
pub mod loaders;
mod mutation;
mod organisation;
mod person;
mod query;
mod records;

use async_graphql::{EmptySubscription, Schema};
use sea_orm::DatabaseConnection;
use vigo_policy::Gate;

pub use mutation::Mutation;
pub use query::{MAX_PAGE_SIZE, Query};

/// Vigo's GraphQL schema.
pub type VigoSchema = Schema<Query, Mutation, EmptySubscription>;

/// Deepest query accepted; deeper ones are refused before any database work.
pub const MAX_DEPTH: usize = 12;
/// Largest query complexity accepted (each field counts 1).
pub const MAX_COMPLEXITY: usize = 1_000;

/// Builds the schema over a database connection and the policy gate. Each request adds the
/// caller's [`vigo_policy::Subject`], its [`guard::CallerFields`] and fresh loaders.
pub fn build_schema(db: DatabaseConnection, gate: Gate) -> VigoSchema {
    Schema::build(Query, Mutation, EmptySubscription)
        .data(db)
        .data(gate)
        .extension(guard::FieldGuard)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .finish()
}

/// The same schema without the field guard, for callers whose compiled mask allows every
/// field: for them the guard would pass every field, and skipping it saves async-graphql's
/// per-field extension machinery (about a third of the time of a large page).
pub fn build_unguarded_schema(db: DatabaseConnection, gate: Gate) -> VigoSchema {
    Schema::build(Query, Mutation, EmptySubscription)
        .data(db)
        .data(gate)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .finish()
}

/// The schema in SDL, for partners and `vigo schema`.
pub fn sdl() -> String {
    Schema::build(Query, Mutation, EmptySubscription)
        .finish()
        .sdl()
}
