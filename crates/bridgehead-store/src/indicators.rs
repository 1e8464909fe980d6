//! External indicator figures and their revisions.

use bridgehead_domain::codes::RegionCode;
use bridgehead_domain::indicators::{IndicatorKind, IndicatorValue};
use bridgehead_domain::period::Period;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Conn, StoreError, StoreResult, now_text};

/// A stored revision of a figure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorRevision {
    pub value: IndicatorValue,
    pub revision: i64,
    pub recorded_by: String,
    pub recorded_at: String,
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("indicator {what} '{value}'"))
}

fn from_row(row: &AnyRow) -> StoreResult<IndicatorRevision> {
    let indicator: String = row.try_get("indicator")?;
    let region: String = row.try_get("region_code")?;
    let period: String = row.try_get("period")?;
    let growth: Option<String> = row.try_get("growth_percent")?;
    Ok(IndicatorRevision {
        value: IndicatorValue {
            indicator: IndicatorKind::parse(&indicator).ok_or_else(|| corrupt("kind", &indicator))?,
            region_code: RegionCode::parse(&region).map_err(|_| corrupt("region", &region))?,
            period: Period::parse(&period).map_err(|_| corrupt("period", &period))?,
            value_minor: row.try_get("value_minor")?,
            growth_percent: growth.map(|g| g.parse().map_err(|_| corrupt("growth", &g))).transpose()?,
            source: row.try_get("source")?,
        },
        revision: row.try_get("revision")?,
        recorded_by: row.try_get("recorded_by")?,
        recorded_at: row.try_get("recorded_at")?,
    })
}

/// Every revision of one figure, newest first.
pub async fn history(
    conn: &mut Conn,
    indicator: IndicatorKind,
    region: &str,
    period: Period,
) -> StoreResult<Vec<IndicatorRevision>> {
    let rows = sqlx::query(
        "SELECT * FROM indicator_values WHERE indicator = $1 AND region_code = $2 AND period_index = $3 \
         ORDER BY revision DESC",
    )
    .bind(indicator.as_str())
    .bind(region)
    .bind(period.index())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Stores `value` as the next revision of its figure.
pub async fn add_revision(
    conn: &mut Conn,
    value: &IndicatorValue,
    revision: i64,
    recorded_by: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO indicator_values (indicator, region_code, period_index, period, revision, value_minor, \
         growth_percent, source, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(value.indicator.as_str())
    .bind(value.region_code.as_str())
    .bind(value.period.index())
    .bind(value.period.to_string())
    .bind(revision)
    .bind(value.value_minor)
    .bind(value.growth_percent.map(|g| g.normalize().to_string()))
    .bind(&value.source)
    .bind(recorded_by)
    .bind(now_text())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The newest revision of every indicator of a region and period.
pub async fn current(conn: &mut Conn, region: &str, period: Period) -> StoreResult<Vec<IndicatorRevision>> {
    let rows = sqlx::query(
        "SELECT v.* FROM indicator_values v WHERE v.region_code = $1 AND v.period_index = $2 AND v.revision = \
         (SELECT MAX(w.revision) FROM indicator_values w WHERE w.indicator = v.indicator \
          AND w.region_code = v.region_code AND w.period_index = v.period_index) ORDER BY v.indicator",
    )
    .bind(region)
    .bind(period.index())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(from_row).collect()
}
