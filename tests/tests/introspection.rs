//! Introspection per role: the query GraphiQL, graphql-js, Apollo and Python's `gql` send
//! (graphql-js `getIntrospectionQuery()`, checked in beside this file) works for every role,
//! its answer is a valid schema a client can be built from, and it shows only what the role
//! can read; `vigo schema --role` prints a schema that parses, for every role.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Value, json};
use vigo_api::graphql::enforce::{TypeMap, Visibility, filter_sdl};
use vigo_policy::{Policy, Role};
use vigo_tests::{Backend, TestApp};

const STANDARD_INTROSPECTION_QUERY: &str = include_str!("introspection_query.graphql");

/// What a client building a schema from an introspection result (graphql-js
/// `buildClientSchema`, then `validateSchema`) would refuse: unknown types, a missing or
/// empty root, types without fields, values or input fields.
fn client_schema_errors(schema: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    let types: HashMap<&str, &Value> = schema["types"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| Some((t["name"].as_str()?, t)))
        .collect();
    let named = |reference: &Value| -> Option<String> {
        let mut reference = reference;
        while reference["name"].is_null() {
            reference = &reference["ofType"];
            if reference.is_null() {
                return None;
            }
        }
        reference["name"].as_str().map(str::to_owned)
    };
    let check_ref =
        |place: String, reference: &Value, errors: &mut Vec<String>| match named(reference) {
            Some(name) if types.contains_key(name.as_str()) => {}
            Some(name) => errors.push(format!("{place}: unknown type {name}")),
            None => errors.push(format!("{place}: no named type")),
        };
    match schema["queryType"]["name"].as_str() {
        Some(query) if types.contains_key(query) => {}
        other => errors.push(format!("query type {other:?} is not among the types")),
    }
    if !schema["mutationType"].is_null() {
        check_ref("mutationType".into(), &schema["mutationType"], &mut errors);
    }
    for (name, ty) in &types {
        let list = |key: &str| ty[key].as_array().cloned().unwrap_or_default();
        match ty["kind"].as_str().unwrap_or_default() {
            "OBJECT" | "INTERFACE" => {
                if list("fields").is_empty() {
                    errors.push(format!("type {name} must define one or more fields"));
                }
                for field in list("fields") {
                    let field_name = field["name"].as_str().unwrap_or_default();
                    check_ref(format!("{name}.{field_name}"), &field["type"], &mut errors);
                    for arg in field["args"].as_array().into_iter().flatten() {
                        check_ref(
                            format!("{name}.{field_name}({})", arg["name"]),
                            &arg["type"],
                            &mut errors,
                        );
                    }
                }
                for interface in list("interfaces") {
                    check_ref(format!("{name} implements"), &interface, &mut errors);
                }
            }
            "INPUT_OBJECT" => {
                if list("inputFields").is_empty() {
                    errors.push(format!("input {name} must define one or more fields"));
                }
                for field in list("inputFields") {
                    check_ref(
                        format!("{name}.{}", field["name"]),
                        &field["type"],
                        &mut errors,
                    );
                }
            }
            "ENUM" if list("enumValues").is_empty() => {
                errors.push(format!("enum {name} must define one or more values"));
            }
            _ => {}
        }
    }
    for directive in schema["directives"].as_array().into_iter().flatten() {
        for arg in directive["args"].as_array().into_iter().flatten() {
            check_ref(format!("@{}", directive["name"]), &arg["type"], &mut errors);
        }
    }
    errors
}

fn token(app: &TestApp, role: Role) -> String {
    let person = app.population.persons[0].national_id.clone();
    app.token(role, (role == Role::Student).then_some(person.as_str()))
}

fn type_names(schema: &Value) -> BTreeSet<String> {
    schema["types"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["name"].as_str().map(str::to_owned))
        .collect()
}

fn field_names(schema: &Value, type_name: &str) -> BTreeSet<String> {
    schema["types"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["name"] == type_name)
        .map(|t| {
            t["fields"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|f| f["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn the_standard_introspection_query_builds_a_valid_client_schema_for_every_role()
-> anyhow::Result<()> {
    let app = TestApp::new(Backend::Sqlite, 20).await?;
    for role in Role::ALL {
        let (status, body) = app
            .post(
                Some(&token(&app, *role)),
                json!({ "query": STANDARD_INTROSPECTION_QUERY, "operationName": "IntrospectionQuery" }),
            )
            .await?;
        assert_eq!(status, axum::http::StatusCode::OK, "{role}: {body}");
        assert!(body["errors"].is_null(), "{role}: {body}");
        let schema = &body["data"]["__schema"];
        let errors = client_schema_errors(schema);
        assert!(errors.is_empty(), "{role}: {errors:#?}");
        assert!(
            !body.to_string().contains("vigoIntrospected"),
            "{role}: private aliases left"
        );
        assert!(!body.to_string().contains("__denied"), "{role}");
        // What a role can reach and nothing else.
        let types = type_names(schema);
        let query = field_names(schema, "Query");
        assert!(query.contains("caller"), "{role}: {query:?}");
        match role {
            Role::Ssb | Role::Udir => {
                // Statisticians reach statistics and nothing about persons.
                assert_eq!(
                    query,
                    BTreeSet::from(
                        ["caller", "statistics", "statisticsCatalogue"].map(str::to_owned)
                    ),
                    "{role}"
                );
                assert!(
                    !types.contains("Person") && !types.contains("PersonFilter"),
                    "{role}: {types:?}"
                );
            }
            Role::Bank => {
                for hidden in [
                    "AuditEvent",
                    "Denial",
                    "PolicyDocument",
                    "Person",
                    "Mutation",
                ] {
                    assert!(!types.contains(hidden), "bank sees {hidden}");
                }
                assert!(types.contains("Organisation") && types.contains("SubsidyPayment"));
            }
            Role::PrivacyOfficer => {
                assert!(!types.contains("Person"), "{types:?}");
                assert!(types.contains("AuditEvent") && types.contains("Denial"));
                assert!(field_names(schema, "Mutation").contains("replacePolicy"));
            }
            Role::Student => {
                assert!(
                    query.contains("subjectExport") && query.contains("me"),
                    "{query:?}"
                );
                // An applicant answers their own offers, and changes nothing else.
                assert_eq!(
                    field_names(schema, "Mutation"),
                    BTreeSet::from(["answerOffer".to_owned()]),
                    "{schema}"
                );
            }
            Role::Ot => {
                assert!(
                    !types.contains("Diploma") && !types.contains("SubjectResult"),
                    "{types:?}"
                );
                assert!(!field_names(schema, "Contact").contains("email"));
            }
            Role::Caseworker => {
                assert!(field_names(schema, "Mutation").contains("markDeceased"));
                assert!(types.contains("Diploma") && types.contains("PersonFilter"));
            }
            _ => {}
        }
        // The art. 15 export is shown where it can run: to the person themself.
        assert_eq!(
            query.contains("subjectExport"),
            *role == Role::Student,
            "{role}"
        );
        if *role == Role::Company {
            // A company answers the apprenticeship placements made to it, and changes nothing
            // else.
            assert_eq!(
                field_names(schema, "Mutation"),
                ["answerPlacement"].into_iter().map(str::to_owned).collect(),
                "{role}"
            );
        } else if *role == Role::Ot {
            // OT registers follow-up statuses, and changes nothing else.
            assert_eq!(
                field_names(schema, "Mutation"),
                ["setFollowUpStatus"]
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
                "{role}"
            );
        } else if ![Role::Caseworker, Role::PrivacyOfficer, Role::Student].contains(role) {
            assert!(
                schema["mutationType"].is_null() && !types.contains("Mutation"),
                "{role}"
            );
        }
    }
    Ok(())
}

#[tokio::test]
async fn hidden_types_are_absent_from_type_lookups_and_hints() -> anyhow::Result<()> {
    let app = TestApp::new(Backend::Sqlite, 20).await?;
    let ot = token(&app, Role::Ot);
    let body = app
        .query(&ot, "{ diploma: __type(name: \"Diploma\") { name fields { name } } contact: __type(name: \"Contact\") { name fields { name } } }", Value::Null)
        .await?;
    assert_eq!(body["data"]["diploma"], Value::Null, "{body}");
    let contact: Vec<&str> = body["data"]["contact"]["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert!(
        contact.contains(&"phone") && !contact.contains(&"email"),
        "{body}"
    );
    // Through a fragment and an alias, too.
    let body = app
        .query(
            &ot,
            "{ t: __type(name: \"Diploma\") { ...T } } fragment T on __Type { n: name }",
            Value::Null,
        )
        .await?;
    assert_eq!(body["data"]["t"], Value::Null, "{body}");
    // No "Did you mean …" naming what the role cannot see.
    let ssb = token(&app, Role::Ssb);
    let body = app
        .query(&ssb, "{ persns { totalCount } }", Value::Null)
        .await?;
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(!message.contains("persons"), "{message}");
    Ok(())
}

/// Names of the types an SDL document defines and refers to.
fn defined_and_referenced(sdl: &str) -> anyhow::Result<(BTreeSet<String>, BTreeSet<String>)> {
    use async_graphql::parser::types::{BaseType, TypeKind, TypeSystemDefinition};
    fn base(ty: &BaseType) -> String {
        match ty {
            BaseType::Named(name) => name.to_string(),
            BaseType::List(inner) => base(&inner.base),
        }
    }
    let document = async_graphql::parser::parse_schema(sdl)?;
    let mut defined: BTreeSet<String> = ["String", "Int", "Float", "Boolean", "ID"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let mut referenced = BTreeSet::new();
    for definition in document.definitions {
        match definition {
            TypeSystemDefinition::Type(ty) => {
                defined.insert(ty.node.name.node.to_string());
                match ty.node.kind {
                    TypeKind::Object(object) => {
                        anyhow::ensure!(
                            !object.fields.is_empty(),
                            "type {} has no fields",
                            ty.node.name.node
                        );
                        for field in object.fields {
                            referenced.insert(base(&field.node.ty.node.base));
                            for arg in field.node.arguments {
                                referenced.insert(base(&arg.node.ty.node.base));
                            }
                        }
                    }
                    TypeKind::InputObject(input) => {
                        for field in input.fields {
                            referenced.insert(base(&field.node.ty.node.base));
                        }
                    }
                    _ => {}
                }
            }
            TypeSystemDefinition::Schema(schema) => {
                for root in [&schema.node.query, &schema.node.mutation]
                    .into_iter()
                    .flatten()
                {
                    referenced.insert(root.node.to_string());
                }
            }
            TypeSystemDefinition::Directive(_) => {}
        }
    }
    Ok((defined, referenced))
}

#[tokio::test]
async fn each_roles_sdl_parses_and_names_only_types_it_defines() -> anyhow::Result<()> {
    let sdl = vigo_api::graphql::sdl();
    let types = TypeMap::from_sdl(&sdl).map_err(anyhow::Error::msg)?;
    let policy = Policy::default_policy().await?;
    for role in Role::ALL {
        let grant = policy.admit(*role, role.default_purpose())?;
        let visibility = Visibility::of(&types, &grant.fields, &grant);
        let filtered = filter_sdl(&sdl, &visibility);
        let (defined, referenced) = defined_and_referenced(&filtered)
            .map_err(|e| anyhow::anyhow!("{role}: {e}\n{filtered}"))?;
        let undefined: Vec<&String> = referenced.difference(&defined).collect();
        assert!(undefined.is_empty(), "{role}: {undefined:?}");
        assert!(filtered.contains("type Query {"), "{role}");
        if *role == Role::Ssb {
            assert!(!filtered.contains("type Person") && !filtered.contains("input PersonFilter"));
        }
    }
    Ok(())
}
