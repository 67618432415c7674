//! The schema partners generate clients from, as a reviewed snapshot: any change to a type,
//! field, argument, enum value or description shows up in review as a change to
//! `snapshots/schema__sdl.snap`. (To accept an intended change: `INSTA_UPDATE=always cargo test
//! -p vigo-api --test schema`, then review the diff.)

#[test]
fn sdl() {
    insta::assert_snapshot!(vigo_api::graphql::sdl());
}

/// Partners read the schema as its documentation: every type, field, argument, input field
/// and enum value says what it is. Fails naming each one that does not.
#[test]
fn everything_in_the_schema_is_described() {
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
    let sdl = vigo_api::graphql::sdl();
    let document = async_graphql::parser::parse_schema(&sdl).expect("the SDL parses");
    let described = |d: &Option<async_graphql::Positioned<String>>| {
        d.as_ref().is_some_and(|d| !d.node.trim().is_empty())
    };
    let mut undescribed = Vec::new();
    for definition in &document.definitions {
        let TypeSystemDefinition::Type(ty) = definition else {
            continue;
        };
        let ty = &ty.node;
        let name = ty.name.node.as_str();
        if !described(&ty.description) {
            undescribed.push(format!("type {name}"));
        }
        match &ty.kind {
            TypeKind::Object(object) => {
                for field in &object.fields {
                    let field = &field.node;
                    if !described(&field.description) {
                        undescribed.push(format!("field {name}.{}", field.name.node));
                    }
                    for argument in &field.arguments {
                        if !described(&argument.node.description) {
                            undescribed.push(format!(
                                "argument {name}.{}({})",
                                field.name.node, argument.node.name.node
                            ));
                        }
                    }
                }
            }
            TypeKind::InputObject(input) => {
                for field in &input.fields {
                    if !described(&field.node.description) {
                        undescribed.push(format!("input field {name}.{}", field.node.name.node));
                    }
                }
            }
            TypeKind::Enum(values) => {
                for value in &values.values {
                    if !described(&value.node.description) {
                        undescribed.push(format!("enum value {name}.{}", value.node.value.node));
                    }
                }
            }
            TypeKind::Scalar | TypeKind::Interface(_) | TypeKind::Union(_) => {}
        }
    }
    assert!(
        undescribed.is_empty(),
        "{} schema items have no description:\n{}",
        undescribed.len(),
        undescribed.join("\n")
    );
}
