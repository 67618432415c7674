//! The audit trail: one event per request that read or wrote personal data, linked to every
//! person it touched, written before the response is sent. Events form a hash chain whose
//! head (`audit_chain`) is updated in the same transaction, so an altered, removed or
//! reordered event breaks [`verify`].

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::sea_query::{Expr, Query as SqlQuery};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use sha2::{Digest, Sha256};
use vigo_entities::enums::AccessOutcome;
use vigo_entities::{audit_chain, audit_event, audit_event_person};
use vigo_policy::Subject;

use crate::error::ApiError;

/// The persons a request touched, gathered by the resolvers that return persons or records
/// of one; request data.
#[derive(Debug, Default)]
pub struct Touched(Mutex<BTreeSet<i32>>);

impl Touched {
    pub fn add(&self, ids: impl IntoIterator<Item = i32>) {
        if let Ok(mut set) = self.0.lock() {
            set.extend(ids);
        }
    }

    /// The persons touched so far, sorted.
    pub fn persons(&self) -> Vec<i32> {
        self.0
            .lock()
            .map(|set| set.iter().copied().collect())
            .unwrap_or_default()
    }
}

/// Notes persons as touched by the current request.
pub fn touch(ctx: &async_graphql::Context<'_>, ids: impl IntoIterator<Item = i32>) {
    if let Ok(touched) = ctx.data::<Arc<Touched>>() {
        touched.add(ids);
    }
}

/// What one audited request did.
#[derive(Debug)]
pub struct Event<'a> {
    pub subject: &'a Subject,
    /// Root fields, e.g. `Query.persons`.
    pub operation: &'a str,
    pub request_id: &'a str,
    /// Data categories of the fields read, sorted.
    pub categories: &'a [String],
    pub persons: &'a [i32],
}

/// The chain's canonical form of an event: every stored field, the persons it touched and
/// the hash it links to.
#[allow(clippy::too_many_arguments)]
fn chained_hash(
    at: &DateTime<Utc>,
    role: &str,
    org: Option<&str>,
    sub: &str,
    purpose: &str,
    operation: &str,
    request_id: &str,
    categories: &str,
    outcome: &str,
    persons: &[i32],
    prev_hash: &str,
) -> String {
    let persons: Vec<String> = persons.iter().map(i32::to_string).collect();
    let canonical = [
        at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
            .as_str(),
        role,
        org.unwrap_or(""),
        sub,
        purpose,
        operation,
        request_id,
        categories,
        outcome,
        &persons.join(","),
        prev_hash,
    ]
    .iter()
    .map(|part| format!("{}:{part}", part.len()))
    .collect::<Vec<_>>()
    .join("|");
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// Appends one event to the trail, with its persons, in one transaction. The first statement
/// takes the chain head's row lock, so concurrent appends (other requests, other server
/// instances) queue behind it and the chain stays linear.
pub async fn record(db: &DatabaseConnection, event: &Event<'_>) -> Result<i64, ApiError> {
    let txn = db.begin().await?;
    txn.execute(
        &SqlQuery::update()
            .table(audit_chain::Entity)
            .value(
                audit_chain::Column::LastEventId,
                Expr::col(audit_chain::Column::LastEventId),
            )
            .and_where(audit_chain::Column::Id.eq(1))
            .to_owned(),
    )
    .await?;
    let head = audit_chain::Entity::find_by_id(1)
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("the audit chain has no head")))?;
    let at = Utc::now().trunc_subsecs(6);
    let role = event.subject.role.code();
    let org = event.subject.org.as_ref().map(|o| o.as_str().to_owned());
    let sub = clip(&event.subject.sub, 200);
    let purpose = event.subject.purpose.code();
    let operation = clip(event.operation, 200);
    let request_id = clip(event.request_id, 64);
    let categories = event.categories.join(",");
    let outcome = AccessOutcome::Allowed;
    let hash = chained_hash(
        &at,
        role,
        org.as_deref(),
        &sub,
        purpose,
        &operation,
        &request_id,
        &categories,
        outcome.code(),
        event.persons,
        &head.last_hash,
    );
    let stored = audit_event::ActiveModel {
        at: Set(at),
        actor_role: Set(role.to_owned()),
        actor_org: Set(org),
        actor_sub: Set(sub),
        purpose: Set(purpose.to_owned()),
        operation: Set(operation),
        request_id: Set(request_id),
        categories: Set(categories),
        outcome: Set(outcome),
        prev_hash: Set(head.last_hash),
        hash: Set(hash.clone()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    if !event.persons.is_empty() {
        audit_event_person::Entity::insert_many(event.persons.iter().map(|person| {
            audit_event_person::ActiveModel {
                audit_event_id: Set(stored.id),
                person_id: Set(*person),
                ..Default::default()
            }
        }))
        .exec_without_returning(&txn)
        .await?;
    }
    audit_chain::ActiveModel {
        id: Set(1),
        last_event_id: Set(stored.id),
        last_hash: Set(hash),
    }
    .update(&txn)
    .await?;
    txn.commit().await?;
    Ok(stored.id)
}

/// Why the trail does not verify.
#[derive(Debug, thiserror::Error)]
pub enum Broken {
    #[error("audit event {id}: {reason}")]
    Event { id: i64, reason: &'static str },
    #[error(
        "the audit chain's head names event {head_id}, but the last event is {last_id}: events were removed from the end"
    )]
    Truncated { head_id: i64, last_id: i64 },
    #[error("the audit chain's head hash does not match the last event")]
    HeadMismatch,
    #[error(transparent)]
    Database(#[from] sea_orm::DbErr),
}

/// Recomputes the chain from the first event to the head. Returns the number of events, or
/// the first event that was altered, removed or reordered.
pub async fn verify(db: &DatabaseConnection) -> Result<u64, Broken> {
    const BATCH: u64 = 10_000;
    let mut prev_hash = vigo_migrations::GENESIS_HASH.to_owned();
    let mut last_id = 0i64;
    let mut count = 0u64;
    loop {
        let events = audit_event::Entity::find()
            .filter(audit_event::Column::Id.gt(last_id))
            .order_by_asc(audit_event::Column::Id)
            .limit(BATCH)
            .all(db)
            .await?;
        if events.is_empty() {
            break;
        }
        let ids: Vec<i64> = events.iter().map(|e| e.id).collect();
        let mut persons: HashMap<i64, Vec<i32>> = HashMap::new();
        for link in audit_event_person::Entity::find()
            .filter(audit_event_person::Column::AuditEventId.is_in(ids))
            .all(db)
            .await?
        {
            persons
                .entry(link.audit_event_id)
                .or_default()
                .push(link.person_id);
        }
        for event in events {
            if event.prev_hash != prev_hash {
                return Err(Broken::Event {
                    id: event.id,
                    reason: "does not link to the event before it (an event was removed or reordered)",
                });
            }
            let mut linked = persons.remove(&event.id).unwrap_or_default();
            linked.sort_unstable();
            let expected = chained_hash(
                &event.at,
                &event.actor_role,
                event.actor_org.as_deref(),
                &event.actor_sub,
                &event.purpose,
                &event.operation,
                &event.request_id,
                &event.categories,
                event.outcome.code(),
                &linked,
                &event.prev_hash,
            );
            if expected != event.hash {
                return Err(Broken::Event {
                    id: event.id,
                    reason: "its content or its persons were changed",
                });
            }
            prev_hash = event.hash;
            last_id = event.id;
            count += 1;
        }
    }
    let head = audit_chain::Entity::find_by_id(1).one(db).await?;
    if let Some(head) = head {
        if head.last_event_id != last_id {
            return Err(Broken::Truncated {
                head_id: head.last_event_id,
                last_id,
            });
        }
        if head.last_hash != prev_hash {
            return Err(Broken::HeadMismatch);
        }
    }
    Ok(count)
}
