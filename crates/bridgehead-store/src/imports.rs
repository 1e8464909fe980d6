//! The log of completed imports.

use serde::Serialize;
use sqlx::Row;

use crate::{Conn, StoreResult, now_text};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub kind: String,
    pub file_name: String,
    pub file_sha256: String,
    pub row_count: i64,
    pub created_count: i64,
    pub updated_count: i64,
    pub unchanged_count: i64,
}

pub async fn record(conn: &mut Conn, user_id: Option<i64>, summary: &ImportSummary) -> StoreResult<i64> {
    let row = sqlx::query(
        "INSERT INTO imports (kind, file_name, file_sha256, user_id, at, row_count, created_count, updated_count, \
         unchanged_count) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(&summary.kind)
    .bind(&summary.file_name)
    .bind(&summary.file_sha256)
    .bind(user_id)
    .bind(now_text())
    .bind(summary.row_count)
    .bind(summary.created_count)
    .bind(summary.updated_count)
    .bind(summary.unchanged_count)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("id")?)
}
