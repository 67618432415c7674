//! The gate: the Casbin policy, validated and compiled into look-up tables.
//!
//! Casbin is the source of truth, but it is asked only when a policy is loaded: for every
//! role and purpose the policy grants, every catalogued field, scope and resource is
//! decided once, so that requests pay for a hash look-up, never for `enforce()`.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, RwLock};

use casbin::{CoreApi, DefaultModel, Enforcer, MemoryAdapter, MgmtApi};

use crate::catalog::{self, CatalogField, Category};
use crate::scope::{RowScope, Scope, Today};
use crate::{PolicyError, Purpose, Role, Subject};

/// Casbin's model: request, policy, effect (deny overrides allow) and matcher.
pub const MODEL: &str = include_str!("../model.conf");
/// The access matrix of DOMAIN.md as policy rules, loaded when the database holds none.
pub const DEFAULT_POLICY: &str = include_str!("../default_policy.csv");

/// Resources that are neither fields nor scopes.
const RESOURCES: &[&str] = &[
    "mutations",
    "policy",
    "audit_trail",
    "statistics",
    "placements",
    "follow_up_status",
];

/// Resources that can only be written: `mutations` (every registration and change), and the
/// narrow writes a partner makes (`placements`: a company answers the applicants offered to
/// it; `follow_up_status`: OT registers statuses of its target group).
pub const WRITE_ONLY_RESOURCES: &[&str] = &["mutations", "placements", "follow_up_status"];

/// The statistics of the analytics catalogue, each an object `statistics:NAME` that belongs
/// to the `statistics` resource: a grant of `statistics` covers them all, and a rule on one
/// decides that one where the access matrix differs (a deny overrides). A test in the
/// analytics crate keeps this list equal to its catalogue; a statistic missing here is
/// granted to nobody.
pub const STATISTICS: &[&str] = &[
    "applicants-by-programme",
    "applicants-by-school",
    "applicants-per-place",
    "pupils-by-school",
    "pupils-by-age",
    "apprentices-by-trade",
    "contracts-by-year",
    "trade-tests",
    "trade-test-pass-rate",
    "grades-by-subject",
    "subject-pass-rate",
    "absence-by-level",
    "ot-target-group",
    "course-percentage",
    "completion",
];

/// What a rule may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Read,
    Write,
}

/// Whether a matching rule grants or refuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Effect {
    Allow,
    Deny,
}

/// What a rule is about.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Object {
    Field(CatalogField),
    Category(Category),
    Scope(Scope),
    Resource(&'static str),
    /// One statistic of the catalogue, `statistics:NAME`.
    Statistic(&'static str),
}

/// One validated policy rule: `p, role, purpose, object, action, effect`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Rule {
    pub role: Role,
    pub purpose: Purpose,
    pub object: Object,
    pub action: Action,
    pub effect: Effect,
}

impl fmt::Display for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Object::Field(field) => write!(f, "field:{field}"),
            Object::Category(category) => write!(f, "category:{category}"),
            Object::Scope(scope) => write!(f, "scope:{scope}"),
            Object::Resource(name) => f.write_str(name),
            Object::Statistic(name) => write!(f, "statistics:{name}"),
        }
    }
}

impl FromStr for Object {
    type Err = PolicyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(field) = s.strip_prefix("field:") {
            return field.parse().map(Object::Field);
        }
        if let Some(category) = s.strip_prefix("category:") {
            return category.parse().map(Object::Category);
        }
        if let Some(scope) = s.strip_prefix("scope:") {
            return scope.parse().map(Object::Scope);
        }
        if let Some(statistic) = s.strip_prefix("statistics:") {
            return STATISTICS
                .iter()
                .find(|n| **n == statistic)
                .map(|n| Object::Statistic(n))
                .ok_or_else(|| PolicyError::UnknownStatistic(statistic.to_owned()));
        }
        RESOURCES
            .iter()
            .find(|r| **r == s)
            .map(|r| Object::Resource(r))
            .ok_or_else(|| PolicyError::UnknownObject(s.to_owned()))
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Action::Read => "read",
            Action::Write => "write",
        })
    }
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Effect::Allow => "allow",
            Effect::Deny => "deny",
        })
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "p, {}, {}, {}, {}, {}",
            self.role, self.purpose, self.object, self.action, self.effect
        )
    }
}

impl Rule {
    /// Parses and validates one rule from its values (without the leading `p`). Errors name
    /// the value that is wrong.
    pub fn from_values<S: AsRef<str>>(values: &[S]) -> Result<Rule, PolicyError> {
        let values: Vec<&str> = values.iter().map(|v| v.as_ref().trim()).collect();
        let [role, purpose, object, action, effect] = values[..] else {
            return Err(PolicyError::MalformedRule(format!(
                "expected role, purpose, object, action, effect; got {} values",
                values.len()
            )));
        };
        let role: Role = role.parse()?;
        let purpose: Purpose = purpose.parse()?;
        let object: Object = object.parse()?;
        let action = match action {
            "read" => Action::Read,
            "write" => Action::Write,
            other => {
                return Err(PolicyError::MalformedRule(format!(
                    "unknown action '{other}'; valid actions: read, write"
                )));
            }
        };
        let effect = match effect {
            "allow" => Effect::Allow,
            "deny" => Effect::Deny,
            other => {
                return Err(PolicyError::MalformedRule(format!(
                    "unknown effect '{other}'; valid effects: allow, deny"
                )));
            }
        };
        let writable = matches!(
            object,
            Object::Resource(resource) if resource == "policy" || WRITE_ONLY_RESOURCES.contains(&resource)
        );
        if action == Action::Write && !writable {
            return Err(PolicyError::MalformedRule(format!(
                "'{object}' can only be read"
            )));
        }
        if let Object::Resource(resource) = object
            && WRITE_ONLY_RESOURCES.contains(&resource)
            && action == Action::Read
        {
            return Err(PolicyError::MalformedRule(format!(
                "'{resource}' can only be written"
            )));
        }
        Ok(Rule {
            role,
            purpose,
            object,
            action,
            effect,
        })
    }

    /// The values as Casbin stores them.
    pub fn values(&self) -> Vec<String> {
        vec![
            self.role.to_string(),
            self.purpose.to_string(),
            self.object.to_string(),
            self.action.to_string(),
            self.effect.to_string(),
        ]
    }
}

/// Parses policy text in Casbin's CSV form: `p, …` lines, `#` comments, blank lines.
/// The first bad line is reported with its number.
pub fn parse_rules(text: &str) -> Result<Vec<Rule>, PolicyError> {
    let mut rules = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let values: Vec<&str> = line.split(',').map(str::trim).collect();
        let rule = match values.split_first() {
            Some((&"p", rest)) => Rule::from_values(rest),
            _ => Err(PolicyError::MalformedRule(
                "a rule starts with 'p'".to_owned(),
            )),
        }
        .map_err(|e| PolicyError::AtLine {
            line: index + 1,
            error: Box::new(e),
        })?;
        rules.push(rule);
    }
    Ok(rules)
}

/// Which fields a subject may read, as a look-up over the catalog.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldMask {
    allowed: HashMap<&'static str, HashSet<&'static str>>,
}

impl FieldMask {
    /// A mask allowing exactly the given catalogued fields.
    pub fn of<'a>(fields: impl IntoIterator<Item = &'a CatalogField>) -> Self {
        let mut allowed: HashMap<&'static str, HashSet<&'static str>> = HashMap::new();
        for field in fields {
            allowed
                .entry(field.type_name)
                .or_default()
                .insert(field.field);
        }
        FieldMask { allowed }
    }

    /// Every catalogued field.
    pub fn everything() -> Self {
        FieldMask::of(catalog::FIELDS)
    }

    /// Whether `type_name.field` may be read. Unclassified fields never may.
    pub fn allows(&self, type_name: &str, field: &str) -> bool {
        self.allowed
            .get(type_name)
            .is_some_and(|fields| fields.contains(field))
    }

    /// Whether the mask allows every catalogued field.
    pub fn is_everything(&self) -> bool {
        catalog::FIELDS
            .iter()
            .all(|f| self.allows(f.type_name, f.field))
    }

    /// Whether any field of `type_name` may be read.
    pub fn allows_type(&self, type_name: &str) -> bool {
        self.allowed.get(type_name).is_some_and(|f| !f.is_empty())
    }

    /// The allowed fields, sorted, as `Type.field`.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .allowed
            .iter()
            .flat_map(|(t, fields)| fields.iter().map(move |f| format!("{t}.{f}")))
            .collect();
        names.sort();
        names
    }
}

/// What the policy grants one role for one purpose, decided once per policy version.
#[derive(Clone, Debug)]
pub struct Grant {
    pub fields: Arc<FieldMask>,
    pub scopes: Vec<Scope>,
    pub resources: BTreeSet<(&'static str, Action)>,
    /// The statistics granted, by name.
    pub statistics: BTreeSet<&'static str>,
}

impl Grant {
    /// Whether any granted scope reaches persons.
    pub fn reaches_persons(&self) -> bool {
        self.scopes.iter().any(|s| *s != Scope::Organisations)
    }

    /// Whether the `organisation` query is granted.
    pub fn reaches_organisations(&self) -> bool {
        self.scopes.contains(&Scope::Organisations)
    }

    pub fn may(&self, resource: &'static str, action: Action) -> bool {
        self.resources.contains(&(resource, action))
    }

    /// Whether statistic `name` is granted: by the `statistics` resource or by a rule of its
    /// own, and denied by neither.
    pub fn may_pull(&self, name: &str) -> bool {
        self.statistics.contains(name)
    }
}

/// What one subject may do, for one request.
#[derive(Clone, Debug)]
pub struct Access {
    pub rows: RowScope,
    pub fields: Arc<FieldMask>,
    /// Everything the policy grants the subject's role for its purpose.
    pub grant: Arc<Grant>,
    /// The policy version it was decided under, for the audit trail.
    pub version: i64,
}

fn casbin_error(e: casbin::Error) -> PolicyError {
    PolicyError::Casbin(e.to_string())
}

/// A Casbin enforcer over Vigo's model, `rules`, and the catalog's field → category links.
async fn enforcer_for(rules: &[&Rule]) -> Result<Enforcer, PolicyError> {
    let model = DefaultModel::from_str(MODEL).await.map_err(casbin_error)?;
    let mut enforcer = Enforcer::new(model, MemoryAdapter::default())
        .await
        .map_err(casbin_error)?;
    let values: Vec<Vec<String>> = rules.iter().map(|r| r.values()).collect();
    enforcer.add_policies(values).await.map_err(casbin_error)?;
    let groupings: Vec<Vec<String>> = catalog::FIELDS
        .iter()
        .map(|f| {
            vec![
                Object::Field(*f).to_string(),
                Object::Category(f.category).to_string(),
            ]
        })
        .collect();
    let groupings = groupings
        .into_iter()
        .chain(STATISTICS.iter().map(|name| {
            vec![
                Object::Statistic(name).to_string(),
                Object::Resource("statistics").to_string(),
            ]
        }))
        .collect();
    enforcer
        .add_grouping_policies(groupings)
        .await
        .map_err(casbin_error)?;
    Ok(enforcer)
}

/// A validated, compiled policy.
#[derive(Debug)]
pub struct Policy {
    rules: Vec<Rule>,
    version: i64,
    grants: HashMap<(Role, Purpose), Arc<Grant>>,
}

impl Policy {
    /// Validates and compiles `rules` through Casbin. Fails, naming the cause, if Casbin
    /// rejects the model or the rules.
    pub async fn compile(rules: Vec<Rule>, version: i64) -> Result<Policy, PolicyError> {
        let mut unique: Vec<&Rule> = rules.iter().collect();
        unique.sort_by_key(|r| r.to_string());
        if let Some(twice) = unique.windows(2).find(|w| w[0] == w[1]) {
            return Err(PolicyError::MalformedRule(format!(
                "the policy holds '{}' twice",
                twice[0]
            )));
        }
        let pairs: BTreeSet<(Role, Purpose)> = rules
            .iter()
            .filter(|r| r.effect == Effect::Allow)
            .map(|r| (r.role, r.purpose))
            .collect();
        let mut grants = HashMap::new();
        for (role, purpose) in pairs {
            // The matcher requires role and purpose to match, so each pair is decided by an
            // enforcer holding only its own rules: the same answers, far fewer evaluations.
            let own: Vec<&Rule> = rules
                .iter()
                .filter(|r| r.role == role && r.purpose == purpose)
                .collect();
            let enforcer = enforcer_for(&own).await?;
            let decide = |object: &Object, action: Action| -> Result<bool, PolicyError> {
                enforcer
                    .enforce((
                        role.code(),
                        purpose.code(),
                        object.to_string(),
                        action.to_string(),
                    ))
                    .map_err(casbin_error)
            };
            let mut fields = Vec::new();
            for field in catalog::FIELDS {
                if decide(&Object::Field(*field), Action::Read)? {
                    fields.push(field);
                }
            }
            let mut scopes = Vec::new();
            for scope in Scope::ALL {
                if decide(&Object::Scope(*scope), Action::Read)? {
                    scopes.push(*scope);
                }
            }
            let mut resources = BTreeSet::new();
            for resource in RESOURCES {
                for action in [Action::Read, Action::Write] {
                    if decide(&Object::Resource(resource), action)? {
                        resources.insert((*resource, action));
                    }
                }
            }
            let mut statistics = BTreeSet::new();
            for name in STATISTICS {
                if decide(&Object::Statistic(name), Action::Read)? {
                    statistics.insert(*name);
                }
            }
            grants.insert(
                (role, purpose),
                Arc::new(Grant {
                    fields: Arc::new(FieldMask::of(fields)),
                    scopes,
                    resources,
                    statistics,
                }),
            );
        }
        Ok(Policy {
            rules,
            version,
            grants,
        })
    }

    /// The default policy (DOMAIN.md's access matrix).
    pub async fn default_policy() -> Result<Policy, PolicyError> {
        Policy::compile(parse_rules(DEFAULT_POLICY)?, 1).await
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn version(&self) -> i64 {
        self.version
    }

    /// The purposes the policy grants a role anything for.
    pub fn purposes(&self, role: Role) -> Vec<Purpose> {
        let mut purposes: Vec<Purpose> = self
            .grants
            .keys()
            .filter(|(r, _)| *r == role)
            .map(|(_, p)| *p)
            .collect();
        purposes.sort();
        purposes
    }

    /// Whether any role, for any purpose, may use `resource` this way.
    pub fn anyone_may(&self, resource: &'static str, action: Action) -> bool {
        self.grants.values().any(|g| g.may(resource, action))
    }

    /// What the policy grants a role for a purpose, or the refusal naming the purposes it
    /// does grant the role.
    pub fn admit(&self, role: Role, purpose: Purpose) -> Result<Arc<Grant>, PolicyError> {
        self.grant(role, purpose)
            .ok_or_else(|| PolicyError::PurposeNotAllowed {
                role,
                purpose,
                granted: self.purposes(role),
            })
    }

    /// What the policy grants a role for a purpose; `None` when it grants nothing.
    pub fn grant(&self, role: Role, purpose: Purpose) -> Option<Arc<Grant>> {
        self.grants.get(&(role, purpose)).cloned()
    }
}

/// The policy gate: the one place that decides access. Cheap to clone; every clone sees
/// the policy currently in force, which [`Gate::replace`] swaps atomically.
#[derive(Clone, Debug)]
pub struct Gate {
    current: Arc<RwLock<Arc<Policy>>>,
}

impl Gate {
    pub fn new(policy: Policy) -> Self {
        Gate {
            current: Arc::new(RwLock::new(Arc::new(policy))),
        }
    }

    /// The policy in force.
    pub fn policy(&self) -> Arc<Policy> {
        match self.current.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Puts a new, already compiled policy in force for every later request.
    pub fn replace(&self, policy: Policy) {
        let policy = Arc::new(policy);
        match self.current.write() {
            Ok(mut guard) => *guard = policy,
            Err(poisoned) => *poisoned.into_inner() = policy,
        }
    }

    /// Puts `policy` in force unless the one in force is as new or newer (instances learn of
    /// versions in any order); returns whether it did.
    pub fn replace_if_newer(&self, policy: Policy) -> bool {
        let mut guard = match self.current.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if policy.version() <= guard.version() {
            return false;
        }
        *guard = Arc::new(policy);
        true
    }

    /// What the policy grants the subject's role for its purpose, or the refusal: a purpose
    /// the policy does not grant the role is refused here (purpose binding).
    pub fn grant(&self, subject: &Subject) -> Result<Arc<Grant>, PolicyError> {
        self.policy().admit(subject.role, subject.purpose)
    }

    /// Checks that the policy lets the subject's role act for its purpose at all.
    pub fn admit(&self, subject: &Subject) -> Result<(), PolicyError> {
        self.grant(subject).map(|_| ())
    }

    /// The subject's access to persons and organisations today.
    pub fn access(&self, subject: &Subject) -> Result<Access, PolicyError> {
        let policy = self.policy();
        let grant = policy.admit(subject.role, subject.purpose)?;
        Ok(Access {
            rows: RowScope::new(&grant.scopes, subject, Today::now()),
            fields: grant.fields.clone(),
            grant,
            version: policy.version(),
        })
    }

    /// The access a subject has to person data, or a denial when it reaches no person.
    pub fn person_access(&self, subject: &Subject) -> Result<Access, PolicyError> {
        let access = self.access(subject)?;
        if !access.rows.reaches_persons() {
            return Err(PolicyError::Denied {
                role: subject.role,
                action: "read person data",
            });
        }
        Ok(access)
    }

    /// Whether the subject may look up organisations.
    pub fn organisation_access(&self, subject: &Subject) -> Result<Access, PolicyError> {
        let access = self.access(subject)?;
        if !access.rows.reaches_organisations() {
            return Err(PolicyError::Denied {
                role: subject.role,
                action: "read organisation data",
            });
        }
        Ok(access)
    }

    /// Whether the subject may use a resource (`mutations`, `policy`, …).
    pub fn may(
        &self,
        subject: &Subject,
        resource: &'static str,
        action: Action,
    ) -> Result<(), PolicyError> {
        if self.grant(subject)?.may(resource, action) {
            Ok(())
        } else {
            Err(PolicyError::Denied {
                role: subject.role,
                action: match (resource, action) {
                    ("mutations", _) => "change data",
                    ("policy", Action::Read) => "read the policy",
                    ("policy", Action::Write) => "change the policy",
                    ("audit_trail", _) => "read the audit trail",
                    ("statistics", _) => "read statistics",
                    ("placements", _) => "answer apprenticeship placements",
                    ("follow_up_status", _) => "register follow-up statuses",
                    _ => "use this resource",
                },
            })
        }
    }

    /// Whether the subject may pull statistic `name` (see [`STATISTICS`]).
    pub fn may_pull(&self, subject: &Subject, name: &str) -> Result<(), PolicyError> {
        if self.grant(subject)?.may_pull(name) {
            Ok(())
        } else {
            Err(PolicyError::Denied {
                role: subject.role,
                action: "read this statistic",
            })
        }
    }

    /// Whether the subject may register and change data.
    pub fn may_write(&self, subject: &Subject) -> Result<(), PolicyError> {
        self.may(subject, "mutations", Action::Write)
    }
}
