//! The reference computation of the investment statistics: sums of the counted (approved
//! by the city) monthly reports by region, straight from the tables. Figures roll up the
//! region tree through `region_ancestors`.

use std::collections::HashMap;

use bridgehead_domain::facts::{
    Breakdown, CountedEvent, Counts, Filter, KeyedCount, KeyedSums, Measure, MonthFigures, ProjectFacts, RegionNode,
    SizeTier, Sums,
};
use bridgehead_domain::period::Period;
use bridgehead_domain::project::{CapitalSource, ProjectType};
use futures_util::TryStreamExt;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::projects::{corrupt, date_of};
use crate::sql::SqlBuilder;
use crate::{Conn, StoreResult};

fn measure_column(measure: Measure) -> &'static str {
    match measure {
        Measure::Completed => "r.completed_minor",
        Measure::Equipment => "r.equipment_minor",
    }
}

/// A table's question: a region, January..`through` of a year and the same months a
/// year earlier, a measure, which projects count and what the lines are.
#[derive(Debug, Clone)]
pub struct SumsQuery {
    pub region: String,
    pub through: Period,
    pub measure: Measure,
    pub filter: Filter,
    pub breakdown: Breakdown,
}

/// A count's question: projects under a region passing a filter whose event date lies
/// in `from..=to`.
#[derive(Debug, Clone)]
pub struct CountsQuery {
    pub region: String,
    pub filter: Filter,
    pub breakdown: Breakdown,
    pub event: CountedEvent,
    pub from: time::Date,
    pub to: time::Date,
}

/// The months January..`through` of its year, as period indexes (inclusive).
pub fn year_to_date(through: Period) -> (i64, i64) {
    let end = through.index();
    (end - i64::from(through.month()) + 1, end)
}

/// The size tiers, from the lowest threshold up.
pub async fn size_tiers(conn: &mut Conn) -> StoreResult<Vec<SizeTier>> {
    let rows = sqlx::query("SELECT * FROM size_tiers ORDER BY position").fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| {
            Ok(SizeTier {
                code: row.try_get("code")?,
                name_zh: row.try_get("name_zh")?,
                name_en: row.try_get("name_en")?,
                min_cny_minor: row.try_get("min_cny_minor")?,
                min_usd_minor: row.try_get("min_usd_minor")?,
            })
        })
        .collect()
}

/// The region tree: every region with its parent and names.
pub async fn region_tree(conn: &mut Conn) -> StoreResult<Vec<RegionNode>> {
    let rows = sqlx::query("SELECT code, parent_code, name_zh, name_en FROM regions").fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| {
            Ok(RegionNode {
                code: row.try_get("code")?,
                parent: row.try_get("parent_code")?,
                name_zh: row.try_get("name_zh")?,
                name_en: row.try_get("name_en")?,
            })
        })
        .collect()
}

async fn region_exists(conn: &mut Conn, code: &str) -> StoreResult<bool> {
    Ok(sqlx::query("SELECT code FROM regions WHERE code = $1").bind(code).fetch_optional(&mut *conn).await?.is_some())
}

/// `CASE` giving a project's band (see [`bridgehead_domain::facts::band`]).
fn push_band(sql: &mut SqlBuilder, tiers: &[SizeTier]) {
    sql.push("(CASE");
    for (position, tier) in tiers.iter().enumerate().rev() {
        sql.push(" WHEN p.planned_total_cny_minor >= ").bind_int(tier.min_cny_minor);
        if let Some(usd) = tier.min_usd_minor {
            sql.push(" OR p.planned_total_usd_minor >= ").bind_int(usd);
        }
        sql.push(" THEN ").bind_int(i64::try_from(position + 1).unwrap_or(i64::MAX));
    }
    sql.push(" ELSE 0 END)");
}

/// `AND …` conditions on the project `p` for a filter.
fn push_filter(sql: &mut SqlBuilder, filter: &Filter, tiers: &[SizeTier]) {
    if let Some(prefix) = &filter.industry_prefix {
        sql.push(" AND p.industry_code LIKE ").bind_text(format!("{}%", prefix.replace(['%', '_', '\\'], "")));
    }
    if filter.min_band > 0 {
        sql.push(" AND ");
        push_band(sql, tiers);
        sql.push(" >= ").bind_int(i64::from(filter.min_band));
    }
    if let Some(max) = filter.max_band {
        sql.push(" AND ");
        push_band(sql, tiers);
        sql.push(" <= ").bind_int(i64::from(max));
    }
    if let Some(cluster) = filter.cluster_id {
        sql.push(" AND EXISTS (SELECT 1 FROM project_clusters fc WHERE fc.project_id = p.id AND fc.cluster_id = ")
            .bind_int(cluster)
            .push(")");
    }
    if let Some(park) = filter.park_id {
        sql.push(" AND p.park_id = ").bind_int(park);
    }
    if let Some(kind) = filter.project_type {
        sql.push(" AND p.project_type = ").bind_text(kind.as_str());
    }
    if let Some(source) = filter.capital_source {
        sql.push(" AND p.capital_source = ").bind_text(source.as_str());
    }
    if let Some(fortune) = filter.fortune_global_500 {
        sql.push(" AND p.fortune_global_500 = ").bind_int(i64::from(fortune));
    }
}

/// The line key of a breakdown other than child regions, and the join it needs.
fn push_key(sql: &mut SqlBuilder, breakdown: Breakdown, tiers: &[SizeTier]) {
    match breakdown {
        Breakdown::ChildRegions => sql.push("''"),
        Breakdown::IndustryDivision => sql.push("COALESCE(SUBSTR(p.industry_code, 1, 2), '')"),
        Breakdown::Cluster => sql.push("COALESCE(CAST(pc.cluster_id AS TEXT), '')"),
        Breakdown::Park => sql.push("COALESCE(CAST(p.park_id AS TEXT), '')"),
        Breakdown::ProjectType => sql.push("p.project_type"),
        Breakdown::CapitalSource => sql.push("p.capital_source"),
        Breakdown::Tier => {
            sql.push("(CASE ");
            push_band(sql, tiers);
            for (position, tier) in tiers.iter().enumerate() {
                sql.push(" WHEN ")
                    .bind_int(i64::try_from(position + 1).unwrap_or(i64::MAX))
                    .push(" THEN ")
                    .bind_text(tier.code.clone());
            }
            sql.push(" ELSE '' END)")
        }
    };
}

fn push_cluster_join(sql: &mut SqlBuilder, breakdown: Breakdown) {
    if breakdown == Breakdown::Cluster {
        sql.push(" LEFT JOIN project_clusters pc ON pc.project_id = p.id");
    }
}

fn push_subtree(sql: &mut SqlBuilder, region: &str) {
    sql.push(" p.region_code IN (SELECT region_code FROM region_ancestors WHERE ancestor_code = ")
        .bind_text(region)
        .push(")");
}

/// The two windows' sums as `current_minor`, `previous_minor`, and the report join.
fn push_sums(sql: &mut SqlBuilder, through: Period, measure: Measure) {
    let (from, to) = year_to_date(through);
    let column = measure_column(measure);
    for (start, end, name) in [(from, to, "current_minor"), (from - 12, to - 12, "previous_minor")] {
        sql.push(", CAST(COALESCE(SUM(CASE WHEN r.period_index BETWEEN ")
            .bind_int(start)
            .push(" AND ")
            .bind_int(end)
            .push(" THEN ")
            .push(column)
            .push(" END), 0) AS BIGINT) AS ")
            .push(name);
    }
}

fn push_report_join(sql: &mut SqlBuilder, join: &str, through: Period) {
    let (from, to) = year_to_date(through);
    sql.push(join)
        .push(
            " monthly_reports r ON r.project_id = p.id AND r.status = 'approved_by_city' AND (r.period_index BETWEEN ",
        )
        .bind_int(from)
        .push(" AND ")
        .bind_int(to)
        .push(" OR r.period_index BETWEEN ")
        .bind_int(from - 12)
        .push(" AND ")
        .bind_int(to - 12)
        .push(")");
}

fn keyed_sums(row: &AnyRow) -> StoreResult<KeyedSums> {
    Ok(KeyedSums {
        key: row.try_get("line_key")?,
        current_minor: row.try_get("current_minor")?,
        previous_minor: row.try_get("previous_minor")?,
    })
}

/// The reference computation of a table, in SQL straight from the tables (the engine
/// is tested against it); `None` when the region is unknown.
pub async fn reference_sums(conn: &mut Conn, query: &SumsQuery, tiers: &[SizeTier]) -> StoreResult<Option<Sums>> {
    if !region_exists(conn, &query.region).await? {
        return Ok(None);
    }
    let mut sql = SqlBuilder::new("SELECT '' AS line_key");
    push_sums(&mut sql, query.through, query.measure);
    sql.push(" FROM projects p");
    push_report_join(&mut sql, " JOIN", query.through);
    sql.push(" WHERE");
    push_subtree(&mut sql, &query.region);
    push_filter(&mut sql, &query.filter, tiers);
    let mut total = keyed_sums(&sql.build().fetch_one(&mut *conn).await?)?;
    total.key.clone_from(&query.region);

    let sql = if query.breakdown == Breakdown::ChildRegions {
        let mut sql = SqlBuilder::new("SELECT c.code AS line_key");
        push_sums(&mut sql, query.through, query.measure);
        sql.push(
            " FROM regions c LEFT JOIN region_ancestors a ON a.ancestor_code = c.code \
             LEFT JOIN projects p ON p.region_code = a.region_code",
        );
        push_filter(&mut sql, &query.filter, tiers);
        push_report_join(&mut sql, " LEFT JOIN", query.through);
        sql.push(" WHERE c.parent_code = ").bind_text(query.region.clone()).push(" GROUP BY c.code");
        sql
    } else {
        let mut sql = SqlBuilder::new("SELECT ");
        push_key(&mut sql, query.breakdown, tiers);
        sql.push(" AS line_key");
        push_sums(&mut sql, query.through, query.measure);
        sql.push(" FROM projects p");
        push_cluster_join(&mut sql, query.breakdown);
        push_report_join(&mut sql, " JOIN", query.through);
        sql.push(" WHERE");
        push_subtree(&mut sql, &query.region);
        push_filter(&mut sql, &query.filter, tiers);
        sql.push(" GROUP BY 1 HAVING SUM(").push(measure_column(query.measure)).push(") <> 0");
        sql
    };
    let mut lines: Vec<KeyedSums> =
        sql.build().fetch_all(&mut *conn).await?.iter().map(keyed_sums).collect::<StoreResult<_>>()?;
    lines.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(Some(Sums { total, lines }))
}

fn push_event_date(sql: &mut SqlBuilder, event: CountedEvent) {
    match event {
        CountedEvent::Signed => sql.push("p.signed_on"),
        CountedEvent::Started => sql
            .push("(SELECT MIN(e.occurred_on) FROM project_events e WHERE e.project_id = p.id AND e.kind = 'started')"),
        CountedEvent::InProduction => sql.push(
            "(SELECT MIN(e.occurred_on) FROM project_events e WHERE e.project_id = p.id AND e.kind = 'in_production')",
        ),
    };
}

fn push_window(sql: &mut SqlBuilder, query: &CountsQuery) {
    sql.push(" AND ");
    push_event_date(sql, query.event);
    sql.push(" BETWEEN ")
        .bind_text(bridgehead_domain::enterprise::format_date(query.from))
        .push(" AND ")
        .bind_text(bridgehead_domain::enterprise::format_date(query.to));
}

fn keyed_count(row: &AnyRow) -> StoreResult<KeyedCount> {
    let projects: i64 = row.try_get("projects")?;
    Ok(KeyedCount {
        key: row.try_get("line_key")?,
        projects: u64::try_from(projects).unwrap_or_default(),
        planned_total_cny_minor: row.try_get("planned_total_cny_minor")?,
    })
}

const COUNT_COLUMNS: &str = ", COUNT(p.id) AS projects, \
    CAST(COALESCE(SUM(p.planned_total_cny_minor), 0) AS BIGINT) AS planned_total_cny_minor";

/// The reference computation of a count, in SQL; `None` when the region is unknown.
pub async fn reference_counts(conn: &mut Conn, query: &CountsQuery, tiers: &[SizeTier]) -> StoreResult<Option<Counts>> {
    if !region_exists(conn, &query.region).await? {
        return Ok(None);
    }
    let mut sql = SqlBuilder::new("SELECT '' AS line_key");
    sql.push(COUNT_COLUMNS).push(" FROM projects p WHERE");
    push_subtree(&mut sql, &query.region);
    push_filter(&mut sql, &query.filter, tiers);
    push_window(&mut sql, query);
    let mut total = keyed_count(&sql.build().fetch_one(&mut *conn).await?)?;
    total.key.clone_from(&query.region);
    let sql = if query.breakdown == Breakdown::ChildRegions {
        let mut sql = SqlBuilder::new("SELECT c.code AS line_key");
        sql.push(COUNT_COLUMNS).push(
            " FROM regions c LEFT JOIN region_ancestors a ON a.ancestor_code = c.code \
             LEFT JOIN projects p ON p.region_code = a.region_code",
        );
        push_filter(&mut sql, &query.filter, tiers);
        push_window(&mut sql, query);
        sql.push(" WHERE c.parent_code = ").bind_text(query.region.clone()).push(" GROUP BY c.code");
        sql
    } else {
        let mut sql = SqlBuilder::new("SELECT ");
        push_key(&mut sql, query.breakdown, tiers);
        sql.push(" AS line_key").push(COUNT_COLUMNS).push(" FROM projects p");
        push_cluster_join(&mut sql, query.breakdown);
        sql.push(" WHERE");
        push_subtree(&mut sql, &query.region);
        push_filter(&mut sql, &query.filter, tiers);
        push_window(&mut sql, query);
        sql.push(" GROUP BY 1");
        sql
    };
    let mut lines: Vec<KeyedCount> =
        sql.build().fetch_all(&mut *conn).await?.iter().map(keyed_count).collect::<StoreResult<_>>()?;
    lines.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(Some(Counts { total, lines }))
}

/// The newest change to a counted figure (0 when none).
pub async fn last_change(conn: &mut Conn) -> StoreResult<i64> {
    let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) AS seq FROM statistics_changes").fetch_one(&mut *conn).await?;
    Ok(row.try_get("seq")?)
}

/// The sequence numbers of changes recorded at or after `since` and at most `upto`.
pub async fn recent_changes(conn: &mut Conn, since: &str, upto: i64) -> StoreResult<Vec<i64>> {
    let rows = sqlx::query("SELECT seq FROM statistics_changes WHERE changed_at >= $1 AND seq <= $2 ORDER BY seq")
        .bind(since)
        .bind(upto)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(|row| Ok(row.try_get("seq")?)).collect()
}

/// Changes after `after` and those in the ranges `gaps` (sequence numbers skipped
/// earlier, whose transactions may have committed since): `(seq, project id)`, by seq.
pub async fn changes(conn: &mut Conn, after: i64, gaps: &[(i64, i64)]) -> StoreResult<Vec<(i64, i64)>> {
    let mut sql = SqlBuilder::new("SELECT seq, project_id FROM statistics_changes WHERE seq > ");
    sql.bind_int(after);
    for (low, high) in gaps {
        sql.push(" OR seq BETWEEN ").bind_int(*low).push(" AND ").bind_int(*high);
    }
    sql.push(" ORDER BY seq");
    let rows = sql.build().fetch_all(&mut *conn).await?;
    rows.iter().map(|row| Ok((row.try_get("seq")?, row.try_get("project_id")?))).collect()
}

/// Forgets changes recorded before `before` (a timestamp); every running engine has
/// long applied them, and an engine that starts reads the tables themselves.
pub async fn prune_changes(conn: &mut Conn, before: &str) -> StoreResult<u64> {
    let done =
        sqlx::query("DELETE FROM statistics_changes WHERE changed_at < $1").bind(before).execute(&mut *conn).await?;
    Ok(done.rows_affected())
}

fn push_ids(sql: &mut SqlBuilder, column: &str, ids: Option<&[i64]>) {
    if let Some(ids) = ids {
        sql.push(column).push(" IN (");
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind_int(*id);
        }
        sql.push(")");
    } else {
        sql.push("1 = 1");
    }
}

/// What the engine keeps of the projects `ids` (or of every project), with their counted
/// reports, handed to `each` one project at a time; returns the ids asked for that no
/// longer exist.
pub async fn load_facts(
    conn: &mut Conn,
    ids: Option<&[i64]>,
    mut each: impl FnMut(ProjectFacts, Vec<MonthFigures>),
) -> StoreResult<Vec<i64>> {
    let mut sql = SqlBuilder::new(
        "SELECT id, region_code, industry_code, park_id, project_type, capital_source, planned_total_cny_minor, \
         planned_total_usd_minor, fortune_global_500, signed_on FROM projects WHERE ",
    );
    push_ids(&mut sql, "id", ids);
    let mut projects: HashMap<i64, ProjectFacts> = HashMap::new();
    {
        let mut rows = sql.build().fetch(&mut *conn);
        while let Some(row) = rows.try_next().await? {
            let facts = facts_from_row(&row)?;
            projects.insert(facts.id, facts);
        }
    }
    let missing: Vec<i64> = ids.unwrap_or_default().iter().filter(|id| !projects.contains_key(id)).copied().collect();
    let mut sql = SqlBuilder::new("SELECT project_id, cluster_id FROM project_clusters WHERE ");
    push_ids(&mut sql, "project_id", ids);
    for row in sql.build().fetch_all(&mut *conn).await? {
        if let Some(p) = projects.get_mut(&row.try_get::<i64, _>("project_id")?) {
            p.cluster_ids.push(row.try_get("cluster_id")?);
        }
    }
    let mut sql = SqlBuilder::new(
        "SELECT project_id, kind, MIN(occurred_on) AS first_on FROM project_events \
         WHERE kind IN ('started', 'in_production') AND ",
    );
    push_ids(&mut sql, "project_id", ids);
    sql.push(" GROUP BY project_id, kind");
    for row in sql.build().fetch_all(&mut *conn).await? {
        let kind: String = row.try_get("kind")?;
        let on = date_of(&row.try_get::<String, _>("first_on")?)?;
        if let Some(p) = projects.get_mut(&row.try_get::<i64, _>("project_id")?) {
            if kind == "started" {
                p.started_on = Some(on);
            } else {
                p.production_on = Some(on);
            }
        }
    }
    let mut sql = SqlBuilder::new(
        "SELECT project_id, period_index, completed_minor, equipment_minor FROM monthly_reports \
         WHERE status = 'approved_by_city' AND ",
    );
    push_ids(&mut sql, "project_id", ids);
    sql.push(" ORDER BY project_id");
    {
        let mut rows = sql.build().fetch(&mut *conn);
        let mut current: Option<(i64, Vec<MonthFigures>)> = None;
        while let Some(row) = rows.try_next().await? {
            let project: i64 = row.try_get("project_id")?;
            let figures = MonthFigures {
                period_index: row.try_get("period_index")?,
                completed_minor: row.try_get("completed_minor")?,
                equipment_minor: row.try_get("equipment_minor")?,
            };
            match &mut current {
                Some((id, list)) if *id == project => list.push(figures),
                _ => {
                    if let Some((id, list)) = current.take()
                        && let Some(facts) = projects.remove(&id)
                    {
                        each(facts, list);
                    }
                    current = Some((project, vec![figures]));
                }
            }
        }
        if let Some((id, list)) = current
            && let Some(facts) = projects.remove(&id)
        {
            each(facts, list);
        }
    }
    let mut without_reports: Vec<ProjectFacts> = projects.into_values().collect();
    without_reports.sort_by_key(|p| p.id);
    for facts in without_reports {
        each(facts, Vec::new());
    }
    Ok(missing)
}

fn facts_from_row(row: &AnyRow) -> StoreResult<ProjectFacts> {
    let kind: String = row.try_get("project_type")?;
    let source: String = row.try_get("capital_source")?;
    let signed: String = row.try_get("signed_on")?;
    Ok(ProjectFacts {
        id: row.try_get("id")?,
        region_code: row.try_get("region_code")?,
        industry_code: row.try_get("industry_code")?,
        park_id: row.try_get("park_id")?,
        project_type: ProjectType::parse(&kind).ok_or_else(|| corrupt("type", &kind))?,
        capital_source: CapitalSource::parse(&source).ok_or_else(|| corrupt("capital source", &source))?,
        cluster_ids: Vec::new(),
        planned_total_cny_minor: row.try_get("planned_total_cny_minor")?,
        planned_total_usd_minor: row.try_get("planned_total_usd_minor")?,
        fortune_global_500: row.try_get::<i64, _>("fortune_global_500")? != 0,
        signed_on: date_of(&signed)?,
        started_on: None,
        production_on: None,
    })
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

/// A project as a figure's drill-down names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectLabel {
    pub id: i64,
    pub code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub region_code: String,
}

/// The labels of the projects `ids` (those that exist), by id.
pub async fn project_labels(conn: &mut Conn, ids: &[i64]) -> StoreResult<HashMap<i64, ProjectLabel>> {
    let mut labels = HashMap::new();
    for chunk in ids.chunks(500) {
        let mut sql = SqlBuilder::new("SELECT id, code, name_zh, name_en, region_code FROM projects WHERE ");
        push_ids(&mut sql, "id", Some(chunk));
        for row in sql.build().fetch_all(&mut *conn).await? {
            let label = ProjectLabel {
                id: row.try_get("id")?,
                code: row.try_get("code")?,
                name_zh: row.try_get("name_zh")?,
                name_en: row.try_get("name_en")?,
                region_code: row.try_get("region_code")?,
            };
            labels.insert(label.id, label);
        }
    }
    Ok(labels)
}

/// Asks every running statistics engine to rebuild (the region tree or the size tiers
/// changed): a change row for project 0.
pub async fn request_rebuild(conn: &mut Conn) -> StoreResult<()> {
    sqlx::query("INSERT INTO statistics_changes (project_id, changed_at) VALUES (0, $1)")
        .bind(crate::now_text())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Replaces the size tiers (from the lowest threshold up) and asks every engine to rebuild.
pub async fn replace_size_tiers(conn: &mut Conn, tiers: &[SizeTier]) -> StoreResult<()> {
    sqlx::query("DELETE FROM size_tiers").execute(&mut *conn).await?;
    for (position, tier) in tiers.iter().enumerate() {
        sqlx::query(
            "INSERT INTO size_tiers (position, code, name_zh, name_en, min_cny_minor, min_usd_minor, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(i64::try_from(position + 1).unwrap_or(i64::MAX))
        .bind(&tier.code)
        .bind(&tier.name_zh)
        .bind(&tier.name_en)
        .bind(tier.min_cny_minor)
        .bind(tier.min_usd_minor)
        .bind(crate::now_text())
        .execute(&mut *conn)
        .await?;
    }
    request_rebuild(conn).await
}
