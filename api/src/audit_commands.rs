//! `vigo audit …`: verifying the trail against signed checkpoints, signing checkpoints,
//! retention within them, and checking a person's inclusion proof.

use std::path::Path;

use rand::{RngCore, SeedableRng};
use vigo_audit::anchor::{self, Inclusion};
use vigo_audit::checkpoint::{Checkpoint, Signer, Verifier};

use crate::config::{
    CheckpointArgs, KeygenArgs, PruneArgs, VerifierArgs, VerifyArgs, VerifyProofArgs,
};
use crate::db;

fn verifier(args: &VerifierArgs) -> anyhow::Result<Verifier> {
    let text = args.verifier.as_deref().ok_or_else(|| {
        anyhow::anyhow!(
            "--verifier (VIGO_CHECKPOINT_VERIFIER): the signer's verifier key, as `vigo audit keygen` printed it"
        )
    })?;
    Verifier::from_text(text.trim()).map_err(|e| anyhow::anyhow!("--verifier: {e}"))
}

/// The checkpoints of `dir`, each opened with `verifier`.
fn checkpoints(dir: &Path, verifier: &Verifier) -> anyhow::Result<Vec<Checkpoint>> {
    anchor::read_checkpoints(dir, verifier).map_err(anyhow::Error::msg)
}

pub async fn verify(args: VerifyArgs) -> anyhow::Result<()> {
    let signed = match &args.checkpoints {
        Some(dir) => checkpoints(dir, &verifier(&args.verifier)?)?,
        None => Vec::new(),
    };
    let db = db::connect_existing(&args.database.database_url).await?;
    let verified = vigo_audit::verify_against(&db, &signed).await?;
    if args.checkpoints.is_some() {
        println!(
            "the audit trail is intact: {} events kept, {} ever appended, consistent with {} signed checkpoints",
            verified.events, verified.tree_size, verified.checkpoints
        );
    } else {
        println!(
            "the audit trail is intact: {} events (without signed checkpoints, a rewrite of the whole trail would not show; see --checkpoints)",
            verified.events
        );
    }
    Ok(())
}

pub fn keygen(args: KeygenArgs) -> anyhow::Result<()> {
    let mut seed = [0u8; 32];
    rand::rngs::StdRng::from_os_rng().fill_bytes(&mut seed);
    let signer = Signer::generate(&args.name, seed).map_err(|e| anyhow::anyhow!("--name: {e}"))?;
    let destination = crate::output::Destination::check(&args.out, false)?;
    let written = destination.stage().and_then(|mut file| {
        std::io::Write::write_all(&mut file, format!("{}\n", signer.to_text()).as_bytes())?;
        Ok(())
    });
    if let Err(e) = written.and_then(|()| destination.deliver()) {
        destination.discard();
        return Err(e);
    }
    println!("{}", signer.verifier().to_text());
    eprintln!(
        "the private key is in {} (owner-only): keep it away from the database's hosts; publish the verifier key above",
        args.out.display()
    );
    Ok(())
}

/// Reads a signing key file.
pub fn read_signer(path: &Path) -> anyhow::Result<Signer> {
    let key = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read the signing key {}: {e}", path.display()))?;
    Signer::from_text(key.trim())
        .map_err(|e| anyhow::anyhow!("the signing key {}: {e}", path.display()))
}

pub async fn checkpoint(args: CheckpointArgs) -> anyhow::Result<()> {
    let signer = read_signer(&args.key)?;
    let db = db::connect_existing(&args.database.database_url).await?;
    if args.out.as_os_str() == "-" {
        let signed = anchor::make_checkpoint(&db, &signer, &[]).await?;
        print!("{}", signed.note);
        return Ok(());
    }
    println!("{}", sign_into(&db, &signer, &args.out).await?);
    Ok(())
}

/// Verifies the trail against the checkpoints in `dir`, signs a new one and writes it there
/// (never replacing a file); says what it did.
pub async fn sign_into(
    db: &sea_orm::DatabaseConnection,
    signer: &Signer,
    dir: &Path,
) -> anyhow::Result<String> {
    let previous = checkpoints(dir, &signer.verifier())?;
    let signed = anchor::make_checkpoint(db, signer, &previous).await?;
    let path = write_note(dir, signer, &signed)?;
    Ok(format!(
        "signed the trail of {} events (consistent with {} earlier checkpoints) in {}",
        signed.checkpoint.size,
        previous.len(),
        path.display()
    ))
}

/// Writes a signed checkpoint into `dir` under its size; one that is there already must be
/// the same.
fn write_note(
    dir: &Path,
    signer: &Signer,
    signed: &anchor::Signed,
) -> anyhow::Result<std::path::PathBuf> {
    let path = dir.join(anchor::file_name(&signed.checkpoint));
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let same = signer.verifier().open(&existing).ok() == Some(signed.checkpoint.clone());
        anyhow::ensure!(same, "{} exists and signs something else", path.display());
        return Ok(path);
    }
    let destination = crate::output::Destination::check(&path, false)?;
    let written = destination.stage().and_then(|mut file| {
        std::io::Write::write_all(&mut file, signed.note.as_bytes())?;
        Ok(())
    });
    if let Err(e) = written.and_then(|()| destination.deliver()) {
        destination.discard();
        return Err(e);
    }
    Ok(path)
}

/// Applies the audit trail's retention rule, if one is set, within the latest signed
/// checkpoint the trail verifies against.
pub async fn prune(args: PruneArgs) -> anyhow::Result<()> {
    let Some(retention) = args.retention else {
        println!(
            "no retention period is set (VIGO_AUDIT_RETENTION): the audit trail is kept whole"
        );
        return Ok(());
    };
    let retention = chrono::Duration::from_std(retention)
        .map_err(|_| anyhow::anyhow!("retention period too long: {retention:?}"))?;
    anyhow::ensure!(
        retention >= vigo_audit::MIN_RETENTION,
        "--retention: at least {} days; the trail of the past year is never removed",
        vigo_audit::MIN_RETENTION.num_days()
    );
    let dir = args.checkpoints.as_deref().ok_or_else(|| {
        anyhow::anyhow!(
            "--checkpoints (VIGO_CHECKPOINT_DIR): only events a signed checkpoint covers are removed"
        )
    })?;
    let key = args.key.as_deref().ok_or_else(|| {
        anyhow::anyhow!(
            "--key (VIGO_CHECKPOINT_KEY): a prune is signed, so that nobody else can remove events and call it one"
        )
    })?;
    let signer = read_signer(key)?;
    let signed = checkpoints(dir, &signer.verifier())?;
    let covered = signed.iter().map(|c| c.size).max().unwrap_or(0);
    anyhow::ensure!(
        covered > 0,
        "no signed checkpoint in {}: nothing may be removed",
        dir.display()
    );
    let now = chrono::Utc::now();
    let cutoff = now - retention;
    let db = db::connect_existing(&args.database.database_url).await?;
    // Verified before anything is removed: a prune must not hide earlier tampering.
    let (pruned, after) = anchor::prune_and_sign(&db, &signer, &signed, cutoff, now).await?;
    if let Some(after) = &after {
        write_note(dir, &signer, after)?;
    }
    match pruned.through {
        Some(through) => println!(
            "removed {} audit events recorded before {} (through event {through}, within the checkpoint of {covered}); the prune is recorded in the trail and signed",
            pruned.events,
            cutoff.format("%Y-%m-%d %H:%M:%S UTC")
        ),
        None => println!(
            "no audit event older than {} is covered by a checkpoint; nothing removed",
            cutoff.format("%Y-%m-%d %H:%M:%S UTC")
        ),
    }
    Ok(())
}

/// Reads an inclusion proof as `accessLogProof` returns it (alone, or inside a GraphQL
/// response).
pub fn parse_inclusion(json: &serde_json::Value) -> anyhow::Result<Inclusion> {
    let proof = json
        .pointer("/data/accessLogProof")
        .or_else(|| json.get("accessLogProof"))
        .unwrap_or(json);
    let text = |key: &str| {
        proof[key]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| anyhow::anyhow!("the proof has no {key}"))
    };
    Ok(Inclusion {
        event_id: text("eventId")?
            .parse()
            .map_err(|_| anyhow::anyhow!("eventId is not a number"))?,
        event_hash: text("eventHash")?,
        tree_size: proof["treeSize"]
            .as_u64()
            .ok_or_else(|| anyhow::anyhow!("the proof has no treeSize"))?,
        proof: proof["path"]
            .as_array()
            .ok_or_else(|| anyhow::anyhow!("the proof has no path"))?
            .iter()
            .map(|h| h.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or_else(|| anyhow::anyhow!("the path holds something that is not a hash"))?,
        checkpoint: text("checkpoint")?,
    })
}

pub fn verify_proof(args: VerifyProofArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.proof)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", args.proof.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{} is not JSON: {e}", args.proof.display()))?;
    let inclusion = parse_inclusion(&json)?;
    let checkpoint = anchor::check_inclusion(&inclusion, &verifier(&args.verifier)?)
        .map_err(anyhow::Error::msg)?;
    println!(
        "event {} is in the trail of {} events signed by {}",
        inclusion.event_id, checkpoint.size, checkpoint.origin
    );
    Ok(())
}
