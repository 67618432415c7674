//! A fast path for long lists of small objects. The executor resolves every item of a list,
//! and every selected field of every item, through a future of its own; for a page of
//! persons with their grades that is thousands of futures per request for values already in
//! memory. When the selection on the items holds nothing but plain scalar fields (no
//! arguments, no directives, no fragments, no sub-selections), [`LeafList`] builds the whole
//! list at once; any other selection goes through the items' usual resolvers. Field masks are
//! unaffected: a denied field arrives here rewritten to `__denied(field: …)`, which has an
//! argument and so always takes the usual path.

use std::borrow::Cow;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection};
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::resolve_list;
use async_graphql::{ContextSelectionSet, Name, OutputType, Positioned, ServerResult, Value};

/// An object whose scalar fields can be read without the executor.
pub trait LeafFields: OutputType {
    /// The value of scalar field `name` (as named in the schema), or `None` when `name` is
    /// not one of the fields this fast path serves.
    fn leaf(&self, name: &str) -> Option<Value>;
}

/// A list whose items are built at once when only their scalar fields are selected; in the
/// schema, exactly a list of `T`.
pub struct LeafList<T>(pub Vec<T>);

/// The selected fields as (response key, field name), when every selection is a plain scalar
/// field; keys selected twice are left to the executor, which merges them.
fn plain_fields<'a>(ctx: &'a ContextSelectionSet<'_>) -> Option<Vec<(&'a Name, &'a str)>> {
    let items = &ctx.item.node.items;
    let mut fields = Vec::with_capacity(items.len());
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
        let key = &field.response_key().node;
        if fields.iter().any(|(k, _)| *k == key) {
            return None;
        }
        fields.push((key, field.name.node.as_str()));
    }
    Some(fields)
}

impl<T: LeafFields> LeafList<T> {
    /// The list's value, when every selected field is one the items serve.
    fn at_once(&self, fields: &[(&Name, &str)]) -> Option<Value> {
        let mut list = Vec::with_capacity(self.0.len());
        for item in &self.0 {
            let mut object = IndexMap::with_capacity(fields.len());
            for (key, name) in fields {
                let value = match *name {
                    "__typename" => Value::String(T::type_name().into_owned()),
                    name => item.leaf(name)?,
                };
                object.insert((*key).clone(), value);
            }
            list.push(Value::Object(object));
        }
        Some(Value::List(list))
    }
}

impl<T: LeafFields> OutputType for LeafList<T> {
    fn type_name() -> Cow<'static, str> {
        Vec::<T>::type_name()
    }

    fn qualified_type_name() -> String {
        Vec::<T>::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        Vec::<T>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        if let Some(value) = plain_fields(ctx).and_then(|fields| self.at_once(&fields)) {
            return Ok(value);
        }
        resolve_list(ctx, field, &self.0, Some(self.0.len())).await
    }
}
