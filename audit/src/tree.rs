//! The trail's Merkle tree (RFC 6962) in the database: one leaf per event, in id order, over
//! the event's chained hash; every complete perfect subtree kept in `audit_tree_node`, the
//! right edge in the chain head. Appends extend it in their transaction; roots and proofs
//! read a handful of nodes.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use vigo_entities::{audit_chain, audit_event, audit_tree_node};

use crate::merkle::{self, Frontier, Hash, NodeId};
use crate::{AuditError, insert_chunked};

/// The leaf of an event: its chained hash (which covers its content, its persons and the
/// event before it) as RFC 6962 leaf data.
pub fn event_leaf(chained_hash: &str) -> Result<Hash, AuditError> {
    let bytes = hex::decode(chained_hash)
        .map_err(|_| AuditError::Record(format!("not a hash: {chained_hash}")))?;
    Ok(merkle::leaf_hash(&bytes))
}

pub(crate) fn to_hex(hash: &Hash) -> String {
    hex::encode(hash)
}

pub(crate) fn from_hex(text: &str) -> Option<Hash> {
    hex::decode(text).ok()?.try_into().ok()
}

/// The head's right edge as stored: its size, then the hex roots, comma-separated
/// (`6;hex,hex`). The size makes an edge left behind by appends that did not extend it
/// (a binary from before the tree, during a rolling upgrade) visibly stale.
pub fn frontier_text(frontier: &Frontier) -> String {
    let nodes: Vec<String> = frontier.nodes().iter().map(to_hex).collect();
    format!("{};{}", frontier.size(), nodes.join(","))
}

/// The head's right edge for a trail of `size` events, or `None` when the head holds none
/// that fits (a trail from before the tree, or one appended to without it).
pub(crate) fn parse_frontier(size: i64, text: &str) -> Option<Frontier> {
    if size == 0 && text.is_empty() {
        // A new trail: its head starts with no edge written.
        return Some(Frontier::new());
    }
    let (stored, nodes) = text.split_once(';')?;
    if stored.parse::<i64>().ok()? != size {
        return None;
    }
    let nodes: Option<Vec<Hash>> = nodes
        .split(',')
        .filter(|part| !part.is_empty())
        .map(from_hex)
        .collect();
    Frontier::from_parts(u64::try_from(size).ok()?, nodes?).ok()
}

/// Stores completed nodes.
pub(crate) async fn insert_nodes(
    txn: &DatabaseTransaction,
    nodes: Vec<(NodeId, Hash)>,
) -> Result<(), sea_orm::DbErr> {
    insert_chunked(
        txn,
        nodes
            .into_iter()
            .map(|((level, idx), hash)| audit_tree_node::ActiveModel {
                level: Set(i16::from(level)),
                idx: Set(idx as i64),
                hash: Set(to_hex(&hash)),
            }),
    )
    .await
}

/// The right edge for the head, building the tree for the events that have none first (a
/// trail from before the tree): every event from the first must be there.
pub(crate) async fn frontier_for_append(
    txn: &DatabaseTransaction,
    head: &audit_chain::Model,
) -> Result<Frontier, AuditError> {
    if let Some(frontier) = parse_frontier(head.last_event_id, &head.frontier) {
        return Ok(frontier);
    }
    audit_tree_node::Entity::delete_many().exec(txn).await?;
    let mut frontier = Frontier::new();
    let mut after = 0i64;
    loop {
        let events: Vec<(i64, String)> = audit_event::Entity::find()
            .select_only()
            .column(audit_event::Column::Id)
            .column(audit_event::Column::Hash)
            .filter(audit_event::Column::Id.gt(after))
            .filter(audit_event::Column::Id.lte(head.last_event_id))
            .order_by_asc(audit_event::Column::Id)
            .limit(10_000)
            .into_tuple()
            .all(txn)
            .await?;
        if events.is_empty() {
            break;
        }
        let mut nodes = Vec::new();
        for (id, hash) in events {
            if id != after + 1 {
                return Err(AuditError::Record(format!(
                    "the trail has no event {}; its Merkle tree cannot be built (was it pruned before the tree existed?)",
                    after + 1
                )));
            }
            nodes.extend(frontier.push(event_leaf(&hash)?));
            after = id;
        }
        insert_nodes(txn, nodes).await?;
    }
    if after != head.last_event_id {
        return Err(AuditError::Record(format!(
            "the trail ends at event {after}, its head at {}",
            head.last_event_id
        )));
    }
    Ok(frontier)
}

/// Builds the tree of a trail from before it (run at start, after migrations): the events
/// recorded then get their leaves and nodes, and the head its right edge. Does nothing on a
/// trail whose tree is whole.
pub async fn build(db: &DatabaseConnection) -> Result<(), AuditError> {
    let txn = db.begin().await?;
    let head = crate::lock_head(&txn).await?;
    if parse_frontier(head.last_event_id, &head.frontier).is_none() {
        let frontier = frontier_for_append(&txn, &head).await?;
        audit_chain::ActiveModel {
            id: Set(1),
            frontier: Set(frontier_text(&frontier)),
            ..Default::default()
        }
        .update(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Whether the head claims a tree: a trail from before the tree has none until [`build`]. (A
/// claim that does not hold is reported by verification, never taken as no tree.)
pub(crate) fn is_built(head: &audit_chain::Model) -> bool {
    head.last_event_id == 0 || !head.frontier.is_empty()
}

/// Loads perfect nodes by id.
pub async fn load_nodes<C: ConnectionTrait>(
    db: &C,
    ids: &[NodeId],
) -> Result<HashMap<NodeId, Hash>, sea_orm::DbErr> {
    let mut found = HashMap::new();
    for chunk in ids.chunks(500) {
        let mut any = Condition::any();
        for (level, idx) in chunk {
            any = any.add(
                Condition::all()
                    .add(audit_tree_node::Column::Level.eq(i16::from(*level)))
                    .add(audit_tree_node::Column::Idx.eq(*idx as i64)),
            );
        }
        for node in audit_tree_node::Entity::find().filter(any).all(db).await? {
            if let (Ok(level), Some(hash)) = (u8::try_from(node.level), from_hex(&node.hash)) {
                found.insert((level, node.idx as u64), hash);
            }
        }
    }
    Ok(found)
}

/// Why a root or proof could not be made from the stored tree.
fn incomplete(what: &str) -> AuditError {
    AuditError::Record(format!("the trail's Merkle tree lacks nodes for {what}"))
}

/// The root of the first `size` events.
pub async fn root<C: ConnectionTrait>(db: &C, size: u64) -> Result<Hash, AuditError> {
    let nodes = load_nodes(db, &merkle::root_nodes(size)).await?;
    merkle::root_from(size, &|id| nodes.get(&id).copied())
        .map_err(|e| AuditError::Record(e.to_string()))?
        .ok_or_else(|| incomplete(&format!("the root of {size} events")))
}

/// The inclusion proof of leaf `index` in the tree of `size` events.
pub async fn inclusion_proof<C: ConnectionTrait>(
    db: &C,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, AuditError> {
    let nodes = load_nodes(db, &merkle::inclusion_nodes(index, size)).await?;
    merkle::inclusion_proof(index, size, &|id| nodes.get(&id).copied())
        .map_err(|e| AuditError::Record(e.to_string()))?
        .ok_or_else(|| incomplete(&format!("event {} in {size}", index + 1)))
}

/// The consistency proof from the tree of `old` events to that of `new`.
pub async fn consistency_proof<C: ConnectionTrait>(
    db: &C,
    old: u64,
    new: u64,
) -> Result<Vec<Hash>, AuditError> {
    let nodes = load_nodes(db, &merkle::consistency_nodes(old, new)).await?;
    merkle::consistency_proof(old, new, &|id| nodes.get(&id).copied())
        .map_err(|e| AuditError::Record(e.to_string()))?
        .ok_or_else(|| incomplete(&format!("consistency from {old} to {new}")))
}
