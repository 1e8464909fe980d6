//! What the fund book and the policy KPIs of a guidance fund read (SPEC §5): the funds'
//! data in a handful of queries (of every fund, or of the funds changed since a version of
//! the change feed), the versioned rule sets and the evidence recorded for holdings.

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::funds::{FundRow, PartnerRow, ValuationRow};
use crate::{Conn, StoreResult, now_text};

/// A holding with what the KPIs need of its company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeHoldingRow {
    pub id: i64,
    pub fund_id: i64,
    pub sub_fund_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    pub enterprise_name: Option<String>,
    pub region_code: Option<String>,
    pub industry_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceRow {
    pub id: i64,
    pub holding_id: i64,
    pub kind: String,
    pub project_id: i64,
    pub project_name: String,
    pub project_region_code: String,
    pub project_amount_minor: i64,
    pub document: String,
    pub noted_on: String,
    pub entered_by: String,
}

/// A ledger entry as the calculations need it (the columns they read, no more).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeEntryRow {
    pub id: i64,
    pub fund_id: i64,
    pub entry_date: String,
    pub kind: String,
    pub amount_minor: i64,
    pub component: Option<String>,
    pub partner_id: Option<i64>,
    pub holding_id: Option<i64>,
}

/// Every row of the funds' data the calculations read (of every fund, or of some).
#[derive(Debug, Clone, Default)]
pub struct TreeRows {
    pub funds: Vec<FundRow>,
    pub partners: Vec<PartnerRow>,
    pub holdings: Vec<TreeHoldingRow>,
    pub entries: Vec<TreeEntryRow>,
    pub valuations: Vec<ValuationRow>,
    pub evidence: Vec<EvidenceRow>,
}

const EVIDENCE_SELECT: &str = "SELECT v.*, p.name_zh AS project_name, p.region_code AS project_region_code, \
     p.planned_total_cny_minor AS project_amount_minor FROM fund_holding_evidence v \
     JOIN projects p ON p.id = v.project_id";

fn evidence_row(row: &AnyRow) -> StoreResult<EvidenceRow> {
    Ok(EvidenceRow {
        id: row.try_get("id")?,
        holding_id: row.try_get("holding_id")?,
        kind: row.try_get("kind")?,
        project_id: row.try_get("project_id")?,
        project_name: row.try_get("project_name")?,
        project_region_code: row.try_get("project_region_code")?,
        project_amount_minor: row.try_get("project_amount_minor")?,
        document: row.try_get("document")?,
        noted_on: row.try_get("noted_on")?,
        entered_by: row.try_get("entered_by")?,
    })
}

/// Which funds' rows to read.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    All,
    Funds(&'a [i64]),
}

impl Scope<'_> {
    /// The condition on `column` (a fund id) that keeps the scope's rows; ids are
    /// numbers, written into the SQL as such.
    fn condition(self, column: &str) -> String {
        match self {
            Scope::All => "1 = 1".to_owned(),
            Scope::Funds([]) => "1 = 0".to_owned(),
            Scope::Funds(ids) => {
                format!("{column} IN ({})", ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", "))
            }
        }
    }
}

async fn rows(conn: &mut Conn, scope: Scope<'_>, column: &str, select: &str, order: &str) -> StoreResult<Vec<AnyRow>> {
    // Constant SQL and numbers only: `select`, `column` and `order` are this module's literals.
    let sql = format!("{select} WHERE {} ORDER BY {order}", scope.condition(column));
    Ok(sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *conn).await?)
}

/// The funds of `scope` with their partners, holdings (and their companies), ledgers,
/// valuations and evidence.
pub async fn fund_rows(conn: &mut Conn, scope: Scope<'_>) -> StoreResult<TreeRows> {
    let funds = rows(conn, scope, "f.id", "SELECT f.* FROM funds f", "f.id").await?;
    let partners = rows(conn, scope, "p.fund_id", "SELECT p.* FROM fund_partners p", "p.id").await?;
    let holdings = rows(
        conn,
        scope,
        "h.fund_id",
        "SELECT h.id, h.fund_id, h.sub_fund_id, h.enterprise_id, e.name_zh AS enterprise_name, e.region_code, \
         e.industry_code FROM fund_holdings h LEFT JOIN enterprises e ON e.id = h.enterprise_id",
        "h.id",
    )
    .await?;
    let entries = rows(
        conn,
        scope,
        "fund_id",
        "SELECT id, fund_id, entry_date, kind, amount_minor, component, partner_id, holding_id FROM fund_entries",
        "fund_id, entry_date, id",
    )
    .await?;
    let valuations = rows(conn, scope, "fund_id", "SELECT * FROM fund_valuations", "fund_id, valued_on, id").await?;
    let evidence = rows(
        conn,
        scope,
        "h.fund_id",
        &format!("{EVIDENCE_SELECT} JOIN fund_holdings h ON h.id = v.holding_id"),
        "v.id",
    )
    .await?;
    Ok(TreeRows {
        funds: funds.iter().map(crate::funds::fund_row).collect::<StoreResult<_>>()?,
        partners: partners.iter().map(crate::funds::partner_row).collect::<StoreResult<_>>()?,
        holdings: holdings
            .iter()
            .map(|row| {
                Ok(TreeHoldingRow {
                    id: row.try_get("id")?,
                    fund_id: row.try_get("fund_id")?,
                    sub_fund_id: row.try_get("sub_fund_id")?,
                    enterprise_id: row.try_get("enterprise_id")?,
                    enterprise_name: row.try_get("enterprise_name")?,
                    region_code: row.try_get("region_code")?,
                    industry_code: row.try_get("industry_code")?,
                })
            })
            .collect::<StoreResult<_>>()?,
        entries: entries
            .iter()
            .map(|row| {
                Ok(TreeEntryRow {
                    id: row.try_get(0)?,
                    fund_id: row.try_get(1)?,
                    entry_date: row.try_get(2)?,
                    kind: row.try_get(3)?,
                    amount_minor: row.try_get(4)?,
                    component: row.try_get(5)?,
                    partner_id: row.try_get(6)?,
                    holding_id: row.try_get(7)?,
                })
            })
            .collect::<StoreResult<_>>()?,
        valuations: valuations.iter().map(crate::funds::valuation_row).collect::<StoreResult<_>>()?,
        evidence: evidence.iter().map(evidence_row).collect::<StoreResult<_>>()?,
    })
}

/// The evidence recorded for one fund's holdings.
pub async fn evidence(conn: &mut Conn, fund_id: i64) -> StoreResult<Vec<EvidenceRow>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{EVIDENCE_SELECT} JOIN fund_holdings h ON h.id = v.holding_id WHERE h.fund_id = $1 ORDER BY v.id"
    )))
    .bind(fund_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(evidence_row).collect()
}

/// One evidence record.
pub async fn evidence_item(conn: &mut Conn, id: i64) -> StoreResult<Option<EvidenceRow>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{EVIDENCE_SELECT} WHERE v.id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(evidence_row).transpose()
}

#[derive(Debug, Clone)]
pub struct NewEvidence<'a> {
    pub holding_id: i64,
    pub kind: &'a str,
    pub project_id: i64,
    pub document: &'a str,
    pub noted_on: &'a str,
    pub entered_by: &'a str,
}

pub async fn insert_evidence(conn: &mut Conn, evidence: &NewEvidence<'_>) -> StoreResult<i64> {
    let row = sqlx::query(
        "INSERT INTO fund_holding_evidence (holding_id, kind, project_id, document, noted_on, entered_by, \
         entered_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(evidence.holding_id)
    .bind(evidence.kind)
    .bind(evidence.project_id)
    .bind(evidence.document)
    .bind(evidence.noted_on)
    .bind(evidence.entered_by)
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("id")?)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleSetRow {
    pub id: i64,
    pub code: String,
    pub version: i64,
    pub name: String,
    pub effective_from: String,
    pub rules_json: String,
    pub created_by: String,
    pub created_at: String,
}

fn rule_set_row(row: &AnyRow) -> StoreResult<RuleSetRow> {
    Ok(RuleSetRow {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        version: row.try_get("version")?,
        name: row.try_get("name")?,
        effective_from: row.try_get("effective_from")?,
        rules_json: row.try_get("rules_json")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
    })
}

/// Adds the next version of rule set `code` (version 1 if it is new). Two writers racing
/// for the same version meet the unique (code, version) key.
pub async fn insert_rule_set(
    conn: &mut Conn,
    code: &str,
    name: &str,
    effective_from: &str,
    rules_json: &str,
    created_by: &str,
) -> StoreResult<RuleSetRow> {
    let row = sqlx::query(
        "INSERT INTO fund_rule_sets (code, version, name, effective_from, rules_json, created_by, created_at) \
         SELECT $1, COALESCE(MAX(version), 0) + 1, $2, $3, $4, $5, $6 FROM fund_rule_sets WHERE code = $1 \
         RETURNING *",
    )
    .bind(code)
    .bind(name)
    .bind(effective_from)
    .bind(rules_json)
    .bind(created_by)
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await?;
    rule_set_row(&row)
}

/// Every version of every rule set (or of one), by code then version.
pub async fn rule_sets(conn: &mut Conn, code: Option<&str>) -> StoreResult<Vec<RuleSetRow>> {
    let rows = match code {
        Some(code) => {
            sqlx::query("SELECT * FROM fund_rule_sets WHERE code = $1 ORDER BY version")
                .bind(code)
                .fetch_all(&mut *conn)
                .await?
        }
        None => sqlx::query("SELECT * FROM fund_rule_sets ORDER BY code, version").fetch_all(&mut *conn).await?,
    };
    rows.iter().map(rule_set_row).collect()
}

/// The region codes at or under `ancestor`.
pub async fn regions_within(conn: &mut Conn, ancestor: &str) -> StoreResult<Vec<String>> {
    let rows = sqlx::query("SELECT region_code FROM region_ancestors WHERE ancestor_code = $1")
        .bind(ancestor)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(|r| Ok(r.try_get("region_code")?)).collect()
}

/// Replaces a fund's terms if it is still at `expected_version`; the new version, or
/// `None` when someone changed it first.
pub async fn set_terms(
    conn: &mut Conn,
    fund_id: i64,
    expected_version: i64,
    terms_json: &str,
) -> StoreResult<Option<i64>> {
    let row = sqlx::query(
        "UPDATE funds SET terms_json = $1, version = version + 1 WHERE id = $2 AND version = $3 RETURNING version",
    )
    .bind(terms_json)
    .bind(fund_id)
    .bind(expected_version)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| Ok(r.try_get("version")?)).transpose()
}

/// Where the fund book's change feed stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookVersion {
    pub version: i64,
    /// Changes up to this version have been removed from the feed.
    pub pruned_through: i64,
    /// Changes when the database's contents are replaced (a restored backup): versions
    /// of another epoch say nothing about this one's.
    pub epoch: String,
}

pub async fn book_version(conn: &mut Conn) -> StoreResult<BookVersion> {
    let row =
        sqlx::query("SELECT version, pruned_through, epoch FROM fund_book WHERE id = 1").fetch_one(&mut *conn).await?;
    Ok(BookVersion { version: row.try_get(0)?, pruned_through: row.try_get(1)?, epoch: row.try_get(2)? })
}

/// Gives the feed a new epoch (after the database's contents were replaced).
pub async fn renew_book_epoch(conn: &mut Conn) -> StoreResult<()> {
    let epoch = format!("restored {} by process {}", now_text(), std::process::id());
    sqlx::query("UPDATE fund_book SET epoch = $1 WHERE id = 1").bind(epoch).execute(&mut *conn).await?;
    Ok(())
}

/// The funds changed after version `after`, up to `upto`.
pub async fn changed_funds(conn: &mut Conn, after: i64, upto: i64) -> StoreResult<Vec<i64>> {
    let rows =
        sqlx::query("SELECT DISTINCT fund_id FROM fund_changes WHERE version > $1 AND version <= $2 ORDER BY fund_id")
            .bind(after)
            .bind(upto)
            .fetch_all(&mut *conn)
            .await?;
    rows.iter().map(|row| Ok(row.try_get(0)?)).collect()
}

/// Removes the changes up to `through` from the feed (books older than that rebuild).
pub async fn prune_changes(conn: &mut Conn, through: i64) -> StoreResult<()> {
    sqlx::query("DELETE FROM fund_changes WHERE version <= $1").bind(through).execute(&mut *conn).await?;
    sqlx::query("UPDATE fund_book SET pruned_through = $1 WHERE id = 1 AND pruned_through < $1")
        .bind(through)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
