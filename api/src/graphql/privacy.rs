//! The privacy officer's view: the policy in force, its versions, refused reads, and
//! live policy edits.

use async_graphql::{Context, ErrorExtensions, Result, SimpleObject};
use sea_orm::{DatabaseConnection, EntityTrait, QueryOrder, QuerySelect};
use vigo_entities::{access_denial, policy_change};
use vigo_policy::{Action, Gate, Subject, parse_rules};

use super::records::timestamp;
use crate::error::ApiError;

/// The policy in force.
#[derive(SimpleObject)]
pub struct PolicyDocument {
    /// Bumped by every change; each read is recorded under the version it was decided by.
    pub version: i64,
    /// The rules in Casbin's CSV form, one `p, role, purpose, object, action, effect` per line.
    pub rules: Vec<String>,
}

/// One version of the policy.
#[derive(SimpleObject)]
pub struct PolicyChange {
    pub version: i64,
    pub changed_at: String,
    /// Role, purpose and token subject of who made the change.
    pub actor: String,
    pub summary: String,
}

/// A refused read.
#[derive(SimpleObject)]
pub struct Denial {
    pub at: String,
    pub actor_role: String,
    pub actor_org: Option<String>,
    pub actor_sub: String,
    pub purpose: String,
    /// `field`, `row` or `operation`.
    pub kind: String,
    /// The field (`Type.field`), `Person`, or the operation refused.
    pub target: String,
    pub request_id: String,
    pub policy_version: i64,
}

/// The caller, once the policy has let it use `resource`; a refusal is recorded.
async fn permitted<'a>(
    ctx: &Context<'a>,
    resource: &'static str,
    action: Action,
) -> Result<(&'a Subject, &'a Gate, &'a DatabaseConnection)> {
    let subject = ctx.data::<Subject>()?;
    let gate = ctx.data::<Gate>()?;
    if let Err(refusal) = gate.may(subject, resource, action) {
        let root = match action {
            Action::Read => "Query",
            Action::Write => "Mutation",
        };
        let operation = format!("{root}.{}", ctx.field().name());
        let access = ctx.data::<vigo_policy::Access>()?;
        return Err(super::query::refuse(ctx, access, &operation, refusal).await);
    }
    Ok((subject, gate, ctx.data::<DatabaseConnection>()?))
}

pub async fn policy(ctx: &Context<'_>) -> Result<PolicyDocument> {
    let (_, gate, _) = permitted(ctx, "policy", Action::Read).await?;
    let policy = gate.policy();
    Ok(PolicyDocument {
        version: policy.version(),
        rules: policy.rules().iter().map(ToString::to_string).collect(),
    })
}

pub async fn policy_changes(ctx: &Context<'_>, last: u64) -> Result<Vec<PolicyChange>> {
    let (_, _, db) = permitted(ctx, "policy", Action::Read).await?;
    let rows = policy_change::Entity::find()
        .order_by_desc(policy_change::Column::Id)
        .limit(last)
        .all(db)
        .await
        .map_err(|e| ApiError::from(e).extend())?;
    Ok(rows
        .into_iter()
        .map(|c| PolicyChange {
            version: c.id,
            changed_at: timestamp(&c.changed_at),
            actor: c.actor,
            summary: c.summary,
        })
        .collect())
}

pub async fn denials(ctx: &Context<'_>, last: u64) -> Result<Vec<Denial>> {
    let (_, _, db) = permitted(ctx, "audit_trail", Action::Read).await?;
    let rows = access_denial::Entity::find()
        .order_by_desc(access_denial::Column::Id)
        .limit(last)
        .all(db)
        .await
        .map_err(|e| ApiError::from(e).extend())?;
    Ok(rows
        .into_iter()
        .map(|d| Denial {
            at: timestamp(&d.at),
            actor_role: d.actor_role,
            actor_org: d.actor_org,
            actor_sub: d.actor_sub,
            purpose: d.purpose,
            kind: d.kind,
            target: d.target,
            request_id: d.request_id,
            policy_version: d.policy_version,
        })
        .collect())
}

/// Replaces the whole policy. A policy that does not validate is refused with the line and
/// the name that is wrong, and the policy in force stays as it was.
pub async fn replace_policy(
    ctx: &Context<'_>,
    rules: String,
    summary: String,
) -> Result<PolicyDocument> {
    let (subject, gate, db) = permitted(ctx, "policy", Action::Write).await?;
    if summary.trim().is_empty() {
        return Err(ApiError::bad_input("summary", "say why the policy changes").extend());
    }
    let parsed = parse_rules(&rules).map_err(|e| ApiError::bad_input("rules", e).extend())?;
    vigo_policy::store::apply(db, gate, parsed, subject, summary.trim())
        .await
        .map_err(|e| match e {
            vigo_policy::PolicyError::Storage(_) => {
                ApiError::Internal(anyhow::anyhow!("{e}")).extend()
            }
            other => ApiError::bad_input("rules", other).extend(),
        })?;
    policy(ctx).await
}
