//! The audit trail: one event per request that read or wrote personal data, linked to every
//! person it touched, written before the response is sent. Events form a hash chain whose
//! head (`audit_chain`) is updated in the same transaction, so an altered, removed or
//! reordered event breaks [`verify`]. This crate knows the trail only: the chain, the
//! group-commit writer, disclosures, retention and verification; no transport, no GraphQL.

pub mod anchor;
pub mod checkpoint;
mod disclosure;
pub mod merkle;
mod retention;
pub mod tree;
mod verify;
mod writer;

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, Set, TransactionTrait,
};
use sha2::{Digest, Sha256};
use vigo_entities::enums::AccessOutcome;
use vigo_entities::{audit_chain, audit_event, audit_event_person};

pub use disclosure::{Disclosure, record_disclosure};
pub use retention::{MIN_RETENTION, Pruned, prune};
pub use verify::{Broken, Verified, verify, verify_against};
pub use writer::AuditWriter;

/// Why the trail could not be written.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("the audit chain has no head")]
    NoHead,
    #[error("the audit writer has stopped")]
    WriterStopped,
    #[error("audit record: {0}")]
    Record(String),
    #[error(transparent)]
    Database(#[from] sea_orm::DbErr),
}

/// What one audited request did.
#[derive(Clone, Debug)]
pub struct Event {
    pub role: String,
    pub org: Option<String>,
    pub sub: String,
    pub purpose: String,
    /// Root fields, e.g. `Query.persons`.
    pub operation: String,
    pub request_id: String,
    /// Data categories of the fields read, sorted.
    pub categories: Vec<String>,
    /// The persons touched, sorted.
    pub persons: Vec<i32>,
}

/// Who acted: role, organisation, token subject and purpose, as the trail stores them.
#[derive(Clone, Debug)]
pub struct Actor {
    pub role: String,
    pub org: Option<String>,
    pub sub: String,
    pub purpose: String,
}

impl Event {
    pub fn new(
        actor: Actor,
        operation: &str,
        request_id: &str,
        categories: &[String],
        persons: &[i32],
    ) -> Self {
        Event {
            role: actor.role,
            org: actor.org,
            sub: clip(&actor.sub, 200),
            purpose: actor.purpose,
            operation: clip(operation, 200),
            request_id: clip(request_id, 64),
            categories: categories.to_vec(),
            persons: persons.to_vec(),
        }
    }
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

pub(crate) fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// Person links are inserted in chunks of this many rows (two values each), well inside
/// both backends' limits on statement parameters.
const LINKS_PER_INSERT: usize = 5_000;

/// Appends events to the trail, in order, in one transaction, and returns their ids. The
/// first statement takes the chain head's row lock, so concurrent appends (other server
/// instances) queue behind it and the chain stays linear; event ids are assigned from the
/// head, so every event of the trail is written here.
pub async fn record(db: &DatabaseConnection, events: &[Event]) -> Result<Vec<i64>, AuditError> {
    let txn = db.begin().await?;
    let ids = append(&txn, events).await?;
    txn.commit().await?;
    Ok(ids)
}

/// Appends events inside a transaction the caller commits, so that what they record and the
/// record itself land together or not at all (see [`record`] for the locking).
pub async fn append(txn: &DatabaseTransaction, events: &[Event]) -> Result<Vec<i64>, AuditError> {
    let head = lock_head(txn).await?;
    // The Merkle tree grows with the chain, in the same transaction.
    let mut frontier = tree::frontier_for_append(txn, &head).await?;
    let mut nodes = Vec::with_capacity(2 * events.len());
    // Ids follow the chain head: the events of a batch and their person links then go in
    // as a few multi-row inserts instead of one round trip per event.
    let mut prev_hash = head.last_hash;
    let mut ids = Vec::with_capacity(events.len());
    let mut rows = Vec::with_capacity(events.len());
    let mut links = Vec::new();
    for (offset, event) in events.iter().enumerate() {
        let id = head.last_event_id + 1 + offset as i64;
        let at = Utc::now().trunc_subsecs(6);
        let categories = event.categories.join(",");
        let outcome = AccessOutcome::Allowed;
        let hash = chained_hash(
            &at,
            &event.role,
            event.org.as_deref(),
            &event.sub,
            &event.purpose,
            &event.operation,
            &event.request_id,
            &categories,
            outcome.code(),
            &event.persons,
            &prev_hash,
        );
        rows.push(audit_event::ActiveModel {
            id: Set(id),
            at: Set(at),
            actor_role: Set(event.role.clone()),
            actor_org: Set(event.org.clone()),
            actor_sub: Set(event.sub.clone()),
            purpose: Set(event.purpose.clone()),
            operation: Set(event.operation.clone()),
            request_id: Set(event.request_id.clone()),
            categories: Set(categories),
            outcome: Set(outcome),
            prev_hash: Set(prev_hash),
            hash: Set(hash.clone()),
        });
        links.extend(event.persons.iter().map(|person| (id, *person)));
        ids.push(id);
        nodes.extend(frontier.push(tree::event_leaf(&hash)?));
        prev_hash = hash;
    }
    if !rows.is_empty() {
        audit_event::Entity::insert_many(rows)
            .exec_without_returning(txn)
            .await?;
    }
    insert_links(txn, links).await?;
    tree::insert_nodes(txn, nodes).await?;
    if let Some(last) = ids.last() {
        audit_chain::ActiveModel {
            id: Set(1),
            last_event_id: Set(*last),
            last_hash: Set(prev_hash),
            frontier: Set(tree::frontier_text(&frontier)),
        }
        .update(txn)
        .await?;
    }
    Ok(ids)
}

/// Locks the chain head's row, then reads it: appends queue behind the lock. (Not one
/// `UPDATE … RETURNING`: on SQLite, a pooled connection that prepared it before a migration
/// added a column returns the row without it.)
pub(crate) async fn lock_head(txn: &DatabaseTransaction) -> Result<audit_chain::Model, AuditError> {
    let locked = audit_chain::Entity::update_many()
        .col_expr(
            audit_chain::Column::LastEventId,
            Expr::col(audit_chain::Column::LastEventId),
        )
        .filter(audit_chain::Column::Id.eq(1))
        .exec(txn)
        .await?;
    if locked.rows_affected == 0 {
        return Err(AuditError::NoHead);
    }
    audit_chain::Entity::find_by_id(1)
        .one(txn)
        .await?
        .ok_or(AuditError::NoHead)
}

/// Inserts person links: on PostgreSQL as two arrays unnested in one statement (parsing and
/// binding thousands of `VALUES` parameters cost more than the rows themselves), elsewhere
/// as chunked multi-row inserts.
async fn insert_links(
    txn: &DatabaseTransaction,
    links: Vec<(i64, i32)>,
) -> Result<(), sea_orm::DbErr> {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    if links.is_empty() {
        return Ok(());
    }
    if txn.get_database_backend() == DbBackend::Postgres {
        let array = |items: Vec<String>| format!("{{{}}}", items.join(","));
        let events = array(links.iter().map(|(e, _)| e.to_string()).collect());
        let persons = array(links.iter().map(|(_, p)| p.to_string()).collect());
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO audit_event_person (audit_event_id, person_id) \
             SELECT * FROM UNNEST($1::text::bigint[], $2::text::integer[])",
            [events.into(), persons.into()],
        ))
        .await?;
        return Ok(());
    }
    insert_chunked(
        txn,
        links
            .into_iter()
            .map(|(event, person)| audit_event_person::ActiveModel {
                audit_event_id: Set(event),
                person_id: Set(person),
            }),
    )
    .await
}

/// Inserts link rows as multi-row statements of at most [`LINKS_PER_INSERT`] rows.
pub(crate) async fn insert_chunked<A>(
    txn: &DatabaseTransaction,
    rows: impl IntoIterator<Item = A>,
) -> Result<(), sea_orm::DbErr>
where
    A: ActiveModelTrait + Send,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(LINKS_PER_INSERT).collect();
        A::Entity::insert_many(chunk)
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(parts: [&str; 9], persons: &[i32]) -> String {
        let at = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        chained_hash(
            &at,
            parts[0],
            Some(parts[1]),
            parts[2],
            parts[3],
            parts[4],
            parts[5],
            parts[6],
            parts[7],
            persons,
            parts[8],
        )
    }

    #[test]
    fn every_part_of_an_event_is_in_its_hash_without_ambiguity() {
        let parts = [
            "school",
            "974760673",
            "sub",
            "administration",
            "Query.person",
            "req",
            "identity",
            "allowed",
            "prev",
        ];
        let original = hash(parts, &[1, 2]);
        for i in 0..parts.len() {
            let mut changed = parts;
            let altered = format!("{}x", parts[i]);
            changed[i] = &altered;
            assert_ne!(hash(changed, &[1, 2]), original, "part {i}");
        }
        assert_ne!(hash(parts, &[1, 3]), original);
        assert_ne!(hash(parts, &[12]), original);
        // Moving text from one part to the next changes the hash (parts are length-prefixed).
        let mut shifted = parts;
        shifted[4] = "Query.perso";
        shifted[5] = "nreq";
        assert_ne!(hash(shifted, &[1, 2]), original);
    }

    #[test]
    fn the_trail_knows_no_transport_and_no_policy() {
        let manifest = include_str!("../Cargo.toml");
        for dependency in ["async-graphql", "axum", "vigo-api", "vigo-policy", "polars"] {
            assert!(!manifest.contains(dependency), "{dependency}");
        }
    }
}
