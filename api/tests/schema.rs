//! The schema partners generate clients from, as a reviewed snapshot: any change to a type,
//! field, argument, enum value or description shows up in review as a change to
//! `snapshots/schema__sdl.snap`. (To accept an intended change: `INSTA_UPDATE=always cargo test
//! -p vigo-api --test schema`, then review the diff.)

#[test]
fn sdl() {
    insta::assert_snapshot!(vigo_api::graphql::sdl());
}
