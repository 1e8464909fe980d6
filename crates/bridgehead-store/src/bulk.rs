//! Bulk loading of synthetic data sets (the province-scale demo): many-row `INSERT`s in
//! large transactions, for both databases.

use bridgehead_domain::codes::INDUSTRY_EDITION;
use bridgehead_domain::enterprise::format_date;
use bridgehead_domain::period::Period;
use bridgehead_domain::project::{CapitalSource, ProjectType};
use sqlx::Row;

use crate::sql::{SqlBuilder, Value};
use crate::{Conn, StoreResult};

/// Bound values per statement (SQLite allows 32,766; PostgreSQL 65,535). On SQLite the
/// statement uses anonymous parameters ([`SqlBuilder::build_on`]), so its length costs
/// nothing extra.
const MAX_VALUES: usize = 8_000;

/// Inserts `rows` (each with one value per column) into `table`, many rows a statement.
/// With `returning`, the named column of each inserted row is returned, in row order.
async fn insert_rows(
    conn: &mut Conn,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
    returning: Option<&str>,
) -> StoreResult<Vec<i64>> {
    let per_statement = (MAX_VALUES / columns.len().max(1)).max(1);
    let mut returned = Vec::new();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut sql = SqlBuilder::new(&format!("INSERT INTO {table} ({}) VALUES ", columns.join(", ")));
        for (i, row) in rows.by_ref().take(per_statement).enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            for (j, value) in row.into_iter().enumerate() {
                if j > 0 {
                    sql.push(", ");
                }
                sql.bind(value);
            }
            sql.push(")");
        }
        match returning {
            Some(column) => {
                sql.push(" RETURNING ").push(column);
                for row in sql.build_on(conn).fetch_all(&mut *conn).await? {
                    returned.push(row.try_get(0)?);
                }
            }
            None => {
                sql.build_on(conn).execute(&mut *conn).await?;
            }
        }
    }
    Ok(returned)
}

/// The four-digit classes of an industry edition, sorted.
pub async fn industry_classes(conn: &mut Conn, edition: &str) -> StoreResult<Vec<String>> {
    let rows = sqlx::query("SELECT code FROM industries WHERE edition = $1 AND level = 'class' ORDER BY code")
        .bind(edition)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(|row| Ok(row.try_get("code")?)).collect()
}

/// How many projects have a code starting with `prefix`.
pub async fn count_projects_with_prefix(conn: &mut Conn, prefix: &str) -> StoreResult<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM projects WHERE code LIKE $1")
        .bind(format!("{prefix}%"))
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get("n")?)
}

/// Empties the statistics change feed and leaves one row asking every running engine to
/// rebuild (after a bulk load that would otherwise be millions of rows).
pub async fn reset_statistics_feed(conn: &mut Conn, rebuild_all: i64) -> StoreResult<()> {
    sqlx::query("DELETE FROM statistics_changes").execute(&mut *conn).await?;
    sqlx::query("INSERT INTO statistics_changes (project_id, changed_at) VALUES ($1, $2)")
        .bind(rebuild_all)
        .bind(crate::now_text())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A started CNY project of a synthetic data set.
#[derive(Debug, Clone)]
pub struct BulkProject {
    pub code: String,
    pub name_zh: String,
    pub region_code: String,
    pub industry_code: String,
    pub project_type: ProjectType,
    pub capital_source: CapitalSource,
    /// Foreign capital's country.
    pub source_country: Option<String>,
    pub fortune_global_500: bool,
    pub planned_total_minor: i64,
    pub planned_total_usd_minor: Option<i64>,
    pub signed_on: time::Date,
    pub started_on: time::Date,
}

/// A counted (city-approved, first revision) monthly report of a synthetic data set.
#[derive(Debug, Clone, Copy)]
pub struct BulkReport {
    pub project_id: i64,
    pub period: Period,
    pub completed_minor: i64,
    /// The rest of `completed_minor` is construction.
    pub equipment_minor: i64,
}

/// Stores started projects with their signing and start events; their ids, in order.
pub async fn insert_projects(conn: &mut Conn, projects: &[BulkProject], recorded_by: &str) -> StoreResult<Vec<i64>> {
    let now = crate::now_text();
    let rows = projects
        .iter()
        .map(|p| {
            vec![
                Value::Text(p.code.clone()),
                Value::Int(0),
                Value::Text(p.name_zh.clone()),
                Value::Text(p.region_code.clone()),
                Value::Text(INDUSTRY_EDITION.into()),
                Value::Text(p.industry_code.clone()),
                Value::Text(p.project_type.as_str().into()),
                Value::Text(p.capital_source.as_str().into()),
                p.source_country.clone().map_or(Value::Null, Value::Text),
                Value::Int(i64::from(p.fortune_global_500)),
                Value::Int(p.planned_total_minor),
                Value::Text("CNY".into()),
                Value::Int(p.planned_total_minor),
                p.planned_total_usd_minor.map_or(Value::NullInt, Value::Int),
                Value::Text(format_date(p.signed_on)),
                Value::Text("started".into()),
                Value::Text(format_date(p.started_on)),
                Value::Text(now.clone()),
                Value::Text(now.clone()),
            ]
        })
        .collect();
    let columns = [
        "code",
        "national_code",
        "name_zh",
        "region_code",
        "industry_edition",
        "industry_code",
        "project_type",
        "capital_source",
        "source_country",
        "fortune_global_500",
        "planned_total_minor",
        "planned_currency",
        "planned_total_cny_minor",
        "planned_total_usd_minor",
        "signed_on",
        "stage",
        "started_on",
        "created_at",
        "updated_at",
    ];
    let ids = insert_rows(conn, "projects", &columns, rows, Some("id")).await?;
    let events = ids
        .iter()
        .zip(projects)
        .flat_map(|(id, p)| [("signed", p.signed_on), ("started", p.started_on)].map(|(kind, on)| (*id, kind, on)))
        .map(|(id, kind, on)| {
            vec![
                Value::Int(id),
                Value::Int(1),
                Value::Text(kind.into()),
                Value::Text(format_date(on)),
                Value::Text(recorded_by.into()),
                Value::Text(now.clone()),
            ]
        })
        .collect();
    let columns = ["project_id", "phase", "kind", "occurred_on", "recorded_by", "recorded_at"];
    insert_rows(conn, "project_events", &columns, events, None).await?;
    Ok(ids)
}

/// Stores counted reports.
pub async fn insert_reports(conn: &mut Conn, reports: &[BulkReport]) -> StoreResult<()> {
    let now = crate::now_text();
    let rows = reports
        .iter()
        .map(|r| {
            vec![
                Value::Int(r.project_id),
                Value::Int(r.period.index()),
                Value::Text(r.period.to_string()),
                Value::Int(1),
                Value::Text("approved_by_city".into()),
                Value::Int(r.completed_minor),
                Value::Int(r.equipment_minor),
                Value::Int(r.completed_minor - r.equipment_minor),
                Value::Text(now.clone()),
                Value::Text(now.clone()),
            ]
        })
        .collect();
    let columns = [
        "project_id",
        "period_index",
        "period",
        "revision",
        "status",
        "completed_minor",
        "equipment_minor",
        "construction_minor",
        "created_at",
        "updated_at",
    ];
    insert_rows(conn, "monthly_reports", &columns, rows, None).await?;
    Ok(())
}
