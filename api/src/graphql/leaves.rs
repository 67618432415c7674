//! A fast path for long lists of small objects. The executor resolves every selected field of
//! every object through a boxed future of its own; for a page of persons with their grades
//! that is thousands of futures per request for values that are already in memory. When the
//! selection on such an object holds nothing but plain scalar fields (no arguments, no
//! directives, no fragments, no sub-selections), [`Leaves`] builds the object's value at once;
//! any other selection goes through the object's usual resolvers. Field masks are unaffected:
//! a denied field arrives here rewritten to `__denied(field: …)`, which has an argument and so
//! always takes the usual path.

use std::borrow::Cow;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection};
use async_graphql::registry::Registry;
use async_graphql::{ContextSelectionSet, OutputType, Positioned, ServerResult, Value};

/// An object whose scalar fields can be read without the executor.
pub trait LeafFields: OutputType {
    /// The value of scalar field `name` (as named in the schema), or `None` when `name` is
    /// not one of the fields this fast path serves.
    fn leaf(&self, name: &str) -> Option<Value>;
}

/// A list item resolved at once when only scalar fields of it are selected.
pub struct Leaves<T>(pub T);

impl<T: LeafFields> Leaves<T> {
    /// The object's value, when every selection is a plain scalar field this path serves.
    fn at_once(&self, ctx: &ContextSelectionSet<'_>) -> Option<Value> {
        let items = &ctx.item.node.items;
        let mut object = IndexMap::with_capacity(items.len());
        for selection in items {
            let Selection::Field(field) = &selection.node else {
                return None;
            };
            let field = &field.node;
            if !field.arguments.is_empty()
                || !field.directives.is_empty()
                || !field.selection_set.node.items.is_empty()
            {
                return None;
            }
            let value = match field.name.node.as_str() {
                "__typename" => Value::String(T::type_name().into_owned()),
                name => self.0.leaf(name)?,
            };
            // A key selected twice is merged by the executor; leave that to it.
            if object
                .insert(field.response_key().node.clone(), value)
                .is_some()
            {
                return None;
            }
        }
        Some(Value::Object(object))
    }
}

impl<T: LeafFields> OutputType for Leaves<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn qualified_type_name() -> String {
        T::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        match self.at_once(ctx) {
            Some(value) => Ok(value),
            None => self.0.resolve(ctx, field).await,
        }
    }
}
