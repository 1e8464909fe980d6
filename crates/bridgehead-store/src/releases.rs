//! Published statistics releases: stored once, never changed (the database refuses).

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Conn, StoreResult, now_text};

/// A release as stored; the table and filter are JSON written by the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRelease {
    pub id: i64,
    pub region_code: String,
    pub period_index: i64,
    pub period: String,
    pub measure: String,
    pub filter_json: String,
    pub title_zh: String,
    pub title_en: String,
    pub note: Option<String>,
    pub table_json: String,
    pub cutoff_at: String,
    pub published_by: String,
}

/// A release to store.
#[derive(Debug, Clone)]
pub struct NewRelease<'a> {
    pub region_code: &'a str,
    pub period_index: i64,
    pub period: &'a str,
    pub measure: &'a str,
    pub filter_json: &'a str,
    pub title_zh: &'a str,
    pub title_en: &'a str,
    pub note: Option<&'a str>,
    pub table_json: &'a str,
    pub published_by: &'a str,
}

fn from_row(row: &AnyRow) -> StoreResult<StoredRelease> {
    Ok(StoredRelease {
        id: row.try_get("id")?,
        region_code: row.try_get("region_code")?,
        period_index: row.try_get("period_index")?,
        period: row.try_get("period")?,
        measure: row.try_get("measure")?,
        filter_json: row.try_get("filter_json")?,
        title_zh: row.try_get("title_zh")?,
        title_en: row.try_get("title_en")?,
        note: row.try_get("note")?,
        table_json: row.try_get("table_json")?,
        cutoff_at: row.try_get("cutoff_at")?,
        published_by: row.try_get("published_by")?,
    })
}

/// Stores a release with the current instant as its cut-off.
pub async fn insert(conn: &mut Conn, release: &NewRelease<'_>) -> StoreResult<StoredRelease> {
    let row = sqlx::query(
        "INSERT INTO statistics_releases (region_code, period_index, period, measure, filter_json, title_zh, \
         title_en, note, table_json, cutoff_at, published_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         RETURNING *",
    )
    .bind(release.region_code)
    .bind(release.period_index)
    .bind(release.period)
    .bind(release.measure)
    .bind(release.filter_json)
    .bind(release.title_zh)
    .bind(release.title_en)
    .bind(release.note)
    .bind(release.table_json)
    .bind(now_text())
    .bind(release.published_by)
    .fetch_one(&mut *conn)
    .await?;
    from_row(&row)
}

pub async fn get(conn: &mut Conn, id: i64) -> StoreResult<Option<StoredRelease>> {
    let row =
        sqlx::query("SELECT * FROM statistics_releases WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?;
    row.as_ref().map(from_row).transpose()
}

/// Releases of regions within `within` (or all), newest first.
pub async fn list(conn: &mut Conn, within: Option<&str>, limit: i64) -> StoreResult<Vec<StoredRelease>> {
    let rows = match within {
        None => {
            sqlx::query("SELECT * FROM statistics_releases ORDER BY id DESC LIMIT $1")
                .bind(limit)
                .fetch_all(&mut *conn)
                .await?
        }
        Some(region) => {
            sqlx::query(
                "SELECT * FROM statistics_releases WHERE region_code IN \
                 (SELECT region_code FROM region_ancestors WHERE ancestor_code = $1) ORDER BY id DESC LIMIT $2",
            )
            .bind(region)
            .bind(limit)
            .fetch_all(&mut *conn)
            .await?
        }
    };
    rows.iter().map(from_row).collect()
}
