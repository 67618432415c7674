//! Retention: removing the oldest events as a recorded prefix of the chain.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use vigo_entities::{audit_event, audit_event_person};

use crate::{AuditError, Event, append};

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
pub async fn prune(db: &DatabaseConnection, cutoff: DateTime<Utc>) -> Result<Pruned, AuditError> {
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
pub(crate) async fn chain_start(
    db: &DatabaseConnection,
) -> Result<Option<(i64, String)>, sea_orm::DbErr> {
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
