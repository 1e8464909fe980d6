//! The reference computation of the investment statistics: sums of the counted (approved
//! by the city) monthly reports by region, straight from the tables. Figures roll up the
//! region tree through `region_ancestors`.

use bridgehead_domain::period::Period;
use bridgehead_domain::statistics::RegionSums;
use sqlx::Row;

use crate::sql::SqlBuilder;
use crate::{Conn, StoreResult};

/// What is summed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Investment completed.
    Completed,
    /// Of which equipment.
    Equipment,
}

impl Measure {
    fn column(self) -> &'static str {
        match self {
            Self::Completed => "r.completed_minor",
            Self::Equipment => "r.equipment_minor",
        }
    }
}

/// A region table's question: a parent region, January..`through` of a year and the same
/// months a year earlier, a measure and the projects counted.
#[derive(Debug, Clone)]
pub struct SumsQuery {
    pub parent: String,
    pub through: Period,
    pub measure: Measure,
    /// Only projects whose GB/T 4754 class starts with these digits.
    pub industry_prefix: Option<String>,
}

/// The months January..`through` of its year, as period indexes (inclusive).
pub fn year_to_date(through: Period) -> (i64, i64) {
    let end = through.index();
    (end - i64::from(through.month()) + 1, end)
}

/// The parent's sums and each child's (every child, zero when it has nothing), by code.
pub async fn region_sums(conn: &mut Conn, query: &SumsQuery) -> StoreResult<(RegionSums, Vec<RegionSums>)> {
    let (from, to) = year_to_date(query.through);
    let column = query.measure.column();
    let mut sql = SqlBuilder::new("SELECT c.code AS region_code, c.parent_code AS parent_code, ");
    for (start, end, name) in [(from, to, "current_minor"), (from - 12, to - 12, "previous_minor")] {
        sql.push("CAST(COALESCE(SUM(CASE WHEN r.period_index BETWEEN ")
            .bind_int(start)
            .push(" AND ")
            .bind_int(end)
            .push(" THEN ")
            .push(column)
            .push(" END), 0) AS BIGINT) AS ")
            .push(name)
            .push(", ");
    }
    sql.push(
        "0 AS unused FROM regions c \
         LEFT JOIN region_ancestors a ON a.ancestor_code = c.code \
         LEFT JOIN projects p ON p.region_code = a.region_code",
    );
    if let Some(prefix) = &query.industry_prefix {
        sql.push(" AND p.industry_code LIKE ").bind_text(format!("{}%", prefix.replace(['%', '_', '\\'], "")));
    }
    sql.push(" LEFT JOIN monthly_reports r ON r.project_id = p.id AND r.status = 'approved_by_city' AND (r.period_index BETWEEN ")
        .bind_int(from - 12)
        .push(" AND ")
        .bind_int(to)
        .push(") WHERE c.code = ")
        .bind_text(query.parent.clone())
        .push(" OR c.parent_code = ")
        .bind_text(query.parent.clone())
        .push(" GROUP BY c.code, c.parent_code ORDER BY c.code");
    let rows = sql.build().fetch_all(&mut *conn).await?;
    let mut total = RegionSums { region_code: query.parent.clone(), current_minor: 0, previous_minor: 0 };
    let mut children = Vec::new();
    for row in rows {
        let sums = RegionSums {
            region_code: row.try_get("region_code")?,
            current_minor: row.try_get("current_minor")?,
            previous_minor: row.try_get("previous_minor")?,
        };
        if sums.region_code == query.parent {
            total = sums;
        } else {
            children.push(sums);
        }
    }
    Ok((total, children))
}

/// The newest month with a counted (city-approved) report of a project in `within` (or
/// anywhere), if any.
pub async fn latest_counted_period(conn: &mut Conn, within: Option<&str>) -> StoreResult<Option<Period>> {
    let mut sql = SqlBuilder::new("SELECT MAX(r.period_index) AS latest FROM monthly_reports r");
    match within {
        None => sql.push(" WHERE r.status = 'approved_by_city'"),
        Some(region) => sql
            .push(
                " JOIN projects p ON p.id = r.project_id WHERE r.status = 'approved_by_city' AND p.region_code IN \
                 (SELECT region_code FROM region_ancestors WHERE ancestor_code = ",
            )
            .bind_text(region)
            .push(")"),
    };
    let row = sql.build().fetch_one(&mut *conn).await?;
    let latest: Option<i64> = row.try_get("latest")?;
    Ok(latest.and_then(Period::from_index))
}
