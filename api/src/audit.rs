//! The API's side of the audit trail (the trail itself is the `vigo-audit` crate): what a
//! request reached, for its event, and the event of a write, appended in the write's own
//! transaction.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use sea_orm::DatabaseTransaction;
use vigo_policy::Subject;

pub use vigo_audit::{
    AuditError, AuditWriter, Broken, Disclosure, Event, Pruned, prune, record, record_disclosure,
    verify,
};

use crate::error::ApiError;

/// The trail's record of who acted.
pub fn actor(subject: &Subject) -> vigo_audit::Actor {
    vigo_audit::Actor {
        role: subject.role.code().to_owned(),
        org: subject.org.as_ref().map(|o| o.as_str().to_owned()),
        sub: subject.sub.clone(),
        purpose: subject.purpose.code().to_owned(),
    }
}

/// What a request reached, as request data: the persons whose data it loaded (noted where
/// persons are loaded: `person::present` and the loaders), the data categories read (from
/// the enforcement walk, the arguments that selected persons, and work a resolver runs on
/// its own, such as an export), and the root fields the gate opened.
#[derive(Debug, Default)]
pub struct Touched {
    persons: Mutex<BTreeSet<i32>>,
    /// Persons already linked to an event of this request (a write's own), not to be linked
    /// again by its read event.
    recorded: Mutex<BTreeSet<i32>>,
    categories: Mutex<BTreeSet<String>>,
    /// Root fields the gate opened and that ran, as `Query.persons`.
    roots: Mutex<BTreeSet<String>>,
    /// `person(nationalId)` look-ups run so far.
    lookups: std::sync::atomic::AtomicUsize,
}

impl Touched {
    /// Counts one look-up of a person by national id; returns how many the request has made.
    pub fn looked_up(&self) -> usize {
        self.lookups
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            .saturating_add(1)
    }

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
    let operation = format!("Mutation.{}", ctx.field().name());
    let mut categories: BTreeSet<String> = ctx
        .data::<Arc<Touched>>()
        .map(|t| t.reached().categories)
        .unwrap_or_default()
        .into_iter()
        .collect();
    if let Some(root) = vigo_policy::roots::root_field(&operation) {
        categories.extend(root.writes.iter().map(|c| c.code().to_owned()));
    }
    let categories: Vec<String> = categories.into_iter().collect();
    let event = Event::new(actor(subject), &operation, request_id, &categories, persons);
    vigo_audit::append(txn, &[event])
        .await
        .map(|_| ())
        .map_err(|e| unrecorded(&e))
}
