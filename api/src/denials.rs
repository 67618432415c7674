//! Refused reads, counted in `/metrics` and recorded in `access_denial` for the privacy
//! officer. Recording is part of the request: if it cannot be written, the request fails.

use sea_orm::{ConnectionTrait, EntityTrait, Set};
use vigo_entities::access_denial;
use vigo_policy::Subject;

use crate::error::ApiError;

/// What kind of read was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DenialKind {
    /// A field the caller's mask denies.
    Field,
    /// A person outside the caller's row scope.
    Row,
    /// An operation the caller's role may not use.
    Operation,
}

impl DenialKind {
    fn code(self) -> &'static str {
        match self {
            DenialKind::Field => "field",
            DenialKind::Row => "row",
            DenialKind::Operation => "operation",
        }
    }
}

/// The request id a denial is filed under, as request data.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// Counts and records refused reads of one request.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    subject: &Subject,
    request_id: &str,
    policy_version: i64,
    kind: DenialKind,
    targets: &[String],
) -> Result<(), ApiError> {
    if targets.is_empty() {
        return Ok(());
    }
    metrics::counter!("vigo_denials_total", "kind" => kind.code()).increment(targets.len() as u64);
    let now = chrono::Utc::now();
    let rows = targets.iter().map(|target| access_denial::ActiveModel {
        at: Set(now),
        actor_role: Set(subject.role.to_string()),
        actor_org: Set(subject.org.as_ref().map(|o| o.as_str().to_owned())),
        actor_sub: Set(subject.sub.chars().take(200).collect()),
        purpose: Set(subject.purpose.to_string()),
        kind: Set(kind.code().to_owned()),
        target: Set(target.chars().take(300).collect()),
        request_id: Set(request_id.chars().take(64).collect()),
        policy_version: Set(policy_version),
        ..Default::default()
    });
    access_denial::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await
        .map_err(ApiError::from)?;
    Ok(())
}
