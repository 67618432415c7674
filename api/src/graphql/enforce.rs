//! Central field-level enforcement, decided once per request on the query document.
//!
//! Before execution the document is walked with the schema's types, and every selection of
//! a field the caller's mask denies is rewritten to `key: __denied(field: "Type.field")`,
//! which resolves to `null` with a FORBIDDEN error at the same response path. Execution then
//! runs without any per-field check, so enforcement costs one walk of the (small) document,
//! not a check per resolved value. Fields the catalog does not classify are denied on every
//! data type; roots and connection plumbing are governed by the row scope in the resolvers.
//!
//! Introspection is filtered the same way: `__Type` selections get the type's and its fields'
//! names added under private aliases, and fields the caller can never read are removed from
//! the result, so each role's introspection shows only what it may read.

use std::collections::{BTreeSet, HashMap, HashSet};

use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, Field, OperationType, Selection,
    SelectionSet, TypeKind, TypeSystemDefinition,
};
use async_graphql::parser::{Pos, Positioned};
use async_graphql::{Name, Value};
use vigo_policy::catalog;
use vigo_policy::{Action, FieldMask, Grant};

/// The name of the field denied selections are rewritten to.
pub const DENIED_FIELD: &str = "__denied";
const TYPE_NAME_ALIAS: &str = "vigoIntrospectedType";
const FIELD_NAME_ALIAS: &str = "vigoIntrospectedField";

/// Field → return type, per object type of the schema (read once from its SDL).
#[derive(Clone, Debug, Default)]
pub struct TypeMap {
    fields: HashMap<String, HashMap<String, String>>,
}

impl TypeMap {
    /// Reads the types of `sdl`. Enforcement is only as good as this map, so an SDL that does
    /// not parse is an error, never an empty map.
    pub fn from_sdl(sdl: &str) -> Result<Self, String> {
        let mut fields: HashMap<String, HashMap<String, String>> = HashMap::new();
        let document = async_graphql::parser::parse_schema(sdl)
            .map_err(|e| format!("the schema's SDL does not parse: {e}"))?;
        for definition in document.definitions {
            if let TypeSystemDefinition::Type(ty) = definition {
                let ty = ty.node;
                let object_fields = match ty.kind {
                    TypeKind::Object(object) => object.fields,
                    TypeKind::Interface(interface) => interface.fields,
                    _ => continue,
                };
                let entry = fields.entry(ty.name.node.to_string()).or_default();
                for field in object_fields {
                    let field = field.node;
                    entry.insert(field.name.node.to_string(), base_name(&field.ty.node.base));
                }
            }
        }
        if !fields.contains_key("Query") || !fields.contains_key("Person") {
            return Err("the schema's SDL lacks Query or Person".into());
        }
        // Introspection's own types, which the SDL leaves out.
        let introspection: &[(&str, &[(&str, &str)])] = &[
            ("Query", &[("__schema", "__Schema"), ("__type", "__Type")]),
            (
                "__Schema",
                &[
                    ("types", "__Type"),
                    ("queryType", "__Type"),
                    ("mutationType", "__Type"),
                    ("subscriptionType", "__Type"),
                    ("directives", "__Directive"),
                ],
            ),
            (
                "__Type",
                &[
                    ("fields", "__Field"),
                    ("interfaces", "__Type"),
                    ("possibleTypes", "__Type"),
                    ("enumValues", "__EnumValue"),
                    ("inputFields", "__InputValue"),
                    ("ofType", "__Type"),
                ],
            ),
            ("__Field", &[("args", "__InputValue"), ("type", "__Type")]),
            ("__InputValue", &[("type", "__Type")]),
            ("__Directive", &[("args", "__InputValue")]),
        ];
        for (ty, members) in introspection {
            let entry = fields.entry((*ty).to_owned()).or_default();
            for (field, returns) in *members {
                entry.insert((*field).to_owned(), (*returns).to_owned());
            }
        }
        Ok(TypeMap { fields })
    }

    /// The fields of an object type with the types they return, sorted by name.
    pub fn fields_of(&self, type_name: &str) -> Vec<(String, String)> {
        let mut fields: Vec<(String, String)> = self
            .fields
            .get(type_name)
            .into_iter()
            .flatten()
            .map(|(f, t)| (f.clone(), t.clone()))
            .collect();
        fields.sort();
        fields
    }

    /// The object types the schema's data fields live on (not roots, plumbing or
    /// introspection), sorted.
    pub fn data_types(&self) -> Vec<String> {
        let mut types: Vec<String> = self
            .fields
            .keys()
            .filter(|t| Self::is_data_type(t))
            .cloned()
            .collect();
        types.sort();
        types
    }

    fn returns(&self, type_name: &str, field: &str) -> Option<&str> {
        self.fields
            .get(type_name)
            .and_then(|f| f.get(field))
            .map(String::as_str)
    }

    /// Object types that hold data (not roots, plumbing or introspection).
    fn is_data_type(type_name: &str) -> bool {
        !type_name.starts_with("__") && !catalog::STRUCTURAL_TYPES.contains(&type_name)
    }
}

fn base_name(base: &BaseType) -> String {
    match base {
        BaseType::Named(name) => name.to_string(),
        BaseType::List(inner) => base_name(&inner.base),
    }
}

/// A selection of every field reachable from `type_name` that `include` accepts, not
/// re-entering a type already on the path (the schema's cycles, e.g. organisation →
/// training office → organisation): the whole record, for subject access exports and the
/// leak tests.
pub fn select_all(
    types: &TypeMap,
    type_name: &str,
    include: &dyn Fn(&str, &str) -> bool,
) -> String {
    fn walk(
        types: &TypeMap,
        type_name: &str,
        include: &dyn Fn(&str, &str) -> bool,
        path: &mut Vec<String>,
    ) -> String {
        path.push(type_name.to_owned());
        let mut parts = Vec::new();
        for (field, returns) in types.fields_of(type_name) {
            if !include(type_name, &field) {
                continue;
            }
            if types.fields_of(&returns).is_empty() {
                parts.push(field);
            } else if !path.contains(&returns) {
                let nested = walk(types, &returns, include, path);
                if !nested.is_empty() {
                    parts.push(format!("{field} {{ {nested} }}"));
                }
            }
        }
        path.pop();
        parts.join(" ")
    }
    walk(types, type_name, include, &mut Vec::new())
}

/// What a request's caller may see, for enforcement and introspection.
#[derive(Clone, Copy)]
pub struct Visibility<'a> {
    pub fields: &'a FieldMask,
    pub grant: Option<&'a Grant>,
    pub persons: bool,
    pub organisations: bool,
}

impl Visibility<'_> {
    /// Whether `type_name.field` may be read: data fields by the mask (unclassified ones
    /// never), roots by what the policy grants.
    pub fn allows(&self, type_name: &str, field: &str) -> bool {
        match type_name {
            "Query" => match field {
                "me" | "person" | "persons" => self.persons,
                "organisation" => self.organisations,
                "policy" | "policyChanges" => self.may("policy", Action::Read),
                "denials" | "auditEvents" => self.may("audit_trail", Action::Read),
                _ => false,
            },
            "Mutation" => match field {
                "replacePolicy" => self.may("policy", Action::Write),
                _ => self.may("mutations", Action::Write),
            },
            _ if TypeMap::is_data_type(type_name) => self.fields.allows(type_name, field),
            _ => true,
        }
    }

    fn may(&self, resource: &'static str, action: Action) -> bool {
        self.grant.is_some_and(|g| g.may(resource, action))
    }
}

/// What the walk found.
#[derive(Debug, Default)]
pub struct Enforced {
    /// `Type.field` of every denied selection, once each.
    pub denied: Vec<String>,
    /// Whether the document asks for introspection (its result must be filtered).
    pub introspection: bool,
    /// Data categories of the allowed fields selected, sorted, for the audit trail.
    pub categories: Vec<String>,
    /// The root fields selected, as `Query.persons`, sorted.
    pub operations: Vec<String>,
    /// Selections of `Query.person` anywhere in the document: an upper bound on the
    /// look-ups the request can make, known before any runs.
    pub person_lookups: usize,
}

/// Rewrites denied selections in `document` (see the module documentation).
pub fn enforce(document: &mut ExecutableDocument, types: &TypeMap, mask: &FieldMask) -> Enforced {
    let mut walk = Walk {
        types,
        mask,
        denied: HashSet::new(),
        introspection: false,
        categories: BTreeSet::new(),
        person_lookups: 0,
    };
    let mut roots = BTreeSet::new();
    let operations: Vec<_> = match &mut document.operations {
        DocumentOperations::Single(op) => vec![op],
        DocumentOperations::Multiple(ops) => ops.values_mut().collect(),
    };
    for operation in operations {
        let root = match operation.node.ty {
            OperationType::Query => "Query",
            OperationType::Mutation => "Mutation",
            OperationType::Subscription => "Subscription",
        };
        for item in &operation.node.selection_set.node.items {
            if let Selection::Field(field) = &item.node {
                roots.insert(format!("{root}.{}", field.node.name.node));
            }
        }
        walk.selection_set(root, &mut operation.node.selection_set.node);
    }
    for fragment in document.fragments.values_mut() {
        let on = fragment.node.type_condition.node.on.node.to_string();
        walk.selection_set(&on, &mut fragment.node.selection_set.node);
    }
    let mut denied: Vec<String> = walk.denied.into_iter().collect();
    denied.sort();
    Enforced {
        denied,
        introspection: walk.introspection,
        categories: walk.categories.into_iter().map(str::to_owned).collect(),
        operations: roots.into_iter().collect(),
        person_lookups: walk.person_lookups,
    }
}

struct Walk<'a> {
    types: &'a TypeMap,
    mask: &'a FieldMask,
    denied: HashSet<String>,
    introspection: bool,
    categories: BTreeSet<&'static str>,
    person_lookups: usize,
}

impl Walk<'_> {
    fn selection_set(&mut self, parent: &str, set: &mut SelectionSet) {
        let mut asks_fields = false;
        for item in &mut set.items {
            match &mut item.node {
                Selection::Field(field) => {
                    if parent == "__Type" && field.node.name.node == "fields" {
                        asks_fields = true;
                    }
                    self.field(parent, &mut field.node);
                }
                Selection::InlineFragment(fragment) => {
                    let on = fragment
                        .node
                        .type_condition
                        .as_ref()
                        .map(|c| c.node.on.node.to_string())
                        .unwrap_or_else(|| parent.to_owned());
                    self.selection_set(&on, &mut fragment.node.selection_set.node);
                }
                // Fragment definitions are walked on their own, with their type condition.
                Selection::FragmentSpread(_) => {}
            }
        }
        match parent {
            "__Type" if asks_fields || has_fragments(set) => {
                set.items.push(name_selection(TYPE_NAME_ALIAS));
            }
            "__Field" => set.items.push(name_selection(FIELD_NAME_ALIAS)),
            _ => {}
        }
    }

    fn field(&mut self, parent: &str, field: &mut Field) {
        let name = field.name.node.to_string();
        if name == "__typename" {
            return;
        }
        if name == "__schema" || name == "__type" {
            self.introspection = true;
        }
        if parent == "Query" && name == "person" {
            self.person_lookups += 1;
        }
        let denied = TypeMap::is_data_type(parent)
            && self.types.returns(parent, &name).is_some()
            && !self.mask.allows(parent, &name);
        if denied {
            let qualified = format!("{parent}.{name}");
            let pos = field.name.pos;
            if field.alias.is_none() {
                field.alias = Some(Positioned::new(Name::new(&name), pos));
            }
            field.name = Positioned::new(Name::new(DENIED_FIELD), pos);
            field.arguments = vec![(
                Positioned::new(Name::new("field"), pos),
                Positioned::new(async_graphql_value::Value::String(qualified.clone()), pos),
            )];
            field.selection_set = Positioned::new(SelectionSet::default(), pos);
            self.denied.insert(qualified);
            return;
        }
        if let Some(category) = catalog::category_of(parent, &name) {
            self.categories.insert(category.code());
        }
        if let Some(returns) = self.types.returns(parent, &name).map(str::to_owned) {
            self.selection_set(&returns, &mut field.selection_set.node);
        }
    }
}

fn has_fragments(set: &SelectionSet) -> bool {
    set.items
        .iter()
        .any(|i| !matches!(i.node, Selection::Field(_)))
}

fn name_selection(alias: &str) -> Positioned<Selection> {
    let pos = Pos::default();
    Positioned::new(
        Selection::Field(Positioned::new(
            Field {
                alias: Some(Positioned::new(Name::new(alias), pos)),
                name: Positioned::new(Name::new("name"), pos),
                arguments: Vec::new(),
                directives: Vec::new(),
                selection_set: Positioned::new(SelectionSet::default(), pos),
            },
            pos,
        )),
        pos,
    )
}

/// Removes from an introspection result every field the caller can never read, and types
/// left with no field, then the private aliases the walk added.
pub fn filter_introspection(value: &mut Value, visibility: &Visibility<'_>) {
    let mut hidden_types = HashSet::new();
    filter_value(value, visibility, &mut hidden_types);
    drop_hidden_types(value, &hidden_types);
}

fn filter_value(value: &mut Value, visibility: &Visibility<'_>, hidden: &mut HashSet<String>) {
    match value {
        Value::List(items) => {
            for item in items {
                filter_value(item, visibility, hidden);
            }
        }
        Value::Object(object) => {
            let type_name = match object.shift_remove(TYPE_NAME_ALIAS) {
                Some(Value::String(name)) => Some(name),
                _ => None,
            };
            for (_, member) in object.iter_mut() {
                if let (Some(type_name), Value::List(items)) = (&type_name, &mut *member) {
                    let is_field_list = items
                        .iter()
                        .any(|i| matches!(i, Value::Object(o) if o.contains_key(FIELD_NAME_ALIAS)));
                    if is_field_list {
                        items.retain(|item| match item {
                            Value::Object(o) => match o.get(FIELD_NAME_ALIAS) {
                                Some(Value::String(field)) => visibility.allows(type_name, field),
                                _ => true,
                            },
                            _ => true,
                        });
                        if items.is_empty() {
                            hidden.insert(type_name.clone());
                        }
                    }
                }
                filter_value(member, visibility, hidden);
            }
            object.shift_remove(FIELD_NAME_ALIAS);
        }
        _ => {}
    }
}

/// Drops types that have no visible field from lists of types.
fn drop_hidden_types(value: &mut Value, hidden: &HashSet<String>) {
    match value {
        Value::List(items) => {
            items.retain(|item| match item {
                Value::Object(o) => match o.get("name") {
                    Some(Value::String(name)) => {
                        !(hidden.contains(name)
                            && matches!(o.get("kind"), Some(Value::Enum(k)) if k.as_str() == "OBJECT"))
                    }
                    _ => true,
                },
                _ => true,
            });
            for item in items {
                drop_hidden_types(item, hidden);
            }
        }
        Value::Object(object) => {
            for (_, member) in object.iter_mut() {
                drop_hidden_types(member, hidden);
            }
        }
        _ => {}
    }
}

/// The schema's SDL with only what `visibility` allows: fields it can never read are left
/// out, and so are object types left without fields.
pub fn filter_sdl(sdl: &str, visibility: &Visibility<'_>) -> String {
    // async-graphql writes definitions as blank-line separated chunks: an optional `"""`
    // description, then `type Name {`, one entry per field indented by a tab (a description,
    // the field line, argument lines indented further), and `}`.
    let mut kept_chunks: Vec<String> = Vec::new();
    let mut dropped_types: HashSet<String> = HashSet::new();
    for chunk in sdl.split("\n\n") {
        let lines: Vec<&str> = chunk.lines().collect();
        let Some(open) = lines.iter().position(|l| l.starts_with("type ")) else {
            kept_chunks.push(chunk.to_owned());
            continue;
        };
        let type_name = lines[open]["type ".len()..]
            .split([' ', '{'])
            .next()
            .unwrap_or_default()
            .to_owned();
        let mut out: Vec<&str> = lines[..=open].to_vec();
        let mut kept = 0;
        let mut i = open + 1;
        while i < lines.len() {
            let line = lines[i];
            if !line.starts_with('\t') {
                out.push(line);
                i += 1;
                continue;
            }
            // One field entry: description, field line, continuation lines.
            let start = i;
            if line.trim_start() == "\"\"\"" || line.starts_with("\t\"\"\"") {
                let single_line = line.trim().len() > 6 && line.trim().ends_with("\"\"\"");
                i += 1;
                if !single_line {
                    while i < lines.len() && lines[i].trim() != "\"\"\"" {
                        i += 1;
                    }
                    i += 1;
                }
            }
            let field_line = lines.get(i).copied().unwrap_or_default();
            i += 1;
            while i < lines.len() && (lines[i].starts_with("\t\t") || lines[i].starts_with("\t)")) {
                i += 1;
            }
            let field = field_line
                .trim_start()
                .split(['(', ':', ' '])
                .next()
                .unwrap_or_default();
            if visibility.allows(&type_name, field) {
                out.extend_from_slice(&lines[start..i]);
                kept += 1;
            }
        }
        if kept > 0 || type_name == "Query" {
            kept_chunks.push(out.join("\n"));
        } else {
            dropped_types.insert(type_name);
        }
    }
    let mut sdl = kept_chunks.join("\n\n");
    for dropped in &dropped_types {
        sdl = sdl.replace(&format!("\tmutation: {dropped}\n"), "");
    }
    sdl
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types() -> TypeMap {
        TypeMap::from_sdl(&super::super::sdl()).unwrap()
    }

    fn rewrite(query: &str, mask: &FieldMask) -> (String, Enforced) {
        let mut document = async_graphql::parser::parse_query(query).unwrap();
        let found = enforce(&mut document, &types(), mask);
        (format!("{document:?}"), found)
    }

    #[test]
    fn denied_fields_are_rewritten_everywhere_they_are_selected() {
        let mask = FieldMask::of(
            catalog::FIELDS
                .iter()
                .filter(|f| f.type_name == "Person" && f.field == "givenName"),
        );
        let (doc, found) = rewrite(
            "query { persons { edges { node { givenName familyName ...F ... on Person { birthDate } } } } }
             fragment F on Person { contact { email } }",
            &mask,
        );
        assert_eq!(
            found.denied,
            ["Person.birthDate", "Person.contact", "Person.familyName"]
        );
        assert!(doc.contains("__denied") && !doc.contains("email"), "{doc}");
        assert!(!found.introspection);
    }

    #[test]
    fn unknown_fields_are_left_for_validation_and_allowed_ones_untouched() {
        let (_, found) = rewrite(
            "{ person(nationalId: \"1\") { shoeSize givenName } }",
            &FieldMask::everything(),
        );
        assert!(found.denied.is_empty());
    }
}
