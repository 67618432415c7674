//! The access matrix as a document (`docs/access.md`), generated from a policy and the
//! field catalog so that the project's own description of who may see what cannot drift
//! from the rules that decide it.

use std::fmt::Write;

use crate::catalog::{self, Category};
use crate::gate::{Action, Grant, Policy};
use crate::{Purpose, Role, Scope};

/// How much of a category a grant may read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Share {
    All,
    Some(usize, usize),
    None,
}

fn share(grant: &Grant, category: Category) -> Share {
    let fields: Vec<_> = catalog::FIELDS
        .iter()
        .filter(|f| f.category == category)
        .collect();
    let allowed = fields
        .iter()
        .filter(|f| grant.fields.allows(f.type_name, f.field))
        .count();
    match allowed {
        0 => Share::None,
        n if n == fields.len() => Share::All,
        n => Share::Some(n, fields.len()),
    }
}

/// The fields of `category` the grant may not read, as `Type.field`.
fn withheld(grant: &Grant, category: Category) -> Vec<String> {
    catalog::FIELDS
        .iter()
        .filter(|f| f.category == category && !grant.fields.allows(f.type_name, f.field))
        .map(|f| format!("`{}.{}`", f.type_name, f.field))
        .collect()
}

fn resource_name(resource: &str, action: Action) -> String {
    let verb = match action {
        Action::Read => "read",
        Action::Write => "write",
    };
    format!("{resource} ({verb})")
}

/// Every role and purpose the policy grants anything, in the order roles are declared.
fn grants(policy: &Policy) -> Vec<(Role, Purpose, std::sync::Arc<Grant>)> {
    Role::ALL
        .iter()
        .flat_map(|role| {
            policy
                .purposes(*role)
                .into_iter()
                .filter_map(move |purpose| {
                    policy.grant(*role, purpose).map(|g| (*role, purpose, g))
                })
        })
        .collect()
}

/// The document: roles and what each is for, the matrix of data categories by role and
/// purpose (with the fields a partly granted category withholds), row scopes, resources,
/// and the fields of each category.
pub fn access_document(policy: &Policy, source: &str) -> String {
    let mut out = String::new();
    let granted = grants(policy);
    let _ = writeln!(out, "# Who may see what\n");
    let _ = writeln!(
        out,
        "Generated from {source} and the field catalog (`policy/src/catalog.rs`); do not edit by hand. \
`cargo test -p vigo-policy --test access_document` fails when this file differs from what \
they say, and `VIGO_UPDATE_DOCS=1` with the same command writes it again.\n"
    );
    let _ = writeln!(
        out,
        "This is the default policy, installed on a database's first start. The policy in force \
lives in the database, and the county's privacy officer may change it while Vigo runs \
(`replacePolicy`); `vigo schema --role ROLE` prints what a role can read under this policy. \
Anything the policy does not allow is denied, and a field the catalog does not classify is \
visible to nobody.\n"
    );
    let _ = writeln!(out, "## Roles\n");
    let _ = writeln!(
        out,
        "| role | who it is | purposes | persons it reaches (row scopes) | resources |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|");
    for role in Role::ALL {
        let purposes = policy.purposes(*role);
        let mut scopes: Vec<String> = Vec::new();
        let mut resources: Vec<String> = Vec::new();
        for purpose in &purposes {
            if let Some(grant) = policy.grant(*role, *purpose) {
                for scope in &grant.scopes {
                    let name = format!("`{}`", scope.code());
                    if !scopes.contains(&name) {
                        scopes.push(name);
                    }
                }
                for (resource, action) in &grant.resources {
                    let name = resource_name(resource, *action);
                    if !resources.contains(&name) {
                        resources.push(name);
                    }
                }
            }
        }
        let list = |items: &[String]| {
            if items.is_empty() {
                "none".to_owned()
            } else {
                items.join(", ")
            }
        };
        let purposes: Vec<String> = purposes.iter().map(|p| format!("`{p}`")).collect();
        let _ = writeln!(
            out,
            "| `{role}` | {} | {} | {} | {} |",
            role.description(),
            list(&purposes),
            list(&scopes),
            list(&resources)
        );
    }
    let _ = writeln!(out, "\n## Data categories by role and purpose\n");
    let _ = writeln!(
        out,
        "**all**: every field of the category; **some**: the fields named below the table; \
**–**: none. A category is read only of the persons (and their records) the role's row scopes \
reach.\n"
    );
    let mut header = "| category |".to_owned();
    let mut rule = "|---|".to_owned();
    for (role, purpose, _) in &granted {
        let _ = write!(header, " `{role}` ({purpose}) |");
        rule.push_str(":---:|");
    }
    let _ = writeln!(out, "{header}\n{rule}");
    let mut partly = Vec::new();
    for category in Category::ALL {
        let mut row = format!("| `{category}` |");
        for (role, purpose, grant) in &granted {
            let cell = match share(grant, *category) {
                Share::All => "all".to_owned(),
                Share::Some(n, of) => {
                    partly.push(format!(
                        "- `{role}` ({purpose}), `{category}`: {n} of {of} fields; withheld: {}",
                        withheld(grant, *category).join(", ")
                    ));
                    "some".to_owned()
                }
                Share::None => "–".to_owned(),
            };
            let _ = write!(row, " {cell} |");
        }
        let _ = writeln!(out, "{row}");
    }
    if !partly.is_empty() {
        let _ = writeln!(out, "\nCategories granted in part:\n");
        for line in partly {
            let _ = writeln!(out, "{line}");
        }
    }
    let _ = writeln!(out, "\n## Row scopes\n");
    let _ = writeln!(out, "| scope | whom it reaches |\n|---|---|");
    for scope in Scope::ALL {
        let _ = writeln!(out, "| `{scope}` | {} |", scope.doc());
    }
    let _ = writeln!(out, "\n## Data categories and their fields\n");
    let _ = writeln!(out, "| category | what it holds | fields |\n|---|---|---|");
    for category in Category::ALL {
        let fields: Vec<String> = catalog::FIELDS
            .iter()
            .filter(|f| f.category == *category)
            .map(|f| format!("`{}.{}`", f.type_name, f.field))
            .collect();
        let _ = writeln!(
            out,
            "| `{category}` | {} | {} |",
            category.doc(),
            fields.join(", ")
        );
    }
    out
}
