//! The audit trail: one event per request that read or wrote personal data, linked to every
//! person it touched, written before the response is sent. Events form a hash chain whose
//! head (`audit_chain`) is updated in the same transaction, so an altered, removed or
//! reordered event breaks [`verify`].

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, oneshot};

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use sha2::{Digest, Sha256};
use vigo_entities::enums::AccessOutcome;
use vigo_entities::{audit_chain, audit_event, audit_event_person, disclosure, disclosure_person};
use vigo_policy::Subject;

use crate::error::ApiError;

/// What a request reached, as request data: the persons touched (noted by the resolvers that
/// return persons or records of one) and the data categories read (from the enforcement walk,
/// and from work a resolver runs on its own, such as an export).
#[derive(Debug, Default)]
pub struct Touched {
    persons: Mutex<BTreeSet<i32>>,
    /// Persons already linked to an event of this request (a write's own), not to be linked
    /// again by its read event.
    recorded: Mutex<BTreeSet<i32>>,
    categories: Mutex<BTreeSet<String>>,
    /// Root fields the gate opened and that ran, as `Query.persons`.
    roots: Mutex<BTreeSet<String>>,
}

impl Touched {
    /// Notes a root field the gate opened for this request.
    pub fn opened(&self, root: &str) {
        if let Ok(mut set) = self.roots.lock() {
            set.insert(root.to_owned());
        }
    }

    /// Notes persons as linked to an event already committed for this request.
    pub fn recorded(&self, ids: impl IntoIterator<Item = i32>) {
        if let Ok(mut set) = self.recorded.lock() {
            set.extend(ids);
        }
    }

    pub fn add(&self, ids: impl IntoIterator<Item = i32>) {
        if let Ok(mut set) = self.persons.lock() {
            set.extend(ids);
        }
    }

    pub fn add_categories(&self, categories: impl IntoIterator<Item = String>) {
        if let Ok(mut set) = self.categories.lock() {
            set.extend(categories);
        }
    }

    /// The persons touched and not yet recorded, and the categories read so far, sorted.
    pub fn reached(&self) -> Reached {
        let recorded = self
            .recorded
            .lock()
            .map(|set| set.clone())
            .unwrap_or_default();
        Reached {
            persons: self
                .persons
                .lock()
                .map(|set| set.difference(&recorded).copied().collect())
                .unwrap_or_default(),
            categories: self
                .categories
                .lock()
                .map(|set| set.iter().cloned().collect())
                .unwrap_or_default(),
            roots: self
                .roots
                .lock()
                .map(|set| set.iter().cloned().collect())
                .unwrap_or_default(),
        }
    }
}

/// What one request reached, for its audit event.
#[derive(Clone, Debug, Default)]
pub struct Reached {
    /// Sorted.
    pub persons: Vec<i32>,
    /// Sorted.
    pub categories: Vec<String>,
    /// Root fields that ran, sorted.
    pub roots: Vec<String>,
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

impl Event {
    pub fn new(
        subject: &Subject,
        operation: &str,
        request_id: &str,
        categories: &[String],
        persons: &[i32],
    ) -> Self {
        Event {
            role: subject.role.code().to_owned(),
            org: subject.org.as_ref().map(|o| o.as_str().to_owned()),
            sub: clip(&subject.sub, 200),
            purpose: subject.purpose.code().to_owned(),
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

fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// Person links are inserted in chunks of this many rows (two values each), well inside
/// both backends' limits on statement parameters.
const LINKS_PER_INSERT: usize = 5_000;

/// Appends events to the trail, in order, in one transaction, and returns their ids. The
/// first statement takes the chain head's row lock, so concurrent appends (other server
/// instances) queue behind it and the chain stays linear; event ids are assigned from the
/// head, so every event of the trail is written here.
pub async fn record(db: &DatabaseConnection, events: &[Event]) -> Result<Vec<i64>, ApiError> {
    let txn = db.begin().await?;
    let ids = append(&txn, events).await?;
    txn.commit().await?;
    Ok(ids)
}

/// Appends events inside a transaction the caller commits, so that what they record and the
/// record itself land together or not at all (see [`record`] for the locking).
pub async fn append(txn: &DatabaseTransaction, events: &[Event]) -> Result<Vec<i64>, ApiError> {
    // Locks the head row and reads it in one statement.
    let head = audit_chain::Entity::update_many()
        .col_expr(
            audit_chain::Column::LastEventId,
            Expr::col(audit_chain::Column::LastEventId),
        )
        .filter(audit_chain::Column::Id.eq(1))
        .exec_with_returning(txn)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("the audit chain has no head")))?;
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
        prev_hash = hash;
    }
    if !rows.is_empty() {
        audit_event::Entity::insert_many(rows)
            .exec_without_returning(txn)
            .await?;
    }
    insert_links(txn, links).await?;
    if let Some(last) = ids.last() {
        audit_chain::ActiveModel {
            id: Set(1),
            last_event_id: Set(*last),
            last_hash: Set(prev_hash),
        }
        .update(txn)
        .await?;
    }
    Ok(ids)
}

/// Appends the event of a write made by the current request (root field `Mutation.*`) to the
/// write's own transaction. If it cannot be appended, the write must be rolled back.
pub async fn append_for_request(
    ctx: &async_graphql::Context<'_>,
    txn: &DatabaseTransaction,
    persons: &[i32],
) -> Result<(), ApiError> {
    let unrecorded = |e: &dyn std::fmt::Display| {
        tracing::error!(error = %e, "the change could not be recorded in the audit trail; rolled back");
        ApiError::Unrecorded(
            "the change could not be recorded in the audit trail; nothing was changed",
        )
    };
    let subject = ctx.data::<Subject>().map_err(|e| unrecorded(&e.message))?;
    let request_id = ctx
        .data::<crate::denials::RequestId>()
        .map(|r| r.0.as_str())
        .unwrap_or("-");
    let categories = ctx
        .data::<Arc<Touched>>()
        .map(|t| t.reached().categories)
        .unwrap_or_default();
    let event = Event::new(
        subject,
        &format!("Mutation.{}", ctx.field().name()),
        request_id,
        &categories,
        persons,
    );
    append(txn, &[event])
        .await
        .map(|_| ())
        .map_err(|e| unrecorded(&e))
}

/// An export of personal data to a recipient (utlevering), as the person will see it.
#[derive(Clone, Debug)]
pub struct Disclosure {
    /// Who received it: the recipient's role and organisation.
    pub recipient: String,
    pub legal_basis: String,
    pub extract: String,
    pub row_count: usize,
}

/// Records a disclosure, the persons it included and its audit event in one transaction, and
/// returns the disclosure's id. The event names the disclosure (as its request id), so the
/// hash chain covers which disclosure included whom.
pub async fn record_disclosure(
    db: &DatabaseConnection,
    disclosure: &Disclosure,
    mut event: Event,
) -> Result<i32, ApiError> {
    let txn = db.begin().await?;
    let stored = disclosure::ActiveModel {
        at: Set(Utc::now().trunc_subsecs(6)),
        recipient: Set(clip(&disclosure.recipient, 200)),
        legal_basis: Set(clip(&disclosure.legal_basis, 200)),
        purpose: Set(event.purpose.clone()),
        extract: Set(clip(&disclosure.extract, 64)),
        row_count: Set(i32::try_from(disclosure.row_count).unwrap_or(i32::MAX)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    insert_chunked(
        &txn,
        event
            .persons
            .iter()
            .map(|person| disclosure_person::ActiveModel {
                disclosure_id: Set(stored.id),
                person_id: Set(*person),
                ..Default::default()
            }),
    )
    .await?;
    event.request_id = format!("disclosure-{}", stored.id);
    append(&txn, &[event]).await?;
    txn.commit().await?;
    Ok(stored.id)
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
async fn insert_chunked<A>(
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

type Pending = (Event, oneshot::Sender<Result<i64, String>>);

/// Writes the events of concurrent requests together (group commit): each request waits for
/// its event's transaction, so nothing is returned before it is recorded, but one commit
/// serves every request that arrived meanwhile.
#[derive(Clone, Debug)]
pub struct AuditWriter {
    queue: mpsc::Sender<Pending>,
}

/// Most events written in one transaction.
const MAX_BATCH: usize = 256;

impl AuditWriter {
    /// Starts the writer task on the current Tokio runtime.
    pub fn start(db: DatabaseConnection) -> Self {
        let (queue, mut pending) = mpsc::channel::<Pending>(4 * MAX_BATCH);
        tokio::spawn(async move {
            while let Some(first) = pending.recv().await {
                let mut batch = vec![first];
                while batch.len() < MAX_BATCH {
                    match pending.try_recv() {
                        Ok(next) => batch.push(next),
                        Err(_) => break,
                    }
                }
                let (events, waiters): (Vec<Event>, Vec<_>) = batch.into_iter().unzip();
                match record(&db, &events).await {
                    Ok(ids) => {
                        for (waiter, id) in waiters.into_iter().zip(ids) {
                            let _ = waiter.send(Ok(id));
                        }
                    }
                    Err(e) => {
                        let message = e.to_string();
                        for waiter in waiters {
                            let _ = waiter.send(Err(message.clone()));
                        }
                    }
                }
            }
        });
        AuditWriter { queue }
    }

    /// Records one event; returns once it is committed.
    pub async fn write(&self, event: Event) -> Result<i64, ApiError> {
        let (done, wait) = oneshot::channel();
        let refused = || ApiError::Internal(anyhow::anyhow!("the audit writer has stopped"));
        self.queue
            .send((event, done))
            .await
            .map_err(|_| refused())?;
        wait.await
            .map_err(|_| refused())?
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("audit record: {e}")))
    }
}

/// The operation of the event that records a retention prune, followed by `:ID:HASH` of the
/// last event removed, so that the hash chain itself vouches for where the kept trail starts.
const PRUNE_OPERATION: &str = "Audit.prune";

/// What a retention prune removed.
#[derive(Debug, PartialEq, Eq)]
pub struct Pruned {
    pub events: u64,
    /// The last event removed, if any was.
    pub through: Option<i64>,
}

/// Applies the retention rule: removes the oldest events recorded before `cutoff`, with
/// their person links, as a prefix of the chain, and appends an event that records the
/// prune (which event it went through) in the same transaction. [`verify`] then starts at
/// the first event kept, vouched for by that record; a prefix removed any other way still
/// breaks the chain.
pub async fn prune(db: &DatabaseConnection, cutoff: DateTime<Utc>) -> Result<Pruned, ApiError> {
    let txn = db.begin().await?;
    // The newest event before the cutoff; the prune removes every event up to it.
    let last_removed = audit_event::Entity::find()
        .filter(audit_event::Column::At.lt(cutoff))
        .order_by_desc(audit_event::Column::Id)
        .one(&txn)
        .await?;
    let Some(last_removed) = last_removed else {
        return Ok(Pruned {
            events: 0,
            through: None,
        });
    };
    let through = last_removed.id;
    let event = Event {
        role: "system".into(),
        org: None,
        sub: "vigo audit prune".into(),
        purpose: "retention".into(),
        operation: format!("{PRUNE_OPERATION}:{through}:{}", last_removed.hash),
        request_id: "retention".into(),
        categories: Vec::new(),
        persons: Vec::new(),
    };
    // Appending first takes the chain head's lock, so no writer interleaves.
    append(&txn, &[event]).await?;
    audit_event_person::Entity::delete_many()
        .filter(audit_event_person::Column::AuditEventId.lte(through))
        .exec(&txn)
        .await?;
    let removed = audit_event::Entity::delete_many()
        .filter(audit_event::Column::Id.lte(through))
        .exec(&txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    Ok(Pruned {
        events: removed,
        through: Some(through),
    })
}

/// Where the kept chain starts: the last event a recorded prune removed (its id and hash), or
/// the genesis. A prune record is trusted only because [`verify`] checks it as part of the
/// chain.
async fn chain_start(db: &DatabaseConnection) -> Result<Option<(i64, String)>, sea_orm::DbErr> {
    let prefix = format!("{PRUNE_OPERATION}:");
    let prunes = audit_event::Entity::find()
        .filter(audit_event::Column::Operation.starts_with(prefix.as_str()))
        .all(db)
        .await?;
    Ok(prunes
        .iter()
        .filter_map(|e| {
            let (id, hash) = e.operation.strip_prefix(&prefix)?.split_once(':')?;
            Some((id.parse::<i64>().ok()?, hash.to_owned()))
        })
        .max())
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
    // After a retention prune, the first event kept links to a removed one: its stored link
    // is taken as the start, and must be the event right after the last one pruned.
    if let Some((through, hash)) = chain_start(db).await? {
        prev_hash = hash;
        last_id = through;
    }
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
            // Ids are handed out by the chain head without gaps; a gap is a removed event
            // (the hash alone would not notice a renumbered one).
            if event.id != last_id + 1 {
                return Err(Broken::Event {
                    id: event.id,
                    reason: "does not follow the event before it (events before it were removed or renumbered)",
                });
            }
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
