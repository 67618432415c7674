//! A person's proof that an access in their log is in the signed audit trail.

use async_graphql::{Context, ErrorExtensions, ID, Object, Result};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use vigo_audit::anchor::{self, Inclusion};
use vigo_entities::{audit_event, audit_event_person};
use vigo_policy::Subject;

use crate::error::ApiError;

/// The inclusion proof of one access in the audit trail's Merkle tree (RFC 6962) against a
/// signed checkpoint (C2SP tlog-checkpoint, Ed25519). With the publisher's verifier key,
/// `vigo audit verify-proof` or any RFC 6962 verifier checks it without trusting Vigo.
pub struct AccessLogProof(Inclusion);

/// The inclusion proof of one access in the audit trail's Merkle tree (RFC 6962) against a
/// signed checkpoint (C2SP tlog-checkpoint, Ed25519). With the publisher's verifier key,
/// `vigo audit verify-proof` or any RFC 6962 verifier checks it without trusting Vigo.
#[Object]
impl AccessLogProof {
    #[graphql(name = "__denied", visible = false)]
    async fn denied(&self, ctx: &Context<'_>, field: String) -> Option<bool> {
        super::denied(ctx, &field)
    }
    /// The access's event number: its leaf is number `eventId - 1`.
    async fn event_id(&self) -> Option<ID> {
        Some(self.0.event_id.into())
    }
    /// The event's chained hash (hex), the leaf's data.
    async fn event_hash(&self) -> Option<&str> {
        Some(&self.0.event_hash)
    }
    /// The size of the signed tree the proof is for.
    async fn tree_size(&self) -> Option<u64> {
        Some(self.0.tree_size)
    }
    /// The audit path (hex hashes), from the leaf's sibling up.
    async fn path(&self) -> Option<&[String]> {
        Some(&self.0.proof)
    }
    /// The signed checkpoint (a C2SP signed note) whose root the path leads to.
    async fn checkpoint(&self) -> Option<&str> {
        Some(&self.0.checkpoint)
    }
}

/// `Query.accessLogProof`: the proof of an event in the caller's own access log, or `null`
/// when the caller's log holds no such event.
pub async fn access_log_proof(ctx: &Context<'_>, event_id: ID) -> Result<Option<AccessLogProof>> {
    let access = super::query::open_root(ctx, "Query.accessLogProof").await?;
    let event_id: i64 = event_id
        .parse()
        .map_err(|_| ApiError::bad_input("eventId", "not an event number").extend())?;
    let Some(own) = ctx.data::<Subject>()?.person else {
        return Ok(None);
    };
    let Some(person) = super::query::find_person(ctx, access, own).await? else {
        return Ok(None);
    };
    let db = ctx.data::<DatabaseConnection>()?;
    let database = |e: sea_orm::DbErr| ApiError::from(e).extend();
    let linked = audit_event_person::Entity::find()
        .filter(audit_event_person::Column::AuditEventId.eq(event_id))
        .filter(audit_event_person::Column::PersonId.eq(person.row_id()))
        .one(db)
        .await
        .map_err(database)?;
    if linked.is_none() {
        return Ok(None);
    }
    let Some(event) = audit_event::Entity::find_by_id(event_id)
        .one(db)
        .await
        .map_err(database)?
    else {
        return Ok(None);
    };
    match anchor::inclusion(db, event.id, &event.hash)
        .await
        .map_err(|e| ApiError::from(e).extend())?
    {
        Some(inclusion) => Ok(Some(AccessLogProof(inclusion))),
        None => Err(ApiError::bad_input(
            "eventId",
            format!(
                "no signed checkpoint covers event {event_id} yet; checkpoints are made regularly"
            ),
        )
        .extend()),
    }
}
