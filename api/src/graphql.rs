//! The GraphQL schema: one `build_schema` so that tests can execute queries without HTTP.

mod person;
mod query;

use async_graphql::{EmptyMutation, EmptySubscription, Schema};
use sea_orm::DatabaseConnection;
use vigo_policy::Gate;

pub use query::Query;

/// Vigo's GraphQL schema.
pub type VigoSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// Deepest query accepted; deeper ones are refused before any database work.
pub const MAX_DEPTH: usize = 12;
/// Largest query complexity accepted.
pub const MAX_COMPLEXITY: usize = 2_000;

/// Builds the schema over a database connection and the policy gate. The caller's
/// [`vigo_policy::Subject`] is added to each request.
pub fn build_schema(db: DatabaseConnection, gate: Gate) -> VigoSchema {
    Schema::build(Query, EmptyMutation, EmptySubscription)
        .data(db)
        .data(gate)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .finish()
}
