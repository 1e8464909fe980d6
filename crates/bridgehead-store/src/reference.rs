//! Reference data (SPEC §1): regions and their ancestry, region groups, industries,
//! parks, cluster taxonomies, enterprise tags, currencies and exchange rates,
//! organisations.

use std::collections::HashMap;

use bridgehead_domain::codes::IndustryLevel;
use bridgehead_domain::reference::{
    Cluster, ClusterTaxonomy, Currency, ExchangeRate, Industry, Organization, OrganizationKind, Park, ParkLevel,
    Region, RegionGroup, RegionLevel, Tag,
};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::sql::{SqlBuilder, like_pattern};
use crate::{Conn, StoreError, StoreResult};

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("unknown {what} '{value}'"))
}

fn region_from_row(row: &AnyRow) -> StoreResult<Region> {
    let level: String = row.try_get("level")?;
    Ok(Region {
        code: row.try_get("code")?,
        name_zh: row.try_get("name_zh")?,
        name_en: row.try_get("name_en")?,
        level: RegionLevel::parse(&level).ok_or_else(|| corrupt("region level", &level))?,
        parent_code: row.try_get("parent_code")?,
    })
}

/// Inserts or updates a region. Call [`rebuild_region_ancestors`] after a batch.
pub async fn upsert_region(conn: &mut Conn, region: &Region) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO regions (code, name_zh, name_en, level, parent_code) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en, \
         level = excluded.level, parent_code = excluded.parent_code",
    )
    .bind(&region.code)
    .bind(&region.name_zh)
    .bind(&region.name_en)
    .bind(region.level.as_str())
    .bind(&region.parent_code)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Recomputes the region → ancestor table from the parent links.
pub async fn rebuild_region_ancestors(conn: &mut Conn) -> StoreResult<()> {
    let rows = sqlx::query("SELECT code, parent_code FROM regions").fetch_all(&mut *conn).await?;
    let mut parent_of = HashMap::new();
    for row in &rows {
        let code: String = row.try_get("code")?;
        let parent: Option<String> = row.try_get("parent_code")?;
        parent_of.insert(code, parent);
    }
    sqlx::query("DELETE FROM region_ancestors").execute(&mut *conn).await?;
    for code in parent_of.keys() {
        let mut current = Some(code.clone());
        let mut depth = 0_i64;
        while let Some(ancestor) = current {
            if depth > 16 {
                return Err(StoreError::Corrupt(format!("region {code} has a cycle in its parents")));
            }
            sqlx::query("INSERT INTO region_ancestors (region_code, ancestor_code, depth) VALUES ($1, $2, $3)")
                .bind(code)
                .bind(&ancestor)
                .bind(depth)
                .execute(&mut *conn)
                .await?;
            current = parent_of.get(&ancestor).cloned().flatten();
            depth += 1;
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct RegionFilter {
    pub parent_code: Option<String>,
    pub level: Option<RegionLevel>,
    /// Only regions under (or equal to) this one.
    pub within: Option<String>,
    pub search: Option<String>,
}

pub async fn list_regions(conn: &mut Conn, filter: &RegionFilter) -> StoreResult<Vec<Region>> {
    let mut sql = SqlBuilder::new("SELECT r.* FROM regions r WHERE 1 = 1");
    if let Some(parent) = &filter.parent_code {
        sql.push(" AND r.parent_code = ").bind_text(parent.clone());
    }
    if let Some(level) = filter.level {
        sql.push(" AND r.level = ").bind_text(level.as_str());
    }
    if let Some(within) = &filter.within {
        sql.push(" AND r.code IN (SELECT region_code FROM region_ancestors WHERE ancestor_code = ")
            .bind_text(within.clone())
            .push(")");
    }
    if let Some(search) = &filter.search {
        let pattern = like_pattern(&search.to_lowercase());
        sql.push(" AND (r.code LIKE ")
            .bind_text(pattern.clone())
            .push(" ESCAPE '\\' OR LOWER(r.name_zh) LIKE ")
            .bind_text(pattern.clone())
            .push(" ESCAPE '\\' OR LOWER(COALESCE(r.name_en, '')) LIKE ")
            .bind_text(pattern)
            .push(" ESCAPE '\\')");
    }
    sql.push(" ORDER BY r.code");
    let rows = sql.build().fetch_all(&mut *conn).await?;
    rows.iter().map(region_from_row).collect()
}

pub async fn get_region(conn: &mut Conn, code: &str) -> StoreResult<Option<Region>> {
    let row = sqlx::query("SELECT * FROM regions WHERE code = $1").bind(code).fetch_optional(&mut *conn).await?;
    row.as_ref().map(region_from_row).transpose()
}

/// The region and its ancestors, nearest first.
pub async fn region_lineage(conn: &mut Conn, code: &str) -> StoreResult<Vec<Region>> {
    let rows = sqlx::query(
        "SELECT r.* FROM region_ancestors a JOIN regions r ON r.code = a.ancestor_code \
         WHERE a.region_code = $1 ORDER BY a.depth",
    )
    .bind(code)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(region_from_row).collect()
}

/// Whether `region` is `ancestor` or lies under it.
pub async fn region_within(conn: &mut Conn, region: &str, ancestor: &str) -> StoreResult<bool> {
    let row = sqlx::query("SELECT 1 AS hit FROM region_ancestors WHERE region_code = $1 AND ancestor_code = $2")
        .bind(region)
        .bind(ancestor)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.is_some())
}

pub async fn upsert_region_group(conn: &mut Conn, group: &RegionGroup) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO region_groups (code, name_zh, name_en) VALUES ($1, $2, $3) \
         ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en",
    )
    .bind(&group.code)
    .bind(&group.name_zh)
    .bind(&group.name_en)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM region_group_members WHERE group_code = $1").bind(&group.code).execute(&mut *conn).await?;
    for member in &group.members {
        sqlx::query("INSERT INTO region_group_members (group_code, region_code) VALUES ($1, $2)")
            .bind(&group.code)
            .bind(member)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn list_region_groups(conn: &mut Conn) -> StoreResult<Vec<RegionGroup>> {
    let groups = sqlx::query("SELECT * FROM region_groups ORDER BY code").fetch_all(&mut *conn).await?;
    let members =
        sqlx::query("SELECT group_code, region_code FROM region_group_members ORDER BY group_code, region_code")
            .fetch_all(&mut *conn)
            .await?;
    let mut by_group: HashMap<String, Vec<String>> = HashMap::new();
    for row in &members {
        by_group.entry(row.try_get("group_code")?).or_default().push(row.try_get("region_code")?);
    }
    groups
        .iter()
        .map(|row| {
            let code: String = row.try_get("code")?;
            Ok(RegionGroup {
                members: by_group.remove(&code).unwrap_or_default(),
                code,
                name_zh: row.try_get("name_zh")?,
                name_en: row.try_get("name_en")?,
            })
        })
        .collect()
}

fn industry_from_row(row: &AnyRow) -> StoreResult<Industry> {
    let level: String = row.try_get("level")?;
    Ok(Industry {
        edition: row.try_get("edition")?,
        code: row.try_get("code")?,
        level: IndustryLevel::parse(&level).ok_or_else(|| corrupt("industry level", &level))?,
        parent_code: row.try_get("parent_code")?,
        name_zh: row.try_get("name_zh")?,
        name_en: row.try_get("name_en")?,
    })
}

/// Inserts or updates an industry entry. An English name already stored is kept when
/// the new entry has none (class lists often come in Chinese only).
pub async fn upsert_industry(conn: &mut Conn, industry: &Industry) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO industries (edition, code, level, parent_code, name_zh, name_en) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (edition, code) DO UPDATE SET level = excluded.level, parent_code = excluded.parent_code, \
         name_zh = excluded.name_zh, name_en = COALESCE(excluded.name_en, industries.name_en)",
    )
    .bind(&industry.edition)
    .bind(&industry.code)
    .bind(industry.level.as_str())
    .bind(&industry.parent_code)
    .bind(&industry.name_zh)
    .bind(&industry.name_en)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct IndustryFilter {
    pub edition: String,
    pub level: Option<IndustryLevel>,
    pub parent_code: Option<String>,
    pub search: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

pub async fn list_industries(conn: &mut Conn, filter: &IndustryFilter) -> StoreResult<(Vec<Industry>, i64)> {
    let mut condition = SqlBuilder::new(" FROM industries WHERE edition = ");
    condition.bind_text(filter.edition.clone());
    if let Some(level) = filter.level {
        condition.push(" AND level = ").bind_text(level.as_str());
    }
    if let Some(parent) = &filter.parent_code {
        condition.push(" AND parent_code = ").bind_text(parent.clone());
    }
    if let Some(search) = &filter.search {
        let pattern = like_pattern(&search.to_lowercase());
        condition
            .push(" AND (code LIKE ")
            .bind_text(pattern.clone())
            .push(" ESCAPE '\\' OR LOWER(name_zh) LIKE ")
            .bind_text(pattern.clone())
            .push(" ESCAPE '\\' OR LOWER(COALESCE(name_en, '')) LIKE ")
            .bind_text(pattern)
            .push(" ESCAPE '\\')");
    }
    let count = condition.clone().with_prefix("SELECT COUNT(*) AS n");
    let total: i64 = count.build().fetch_one(&mut *conn).await?.try_get("n")?;
    let mut page = condition.with_prefix("SELECT *");
    page.push(" ORDER BY code LIMIT ").bind_int(filter.limit).push(" OFFSET ").bind_int(filter.offset);
    let rows = page.build().fetch_all(&mut *conn).await?;
    Ok((rows.iter().map(industry_from_row).collect::<StoreResult<_>>()?, total))
}

pub async fn get_industry(conn: &mut Conn, edition: &str, code: &str) -> StoreResult<Option<Industry>> {
    let row = sqlx::query("SELECT * FROM industries WHERE edition = $1 AND code = $2")
        .bind(edition)
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(industry_from_row).transpose()
}

fn park_from_row(row: &AnyRow) -> StoreResult<Park> {
    let level: String = row.try_get("level")?;
    Ok(Park {
        id: row.try_get("id")?,
        name_zh: row.try_get("name_zh")?,
        name_en: row.try_get("name_en")?,
        region_code: row.try_get("region_code")?,
        level: ParkLevel::parse(&level).ok_or_else(|| corrupt("park level", &level))?,
        version: row.try_get("version")?,
    })
}

/// Fields of a park as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParkFields {
    pub name_zh: String,
    pub name_en: Option<String>,
    pub region_code: String,
    pub level: ParkLevel,
}

pub async fn insert_park(conn: &mut Conn, park: &ParkFields) -> StoreResult<Park> {
    let row =
        sqlx::query("INSERT INTO parks (name_zh, name_en, region_code, level) VALUES ($1, $2, $3, $4) RETURNING *")
            .bind(&park.name_zh)
            .bind(&park.name_en)
            .bind(&park.region_code)
            .bind(park.level.as_str())
            .fetch_one(&mut *conn)
            .await?;
    park_from_row(&row)
}

/// Updates a park if it is still at `expected_version`.
pub async fn update_park(conn: &mut Conn, id: i64, expected_version: i64, park: &ParkFields) -> StoreResult<Park> {
    let row = sqlx::query(
        "UPDATE parks SET name_zh = $1, name_en = $2, region_code = $3, level = $4, version = version + 1 \
         WHERE id = $5 AND version = $6 RETURNING *",
    )
    .bind(&park.name_zh)
    .bind(&park.name_en)
    .bind(&park.region_code)
    .bind(park.level.as_str())
    .bind(id)
    .bind(expected_version)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(row) => park_from_row(&row),
        None if get_park(conn, id).await?.is_some() => Err(StoreError::Conflict),
        None => Err(StoreError::NotFound),
    }
}

pub async fn get_park(conn: &mut Conn, id: i64) -> StoreResult<Option<Park>> {
    let row = sqlx::query("SELECT * FROM parks WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?;
    row.as_ref().map(park_from_row).transpose()
}

pub async fn find_park(conn: &mut Conn, region_code: &str, name_zh: &str) -> StoreResult<Option<Park>> {
    let row = sqlx::query("SELECT * FROM parks WHERE region_code = $1 AND name_zh = $2")
        .bind(region_code)
        .bind(name_zh)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(park_from_row).transpose()
}

/// Parks, optionally only those in regions under `within`.
pub async fn list_parks(conn: &mut Conn, within: Option<&str>) -> StoreResult<Vec<Park>> {
    let mut sql = SqlBuilder::new("SELECT * FROM parks");
    if let Some(within) = within {
        sql.push(" WHERE region_code IN (SELECT region_code FROM region_ancestors WHERE ancestor_code = ")
            .bind_text(within)
            .push(")");
    }
    sql.push(" ORDER BY region_code, name_zh");
    let rows = sql.build().fetch_all(&mut *conn).await?;
    rows.iter().map(park_from_row).collect()
}

/// A new version of a cluster system, with its clusters.
#[derive(Debug, Clone)]
pub struct NewClusterTaxonomy {
    pub code: String,
    pub region_code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub clusters: Vec<NewCluster>,
}

#[derive(Debug, Clone)]
pub struct NewCluster {
    pub code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub industry_prefixes: Vec<String>,
}

/// Stores a taxonomy as the next version of its code; earlier versions stay as they were.
pub async fn insert_cluster_taxonomy(conn: &mut Conn, taxonomy: &NewClusterTaxonomy) -> StoreResult<ClusterTaxonomy> {
    let next: i64 = sqlx::query("SELECT COALESCE(MAX(version), 0) + 1 AS v FROM cluster_taxonomies WHERE code = $1")
        .bind(&taxonomy.code)
        .fetch_one(&mut *conn)
        .await?
        .try_get("v")?;
    let id: i64 = sqlx::query(
        "INSERT INTO cluster_taxonomies (code, version, region_code, name_zh, name_en, valid_from, valid_to) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(&taxonomy.code)
    .bind(next)
    .bind(&taxonomy.region_code)
    .bind(&taxonomy.name_zh)
    .bind(&taxonomy.name_en)
    .bind(&taxonomy.valid_from)
    .bind(&taxonomy.valid_to)
    .fetch_one(&mut *conn)
    .await?
    .try_get("id")?;
    for cluster in &taxonomy.clusters {
        let cluster_id: i64 = sqlx::query(
            "INSERT INTO clusters (taxonomy_id, code, name_zh, name_en) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(id)
        .bind(&cluster.code)
        .bind(&cluster.name_zh)
        .bind(&cluster.name_en)
        .fetch_one(&mut *conn)
        .await?
        .try_get("id")?;
        for prefix in &cluster.industry_prefixes {
            sqlx::query("INSERT INTO cluster_industries (cluster_id, industry_prefix) VALUES ($1, $2)")
                .bind(cluster_id)
                .bind(prefix)
                .execute(&mut *conn)
                .await?;
        }
    }
    get_cluster_taxonomy(conn, id).await?.ok_or(StoreError::NotFound)
}

fn taxonomy_from_row(row: &AnyRow) -> StoreResult<ClusterTaxonomy> {
    Ok(ClusterTaxonomy {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        version: row.try_get("version")?,
        region_code: row.try_get("region_code")?,
        name_zh: row.try_get("name_zh")?,
        name_en: row.try_get("name_en")?,
        valid_from: row.try_get("valid_from")?,
        valid_to: row.try_get("valid_to")?,
        clusters: Vec::new(),
    })
}

pub async fn get_cluster_taxonomy(conn: &mut Conn, id: i64) -> StoreResult<Option<ClusterTaxonomy>> {
    let Some(row) =
        sqlx::query("SELECT * FROM cluster_taxonomies WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?
    else {
        return Ok(None);
    };
    let mut taxonomy = taxonomy_from_row(&row)?;
    let clusters = sqlx::query("SELECT * FROM clusters WHERE taxonomy_id = $1 ORDER BY code")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    let prefixes = sqlx::query(
        "SELECT ci.cluster_id, ci.industry_prefix FROM cluster_industries ci JOIN clusters c ON c.id = ci.cluster_id \
         WHERE c.taxonomy_id = $1 ORDER BY ci.industry_prefix",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut by_cluster: HashMap<i64, Vec<String>> = HashMap::new();
    for row in &prefixes {
        by_cluster.entry(row.try_get("cluster_id")?).or_default().push(row.try_get("industry_prefix")?);
    }
    for row in &clusters {
        let cluster_id: i64 = row.try_get("id")?;
        taxonomy.clusters.push(Cluster {
            id: cluster_id,
            code: row.try_get("code")?,
            name_zh: row.try_get("name_zh")?,
            name_en: row.try_get("name_en")?,
            industry_prefixes: by_cluster.remove(&cluster_id).unwrap_or_default(),
        });
    }
    Ok(Some(taxonomy))
}

/// All taxonomy versions (without their clusters), optionally under a region.
pub async fn list_cluster_taxonomies(conn: &mut Conn, within: Option<&str>) -> StoreResult<Vec<ClusterTaxonomy>> {
    let mut sql = SqlBuilder::new("SELECT * FROM cluster_taxonomies");
    if let Some(within) = within {
        // A region sees its own systems and those of the regions above it.
        sql.push(" WHERE region_code IN (SELECT ancestor_code FROM region_ancestors WHERE region_code = ")
            .bind_text(within)
            .push(") OR region_code IN (SELECT region_code FROM region_ancestors WHERE ancestor_code = ")
            .bind_text(within)
            .push(")");
    }
    sql.push(" ORDER BY code, version");
    let rows = sql.build().fetch_all(&mut *conn).await?;
    rows.iter().map(taxonomy_from_row).collect()
}

pub async fn upsert_tag(conn: &mut Conn, tag: &Tag) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO enterprise_tags (code, name_zh, name_en) VALUES ($1, $2, $3) \
         ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en",
    )
    .bind(&tag.code)
    .bind(&tag.name_zh)
    .bind(&tag.name_en)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn list_tags(conn: &mut Conn) -> StoreResult<Vec<Tag>> {
    let rows = sqlx::query("SELECT * FROM enterprise_tags ORDER BY code").fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| {
            Ok(Tag { code: row.try_get("code")?, name_zh: row.try_get("name_zh")?, name_en: row.try_get("name_en")? })
        })
        .collect()
}

pub async fn upsert_currency(conn: &mut Conn, currency: &Currency) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO currencies (code, name_zh, name_en) VALUES ($1, $2, $3) \
         ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en",
    )
    .bind(&currency.code)
    .bind(&currency.name_zh)
    .bind(&currency.name_en)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn list_currencies(conn: &mut Conn) -> StoreResult<Vec<Currency>> {
    let rows = sqlx::query("SELECT * FROM currencies ORDER BY code").fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| {
            Ok(Currency {
                code: row.try_get("code")?,
                name_zh: row.try_get("name_zh")?,
                name_en: row.try_get("name_en")?,
            })
        })
        .collect()
}

fn rate_from_row(row: &AnyRow) -> StoreResult<ExchangeRate> {
    Ok(ExchangeRate {
        currency_code: row.try_get("currency_code")?,
        rate_date: row.try_get("rate_date")?,
        rate: row.try_get("rate")?,
        source: row.try_get("source")?,
    })
}

/// Stores a rate; returns the rate that was there before, if any.
pub async fn upsert_exchange_rate(conn: &mut Conn, rate: &ExchangeRate) -> StoreResult<Option<ExchangeRate>> {
    let before = sqlx::query("SELECT * FROM exchange_rates WHERE currency_code = $1 AND rate_date = $2")
        .bind(&rate.currency_code)
        .bind(&rate.rate_date)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(rate_from_row)
        .transpose()?;
    sqlx::query(
        "INSERT INTO exchange_rates (currency_code, rate_date, rate, source) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (currency_code, rate_date) DO UPDATE SET rate = excluded.rate, source = excluded.source",
    )
    .bind(&rate.currency_code)
    .bind(&rate.rate_date)
    .bind(&rate.rate)
    .bind(&rate.source)
    .execute(&mut *conn)
    .await?;
    Ok(before)
}

pub async fn list_exchange_rates(
    conn: &mut Conn,
    currency: Option<&str>,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<ExchangeRate>, i64)> {
    let mut condition = SqlBuilder::new(" FROM exchange_rates");
    if let Some(currency) = currency {
        condition.push(" WHERE currency_code = ").bind_text(currency);
    }
    let total: i64 =
        condition.clone().with_prefix("SELECT COUNT(*) AS n").build().fetch_one(&mut *conn).await?.try_get("n")?;
    let mut page = condition.with_prefix("SELECT *");
    page.push(" ORDER BY rate_date DESC, currency_code LIMIT ").bind_int(limit).push(" OFFSET ").bind_int(offset);
    let rows = page.build().fetch_all(&mut *conn).await?;
    Ok((rows.iter().map(rate_from_row).collect::<StoreResult<_>>()?, total))
}

/// The rate in force on `date`: the latest published on or before it.
pub async fn rate_on(conn: &mut Conn, currency: &str, date: &str) -> StoreResult<Option<ExchangeRate>> {
    let row = sqlx::query(
        "SELECT * FROM exchange_rates WHERE currency_code = $1 AND rate_date <= $2 ORDER BY rate_date DESC LIMIT 1",
    )
    .bind(currency)
    .bind(date)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(rate_from_row).transpose()
}

fn organization_from_row(row: &AnyRow) -> StoreResult<Organization> {
    let kind: String = row.try_get("kind")?;
    Ok(Organization {
        id: row.try_get("id")?,
        kind: OrganizationKind::parse(&kind).ok_or_else(|| corrupt("organisation kind", &kind))?,
        name_zh: row.try_get("name_zh")?,
        name_en: row.try_get("name_en")?,
        region_code: row.try_get("region_code")?,
    })
}

/// Creates an organisation, or returns the one of the same kind and name.
pub async fn ensure_organization(
    conn: &mut Conn,
    kind: OrganizationKind,
    name_zh: &str,
    name_en: Option<&str>,
    region_code: &str,
) -> StoreResult<Organization> {
    if let Some(row) = sqlx::query("SELECT * FROM organizations WHERE kind = $1 AND name_zh = $2")
        .bind(kind.as_str())
        .bind(name_zh)
        .fetch_optional(&mut *conn)
        .await?
    {
        return organization_from_row(&row);
    }
    let row = sqlx::query(
        "INSERT INTO organizations (kind, name_zh, name_en, region_code) VALUES ($1, $2, $3, $4) RETURNING *",
    )
    .bind(kind.as_str())
    .bind(name_zh)
    .bind(name_en)
    .bind(region_code)
    .fetch_one(&mut *conn)
    .await?;
    organization_from_row(&row)
}

pub async fn get_organization(conn: &mut Conn, id: i64) -> StoreResult<Option<Organization>> {
    let row = sqlx::query("SELECT * FROM organizations WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?;
    row.as_ref().map(organization_from_row).transpose()
}

pub async fn list_organizations(conn: &mut Conn) -> StoreResult<Vec<Organization>> {
    let rows = sqlx::query("SELECT * FROM organizations ORDER BY kind, name_zh").fetch_all(&mut *conn).await?;
    rows.iter().map(organization_from_row).collect()
}
