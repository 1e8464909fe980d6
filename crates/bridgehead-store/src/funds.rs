//! Funds, partners, holdings, the ledger, valuations and notices (SPEC §5). The rules
//! that keep the ledger true live in the schema (migration 0009): contributions within
//! commitments, an append-only ledger, reversals at most once, same-fund references;
//! and a ledger file imported once per fund (migration 0011).

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Conn, StoreResult, now_text};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundRow {
    pub id: i64,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub kind: String,
    pub manager_organization_id: Option<i64>,
    pub currency_code: String,
    pub target_size_minor: i64,
    pub vintage: i64,
    pub investment_years: i64,
    pub term_years: i64,
    pub home_region_code: String,
    pub focus_industries: String,
    pub terms_json: String,
    pub created_by: String,
    pub created_at: String,
    pub version: i64,
}

#[derive(Debug, Clone)]
pub struct NewFund<'a> {
    pub name_zh: &'a str,
    pub name_en: Option<&'a str>,
    pub kind: &'a str,
    pub manager_organization_id: Option<i64>,
    pub currency_code: &'a str,
    pub target_size_minor: i64,
    pub vintage: i64,
    pub investment_years: i64,
    pub term_years: i64,
    pub home_region_code: &'a str,
    pub focus_industries: &'a str,
    pub terms_json: &'a str,
    pub created_by: &'a str,
}

pub(crate) fn fund_row(row: &AnyRow) -> StoreResult<FundRow> {
    Ok(FundRow {
        id: row.try_get("id")?,
        name_zh: row.try_get("name_zh")?,
        name_en: row.try_get("name_en")?,
        kind: row.try_get("kind")?,
        manager_organization_id: row.try_get("manager_organization_id")?,
        currency_code: row.try_get("currency_code")?,
        target_size_minor: row.try_get("target_size_minor")?,
        vintage: row.try_get("vintage")?,
        investment_years: row.try_get("investment_years")?,
        term_years: row.try_get("term_years")?,
        home_region_code: row.try_get("home_region_code")?,
        focus_industries: row.try_get("focus_industries")?,
        terms_json: row.try_get("terms_json")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        version: row.try_get("version")?,
    })
}

pub async fn insert_fund(conn: &mut Conn, fund: &NewFund<'_>) -> StoreResult<FundRow> {
    let row = sqlx::query(
        "INSERT INTO funds (name_zh, name_en, kind, manager_organization_id, currency_code, target_size_minor, \
         vintage, investment_years, term_years, home_region_code, focus_industries, terms_json, created_by, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING *",
    )
    .bind(fund.name_zh)
    .bind(fund.name_en)
    .bind(fund.kind)
    .bind(fund.manager_organization_id)
    .bind(fund.currency_code)
    .bind(fund.target_size_minor)
    .bind(fund.vintage)
    .bind(fund.investment_years)
    .bind(fund.term_years)
    .bind(fund.home_region_code)
    .bind(fund.focus_industries)
    .bind(fund.terms_json)
    .bind(fund.created_by)
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await?;
    fund_row(&row)
}

pub async fn fund(conn: &mut Conn, id: i64) -> StoreResult<Option<FundRow>> {
    let row = sqlx::query("SELECT * FROM funds WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?;
    row.as_ref().map(fund_row).transpose()
}

pub async fn funds(conn: &mut Conn) -> StoreResult<Vec<FundRow>> {
    let rows = sqlx::query("SELECT * FROM funds ORDER BY id").fetch_all(&mut *conn).await?;
    rows.iter().map(fund_row).collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerRow {
    pub id: i64,
    pub fund_id: i64,
    pub name: String,
    pub kind: String,
    pub investor_fund_id: Option<i64>,
    pub commitment_minor: i64,
    pub contributed_minor: i64,
    pub committed_on: String,
}

#[derive(Debug, Clone)]
pub struct NewPartner<'a> {
    pub fund_id: i64,
    pub name: &'a str,
    pub kind: &'a str,
    pub investor_fund_id: Option<i64>,
    pub commitment_minor: i64,
    pub committed_on: &'a str,
    pub created_by: &'a str,
}

pub(crate) fn partner_row(row: &AnyRow) -> StoreResult<PartnerRow> {
    Ok(PartnerRow {
        id: row.try_get("id")?,
        fund_id: row.try_get("fund_id")?,
        name: row.try_get("name")?,
        kind: row.try_get("kind")?,
        investor_fund_id: row.try_get("investor_fund_id")?,
        commitment_minor: row.try_get("commitment_minor")?,
        contributed_minor: row.try_get("contributed_minor")?,
        committed_on: row.try_get("committed_on")?,
    })
}

pub async fn insert_partner(conn: &mut Conn, partner: &NewPartner<'_>) -> StoreResult<PartnerRow> {
    let row = sqlx::query(
        "INSERT INTO fund_partners (fund_id, name, kind, investor_fund_id, commitment_minor, committed_on, \
         created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *",
    )
    .bind(partner.fund_id)
    .bind(partner.name)
    .bind(partner.kind)
    .bind(partner.investor_fund_id)
    .bind(partner.commitment_minor)
    .bind(partner.committed_on)
    .bind(partner.created_by)
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await?;
    partner_row(&row)
}

/// The partners of a fund, in the order they were admitted.
pub async fn partners(conn: &mut Conn, fund_id: i64) -> StoreResult<Vec<PartnerRow>> {
    let rows = sqlx::query("SELECT * FROM fund_partners WHERE fund_id = $1 ORDER BY id")
        .bind(fund_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(partner_row).collect()
}

/// One partner of a fund.
pub async fn partner(conn: &mut Conn, fund_id: i64, id: i64) -> StoreResult<Option<PartnerRow>> {
    let row = sqlx::query("SELECT * FROM fund_partners WHERE id = $1 AND fund_id = $2")
        .bind(id)
        .bind(fund_id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(partner_row).transpose()
}

/// The edges of the fund tree: every partner that is a fund (`investor_fund_id` invests
/// in `fund_id`).
pub async fn fund_edges(conn: &mut Conn) -> StoreResult<Vec<PartnerRow>> {
    let rows = sqlx::query("SELECT * FROM fund_partners WHERE investor_fund_id IS NOT NULL ORDER BY id")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(partner_row).collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HoldingRow {
    pub id: i64,
    pub fund_id: i64,
    pub enterprise_id: Option<i64>,
    pub sub_fund_id: Option<i64>,
    pub project_id: Option<i64>,
    pub acquired_on: String,
}

#[derive(Debug, Clone)]
pub struct NewHolding<'a> {
    pub fund_id: i64,
    pub enterprise_id: Option<i64>,
    pub sub_fund_id: Option<i64>,
    pub project_id: Option<i64>,
    pub acquired_on: &'a str,
    pub created_by: &'a str,
}

fn holding_row(row: &AnyRow) -> StoreResult<HoldingRow> {
    Ok(HoldingRow {
        id: row.try_get("id")?,
        fund_id: row.try_get("fund_id")?,
        enterprise_id: row.try_get("enterprise_id")?,
        sub_fund_id: row.try_get("sub_fund_id")?,
        project_id: row.try_get("project_id")?,
        acquired_on: row.try_get("acquired_on")?,
    })
}

pub async fn insert_holding(conn: &mut Conn, holding: &NewHolding<'_>) -> StoreResult<HoldingRow> {
    let row = sqlx::query(
        "INSERT INTO fund_holdings (fund_id, enterprise_id, sub_fund_id, project_id, acquired_on, created_by, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *",
    )
    .bind(holding.fund_id)
    .bind(holding.enterprise_id)
    .bind(holding.sub_fund_id)
    .bind(holding.project_id)
    .bind(holding.acquired_on)
    .bind(holding.created_by)
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await?;
    holding_row(&row)
}

pub async fn holdings(conn: &mut Conn, fund_id: i64) -> StoreResult<Vec<HoldingRow>> {
    let rows = sqlx::query("SELECT * FROM fund_holdings WHERE fund_id = $1 ORDER BY id")
        .bind(fund_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(holding_row).collect()
}

/// The holding through which `fund_id` invests in `sub_fund_id`.
pub async fn sub_fund_holding(conn: &mut Conn, fund_id: i64, sub_fund_id: i64) -> StoreResult<Option<HoldingRow>> {
    let row = sqlx::query("SELECT * FROM fund_holdings WHERE fund_id = $1 AND sub_fund_id = $2")
        .bind(fund_id)
        .bind(sub_fund_id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(holding_row).transpose()
}

/// A holding with the names a ledger file may call it by: its company's names and
/// credit code, or its sub-fund's names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldingNameRow {
    pub id: i64,
    pub enterprise_id: Option<i64>,
    pub sub_fund_id: Option<i64>,
    pub name_zh: String,
    pub name_en: Option<String>,
    /// The company's; `None` for a sub-fund.
    pub credit_code: Option<String>,
}

/// A fund's holdings with their names, in the order they were recorded.
pub async fn holding_names(conn: &mut Conn, fund_id: i64) -> StoreResult<Vec<HoldingNameRow>> {
    let rows = sqlx::query(
        "SELECT h.id, h.enterprise_id, h.sub_fund_id, COALESCE(e.name_zh, f.name_zh) AS name_zh, \
         COALESCE(e.name_en, f.name_en) AS name_en, e.credit_code FROM fund_holdings h \
         LEFT JOIN enterprises e ON e.id = h.enterprise_id LEFT JOIN funds f ON f.id = h.sub_fund_id \
         WHERE h.fund_id = $1 ORDER BY h.id",
    )
    .bind(fund_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(HoldingNameRow {
                id: row.try_get("id")?,
                enterprise_id: row.try_get("enterprise_id")?,
                sub_fund_id: row.try_get("sub_fund_id")?,
                name_zh: row.try_get("name_zh")?,
                name_en: row.try_get("name_en")?,
                credit_code: row.try_get("credit_code")?,
            })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryRow {
    pub id: i64,
    pub fund_id: i64,
    pub entry_date: String,
    pub kind: String,
    pub amount_minor: i64,
    pub component: Option<String>,
    pub partner_id: Option<i64>,
    pub holding_id: Option<i64>,
    pub notice_id: Option<i64>,
    pub reverses_id: Option<i64>,
    pub mirror_of_id: Option<i64>,
    pub memo: Option<String>,
    pub entered_by: String,
    pub entered_at: String,
}

#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    pub fund_id: i64,
    pub entry_date: &'a str,
    pub kind: &'a str,
    pub amount_minor: i64,
    pub component: Option<&'a str>,
    pub partner_id: Option<i64>,
    pub holding_id: Option<i64>,
    pub notice_id: Option<i64>,
    pub reverses_id: Option<i64>,
    pub mirror_of_id: Option<i64>,
    pub memo: Option<&'a str>,
    pub entered_by: &'a str,
    pub entered_by_user_id: Option<i64>,
}

pub(crate) fn entry_row(row: &AnyRow) -> StoreResult<EntryRow> {
    Ok(EntryRow {
        id: row.try_get("id")?,
        fund_id: row.try_get("fund_id")?,
        entry_date: row.try_get("entry_date")?,
        kind: row.try_get("kind")?,
        amount_minor: row.try_get("amount_minor")?,
        component: row.try_get("component")?,
        partner_id: row.try_get("partner_id")?,
        holding_id: row.try_get("holding_id")?,
        notice_id: row.try_get("notice_id")?,
        reverses_id: row.try_get("reverses_id")?,
        mirror_of_id: row.try_get("mirror_of_id")?,
        memo: row.try_get("memo")?,
        entered_by: row.try_get("entered_by")?,
        entered_at: row.try_get("entered_at")?,
    })
}

pub async fn insert_entry(conn: &mut Conn, entry: &NewEntry<'_>) -> StoreResult<EntryRow> {
    let row = sqlx::query(
        "INSERT INTO fund_entries (fund_id, entry_date, kind, amount_minor, component, partner_id, holding_id, \
         notice_id, reverses_id, mirror_of_id, memo, entered_by, entered_by_user_id, entered_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING *",
    )
    .bind(entry.fund_id)
    .bind(entry.entry_date)
    .bind(entry.kind)
    .bind(entry.amount_minor)
    .bind(entry.component)
    .bind(entry.partner_id)
    .bind(entry.holding_id)
    .bind(entry.notice_id)
    .bind(entry.reverses_id)
    .bind(entry.mirror_of_id)
    .bind(entry.memo)
    .bind(entry.entered_by)
    .bind(entry.entered_by_user_id)
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await?;
    entry_row(&row)
}

pub async fn entry(conn: &mut Conn, id: i64) -> StoreResult<Option<EntryRow>> {
    let row = sqlx::query("SELECT * FROM fund_entries WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?;
    row.as_ref().map(entry_row).transpose()
}

/// Entries written because of `id` (its mirrors in the investing fund).
pub async fn mirrors_of(conn: &mut Conn, id: i64) -> StoreResult<Vec<EntryRow>> {
    let rows = sqlx::query("SELECT * FROM fund_entries WHERE mirror_of_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(entry_row).collect()
}

/// A fund's ledger in date order (then entry order).
pub async fn entries(conn: &mut Conn, fund_id: i64) -> StoreResult<Vec<EntryRow>> {
    let rows = sqlx::query("SELECT * FROM fund_entries WHERE fund_id = $1 ORDER BY entry_date, id")
        .bind(fund_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(entry_row).collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValuationRow {
    pub id: i64,
    pub fund_id: i64,
    pub holding_id: Option<i64>,
    pub valued_on: String,
    pub amount_minor: i64,
    pub method: Option<String>,
    pub entered_by: String,
}

pub(crate) fn valuation_row(row: &AnyRow) -> StoreResult<ValuationRow> {
    Ok(ValuationRow {
        id: row.try_get("id")?,
        fund_id: row.try_get("fund_id")?,
        holding_id: row.try_get("holding_id")?,
        valued_on: row.try_get("valued_on")?,
        amount_minor: row.try_get("amount_minor")?,
        method: row.try_get("method")?,
        entered_by: row.try_get("entered_by")?,
    })
}

pub async fn insert_valuation(
    conn: &mut Conn,
    fund_id: i64,
    holding_id: Option<i64>,
    valued_on: &str,
    amount_minor: i64,
    method: Option<&str>,
    entered_by: &str,
) -> StoreResult<ValuationRow> {
    let row = sqlx::query(
        "INSERT INTO fund_valuations (fund_id, holding_id, valued_on, amount_minor, method, entered_by, entered_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *",
    )
    .bind(fund_id)
    .bind(holding_id)
    .bind(valued_on)
    .bind(amount_minor)
    .bind(method)
    .bind(entered_by)
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await?;
    valuation_row(&row)
}

pub async fn valuations(conn: &mut Conn, fund_id: i64) -> StoreResult<Vec<ValuationRow>> {
    let rows = sqlx::query("SELECT * FROM fund_valuations WHERE fund_id = $1 ORDER BY valued_on, id")
        .bind(fund_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(valuation_row).collect()
}

/// The six components of a notice or of one of its lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Parts {
    pub investment: i64,
    pub fees: i64,
    pub expenses: i64,
    pub capital: i64,
    pub gain: i64,
    pub income: i64,
}

impl Parts {
    pub fn total(&self) -> i64 {
        self.investment + self.fees + self.expenses + self.capital + self.gain + self.income
    }
}

fn parts(row: &AnyRow) -> StoreResult<Parts> {
    Ok(Parts {
        investment: row.try_get("investment_minor")?,
        fees: row.try_get("fees_minor")?,
        expenses: row.try_get("expenses_minor")?,
        capital: row.try_get("capital_minor")?,
        gain: row.try_get("gain_minor")?,
        income: row.try_get("income_minor")?,
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeRow {
    pub id: i64,
    pub fund_id: i64,
    pub kind: String,
    pub notice_date: String,
    pub due_date: String,
    pub total_minor: i64,
    pub parts: Parts,
    pub memo: Option<String>,
    pub created_by: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeLineRow {
    pub notice_id: i64,
    pub partner_id: i64,
    pub commitment_minor: i64,
    pub amount_minor: i64,
    pub parts: Parts,
    pub unfunded_after_minor: i64,
}

fn notice_row(row: &AnyRow) -> StoreResult<NoticeRow> {
    Ok(NoticeRow {
        id: row.try_get("id")?,
        fund_id: row.try_get("fund_id")?,
        kind: row.try_get("kind")?,
        notice_date: row.try_get("notice_date")?,
        due_date: row.try_get("due_date")?,
        total_minor: row.try_get("total_minor")?,
        parts: parts(row)?,
        memo: row.try_get("memo")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
    })
}

fn notice_line_row(row: &AnyRow) -> StoreResult<NoticeLineRow> {
    Ok(NoticeLineRow {
        notice_id: row.try_get("notice_id")?,
        partner_id: row.try_get("partner_id")?,
        commitment_minor: row.try_get("commitment_minor")?,
        amount_minor: row.try_get("amount_minor")?,
        parts: parts(row)?,
        unfunded_after_minor: row.try_get("unfunded_after_minor")?,
    })
}

/// Stores a notice and its lines.
#[allow(clippy::too_many_arguments)]
pub async fn insert_notice(
    conn: &mut Conn,
    fund_id: i64,
    kind: &str,
    notice_date: &str,
    due_date: &str,
    total: &Parts,
    memo: Option<&str>,
    created_by: &str,
    lines: &[NoticeLineRow],
) -> StoreResult<NoticeRow> {
    let row = sqlx::query(
        "INSERT INTO fund_notices (fund_id, kind, notice_date, due_date, total_minor, investment_minor, fees_minor, \
         expenses_minor, capital_minor, gain_minor, income_minor, memo, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING *",
    )
    .bind(fund_id)
    .bind(kind)
    .bind(notice_date)
    .bind(due_date)
    .bind(total.total())
    .bind(total.investment)
    .bind(total.fees)
    .bind(total.expenses)
    .bind(total.capital)
    .bind(total.gain)
    .bind(total.income)
    .bind(memo)
    .bind(created_by)
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await?;
    let notice = notice_row(&row)?;
    for line in lines {
        sqlx::query(
            "INSERT INTO fund_notice_lines (notice_id, partner_id, commitment_minor, amount_minor, investment_minor, \
             fees_minor, expenses_minor, capital_minor, gain_minor, income_minor, unfunded_after_minor) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(notice.id)
        .bind(line.partner_id)
        .bind(line.commitment_minor)
        .bind(line.amount_minor)
        .bind(line.parts.investment)
        .bind(line.parts.fees)
        .bind(line.parts.expenses)
        .bind(line.parts.capital)
        .bind(line.parts.gain)
        .bind(line.parts.income)
        .bind(line.unfunded_after_minor)
        .execute(&mut *conn)
        .await?;
    }
    Ok(notice)
}

pub async fn notice(conn: &mut Conn, id: i64) -> StoreResult<Option<(NoticeRow, Vec<NoticeLineRow>)>> {
    let Some(row) = sqlx::query("SELECT * FROM fund_notices WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?
    else {
        return Ok(None);
    };
    let notice = notice_row(&row)?;
    let lines = sqlx::query("SELECT * FROM fund_notice_lines WHERE notice_id = $1 ORDER BY partner_id")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    Ok(Some((notice, lines.iter().map(notice_line_row).collect::<StoreResult<_>>()?)))
}

pub async fn notices(conn: &mut Conn, fund_id: i64) -> StoreResult<Vec<NoticeRow>> {
    let rows = sqlx::query("SELECT * FROM fund_notices WHERE fund_id = $1 ORDER BY notice_date, id")
        .bind(fund_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(notice_row).collect()
}

/// The partners that have paid (or been paid) a notice: an entry of the notice that is
/// not itself reversed.
pub async fn notice_payers(conn: &mut Conn, notice_id: i64) -> StoreResult<Vec<i64>> {
    let rows = sqlx::query(
        "SELECT DISTINCT e.partner_id FROM fund_entries e WHERE e.notice_id = $1 AND e.reverses_id IS NULL \
         AND NOT EXISTS (SELECT 1 FROM fund_entries r WHERE r.reverses_id = e.id) ORDER BY e.partner_id",
    )
    .bind(notice_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|r| Ok(r.try_get("partner_id")?)).collect()
}

/// Per partner of a fund, the capital called by notices so far.
pub async fn called_by_partner(conn: &mut Conn, fund_id: i64) -> StoreResult<Vec<(i64, i64)>> {
    let rows = sqlx::query(
        "SELECT l.partner_id, CAST(SUM(l.amount_minor) AS BIGINT) AS called FROM fund_notice_lines l \
         JOIN fund_notices n ON n.id = l.notice_id WHERE n.fund_id = $1 AND n.kind = 'call' GROUP BY l.partner_id",
    )
    .bind(fund_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|r| Ok((r.try_get("partner_id")?, r.try_get("called")?))).collect()
}

/// A ledger file's import, as kept under its fund and the file's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerImportRow {
    pub import_id: i64,
    /// When it was imported (from the import log).
    pub at: String,
    pub outcome_json: String,
}

/// The import of the file with this SHA-256 into this fund's ledger, if it was imported.
pub async fn ledger_import(conn: &mut Conn, fund_id: i64, file_sha256: &str) -> StoreResult<Option<LedgerImportRow>> {
    let row = sqlx::query(
        "SELECT l.import_id, i.at, l.outcome_json FROM fund_ledger_imports l JOIN imports i ON i.id = l.import_id \
         WHERE l.fund_id = $1 AND l.file_sha256 = $2",
    )
    .bind(fund_id)
    .bind(file_sha256)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| {
        Ok(LedgerImportRow {
            import_id: row.try_get("import_id")?,
            at: row.try_get("at")?,
            outcome_json: row.try_get("outcome_json")?,
        })
    })
    .transpose()
}

/// Keeps a ledger file's import under its fund and hash. A second import of the same
/// file into the same fund is refused as a duplicate, whichever transaction gets here
/// second (on PostgreSQL it waits for the first to end).
pub async fn insert_ledger_import(
    conn: &mut Conn,
    fund_id: i64,
    file_sha256: &str,
    import_id: i64,
    outcome_json: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO fund_ledger_imports (fund_id, file_sha256, import_id, outcome_json) VALUES ($1, $2, $3, $4)",
    )
    .bind(fund_id)
    .bind(file_sha256)
    .bind(import_id)
    .bind(outcome_json)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
