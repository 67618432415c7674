//! The privacy officer's view: the policy in force, its versions, refused reads, and
//! live policy edits.

use async_graphql::{Context, ErrorExtensions, Result, SimpleObject};
use sea_orm::{DatabaseConnection, EntityTrait, QueryOrder, QuerySelect, TransactionTrait};
use vigo_entities::{access_denial, policy_change};
use vigo_policy::{Gate, Subject, parse_rules};

use super::codes::{DenialKind, Role};
use super::scalars::DateTime;
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
    /// The policy version the change made.
    pub version: i64,
    /// When the policy changed.
    pub changed_at: DateTime,
    /// Role, purpose and token subject of who made the change.
    pub actor: String,
    /// Why the policy changed, as given to `replacePolicy`.
    pub summary: String,
    /// The version's rules, one `p, …` line each in canonical order; `null` for versions made
    /// before rules were kept with their version.
    pub rules: Option<Vec<String>>,
}

/// A refused read.
#[derive(SimpleObject)]
pub struct Denial {
    /// Pass as `before` for the next page.
    pub id: async_graphql::ID,
    /// When it was refused.
    pub at: DateTime,
    /// The caller's role, e.g. `school`.
    pub actor_role: String,
    /// The organisation (number) the caller acted for, if any.
    pub actor_org: Option<String>,
    /// The token's subject: the individual refused.
    pub actor_sub: String,
    /// The purpose the caller acted for, e.g. `administration`.
    pub purpose: String,
    /// What kind of read was refused; `null` for a kind this API does not know.
    pub kind: Option<DenialKind>,
    /// The field (`Type.field`), `Person`, or the operation refused.
    pub target: String,
    /// The server's id of the request; its audit event, if any, carries the same.
    pub request_id: String,
    /// The policy version that decided the refusal.
    pub policy_version: i64,
}

/// One event of the audit trail, as the privacy officer sees it (with the individual).
#[derive(SimpleObject)]
pub struct AuditEvent {
    /// The event's number in the audit trail; pass as `before` for the next page.
    pub id: async_graphql::ID,
    /// When it happened.
    pub at: DateTime,
    /// The role that acted, e.g. `school`.
    pub actor_role: String,
    /// The organisation (number) it acted for, if any.
    pub actor_org: Option<String>,
    /// The token's subject: the individual who acted.
    pub actor_sub: String,
    /// The purpose it acted for, e.g. `administration`.
    pub purpose: String,
    /// What was done, e.g. the API's root fields the request ran, comma-separated
    /// (`Query.persons`), or an export (`Extract.…`).
    pub operation: String,
    /// Data categories read or written.
    pub categories: Vec<String>,
    /// The server's id of the request; its denials carry the same.
    pub request_id: String,
    /// How many persons the request touched.
    pub persons: i64,
}

/// Filters on the audit trail; all given filters must hold.
#[derive(async_graphql::InputObject, Default)]
pub struct AuditFilter {
    /// Events that touched this person (national id).
    pub person: Option<String>,
    /// Events by this organisation (organisation number).
    pub org: Option<String>,
    /// Events by this role.
    pub role: Option<Role>,
    /// From this time, inclusive.
    pub from: Option<DateTime>,
    /// Until this time, exclusive.
    pub until: Option<DateTime>,
}

/// Filters on the denial log; all given filters must hold.
#[derive(async_graphql::InputObject, Default)]
pub struct DenialFilter {
    /// Denials of this organisation (organisation number).
    pub org: Option<String>,
    /// Denials of this role.
    pub role: Option<Role>,
    /// Denials of this kind.
    pub kind: Option<DenialKind>,
    /// From this time, inclusive.
    pub from: Option<DateTime>,
    /// Until this time, exclusive.
    pub until: Option<DateTime>,
}

/// A policy error as the API reports it: storage failures are internal, anything else is the
/// caller's input named by `field`.
pub(super) fn policy_error(
    field: &'static str,
) -> impl Fn(vigo_policy::PolicyError) -> async_graphql::Error {
    move |e| match e {
        vigo_policy::PolicyError::Storage(_) => ApiError::Internal(anyhow::anyhow!("{e}")).extend(),
        other => ApiError::bad_input(field, other).extend(),
    }
}

/// The caller, once the policy opens the root field `root` to it; a refusal is recorded.
pub(super) async fn permitted<'a>(
    ctx: &Context<'a>,
    root: &str,
) -> Result<(&'a Subject, &'a Gate, &'a DatabaseConnection)> {
    super::query::open_root(ctx, root).await?;
    Ok((
        ctx.data::<Subject>()?,
        ctx.data::<Gate>()?,
        ctx.data::<DatabaseConnection>()?,
    ))
}

pub async fn policy(ctx: &Context<'_>) -> Result<PolicyDocument> {
    let (_, gate, _) = permitted(ctx, "Query.policy").await?;
    let policy = gate.policy();
    Ok(PolicyDocument {
        version: policy.version(),
        rules: policy.rules().iter().map(ToString::to_string).collect(),
    })
}

pub async fn policy_changes(ctx: &Context<'_>, last: u64) -> Result<Vec<PolicyChange>> {
    let (_, _, db) = permitted(ctx, "Query.policyChanges").await?;
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
            changed_at: c.changed_at.into(),
            actor: c.actor,
            summary: c.summary,
            rules: c.rules.map(|r| r.lines().map(str::to_owned).collect()),
        })
        .collect())
}

/// The denial log, newest first, a page at a time: `last` denials older than `before`.
pub async fn denials(
    ctx: &Context<'_>,
    filter: DenialFilter,
    last: u64,
    before: Option<async_graphql::ID>,
) -> Result<Vec<Denial>> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let (_, _, db) = permitted(ctx, "Query.denials").await?;
    let mut query = access_denial::Entity::find();
    query = query.filter(shared_filters(
        Columns {
            org: access_denial::Column::ActorOrg,
            role: access_denial::Column::ActorRole,
            at: access_denial::Column::At,
            id: access_denial::Column::Id,
        },
        &filter.shared(),
        before.as_ref(),
    )?);
    if let Some(kind) = filter.kind {
        let kind = crate::denials::DenialKind::from(kind);
        query = query.filter(access_denial::Column::Kind.eq(kind.code()));
    }
    let rows = query
        .order_by_desc(access_denial::Column::Id)
        .limit(last)
        .all(db)
        .await
        .map_err(|e| ApiError::from(e).extend())?;
    Ok(rows
        .into_iter()
        .map(|d| Denial {
            id: async_graphql::ID(d.id.to_string()),
            at: d.at.into(),
            actor_role: d.actor_role,
            actor_org: d.actor_org,
            actor_sub: d.actor_sub,
            purpose: d.purpose,
            kind: crate::denials::DenialKind::from_code(&d.kind).map(Into::into),
            target: d.target,
            request_id: d.request_id,
            policy_version: d.policy_version,
        })
        .collect())
}

/// The filters the audit trail and the denial log share: who acted and when.
struct Shared<'a> {
    org: Option<&'a str>,
    role: Option<Role>,
    from: Option<DateTime>,
    until: Option<DateTime>,
}

impl AuditFilter {
    fn shared(&self) -> Shared<'_> {
        Shared {
            org: self.org.as_deref(),
            role: self.role,
            from: self.from,
            until: self.until,
        }
    }
}

impl DenialFilter {
    fn shared(&self) -> Shared<'_> {
        Shared {
            org: self.org.as_deref(),
            role: self.role,
            from: self.from,
            until: self.until,
        }
    }
}

/// Where a log keeps who acted, when, and its ids (pages run newest first).
struct Columns<C> {
    org: C,
    role: C,
    at: C,
    id: C,
}

/// The shared filters and the page's `before` id as one condition; input that does not parse
/// is refused naming the field.
fn shared_filters<C: sea_orm::ColumnTrait>(
    columns: Columns<C>,
    filter: &Shared<'_>,
    before: Option<&async_graphql::ID>,
) -> Result<sea_orm::Condition> {
    let mut condition = sea_orm::Condition::all();
    if let Some(org) = filter.org {
        let org = vigo_entities::ids::OrgNo::parse(org)
            .map_err(|e| ApiError::bad_input("filter.org", e).extend())?;
        condition = condition.add(columns.org.eq(org.as_str()));
    }
    if let Some(role) = filter.role {
        condition = condition.add(columns.role.eq(vigo_policy::Role::from(role).code()));
    }
    if let Some(from) = filter.from {
        condition = condition.add(columns.at.gte(from.0));
    }
    if let Some(until) = filter.until {
        condition = condition.add(columns.at.lt(until.0));
    }
    if let Some(before) = before {
        let id: i64 = before
            .parse()
            .map_err(|_| ApiError::bad_input("before", "an id returned by this query").extend())?;
        condition = condition.add(columns.id.lt(id));
    }
    Ok(condition)
}

/// The audit trail, newest first, a page at a time: `first` events older than `before`.
pub async fn audit_events(
    ctx: &Context<'_>,
    filter: AuditFilter,
    first: u64,
    before: Option<async_graphql::ID>,
) -> Result<Vec<AuditEvent>> {
    use sea_orm::sea_query::Query as SqlQuery;
    use sea_orm::{ColumnTrait, QueryFilter};
    use vigo_entities::{audit_event, audit_event_person, person};
    let (_, _, db) = permitted(ctx, "Query.auditEvents").await?;
    let mut query = audit_event::Entity::find();
    if let Some(national_id) = &filter.person {
        let national_id = vigo_entities::ids::NationalId::parse(national_id)
            .map_err(|e| ApiError::bad_input("filter.person", e).extend())?;
        query = query.filter(
            audit_event::Column::Id.in_subquery(
                SqlQuery::select()
                    .column(audit_event_person::Column::AuditEventId)
                    .from(audit_event_person::Entity)
                    .and_where(
                        audit_event_person::Column::PersonId.in_subquery(
                            SqlQuery::select()
                                .column(person::Column::Id)
                                .from(person::Entity)
                                .and_where(person::Column::NationalId.eq(national_id.as_string()))
                                .to_owned(),
                        ),
                    )
                    .to_owned(),
            ),
        );
    }
    query = query.filter(shared_filters(
        Columns {
            org: audit_event::Column::ActorOrg,
            role: audit_event::Column::ActorRole,
            at: audit_event::Column::At,
            id: audit_event::Column::Id,
        },
        &filter.shared(),
        before.as_ref(),
    )?);
    let events = query
        .order_by_desc(audit_event::Column::Id)
        .limit(first)
        .all(db)
        .await
        .map_err(|e| ApiError::from(e).extend())?;
    let ids: Vec<i64> = events.iter().map(|e| e.id).collect();
    let mut counts: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
    for link in audit_event_person::Entity::find()
        .filter(audit_event_person::Column::AuditEventId.is_in(ids))
        .all(db)
        .await
        .map_err(|e| ApiError::from(e).extend())?
    {
        *counts.entry(link.audit_event_id).or_default() += 1;
    }
    Ok(events
        .into_iter()
        .map(|e| AuditEvent {
            id: async_graphql::ID(e.id.to_string()),
            at: e.at.into(),
            persons: counts.get(&e.id).copied().unwrap_or(0),
            actor_role: e.actor_role,
            actor_org: e.actor_org,
            actor_sub: e.actor_sub,
            purpose: e.purpose,
            operation: e.operation,
            categories: e
                .categories
                .split(',')
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect(),
            request_id: e.request_id,
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
    let (subject, gate, db) = permitted(ctx, "Mutation.replacePolicy").await?;
    if summary.trim().is_empty() {
        return Err(ApiError::bad_input("summary", "say why the policy changes").extend());
    }
    let parsed = parse_rules(&rules).map_err(|e| ApiError::bad_input("rules", e).extend())?;
    let txn = db.begin().await.map_err(|e| ApiError::from(e).extend())?;
    let staged = vigo_policy::store::stage(&txn, parsed, subject, summary.trim())
        .await
        .map_err(policy_error("rules"))?;
    crate::audit::append_for_request(ctx, &txn, &[])
        .await
        .map_err(|e| e.extend())?;
    txn.commit().await.map_err(|e| ApiError::from(e).extend())?;
    gate.replace_if_newer(staged);
    policy(ctx).await
}

/// How many reads were refused on one day (UTC) to one role, of one kind.
#[derive(SimpleObject)]
pub struct DenialCount {
    /// The day, `YYYY-MM-DD` (UTC).
    pub day: String,
    /// The refused role.
    pub role: String,
    /// The kind of refusal, e.g. `field`.
    pub kind: String,
    /// How many.
    pub count: i64,
}

pub async fn denial_counts(
    ctx: &Context<'_>,
    from: Option<DateTime>,
    until: Option<DateTime>,
) -> Result<Vec<DenialCount>> {
    use sea_orm::{DbBackend, FromQueryResult, Statement};
    let (_, _, db) = permitted(ctx, "Query.denialCounts").await?;
    let until = until.map_or_else(chrono::Utc::now, |u| u.0);
    let from = from.map_or(until - chrono::Duration::days(30), |f| f.0);
    if from >= until {
        return Err(ApiError::bad_input("from", "from must be before until").extend());
    }
    if until - from > chrono::Duration::days(366) {
        return Err(ApiError::bad_input("from", "at most 366 days at a time").extend());
    }
    let backend = db.get_database_backend();
    let day = match backend {
        DbBackend::Postgres => "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
        _ => "substr(at, 1, 10)",
    };
    let sql = format!(
        "SELECT {day} AS day, actor_role AS role, kind, COUNT(*) AS count FROM access_denial \
         WHERE at >= $1 AND at < $2 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    );
    #[derive(FromQueryResult)]
    struct Row {
        day: String,
        role: String,
        kind: String,
        count: i64,
    }
    let rows = Row::find_by_statement(Statement::from_sql_and_values(
        backend,
        &sql,
        [from.into(), until.into()],
    ))
    .all(db)
    .await
    .map_err(|e| ApiError::from(e).extend())?;
    Ok(rows
        .into_iter()
        .map(|r| DenialCount {
            day: r.day,
            role: r.role,
            kind: r.kind,
            count: r.count,
        })
        .collect())
}
