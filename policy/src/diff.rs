//! What a change of policy does: the rules added and removed, and the effective change for
//! every role and purpose (fields, row scopes, resources and statistics gained and lost),
//! decided by compiling both policies, so that a privacy officer sees what a role will be
//! able to read, not only which lines differ.

use std::collections::BTreeSet;

use crate::gate::{Action, Grant, Policy, Rule};
use crate::{Purpose, Role, catalog};

/// The rules as text in a stable order (by role, purpose, object, action, effect), one
/// `p, …` line each: the form a version is stored, exported and compared in.
pub fn canonical(rules: &[Rule]) -> String {
    let mut lines: Vec<String> = rules.iter().map(ToString::to_string).collect();
    lines.sort();
    lines.dedup();
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

/// What one role, acting for one purpose, gains and loses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GrantChange {
    pub role: Option<Role>,
    pub purpose: Option<Purpose>,
    /// `Type.field`.
    pub fields_gained: Vec<String>,
    pub fields_lost: Vec<String>,
    pub scopes_gained: Vec<String>,
    pub scopes_lost: Vec<String>,
    /// `resource:action`, and `statistics:NAME` for single statistics.
    pub resources_gained: Vec<String>,
    pub resources_lost: Vec<String>,
}

impl GrantChange {
    pub fn is_empty(&self) -> bool {
        self.fields_gained.is_empty()
            && self.fields_lost.is_empty()
            && self.scopes_gained.is_empty()
            && self.scopes_lost.is_empty()
            && self.resources_gained.is_empty()
            && self.resources_lost.is_empty()
    }
}

/// The difference between two policies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyDiff {
    pub added: Vec<Rule>,
    pub removed: Vec<Rule>,
    /// Per role and purpose whose grant changes, in role and purpose order.
    pub changes: Vec<GrantChange>,
}

/// Everything a grant allows, as comparable names.
struct Allowed {
    fields: BTreeSet<String>,
    scopes: BTreeSet<String>,
    resources: BTreeSet<String>,
}

fn allowed(grant: Option<&Grant>) -> Allowed {
    let Some(grant) = grant else {
        return Allowed {
            fields: BTreeSet::new(),
            scopes: BTreeSet::new(),
            resources: BTreeSet::new(),
        };
    };
    Allowed {
        fields: catalog::FIELDS
            .iter()
            .filter(|f| grant.fields.allows(f.type_name, f.field))
            .map(|f| format!("{}.{}", f.type_name, f.field))
            .collect(),
        scopes: grant.scopes.iter().map(ToString::to_string).collect(),
        resources: grant
            .resources
            .iter()
            .map(|(r, a)| format!("{r}:{}", action(*a)))
            .chain(grant.statistics.iter().map(|s| format!("statistics:{s}")))
            .collect(),
    }
}

fn action(action: Action) -> &'static str {
    match action {
        Action::Read => "read",
        Action::Write => "write",
    }
}

fn gained(before: &BTreeSet<String>, after: &BTreeSet<String>) -> Vec<String> {
    after.difference(before).cloned().collect()
}

/// The rules added and removed from `before` to `after`, and what each role and purpose
/// gains and loses.
pub fn diff(before: &Policy, after: &Policy) -> PolicyDiff {
    let old: BTreeSet<String> = before.rules().iter().map(ToString::to_string).collect();
    let new: BTreeSet<String> = after.rules().iter().map(ToString::to_string).collect();
    let pick = |rules: &[Rule], keep: &dyn Fn(&str) -> bool| -> Vec<Rule> {
        let mut picked: Vec<Rule> = rules
            .iter()
            .filter(|r| keep(&r.to_string()))
            .cloned()
            .collect();
        picked.sort_by_key(ToString::to_string);
        picked.dedup();
        picked
    };
    let added = pick(after.rules(), &|r| !old.contains(r));
    let removed = pick(before.rules(), &|r| !new.contains(r));
    let mut changes = Vec::new();
    for role in Role::ALL {
        for purpose in Purpose::ALL {
            let (a, b) = (
                allowed(before.grant(*role, *purpose).as_deref()),
                allowed(after.grant(*role, *purpose).as_deref()),
            );
            let change = GrantChange {
                role: Some(*role),
                purpose: Some(*purpose),
                fields_gained: gained(&a.fields, &b.fields),
                fields_lost: gained(&b.fields, &a.fields),
                scopes_gained: gained(&a.scopes, &b.scopes),
                scopes_lost: gained(&b.scopes, &a.scopes),
                resources_gained: gained(&a.resources, &b.resources),
                resources_lost: gained(&b.resources, &a.resources),
            };
            if !change.is_empty() {
                changes.push(change);
            }
        }
    }
    PolicyDiff {
        added,
        removed,
        changes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::{DEFAULT_POLICY, parse_rules};

    async fn compiled(text: &str) -> Policy {
        Policy::compile(parse_rules(text).unwrap_or_else(|e| panic!("{e}")), 1)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[tokio::test]
    async fn a_deny_shows_as_the_fields_the_role_loses() {
        let before = compiled(DEFAULT_POLICY).await;
        let after = compiled(&format!(
            "{DEFAULT_POLICY}\np, ot, follow_up, field:Contact.phone, read, deny\n"
        ))
        .await;
        let diff = diff(&before, &after);
        assert_eq!(diff.removed, Vec::<Rule>::new());
        assert_eq!(
            diff.added
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["p, ot, follow_up, field:Contact.phone, read, deny"]
        );
        assert_eq!(diff.changes.len(), 1);
        let change = &diff.changes[0];
        assert_eq!(
            (change.role, change.purpose),
            (Some(Role::Ot), Some(Purpose::FollowUp))
        );
        assert_eq!(change.fields_lost, ["Contact.phone"]);
        assert!(change.fields_gained.is_empty() && change.scopes_lost.is_empty());
        // And back: the same change the other way.
        let back = super::diff(&after, &before);
        assert_eq!(back.changes[0].fields_gained, ["Contact.phone"]);
        assert_eq!(back.removed, diff.added);
    }

    #[tokio::test]
    async fn a_category_and_a_statistic_show_field_by_field_and_by_name() {
        let before = compiled(DEFAULT_POLICY).await;
        let after = compiled(&format!(
            "{DEFAULT_POLICY}\np, ot, follow_up, category:absence, read, allow\np, udir, statistics, statistics:completion, read, deny\n"
        ))
        .await;
        let diff = diff(&before, &after);
        let ot = diff
            .changes
            .iter()
            .find(|c| c.role == Some(Role::Ot))
            .unwrap_or_else(|| panic!("{diff:?}"));
        let absence: Vec<String> = catalog::FIELDS
            .iter()
            .filter(|f| f.category == catalog::Category::Absence)
            .map(|f| format!("{}.{}", f.type_name, f.field))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        assert_eq!(ot.fields_gained, absence);
        let udir = diff
            .changes
            .iter()
            .find(|c| c.role == Some(Role::Udir))
            .unwrap_or_else(|| panic!("{diff:?}"));
        assert_eq!(udir.resources_lost, ["statistics:completion"]);
    }

    #[test]
    fn the_canonical_text_is_sorted_and_parses_back_to_the_same_rules() {
        let rules = parse_rules(DEFAULT_POLICY).unwrap_or_else(|e| panic!("{e}"));
        let text = canonical(&rules);
        let again = parse_rules(&text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(canonical(&again), text);
        let lines: Vec<&str> = text.lines().collect();
        let mut sorted = lines.clone();
        sorted.sort_unstable();
        assert_eq!(lines, sorted);
        assert_eq!(lines.len(), rules.len());
    }
}
