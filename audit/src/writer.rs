//! Group commit: the events of concurrent requests written in one transaction.

use sea_orm::DatabaseConnection;
use tokio::sync::{mpsc, oneshot};

use crate::{AuditError, Event, record};

type Pending = (Event, oneshot::Sender<Result<i64, String>>);

/// Writes the events of concurrent requests together (group commit): each request waits for
/// its event's transaction, so nothing is returned before it is recorded, but one commit
/// serves every request that arrived meanwhile.
#[derive(Clone, Debug)]
pub struct AuditWriter {
    queue: mpsc::Sender<Pending>,
}

/// Most events written in one transaction.
const MAX_BATCH: usize = 256;

impl AuditWriter {
    /// Starts the writer task on the current Tokio runtime.
    pub fn start(db: DatabaseConnection) -> Self {
        let (queue, mut pending) = mpsc::channel::<Pending>(4 * MAX_BATCH);
        tokio::spawn(async move {
            while let Some(first) = pending.recv().await {
                let mut batch = vec![first];
                while batch.len() < MAX_BATCH {
                    match pending.try_recv() {
                        Ok(next) => batch.push(next),
                        Err(_) => break,
                    }
                }
                let (events, waiters): (Vec<Event>, Vec<_>) = batch.into_iter().unzip();
                match record(&db, &events).await {
                    Ok(ids) => {
                        for (waiter, id) in waiters.into_iter().zip(ids) {
                            let _ = waiter.send(Ok(id));
                        }
                    }
                    Err(e) => {
                        let message = e.to_string();
                        for waiter in waiters {
                            let _ = waiter.send(Err(message.clone()));
                        }
                    }
                }
            }
        });
        AuditWriter { queue }
    }

    /// Records one event; returns once it is committed.
    pub async fn write(&self, event: Event) -> Result<i64, AuditError> {
        let (done, wait) = oneshot::channel();
        self.queue
            .send((event, done))
            .await
            .map_err(|_| AuditError::WriterStopped)?;
        wait.await
            .map_err(|_| AuditError::WriterStopped)?
            .map_err(AuditError::Record)
    }
}
