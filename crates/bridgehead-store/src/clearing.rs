//! The clearing engine's tables (SPEC §7, migration 0013): participants, schemes and
//! their members, cycles, batches, transactions (unique idempotency key per scheme,
//! append-only, reversals never above the original), the flows of each cycle, what a
//! closed cycle produced, disputes and participants' own totals.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::sql::{SqlBuilder, Value};
use crate::{Conn, StoreResult};

/// Bound values per statement, well inside SQLite's 32,766 and PostgreSQL's 65,535.
const MAX_VALUES: usize = 14_000;

fn is_postgres(conn: &Conn) -> bool {
    conn.backend_name().eq_ignore_ascii_case("postgresql") || conn.backend_name().eq_ignore_ascii_case("postgres")
}

/// `FOR SHARE` on PostgreSQL (SQLite has one writer at a time and needs no row locks).
fn for_share(conn: &Conn) -> &'static str {
    if is_postgres(conn) { " FOR SHARE" } else { "" }
}

// ---------------------------------------------------------------- participants

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantRow {
    pub id: i64,
    pub code: String,
    pub organization_id: i64,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub region_code: String,
}

const PARTICIPANT_SELECT: &str = "SELECT p.id, p.code, p.organization_id, o.name_zh, o.name_en, o.region_code \
     FROM clearing_participants p JOIN organizations o ON o.id = p.organization_id";

fn participant_row(row: &AnyRow) -> StoreResult<ParticipantRow> {
    Ok(ParticipantRow {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        organization_id: row.try_get("organization_id")?,
        name_zh: row.try_get("name_zh")?,
        name_en: row.try_get("name_en")?,
        region_code: row.try_get("region_code")?,
    })
}

pub async fn insert_participant(conn: &mut Conn, code: &str, organization_id: i64) -> StoreResult<i64> {
    let row = sqlx::query(
        "INSERT INTO clearing_participants (code, organization_id, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(code)
    .bind(organization_id)
    .bind(crate::now_text())
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("id")?)
}

pub async fn participants(conn: &mut Conn) -> StoreResult<Vec<ParticipantRow>> {
    let sql = format!("{PARTICIPANT_SELECT} ORDER BY p.code");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *conn).await?;
    rows.iter().map(participant_row).collect()
}

pub async fn participant_of_organization(conn: &mut Conn, organization_id: i64) -> StoreResult<Option<ParticipantRow>> {
    let sql = format!("{PARTICIPANT_SELECT} WHERE p.organization_id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(organization_id).fetch_optional(&mut *conn).await?;
    row.as_ref().map(participant_row).transpose()
}

// ---------------------------------------------------------------- schemes

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemeRow {
    pub id: i64,
    pub code: String,
    pub kind: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub currency_code: String,
    pub cycle_period: String,
    pub started_on: String,
}

pub struct NewScheme<'a> {
    pub code: &'a str,
    pub kind: &'a str,
    pub name_zh: &'a str,
    pub name_en: Option<&'a str>,
    pub currency_code: &'a str,
    pub cycle_period: &'a str,
    pub started_on: &'a str,
}

fn scheme_row(row: &AnyRow) -> StoreResult<SchemeRow> {
    Ok(SchemeRow {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        kind: row.try_get("kind")?,
        name_zh: row.try_get("name_zh")?,
        name_en: row.try_get("name_en")?,
        currency_code: row.try_get("currency_code")?,
        cycle_period: row.try_get("cycle_period")?,
        started_on: row.try_get("started_on")?,
    })
}

const SCHEME_COLUMNS: &str = "id, code, kind, name_zh, name_en, currency_code, cycle_period, started_on";

pub async fn insert_scheme(conn: &mut Conn, scheme: &NewScheme<'_>) -> StoreResult<SchemeRow> {
    let sql = format!(
        "INSERT INTO clearing_schemes (code, kind, name_zh, name_en, currency_code, cycle_period, started_on, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {SCHEME_COLUMNS}"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(scheme.code)
        .bind(scheme.kind)
        .bind(scheme.name_zh)
        .bind(scheme.name_en)
        .bind(scheme.currency_code)
        .bind(scheme.cycle_period)
        .bind(scheme.started_on)
        .bind(crate::now_text())
        .fetch_one(&mut *conn)
        .await?;
    scheme_row(&row)
}

pub async fn schemes(conn: &mut Conn) -> StoreResult<Vec<SchemeRow>> {
    let sql = format!("SELECT {SCHEME_COLUMNS} FROM clearing_schemes ORDER BY code");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *conn).await?;
    rows.iter().map(scheme_row).collect()
}

pub async fn scheme_by_code(conn: &mut Conn, code: &str) -> StoreResult<Option<SchemeRow>> {
    let sql = format!("SELECT {SCHEME_COLUMNS} FROM clearing_schemes WHERE code = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(code).fetch_optional(&mut *conn).await?;
    row.as_ref().map(scheme_row).transpose()
}

pub async fn scheme(conn: &mut Conn, id: i64) -> StoreResult<Option<SchemeRow>> {
    let sql = format!("SELECT {SCHEME_COLUMNS} FROM clearing_schemes WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *conn).await?;
    row.as_ref().map(scheme_row).transpose()
}

/// Adds a member; adding one twice changes nothing.
pub async fn add_member(conn: &mut Conn, scheme_id: i64, participant_id: i64) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO clearing_members (scheme_id, participant_id) VALUES ($1, $2) \
         ON CONFLICT (scheme_id, participant_id) DO NOTHING",
    )
    .bind(scheme_id)
    .bind(participant_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The members of a scheme.
pub async fn members(conn: &mut Conn, scheme_id: i64) -> StoreResult<Vec<ParticipantRow>> {
    let sql = format!(
        "{PARTICIPANT_SELECT} JOIN clearing_members m ON m.participant_id = p.id WHERE m.scheme_id = $1 ORDER BY p.code"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(scheme_id).fetch_all(&mut *conn).await?;
    rows.iter().map(participant_row).collect()
}

/// The ids of the schemes a participant takes part in.
pub async fn schemes_of(conn: &mut Conn, participant_id: i64) -> StoreResult<Vec<i64>> {
    let rows = sqlx::query("SELECT scheme_id FROM clearing_members WHERE participant_id = $1 ORDER BY scheme_id")
        .bind(participant_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(|row| Ok(row.try_get("scheme_id")?)).collect()
}

// ---------------------------------------------------------------- cycles

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleRow {
    pub id: i64,
    pub scheme_id: i64,
    pub opens_at: String,
    pub cut_off: String,
    pub status: String,
    pub closed_at: Option<String>,
    pub closed_by: Option<String>,
    pub transaction_count: Option<i64>,
    pub gross_minor: Option<i64>,
}

const CYCLE_COLUMNS: &str =
    "id, scheme_id, opens_at, cut_off, status, closed_at, closed_by, transaction_count, gross_minor";

fn cycle_row(row: &AnyRow) -> StoreResult<CycleRow> {
    Ok(CycleRow {
        id: row.try_get("id")?,
        scheme_id: row.try_get("scheme_id")?,
        opens_at: row.try_get("opens_at")?,
        cut_off: row.try_get("cut_off")?,
        status: row.try_get("status")?,
        closed_at: row.try_get("closed_at")?,
        closed_by: row.try_get("closed_by")?,
        transaction_count: row.try_get("transaction_count")?,
        gross_minor: row.try_get("gross_minor")?,
    })
}

/// The open cycles of a scheme, earliest cut-off first. With `hold`, each is held
/// against closing until the transaction ends (a cycle closes only when no writer
/// holds it, so nothing enters a cycle after its netting).
pub async fn open_cycles(conn: &mut Conn, scheme_id: i64, hold: bool) -> StoreResult<Vec<CycleRow>> {
    let lock = if hold { for_share(conn) } else { "" };
    let sql = format!(
        "SELECT {CYCLE_COLUMNS} FROM clearing_cycles WHERE scheme_id = $1 AND status = 'open' ORDER BY cut_off{lock}"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(scheme_id).fetch_all(&mut *conn).await?;
    rows.iter().map(cycle_row).collect()
}

/// The latest cut-off of a scheme's closed cycles.
pub async fn last_closed_cut_off(conn: &mut Conn, scheme_id: i64) -> StoreResult<Option<String>> {
    let row =
        sqlx::query("SELECT MAX(cut_off) AS cut_off FROM clearing_cycles WHERE scheme_id = $1 AND status = 'closed'")
            .bind(scheme_id)
            .fetch_one(&mut *conn)
            .await?;
    Ok(row.try_get("cut_off")?)
}

/// Opens a cycle unless one with the same cut-off exists (another writer may open it
/// at the same moment).
pub async fn ensure_cycle(conn: &mut Conn, scheme_id: i64, opens_at: &str, cut_off: &str) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO clearing_cycles (scheme_id, opens_at, cut_off, status) VALUES ($1, $2, $3, 'open') \
         ON CONFLICT (scheme_id, cut_off) DO NOTHING",
    )
    .bind(scheme_id)
    .bind(opens_at)
    .bind(cut_off)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn cycle(conn: &mut Conn, id: i64) -> StoreResult<Option<CycleRow>> {
    let sql = format!("SELECT {CYCLE_COLUMNS} FROM clearing_cycles WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *conn).await?;
    row.as_ref().map(cycle_row).transpose()
}

/// The cycles of a scheme, latest first.
pub async fn cycles(conn: &mut Conn, scheme_id: i64) -> StoreResult<Vec<CycleRow>> {
    let sql = format!("SELECT {CYCLE_COLUMNS} FROM clearing_cycles WHERE scheme_id = $1 ORDER BY cut_off DESC");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(scheme_id).fetch_all(&mut *conn).await?;
    rows.iter().map(cycle_row).collect()
}

/// Holds these cycles open until the transaction ends; returns those still open (a
/// cycle closed meanwhile is missing from the answer).
pub async fn hold_cycles(conn: &mut Conn, ids: &[i64]) -> StoreResult<Vec<CycleRow>> {
    let mut held = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(MAX_VALUES) {
        let mut sql =
            SqlBuilder::new(&format!("SELECT {CYCLE_COLUMNS} FROM clearing_cycles WHERE status = 'open' AND id IN ("));
        for (i, id) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "" } else { ", " }).bind_int(*id);
        }
        sql.push(") ORDER BY id").push(for_share(conn));
        for row in sql.build_on(conn).fetch_all(&mut *conn).await? {
            held.push(cycle_row(&row)?);
        }
    }
    Ok(held)
}

/// Takes an open cycle for closing: waits (PostgreSQL) until no batch holds it, and from
/// then on every batch sees it closing. False when it was not open.
pub async fn claim_for_close(conn: &mut Conn, id: i64) -> StoreResult<bool> {
    let done = sqlx::query("UPDATE clearing_cycles SET closed_by = NULL WHERE id = $1 AND status = 'open'")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks an open cycle closed; false when it was not open. On PostgreSQL this waits
/// for every writer holding the cycle ([`open_cycles`] with `hold`).
pub async fn mark_closed(conn: &mut Conn, id: i64, closed_by: &str) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE clearing_cycles SET status = 'closed', closed_at = $2, closed_by = $3 WHERE id = $1 AND status = 'open'",
    )
    .bind(id)
    .bind(crate::now_text())
    .bind(closed_by)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

// ---------------------------------------------------------------- batches and transactions

pub async fn insert_batch(conn: &mut Conn, scheme_id: i64, source: &str, submitted_by: &str) -> StoreResult<i64> {
    let row = sqlx::query(
        "INSERT INTO clearing_batches (scheme_id, source, submitted_by, received_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(scheme_id)
    .bind(source)
    .bind(submitted_by)
    .bind(crate::now_text())
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("id")?)
}

/// A transaction to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTransaction {
    pub idempotency_key: String,
    pub cycle_id: i64,
    pub payer_id: i64,
    pub payee_id: i64,
    pub amount_minor: i64,
    pub occurred_at: String,
    pub reference: Option<String>,
    pub reverses_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionRow {
    pub id: i64,
    pub scheme_id: i64,
    pub idempotency_key: String,
    pub cycle_id: i64,
    pub payer_id: i64,
    pub payee_id: i64,
    pub amount_minor: i64,
    pub occurred_at: String,
    pub accepted_at: String,
    pub batch_id: i64,
    pub reference: Option<String>,
    pub reverses_id: Option<i64>,
    pub reversed_minor: i64,
}

const TRANSACTION_COLUMNS: &str = "id, scheme_id, idempotency_key, cycle_id, payer_id, payee_id, amount_minor, \
     occurred_at, accepted_at, batch_id, reference, reverses_id, reversed_minor";

fn transaction_row(row: &AnyRow) -> StoreResult<TransactionRow> {
    Ok(TransactionRow {
        id: row.try_get("id")?,
        scheme_id: row.try_get("scheme_id")?,
        idempotency_key: row.try_get("idempotency_key")?,
        cycle_id: row.try_get("cycle_id")?,
        payer_id: row.try_get("payer_id")?,
        payee_id: row.try_get("payee_id")?,
        amount_minor: row.try_get("amount_minor")?,
        occurred_at: row.try_get("occurred_at")?,
        accepted_at: row.try_get("accepted_at")?,
        batch_id: row.try_get("batch_id")?,
        reference: row.try_get("reference")?,
        reverses_id: row.try_get("reverses_id")?,
        reversed_minor: row.try_get("reversed_minor")?,
    })
}

/// Stores the transactions whose key is new in the scheme, many rows a statement, and
/// skips the others; returns how many were stored. `accepted_at` is an instant written
/// by [`crate::now_text`].
pub async fn insert_transactions(
    conn: &mut Conn,
    scheme_id: i64,
    batch_id: i64,
    accepted_at: &str,
    rows: &[NewTransaction],
) -> StoreResult<u64> {
    debug_assert!(accepted_at.bytes().all(|b| b.is_ascii_alphanumeric() || b"-:.".contains(&b)));
    const COLUMNS: usize = 8;
    let mut stored = 0;
    for chunk in rows.chunks(MAX_VALUES / COLUMNS) {
        let mut sql = SqlBuilder::new(
            "INSERT INTO clearing_transactions (scheme_id, batch_id, accepted_at, idempotency_key, cycle_id, payer_id, \
             payee_id, amount_minor, occurred_at, reference, reverses_id) VALUES ",
        );
        // The scheme, the batch and the instant are this function's own numbers and
        // text: written in, they save three bound values a row.
        let constant = format!("({scheme_id}, {batch_id}, '{accepted_at}', ");
        for (i, row) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "" } else { ", " }).push(&constant);
            sql.bind_text(row.idempotency_key.as_str()).push(", ");
            sql.bind_int(row.cycle_id).push(", ");
            sql.bind_int(row.payer_id).push(", ");
            sql.bind_int(row.payee_id).push(", ");
            sql.bind_int(row.amount_minor).push(", ");
            sql.bind_text(row.occurred_at.as_str()).push(", ");
            sql.bind(row.reference.clone().map_or(Value::Null, Value::Text)).push(", ");
            sql.bind(row.reverses_id.map_or(Value::NullInt, Value::Int)).push(")");
        }
        sql.push(" ON CONFLICT (scheme_id, idempotency_key) DO NOTHING");
        stored += sql.build_on(conn).execute(&mut *conn).await?.rows_affected();
    }
    Ok(stored)
}

/// The stored transactions of a scheme with these keys.
pub async fn transactions_by_keys(conn: &mut Conn, scheme_id: i64, keys: &[&str]) -> StoreResult<Vec<TransactionRow>> {
    let mut found = Vec::new();
    for chunk in keys.chunks(MAX_VALUES - 1) {
        let mut sql =
            SqlBuilder::new(&format!("SELECT {TRANSACTION_COLUMNS} FROM clearing_transactions WHERE scheme_id = "));
        sql.bind_int(scheme_id).push(" AND idempotency_key IN (");
        for (i, key) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "" } else { ", " }).bind_text(*key);
        }
        sql.push(")");
        for row in sql.build_on(conn).fetch_all(&mut *conn).await? {
            found.push(transaction_row(&row)?);
        }
    }
    Ok(found)
}

pub async fn transaction(conn: &mut Conn, id: i64) -> StoreResult<Option<TransactionRow>> {
    let sql = format!("SELECT {TRANSACTION_COLUMNS} FROM clearing_transactions WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *conn).await?;
    row.as_ref().map(transaction_row).transpose()
}

/// A page of a cycle's transactions, optionally those a participant paid or received.
pub async fn cycle_transactions(
    conn: &mut Conn,
    cycle_id: i64,
    participant_id: Option<i64>,
    after_id: i64,
    limit: i64,
) -> StoreResult<Vec<TransactionRow>> {
    let mut sql =
        SqlBuilder::new(&format!("SELECT {TRANSACTION_COLUMNS} FROM clearing_transactions WHERE cycle_id = "));
    sql.bind_int(cycle_id).push(" AND id > ").bind_int(after_id);
    if let Some(participant) = participant_id {
        sql.push(" AND (payer_id = ").bind_int(participant).push(" OR payee_id = ").bind_int(participant).push(")");
    }
    sql.push(" ORDER BY id LIMIT ").bind_int(limit);
    let rows = sql.build().fetch_all(&mut *conn).await?;
    rows.iter().map(transaction_row).collect()
}

/// Adds `amount` to what was reversed of a transaction, unless that would go above its
/// amount (the schema refuses it too); false when refused.
pub async fn add_reversed(conn: &mut Conn, id: i64, amount_minor: i64) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE clearing_transactions SET reversed_minor = reversed_minor + $2 \
         WHERE id = $1 AND reversed_minor + $2 <= amount_minor",
    )
    .bind(id)
    .bind(amount_minor)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

// ---------------------------------------------------------------- flows

/// A cycle's flow between two participants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowRow {
    pub payer_id: i64,
    pub payee_id: i64,
    pub amount_minor: i64,
    pub transaction_count: i64,
}

/// Adds to a cycle's flows. `flows` must be sorted by (payer, payee): writers then take
/// the rows in one order and never deadlock.
pub async fn add_flows(conn: &mut Conn, cycle_id: i64, flows: &[FlowRow]) -> StoreResult<()> {
    debug_assert!(flows.windows(2).all(|w| (w[0].payer_id, w[0].payee_id) < (w[1].payer_id, w[1].payee_id)));
    for chunk in flows.chunks(MAX_VALUES / 5) {
        let mut sql = SqlBuilder::new(
            "INSERT INTO clearing_flows (cycle_id, payer_id, payee_id, amount_minor, transaction_count) VALUES ",
        );
        for (i, flow) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            sql.bind_int(cycle_id).push(", ");
            sql.bind_int(flow.payer_id).push(", ");
            sql.bind_int(flow.payee_id).push(", ");
            sql.bind_int(flow.amount_minor).push(", ");
            sql.bind_int(flow.transaction_count).push(")");
        }
        sql.push(
            " ON CONFLICT (cycle_id, payer_id, payee_id) DO UPDATE SET \
             amount_minor = clearing_flows.amount_minor + excluded.amount_minor, \
             transaction_count = clearing_flows.transaction_count + excluded.transaction_count",
        );
        sql.build_on(conn).execute(&mut *conn).await?;
    }
    Ok(())
}

fn flow_row(row: &AnyRow) -> StoreResult<FlowRow> {
    Ok(FlowRow {
        payer_id: row.try_get("payer_id")?,
        payee_id: row.try_get("payee_id")?,
        amount_minor: row.try_get("amount_minor")?,
        transaction_count: row.try_get("transaction_count")?,
    })
}

/// A cycle's flows as kept, by (payer, payee).
pub async fn flows(conn: &mut Conn, cycle_id: i64) -> StoreResult<Vec<FlowRow>> {
    let rows = sqlx::query(
        "SELECT payer_id, payee_id, amount_minor, transaction_count FROM clearing_flows \
         WHERE cycle_id = $1 ORDER BY payer_id, payee_id",
    )
    .bind(cycle_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(flow_row).collect()
}

/// A cycle's flows summed afresh from its transactions, by (payer, payee): the
/// reference the kept flows are checked against.
pub async fn flows_from_transactions(conn: &mut Conn, cycle_id: i64) -> StoreResult<Vec<FlowRow>> {
    let rows = sqlx::query(
        "SELECT payer_id, payee_id, CAST(SUM(amount_minor) AS BIGINT) AS amount_minor, \
         CAST(COUNT(*) AS BIGINT) AS transaction_count FROM clearing_transactions \
         WHERE cycle_id = $1 GROUP BY payer_id, payee_id ORDER BY payer_id, payee_id",
    )
    .bind(cycle_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(flow_row).collect()
}

// ---------------------------------------------------------------- results of a closed cycle

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PositionRow {
    pub participant_id: i64,
    pub paid_minor: i64,
    pub paid_count: i64,
    pub received_minor: i64,
    pub received_count: i64,
    pub net_minor: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstructionRow {
    pub seq: i64,
    pub from_id: i64,
    pub to_id: i64,
    pub amount_minor: i64,
}

/// Writes what a cycle's close produced, and its totals, in the closing transaction.
pub async fn insert_results(
    conn: &mut Conn,
    cycle_id: i64,
    positions: &[PositionRow],
    instructions: &[InstructionRow],
    transaction_count: i64,
    gross_minor: i64,
) -> StoreResult<()> {
    for chunk in positions.chunks(MAX_VALUES / 7) {
        let mut sql = SqlBuilder::new(
            "INSERT INTO clearing_positions (cycle_id, participant_id, paid_minor, paid_count, received_minor, \
             received_count, net_minor) VALUES ",
        );
        for (i, p) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            for (j, value) in [
                cycle_id,
                p.participant_id,
                p.paid_minor,
                p.paid_count,
                p.received_minor,
                p.received_count,
                p.net_minor,
            ]
            .into_iter()
            .enumerate()
            {
                sql.push(if j == 0 { "" } else { ", " }).bind_int(value);
            }
            sql.push(")");
        }
        sql.build_on(conn).execute(&mut *conn).await?;
    }
    for chunk in instructions.chunks(MAX_VALUES / 5) {
        let mut sql =
            SqlBuilder::new("INSERT INTO clearing_instructions (cycle_id, seq, from_id, to_id, amount_minor) VALUES ");
        for (i, x) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            for (j, value) in [cycle_id, x.seq, x.from_id, x.to_id, x.amount_minor].into_iter().enumerate() {
                sql.push(if j == 0 { "" } else { ", " }).bind_int(value);
            }
            sql.push(")");
        }
        sql.build_on(conn).execute(&mut *conn).await?;
    }
    // The totals go in before the cycle is marked closed (a closed cycle does not change).
    sqlx::query("UPDATE clearing_cycles SET transaction_count = $2, gross_minor = $3 WHERE id = $1")
        .bind(cycle_id)
        .bind(transaction_count)
        .bind(gross_minor)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn positions(conn: &mut Conn, cycle_id: i64) -> StoreResult<Vec<PositionRow>> {
    let rows = sqlx::query(
        "SELECT participant_id, paid_minor, paid_count, received_minor, received_count, net_minor \
         FROM clearing_positions WHERE cycle_id = $1 ORDER BY participant_id",
    )
    .bind(cycle_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(PositionRow {
                participant_id: row.try_get("participant_id")?,
                paid_minor: row.try_get("paid_minor")?,
                paid_count: row.try_get("paid_count")?,
                received_minor: row.try_get("received_minor")?,
                received_count: row.try_get("received_count")?,
                net_minor: row.try_get("net_minor")?,
            })
        })
        .collect()
}

pub async fn instructions(conn: &mut Conn, cycle_id: i64) -> StoreResult<Vec<InstructionRow>> {
    let rows = sqlx::query(
        "SELECT seq, from_id, to_id, amount_minor FROM clearing_instructions WHERE cycle_id = $1 ORDER BY seq",
    )
    .bind(cycle_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(InstructionRow {
                seq: row.try_get("seq")?,
                from_id: row.try_get("from_id")?,
                to_id: row.try_get("to_id")?,
                amount_minor: row.try_get("amount_minor")?,
            })
        })
        .collect()
}

// ---------------------------------------------------------------- disputes

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeRow {
    pub id: i64,
    pub transaction_id: i64,
    pub opened_by: i64,
    pub reason: String,
    pub opened_at: String,
    pub status: String,
    pub resolved_at: Option<String>,
    pub resolved_by: Option<String>,
    pub resolution: Option<String>,
    pub reversal_id: Option<i64>,
}

const DISPUTE_COLUMNS: &str =
    "id, transaction_id, opened_by, reason, opened_at, status, resolved_at, resolved_by, resolution, reversal_id";

fn dispute_row(row: &AnyRow) -> StoreResult<DisputeRow> {
    Ok(DisputeRow {
        id: row.try_get("id")?,
        transaction_id: row.try_get("transaction_id")?,
        opened_by: row.try_get("opened_by")?,
        reason: row.try_get("reason")?,
        opened_at: row.try_get("opened_at")?,
        status: row.try_get("status")?,
        resolved_at: row.try_get("resolved_at")?,
        resolved_by: row.try_get("resolved_by")?,
        resolution: row.try_get("resolution")?,
        reversal_id: row.try_get("reversal_id")?,
    })
}

/// Opens a dispute; `None` when the transaction already has an open one.
pub async fn insert_dispute(
    conn: &mut Conn,
    transaction_id: i64,
    opened_by: i64,
    reason: &str,
) -> StoreResult<Option<DisputeRow>> {
    let sql = format!(
        "INSERT INTO clearing_disputes (transaction_id, opened_by, reason, opened_at, status) \
         VALUES ($1, $2, $3, $4, 'open') ON CONFLICT (transaction_id) WHERE status = 'open' DO NOTHING \
         RETURNING {DISPUTE_COLUMNS}"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(transaction_id)
        .bind(opened_by)
        .bind(reason)
        .bind(crate::now_text())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(dispute_row).transpose()
}

pub async fn dispute(conn: &mut Conn, id: i64) -> StoreResult<Option<DisputeRow>> {
    let sql = format!("SELECT {DISPUTE_COLUMNS} FROM clearing_disputes WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *conn).await?;
    row.as_ref().map(dispute_row).transpose()
}

/// The disputes of a cycle's transactions, newest first.
pub async fn cycle_disputes(conn: &mut Conn, cycle_id: i64) -> StoreResult<Vec<DisputeRow>> {
    let sql = format!(
        "SELECT {} FROM clearing_disputes d JOIN clearing_transactions t ON t.id = d.transaction_id \
         WHERE t.cycle_id = $1 ORDER BY d.id DESC",
        DISPUTE_COLUMNS.split(", ").map(|c| format!("d.{c}")).collect::<Vec<_>>().join(", ")
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(cycle_id).fetch_all(&mut *conn).await?;
    rows.iter().map(dispute_row).collect()
}

/// Resolves an open dispute; false when it was no longer open.
pub async fn resolve_dispute(
    conn: &mut Conn,
    id: i64,
    status: &str,
    resolved_by: &str,
    resolution: &str,
    reversal_id: Option<i64>,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE clearing_disputes SET status = $2, resolved_at = $3, resolved_by = $4, resolution = $5, reversal_id = $6 \
         WHERE id = $1 AND status = 'open'",
    )
    .bind(id)
    .bind(status)
    .bind(crate::now_text())
    .bind(resolved_by)
    .bind(resolution)
    .bind(reversal_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

// ---------------------------------------------------------------- participants' own totals

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportLine {
    pub counterparty_id: i64,
    pub paid_minor: i64,
    pub paid_count: i64,
    pub received_minor: i64,
    pub received_count: i64,
}

pub async fn insert_report(
    conn: &mut Conn,
    cycle_id: i64,
    participant_id: i64,
    submitted_by: &str,
    lines: &[ReportLine],
) -> StoreResult<i64> {
    let row = sqlx::query(
        "INSERT INTO clearing_reports (cycle_id, participant_id, submitted_by, submitted_at) VALUES ($1, $2, $3, $4) \
         RETURNING id",
    )
    .bind(cycle_id)
    .bind(participant_id)
    .bind(submitted_by)
    .bind(crate::now_text())
    .fetch_one(&mut *conn)
    .await?;
    let report_id: i64 = row.try_get("id")?;
    for line in lines {
        sqlx::query(
            "INSERT INTO clearing_report_lines (report_id, counterparty_id, paid_minor, paid_count, received_minor, \
             received_count) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(report_id)
        .bind(line.counterparty_id)
        .bind(line.paid_minor)
        .bind(line.paid_count)
        .bind(line.received_minor)
        .bind(line.received_count)
        .execute(&mut *conn)
        .await?;
    }
    Ok(report_id)
}

/// A participant's latest report of its own totals for a cycle: when, and its lines.
pub async fn latest_report(
    conn: &mut Conn,
    cycle_id: i64,
    participant_id: i64,
) -> StoreResult<Option<(String, Vec<ReportLine>)>> {
    let Some(head) = sqlx::query(
        "SELECT id, submitted_at FROM clearing_reports WHERE cycle_id = $1 AND participant_id = $2 \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(cycle_id)
    .bind(participant_id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let report_id: i64 = head.try_get("id")?;
    let rows = sqlx::query(
        "SELECT counterparty_id, paid_minor, paid_count, received_minor, received_count FROM clearing_report_lines \
         WHERE report_id = $1 ORDER BY counterparty_id",
    )
    .bind(report_id)
    .fetch_all(&mut *conn)
    .await?;
    let lines = rows
        .iter()
        .map(|row| {
            Ok(ReportLine {
                counterparty_id: row.try_get("counterparty_id")?,
                paid_minor: row.try_get("paid_minor")?,
                paid_count: row.try_get("paid_count")?,
                received_minor: row.try_get("received_minor")?,
                received_count: row.try_get("received_count")?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(Some((head.try_get("submitted_at")?, lines)))
}
