//! Verification: recomputing the chain and its Merkle tree from their start to the head, and
//! holding them against signed checkpoints.

use std::collections::{BTreeMap, HashMap};

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use vigo_entities::{audit_chain, audit_event, audit_event_person, audit_tree_node};

use crate::checkpoint::Checkpoint;
use crate::merkle::{self, Frontier};
use crate::retention::chain_start;
use crate::{chained_hash, tree};

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
    #[error("the signed checkpoint of {size} events: {reason}")]
    Checkpoint { size: u64, reason: String },
    #[error("the trail's Merkle tree: {0}")]
    Tree(String),
    #[error(transparent)]
    Database(#[from] sea_orm::DbErr),
}

/// What a verification covered.
#[derive(Debug, PartialEq, Eq)]
pub struct Verified {
    /// Events recomputed (the trail kept after retention).
    pub events: u64,
    /// Events ever appended: the Merkle tree's size.
    pub tree_size: u64,
    /// The tree's root.
    pub root: merkle::Hash,
    /// Signed checkpoints the trail was proven consistent with.
    pub checkpoints: usize,
}

/// Recomputes the chain from the first event kept to the head. Returns the number of events,
/// or the first event that was altered, removed or reordered. Without signed checkpoints,
/// whoever can write the database can rewrite the trail whole; see [`verify_against`].
pub async fn verify(db: &DatabaseConnection) -> Result<u64, Broken> {
    Ok(verify_against(db, &[]).await?.events)
}

/// [`verify`], and the Merkle tree too: every event's leaf is recomputed and compared with the
/// stored one, the root at each checkpoint's size is recomputed and compared with the signed
/// root, and a consistency proof from each checkpoint to the current tree, made from the
/// stored nodes, must verify. So truncation, deletion and recomputation are found, whatever
/// else was rewritten to match. `checkpoints` must have been opened with the signer's key.
pub async fn verify_against(
    db: &DatabaseConnection,
    checkpoints: &[Checkpoint],
) -> Result<Verified, Broken> {
    const BATCH: u64 = 10_000;
    let mut prev_hash = vigo_migrations::GENESIS_HASH.to_owned();
    let mut last_id = 0i64;
    let mut count = 0u64;
    // The head first: events appended while this runs are past it and not looked at (an
    // append commits its events and the head together).
    let head = audit_chain::Entity::find_by_id(1).one(db).await?;
    let end = head.as_ref().map_or(i64::MAX, |h| h.last_event_id);
    // After a retention prune, the first event kept links to a removed one: the prune
    // record, itself an event of the kept chain, names that event and its hash.
    let first: Option<i64> = audit_event::Entity::find()
        .select_only()
        .column(audit_event::Column::Id)
        .order_by_asc(audit_event::Column::Id)
        .into_tuple::<i64>()
        .one(db)
        .await?;
    let mut prune_record = None;
    match first {
        Some(first) if first < 1 => {
            return Err(Broken::Event {
                id: first,
                reason: "the trail numbers its events from 1: this one was inserted",
            });
        }
        Some(first) if first > 1 => match chain_start(db, first - 1).await? {
            Some((record, hash)) => {
                prev_hash = hash;
                last_id = first - 1;
                prune_record = Some(record);
            }
            None => {
                return Err(Broken::Event {
                    id: first,
                    reason: "the events before it were removed without a recorded prune",
                });
            }
        },
        _ => {}
    }
    let mut frontier = if last_id > 0 {
        let size = last_id as u64;
        let ids = Frontier::node_ids(size);
        let nodes = tree::load_nodes(db, &ids).await?;
        let nodes: Option<Vec<_>> = ids.iter().map(|id| nodes.get(id).copied()).collect();
        nodes
            .and_then(|nodes| Frontier::from_parts(size, nodes).ok())
            .ok_or_else(|| {
                Broken::Tree(format!("the nodes of the {size} pruned events are missing"))
            })?
    } else {
        Frontier::new()
    };
    let pruned = frontier.size();
    // A trail from before the tree is checked as a chain until its tree is built.
    let built = head.as_ref().is_none_or(tree::is_built);
    let mut by_size: BTreeMap<u64, &Checkpoint> = BTreeMap::new();
    for checkpoint in checkpoints {
        if let Some(other) = by_size.insert(checkpoint.size, checkpoint)
            && other.root != checkpoint.root
        {
            return Err(Broken::Checkpoint {
                size: checkpoint.size,
                reason: "two signed checkpoints of this size name different roots".into(),
            });
        }
    }
    loop {
        let events = audit_event::Entity::find()
            .filter(audit_event::Column::Id.gt(last_id))
            .filter(audit_event::Column::Id.lte(end))
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
            .filter(audit_event_person::Column::AuditEventId.is_in(ids.iter().copied()))
            .all(db)
            .await?
        {
            persons
                .entry(link.audit_event_id)
                .or_default()
                .push(link.person_id);
        }
        let leaves: HashMap<i64, String> = audit_tree_node::Entity::find()
            .filter(audit_tree_node::Column::Level.eq(0))
            .filter(audit_tree_node::Column::Idx.gte(ids[0] - 1))
            .filter(audit_tree_node::Column::Idx.lte(ids[ids.len() - 1] - 1))
            .all(db)
            .await?
            .into_iter()
            .map(|node| (node.idx + 1, node.hash))
            .collect();
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
            let leaf = tree::event_leaf(&event.hash).map_err(|e| Broken::Tree(e.to_string()))?;
            if built
                && leaves.get(&event.id).map(String::as_str) != Some(tree::to_hex(&leaf).as_str())
            {
                return Err(Broken::Event {
                    id: event.id,
                    reason: "its leaf in the Merkle tree is missing or differs",
                });
            }
            frontier.push(leaf);
            if let Some(checkpoint) = by_size.get(&frontier.size())
                && frontier.root() != checkpoint.root
            {
                return Err(Broken::Checkpoint {
                    size: checkpoint.size,
                    reason: "the trail up to it no longer has the signed root: events were changed, removed or recomputed".into(),
                });
            }
            prev_hash = event.hash;
            last_id = event.id;
            count += 1;
        }
    }
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
        if built && head.last_event_id > 0 && head.frontier != tree::frontier_text(&frontier) {
            return Err(Broken::Tree(
                "the head's right edge differs from the events'".into(),
            ));
        }
    }
    // Events past the head were appended since it was read, and then the head has moved on
    // with them; an event past the head as it is now was inserted.
    let newest: Option<i64> = audit_event::Entity::find()
        .select_only()
        .column(audit_event::Column::Id)
        .order_by_desc(audit_event::Column::Id)
        .into_tuple::<i64>()
        .one(db)
        .await?;
    if let Some(newest) = newest.filter(|newest| *newest > end) {
        let now = audit_chain::Entity::find_by_id(1)
            .one(db)
            .await?
            .map_or(0, |h| h.last_event_id);
        if newest > now {
            return Err(Broken::Event {
                id: newest,
                reason: "lies past the chain's head (it was inserted, not appended)",
            });
        }
    }
    let size = frontier.size();
    let root = frontier.root();
    // A prune must be vouched for by the key: its record is covered by a signed checkpoint
    // (`vigo audit prune` signs one), and so are the events it removed. Otherwise anyone who
    // can write the database could remove a prefix and append a record saying so.
    if let (Some(record), Some(latest)) = (prune_record, by_size.keys().next_back()) {
        if (*latest as i64) < record {
            return Err(Broken::Event {
                id: record,
                reason: "records a prune that no signed checkpoint covers",
            });
        }
        if *latest < pruned {
            return Err(Broken::Event {
                id: record,
                reason: "records a prune of events beyond every signed checkpoint",
            });
        }
    }
    for checkpoint in by_size.values() {
        if checkpoint.size > size {
            return Err(Broken::Checkpoint {
                size: checkpoint.size,
                reason: format!(
                    "the trail now holds {size} events: events were removed from the end"
                ),
            });
        }
        // Checkpoints of pruned events are held against the stored nodes alone; every
        // checkpoint's consistency proof is also what a reader without the data would check.
        let proof = tree::consistency_proof(db, checkpoint.size, size)
            .await
            .map_err(|e| Broken::Checkpoint {
                size: checkpoint.size,
                reason: e.to_string(),
            })?;
        if !merkle::verify_consistency(checkpoint.size, size, &checkpoint.root, &root, &proof) {
            return Err(Broken::Checkpoint {
                size: checkpoint.size,
                reason: if checkpoint.size <= pruned {
                    "the stored tree of the pruned events is not consistent with it".into()
                } else {
                    "the current tree is not consistent with it".into()
                },
            });
        }
    }
    Ok(Verified {
        events: count,
        tree_size: size,
        root,
        checkpoints: by_size.len(),
    })
}
