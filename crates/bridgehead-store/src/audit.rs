//! The append-only, hash-chained audit log (SPEC §9).
//!
//! Each record's hash is SHA-256 over the previous record's hash and this record's
//! fields, serialised as one JSON array (unambiguous, and the stored text is hashed as
//! stored, so verification never depends on re-serialising JSON). A change behind the
//! application's back (a row edited, removed or inserted) breaks the chain at that
//! record, and [`verify`] names the first such record.

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Conn, StoreResult, now_text};

/// The hash the chain starts from.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, by whom, to what.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub actor_user_id: Option<i64>,
    /// Who acted, readable: `user:alice`, `cli`, `system`.
    pub actor: String,
    /// `create`, `update`, `import`, `disable`, …
    pub action: String,
    /// `enterprise`, `user`, `park`, …
    pub entity: String,
    pub entity_key: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// A stored audit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: String,
    pub actor_user_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_key: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRecord {
    /// The hash this record must carry, computed from its fields and `prev_hash`.
    pub fn computed_hash(&self) -> String {
        record_hash(
            self.seq,
            &self.at,
            self.actor_user_id,
            &self.actor,
            &self.action,
            &self.entity,
            &self.entity_key,
            self.before_json.as_deref(),
            self.after_json.as_deref(),
            &self.prev_hash,
        )
    }

    fn from_row(row: &AnyRow) -> StoreResult<Self> {
        Ok(Self {
            seq: row.try_get("seq")?,
            at: row.try_get("at")?,
            actor_user_id: row.try_get("actor_user_id")?,
            actor: row.try_get("actor")?,
            action: row.try_get("action")?,
            entity: row.try_get("entity")?,
            entity_key: row.try_get("entity_key")?,
            before_json: row.try_get("before_json")?,
            after_json: row.try_get("after_json")?,
            prev_hash: row.try_get("prev_hash")?,
            hash: row.try_get("hash")?,
        })
    }
}

#[allow(clippy::too_many_arguments)]
fn record_hash(
    seq: i64,
    at: &str,
    actor_user_id: Option<i64>,
    actor: &str,
    action: &str,
    entity: &str,
    entity_key: &str,
    before_json: Option<&str>,
    after_json: Option<&str>,
    prev_hash: &str,
) -> String {
    let canonical = serde_json::json!([
        seq,
        at,
        actor_user_id,
        actor,
        action,
        entity,
        entity_key,
        before_json,
        after_json,
        prev_hash
    ]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// Appends one record to the chain, inside the caller's transaction (so the change and
/// its record commit or roll back together). Returns the record's sequence number.
pub async fn append(conn: &mut Conn, event: &AuditEvent) -> StoreResult<i64> {
    // Moving the head first takes the lock that orders appenders on both databases.
    let head = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut *conn)
        .await?;
    let seq: i64 = head.try_get("seq")?;
    let prev_hash: String = head.try_get("hash")?;
    let at = now_text();
    let before_json = event.before.as_ref().map(ToString::to_string);
    let after_json = event.after.as_ref().map(ToString::to_string);
    let hash = record_hash(
        seq,
        &at,
        event.actor_user_id,
        &event.actor,
        &event.action,
        &event.entity,
        &event.entity_key,
        before_json.as_deref(),
        after_json.as_deref(),
        &prev_hash,
    );
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor_user_id, actor, action, entity, entity_key, before_json, after_json, \
         prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(seq)
    .bind(at)
    .bind(event.actor_user_id)
    .bind(&event.actor)
    .bind(&event.action)
    .bind(&event.entity)
    .bind(&event.entity_key)
    .bind(before_json)
    .bind(after_json)
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(&hash).execute(&mut *conn).await?;
    Ok(seq)
}

/// Appends many records in one go (a bulk import), in order, inside the caller's
/// transaction: the chain is computed here and the rows are written in batches, so a
/// hundred thousand records cost a few statements instead of three each.
pub async fn append_many(conn: &mut Conn, events: &[AuditEvent]) -> StoreResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let count = i64::try_from(events.len()).map_err(|_| crate::StoreError::Corrupt("too many audit records".into()))?;
    let head = sqlx::query("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
        .bind(count)
        .fetch_one(&mut *conn)
        .await?;
    let last_seq: i64 = head.try_get("seq")?;
    let mut prev_hash: String = head.try_get("hash")?;
    let at = now_text();
    let mut seq = last_seq - count;
    // Big statements: `build_on` gives SQLite anonymous parameters (see there).
    const BATCH: usize = 400;
    for chunk in events.chunks(BATCH) {
        let mut sql = crate::sql::SqlBuilder::new(
            "INSERT INTO audit_log (seq, at, actor_user_id, actor, action, entity, entity_key, before_json, after_json, \
             prev_hash, hash) VALUES ",
        );
        for (index, event) in chunk.iter().enumerate() {
            seq += 1;
            let before_json = event.before.as_ref().map(ToString::to_string);
            let after_json = event.after.as_ref().map(ToString::to_string);
            let hash = record_hash(
                seq,
                &at,
                event.actor_user_id,
                &event.actor,
                &event.action,
                &event.entity,
                &event.entity_key,
                before_json.as_deref(),
                after_json.as_deref(),
                &prev_hash,
            );
            let text = |v: Option<String>| v.map_or(crate::sql::Value::Null, crate::sql::Value::Text);
            if index > 0 {
                sql.push(", ");
            }
            sql.push("(")
                .bind_int(seq)
                .push(", ")
                .bind_text(at.clone())
                .push(", ")
                .bind(event.actor_user_id.map_or(crate::sql::Value::NullInt, crate::sql::Value::Int))
                .push(", ")
                .bind_text(event.actor.clone())
                .push(", ")
                .bind_text(event.action.clone())
                .push(", ")
                .bind_text(event.entity.clone())
                .push(", ")
                .bind_text(event.entity_key.clone())
                .push(", ")
                .bind(text(before_json))
                .push(", ")
                .bind(text(after_json))
                .push(", ")
                .bind_text(prev_hash.clone())
                .push(", ")
                .bind_text(hash.clone())
                .push(")");
            prev_hash = hash;
        }
        sql.build_on(conn).execute(&mut *conn).await?;
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(&prev_hash).execute(&mut *conn).await?;
    Ok(())
}

/// The chain head: the last sequence number and its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: String,
}

pub async fn head(conn: &mut Conn) -> StoreResult<ChainHead> {
    let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&mut *conn).await?;
    Ok(ChainHead { seq: row.try_get("seq")?, hash: row.try_get("hash")? })
}

/// Filters for reading the log, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub entity: Option<String>,
    pub entity_key: Option<String>,
    /// Only records with a smaller sequence number (for paging backwards).
    pub before_seq: Option<i64>,
    pub limit: i64,
}

pub async fn list(conn: &mut Conn, query: &AuditQuery) -> StoreResult<Vec<AuditRecord>> {
    let mut sql = crate::sql::SqlBuilder::new("SELECT * FROM audit_log WHERE 1 = 1");
    if let Some(entity) = &query.entity {
        sql.push(" AND entity = ").bind_text(entity.clone());
    }
    if let Some(key) = &query.entity_key {
        sql.push(" AND entity_key = ").bind_text(key.clone());
    }
    if let Some(before) = query.before_seq {
        sql.push(" AND seq < ").bind_int(before);
    }
    sql.push(" ORDER BY seq DESC LIMIT ").bind_int(query.limit.clamp(1, 1000));
    let rows = sql.build().fetch_all(&mut *conn).await?;
    rows.iter().map(AuditRecord::from_row).collect()
}

/// The outcome of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    pub records_checked: i64,
    pub head: ChainHead,
    /// The first record at which the chain is broken, and why.
    pub first_broken: Option<BrokenLink>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenLink {
    pub seq: i64,
    pub reason: String,
}

/// Walks the chain from the start, in batches, and reports the first broken link.
pub async fn verify(conn: &mut Conn) -> StoreResult<VerifyReport> {
    const BATCH: i64 = 2000;
    let head = head(&mut *conn).await?;
    let mut expected_prev = GENESIS_HASH.to_owned();
    let mut expected_seq = 1_i64;
    let mut checked = 0_i64;
    loop {
        let rows = sqlx::query("SELECT * FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2")
            .bind(expected_seq)
            .bind(BATCH)
            .fetch_all(&mut *conn)
            .await?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            let record = AuditRecord::from_row(row)?;
            let broken = |reason: String| {
                Ok(VerifyReport {
                    records_checked: checked,
                    head: head.clone(),
                    first_broken: Some(BrokenLink { seq: record.seq, reason }),
                })
            };
            if record.seq != expected_seq {
                return broken(format!("record {expected_seq} is missing (next is {})", record.seq));
            }
            if record.prev_hash != expected_prev {
                return broken("its link to the previous record does not match".to_owned());
            }
            if record.computed_hash() != record.hash {
                return broken("its contents do not match its hash (the record was changed)".to_owned());
            }
            expected_prev = record.hash;
            expected_seq += 1;
            checked += 1;
        }
    }
    let first_broken = if head.seq != checked {
        Some(BrokenLink {
            seq: checked + 1,
            reason: format!("the chain head says {} records, the log holds {checked}", head.seq),
        })
    } else if head.hash != expected_prev {
        Some(BrokenLink { seq: head.seq, reason: "the chain head's hash does not match the last record".to_owned() })
    } else {
        None
    };
    Ok(VerifyReport { records_checked: checked, head, first_broken })
}
