//! Signed checkpoints of the trail, as transparency logs make them: the tree size and root
//! signed with a key the database does not hold, kept where the database's writers cannot
//! change them, and inclusion proofs against them for the persons in the trail.

use chrono::Utc;
use sea_orm::{DatabaseConnection, EntityTrait, QueryOrder, Set};
use vigo_entities::audit_checkpoint;

use crate::checkpoint::{Checkpoint, Signer, Verifier};
use crate::merkle::{self, Hash};
use crate::verify::{Broken, verify_against};
use crate::{AuditError, tree};

/// A checkpoint and its signed note.
#[derive(Clone, Debug)]
pub struct Signed {
    pub checkpoint: Checkpoint,
    pub note: String,
}

/// Verifies the trail against the `previous` checkpoints, then signs its size and root with
/// `signer` (whose name is the checkpoint's origin) and keeps a copy of the note in the
/// database for inclusion proofs. What is signed is exactly what was verified.
pub async fn make_checkpoint(
    db: &DatabaseConnection,
    signer: &Signer,
    previous: &[Checkpoint],
) -> Result<Signed, Broken> {
    let verified = verify_against(db, previous).await?;
    sign(db, signer, verified.tree_size, verified.root).await
}

/// Verifies the trail against the `previous` checkpoints, applies the retention rule within
/// the latest of them (see [`crate::prune`]) and, when events went, signs the trail that
/// now ends with the prune's record: a prune is vouched for by the key, so one made by
/// anyone else (who can write the database but does not hold the key) fails verification.
pub async fn prune_and_sign(
    db: &DatabaseConnection,
    signer: &Signer,
    previous: &[Checkpoint],
    cutoff: chrono::DateTime<Utc>,
    now: chrono::DateTime<Utc>,
) -> Result<(crate::Pruned, Option<Signed>), Broken> {
    verify_against(db, previous).await?;
    let covered = previous.iter().map(|c| c.size).max().unwrap_or(0);
    let pruned = crate::prune(db, cutoff, covered, now)
        .await
        .map_err(|e| Broken::Tree(e.to_string()))?;
    if pruned.through.is_none() {
        return Ok((pruned, None));
    }
    let head = vigo_entities::audit_chain::Entity::find_by_id(1)
        .one(db)
        .await?
        .ok_or_else(|| Broken::Tree("the chain has no head".into()))?;
    let frontier = tree::parse_frontier(head.last_event_id, &head.frontier)
        .ok_or_else(|| Broken::Tree("the head's right edge does not fit the trail".into()))?;
    let signed = sign(db, signer, frontier.size(), frontier.root()).await?;
    Ok((pruned, Some(signed)))
}

/// Signs a tree size and root and keeps a copy of the note in the database.
async fn sign(
    db: &DatabaseConnection,
    signer: &Signer,
    size: u64,
    root: Hash,
) -> Result<Signed, Broken> {
    let checkpoint = Checkpoint {
        origin: signer.name().to_owned(),
        size,
        root,
        extensions: Vec::new(),
    };
    let note = signer.sign(&checkpoint);
    let stored = audit_checkpoint::Entity::find_by_id(size as i64)
        .one(db)
        .await?;
    match stored {
        Some(existing) if existing.root != tree::to_hex(&checkpoint.root) => {
            return Err(Broken::Checkpoint {
                size: checkpoint.size,
                reason: "a stored checkpoint of this size names another root".into(),
            });
        }
        Some(_) => {}
        None => {
            audit_checkpoint::Entity::insert(audit_checkpoint::ActiveModel {
                size: Set(checkpoint.size as i64),
                root: Set(tree::to_hex(&checkpoint.root)),
                note: Set(note.clone()),
                recorded_at: Set(Utc::now()),
            })
            .exec_without_returning(db)
            .await?;
        }
    }
    Ok(Signed { checkpoint, note })
}

/// An event's inclusion proof against a signed checkpoint: what a person needs to check,
/// with the signer's public key alone, that an access they see is in the signed trail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inclusion {
    pub event_id: i64,
    /// The event's chained hash (hex): the leaf's data.
    pub event_hash: String,
    pub tree_size: u64,
    /// Hex hashes, leaf to root.
    pub proof: Vec<String>,
    /// The signed checkpoint (C2SP signed note).
    pub checkpoint: String,
}

/// The inclusion proof of event `event_id` against the latest stored checkpoint, or `None`
/// when no checkpoint covers the event yet.
pub async fn inclusion(
    db: &DatabaseConnection,
    event_id: i64,
    event_hash: &str,
) -> Result<Option<Inclusion>, AuditError> {
    let Some(latest) = audit_checkpoint::Entity::find()
        .order_by_desc(audit_checkpoint::Column::Size)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if event_id < 1 || latest.size < event_id {
        return Ok(None);
    }
    let size = latest.size as u64;
    let proof = tree::inclusion_proof(db, (event_id - 1) as u64, size).await?;
    Ok(Some(Inclusion {
        event_id,
        event_hash: event_hash.to_owned(),
        tree_size: size,
        proof: proof.iter().map(tree::to_hex).collect(),
        checkpoint: latest.note,
    }))
}

/// Checks an inclusion proof with the signer's public key: the checkpoint's signature, its
/// size, and the event's leaf on the path to its root. Returns the checkpoint.
pub fn check_inclusion(inclusion: &Inclusion, verifier: &Verifier) -> Result<Checkpoint, String> {
    let checkpoint = verifier
        .open(&inclusion.checkpoint)
        .map_err(|e| format!("the checkpoint: {e}"))?;
    if checkpoint.size != inclusion.tree_size {
        return Err(format!(
            "the proof is for {} events, the checkpoint signs {}",
            inclusion.tree_size, checkpoint.size
        ));
    }
    let leaf = tree::event_leaf(&inclusion.event_hash).map_err(|e| e.to_string())?;
    let proof: Option<Vec<Hash>> = inclusion.proof.iter().map(|h| tree::from_hex(h)).collect();
    let proof = proof.ok_or("the proof holds something that is not a hash")?;
    let index = inclusion
        .event_id
        .checked_sub(1)
        .and_then(|index| u64::try_from(index).ok())
        .ok_or("no such event")?;
    if merkle::verify_inclusion(&leaf, index, checkpoint.size, &proof, &checkpoint.root) {
        Ok(checkpoint)
    } else {
        Err(format!(
            "event {} with hash {} is not in the signed trail of {} events",
            inclusion.event_id, inclusion.event_hash, checkpoint.size
        ))
    }
}

/// Opens the signed notes in `dir` (files ending in `.checkpoint`) with `verifier`; a note
/// that does not verify is an error, never skipped.
pub fn read_checkpoints(
    dir: &std::path::Path,
    verifier: &Verifier,
) -> Result<Vec<Checkpoint>, String> {
    let mut checkpoints = Vec::new();
    let entries = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read the checkpoints in {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("checkpoint") {
            continue;
        }
        let note = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let checkpoint = verifier
            .open(&note)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if checkpoint.origin != verifier.name() {
            return Err(format!(
                "{}: a checkpoint of {}, not of {}",
                path.display(),
                checkpoint.origin,
                verifier.name()
            ));
        }
        checkpoints.push(checkpoint);
    }
    checkpoints.sort_by_key(|c| c.size);
    Ok(checkpoints)
}

/// The file name of a checkpoint in a checkpoint directory: ordered by size.
pub fn file_name(checkpoint: &Checkpoint) -> String {
    format!("{:020}.checkpoint", checkpoint.size)
}
