//! The GraphQL schema: one `build_schema` so that tests can execute queries without HTTP.

mod apprenticeship;
pub mod codes;
pub mod cursor;
pub mod enforce;
pub mod export;
mod follow_up;
mod intake;
mod leaves;
pub mod loaders;
mod mutation;
mod organisation;
mod person;
mod policy_review;
mod privacy;
mod proof;
mod query;
mod records;
pub mod scalars;
mod statistics;

use async_graphql::{EmptySubscription, Schema};
use sea_orm::DatabaseConnection;
use vigo_policy::Gate;

pub use enforce::LIST_BOUND;
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

/// What one request may cost. A document is refused before anything runs when its
/// estimate exceeds the limits; a response is refused as it is built when it turns out
/// larger, so the memory a request holds stays bounded either way.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Values a response may hold by the estimate made before execution
    /// ([`enforce::Enforced::estimated_values`]: lists by their page size or
    /// [`enforce::LIST_BOUND`]).
    pub estimated_values: u64,
    /// Values (fields and list items) a response may hold as it is built.
    pub values: u64,
    /// Bytes of a serialized response.
    pub response_bytes: usize,
}

impl Default for Limits {
    /// A 100-person page of whole records is inside the estimate (about 550 000), and what
    /// it really holds well inside the count; a response of 250 000 values is a few
    /// megabytes. The estimate counts lists at their most, the count what is there.
    fn default() -> Self {
        Limits {
            estimated_values: 1_000_000,
            values: 250_000,
            response_bytes: 16 * 1024 * 1024,
        }
    }
}

/// Builds the schema over a database connection and the policy gate. Each request adds the
/// caller's [`vigo_policy::Subject`] and [`vigo_policy::Access`], and fresh loaders scoped
/// by it; its document has been through [`enforce::enforce`].
pub fn build_schema(
    db: DatabaseConnection,
    gate: Gate,
    cursors: cursor::CursorKey,
    limits: Limits,
) -> VigoSchema {
    Schema::build(Query, Mutation, EmptySubscription)
        .override_output_type_description::<query::PersonConnection>(PERSON_CONNECTION)
        .data(crate::denials::DenialQueue::start(db.clone()))
        .data(db)
        .data(gate)
        .data(cursors)
        .limit_depth(MAX_INTROSPECTION_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        // "Did you mean …" would name fields and types a role cannot see.
        .disable_suggestions()
        .extension(ClientErrors)
        .extension(Budget(limits.values))
        .finish()
}

/// Counts the values a response holds as it is built (every field and every list item) and
/// stops at the limit: the response is then one `RESPONSE_TOO_LARGE` error, and nothing
/// past the limit is resolved. Lists longer than the estimate assumed end here.
struct Budget(u64);

impl async_graphql::extensions::ExtensionFactory for Budget {
    fn create(&self) -> std::sync::Arc<dyn async_graphql::extensions::Extension> {
        std::sync::Arc::new(Spent {
            limit: self.0,
            values: std::sync::atomic::AtomicU64::new(0),
        })
    }
}

/// One request's count against its [`Budget`].
struct Spent {
    limit: u64,
    values: std::sync::atomic::AtomicU64,
}

impl Spent {
    fn exceeded(&self) -> bool {
        self.values.load(std::sync::atomic::Ordering::Relaxed) > self.limit
    }

    fn too_large(&self) -> async_graphql::ServerError {
        let mut error = async_graphql::ServerError::new(
            format!(
                "the response would hold more than {} values; ask for fewer fields or smaller pages",
                self.limit
            ),
            None,
        );
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", "RESPONSE_TOO_LARGE");
        error
    }
}

#[async_trait::async_trait]
impl async_graphql::extensions::Extension for Spent {
    async fn resolve(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        info: async_graphql::extensions::ResolveInfo<'_>,
        next: async_graphql::extensions::NextResolve<'_>,
    ) -> async_graphql::ServerResult<Option<async_graphql::Value>> {
        let spent = self
            .values
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if spent >= self.limit {
            return Err(self.too_large());
        }
        next.run(ctx, info).await
    }

    async fn execute(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: async_graphql::extensions::NextExecute<'_>,
    ) -> async_graphql::Response {
        let response = next.run(ctx, operation_name).await;
        if self.exceeded() {
            return async_graphql::Response::from_errors(vec![self.too_large()]);
        }
        response
    }
}

/// Marks the errors of a document that does not parse or validate (an unknown field, a
/// value of the wrong type, a date that is not a date, an unknown enum value) as the
/// client's: `extensions.code = "BAD_USER_INPUT"`, like every other invalid input. Their
/// messages name the argument or field.
struct ClientErrors;

impl async_graphql::extensions::ExtensionFactory for ClientErrors {
    fn create(&self) -> std::sync::Arc<dyn async_graphql::extensions::Extension> {
        std::sync::Arc::new(ClientErrors)
    }
}

fn bad_user_input(mut error: async_graphql::ServerError) -> async_graphql::ServerError {
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", "BAD_USER_INPUT");
    error
}

#[async_trait::async_trait]
impl async_graphql::extensions::Extension for ClientErrors {
    async fn parse_query(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        query: &str,
        variables: &async_graphql::Variables,
        next: async_graphql::extensions::NextParseQuery<'_>,
    ) -> async_graphql::ServerResult<async_graphql::parser::types::ExecutableDocument> {
        next.run(ctx, query, variables)
            .await
            .map_err(bad_user_input)
    }

    /// Input that only turns out invalid as the operation runs (a variable of the wrong type
    /// or form, a value a validator refuses) fails without a code of Vigo's: every error Vigo
    /// raises carries one.
    async fn execute(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: async_graphql::extensions::NextExecute<'_>,
    ) -> async_graphql::Response {
        let mut response = next.run(ctx, operation_name).await;
        for error in &mut response.errors {
            let coded = error
                .extensions
                .as_ref()
                .is_some_and(|e| e.get("code").is_some());
            if !coded {
                *error = bad_user_input(error.clone());
            }
        }
        response
    }

    async fn validation(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        next: async_graphql::extensions::NextValidation<'_>,
    ) -> Result<async_graphql::ValidationResult, Vec<async_graphql::ServerError>> {
        next.run(ctx)
            .await
            .map_err(|errors| errors.into_iter().map(bad_user_input).collect())
    }
}

/// The schema in SDL, for partners and `vigo schema`.
pub fn sdl() -> String {
    Schema::build(Query, Mutation, EmptySubscription)
        .override_output_type_description::<query::PersonConnection>(PERSON_CONNECTION)
        .finish()
        .sdl()
}

/// The description of async-graphql's connection type for persons, which no doc comment reaches.
const PERSON_CONNECTION: &str = "A page of persons (a Relay connection): edges with opaque cursors, page information and the total count.";
