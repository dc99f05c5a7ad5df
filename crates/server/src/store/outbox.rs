//! The development outbox: messages the server would have sent.

use sqlx::SqliteConnection;

use super::error::{Result, StoreError};
use crate::ids::{new_id, now_ms};
use crate::outbox::{OutboxChannel, OutboxMessage, Outgoing};

#[derive(Debug, sqlx::FromRow)]
struct OutboxRow {
    id: String,
    to_address: String,
    channel: String,
    code: Option<String>,
    link: Option<String>,
    subject: String,
    body: String,
    sent_at: i64,
}

/// Messages kept: the outbox is for reading the latest codes, not an archive, so older ones go.
pub const KEEP: i64 = 1000;

/// Records a message (dropping the oldest beyond [`KEEP`]); returns its id.
pub async fn insert(conn: &mut SqliteConnection, message: &Outgoing) -> Result<String> {
    let id = new_id("msg");
    sqlx::query(
        "INSERT INTO outbox (id, to_address, channel, code, link, subject, body, sent_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(&message.to)
    .bind(message.channel.as_str())
    .bind(&message.code)
    .bind(&message.link)
    .bind(&message.subject)
    .bind(&message.body)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM outbox WHERE rowid <= (SELECT MAX(rowid) FROM outbox) - ?")
        .bind(KEEP)
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

/// The latest `limit` messages, newest first.
pub async fn latest(conn: &mut SqliteConnection, limit: usize) -> Result<Vec<OutboxMessage>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = sqlx::query_as::<_, OutboxRow>(
        "SELECT id, to_address, channel, code, link, subject, body, sent_at
         FROM outbox ORDER BY sent_at DESC, rowid DESC LIMIT ?",
    )
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok(OutboxMessage {
                id: row.id,
                to: row.to_address,
                channel: OutboxChannel::parse(&row.channel).ok_or_else(|| {
                    StoreError::Internal(format!("stored outbox channel {:?}", row.channel))
                })?,
                code: row.code,
                link: row.link,
                sent_at: row.sent_at,
                subject: row.subject,
                body: row.body,
            })
        })
        .collect()
}
