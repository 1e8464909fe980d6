//! Collaborative innovation projects with their partners, budget lines and milestones.
//! The children are written with their project in the caller's transaction and replaced
//! as a whole when the project changes.

use bridgehead_domain::codes::RegionCode;
use bridgehead_domain::enterprise::{format_date, parse_date};
use bridgehead_domain::innovation::{
    BudgetLine, FundingSource, Innovation, InnovationRecord, InnovationStatus, Milestone, MilestoneCompletion, Partner,
    PartnerKind,
};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::sql::{SqlBuilder, like_pattern};
use crate::{Conn, StoreError, StoreResult, now_text};

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("innovation project {what} '{value}'"))
}

fn date_of(value: &str) -> StoreResult<time::Date> {
    parse_date(value).map_err(|_| corrupt("date", value))
}

fn region_of(value: &str) -> StoreResult<RegionCode> {
    RegionCode::parse(value).map_err(|_| corrupt("region", value))
}

fn line_number(index: usize) -> i64 {
    i64::try_from(index + 1).unwrap_or(i64::MAX)
}

async fn partners_of(conn: &mut Conn, id: i64) -> StoreResult<Vec<Partner>> {
    let rows = sqlx::query("SELECT * FROM innovation_partners WHERE innovation_id = $1 ORDER BY line")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|row| {
            let kind: String = row.try_get("kind")?;
            let region: String = row.try_get("region_code")?;
            Ok(Partner {
                kind: PartnerKind::parse(&kind).ok_or_else(|| corrupt("partner kind", &kind))?,
                name: row.try_get("name")?,
                enterprise_id: row.try_get("enterprise_id")?,
                region_code: region_of(&region)?,
                role: row.try_get("role")?,
            })
        })
        .collect()
}

async fn budget_of(conn: &mut Conn, id: i64) -> StoreResult<Vec<BudgetLine>> {
    let rows = sqlx::query("SELECT * FROM innovation_budget_lines WHERE innovation_id = $1")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    let mut lines = rows
        .iter()
        .map(|row| {
            let source: String = row.try_get("source")?;
            Ok(BudgetLine {
                source: FundingSource::parse(&source).ok_or_else(|| corrupt("funding source", &source))?,
                amount_minor: row.try_get("amount_minor")?,
                note: row.try_get("note")?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    // The vocabulary's order, so every reader lists the sources alike.
    lines.sort_by_key(|line| FundingSource::ALL.iter().position(|s| *s == line.source));
    Ok(lines)
}

async fn milestones_of(conn: &mut Conn, id: i64) -> StoreResult<Vec<Milestone>> {
    let rows = sqlx::query("SELECT * FROM innovation_milestones WHERE innovation_id = $1 ORDER BY line")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|row| {
            let due: String = row.try_get("due_on")?;
            let completed: Option<String> = row.try_get("completed_on")?;
            Ok(Milestone {
                title: row.try_get("title")?,
                due_on: date_of(&due)?,
                completed_on: completed.as_deref().map(date_of).transpose()?,
                evidence: row.try_get("evidence")?,
            })
        })
        .collect()
}

async fn from_row(conn: &mut Conn, row: &AnyRow) -> StoreResult<Innovation> {
    let id: i64 = row.try_get("id")?;
    let status: String = row.try_get("status")?;
    let starts: String = row.try_get("starts_on")?;
    let ends: String = row.try_get("ends_on")?;
    Ok(Innovation {
        id,
        status: InnovationStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        status_reason: row.try_get("status_reason")?,
        record: InnovationRecord {
            name: row.try_get("name")?,
            lead_enterprise_id: row.try_get("lead_enterprise_id")?,
            summary: row.try_get("summary")?,
            starts_on: date_of(&starts)?,
            ends_on: date_of(&ends)?,
            partners: partners_of(conn, id).await?,
            budget: budget_of(conn, id).await?,
            milestones: milestones_of(conn, id).await?,
        },
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

async fn set_children(conn: &mut Conn, id: i64, record: &InnovationRecord) -> StoreResult<()> {
    for delete in [
        "DELETE FROM innovation_partners WHERE innovation_id = $1",
        "DELETE FROM innovation_budget_lines WHERE innovation_id = $1",
        "DELETE FROM innovation_milestones WHERE innovation_id = $1",
    ] {
        sqlx::query(delete).bind(id).execute(&mut *conn).await?;
    }
    for (index, partner) in record.partners.iter().enumerate() {
        sqlx::query(
            "INSERT INTO innovation_partners (innovation_id, line, kind, name, enterprise_id, region_code, role) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(line_number(index))
        .bind(partner.kind.as_str())
        .bind(&partner.name)
        .bind(partner.enterprise_id)
        .bind(partner.region_code.as_str())
        .bind(&partner.role)
        .execute(&mut *conn)
        .await?;
    }
    for line in &record.budget {
        sqlx::query(
            "INSERT INTO innovation_budget_lines (innovation_id, source, amount_minor, note) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(line.source.as_str())
        .bind(line.amount_minor)
        .bind(&line.note)
        .execute(&mut *conn)
        .await?;
    }
    for (index, milestone) in record.milestones.iter().enumerate() {
        sqlx::query(
            "INSERT INTO innovation_milestones (innovation_id, line, title, due_on, completed_on, evidence) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(line_number(index))
        .bind(&milestone.title)
        .bind(format_date(milestone.due_on))
        .bind(milestone.completed_on.map(format_date))
        .bind(&milestone.evidence)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn insert(conn: &mut Conn, record: &InnovationRecord) -> StoreResult<Innovation> {
    let now = now_text();
    let id: i64 = sqlx::query(
        "INSERT INTO innovation_projects (name, lead_enterprise_id, summary, starts_on, ends_on, status, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'active', $6, $7) RETURNING id",
    )
    .bind(&record.name)
    .bind(record.lead_enterprise_id)
    .bind(&record.summary)
    .bind(format_date(record.starts_on))
    .bind(format_date(record.ends_on))
    .bind(&now)
    .bind(&now)
    .fetch_one(&mut *conn)
    .await?
    .try_get("id")?;
    set_children(conn, id, record).await?;
    get(conn, id).await?.ok_or(StoreError::NotFound)
}

/// Replaces a project's contents if it is still at `expected_version` and editable
/// (active or suspended); `Conflict` otherwise.
pub async fn update(
    conn: &mut Conn,
    id: i64,
    expected_version: i64,
    record: &InnovationRecord,
) -> StoreResult<Innovation> {
    let updated = sqlx::query(
        "UPDATE innovation_projects SET name = $1, lead_enterprise_id = $2, summary = $3, \
         starts_on = $4, ends_on = $5, updated_at = $6, version = version + 1 \
         WHERE id = $7 AND version = $8 AND status IN ('active', 'suspended') RETURNING id",
    )
    .bind(&record.name)
    .bind(record.lead_enterprise_id)
    .bind(&record.summary)
    .bind(format_date(record.starts_on))
    .bind(format_date(record.ends_on))
    .bind(now_text())
    .bind(id)
    .bind(expected_version)
    .fetch_optional(&mut *conn)
    .await?;
    if updated.is_none() {
        return Err(if get(conn, id).await?.is_some() { StoreError::Conflict } else { StoreError::NotFound });
    }
    set_children(conn, id, record).await?;
    get(conn, id).await?.ok_or(StoreError::NotFound)
}

/// Moves a project from `from` to `to` (`Conflict` if it is no longer at `from` and
/// `expected_version`).
pub async fn set_status(
    conn: &mut Conn,
    id: i64,
    expected_version: i64,
    from: InnovationStatus,
    to: InnovationStatus,
    reason: Option<&str>,
) -> StoreResult<Innovation> {
    let updated = sqlx::query(
        "UPDATE innovation_projects SET status = $1, status_reason = $2, updated_at = $3, version = version + 1 \
         WHERE id = $4 AND status = $5 AND version = $6",
    )
    .bind(to.as_str())
    .bind(reason)
    .bind(now_text())
    .bind(id)
    .bind(from.as_str())
    .bind(expected_version)
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::Conflict);
    }
    get(conn, id).await?.ok_or(StoreError::NotFound)
}

/// Records (or clears) a milestone's completion if the project is still at
/// `expected_version` and editable.
pub async fn set_completion(
    conn: &mut Conn,
    id: i64,
    expected_version: i64,
    line: i64,
    completion: &MilestoneCompletion,
) -> StoreResult<Innovation> {
    let bumped = sqlx::query(
        "UPDATE innovation_projects SET updated_at = $1, version = version + 1 \
         WHERE id = $2 AND version = $3 AND status IN ('active', 'suspended')",
    )
    .bind(now_text())
    .bind(id)
    .bind(expected_version)
    .execute(&mut *conn)
    .await?;
    if bumped.rows_affected() == 0 {
        return Err(StoreError::Conflict);
    }
    let updated = sqlx::query(
        "UPDATE innovation_milestones SET completed_on = $1, evidence = $2 WHERE innovation_id = $3 AND line = $4",
    )
    .bind(completion.completed_on.map(format_date))
    .bind(&completion.evidence)
    .bind(id)
    .bind(line)
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    get(conn, id).await?.ok_or(StoreError::NotFound)
}

pub async fn get(conn: &mut Conn, id: i64) -> StoreResult<Option<Innovation>> {
    let Some(row) =
        sqlx::query("SELECT * FROM innovation_projects WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?
    else {
        return Ok(None);
    };
    Ok(Some(from_row(conn, &row).await?))
}

/// Which projects a list shows.
#[derive(Debug, Clone, Default)]
pub struct InnovationFilter {
    pub search: Option<String>,
    /// Projects whose lead enterprise is registered in this region or under it.
    pub scope_region_within: Option<String>,
    pub region_within: Option<String>,
    /// Projects this enterprise leads or partners in.
    pub involving_enterprise_id: Option<i64>,
    pub status: Option<InnovationStatus>,
    /// Only active projects with an overdue milestone or past their end on this day.
    pub overdue_on: Option<time::Date>,
    pub limit: i64,
    pub offset: i64,
}

pub async fn list(conn: &mut Conn, filter: &InnovationFilter) -> StoreResult<(Vec<Innovation>, i64)> {
    let mut condition = SqlBuilder::new(" FROM innovation_projects i WHERE 1 = 1");
    for within in [&filter.region_within, &filter.scope_region_within].into_iter().flatten() {
        condition
            .push(
                " AND i.lead_enterprise_id IN (SELECT e.id FROM enterprises e WHERE e.region_code IN \
                 (SELECT region_code FROM region_ancestors WHERE ancestor_code = ",
            )
            .bind_text(within.clone())
            .push("))");
    }
    if let Some(enterprise) = filter.involving_enterprise_id {
        condition
            .push(" AND (i.lead_enterprise_id = ")
            .bind_int(enterprise)
            .push(" OR i.id IN (SELECT innovation_id FROM innovation_partners WHERE enterprise_id = ")
            .bind_int(enterprise)
            .push("))");
    }
    if let Some(search) = &filter.search {
        let pattern = like_pattern(&search.to_lowercase());
        condition
            .push(" AND (LOWER(i.name) LIKE ")
            .bind_text(pattern.clone())
            .push(" ESCAPE '\\' OR i.id IN (SELECT innovation_id FROM innovation_partners WHERE LOWER(name) LIKE ")
            .bind_text(pattern)
            .push(" ESCAPE '\\'))");
    }
    if let Some(status) = filter.status {
        condition.push(" AND i.status = ").bind_text(status.as_str());
    }
    if let Some(today) = filter.overdue_on {
        let today = format_date(today);
        condition
            .push(" AND i.status = 'active' AND (i.ends_on < ")
            .bind_text(today.clone())
            .push(" OR EXISTS (SELECT 1 FROM innovation_milestones m WHERE m.innovation_id = i.id AND m.completed_on IS NULL AND m.due_on < ")
            .bind_text(today)
            .push("))");
    }
    let total: i64 =
        condition.clone().with_prefix("SELECT COUNT(*) AS n").build().fetch_one(&mut *conn).await?.try_get("n")?;
    let mut page = condition.with_prefix("SELECT i.*");
    page.push(" ORDER BY i.starts_on DESC, i.id DESC LIMIT ")
        .bind_int(filter.limit)
        .push(" OFFSET ")
        .bind_int(filter.offset);
    let rows = page.build().fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(from_row(conn, row).await?);
    }
    Ok((out, total))
}
