//! Why a role, acting for a purpose, may or may not read something: the rules that decided
//! it. The decision itself is the compiled policy's (Casbin's); the rules are those Casbin's
//! matcher matches for the request (the object itself, or the category or resource it belongs
//! to), and a test keeps the two in agreement for every field, scope and statistic.

use crate::gate::{Action, Effect, Object, Policy, Rule};
use crate::{Purpose, Role};

/// A decision and the rules that made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    pub allowed: bool,
    /// What the object belongs to through the model's grouping (a field's category, a single
    /// statistic's `statistics`), if anything.
    pub belongs_to: Option<Object>,
    /// Allow rules that match.
    pub allowed_by: Vec<Rule>,
    /// Deny rules that match; any one overrides every allow.
    pub denied_by: Vec<Rule>,
}

impl Explanation {
    /// The decision in words.
    pub fn reason(&self, object: &Object) -> String {
        let list = |rules: &[Rule]| {
            rules
                .iter()
                .map(|r| format!("'{r}'"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let belongs = self
            .belongs_to
            .as_ref()
            .map(|b| format!(" ({object} belongs to {b})"))
            .unwrap_or_default();
        match (
            self.allowed,
            self.denied_by.is_empty(),
            self.allowed_by.is_empty(),
        ) {
            (true, _, _) => format!("allowed by {}{belongs}", list(&self.allowed_by)),
            (false, false, true) => format!("denied by {}{belongs}", list(&self.denied_by)),
            (false, false, false) => format!(
                "denied by {}, which overrides {}{belongs}",
                list(&self.denied_by),
                list(&self.allowed_by)
            ),
            (false, true, _) => {
                format!("no rule allows it{belongs}: what the policy does not allow is denied")
            }
        }
    }
}

/// What `object` belongs to through the model's grouping.
pub fn parent(object: &Object) -> Option<Object> {
    match object {
        Object::Field(field) => Some(Object::Category(field.category)),
        Object::Statistic(_) => Some(Object::Resource("statistics")),
        Object::Category(_) | Object::Scope(_) | Object::Resource(_) => None,
    }
}

impl Policy {
    /// Whether `role` acting for `purpose` may use `object` with `action`, and why.
    pub fn explain(
        &self,
        role: Role,
        purpose: Purpose,
        object: &Object,
        action: Action,
    ) -> Explanation {
        let belongs_to = parent(object);
        let matching: Vec<&Rule> = self
            .rules()
            .iter()
            .filter(|r| {
                r.role == role
                    && r.purpose == purpose
                    && r.action == action
                    && (&r.object == object || Some(&r.object) == belongs_to.as_ref())
            })
            .collect();
        let of = |effect: Effect| -> Vec<Rule> {
            matching
                .iter()
                .filter(|r| r.effect == effect)
                .map(|r| (*r).clone())
                .collect()
        };
        let allowed = self.grant(role, purpose).is_some_and(|grant| match object {
            Object::Field(field) => {
                action == Action::Read && grant.fields.allows(field.type_name, field.field)
            }
            Object::Scope(scope) => action == Action::Read && grant.scopes.contains(scope),
            Object::Resource(resource) => grant.may(resource, action),
            Object::Statistic(name) => action == Action::Read && grant.may_pull(name),
            Object::Category(category) => {
                action == Action::Read
                    && crate::catalog::FIELDS
                        .iter()
                        .filter(|f| f.category == *category)
                        .all(|f| grant.fields.allows(f.type_name, f.field))
            }
        });
        Explanation {
            allowed,
            belongs_to,
            allowed_by: of(Effect::Allow),
            denied_by: of(Effect::Deny),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::FIELDS;
    use crate::gate::{STATISTICS, parse_rules};
    use crate::{DEFAULT_POLICY, Scope};

    async fn policy(extra: &str) -> Policy {
        let text = format!("{DEFAULT_POLICY}\n{extra}\n");
        Policy::compile(parse_rules(&text).unwrap_or_else(|e| panic!("{e}")), 1)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[tokio::test]
    async fn the_rules_explain_exactly_what_casbin_decided() {
        let policy = policy(
            "p, ot, follow_up, field:Contact.phone, read, deny\np, udir, statistics, statistics:completion, read, deny",
        )
        .await;
        let mut objects: Vec<Object> = FIELDS.iter().map(|f| Object::Field(*f)).collect();
        objects.extend(Scope::ALL.iter().map(|s| Object::Scope(*s)));
        objects.extend(STATISTICS.iter().map(|s| Object::Statistic(s)));
        let mut decided = 0;
        for role in Role::ALL {
            for purpose in Purpose::ALL {
                for object in &objects {
                    let e = policy.explain(*role, *purpose, object, Action::Read);
                    assert_eq!(
                        e.allowed,
                        !e.allowed_by.is_empty() && e.denied_by.is_empty(),
                        "{role} {purpose} {object}: {e:?}"
                    );
                    decided += usize::from(e.allowed);
                }
            }
        }
        assert!(decided > 100, "the default policy allows much: {decided}");
        let phone = policy.explain(
            Role::Ot,
            Purpose::FollowUp,
            &"field:Contact.phone"
                .parse()
                .unwrap_or_else(|e| panic!("{e}")),
            Action::Read,
        );
        assert!(!phone.allowed);
        assert_eq!(
            phone.denied_by[0].to_string(),
            "p, ot, follow_up, field:Contact.phone, read, deny"
        );
        assert_eq!(
            phone.allowed_by[0].to_string(),
            "p, ot, follow_up, category:contact, read, allow"
        );
        let object: Object = "field:Contact.phone"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(phone.reason(&object).contains("which overrides"));
        let shoe = policy.explain(
            Role::Lanekassen,
            Purpose::LoanAdministration,
            &"field:Contact.address"
                .parse()
                .unwrap_or_else(|e| panic!("{e}")),
            Action::Read,
        );
        assert!(!shoe.allowed && shoe.allowed_by.is_empty() && shoe.denied_by.is_empty());
    }
}
