//! The policy in the database: the rules in force (`policy_rule`) and their versions
//! (`policy_change`). Every change is validated and compiled before it is committed, and
//! rules and version change in one transaction, so a broken edit changes nothing and the
//! gate keeps the last good policy.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set, Statement, TransactionTrait,
};
use vigo_entities::{policy_change, policy_rule};

#[cfg(doc)]
use crate::gate::Gate;
use crate::gate::{Action, DEFAULT_POLICY, Policy, Rule, parse_rules};
use crate::{PolicyError, Subject};

fn storage(e: sea_orm::DbErr) -> PolicyError {
    PolicyError::Storage(e.to_string())
}

/// Reads and compiles the stored policy; on a database without one, installs the default
/// policy first. A stored policy that no longer validates is an error naming the rule.
pub async fn load_or_install(db: &DatabaseConnection) -> Result<Policy, PolicyError> {
    if policy_rule::Entity::find()
        .count(db)
        .await
        .map_err(storage)?
        == 0
    {
        let txn = db.begin().await.map_err(storage)?;
        // Instances starting together on an empty database queue here; the first installs,
        // the others find its policy once the lock is theirs.
        lock_edits(&txn).await?;
        let installed = policy_rule::Entity::find()
            .count(&txn)
            .await
            .map_err(storage)?
            > 0;
        if !installed {
            let rules = parse_rules(DEFAULT_POLICY)?;
            let version = write(&txn, &rules, "vigo", "default policy installed").await?;
            let policy = Policy::compile(rules, version).await?;
            txn.commit().await.map_err(storage)?;
            return Ok(policy);
        }
        txn.commit().await.map_err(storage)?;
    }
    // The version is read before the rules: a change committed in between then gives newer
    // rules under an older version, which the next refresh replaces, never the reverse.
    let latest = policy_change::Entity::find()
        .order_by_desc(policy_change::Column::Id)
        .one(db)
        .await
        .map_err(storage)?;
    let version = latest.as_ref().map_or(0, |change| change.id);
    let rows = policy_rule::Entity::find()
        .order_by_asc(policy_rule::Column::Id)
        .all(db)
        .await
        .map_err(storage)?;
    let mut rules = Vec::with_capacity(rows.len());
    for row in rows {
        let values = [row.role, row.purpose, row.object, row.action, row.effect];
        let rule = Rule::from_values(&values).map_err(|e| PolicyError::AtLine {
            line: row.id as usize,
            error: Box::new(e),
        })?;
        rules.push(rule);
    }
    let policy = Policy::compile(rules, version).await?;
    if let Some(change) = latest.filter(|c| c.rules.is_none()) {
        // A version made before rules were kept with it: the rules in force are its own,
        // unless a newer version has been committed since (then this one stays unknown).
        policy_change::Entity::update_many()
            .col_expr(
                policy_change::Column::Rules,
                sea_orm::sea_query::Expr::value(crate::diff::canonical(policy.rules())),
            )
            .filter(policy_change::Column::Id.eq(change.id))
            .filter(
                policy_change::Column::Id.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .expr(policy_change::Column::Id.max())
                        .from(policy_change::Entity)
                        .to_owned(),
                ),
            )
            .exec(db)
            .await
            .map_err(storage)?;
    }
    Ok(policy)
}

/// One stored version of the policy: who made it, when and why, and its rules when they
/// were kept.
pub async fn version(
    db: &impl ConnectionTrait,
    version: i64,
) -> Result<Option<policy_change::Model>, PolicyError> {
    policy_change::Entity::find_by_id(version)
        .one(db)
        .await
        .map_err(storage)
}

/// The rules of a stored version, validated as a proposal would be; an error names a version
/// that does not exist or whose rules were not kept.
pub async fn rules_of(db: &impl ConnectionTrait, number: i64) -> Result<Vec<Rule>, PolicyError> {
    let change = version(db, number)
        .await?
        .ok_or(PolicyError::UnknownVersion(number))?;
    let text = change.rules.ok_or(PolicyError::RulesNotKept(number))?;
    parse_rules(&text)
}

/// The PostgreSQL notification channel on which committed policy versions are announced to
/// every server instance.
pub const CHANNEL: &str = "vigo_policy";

/// The PostgreSQL advisory lock key that serializes policy edits.
const EDIT_LOCK: i64 = 0x0076_6967_6f70_6f6c; // "vigopol"

/// Takes the policy edit lock for the rest of the transaction (PostgreSQL; SQLite lets one
/// writer at a time anyway).
async fn lock_edits<C: ConnectionTrait>(txn: &C) -> Result<(), PolicyError> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(Statement::from_string(
            DbBackend::Postgres,
            format!("SELECT pg_advisory_xact_lock({EDIT_LOCK})"),
        ))
        .await
        .map_err(storage)?;
    }
    Ok(())
}

/// Replaces the rules with `rules`, as a new version made by `actor`, inside the caller's
/// transaction, and returns the compiled policy. The caller puts it in force
/// ([`Gate::replace`]) once that transaction has committed, together with whatever else
/// records the change; a policy that does not validate or compile is refused and the caller
/// rolls back, so nothing changes.
pub async fn stage<C: ConnectionTrait>(
    txn: &C,
    rules: Vec<Rule>,
    actor: &Subject,
    summary: &str,
) -> Result<Policy, PolicyError> {
    let who = format!("{}:{}:{}", actor.role, actor.purpose, actor.sub);
    stage_by(txn, rules, &who, summary).await
}

/// As [`stage`], for a change made by `who` outside the API (an operator importing a policy
/// file on the server).
pub async fn stage_by<C: ConnectionTrait>(
    txn: &C,
    rules: Vec<Rule>,
    who: &str,
    summary: &str,
) -> Result<Policy, PolicyError> {
    // One edit at a time: two overlapping replacements would otherwise leave the union of
    // both rule sets.
    lock_edits(txn).await?;
    let version = write(txn, &rules, who, summary).await?;
    let policy = Policy::compile(rules, version).await?;
    if !policy.anyone_may("policy", Action::Write) {
        return Err(PolicyError::MalformedRule(
            "no role could change this policy again; keep a 'policy, write, allow' rule".into(),
        ));
    }
    if txn.get_database_backend() == DbBackend::Postgres {
        // Delivered only when the transaction commits.
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [CHANNEL.into(), version.to_string().into()],
        ))
        .await
        .map_err(storage)?;
    }
    Ok(policy)
}

/// Writes `rules` as the whole policy and records the change; returns the new version.
async fn write<C: ConnectionTrait>(
    db: &C,
    rules: &[Rule],
    actor: &str,
    summary: &str,
) -> Result<i64, PolicyError> {
    policy_rule::Entity::delete_many()
        .exec(db)
        .await
        .map_err(storage)?;
    let rows: Vec<policy_rule::ActiveModel> = rules
        .iter()
        .map(|rule| {
            let [role, purpose, object, action, effect]: [String; 5] = rule
                .values()
                .try_into()
                .unwrap_or_else(|_| unreachable!("a rule has five values"));
            policy_rule::ActiveModel {
                role: Set(role),
                purpose: Set(purpose),
                object: Set(object),
                action: Set(action),
                effect: Set(effect),
                ..Default::default()
            }
        })
        .collect();
    if !rows.is_empty() {
        policy_rule::Entity::insert_many(rows)
            .exec(db)
            .await
            .map_err(storage)?;
    }
    let change = policy_change::ActiveModel {
        changed_at: Set(chrono::Utc::now()),
        actor: Set(actor.to_owned()),
        summary: Set(summary.to_owned()),
        rules: Set(Some(crate::diff::canonical(rules))),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(storage)?;
    Ok(change.id)
}
