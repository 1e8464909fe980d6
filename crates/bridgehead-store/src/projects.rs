//! Projects, their stage events and monthly reports with their review history (SPEC §3).

use std::collections::HashMap;

use bridgehead_domain::codes::{INDUSTRY_EDITION, IndustryCode, RegionCode};
use bridgehead_domain::enterprise::{format_date, parse_date};
use bridgehead_domain::money::CurrencyCode;
use bridgehead_domain::period::Period;
use bridgehead_domain::project::{
    CapitalSource, Investor, MonthlyReport, Project, ProjectCode, ProjectRecord, ProjectType, ReportFigures,
    ReportReview, ReportStatus, StageEvent, StageKind, StageState,
};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::sql::{SqlBuilder, Value, like_pattern};
use crate::{Conn, StoreError, StoreResult, now_text};

pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("project {what} '{value}'"))
}

pub(crate) fn date_of(text: &str) -> StoreResult<time::Date> {
    parse_date(text).map_err(|_| corrupt("date", text))
}

fn optional_text(value: Option<String>) -> Value {
    value.map_or(Value::Null, Value::Text)
}

fn optional_int(value: Option<i64>) -> Value {
    value.map_or(Value::NullInt, Value::Int)
}

async fn investors_and_clusters(
    conn: &mut Conn,
    ids: &[i64],
) -> StoreResult<(HashMap<i64, Vec<Investor>>, HashMap<i64, Vec<i64>>)> {
    let mut investors: HashMap<i64, Vec<Investor>> = HashMap::new();
    let mut clusters: HashMap<i64, Vec<i64>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let list = |sql: &mut SqlBuilder| {
            for (index, id) in chunk.iter().enumerate() {
                if index > 0 {
                    sql.push(", ");
                }
                sql.bind_int(*id);
            }
            sql.push(")");
        };
        let mut sql = SqlBuilder::new("SELECT * FROM project_investors WHERE project_id IN (");
        list(&mut sql);
        sql.push(" ORDER BY share_bp DESC, enterprise_id");
        for row in sql.build().fetch_all(&mut *conn).await? {
            investors
                .entry(row.try_get("project_id")?)
                .or_default()
                .push(Investor { enterprise_id: row.try_get("enterprise_id")?, share_bp: row.try_get("share_bp")? });
        }
        let mut sql = SqlBuilder::new("SELECT * FROM project_clusters WHERE project_id IN (");
        list(&mut sql);
        sql.push(" ORDER BY cluster_id");
        for row in sql.build().fetch_all(&mut *conn).await? {
            clusters.entry(row.try_get("project_id")?).or_default().push(row.try_get("cluster_id")?);
        }
    }
    Ok((investors, clusters))
}

fn project_from_row(row: &AnyRow, investors: Vec<Investor>, cluster_ids: Vec<i64>) -> StoreResult<Project> {
    let code: String = row.try_get("code")?;
    let national: i64 = row.try_get("national_code")?;
    let region: String = row.try_get("region_code")?;
    let industry: Option<String> = row.try_get("industry_code")?;
    let project_type: String = row.try_get("project_type")?;
    let capital_source: String = row.try_get("capital_source")?;
    let currency: String = row.try_get("planned_currency")?;
    let flag = |name: &str| -> StoreResult<bool> { Ok(row.try_get::<i64, _>(name)? != 0) };
    let optional_date = |name: &str| -> StoreResult<Option<time::Date>> {
        row.try_get::<Option<String>, _>(name)?.map(|d| date_of(&d)).transpose()
    };
    let stage: String = row.try_get("stage")?;
    let rate: Option<String> = row.try_get("conversion_rate")?;
    let rate_date: Option<String> = row.try_get("conversion_date")?;
    let record = ProjectRecord {
        code: ProjectCode { code, national: national != 0 },
        name_zh: row.try_get("name_zh")?,
        name_en: row.try_get("name_en")?,
        region_code: RegionCode::parse(&region).map_err(|_| corrupt("region", &region))?,
        park_id: row.try_get("park_id")?,
        industry_code: industry.map(|c| IndustryCode::parse(&c).map_err(|_| corrupt("industry", &c))).transpose()?,
        project_type: ProjectType::parse(&project_type).ok_or_else(|| corrupt("type", &project_type))?,
        capital_source: CapitalSource::parse(&capital_source)
            .ok_or_else(|| corrupt("capital source", &capital_source))?,
        source_country: row.try_get("source_country")?,
        from_shanghai: flag("from_shanghai")?,
        fortune_global_500: flag("fortune_global_500")?,
        central_soe: flag("central_soe")?,
        planned_total_minor: row.try_get("planned_total_minor")?,
        planned_fixed_assets_minor: row.try_get("planned_fixed_assets_minor")?,
        planned_equipment_minor: row.try_get("planned_equipment_minor")?,
        planned_currency: CurrencyCode::parse(&currency).map_err(|_| corrupt("currency", &currency))?,
        planned_start_on: optional_date("planned_start_on")?,
        planned_production_on: optional_date("planned_production_on")?,
        investors,
        cluster_ids,
    };
    let signed_on: String = row.try_get("signed_on")?;
    Ok(Project {
        id: row.try_get("id")?,
        version: row.try_get("version")?,
        record,
        planned_total_cny_minor: row.try_get("planned_total_cny_minor")?,
        planned_total_usd_minor: row.try_get("planned_total_usd_minor")?,
        conversion: rate.zip(rate_date),
        signed_on: date_of(&signed_on)?,
        state: StageState {
            phase: row.try_get("phase")?,
            stage: Some(StageKind::parse(&stage).ok_or_else(|| corrupt("stage", &stage))?),
            suspended: flag("suspended")?,
            cancelled: flag("cancelled")?,
        },
        started_on: optional_date("started_on")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

async fn with_parts(conn: &mut Conn, rows: Vec<AnyRow>) -> StoreResult<Vec<Project>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.try_get("id")).collect::<Result<_, _>>()?;
    let (mut investors, mut clusters) = investors_and_clusters(conn, &ids).await?;
    rows.iter()
        .zip(ids)
        .map(|(row, id)| {
            project_from_row(row, investors.remove(&id).unwrap_or_default(), clusters.remove(&id).unwrap_or_default())
        })
        .collect()
}

async fn set_parts(conn: &mut Conn, id: i64, record: &ProjectRecord) -> StoreResult<()> {
    sqlx::query("DELETE FROM project_investors WHERE project_id = $1").bind(id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM project_clusters WHERE project_id = $1").bind(id).execute(&mut *conn).await?;
    for investor in &record.investors {
        sqlx::query("INSERT INTO project_investors (project_id, enterprise_id, share_bp) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(investor.enterprise_id)
            .bind(investor.share_bp)
            .execute(&mut *conn)
            .await?;
    }
    for cluster in &record.cluster_ids {
        sqlx::query("INSERT INTO project_clusters (project_id, cluster_id) VALUES ($1, $2)")
            .bind(id)
            .bind(*cluster)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The planned total in CNY and the conversion that produced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversion {
    pub total_cny_minor: i64,
    /// In US dollar cents at the signing-date rate, when a USD rate was known.
    pub total_usd_minor: Option<i64>,
    /// (rate, date) for a foreign currency.
    pub rate: Option<(String, String)>,
}

const PROJECT_COLUMNS: &str = "code, national_code, name_zh, name_en, region_code, park_id, industry_edition, industry_code, \
    project_type, capital_source, source_country, from_shanghai, fortune_global_500, central_soe, planned_total_minor, \
    planned_fixed_assets_minor, planned_equipment_minor, planned_currency, planned_total_cny_minor, planned_total_usd_minor, \
    conversion_rate, conversion_date, planned_start_on, planned_production_on";

fn bind_project(sql: &mut SqlBuilder, record: &ProjectRecord, conversion: &Conversion) {
    let (rate, rate_date) = conversion.rate.clone().unzip();
    let values = vec![
        Value::Text(record.code.code.clone()),
        Value::Int(i64::from(record.code.national)),
        Value::Text(record.name_zh.clone()),
        optional_text(record.name_en.clone()),
        Value::Text(record.region_code.to_string()),
        optional_int(record.park_id),
        optional_text(record.industry_code.as_ref().map(|_| INDUSTRY_EDITION.to_owned())),
        optional_text(record.industry_code.as_ref().map(ToString::to_string)),
        Value::Text(record.project_type.as_str().to_owned()),
        Value::Text(record.capital_source.as_str().to_owned()),
        optional_text(record.source_country.clone()),
        Value::Int(i64::from(record.from_shanghai)),
        Value::Int(i64::from(record.fortune_global_500)),
        Value::Int(i64::from(record.central_soe)),
        Value::Int(record.planned_total_minor),
        optional_int(record.planned_fixed_assets_minor),
        optional_int(record.planned_equipment_minor),
        Value::Text(record.planned_currency.to_string()),
        Value::Int(conversion.total_cny_minor),
        optional_int(conversion.total_usd_minor),
        optional_text(rate),
        optional_text(rate_date),
        optional_text(record.planned_start_on.map(format_date)),
        optional_text(record.planned_production_on.map(format_date)),
    ];
    for (index, value) in values.into_iter().enumerate() {
        if index > 0 {
            sql.push(", ");
        }
        sql.bind(value);
    }
}

/// Stores a new project with its first event, the signing on `signed_on`.
pub async fn insert_project(
    conn: &mut Conn,
    record: &ProjectRecord,
    conversion: &Conversion,
    signed_on: time::Date,
    recorded_by: &str,
) -> StoreResult<Project> {
    let now = now_text();
    let mut sql = SqlBuilder::new(&format!(
        "INSERT INTO projects ({PROJECT_COLUMNS}, signed_on, created_at, updated_at) VALUES ("
    ));
    bind_project(&mut sql, record, conversion);
    sql.push(", ")
        .bind_text(format_date(signed_on))
        .push(", ")
        .bind_text(now.clone())
        .push(", ")
        .bind_text(now)
        .push(") RETURNING id");
    let id: i64 = sql.build().fetch_one(&mut *conn).await?.try_get("id")?;
    set_parts(conn, id, record).await?;
    insert_event(conn, id, 1, StageKind::Signed, signed_on, None, None, recorded_by).await?;
    get_project(conn, id).await?.ok_or(StoreError::NotFound)
}

/// Replaces a project's fields if it is still at `expected_version`.
pub async fn update_project(
    conn: &mut Conn,
    id: i64,
    expected_version: i64,
    record: &ProjectRecord,
    conversion: &Conversion,
) -> StoreResult<Project> {
    let mut sql = SqlBuilder::new(&format!("UPDATE projects SET ({PROJECT_COLUMNS}, updated_at, version) = ("));
    bind_project(&mut sql, record, conversion);
    sql.push(", ")
        .bind_text(now_text())
        .push(", version + 1) WHERE id = ")
        .bind_int(id)
        .push(" AND version = ")
        .bind_int(expected_version)
        .push(" RETURNING id");
    if sql.build().fetch_optional(&mut *conn).await?.is_none() {
        return Err(if get_project(conn, id).await?.is_some() { StoreError::Conflict } else { StoreError::NotFound });
    }
    set_parts(conn, id, record).await?;
    get_project(conn, id).await?.ok_or(StoreError::NotFound)
}

pub async fn get_project(conn: &mut Conn, id: i64) -> StoreResult<Option<Project>> {
    let rows = sqlx::query("SELECT * FROM projects WHERE id = $1").bind(id).fetch_all(&mut *conn).await?;
    Ok(with_parts(conn, rows).await?.pop())
}

pub async fn get_project_by_code(conn: &mut Conn, code: &str) -> StoreResult<Option<Project>> {
    let rows = sqlx::query("SELECT * FROM projects WHERE code = $1").bind(code).fetch_all(&mut *conn).await?;
    Ok(with_parts(conn, rows).await?.pop())
}

/// Which projects to list; the scope fields are set by the app layer.
#[derive(Debug, Clone, Default)]
pub struct ProjectFilter {
    pub search: Option<String>,
    pub region_within: Option<String>,
    pub scope_region_within: Option<String>,
    /// Only projects in which this enterprise invests.
    pub investor_enterprise_id: Option<i64>,
    pub stage: Option<StageKind>,
    pub limit: i64,
    pub offset: i64,
}

fn push_project_scope(sql: &mut SqlBuilder, filter: &ProjectFilter) {
    for within in [&filter.region_within, &filter.scope_region_within].into_iter().flatten() {
        sql.push(" AND p.region_code IN (SELECT region_code FROM region_ancestors WHERE ancestor_code = ")
            .bind_text(within.clone())
            .push(")");
    }
    if let Some(enterprise) = filter.investor_enterprise_id {
        sql.push(" AND p.id IN (SELECT project_id FROM project_investors WHERE enterprise_id = ")
            .bind_int(enterprise)
            .push(")");
    }
}

pub async fn list_projects(conn: &mut Conn, filter: &ProjectFilter) -> StoreResult<(Vec<Project>, i64)> {
    let mut condition = SqlBuilder::new(" FROM projects p WHERE 1 = 1");
    push_project_scope(&mut condition, filter);
    if let Some(search) = &filter.search {
        let pattern = like_pattern(&search.to_lowercase());
        condition
            .push(" AND (LOWER(p.name_zh) LIKE ")
            .bind_text(pattern.clone())
            .push(" ESCAPE '\\' OR LOWER(COALESCE(p.name_en, '')) LIKE ")
            .bind_text(pattern.clone())
            .push(" ESCAPE '\\' OR LOWER(p.code) LIKE ")
            .bind_text(pattern)
            .push(" ESCAPE '\\')");
    }
    match filter.stage {
        Some(StageKind::Cancelled) => {
            condition.push(" AND p.cancelled = 1");
        }
        Some(StageKind::Suspended) => {
            condition.push(" AND p.suspended = 1 AND p.cancelled = 0");
        }
        Some(stage) => {
            condition.push(" AND p.suspended = 0 AND p.cancelled = 0 AND p.stage = ").bind_text(stage.as_str());
        }
        None => {}
    }
    let total: i64 =
        condition.clone().with_prefix("SELECT COUNT(*) AS n").build().fetch_one(&mut *conn).await?.try_get("n")?;
    let mut page = condition.with_prefix("SELECT p.*");
    page.push(" ORDER BY p.signed_on DESC, p.id DESC LIMIT ")
        .bind_int(filter.limit)
        .push(" OFFSET ")
        .bind_int(filter.offset);
    let rows = page.build().fetch_all(&mut *conn).await?;
    Ok((with_parts(conn, rows).await?, total))
}

fn event_from_row(row: &AnyRow) -> StoreResult<StageEvent> {
    let kind: String = row.try_get("kind")?;
    let occurred_on: String = row.try_get("occurred_on")?;
    Ok(StageEvent {
        id: row.try_get("id")?,
        phase: row.try_get("phase")?,
        kind: StageKind::parse(&kind).ok_or_else(|| corrupt("event kind", &kind))?,
        occurred_on: date_of(&occurred_on)?,
        reason: row.try_get("reason")?,
        increment_minor: row.try_get("increment_minor")?,
    })
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_event(
    conn: &mut Conn,
    project_id: i64,
    phase: i64,
    kind: StageKind,
    occurred_on: time::Date,
    reason: Option<&str>,
    increment_minor: Option<i64>,
    recorded_by: &str,
) -> StoreResult<StageEvent> {
    let row = sqlx::query(
        "INSERT INTO project_events (project_id, phase, kind, occurred_on, reason, increment_minor, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *",
    )
    .bind(project_id)
    .bind(phase)
    .bind(kind.as_str())
    .bind(format_date(occurred_on))
    .bind(reason)
    .bind(increment_minor)
    .bind(recorded_by)
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await?;
    event_from_row(&row)
}

/// Keeps the project's stage columns in step with its events.
/// Keeps the project's stage columns in step with its events, if the project is still
/// at `expected_version` (`Conflict` otherwise: a concurrent event came first).
pub async fn set_state(
    conn: &mut Conn,
    project_id: i64,
    expected_version: i64,
    state: StageState,
    started_on: Option<time::Date>,
) -> StoreResult<()> {
    let updated = sqlx::query(
        "UPDATE projects SET phase = $1, stage = $2, suspended = $3, cancelled = $4, started_on = $5, updated_at = $6, \
         version = version + 1 WHERE id = $7 AND version = $8",
    )
    .bind(state.phase)
    .bind(state.stage.unwrap_or(StageKind::Signed).as_str())
    .bind(i64::from(state.suspended))
    .bind(i64::from(state.cancelled))
    .bind(started_on.map(format_date))
    .bind(now_text())
    .bind(project_id)
    .bind(expected_version)
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::Conflict);
    }
    Ok(())
}

pub async fn list_events(conn: &mut Conn, project_id: i64) -> StoreResult<Vec<StageEvent>> {
    let rows = sqlx::query("SELECT * FROM project_events WHERE project_id = $1 ORDER BY id")
        .bind(project_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(event_from_row).collect()
}

fn report_from_row(row: &AnyRow) -> StoreResult<MonthlyReport> {
    let period: String = row.try_get("period")?;
    let status: String = row.try_get("status")?;
    Ok(MonthlyReport {
        id: row.try_get("id")?,
        project_id: row.try_get("project_id")?,
        period: Period::parse(&period).map_err(|_| corrupt("report period", &period))?,
        revision: row.try_get("revision")?,
        status: ReportStatus::parse(&status).ok_or_else(|| corrupt("report status", &status))?,
        figures: ReportFigures {
            completed_minor: row.try_get("completed_minor")?,
            equipment_minor: row.try_get("equipment_minor")?,
            construction_minor: row.try_get("construction_minor")?,
            employees: row.try_get("employees")?,
            status_note: row.try_get("status_note")?,
            warning_note: row.try_get("warning_note")?,
        },
        revision_reason: row.try_get("revision_reason")?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub async fn insert_report(
    conn: &mut Conn,
    project_id: i64,
    period: Period,
    revision: i64,
    figures: &ReportFigures,
    revision_reason: Option<&str>,
) -> StoreResult<MonthlyReport> {
    let now = now_text();
    let row = sqlx::query(
        "INSERT INTO monthly_reports (project_id, period_index, period, revision, status, completed_minor, equipment_minor, \
         construction_minor, employees, status_note, warning_note, revision_reason, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING *",
    )
    .bind(project_id)
    .bind(period.index())
    .bind(period.to_string())
    .bind(revision)
    .bind(figures.completed_minor)
    .bind(figures.equipment_minor)
    .bind(figures.construction_minor)
    .bind(figures.employees)
    .bind(&figures.status_note)
    .bind(&figures.warning_note)
    .bind(revision_reason)
    .bind(&now)
    .bind(&now)
    .fetch_one(&mut *conn)
    .await?;
    report_from_row(&row)
}

/// Replaces a report's figures if it is still at `expected_version`.
pub async fn update_report_figures(
    conn: &mut Conn,
    id: i64,
    expected_version: i64,
    figures: &ReportFigures,
) -> StoreResult<MonthlyReport> {
    let row = sqlx::query(
        "UPDATE monthly_reports SET completed_minor = $1, equipment_minor = $2, construction_minor = $3, employees = $4, \
         status_note = $5, warning_note = $6, updated_at = $7, version = version + 1 WHERE id = $8 AND version = $9 RETURNING *",
    )
    .bind(figures.completed_minor)
    .bind(figures.equipment_minor)
    .bind(figures.construction_minor)
    .bind(figures.employees)
    .bind(&figures.status_note)
    .bind(&figures.warning_note)
    .bind(now_text())
    .bind(id)
    .bind(expected_version)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(row) => report_from_row(&row),
        None if get_report(conn, id).await?.is_some() => Err(StoreError::Conflict),
        None => Err(StoreError::NotFound),
    }
}

/// Moves a report from `from` to `to`; `Conflict` when it is no longer at `from`
/// (someone else acted first), so two reviews can never both apply.
pub async fn set_report_status(
    conn: &mut Conn,
    id: i64,
    from: ReportStatus,
    to: ReportStatus,
) -> StoreResult<MonthlyReport> {
    let row = sqlx::query(
        "UPDATE monthly_reports SET status = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND status = $4 RETURNING *",
    )
    .bind(to.as_str())
    .bind(now_text())
    .bind(id)
    .bind(from.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(row) => report_from_row(&row),
        None if get_report(conn, id).await?.is_some() => Err(StoreError::Conflict),
        None => Err(StoreError::NotFound),
    }
}

pub async fn get_report(conn: &mut Conn, id: i64) -> StoreResult<Option<MonthlyReport>> {
    let row = sqlx::query("SELECT * FROM monthly_reports WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?;
    row.as_ref().map(report_from_row).transpose()
}

/// Every revision of every month of a project, newest month first.
pub async fn reports_of_project(conn: &mut Conn, project_id: i64) -> StoreResult<Vec<MonthlyReport>> {
    let rows =
        sqlx::query("SELECT * FROM monthly_reports WHERE project_id = $1 ORDER BY period_index DESC, revision DESC")
            .bind(project_id)
            .fetch_all(&mut *conn)
            .await?;
    rows.iter().map(report_from_row).collect()
}

/// Which reports to list (the review queues); scope fields are set by the app.
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    pub period: Option<Period>,
    pub statuses: Vec<ReportStatus>,
    pub scope_region_within: Option<String>,
    pub investor_enterprise_id: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

/// A report in a list, with its project's code and names.
#[derive(Debug, Clone)]
pub struct ReportListItem {
    pub report: MonthlyReport,
    pub project_code: String,
    pub project_name_zh: String,
    pub project_name_en: Option<String>,
}

/// Reports with their project's code and names.
pub async fn list_reports(conn: &mut Conn, filter: &ReportFilter) -> StoreResult<(Vec<ReportListItem>, i64)> {
    let mut condition = SqlBuilder::new(" FROM monthly_reports r JOIN projects p ON p.id = r.project_id WHERE 1 = 1");
    push_project_scope(
        &mut condition,
        &ProjectFilter {
            scope_region_within: filter.scope_region_within.clone(),
            investor_enterprise_id: filter.investor_enterprise_id,
            ..ProjectFilter::default()
        },
    );
    if let Some(period) = filter.period {
        condition.push(" AND r.period_index = ").bind_int(period.index());
    }
    if !filter.statuses.is_empty() {
        condition.push(" AND r.status IN (");
        for (index, status) in filter.statuses.iter().enumerate() {
            if index > 0 {
                condition.push(", ");
            }
            condition.bind_text(status.as_str());
        }
        condition.push(")");
    }
    let total: i64 =
        condition.clone().with_prefix("SELECT COUNT(*) AS n").build().fetch_one(&mut *conn).await?.try_get("n")?;
    let mut page = condition
        .with_prefix("SELECT r.*, p.code AS project_code, p.name_zh AS project_name, p.name_en AS project_name_en");
    page.push(" ORDER BY r.period_index DESC, p.code, r.revision DESC LIMIT ")
        .bind_int(filter.limit)
        .push(" OFFSET ")
        .bind_int(filter.offset);
    let rows = page.build().fetch_all(&mut *conn).await?;
    let items = rows
        .iter()
        .map(|row| {
            Ok(ReportListItem {
                report: report_from_row(row)?,
                project_code: row.try_get("project_code")?,
                project_name_zh: row.try_get("project_name")?,
                project_name_en: row.try_get("project_name_en")?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok((items, total))
}

#[allow(clippy::too_many_arguments)]
pub async fn add_review(
    conn: &mut Conn,
    report_id: i64,
    actor_user_id: Option<i64>,
    actor: &str,
    action: &str,
    from_status: Option<ReportStatus>,
    to_status: ReportStatus,
    reason: Option<&str>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO report_reviews (report_id, at, actor_user_id, actor, action, from_status, to_status, reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(report_id)
    .bind(now_text())
    .bind(actor_user_id)
    .bind(actor)
    .bind(action)
    .bind(from_status.map(ReportStatus::as_str))
    .bind(to_status.as_str())
    .bind(reason)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn list_reviews(conn: &mut Conn, report_id: i64) -> StoreResult<Vec<ReportReview>> {
    let rows = sqlx::query("SELECT * FROM report_reviews WHERE report_id = $1 ORDER BY id")
        .bind(report_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|row| {
            let from: Option<String> = row.try_get("from_status")?;
            let to: String = row.try_get("to_status")?;
            Ok(ReportReview {
                at: row.try_get("at")?,
                actor: row.try_get("actor")?,
                action: row.try_get("action")?,
                from_status: from
                    .map(|f| ReportStatus::parse(&f).ok_or_else(|| corrupt("review status", &f)))
                    .transpose()?,
                to_status: ReportStatus::parse(&to).ok_or_else(|| corrupt("review status", &to))?,
                reason: row.try_get("reason")?,
            })
        })
        .collect()
}

/// Projects (in scope) that should report for `period` — started by its end, not
/// cancelled, not completed — with the status of their current report for it, if any.
pub async fn reminders(
    conn: &mut Conn,
    period: Period,
    scope: &ProjectFilter,
) -> StoreResult<Vec<(Project, Option<ReportStatus>)>> {
    let next_month = format_date(period.next().first_day());
    let mut sql = SqlBuilder::new("SELECT p.* FROM projects p WHERE p.started_on IS NOT NULL AND p.started_on < ");
    sql.bind_text(next_month).push(" AND p.cancelled = 0 AND p.stage <> 'completed'");
    push_project_scope(&mut sql, scope);
    sql.push(" ORDER BY p.region_code, p.code");
    let rows = sql.build().fetch_all(&mut *conn).await?;
    let projects = with_parts(conn, rows).await?;
    let mut out = Vec::with_capacity(projects.len());
    for project in projects {
        let status = sqlx::query(
            "SELECT status FROM monthly_reports WHERE project_id = $1 AND period_index = $2 AND status <> 'superseded' \
             ORDER BY revision DESC LIMIT 1",
        )
        .bind(project.id)
        .bind(period.index())
        .fetch_optional(&mut *conn)
        .await?
        .map(|row| row.try_get::<String, _>("status"))
        .transpose()?;
        let status = status.map(|s| ReportStatus::parse(&s).ok_or_else(|| corrupt("report status", &s))).transpose()?;
        out.push((project, status));
    }
    Ok(out)
}

/// A report row of a bulk import, ready to store.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub project_id: i64,
    pub period: Period,
    pub revision: i64,
    pub status: ReportStatus,
    pub figures: ReportFigures,
}

/// Inserts many reports with multi-row statements; returns their ids, keyed by
/// (project, month index, revision).
pub async fn insert_reports(conn: &mut Conn, reports: &[NewReport]) -> StoreResult<HashMap<(i64, i64, i64), i64>> {
    // Big statements: `build_on` gives SQLite anonymous parameters (see there).
    const BATCH: usize = 400;
    let now = now_text();
    let mut ids = HashMap::with_capacity(reports.len());
    for chunk in reports.chunks(BATCH) {
        let mut sql = SqlBuilder::new(
            "INSERT INTO monthly_reports (project_id, period_index, period, revision, status, completed_minor, equipment_minor, \
             construction_minor, employees, status_note, warning_note, created_at, updated_at) VALUES ",
        );
        for (index, report) in chunk.iter().enumerate() {
            if index > 0 {
                sql.push(", ");
            }
            let f = &report.figures;
            sql.push("(")
                .bind_int(report.project_id)
                .push(", ")
                .bind_int(report.period.index())
                .push(", ")
                .bind_text(report.period.to_string())
                .push(", ")
                .bind_int(report.revision)
                .push(", ")
                .bind_text(report.status.as_str())
                .push(", ")
                .bind_int(f.completed_minor)
                .push(", ")
                .bind_int(f.equipment_minor)
                .push(", ")
                .bind_int(f.construction_minor)
                .push(", ")
                .bind(optional_int(f.employees))
                .push(", ")
                .bind(optional_text(f.status_note.clone()))
                .push(", ")
                .bind(optional_text(f.warning_note.clone()))
                .push(", ")
                .bind_text(now.clone())
                .push(", ")
                .bind_text(now.clone())
                .push(")");
        }
        sql.push(" RETURNING id, project_id, period_index, revision");
        for row in sql.build_on(conn).fetch_all(&mut *conn).await? {
            ids.insert(
                (row.try_get("project_id")?, row.try_get("period_index")?, row.try_get("revision")?),
                row.try_get("id")?,
            );
        }
    }
    Ok(ids)
}

/// The projects with these codes, by code.
pub async fn projects_by_codes(conn: &mut Conn, codes: &[String]) -> StoreResult<HashMap<String, Project>> {
    let mut out = HashMap::new();
    for chunk in codes.chunks(500) {
        let mut sql = SqlBuilder::new("SELECT * FROM projects WHERE code IN (");
        for (index, code) in chunk.iter().enumerate() {
            if index > 0 {
                sql.push(", ");
            }
            sql.bind_text(code.clone());
        }
        sql.push(")");
        let rows = sql.build().fetch_all(&mut *conn).await?;
        for project in with_parts(conn, rows).await? {
            out.insert(project.record.code.code.clone(), project);
        }
    }
    Ok(out)
}

/// Every non-superseded report of these projects.
pub async fn current_reports_of(conn: &mut Conn, project_ids: &[i64]) -> StoreResult<Vec<MonthlyReport>> {
    let mut out = Vec::new();
    for chunk in project_ids.chunks(500) {
        let mut sql = SqlBuilder::new("SELECT * FROM monthly_reports WHERE status <> 'superseded' AND project_id IN (");
        for (index, id) in chunk.iter().enumerate() {
            if index > 0 {
                sql.push(", ");
            }
            sql.bind_int(*id);
        }
        sql.push(")");
        for row in sql.build().fetch_all(&mut *conn).await? {
            out.push(report_from_row(&row)?);
        }
    }
    Ok(out)
}

/// Review history rows for many reports at once.
pub async fn add_reviews(
    conn: &mut Conn,
    report_ids: &[i64],
    actor_user_id: Option<i64>,
    actor: &str,
    action: &str,
    to_status: ReportStatus,
) -> StoreResult<()> {
    let now = now_text();
    for chunk in report_ids.chunks(500) {
        let mut sql = SqlBuilder::new(
            "INSERT INTO report_reviews (report_id, at, actor_user_id, actor, action, from_status, to_status, reason) VALUES ",
        );
        for (index, id) in chunk.iter().enumerate() {
            if index > 0 {
                sql.push(", ");
            }
            sql.push("(")
                .bind_int(*id)
                .push(", ")
                .bind_text(now.clone())
                .push(", ")
                .bind(optional_int(actor_user_id))
                .push(", ")
                .bind_text(actor)
                .push(", ")
                .bind_text(action)
                .push(", NULL, ")
                .bind_text(to_status.as_str())
                .push(", NULL)");
        }
        sql.build_on(conn).execute(&mut *conn).await?;
    }
    Ok(())
}
