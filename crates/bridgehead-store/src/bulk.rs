//! Bulk loading of synthetic data sets (the province-scale demo): many-row `INSERT`s in
//! large transactions, for both databases.

use sqlx::Row;

use crate::sql::{SqlBuilder, Value};
use crate::{Conn, StoreResult};

/// Bound values per statement (SQLite allows 32,766; PostgreSQL 65,535). On SQLite the
/// statement uses anonymous parameters ([`SqlBuilder::build_on`]), so its length costs
/// nothing extra.
const MAX_VALUES: usize = 8_000;

/// Inserts `rows` (each with one value per column) into `table`, many rows a statement.
/// With `returning`, the named column of each inserted row is returned, in row order.
pub async fn insert_rows(
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
