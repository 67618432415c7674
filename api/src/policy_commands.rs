//! `vigo policy …`: the access policy as files, for a county's own review and CI. Export
//! writes the policy in force in a stable order; import replaces it as a new version made by
//! the operator (validated whole first, recorded in the audit trail); lint and diff work on
//! files alone.

use std::io::Write;

use sea_orm::TransactionTrait;
use vigo_policy::{Policy, parse_rules};

use crate::config::{PolicyDiffArgs, PolicyExportArgs, PolicyFileArgs, PolicyImportArgs};
use crate::db;
use crate::output::Destination;

fn read(path: &std::path::Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// The rules of a policy file, compiled; an error names the file and the line.
async fn compiled(path: &std::path::Path) -> anyhow::Result<Policy> {
    let text = read(path)?;
    let rules = parse_rules(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Policy::compile(rules, 0)
        .await
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

pub async fn export(args: PolicyExportArgs) -> anyhow::Result<()> {
    let destination = Destination::check(&args.file, args.overwrite)?;
    let db = db::connect_existing(&args.database.database_url).await?;
    let policy = vigo_policy::store::load_or_install(&db).await?;
    let change = vigo_policy::store::version(&db, policy.version()).await?;
    let mut text = format!("# Vigo access policy, version {}", policy.version());
    if let Some(change) = change {
        text.push_str(&format!(
            ", changed {} by {}: {}",
            change
                .changed_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            change.actor,
            change.summary.replace('\n', " ")
        ));
    }
    text.push_str("\n# One rule per line: p, role, purpose, object, action, effect. A deny overrides every allow.\n");
    text.push_str(&vigo_policy::diff::canonical(policy.rules()));
    let written = destination.stage().and_then(|mut file| {
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        Ok(())
    });
    if let Err(e) = written.and_then(|()| destination.deliver()) {
        destination.discard();
        return Err(e);
    }
    println!(
        "wrote policy version {} ({} rules) to {}",
        policy.version(),
        policy.rules().len(),
        args.file.display()
    );
    Ok(())
}

pub async fn import(args: PolicyImportArgs) -> anyhow::Result<()> {
    let summary = args.summary.trim();
    anyhow::ensure!(!summary.is_empty(), "--summary: say why the policy changes");
    // Validated whole before the database is touched: a broken file changes nothing.
    let text = read(&args.file)?;
    let rules = parse_rules(&text).map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    Policy::compile(rules.clone(), 0)
        .await
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    let db = db::connect_existing(&args.database.database_url).await?;
    let operator = std::env::var("USER").unwrap_or_else(|_| "operator".into());
    let who = format!("operator:cli:{operator}");
    let txn = db.begin().await?;
    let policy = vigo_policy::store::stage_by(&txn, rules, &who, summary)
        .await
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    let event = vigo_audit::Event::new(
        vigo_audit::Actor {
            role: "operator".into(),
            org: None,
            sub: operator,
            purpose: "policy_administration".into(),
        },
        &format!("Policy.import version={}", policy.version()),
        &format!("cli-{}", uuid::Uuid::new_v4()),
        &[],
        &[],
    );
    vigo_audit::append(&txn, &[event]).await?;
    txn.commit().await?;
    println!(
        "policy version {} is in force ({} rules from {}); running servers take it up within seconds",
        policy.version(),
        policy.rules().len(),
        args.file.display()
    );
    Ok(())
}

pub async fn lint(args: PolicyFileArgs) -> anyhow::Result<()> {
    let text = read(&args.file)?;
    let findings = vigo_policy::lint::lint(&text).await;
    if findings.is_empty() {
        println!("{}: no findings", args.file.display());
        return Ok(());
    }
    for finding in &findings {
        println!("{}: {finding}", args.file.display());
    }
    anyhow::bail!("{} finding(s) in {}", findings.len(), args.file.display())
}

pub async fn diff(args: PolicyDiffArgs) -> anyhow::Result<()> {
    let before = compiled(&args.a).await?;
    let after = compiled(&args.b).await?;
    let diff = vigo_policy::diff::diff(&before, &after);
    if diff.added.is_empty() && diff.removed.is_empty() {
        println!("the two policies hold the same rules");
        return Ok(());
    }
    for rule in &diff.removed {
        println!("- {rule}");
    }
    for rule in &diff.added {
        println!("+ {rule}");
    }
    if diff.changes.is_empty() {
        println!("\nno role gains or loses anything");
    }
    for change in &diff.changes {
        println!(
            "\n{} acting for {}:",
            change.role.map(|r| r.to_string()).unwrap_or_default(),
            change.purpose.map(|p| p.to_string()).unwrap_or_default()
        );
        let lines = [
            ("gains fields", &change.fields_gained),
            ("loses fields", &change.fields_lost),
            ("gains scopes", &change.scopes_gained),
            ("loses scopes", &change.scopes_lost),
            ("gains", &change.resources_gained),
            ("loses", &change.resources_lost),
        ];
        for (what, items) in lines {
            if !items.is_empty() {
                println!("  {what}: {}", items.join(", "));
            }
        }
    }
    Ok(())
}
