//! Disclosures: exports of personal data to recipients (utlevering), recorded with the
//! persons they included and their audit event in one transaction.

use chrono::{SubsecRound, Utc};
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set, TransactionTrait};
use vigo_entities::{disclosure, disclosure_person};

use crate::{AuditError, Event, append, clip, insert_chunked};

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
) -> Result<i32, AuditError> {
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
    // Collected first: an iterator borrowing the event across the await would make the
    // future unusable from a request handler (it must be `Send` for every lifetime).
    let persons: Vec<disclosure_person::ActiveModel> = event
        .persons
        .iter()
        .map(|person| disclosure_person::ActiveModel {
            disclosure_id: Set(stored.id),
            person_id: Set(*person),
            ..Default::default()
        })
        .collect();
    insert_chunked(&txn, persons).await?;
    event.request_id = format!("disclosure-{}", stored.id);
    append(&txn, &[event]).await?;
    txn.commit().await?;
    Ok(stored.id)
}
