//! The README says what it is true of: the table of what each recipient's extract holds is
//! what the default policy gives that recipient.

use vigo_api::analytics::RECIPIENT_EXTRACTS;
use vigo_policy::{Policy, Role};

#[tokio::test]
async fn the_readme_lists_the_columns_each_recipient_really_receives() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md");
    let policy = Policy::default_policy().await.expect("the default policy");
    let mut checked = 0;
    let mut named = std::collections::BTreeSet::new();
    for line in readme.lines() {
        let cells: Vec<&str> = line
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().trim_matches('`'))
            .collect();
        let [name, _rows, recipient, columns] = cells[..] else {
            continue;
        };
        let Some(extract) = RECIPIENT_EXTRACTS.iter().find(|e| e.name == name) else {
            continue;
        };
        let role: Role = recipient.parse().expect("a role in the extracts table");
        let grant = policy
            .admit(role, role.default_purpose())
            .expect("the recipient is admitted");
        let (row_type, row_field) = extract.row_field;
        assert!(
            grant.fields.allows(row_type, row_field),
            "README: {role} receives {name}, but may not read {row_type}.{row_field}"
        );
        let received: Vec<&str> = extract
            .columns
            .iter()
            .filter(|c| c.fields.iter().all(|(t, f)| grant.fields.allows(t, f)))
            .map(|c| c.name)
            .collect();
        assert_eq!(
            columns,
            received.join(", "),
            "README: the columns {role} receives in {name}"
        );
        checked += 1;
        named.insert(extract.name);
    }
    assert_eq!(
        checked, 9,
        "the README's extracts table has a row per recipient"
    );
    assert_eq!(
        named.len(),
        RECIPIENT_EXTRACTS.len(),
        "the README's extracts table shows every recipient file"
    );
}
