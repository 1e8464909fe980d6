//! Enterprises and their yearly figures (SPEC §2).

use std::collections::HashMap;

use bridgehead_domain::codes::{CreditCode, INDUSTRY_EDITION, IndustryCode, RegionCode};
use bridgehead_domain::enterprise::{
    Enterprise, EnterpriseRecord, EnterpriseSize, Ownership, YearlyFigures, format_date, parse_date,
};
use bridgehead_domain::money::CurrencyCode;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::sql::{SqlBuilder, like_pattern};
use crate::{Conn, StoreError, StoreResult, now_text};

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("enterprise {what} '{value}'"))
}

fn from_row(row: &AnyRow, tags: Vec<String>) -> StoreResult<Enterprise> {
    let credit_code: String = row.try_get("credit_code")?;
    let region_code: String = row.try_get("region_code")?;
    let industry_code: Option<String> = row.try_get("industry_code")?;
    let currency: String = row.try_get("registered_capital_currency")?;
    let established_on: Option<String> = row.try_get("established_on")?;
    let ownership: Option<String> = row.try_get("ownership")?;
    let size: Option<String> = row.try_get("size")?;
    let listed: i64 = row.try_get("listed")?;
    let record = EnterpriseRecord {
        credit_code: CreditCode::parse_structure(&credit_code).map_err(|_| corrupt("credit code", &credit_code))?,
        credit_code_override_reason: row.try_get("credit_code_override_reason")?,
        name_zh: row.try_get("name_zh")?,
        name_en: row.try_get("name_en")?,
        region_code: RegionCode::parse(&region_code).map_err(|_| corrupt("region", &region_code))?,
        address: row.try_get("address")?,
        industry_code: industry_code
            .map(|c| IndustryCode::parse(&c).map_err(|_| corrupt("industry", &c)))
            .transpose()?,
        registered_capital_minor: row.try_get("registered_capital_minor")?,
        registered_capital_currency: CurrencyCode::parse(&currency).map_err(|_| corrupt("currency", &currency))?,
        established_on: established_on.map(|d| parse_date(&d).map_err(|_| corrupt("date", &d))).transpose()?,
        ownership: ownership.map(|o| Ownership::parse(&o).ok_or_else(|| corrupt("ownership", &o))).transpose()?,
        size: size.map(|s| EnterpriseSize::parse(&s).ok_or_else(|| corrupt("size", &s))).transpose()?,
        listed: listed != 0,
        contact_name: row.try_get("contact_name")?,
        contact_phone: row.try_get("contact_phone")?,
        contact_email: row.try_get("contact_email")?,
        tags,
    };
    Ok(Enterprise {
        id: row.try_get("id")?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        record,
    })
}

async fn tags_of(conn: &mut Conn, ids: &[i64]) -> StoreResult<HashMap<i64, Vec<String>>> {
    let mut by_enterprise: HashMap<i64, Vec<String>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let mut sql =
            SqlBuilder::new("SELECT enterprise_id, tag_code FROM enterprise_tag_links WHERE enterprise_id IN (");
        for (index, id) in chunk.iter().enumerate() {
            if index > 0 {
                sql.push(", ");
            }
            sql.bind_int(*id);
        }
        sql.push(") ORDER BY tag_code");
        for row in sql.build().fetch_all(&mut *conn).await? {
            by_enterprise.entry(row.try_get("enterprise_id")?).or_default().push(row.try_get("tag_code")?);
        }
    }
    Ok(by_enterprise)
}

async fn with_tags(conn: &mut Conn, rows: Vec<AnyRow>) -> StoreResult<Vec<Enterprise>> {
    let ids: Vec<i64> = rows.iter().map(|row| row.try_get("id")).collect::<Result<_, _>>()?;
    let mut tags = tags_of(conn, &ids).await?;
    rows.iter().zip(ids).map(|(row, id)| from_row(row, tags.remove(&id).unwrap_or_default())).collect()
}

async fn set_tags(conn: &mut Conn, id: i64, tags: &[String]) -> StoreResult<()> {
    sqlx::query("DELETE FROM enterprise_tag_links WHERE enterprise_id = $1").bind(id).execute(&mut *conn).await?;
    for tag in tags {
        sqlx::query("INSERT INTO enterprise_tag_links (enterprise_id, tag_code) VALUES ($1, $2)")
            .bind(id)
            .bind(tag)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

fn bind_record(sql: &mut SqlBuilder, record: &EnterpriseRecord) {
    let optional = |value: &Option<String>| value.clone().map_or(crate::sql::Value::Null, crate::sql::Value::Text);
    sql.bind_text(record.credit_code.as_str())
        .push(", ")
        .bind(optional(&record.credit_code_override_reason))
        .push(", ")
        .bind_text(record.name_zh.clone())
        .push(", ")
        .bind(optional(&record.name_en))
        .push(", ")
        .bind_text(record.region_code.as_str())
        .push(", ")
        .bind(optional(&record.address))
        .push(", ")
        .bind(optional(&record.industry_code.as_ref().map(|_| INDUSTRY_EDITION.to_owned())))
        .push(", ")
        .bind(optional(&record.industry_code.as_ref().map(ToString::to_string)))
        .push(", ")
        .bind(record.registered_capital_minor.map_or(crate::sql::Value::NullInt, crate::sql::Value::Int))
        .push(", ")
        .bind_text(record.registered_capital_currency.as_str())
        .push(", ")
        .bind(optional(&record.established_on.map(format_date)))
        .push(", ")
        .bind(optional(&record.ownership.map(|o| o.as_str().to_owned())))
        .push(", ")
        .bind(optional(&record.size.map(|s| s.as_str().to_owned())))
        .push(", ")
        .bind_int(i64::from(record.listed))
        .push(", ")
        .bind(optional(&record.contact_name))
        .push(", ")
        .bind(optional(&record.contact_phone))
        .push(", ")
        .bind(optional(&record.contact_email));
}

const COLUMNS: &str = "credit_code, credit_code_override_reason, name_zh, name_en, region_code, address, \
    industry_edition, industry_code, registered_capital_minor, registered_capital_currency, established_on, \
    ownership, size, listed, contact_name, contact_phone, contact_email";

pub async fn insert(conn: &mut Conn, record: &EnterpriseRecord) -> StoreResult<Enterprise> {
    let now = now_text();
    let mut sql = SqlBuilder::new(&format!("INSERT INTO enterprises ({COLUMNS}, created_at, updated_at) VALUES ("));
    bind_record(&mut sql, record);
    sql.push(", ").bind_text(now.clone()).push(", ").bind_text(now).push(") RETURNING id");
    let id: i64 = sql.build().fetch_one(&mut *conn).await?.try_get("id")?;
    set_tags(conn, id, &record.tags).await?;
    get(conn, id).await?.ok_or(StoreError::NotFound)
}

/// Replaces an enterprise's fields if it is still at `expected_version`.
pub async fn update(
    conn: &mut Conn,
    id: i64,
    expected_version: i64,
    record: &EnterpriseRecord,
) -> StoreResult<Enterprise> {
    let mut sql = SqlBuilder::new(&format!("UPDATE enterprises SET ({COLUMNS}, updated_at, version) = ("));
    bind_record(&mut sql, record);
    sql.push(", ")
        .bind_text(now_text())
        .push(", version + 1) WHERE id = ")
        .bind_int(id)
        .push(" AND version = ")
        .bind_int(expected_version)
        .push(" RETURNING id");
    let updated = sql.build().fetch_optional(&mut *conn).await?;
    if updated.is_none() {
        return Err(if get(conn, id).await?.is_some() { StoreError::Conflict } else { StoreError::NotFound });
    }
    set_tags(conn, id, &record.tags).await?;
    get(conn, id).await?.ok_or(StoreError::NotFound)
}

pub async fn get(conn: &mut Conn, id: i64) -> StoreResult<Option<Enterprise>> {
    let rows = sqlx::query("SELECT * FROM enterprises WHERE id = $1").bind(id).fetch_all(&mut *conn).await?;
    Ok(with_tags(conn, rows).await?.pop())
}

pub async fn get_by_credit_code(conn: &mut Conn, credit_code: &str) -> StoreResult<Option<Enterprise>> {
    let rows =
        sqlx::query("SELECT * FROM enterprises WHERE credit_code = $1").bind(credit_code).fetch_all(&mut *conn).await?;
    Ok(with_tags(conn, rows).await?.pop())
}

/// How to order a list of enterprises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EnterpriseSort {
    #[default]
    Name,
    CreditCode,
    Region,
    Established,
    Capital,
    Updated,
}

impl EnterpriseSort {
    pub const ALL: [(&'static str, EnterpriseSort); 6] = [
        ("name", Self::Name),
        ("credit_code", Self::CreditCode),
        ("region", Self::Region),
        ("established_on", Self::Established),
        ("registered_capital", Self::Capital),
        ("updated_at", Self::Updated),
    ];

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.iter().find(|(name, _)| *name == input).map(|(_, sort)| *sort)
    }

    fn column(self) -> &'static str {
        match self {
            Self::Name => "e.name_zh",
            Self::CreditCode => "e.credit_code",
            Self::Region => "e.region_code",
            Self::Established => "e.established_on",
            Self::Capital => "e.registered_capital_minor",
            Self::Updated => "e.updated_at",
        }
    }
}

/// A filtered, sorted page of enterprises. `within_region` and `only_id` carry the
/// caller's scope and are always applied by the app layer.
#[derive(Debug, Clone, Default)]
pub struct EnterpriseFilter {
    pub search: Option<String>,
    pub region_within: Option<String>,
    pub scope_region_within: Option<String>,
    pub only_id: Option<i64>,
    pub industry_prefix: Option<String>,
    pub ownership: Option<Ownership>,
    pub size: Option<EnterpriseSize>,
    pub tag: Option<String>,
    pub listed: Option<bool>,
    pub sort: EnterpriseSort,
    pub descending: bool,
    pub limit: i64,
    pub offset: i64,
}

pub async fn list(conn: &mut Conn, filter: &EnterpriseFilter) -> StoreResult<(Vec<Enterprise>, i64)> {
    let mut condition = SqlBuilder::new(" FROM enterprises e WHERE 1 = 1");
    for within in [&filter.region_within, &filter.scope_region_within].into_iter().flatten() {
        condition
            .push(" AND e.region_code IN (SELECT region_code FROM region_ancestors WHERE ancestor_code = ")
            .bind_text(within.clone())
            .push(")");
    }
    if let Some(id) = filter.only_id {
        condition.push(" AND e.id = ").bind_int(id);
    }
    if let Some(search) = &filter.search {
        let pattern = like_pattern(&search.to_lowercase());
        condition
            .push(" AND (LOWER(e.name_zh) LIKE ")
            .bind_text(pattern.clone())
            .push(" ESCAPE '\\' OR LOWER(COALESCE(e.name_en, '')) LIKE ")
            .bind_text(pattern.clone())
            .push(" ESCAPE '\\' OR LOWER(e.credit_code) LIKE ")
            .bind_text(pattern)
            .push(" ESCAPE '\\')");
    }
    if let Some(prefix) = &filter.industry_prefix {
        condition.push(" AND e.industry_code LIKE ").bind_text(format!("{}%", prefix.replace(['%', '_', '\\'], "")));
    }
    if let Some(ownership) = filter.ownership {
        condition.push(" AND e.ownership = ").bind_text(ownership.as_str());
    }
    if let Some(size) = filter.size {
        condition.push(" AND e.size = ").bind_text(size.as_str());
    }
    if let Some(tag) = &filter.tag {
        condition
            .push(" AND e.id IN (SELECT enterprise_id FROM enterprise_tag_links WHERE tag_code = ")
            .bind_text(tag.clone())
            .push(")");
    }
    if let Some(listed) = filter.listed {
        condition.push(" AND e.listed = ").bind_int(i64::from(listed));
    }
    let total: i64 =
        condition.clone().with_prefix("SELECT COUNT(*) AS n").build().fetch_one(&mut *conn).await?.try_get("n")?;
    let direction = if filter.descending { "DESC" } else { "ASC" };
    let mut page = condition.with_prefix("SELECT e.*");
    // NULLs last in both directions on both databases; the id makes the order total.
    page.push(&format!(
        " ORDER BY ({col} IS NULL), {col} {direction}, e.id {direction} LIMIT ",
        col = filter.sort.column()
    ))
    .bind_int(filter.limit)
    .push(" OFFSET ")
    .bind_int(filter.offset);
    let rows = page.build().fetch_all(&mut *conn).await?;
    Ok((with_tags(conn, rows).await?, total))
}

pub async fn count(conn: &mut Conn) -> StoreResult<i64> {
    Ok(sqlx::query("SELECT COUNT(*) AS n FROM enterprises").fetch_one(&mut *conn).await?.try_get("n")?)
}

fn figures_from_row(row: &AnyRow) -> StoreResult<YearlyFigures> {
    let year: i64 = row.try_get("year")?;
    Ok(YearlyFigures {
        year: i32::try_from(year).map_err(|_| StoreError::Corrupt(format!("year {year}")))?,
        revenue_minor: row.try_get("revenue_minor")?,
        tax_minor: row.try_get("tax_minor")?,
        employees: row.try_get("employees")?,
        rnd_spending_minor: row.try_get("rnd_spending_minor")?,
    })
}

/// Stores one year's figures; returns what was there before.
pub async fn upsert_figures(
    conn: &mut Conn,
    enterprise_id: i64,
    figures: &YearlyFigures,
) -> StoreResult<Option<YearlyFigures>> {
    let before = figures_of_year(conn, enterprise_id, figures.year).await?;
    sqlx::query(
        "INSERT INTO enterprise_figures (enterprise_id, year, revenue_minor, tax_minor, employees, rnd_spending_minor) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (enterprise_id, year) DO UPDATE SET \
         revenue_minor = excluded.revenue_minor, tax_minor = excluded.tax_minor, employees = excluded.employees, \
         rnd_spending_minor = excluded.rnd_spending_minor",
    )
    .bind(enterprise_id)
    .bind(i64::from(figures.year))
    .bind(figures.revenue_minor)
    .bind(figures.tax_minor)
    .bind(figures.employees)
    .bind(figures.rnd_spending_minor)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE enterprises SET version = version + 1, updated_at = $1 WHERE id = $2")
        .bind(now_text())
        .bind(enterprise_id)
        .execute(&mut *conn)
        .await?;
    Ok(before)
}

async fn figures_of_year(conn: &mut Conn, enterprise_id: i64, year: i32) -> StoreResult<Option<YearlyFigures>> {
    let row = sqlx::query("SELECT * FROM enterprise_figures WHERE enterprise_id = $1 AND year = $2")
        .bind(enterprise_id)
        .bind(i64::from(year))
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(figures_from_row).transpose()
}

pub async fn list_figures(conn: &mut Conn, enterprise_id: i64) -> StoreResult<Vec<YearlyFigures>> {
    let rows = sqlx::query("SELECT * FROM enterprise_figures WHERE enterprise_id = $1 ORDER BY year DESC")
        .bind(enterprise_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(figures_from_row).collect()
}
