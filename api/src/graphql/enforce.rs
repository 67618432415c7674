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
    BaseType, DocumentOperations, ExecutableDocument, Field, FragmentDefinition, OperationType,
    Selection, SelectionSet, TypeKind, TypeSystemDefinition,
};
use async_graphql::parser::{Pos, Positioned};
use async_graphql::{Name, Value};
use vigo_policy::catalog;
use vigo_policy::{FieldMask, Grant};

/// The name of the field denied selections are rewritten to.
pub const DENIED_FIELD: &str = "__denied";
const TYPE_NAME_ALIAS: &str = "vigoIntrospectedType";
const FIELD_NAME_ALIAS: &str = "vigoIntrospectedField";

/// The schema's types, read once from its SDL: per object type, field → return type; the
/// types each field's arguments and each input object's fields take; and the leaf types.
#[derive(Clone, Debug, Default)]
pub struct TypeMap {
    fields: HashMap<String, HashMap<String, String>>,
    arguments: HashMap<(String, String), Vec<String>>,
    inputs: HashMap<String, Vec<String>>,
    leaves: HashSet<String>,
    /// `(type, field)` of the data fields that return lists.
    lists: HashSet<(String, String)>,
}

impl TypeMap {
    /// Reads the types of `sdl`. Enforcement is only as good as this map, so an SDL that does
    /// not parse is an error, never an empty map.
    pub fn from_sdl(sdl: &str) -> Result<Self, String> {
        let mut map = TypeMap::default();
        let document = async_graphql::parser::parse_schema(sdl)
            .map_err(|e| format!("the schema's SDL does not parse: {e}"))?;
        for definition in document.definitions {
            let TypeSystemDefinition::Type(ty) = definition else {
                continue;
            };
            let ty = ty.node;
            let name = ty.name.node.to_string();
            let object_fields = match ty.kind {
                TypeKind::Object(object) => object.fields,
                TypeKind::Interface(interface) => interface.fields,
                TypeKind::InputObject(input) => {
                    let types = input
                        .fields
                        .iter()
                        .map(|f| base_name(&f.node.ty.node.base))
                        .collect();
                    map.inputs.insert(name, types);
                    continue;
                }
                TypeKind::Scalar | TypeKind::Enum(_) => {
                    map.leaves.insert(name);
                    continue;
                }
                TypeKind::Union(_) => {
                    return Err(format!("union {name}: enforcement does not know unions"));
                }
            };
            let entry = map.fields.entry(name.clone()).or_default();
            for field in object_fields {
                let field = field.node;
                let field_name = field.name.node.to_string();
                entry.insert(field_name.clone(), base_name(&field.ty.node.base));
                if matches!(field.ty.node.base, BaseType::List(_)) {
                    map.lists.insert((name.clone(), field_name.clone()));
                }
                let arguments: Vec<String> = field
                    .arguments
                    .iter()
                    .map(|a| base_name(&a.node.ty.node.base))
                    .collect();
                if !arguments.is_empty() {
                    map.arguments.insert((name.clone(), field_name), arguments);
                }
            }
        }
        if !map.fields.contains_key("Query") || !map.fields.contains_key("Person") {
            return Err("the schema's SDL lacks Query or Person".into());
        }
        map.leaves
            .extend(BUILT_IN_SCALARS.iter().map(|s| (*s).to_owned()));
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
            let entry = map.fields.entry((*ty).to_owned()).or_default();
            for (field, returns) in *members {
                entry.insert((*field).to_owned(), (*returns).to_owned());
            }
        }
        Ok(map)
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

/// Scalars every schema has, whatever a role may read.
const BUILT_IN_SCALARS: &[&str] = &["String", "Int", "Float", "Boolean", "ID"];

/// What one grant lets its holder see of the schema: the fields it may read (data fields by
/// the mask, unclassified ones never; root fields by the policy's table of roots), the object
/// types left with a readable field, and every type those reach (arguments and input objects
/// included). What is not reached is absent, so the part of the schema a role sees is a
/// valid schema of its own.
#[derive(Clone, Debug)]
pub struct Visibility {
    types: HashSet<String>,
    fields: HashSet<(String, String)>,
}

impl Visibility {
    /// Decides visibility for `grant` over `types`.
    pub fn of(types: &TypeMap, mask: &FieldMask, grant: &Grant) -> Self {
        let readable = |type_name: &str, field: &str| -> bool {
            if type_name.starts_with("__") {
                return true;
            }
            match type_name {
                "Query" | "Mutation" => grant.opens(&format!("{type_name}.{field}")),
                _ if TypeMap::is_data_type(type_name) => mask.allows(type_name, field),
                _ => true,
            }
        };
        // Object types keep only fields that are readable and return a live type; a type
        // left without fields dies, and so do the fields returning it, until nothing changes.
        let mut alive: HashSet<&str> = types.fields.keys().map(String::as_str).collect();
        loop {
            let dead: Vec<&str> = alive
                .iter()
                .copied()
                .filter(|t| {
                    !types.fields[*t].iter().any(|(field, returns)| {
                        readable(t, field)
                            && (types.leaves.contains(returns) || alive.contains(returns.as_str()))
                    })
                })
                .collect();
            if dead.is_empty() {
                break;
            }
            for t in dead {
                alive.remove(t);
            }
        }
        let shown = |t: &str, field: &str, returns: &str| {
            readable(t, field) && (types.leaves.contains(returns) || alive.contains(returns))
        };
        // What the roots reach through shown fields, their arguments and input objects.
        let mut visible: HashSet<String> =
            BUILT_IN_SCALARS.iter().map(|s| (*s).to_owned()).collect();
        let mut fields = HashSet::new();
        let mut pending: Vec<String> = ["Query", "Mutation"]
            .into_iter()
            .filter(|root| alive.contains(root))
            .map(str::to_owned)
            .collect();
        while let Some(type_name) = pending.pop() {
            if !visible.insert(type_name.clone()) {
                continue;
            }
            if let Some(members) = types.fields.get(&type_name) {
                for (field, returns) in members {
                    if field.starts_with("__") || !shown(&type_name, field, returns) {
                        continue;
                    }
                    fields.insert((type_name.clone(), field.clone()));
                    pending.push(returns.clone());
                    if let Some(arguments) =
                        types.arguments.get(&(type_name.clone(), field.clone()))
                    {
                        pending.extend(arguments.iter().cloned());
                    }
                }
            }
            if let Some(input_fields) = types.inputs.get(&type_name) {
                pending.extend(input_fields.iter().cloned());
            }
        }
        Visibility {
            types: visible,
            fields,
        }
    }

    /// Whether `type_name.field` is shown (introspection's own types always are).
    pub fn allows(&self, type_name: &str, field: &str) -> bool {
        type_name.starts_with("__")
            || self
                .fields
                .contains(&(type_name.to_owned(), field.to_owned()))
    }

    /// Whether the type `name` is shown (introspection's own types always are).
    pub fn shows_type(&self, name: &str) -> bool {
        name.starts_with("__") || self.types.contains(name)
    }
}

/// What the walks found.
#[derive(Debug, Default)]
pub struct Enforced {
    /// `Type.field` of every denied selection the executed operation makes, once each.
    pub denied: Vec<String>,
    /// Whether the document asks for introspection (its result must be filtered).
    pub introspection: bool,
    /// Data categories of the allowed fields the executed operation selects, sorted, for the
    /// audit trail.
    pub categories: Vec<String>,
    /// The root fields the executed operation selects (through fragments too), as
    /// `Query.persons`, sorted.
    pub operations: Vec<String>,
    /// Runs of `Query.person` in the executed operation, fragments expanded: the look-ups
    /// the request makes, known before any runs.
    pub person_lookups: u64,
    /// Runs of `Query.subjectExport` and `Query.statistics`, fragments expanded.
    pub subject_exports: u64,
    /// Whether the operation aliases `__typename`, which is not counted as the response is
    /// built.
    pub aliased_typename: bool,
    /// Field selections of the executed operation with every fragment expanded (counted
    /// without expanding, saturating): the work a document asks for, known before any starts.
    pub selections: u64,
    /// Values the response may hold, lists counted by their page size or [`LIST_BOUND`]
    /// (saturating): the size of the answer, known before any work starts.
    pub estimated_values: u64,
    /// Nesting of data fields (a root field is 1), fragments expanded.
    pub depth: usize,
    /// Nesting of introspection (`__schema`, `__type` and what they select), which the
    /// standard introspection query takes deep through `ofType`; limited on its own.
    pub introspection_depth: usize,
    /// Whether the document itself names the private stand-in for denied fields.
    pub forged: bool,
}

/// Rewrites denied selections in `document` (see the module documentation), then reads what
/// the operation that will run (`operation_name`, or the only one) selects, fragments
/// resolved: its root fields, categories, denials, person look-ups and depth. Each fragment is
/// read once, so the work is bounded by the document's size, not by its expansion.
pub fn enforce(
    document: &mut ExecutableDocument,
    types: &TypeMap,
    mask: &FieldMask,
    operation_name: Option<&str>,
    variables: &async_graphql::Variables,
) -> Enforced {
    let mut walk = Walk {
        types,
        mask,
        introspection: false,
        forged: false,
    };
    let operations: Vec<_> = match &mut document.operations {
        DocumentOperations::Single(op) => vec![op],
        DocumentOperations::Multiple(ops) => ops.values_mut().collect(),
    };
    for operation in operations {
        let root = root_type(operation.node.ty);
        walk.selection_set(root, &mut operation.node.selection_set.node);
    }
    for fragment in document.fragments.values_mut() {
        let on = fragment.node.type_condition.node.on.node.to_string();
        walk.selection_set(&on, &mut fragment.node.selection_set.node);
    }
    let executed = match (&document.operations, operation_name) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
        // The executor refuses the request: nothing runs.
        (DocumentOperations::Multiple(_), None) => None,
    };
    let mut reading = Reading {
        types,
        fragments: &document.fragments,
        variables,
        read: HashMap::new(),
        denied: BTreeSet::new(),
        categories: BTreeSet::new(),
        roots: BTreeSet::new(),
        aliased_typename: false,
    };
    let shape = match executed {
        Some(operation) => reading.selection_set(
            root_type(operation.node.ty),
            &operation.node.selection_set.node,
        ),
        None => Shape::default(),
    };
    Enforced {
        denied: reading.denied.into_iter().collect(),
        introspection: walk.introspection,
        categories: reading.categories.into_iter().map(str::to_owned).collect(),
        operations: reading.roots.into_iter().collect(),
        person_lookups: shape.lookups,
        subject_exports: shape.exports,
        aliased_typename: reading.aliased_typename,
        selections: shape.fields,
        estimated_values: shape.values,
        depth: shape.depth,
        introspection_depth: shape.introspection_depth,
        forged: walk.forged,
    }
}

/// The type an inline fragment selects on: its condition, or the enclosing type.
fn type_condition(fragment: &async_graphql::parser::types::InlineFragment, parent: &str) -> String {
    fragment
        .type_condition
        .as_ref()
        .map(|c| c.node.on.node.to_string())
        .unwrap_or_else(|| parent.to_owned())
}

fn root_type(ty: OperationType) -> &'static str {
    match ty {
        OperationType::Query => "Query",
        OperationType::Mutation => "Mutation",
        OperationType::Subscription => "Subscription",
    }
}

struct Walk<'a> {
    types: &'a TypeMap,
    mask: &'a FieldMask,
    introspection: bool,
    forged: bool,
}

impl Walk<'_> {
    fn selection_set(&mut self, parent: &str, set: &mut SelectionSet) {
        for item in &mut set.items {
            match &mut item.node {
                Selection::Field(field) => {
                    self.field(parent, &mut field.node);
                }
                Selection::InlineFragment(fragment) => {
                    let on = type_condition(&fragment.node, parent);
                    self.selection_set(&on, &mut fragment.node.selection_set.node);
                }
                // Fragment definitions are walked on their own, with their type condition.
                Selection::FragmentSpread(_) => {}
            }
        }
        // Introspection's results name their types and fields under private aliases, so
        // that what the caller may not see can be taken out (see `filter_introspection`).
        match parent {
            "__Type" => set.items.push(name_selection(TYPE_NAME_ALIAS)),
            "__Field" => set.items.push(name_selection(FIELD_NAME_ALIAS)),
            _ => {}
        }
    }

    fn field(&mut self, parent: &str, field: &mut Field) {
        let name = field.name.node.to_string();
        if name == "__typename" {
            return;
        }
        if name == DENIED_FIELD {
            self.forged = true;
            return;
        }
        if name == "__schema" || name == "__type" {
            self.introspection = true;
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
                Positioned::new(async_graphql_value::Value::String(qualified), pos),
            )];
            field.selection_set = Positioned::new(SelectionSet::default(), pos);
            return;
        }
        if let Some(returns) = self.types.returns(parent, &name).map(str::to_owned) {
            self.selection_set(&returns, &mut field.selection_set.node);
        }
    }
}

/// Reads what the executed operation selects, after the rewrite.
struct Reading<'a> {
    types: &'a TypeMap,
    fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
    variables: &'a async_graphql::Variables,
    /// Fragments read so far, with their shape (`None` while being read: a cycle, which
    /// validation refuses).
    read: HashMap<Name, Option<Shape>>,
    denied: BTreeSet<String>,
    categories: BTreeSet<&'static str>,
    roots: BTreeSet<String>,
    aliased_typename: bool,
}

/// What a selection set amounts to once its fragments are expanded: how deep its data
/// fields and its introspection nest, how many `Query.person` look-ups and field selections
/// it makes. Counts saturate, so that a document that expands exponentially is counted
/// (and refused) without being expanded.
#[derive(Clone, Copy, Debug, Default)]
struct Shape {
    depth: usize,
    introspection_depth: usize,
    lookups: u64,
    fields: u64,
    /// Values the response may hold: each field once per item of every list above it, a
    /// list counted by its page size or [`LIST_BOUND`].
    values: u64,
    /// Runs of `Query.subjectExport` (a whole record) and `Query.statistics` (a whole table).
    exports: u64,
}

impl Shape {
    fn beside(self, other: Shape) -> Shape {
        Shape {
            depth: self.depth.max(other.depth),
            introspection_depth: self.introspection_depth.max(other.introspection_depth),
            lookups: self.lookups.saturating_add(other.lookups),
            fields: self.fields.saturating_add(other.fields),
            values: self.values.saturating_add(other.values),
            exports: self.exports.saturating_add(other.exports),
        }
    }
}

/// Items a list without a page size is taken to hold when a document's size is estimated,
/// unless [`LIST_SIZES`] knows better: an organisation's pupils, apprentices or offers. Lists
/// that are longer still count in full as the response is built (see `Budget`).
pub const LIST_BOUND: u64 = 100;

/// The largest page any paged list accepts (its validator refuses more): what a page size
/// that is not known before execution counts as.
const MAX_PAGE: u64 = 1_000;

/// Items the lists of one person's record are taken to hold: what a record holds in practice,
/// with room. An estimate only; the response counts the real items.
const LIST_SIZES: &[(&str, &str, u64)] = &[
    ("Person", "enrolments", 20),
    ("Person", "results", 100),
    ("Person", "applications", 10),
    ("Person", "contracts", 10),
    ("Person", "tradeTests", 10),
    ("Person", "educationRights", 10),
    ("Person", "followUp", 20),
    ("Person", "diplomas", 10),
    ("Person", "absence", 20),
    ("Person", "accessLog", 100),
    ("Person", "disclosures", 100),
    ("Person", "decisions", 20),
    ("Application", "wishes", 10),
    ("Application", "changes", 20),
    ("Wish", "offers", 5),
];

impl Reading<'_> {
    fn selection_set(&mut self, parent: &str, set: &SelectionSet) -> Shape {
        let mut shape = Shape::default();
        for item in &set.items {
            let directives = match &item.node {
                Selection::Field(field) => &field.node.directives,
                Selection::InlineFragment(fragment) => &fragment.node.directives,
                Selection::FragmentSpread(spread) => &spread.node.directives,
            };
            if self.skipped(directives) {
                continue;
            }
            let inner = match &item.node {
                Selection::Field(field) => self.field(parent, &field.node),
                Selection::InlineFragment(fragment) => {
                    let on = type_condition(&fragment.node, parent);
                    self.selection_set(&on, &fragment.node.selection_set.node)
                }
                // Every spread runs the fragment again: its counts add up on each.
                Selection::FragmentSpread(spread) => self.fragment(&spread.node.fragment_name.node),
            };
            shape = shape.beside(inner);
        }
        shape
    }

    /// Whether `@skip(if: true)` or `@include(if: false)` leaves the selection out, with the
    /// request's variables: what does not run is not recorded as read.
    fn skipped(&self, directives: &[Positioned<async_graphql::parser::types::Directive>]) -> bool {
        directives.iter().any(|directive| {
            let condition = directive
                .node
                .get_argument("if")
                .map(|value| match &value.node {
                    async_graphql_value::Value::Boolean(b) => Some(*b),
                    async_graphql_value::Value::Variable(name) => match self.variables.get(name) {
                        Some(async_graphql::Value::Boolean(b)) => Some(*b),
                        _ => None,
                    },
                    _ => None,
                });
            matches!(
                (directive.node.name.node.as_str(), condition),
                ("skip", Some(Some(true))) | ("include", Some(Some(false)))
            )
        })
    }

    /// How many items `parent.field` is taken to return: 1 for a single value; for a list,
    /// its page size (`first` or `last`, as given or as a variable, else [`MAX_PAGE`]), else
    /// its size in [`LIST_SIZES`], else [`LIST_BOUND`].
    fn items(&self, parent: &str, field: &Field) -> u64 {
        if !self
            .types
            .lists
            .contains(&(parent.to_owned(), field.name.node.to_string()))
        {
            return 1;
        }
        let page = field.arguments.iter().find_map(|(name, value)| {
            if !matches!(name.node.as_str(), "first" | "last") {
                return None;
            }
            let given = match &value.node {
                async_graphql_value::Value::Number(n) => n.as_u64(),
                async_graphql_value::Value::Variable(variable) => {
                    match self.variables.get(variable) {
                        Some(async_graphql::Value::Number(n)) => n.as_u64(),
                        _ => None,
                    }
                }
                _ => None,
            };
            // A variable left to its default (or of any other form) counts at the most the
            // field's validator accepts.
            Some(given.unwrap_or(MAX_PAGE))
        });
        let known = || {
            LIST_SIZES
                .iter()
                .find(|(t, f, _)| *t == parent && *f == field.name.node.as_str())
                .map(|(_, _, size)| *size)
        };
        page.or_else(known).unwrap_or(LIST_BOUND).max(1)
    }

    fn fragment(&mut self, name: &Name) -> Shape {
        if let Some(known) = self.read.get(name) {
            return known.unwrap_or_default();
        }
        let Some(fragment) = self.fragments.get(name) else {
            return Shape::default();
        };
        self.read.insert(name.clone(), None);
        let on = fragment.node.type_condition.node.on.node.to_string();
        let shape = self.selection_set(&on, &fragment.node.selection_set.node);
        self.read.insert(name.clone(), Some(shape));
        shape
    }

    fn field(&mut self, parent: &str, field: &Field) -> Shape {
        let name = field.name.node.as_str();
        let mut shape = Shape {
            fields: 1,
            values: 1,
            ..Shape::default()
        };
        if name == "__typename" {
            // Answered before any extension sees it, so it is not counted as the response
            // is built: one per object (unaliased; repeats merge) is all a client needs.
            self.aliased_typename |= field.alias.is_some();
            return shape;
        }
        if matches!(parent, "Query" | "Mutation") {
            self.roots.insert(format!("{parent}.{name}"));
            match (parent, name) {
                ("Query", "person") => shape.lookups = 1,
                // Each computes a whole record or table: once per request.
                ("Query", "subjectExport" | "statistics") => shape.exports = 1,
                _ => {}
            }
        }
        if name == DENIED_FIELD {
            if let Some((_, value)) = field.arguments.first()
                && let async_graphql_value::Value::String(denied) = &value.node
            {
                self.denied.insert(denied.clone());
            }
            shape.depth = 1;
            return shape;
        }
        if let Some(category) = catalog::category_of(parent, name) {
            self.categories.insert(category.code());
        }
        let inner = match self.types.returns(parent, name).map(str::to_owned) {
            Some(returns) => self.selection_set(&returns, &field.selection_set.node),
            None => Shape::default(),
        };
        shape.lookups = shape.lookups.saturating_add(inner.lookups);
        shape.exports = shape.exports.saturating_add(inner.exports);
        shape.fields = shape.fields.saturating_add(inner.fields);
        shape.values = shape
            .values
            .saturating_add(self.items(parent, field).saturating_mul(inner.values));
        if name == "__schema" || name == "__type" {
            shape.introspection_depth = 1 + inner.depth.max(inner.introspection_depth);
        } else {
            shape.depth = 1 + inner.depth;
            if inner.introspection_depth > 0 {
                shape.introspection_depth = 1 + inner.introspection_depth;
            }
        }
        shape
    }
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

/// Takes out of an introspection result every type and field `visibility` does not show:
/// hidden types leave every list (`types`, `possibleTypes`, `interfaces`) and become `null`
/// where a single type is asked for (`__type(name:)`, `mutationType`); hidden fields leave
/// their type's `fields`. Then removes the private aliases the walk added.
pub fn filter_introspection(value: &mut Value, visibility: &Visibility) {
    match value {
        Value::List(items) => {
            items.retain(|item| !is_hidden_type(item, visibility));
            for item in items {
                filter_introspection(item, visibility);
            }
        }
        Value::Object(object) => {
            let type_name = match object.shift_remove(TYPE_NAME_ALIAS) {
                Some(Value::String(name)) => Some(name),
                _ => None,
            };
            for (_, member) in object.iter_mut() {
                if is_hidden_type(member, visibility) {
                    *member = Value::Null;
                    continue;
                }
                if let (Some(type_name), Value::List(items)) = (&type_name, &mut *member) {
                    items.retain(|item| match item {
                        Value::Object(o) => match o.get(FIELD_NAME_ALIAS) {
                            Some(Value::String(field)) => visibility.allows(type_name, field),
                            _ => true,
                        },
                        _ => true,
                    });
                }
                filter_introspection(member, visibility);
            }
            object.shift_remove(FIELD_NAME_ALIAS);
        }
        _ => {}
    }
}

/// Whether `value` is an introspected type (it carries the private name alias) that is hidden.
fn is_hidden_type(value: &Value, visibility: &Visibility) -> bool {
    matches!(value, Value::Object(o)
        if matches!(o.get(TYPE_NAME_ALIAS), Some(Value::String(name)) if !visibility.shows_type(name)))
}

/// The line of a chunk of SDL that opens its definition, past its description.
fn header_index(lines: &[&str]) -> Option<usize> {
    let mut in_description = false;
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if line.starts_with('\t') || trimmed.is_empty() {
            continue;
        }
        if trimmed.starts_with("\"\"\"") {
            let single_line = trimmed.len() >= 6 && trimmed.ends_with("\"\"\"");
            if !single_line {
                in_description = !in_description;
            }
            continue;
        }
        if !in_description {
            return Some(i);
        }
    }
    None
}

/// The schema's SDL with only what `visibility` shows: hidden types (of every kind) and
/// hidden fields are left out, and so is the `mutation` root when it is hidden.
pub fn filter_sdl(sdl: &str, visibility: &Visibility) -> String {
    // async-graphql writes definitions as blank-line separated chunks: an optional `"""`
    // description, then the definition's first line (`type Name {`, `input Name {`,
    // `enum Name {`, `scalar Name`, `schema {`, `directive @…`), for objects one entry per
    // field indented by a tab (a description, the field line, argument lines indented
    // further), and `}`.
    let mut kept_chunks: Vec<String> = Vec::new();
    for chunk in sdl.split("\n\n") {
        let lines: Vec<&str> = chunk.lines().collect();
        let Some(open) = header_index(&lines) else {
            kept_chunks.push(chunk.to_owned());
            continue;
        };
        let header = lines[open];
        let mut words = header.split([' ', '{', '(', '@']).filter(|w| !w.is_empty());
        let keyword = words.next().unwrap_or_default();
        let name = words.next().unwrap_or_default().to_owned();
        match keyword {
            // The `schema` block follows the directives in the same chunk.
            "schema" | "directive" => {
                let kept: Vec<&str> = lines
                    .iter()
                    .copied()
                    .filter(|l| {
                        !l.trim_start().starts_with("mutation:")
                            || visibility.shows_type("Mutation")
                    })
                    .collect();
                kept_chunks.push(kept.join("\n"));
                continue;
            }
            "type" => {}
            "input" | "enum" | "scalar" | "interface" => {
                if visibility.shows_type(&name) {
                    kept_chunks.push(chunk.to_owned());
                }
                continue;
            }
            _ => {
                kept_chunks.push(chunk.to_owned());
                continue;
            }
        }
        if !visibility.shows_type(&name) {
            continue;
        }
        let mut out: Vec<&str> = lines[..=open].to_vec();
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
            if visibility.allows(&name, field) {
                out.extend_from_slice(&lines[start..i]);
            }
        }
        kept_chunks.push(out.join("\n"));
    }
    kept_chunks.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types() -> TypeMap {
        TypeMap::from_sdl(&super::super::sdl()).unwrap()
    }

    fn rewrite(query: &str, mask: &FieldMask) -> (String, Enforced) {
        let mut document = async_graphql::parser::parse_query(query).unwrap();
        let found = enforce(&mut document, &types(), mask, None, &Default::default());
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
