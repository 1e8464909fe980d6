//! Requests sent with an `Idempotency-Key`: a key is claimed before the request runs and
//! holds the first answer once it is known, so a retry gets that answer again and two
//! copies of one request never both take effect (migration 0010).

use sqlx::Row;

use crate::{Conn, StoreResult, now_text};

/// What a key holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// Claimed by a request still running (or one that stopped before answering).
    Running { request_hash: String },
    /// The first answer.
    Answered { request_hash: String, status: u16, content_type: Option<String>, body: String },
}

/// Claims `key` for a request; `Ok(None)` when claimed now, `Ok(Some(_))` with what the
/// key already holds otherwise.
pub async fn claim(conn: &mut Conn, principal: &str, key: &str, request_hash: &str) -> StoreResult<Option<Stored>> {
    // ON CONFLICT: a taken key must not abort the transaction (PostgreSQL would).
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (principal, idempotency_key, request_hash, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (principal, idempotency_key) DO NOTHING",
    )
    .bind(principal)
    .bind(key)
    .bind(request_hash)
    .bind(now_text())
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT request_hash, status, content_type, body FROM idempotency_keys \
         WHERE principal = $1 AND idempotency_key = $2",
    )
    .bind(principal)
    .bind(key)
    .fetch_one(&mut *conn)
    .await?;
    let request_hash: String = row.try_get("request_hash")?;
    let status: i64 = row.try_get("status")?;
    Ok(Some(if status == 0 {
        Stored::Running { request_hash }
    } else {
        Stored::Answered {
            request_hash,
            status: u16::try_from(status).unwrap_or(500),
            content_type: row.try_get("content_type")?,
            body: row.try_get::<Option<String>, _>("body")?.unwrap_or_default(),
        }
    }))
}

/// Keeps the answer to a claimed key.
pub async fn answer(
    conn: &mut Conn,
    principal: &str,
    key: &str,
    status: u16,
    content_type: Option<&str>,
    body: &str,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE idempotency_keys SET status = $1, content_type = $2, body = $3 \
         WHERE principal = $4 AND idempotency_key = $5",
    )
    .bind(i64::from(status))
    .bind(content_type)
    .bind(body)
    .bind(principal)
    .bind(key)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Frees a claimed key whose request failed without effect (a server error), so that a
/// retry runs it again.
pub async fn release(conn: &mut Conn, principal: &str, key: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM idempotency_keys WHERE principal = $1 AND idempotency_key = $2 AND status = 0")
        .bind(principal)
        .bind(key)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
