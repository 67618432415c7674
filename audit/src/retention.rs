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

/// The shortest retention accepted: a prune may not take the trail of the past year.
pub const MIN_RETENTION: chrono::TimeDelta = chrono::TimeDelta::days(365);

/// Applies the retention rule: removes the oldest events recorded before `cutoff`, with
/// their person links, as a prefix of the chain, and appends an event that records the
/// prune (which event it went through) in the same transaction. Only events within the
/// first `covered` (the size of a signed checkpoint the trail was verified against) are
/// removed, and never any of the past [`MIN_RETENTION`]. The Merkle tree's nodes, which hold
/// no personal data, stay: signed checkpoints of the removed events remain provable.
/// [`verify`](crate::verify) then starts at the first event kept, vouched for by that record.
/// `now` is the clock the minimum retention is measured by (the current time, but for tests).
pub async fn prune(
    db: &DatabaseConnection,
    cutoff: DateTime<Utc>,
    covered: u64,
    now: DateTime<Utc>,
) -> Result<Pruned, AuditError> {
    if cutoff > now - MIN_RETENTION {
        return Err(AuditError::Record(format!(
            "a retention shorter than {} days would remove the trail of the past year",
            MIN_RETENTION.num_days()
        )));
    }
    let txn = db.begin().await?;
    // The newest event before the cutoff and within the signed checkpoint; the prune removes
    // every event up to it.
    let last_removed = audit_event::Entity::find()
        .filter(audit_event::Column::At.lt(cutoff))
        .filter(audit_event::Column::Id.lte(i64::try_from(covered).unwrap_or(i64::MAX)))
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

/// The hash of event `through`, the last one a prune removed, as the record of that prune
/// names it. Only a record in the kept chain (after `through`) counts, and only for the
/// events actually missing: a prune record written anywhere else moves nothing, and the
/// record itself is verified with the rest of the chain.
/// Returns the record's own id with the hash.
pub(crate) async fn chain_start(
    db: &DatabaseConnection,
    through: i64,
) -> Result<Option<(i64, String)>, sea_orm::DbErr> {
    let prefix = format!("{PRUNE_OPERATION}:{through}:");
    let prunes = audit_event::Entity::find()
        .filter(audit_event::Column::Operation.starts_with(prefix.as_str()))
        .filter(audit_event::Column::Id.gt(through))
        .order_by_asc(audit_event::Column::Id)
        .all(db)
        .await?;
    Ok(prunes.iter().find_map(|e| {
        e.operation
            .strip_prefix(&prefix)
            .map(|hash| (e.id, hash.to_owned()))
    }))
}
