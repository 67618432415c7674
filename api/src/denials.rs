//! Refused reads, counted in `/metrics` and recorded in `access_denial` for the privacy
//! officer. Recording is part of the request: if it cannot be written, the request fails.

use sea_orm::{ConnectionTrait, EntityTrait, Set};
use tokio::sync::mpsc;
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
    /// The kind stored as `code`, if it is one.
    pub fn from_code(code: &str) -> Option<Self> {
        [DenialKind::Field, DenialKind::Row, DenialKind::Operation]
            .into_iter()
            .find(|k| k.code() == code)
    }

    /// The stored code.
    pub fn code(self) -> &'static str {
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
    let rows = targets
        .iter()
        .map(|target| row(subject, request_id, policy_version, kind, target, now));
    access_denial::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await
        .map_err(ApiError::from)?;
    Ok(())
}

fn row(
    subject: &Subject,
    request_id: &str,
    policy_version: i64,
    kind: DenialKind,
    target: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> access_denial::ActiveModel {
    access_denial::ActiveModel {
        at: Set(at),
        actor_role: Set(subject.role.to_string()),
        actor_org: Set(subject.org.as_ref().map(|o| o.as_str().to_owned())),
        actor_sub: Set(subject.sub.chars().take(200).collect()),
        purpose: Set(subject.purpose.to_string()),
        kind: Set(kind.code().to_owned()),
        target: Set(target.chars().take(300).collect()),
        request_id: Set(request_id.chars().take(64).collect()),
        policy_version: Set(policy_version),
        ..Default::default()
    }
}

/// Refusals whose recording the caller must not be able to observe: a person outside the
/// caller's scope must look absent, in the answer, its timing and `/metrics` alike. They are
/// queued without waiting and written in batches a moment later, off every request's path
/// (and many look-ups cost one insert), and they are counted in no metric.
#[derive(Clone, Debug)]
pub struct DenialQueue {
    /// `None` for a simulated request: what a proposed policy would refuse is not a refusal.
    queue: Option<mpsc::Sender<access_denial::ActiveModel>>,
}

/// How long the queue gathers denials before writing them together.
const BATCH_WINDOW: std::time::Duration = std::time::Duration::from_secs(1);
/// Rows per insert, well inside both backends' limits on statement parameters.
const DENIALS_PER_INSERT: usize = 500;
/// Denials held at most; beyond, new ones are dropped (and logged) rather than slow anyone.
const QUEUE_CAPACITY: usize = 10_000;

impl DenialQueue {
    /// Starts the writer task on the current Tokio runtime.
    pub fn start(db: sea_orm::DatabaseConnection) -> Self {
        let (queue, mut pending) = mpsc::channel::<access_denial::ActiveModel>(QUEUE_CAPACITY);
        tokio::spawn(async move {
            while let Some(first) = pending.recv().await {
                tokio::time::sleep(BATCH_WINDOW).await;
                let mut batch = vec![first];
                while let Ok(next) = pending.try_recv() {
                    batch.push(next);
                }
                while !batch.is_empty() {
                    let rest = batch.split_off(batch.len().min(DENIALS_PER_INSERT));
                    let count = batch.len();
                    if let Err(e) = access_denial::Entity::insert_many(batch)
                        .exec_without_returning(&db)
                        .await
                    {
                        tracing::error!(error = %e, count, "denials could not be recorded");
                    }
                    batch = rest;
                }
            }
        });
        DenialQueue { queue: Some(queue) }
    }

    /// A queue that records nothing, for reads run as a simulated subject.
    pub fn simulated() -> Self {
        DenialQueue { queue: None }
    }

    /// Queues one denial; never waits.
    pub fn file(
        &self,
        subject: &Subject,
        request_id: &str,
        policy_version: i64,
        kind: DenialKind,
        target: &str,
    ) {
        let Some(queue) = &self.queue else {
            return;
        };
        let denial = row(
            subject,
            request_id,
            policy_version,
            kind,
            target,
            chrono::Utc::now(),
        );
        if queue.try_send(denial).is_err() {
            tracing::warn!(
                kind = kind.code(),
                "the denial queue is full; a denial was dropped"
            );
        }
    }
}
