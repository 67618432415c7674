//! The privacy officer's tools for understanding a policy before and after changing it: the
//! difference between two versions, why a role may or may not read something, what a
//! proposed rule set would let a subject read, and rolling back to an earlier version (as a
//! new version: history is never rewritten). Only the `policy` resource opens them, and each
//! call is recorded in the audit trail as any request is.

use async_graphql::{Context, ErrorExtensions, InputObject, Result, SimpleObject};
use sea_orm::{EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait};
use vigo_entities::person;
use vigo_policy::diff::{GrantChange, PolicyDiff};
use vigo_policy::{Action, Object, Policy, Purpose, RowScope, Subject, Today, parse_rules};

use super::codes::Role;
use super::privacy::{PolicyDocument, permitted, policy_error};
use crate::error::ApiError;

/// What one role, acting for one purpose, gains and loses by a change of policy.
#[derive(SimpleObject)]
pub struct GrantDifference {
    /// The role, e.g. `ot`.
    pub role: String,
    /// The purpose it acts for, e.g. `follow_up`.
    pub purpose: String,
    /// Fields it may read after the change and not before, as `Type.field`.
    pub fields_gained: Vec<String>,
    /// Fields it may no longer read.
    pub fields_lost: Vec<String>,
    /// Row scopes gained, e.g. `school_pupils`.
    pub scopes_gained: Vec<String>,
    /// Row scopes lost.
    pub scopes_lost: Vec<String>,
    /// Resources gained, as `resource:action` (`policy:write`) or `statistics:NAME`.
    pub resources_gained: Vec<String>,
    /// Resources lost.
    pub resources_lost: Vec<String>,
}

impl From<GrantChange> for GrantDifference {
    fn from(change: GrantChange) -> Self {
        GrantDifference {
            role: change.role.map(|r| r.to_string()).unwrap_or_default(),
            purpose: change.purpose.map(|p| p.to_string()).unwrap_or_default(),
            fields_gained: change.fields_gained,
            fields_lost: change.fields_lost,
            scopes_gained: change.scopes_gained,
            scopes_lost: change.scopes_lost,
            resources_gained: change.resources_gained,
            resources_lost: change.resources_lost,
        }
    }
}

/// The difference between two policies: the rule lines, and what each role gains and loses.
#[derive(SimpleObject)]
pub struct PolicyDifference {
    /// Rules in the second policy and not the first, in canonical order.
    pub added: Vec<String>,
    /// Rules in the first policy and not the second.
    pub removed: Vec<String>,
    /// Per role and purpose whose access changes.
    pub changes: Vec<GrantDifference>,
}

impl From<PolicyDiff> for PolicyDifference {
    fn from(diff: PolicyDiff) -> Self {
        PolicyDifference {
            added: diff.added.iter().map(ToString::to_string).collect(),
            removed: diff.removed.iter().map(ToString::to_string).collect(),
            changes: diff.changes.into_iter().map(Into::into).collect(),
        }
    }
}

/// Whether a role acting for a purpose may read something, and the rules that decided it.
#[derive(SimpleObject)]
pub struct AccessExplanation {
    /// The object asked about, as a rule names it (`field:Contact.email`).
    pub object: String,
    /// What it belongs to through the model's grouping (`category:contact`), if anything.
    pub belongs_to: Option<String>,
    /// The decision.
    pub allowed: bool,
    /// The allow rules that match.
    pub allowed_by: Vec<String>,
    /// The deny rules that match; any one overrides every allow.
    pub denied_by: Vec<String>,
    /// The decision in words.
    pub reason: String,
}

/// Who to simulate: a role acting for a purpose, for an organisation, trade or person where
/// the role needs one.
#[derive(InputObject)]
pub struct SimulatedSubject {
    /// The role.
    pub role: Role,
    /// The purpose, e.g. `follow_up`; the role's usual purpose when left out.
    pub purpose: Option<String>,
    /// The organisation number it acts for (school, company, …).
    pub org: Option<String>,
    /// The programme area code of the trade an exam board assesses.
    pub trade: Option<String>,
    /// The national id it acts as (student).
    pub national_id: Option<String>,
}

/// What a subject may read under one policy.
#[derive(SimpleObject)]
pub struct SimulatedAccess {
    /// Fields it may read, as `Type.field`.
    pub fields: Vec<String>,
    /// Row scopes granted.
    pub scopes: Vec<String>,
    /// How many persons its row scope reaches.
    pub persons: u64,
}

/// One person as a simulated subject would see them under one policy.
#[derive(SimpleObject)]
pub struct SimulatedRecord {
    /// What the subject would read of the person; `null` when the person is outside its row
    /// scope (or does not exist: the two look the same), or when it may read nothing.
    pub record: Option<async_graphql::Json<serde_json::Value>>,
    /// The person's fields it would not see, as `Type.field`.
    pub withheld: Vec<String>,
}

/// A proposed rule set against the policy in force, for one subject.
#[derive(SimpleObject)]
pub struct PolicySimulation {
    /// Under the policy in force.
    pub current: SimulatedAccess,
    /// Under the proposal.
    pub proposed: SimulatedAccess,
    /// Fields the subject would gain.
    pub fields_gained: Vec<String>,
    /// Fields the subject would lose.
    pub fields_lost: Vec<String>,
    /// The whole difference the proposal makes, for every role.
    pub difference: PolicyDifference,
    /// The sample person as the subject would see them now, when one was given.
    pub record_current: Option<SimulatedRecord>,
    /// The sample person as the subject would see them under the proposal.
    pub record_proposed: Option<SimulatedRecord>,
}

fn bad(field: &'static str) -> impl Fn(vigo_policy::PolicyError) -> async_graphql::Error {
    policy_error(field)
}

/// The compiled policy of a stored version.
async fn stored(
    db: &sea_orm::DatabaseConnection,
    version: i64,
    field: &'static str,
) -> Result<Policy> {
    let rules = vigo_policy::store::rules_of(db, version)
        .await
        .map_err(policy_error(field))?;
    Policy::compile(rules, version).await.map_err(bad(field))
}

pub async fn policy_diff(ctx: &Context<'_>, from: i64, to: i64) -> Result<PolicyDifference> {
    let (_, _, db) = permitted(ctx, "Query.policyDiff").await?;
    let before = stored(db, from, "from").await?;
    let after = stored(db, to, "to").await?;
    Ok(vigo_policy::diff::diff(&before, &after).into())
}

pub async fn explain_access(
    ctx: &Context<'_>,
    role: Role,
    purpose: Option<String>,
    object: String,
) -> Result<AccessExplanation> {
    let (_, gate, _) = permitted(ctx, "Query.explainAccess").await?;
    let role: vigo_policy::Role = role.into();
    let purpose: Purpose = match purpose {
        Some(p) => p.trim().parse().map_err(bad("purpose"))?,
        None => role.default_purpose(),
    };
    let object: Object = object.trim().parse().map_err(bad("object"))?;
    let policy = gate.policy();
    let action = match object {
        Object::Resource(resource) if vigo_policy::WRITE_ONLY_RESOURCES.contains(&resource) => {
            Action::Write
        }
        _ => Action::Read,
    };
    let explanation = policy.explain(role, purpose, &object, action);
    Ok(AccessExplanation {
        object: object.to_string(),
        belongs_to: explanation.belongs_to.as_ref().map(ToString::to_string),
        allowed: explanation.allowed,
        allowed_by: explanation
            .allowed_by
            .iter()
            .map(ToString::to_string)
            .collect(),
        denied_by: explanation
            .denied_by
            .iter()
            .map(ToString::to_string)
            .collect(),
        reason: explanation.reason(&object),
    })
}

/// The subject to simulate, validated as a token's claims are.
fn simulated(subject: SimulatedSubject) -> Result<Subject> {
    let role: vigo_policy::Role = subject.role.into();
    let purpose: Purpose = match subject.purpose {
        Some(p) => p.trim().parse().map_err(bad("subject.purpose"))?,
        None => role.default_purpose(),
    };
    let org = subject
        .org
        .map(|o| o.trim().parse::<vigo_entities::ids::OrgNo>())
        .transpose()
        .map_err(|e| ApiError::bad_input("subject.org", e).extend())?;
    let person = subject
        .national_id
        .map(|n| n.trim().parse::<vigo_entities::ids::NationalId>())
        .transpose()
        .map_err(|e| ApiError::bad_input("subject.nationalId", e).extend())?;
    let trade = subject
        .trade
        .map(|t| t.trim().parse::<vigo_entities::ids::ProgrammeAreaCode>())
        .transpose()
        .map_err(|e| ApiError::bad_input("subject.trade", e).extend())?;
    Subject::new(role, purpose, org, person, "simulation".into())
        .and_then(|s| s.with_trade(trade))
        .map_err(bad("subject"))
}

/// What `subject` may read under `policy`, and how many persons it reaches.
async fn access_under(
    db: &sea_orm::DatabaseConnection,
    policy: &Policy,
    subject: &Subject,
) -> Result<SimulatedAccess> {
    let Some(grant) = policy.grant(subject.role, subject.purpose) else {
        return Ok(SimulatedAccess {
            fields: Vec::new(),
            scopes: Vec::new(),
            persons: 0,
        });
    };
    let rows = RowScope::new(&grant.scopes, subject, Today::now());
    let persons = if rows.reaches_persons() {
        person::Entity::find()
            .filter(rows.person_condition())
            .count(db)
            .await
            .map_err(|e| ApiError::from(e).extend())?
    } else {
        0
    };
    Ok(SimulatedAccess {
        fields: grant.fields.names(),
        scopes: grant.scopes.iter().map(ToString::to_string).collect(),
        persons,
    })
}

/// Reads one person as `subject` would under `policy`: its row scope and field mask, the
/// same loaders and enforcement as any request, run inside the officer's request so that the
/// person and the categories read go into the officer's audit event. What the simulated
/// subject would be refused is not recorded as a refusal: nobody was refused.
async fn record_under(
    ctx: &Context<'_>,
    policy: &Policy,
    subject: &Subject,
    national_id: &vigo_entities::ids::NationalId,
) -> Result<SimulatedRecord> {
    use super::enforce::{self, TypeMap};
    use std::sync::Arc;
    let about_the_person = |type_name: &str, field: &str| match type_name {
        "Organisation" => matches!(field, "orgNo" | "name"),
        "ProgrammeArea" => matches!(field, "code" | "name"),
        _ => true,
    };
    let types = ctx.data::<Arc<TypeMap>>()?;
    // Every field of the person's record, as the walk meets them.
    let reachable = std::cell::RefCell::new(Vec::<String>::new());
    enforce::select_all(types, "Person", &|t, f| {
        let about = about_the_person(t, f);
        if about && vigo_policy::catalog::is_classified(t, f) {
            reachable.borrow_mut().push(format!("{t}.{f}"));
        }
        about
    });
    let reachable = reachable.into_inner();
    let Some(grant) = policy.grant(subject.role, subject.purpose) else {
        return Ok(SimulatedRecord {
            record: None,
            withheld: reachable,
        });
    };
    let access = vigo_policy::Access {
        rows: RowScope::new(&grant.scopes, subject, Today::now()),
        fields: grant.fields.clone(),
        grant: grant.clone(),
        version: policy.version(),
    };
    let withheld: Vec<String> = reachable
        .into_iter()
        .filter(|name| {
            name.split_once('.')
                .is_some_and(|(t, f)| !access.fields.allows(t, f))
        })
        .collect();
    let selection = enforce::select_all(types, "Person", &|t, f| {
        about_the_person(t, f) && access.fields.allows(t, f)
    });
    if !access.rows.reaches_persons() || selection.trim().is_empty() {
        return Ok(SimulatedRecord {
            record: None,
            withheld,
        });
    }
    let internal = |e: &dyn std::fmt::Display| {
        ApiError::Internal(anyhow::anyhow!("policy simulation: {e}")).extend()
    };
    // The national id is validated: digits only, safe inside the document.
    let query = format!(
        "query Simulated {{ person(nationalId: \"{}\") {{ {selection} }} }}",
        national_id.as_string()
    );
    let mut document = async_graphql::parser::parse_query(query).map_err(|e| internal(&e))?;
    let enforced = enforce::enforce(
        &mut document,
        types,
        &access.fields,
        None,
        &Default::default(),
    );
    let touched = ctx.data::<Arc<crate::audit::Touched>>()?;
    touched.add_categories(enforced.categories.iter().cloned());
    let mut request = async_graphql::Request::new("");
    request.set_parsed_query(document);
    let request = crate::server::scoped_request(
        ctx.data::<sea_orm::DatabaseConnection>()?,
        ctx.data::<std::sync::Arc<super::loaders::ReferenceRows>>()?,
        subject,
        &access,
        &ctx.data::<crate::denials::RequestId>()?.0,
        request,
        touched,
    )
    .data(crate::denials::DenialQueue::simulated());
    // Boxed: the simulation runs the schema from inside one of its own resolvers.
    let schema = ctx.data::<super::VigoSchema>()?;
    let response = Box::pin(schema.execute(request)).await;
    if let Some(error) = response.errors.first() {
        return Err(internal(&error.message));
    }
    let mut data = response.data.into_json().map_err(|e| internal(&e))?;
    let person = data["person"].take();
    Ok(SimulatedRecord {
        record: (!person.is_null()).then_some(async_graphql::Json(person)),
        withheld,
    })
}

pub async fn simulate_policy(
    ctx: &Context<'_>,
    rules: String,
    subject: SimulatedSubject,
    national_id: Option<String>,
) -> Result<PolicySimulation> {
    let (_, gate, db) = permitted(ctx, "Query.simulatePolicy").await?;
    let subject = simulated(subject)?;
    let sample = national_id
        .map(|n| n.trim().parse::<vigo_entities::ids::NationalId>())
        .transpose()
        .map_err(|e| ApiError::bad_input("nationalId", e).extend())?;
    let current = gate.policy();
    let proposal = Policy::compile(parse_rules(&rules).map_err(bad("rules"))?, 0)
        .await
        .map_err(bad("rules"))?;
    let before = access_under(db, &current, &subject).await?;
    let after = access_under(db, &proposal, &subject).await?;
    let difference = |a: &[String], b: &[String]| -> Vec<String> {
        b.iter().filter(|f| !a.contains(f)).cloned().collect()
    };
    let (record_current, record_proposed) = match &sample {
        Some(id) => (
            Some(record_under(ctx, &current, &subject, id).await?),
            Some(record_under(ctx, &proposal, &subject, id).await?),
        ),
        None => (None, None),
    };
    Ok(PolicySimulation {
        fields_gained: difference(&before.fields, &after.fields),
        fields_lost: difference(&after.fields, &before.fields),
        current: before,
        proposed: after,
        difference: vigo_policy::diff::diff(&current, &proposal).into(),
        record_current,
        record_proposed,
    })
}

pub async fn rollback_policy(
    ctx: &Context<'_>,
    to: i64,
    summary: String,
) -> Result<PolicyDocument> {
    let (subject, gate, db) = permitted(ctx, "Mutation.rollbackPolicy").await?;
    if summary.trim().is_empty() {
        return Err(ApiError::bad_input("summary", "say why the policy is rolled back").extend());
    }
    let rules = vigo_policy::store::rules_of(db, to)
        .await
        .map_err(policy_error("to"))?;
    let txn = db.begin().await.map_err(|e| ApiError::from(e).extend())?;
    let summary = format!("rollback to version {to}: {}", summary.trim());
    let staged = vigo_policy::store::stage(&txn, rules, subject, &summary)
        .await
        .map_err(policy_error("to"))?;
    crate::audit::append_for_request(ctx, &txn, &[])
        .await
        .map_err(|e| e.extend())?;
    txn.commit().await.map_err(|e| ApiError::from(e).extend())?;
    gate.replace_if_newer(staged);
    super::privacy::policy(ctx).await
}

/// One data category, as the matrix's columns show it.
#[derive(SimpleObject)]
pub struct MatrixCategory {
    /// The category's code, e.g. `contact`.
    pub id: String,
    /// What it holds.
    pub description: String,
    /// Its fields, as `Type.field`.
    pub fields: Vec<String>,
}

/// How much of one category a role may read for one purpose.
#[derive(SimpleObject)]
pub struct MatrixCell {
    /// The category's code.
    pub category: String,
    /// How many of its fields may be read.
    pub allowed: usize,
    /// How many fields it has.
    pub total: usize,
    /// The fields that may be read, as `Type.field`.
    pub fields: Vec<String>,
}

/// What one role may read for one purpose.
#[derive(SimpleObject)]
pub struct MatrixRow {
    /// The role.
    pub role: String,
    /// The purpose.
    pub purpose: String,
    /// Who the role is.
    pub description: String,
    /// One cell per category, in the order of `AccessMatrix.categories`.
    pub cells: Vec<MatrixCell>,
    /// Row scopes granted.
    pub scopes: Vec<String>,
    /// Resources granted (`policy:write`, `statistics:NAME`, …).
    pub resources: Vec<String>,
}

/// The access matrix: roles and purposes against data categories.
#[derive(SimpleObject)]
pub struct AccessMatrix {
    /// The policy version it shows (0 for a proposal).
    pub version: i64,
    /// The columns.
    pub categories: Vec<MatrixCategory>,
    /// A row per role and purpose the policy grants anything, and one (empty) for each role it
    /// grants nothing.
    pub rows: Vec<MatrixRow>,
}

pub async fn access_matrix(ctx: &Context<'_>, rules: Option<String>) -> Result<AccessMatrix> {
    let (_, gate, _) = permitted(ctx, "Query.accessMatrix").await?;
    let policy = match rules {
        Some(rules) => std::sync::Arc::new(
            Policy::compile(parse_rules(&rules).map_err(bad("rules"))?, 0)
                .await
                .map_err(bad("rules"))?,
        ),
        None => gate.policy(),
    };
    Ok(matrix(&policy))
}

fn matrix(policy: &Policy) -> AccessMatrix {
    use vigo_policy::catalog::{Category, FIELDS};
    let fields_of = |category: Category| -> Vec<String> {
        FIELDS
            .iter()
            .filter(|f| f.category == category)
            .map(|f| format!("{}.{}", f.type_name, f.field))
            .collect()
    };
    let categories: Vec<MatrixCategory> = Category::ALL
        .iter()
        .map(|c| MatrixCategory {
            id: c.to_string(),
            description: c.doc().to_owned(),
            fields: fields_of(*c),
        })
        .collect();
    let mut rows = Vec::new();
    for role in vigo_policy::Role::ALL {
        let mut purposes = policy.purposes(*role);
        if purposes.is_empty() {
            purposes.push(role.default_purpose());
        }
        for purpose in purposes {
            let grant = policy.grant(*role, purpose);
            let cells = Category::ALL
                .iter()
                .map(|c| {
                    let all = fields_of(*c);
                    let readable: Vec<String> = FIELDS
                        .iter()
                        .filter(|f| f.category == *c)
                        .filter(|f| {
                            grant
                                .as_ref()
                                .is_some_and(|g| g.fields.allows(f.type_name, f.field))
                        })
                        .map(|f| format!("{}.{}", f.type_name, f.field))
                        .collect();
                    MatrixCell {
                        category: c.to_string(),
                        allowed: readable.len(),
                        total: all.len(),
                        fields: readable,
                    }
                })
                .collect();
            rows.push(MatrixRow {
                role: role.to_string(),
                purpose: purpose.to_string(),
                description: role.description().to_owned(),
                cells,
                scopes: grant
                    .as_ref()
                    .map(|g| g.scopes.iter().map(ToString::to_string).collect())
                    .unwrap_or_default(),
                resources: grant
                    .as_ref()
                    .map(|g| {
                        g.resources
                            .iter()
                            .map(|(r, a)| format!("{r}:{a}"))
                            .chain(g.statistics.iter().map(|s| format!("statistics:{s}")))
                            .collect()
                    })
                    .unwrap_or_default(),
            });
        }
    }
    AccessMatrix {
        version: policy.version(),
        categories,
        rows,
    }
}
