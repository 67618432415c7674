//! An audit trail that cannot be rewritten unnoticed: signed checkpoints of its Merkle tree,
//! kept away from the database, catch truncation, deletion and recomputation that the hash
//! chain alone cannot (whoever writes the database can recompute a chain); retention removes
//! only what a checkpoint covers; a person can prove an access in their log is in the signed
//! trail. Every attack here is made as a capable attacker would: with the published canonical
//! form, recomputing hashes, the tree and the chain head to match.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::{Value, json};
use vigo_api::audit;
use vigo_audit::anchor;
use vigo_audit::checkpoint::{Checkpoint, Signer};
use vigo_audit::merkle::{self, Frontier};
use vigo_entities::{audit_chain, audit_event, audit_event_person, audit_tree_node};
use vigo_policy::Role;
use vigo_tests::{Backend, TestApp, backends};

fn signer() -> Signer {
    Signer::generate("vigo.test/audit", [7u8; 32]).expect("a key")
}

/// An app whose trail holds 8 events, with signed checkpoints at 6 and 8.
async fn signed_trail(backend: Backend) -> anyhow::Result<(TestApp, Vec<Checkpoint>)> {
    let app = TestApp::new(backend, 40).await?;
    let caseworker = app.token(Role::Caseworker, None);
    let read = "{ persons(first: 3) { edges { node { givenName } } } }";
    let mut checkpoints = Vec::new();
    for size in [6, 8] {
        while audit::verify(&app.db).await? < size {
            app.query(&caseworker, read, Value::Null).await?;
        }
        let signed = anchor::make_checkpoint(&app.db, &signer(), &checkpoints).await?;
        assert_eq!(signed.checkpoint.size, size);
        // What is kept away from the database is the signed note; read it back as a
        // verifier would.
        checkpoints.push(signer().verifier().open(&signed.note)?);
    }
    vigo_audit::verify_against(&app.db, &checkpoints).await?;
    Ok((app, checkpoints))
}

/// Recomputes every event's links and hash from the genesis, rebuilds the Merkle tree and
/// resets the chain head to match: a trail rewritten whole, consistent in itself.
async fn rewrite_whole_trail(app: &TestApp) -> anyhow::Result<()> {
    let events = audit_event::Entity::find()
        .order_by_asc(audit_event::Column::Id)
        .all(&app.db)
        .await?;
    let mut prev = vigo_migrations::GENESIS_HASH.to_owned();
    let mut frontier = Frontier::new();
    audit_tree_node::Entity::delete_many().exec(&app.db).await?;
    for mut event in events.clone() {
        let mut persons: Vec<i32> = audit_event_person::Entity::find()
            .filter(audit_event_person::Column::AuditEventId.eq(event.id))
            .all(&app.db)
            .await?
            .into_iter()
            .map(|l| l.person_id)
            .collect();
        persons.sort_unstable();
        let hash = vigo_tests::chained_hash(&event, &persons, &prev);
        app.execute(&format!(
            "UPDATE audit_event SET prev_hash = '{prev}', hash = '{hash}' WHERE id = {}",
            event.id
        ))
        .await?;
        event.hash = hash.clone();
        for ((level, idx), node) in frontier.push(merkle::leaf_hash(&hex::decode(&hash)?)) {
            audit_tree_node::Entity::insert(audit_tree_node::ActiveModel {
                level: Set(i16::from(level)),
                idx: Set(idx as i64),
                hash: Set(hex::encode(node)),
            })
            .exec_without_returning(&app.db)
            .await?;
        }
        prev = hash;
    }
    audit_chain::Entity::update(audit_chain::ActiveModel {
        id: Set(1),
        last_event_id: Set(events.last().map_or(0, |e| e.id)),
        last_hash: Set(prev),
        frontier: Set(vigo_audit::tree::frontier_text(&frontier)),
    })
    .exec(&app.db)
    .await?;
    Ok(())
}

async fn delete_event(app: &TestApp, id: i64) -> anyhow::Result<()> {
    app.execute(&format!(
        "DELETE FROM audit_event_person WHERE audit_event_id = {id}"
    ))
    .await?;
    app.execute(&format!("DELETE FROM audit_event WHERE id = {id}"))
        .await
}

async fn broken(app: &TestApp, checkpoints: &[Checkpoint]) -> String {
    match vigo_audit::verify_against(&app.db, checkpoints).await {
        Ok(verified) => format!("verified: {verified:?}"),
        Err(e) => e.to_string(),
    }
}

#[tokio::test]
async fn truncating_the_trail_passes_the_chain_but_not_the_checkpoints() -> anyhow::Result<()> {
    for backend in backends() {
        let (app, checkpoints) = signed_trail(backend).await?;
        // The newest two events go, and the head is reset to the sixth, tree and all.
        delete_event(&app, 8).await?;
        delete_event(&app, 7).await?;
        rewrite_whole_trail(&app).await?;
        assert_eq!(
            audit::verify(&app.db).await?,
            6,
            "{backend:?}: the chain alone is fooled"
        );
        let message = broken(&app, &checkpoints).await;
        assert!(
            message.contains("checkpoint of 8 events") && message.contains("removed from the end"),
            "{backend:?}: {message}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn deleting_a_middle_event_and_recomputing_fails_against_the_checkpoints()
-> anyhow::Result<()> {
    for backend in backends() {
        let (app, checkpoints) = signed_trail(backend).await?;
        // Event 3 goes; the later ones are renumbered into its place and the chain recomputed.
        delete_event(&app, 3).await?;
        for id in 4..=8 {
            app.execute(&format!(
                "UPDATE audit_event_person SET audit_event_id = {} WHERE audit_event_id = {id}",
                id - 1
            ))
            .await?;
            app.execute(&format!(
                "UPDATE audit_event SET id = {} WHERE id = {id}",
                id - 1
            ))
            .await?;
        }
        rewrite_whole_trail(&app).await?;
        assert_eq!(
            audit::verify(&app.db).await?,
            7,
            "{backend:?}: the chain alone is fooled"
        );
        let message = broken(&app, &checkpoints).await;
        assert!(
            message.contains("checkpoint of 6 events")
                && message.contains("no longer has the signed root"),
            "{backend:?}: {message}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn changing_an_event_and_recomputing_fails_against_the_checkpoints() -> anyhow::Result<()> {
    for backend in backends() {
        let (app, checkpoints) = signed_trail(backend).await?;
        app.execute(
            "UPDATE audit_event SET actor_role = 'statistics', purpose = 'statistics' WHERE id = 2",
        )
        .await?;
        rewrite_whole_trail(&app).await?;
        assert_eq!(
            audit::verify(&app.db).await?,
            8,
            "{backend:?}: the chain alone is fooled"
        );
        let message = broken(&app, &checkpoints).await;
        assert!(
            message.contains("checkpoint of 6 events"),
            "{backend:?}: {message}"
        );
        // Changing only the tree (a leaf) is caught without any checkpoint.
        let (app, _) = signed_trail(backend).await?;
        app.execute(
            "UPDATE audit_tree_node SET hash = CASE WHEN substr(hash, 1, 2) = '00' THEN 'ff' ELSE '00' END || substr(hash, 3) WHERE level = 0 AND idx = 4",
        )
        .await?;
        let message = audit::verify(&app.db).await.unwrap_err().to_string();
        assert!(
            message.contains("audit event 5") && message.contains("leaf"),
            "{backend:?}: {message}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_prune_record_counts_only_where_events_are_really_missing() -> anyhow::Result<()> {
    for backend in backends() {
        let (app, checkpoints) = signed_trail(backend).await?;
        let fourth = audit_event::Entity::find_by_id(4i64)
            .one(&app.db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no event 4"))?;
        // A forged record in a kept event, then the events before it removed.
        app.execute(&format!(
            "UPDATE audit_event SET operation = 'Audit.prune:4:{}' WHERE id = 6",
            fourth.hash
        ))
        .await?;
        let message = audit::verify(&app.db).await.unwrap_err().to_string();
        assert!(message.contains("audit event 6"), "{backend:?}: {message}");
        for id in 1..=4 {
            delete_event(&app, id).await?;
        }
        let message = audit::verify(&app.db).await.unwrap_err().to_string();
        assert!(message.contains("audit event 6"), "{backend:?}: {message}");
        // Recomputed after it, the forgery still meets the signed roots.
        assert!(!broken(&app, &checkpoints).await.starts_with("verified"));
    }
    Ok(())
}

#[tokio::test]
async fn a_prune_record_appended_by_someone_without_the_key_is_not_believed() -> anyhow::Result<()>
{
    for backend in backends() {
        let (app, checkpoints) = signed_trail(backend).await?;
        let fourth = audit_event::Entity::find_by_id(4i64)
            .one(&app.db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no event 4"))?;
        // Events 1 to 4 go, and a record saying they were pruned is appended properly at the
        // end (chain, tree and head all in order), as the database's writers could.
        for id in 1..=4 {
            delete_event(&app, id).await?;
        }
        audit::record(
            &app.db,
            &[audit::Event::new(
                vigo_audit::Actor {
                    role: "system".into(),
                    org: None,
                    sub: "vigo audit prune".into(),
                    purpose: "retention".into(),
                },
                &format!("Audit.prune:4:{}", fourth.hash),
                "retention",
                &[],
                &[],
            )],
        )
        .await?;
        assert_eq!(
            audit::verify(&app.db).await?,
            5,
            "{backend:?}: the chain alone is fooled"
        );
        let message = broken(&app, &checkpoints).await;
        assert!(
            message.contains("audit event 9") && message.contains("no signed checkpoint covers"),
            "{backend:?}: {message}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn retention_keeps_a_year_and_removes_only_what_a_checkpoint_covers() -> anyhow::Result<()> {
    for backend in backends() {
        let (app, checkpoints) = signed_trail(backend).await?;
        let now = chrono::Utc::now();
        // `--retention 1s`: refused, nothing removed.
        let refused = audit::prune(&app.db, now, 8, now)
            .await
            .unwrap_err()
            .to_string();
        assert!(refused.contains("past year"), "{refused}");
        assert_eq!(audit::verify(&app.db).await?, 8);
        // Two years on, everything is older than the cutoff, but only the six events the
        // first checkpoint covers go; the trail after the prune is signed.
        let later = now + chrono::TimeDelta::days(730);
        let (pruned, after) = anchor::prune_and_sign(
            &app.db,
            &signer(),
            &checkpoints[..1],
            now + chrono::TimeDelta::days(1),
            later,
        )
        .await?;
        assert_eq!(pruned.through, Some(6), "{backend:?}");
        let after = after.ok_or_else(|| anyhow::anyhow!("the prune is signed"))?;
        assert_eq!(after.checkpoint.size, 9);
        // Without the checkpoint that vouches for the prune, the prune is not believed.
        let message = broken(&app, &checkpoints).await;
        assert!(
            message.contains("no signed checkpoint covers"),
            "{backend:?}: {message}"
        );
        let mut checkpoints = checkpoints.clone();
        checkpoints.push(signer().verifier().open(&after.note)?);
        let verified = vigo_audit::verify_against(&app.db, &checkpoints).await?;
        assert_eq!(
            (verified.events, verified.tree_size, verified.checkpoints),
            (3, 9, 3),
            "{backend:?}: two kept and the prune record; every checkpoint still proven"
        );
        // The pruned events' tree stays, and a checkpoint of them still has to match it.
        app.execute(
            "UPDATE audit_tree_node SET hash = CASE WHEN substr(hash, 1, 2) = '00' THEN 'ff' ELSE '00' END || substr(hash, 3) WHERE level = 2 AND idx = 0",
        )
        .await?;
        let message = broken(&app, &checkpoints).await;
        assert!(
            message.contains("the signed checkpoint of"),
            "{backend:?}: {message}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_pupil_proves_an_access_to_their_data_is_in_the_signed_trail() -> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 40).await?;
        let person = app.population.persons[3].national_id.clone();
        let caseworker = app.token(Role::Caseworker, None);
        for n in [&app.population.persons[5].national_id, &person] {
            app.query(
                &caseworker,
                "query($n: String!) { person(nationalId: $n) { givenName } }",
                json!({ "n": n }),
            )
            .await?;
        }
        let student = app.token(Role::Student, Some(&person));
        let log = app
            .query(
                &student,
                "{ me { accessLog { id hash actorRole } } }",
                Value::Null,
            )
            .await?;
        let event = log["data"]["me"]["accessLog"]
            .as_array()
            .and_then(|events| events.iter().find(|e| e["actorRole"] == "caseworker"))
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("the caseworker's read is in the log: {log}"))?;
        let proof_query = "query($e: ID!) { accessLogProof(eventId: $e) { eventId eventHash treeSize path checkpoint } }";
        // Before any checkpoint, there is nothing to prove against.
        let body = app
            .query(&student, proof_query, json!({ "e": event["id"] }))
            .await?;
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("no signed checkpoint"),
            "{body}"
        );
        anchor::make_checkpoint(&app.db, &signer(), &[]).await?;
        let body = app
            .query(&student, proof_query, json!({ "e": event["id"] }))
            .await?;
        let inclusion = vigo_api::audit_commands::parse_inclusion(&body)?;
        assert_eq!(
            inclusion.event_hash,
            event["hash"].as_str().unwrap_or_default()
        );
        let checkpoint = anchor::check_inclusion(&inclusion, &signer().verifier())
            .map_err(anyhow::Error::msg)?;
        assert_eq!(checkpoint.origin, "vigo.test/audit");
        // A proof for another event, a changed path, or another signer's key: refused.
        let mut other = inclusion.clone();
        other.event_hash = "00".repeat(32);
        assert!(anchor::check_inclusion(&other, &signer().verifier()).is_err());
        if let Some(first) = other.proof.first_mut() {
            *first = "11".repeat(32);
        }
        let mut bent = inclusion.clone();
        bent.proof = other.proof.clone();
        assert!(
            bent.proof.is_empty() || anchor::check_inclusion(&bent, &signer().verifier()).is_err()
        );
        let stranger = Signer::generate("vigo.test/audit", [9u8; 32])?;
        assert!(anchor::check_inclusion(&inclusion, &stranger.verifier()).is_err());
        // Another person's event is not the pupil's to prove: it looks like no event at all.
        let others = audit_event_person::Entity::find()
            .filter(audit_event_person::Column::PersonId.ne(app.population.persons[3].id))
            .one(&app.db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("another person's event"))?;
        let body = app
            .query(
                &student,
                proof_query,
                json!({ "e": others.audit_event_id.to_string() }),
            )
            .await?;
        assert!(
            body["data"]["accessLogProof"].is_null() && body["errors"].is_null(),
            "{body}"
        );
        // A caseworker has no log of its own to prove.
        let body = app
            .query(&caseworker, proof_query, json!({ "e": event["id"] }))
            .await?;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "FORBIDDEN",
            "{body}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn seeding_over_a_trail_of_real_requests_is_refused_unless_it_is_discarded()
-> anyhow::Result<()> {
    let (app, _) = signed_trail(Backend::Sqlite).await?;
    let population = vigo_synth::generate(vigo_synth::Config::new(20, 3));
    let refused = vigo_synth::seed(&app.db, &population, true)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("audit trail records 8 requests"),
        "{refused}"
    );
    assert_eq!(audit::verify(&app.db).await?, 8, "nothing changed");
    vigo_synth::seed_over(
        &app.db,
        &population,
        vigo_synth::Existing::ReplaceDiscardingAuditTrail,
    )
    .await?;
    assert_eq!(audit::verify(&app.db).await?, 0);
    assert_eq!(audit_tree_node::Entity::find().all(&app.db).await?.len(), 0);
    Ok(())
}

#[tokio::test]
async fn events_appended_without_the_tree_are_caught_up_by_the_next_append() -> anyhow::Result<()> {
    // As during a rolling upgrade: a binary from before the tree appends an event (chain and
    // head, no leaf, the head's right edge left as it was).
    let (app, checkpoints) = signed_trail(Backend::Sqlite).await?;
    let last = audit_event::Entity::find_by_id(8i64)
        .one(&app.db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no event 8"))?;
    let mut old = last.clone();
    old.id = 9;
    old.request_id = "from an older binary".into();
    old.prev_hash = last.hash.clone();
    old.hash = vigo_tests::chained_hash(&old, &[], &last.hash);
    let model: audit_event::ActiveModel = old.clone().into();
    sea_orm::ActiveModelTrait::insert(model, &app.db).await?;
    app.execute(&format!(
        "UPDATE audit_chain SET last_event_id = 9, last_hash = '{}'",
        old.hash
    ))
    .await?;
    // The next append sees the right edge does not fit and rebuilds the tree first.
    let caseworker = app.token(Role::Caseworker, None);
    app.query(
        &caseworker,
        "{ persons(first: 1) { edges { node { givenName } } } }",
        Value::Null,
    )
    .await?;
    let verified = vigo_audit::verify_against(&app.db, &checkpoints).await?;
    assert_eq!((verified.events, verified.tree_size), (10, 10));
    Ok(())
}
