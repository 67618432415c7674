//! Verification: recomputing the chain from its start to its head.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use vigo_entities::{audit_chain, audit_event, audit_event_person};

use crate::chained_hash;
use crate::retention::chain_start;

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
