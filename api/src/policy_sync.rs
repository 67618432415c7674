//! Keeps every server instance on the newest stored policy. A privacy officer's change is
//! committed by one instance; the others learn of it through PostgreSQL's `NOTIFY` on the
//! [`vigo_policy::store::CHANNEL`] channel (sent in the change's own transaction, so only
//! committed versions are announced), and through a poll of the newest version that catches
//! what a lost notification or SQLite (no notifications) would miss.

use std::time::Duration;

use sea_orm::{DatabaseConnection, DbBackend, EntityTrait, QueryOrder};
use vigo_entities::policy_change;
use vigo_policy::Gate;

/// How often each instance checks for a newer policy besides notifications.
pub const POLL_INTERVAL: Duration = Duration::from_secs(5);

/// Loads the stored policy into `gate` if it is newer than the one in force. Returns the
/// version in force afterwards.
pub async fn refresh(db: &DatabaseConnection, gate: &Gate) -> anyhow::Result<i64> {
    let in_force = gate.policy().version();
    let newest = policy_change::Entity::find()
        .order_by_desc(policy_change::Column::Id)
        .one(db)
        .await?
        .map_or(0, |change| change.id);
    if newest <= in_force {
        return Ok(in_force);
    }
    let policy = vigo_policy::store::load_or_install(db).await?;
    let version = policy.version();
    if gate.replace_if_newer(policy) {
        tracing::info!(version, "a newer access policy is in force");
    }
    Ok(gate.policy().version())
}

/// Starts the tasks that keep `gate` current: the poll on every backend, and the listener on
/// PostgreSQL. A failed refresh is logged and retried; the last good policy stays in force.
pub fn start(db: DatabaseConnection, gate: Gate, interval: Duration) {
    if db.get_database_backend() == DbBackend::Postgres {
        tokio::spawn(listen(db.clone(), gate.clone()));
    }
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if let Err(e) = refresh(&db, &gate).await {
                tracing::warn!(error = %e, "checking for a newer access policy failed");
            }
        }
    });
}

/// Refreshes on every notification; reconnects after a lost connection.
async fn listen(db: DatabaseConnection, gate: Gate) {
    use sea_orm::sqlx::postgres::PgListener;
    loop {
        let listener = async {
            let mut listener = PgListener::connect_with(db.get_postgres_connection_pool()).await?;
            listener.listen(vigo_policy::store::CHANNEL).await?;
            Ok::<_, sea_orm::sqlx::Error>(listener)
        }
        .await;
        match listener {
            Ok(mut listener) => loop {
                match listener.recv().await {
                    Ok(_) => {
                        if let Err(e) = refresh(&db, &gate).await {
                            tracing::warn!(error = %e, "loading the announced access policy failed");
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "policy notifications interrupted; reconnecting");
                        break;
                    }
                }
            },
            Err(e) => tracing::warn!(error = %e, "cannot listen for policy changes; retrying"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
