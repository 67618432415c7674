//! Checks a policy file for what is probably a mistake, for a county's own review and CI:
//! names the policy does not know, deny rules that override nothing, allow rules that a deny
//! cancels entirely, roles that are granted nothing, and catalogued fields no role can read.
//! Every bad line is reported, not only the first.

use std::collections::BTreeSet;

use crate::catalog::{self, CatalogField};
use crate::explain::parent;
use crate::gate::{Effect, Object, Policy, Rule};
use crate::{PolicyError, Role};

/// One finding, with the line it is about when it is about one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// The catalogued fields an object stands for (a field, or a category's fields).
fn fields_of(object: &Object) -> Vec<&'static CatalogField> {
    match object {
        Object::Field(field) => catalog::FIELDS.iter().filter(|f| *f == field).collect(),
        Object::Category(category) => catalog::FIELDS
            .iter()
            .filter(|f| f.category == *category)
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether `rule` matches a request for `object` (the object itself or what it belongs to).
fn covers(rule: &Object, object: &Object) -> bool {
    rule == object || parent(object).as_ref() == Some(rule)
}

/// Lints policy text. Rules that parse are checked together; lines that do not are findings.
pub async fn lint(text: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut rules: Vec<(usize, Rule)> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        match crate::gate::parse_rules(trimmed) {
            Ok(parsed) => rules.extend(parsed.into_iter().map(|r| (index + 1, r))),
            Err(PolicyError::AtLine { error, .. }) => findings.push(Finding {
                line: Some(index + 1),
                message: error.to_string(),
            }),
            Err(other) => findings.push(Finding {
                line: Some(index + 1),
                message: other.to_string(),
            }),
        }
    }
    let mut seen = BTreeSet::new();
    for (line, rule) in &rules {
        if !seen.insert(rule.to_string()) {
            findings.push(Finding {
                line: Some(*line),
                message: format!("'{rule}' is already in the policy"),
            });
        }
    }
    let same_pair =
        |a: &Rule, b: &Rule| a.role == b.role && a.purpose == b.purpose && a.action == b.action;
    for (line, deny) in rules.iter().filter(|(_, r)| r.effect == Effect::Deny) {
        // The objects the deny applies to: itself and, for a category, its fields.
        let mut denied: Vec<Object> = vec![deny.object.clone()];
        denied.extend(
            fields_of(&deny.object)
                .into_iter()
                .map(|f| Object::Field(*f)),
        );
        let overrides = rules.iter().any(|(_, allow)| {
            allow.effect == Effect::Allow
                && same_pair(allow, deny)
                && denied
                    .iter()
                    .any(|o| covers(&allow.object, o) || covers(o, &allow.object))
        });
        if !overrides {
            findings.push(Finding {
                line: Some(*line),
                message: format!(
                    "'{deny}' never matters: no rule allows {} to {} for {} anything it denies",
                    deny.role, deny.action, deny.purpose
                ),
            });
        }
    }
    for (line, allow) in rules.iter().filter(|(_, r)| r.effect == Effect::Allow) {
        let fields = fields_of(&allow.object);
        if fields.is_empty() {
            let object = &allow.object;
            let denied = rules.iter().any(|(_, deny)| {
                deny.effect == Effect::Deny
                    && same_pair(allow, deny)
                    && covers(&deny.object, object)
            });
            if denied {
                findings.push(Finding {
                    line: Some(*line),
                    message: format!("'{allow}' is cancelled by a deny rule"),
                });
            }
            continue;
        }
        let all_denied = fields.iter().all(|field| {
            let object = Object::Field(**field);
            rules.iter().any(|(_, deny)| {
                deny.effect == Effect::Deny
                    && same_pair(allow, deny)
                    && covers(&deny.object, &object)
            })
        });
        if all_denied {
            findings.push(Finding {
                line: Some(*line),
                message: format!("'{allow}' is cancelled by deny rules: it grants nothing"),
            });
        }
    }
    let granted: BTreeSet<Role> = rules
        .iter()
        .filter(|(_, r)| r.effect == Effect::Allow)
        .map(|(_, r)| r.role)
        .collect();
    for role in Role::ALL {
        if !granted.contains(role) {
            findings.push(Finding {
                line: None,
                message: format!(
                    "role '{role}' is granted nothing for any purpose: every token of it is refused"
                ),
            });
        }
    }
    let parsed: Vec<Rule> = rules.into_iter().map(|(_, r)| r).collect();
    match Policy::compile(parsed, 0).await {
        Ok(policy) => {
            let unread: Vec<String> = catalog::FIELDS
                .iter()
                .filter(|f| {
                    !Role::ALL.iter().any(|role| {
                        policy.purposes(*role).iter().any(|purpose| {
                            policy
                                .grant(*role, *purpose)
                                .is_some_and(|g| g.fields.allows(f.type_name, f.field))
                        })
                    })
                })
                .map(|f| format!("{}.{}", f.type_name, f.field))
                .collect();
            if !unread.is_empty() {
                findings.push(Finding {
                    line: None,
                    message: format!("no role can read {}", unread.join(", ")),
                });
            }
        }
        Err(e) if findings.is_empty() => findings.push(Finding {
            line: None,
            message: e.to_string(),
        }),
        Err(_) => {}
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DEFAULT_POLICY;

    #[tokio::test]
    async fn the_default_policy_is_clean() {
        let findings = lint(DEFAULT_POLICY).await;
        assert!(
            findings.is_empty(),
            "{}",
            findings
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    #[tokio::test]
    async fn every_kind_of_mistake_is_found_with_its_line() {
        let text = format!(
            "{DEFAULT_POLICY}\n\
             p, school, administration, field:Person.shoeSize, read, allow\n\
             p, ssb, statistics, field:Contact.email, read, deny\n\
             p, ot, follow_up, category:absence, read, allow\n\
             p, ot, follow_up, category:absence, read, deny\n\
             p, ot, follow_up, scope:ot_target_group, read, allow\n"
        );
        let base = text.lines().count() - 5;
        let findings = lint(&text).await;
        let at = |line: usize| -> Vec<String> {
            findings
                .iter()
                .filter(|f| f.line == Some(base + line))
                .map(|f| f.message.clone())
                .collect()
        };
        assert!(
            at(1)[0].contains("unknown field 'Person.shoeSize'"),
            "{findings:?}"
        );
        assert!(at(2)[0].contains("never matters"), "{findings:?}");
        assert!(at(3)[0].contains("cancelled"), "{findings:?}");
        assert!(at(5)[0].contains("already in the policy"), "{findings:?}");
        let without_bank: String = DEFAULT_POLICY
            .lines()
            .filter(|l| !l.starts_with("p, bank,"))
            .collect::<Vec<_>>()
            .join("\n");
        let findings = lint(&without_bank).await;
        assert!(
            findings
                .iter()
                .any(|f| f.message.contains("role 'bank' is granted nothing")),
            "{findings:?}"
        );
        let findings = lint("p, ot, follow_up, field:Person.nationalId, read, allow").await;
        let unread = findings
            .iter()
            .find(|f| f.message.starts_with("no role can read"))
            .unwrap_or_else(|| panic!("{findings:?}"));
        assert!(unread.message.contains("Contact.email"));
        assert!(!unread.message.contains("Person.nationalId,"));
    }
}
