//! `docs/access.md` is what the default policy and the catalog say, word for word: the test
//! fails on any drift, and `VIGO_UPDATE_DOCS=1` writes the file again.

use vigo_policy::Policy;
use vigo_policy::document::access_document;

#[tokio::test]
async fn the_access_document_is_generated_from_the_default_policy() {
    let policy = Policy::default_policy().await.expect("the default policy");
    let generated = access_document(&policy, "`policy/default_policy.csv`");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/access.md");
    if std::env::var_os("VIGO_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).expect("docs/access.md is writable");
    }
    let written = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        written == generated,
        "docs/access.md differs from the default policy; run `VIGO_UPDATE_DOCS=1 cargo test -p vigo-policy --test access_document` and review the diff"
    );
}

#[tokio::test]
async fn the_document_shows_what_a_role_is_denied() {
    let policy = Policy::default_policy().await.expect("the default policy");
    let document = access_document(&policy, "the default policy");
    // OT reads contact data but not e-mail addresses: a category granted in part names
    // the field it withholds.
    assert!(
        document.lines().any(
            |l| l.starts_with("- `ot` (follow_up), `contact`") && l.contains("`Contact.email`")
        ),
        "{document}"
    );
    // SSB reaches no person and reads no category.
    let ssb = document
        .lines()
        .find(|l| l.starts_with("| `ssb` |"))
        .expect("a row for ssb");
    assert!(
        ssb.contains("| none |") && ssb.contains("statistics (read)"),
        "{ssb}"
    );
}
