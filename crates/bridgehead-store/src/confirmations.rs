//! Imported-equipment tax-free confirmations and their items.

use bridgehead_domain::enterprise::{format_date, parse_date};
use bridgehead_domain::money::CurrencyCode;
use bridgehead_domain::project::{Confirmation, ConfirmationRecord, ConfirmationStatus, EquipmentItem};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Conn, StoreError, StoreResult, now_text};

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("confirmation {what} '{value}'"))
}

async fn items_of(conn: &mut Conn, id: i64) -> StoreResult<Vec<EquipmentItem>> {
    let rows = sqlx::query("SELECT * FROM equipment_items WHERE confirmation_id = $1 ORDER BY line")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|row| {
            let currency: String = row.try_get("currency")?;
            Ok(EquipmentItem {
                name: row.try_get("name")?,
                model: row.try_get("model")?,
                hs_code: row.try_get("hs_code")?,
                quantity: row.try_get("quantity")?,
                unit_price_minor: row.try_get("unit_price_minor")?,
                currency: CurrencyCode::parse(&currency).map_err(|_| corrupt("currency", &currency))?,
                total_minor: row.try_get("total_minor")?,
            })
        })
        .collect()
}

async fn from_row(conn: &mut Conn, row: &AnyRow) -> StoreResult<Confirmation> {
    let id: i64 = row.try_get("id")?;
    let status: String = row.try_get("status")?;
    let documents: String = row.try_get("documents_json")?;
    let date = |name: &str| -> StoreResult<Option<time::Date>> {
        row.try_get::<Option<String>, _>(name)?.map(|d| parse_date(&d).map_err(|_| corrupt("date", &d))).transpose()
    };
    Ok(Confirmation {
        id,
        project_id: row.try_get("project_id")?,
        status: ConfirmationStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        record: ConfirmationRecord {
            encouraged_category: row.try_get("encouraged_category")?,
            documents: serde_json::from_str(&documents).map_err(|_| corrupt("documents", &documents))?,
            items: items_of(conn, id).await?,
        },
        submitted_on: date("submitted_on")?,
        due_on: date("due_on")?,
        decided_on: date("decided_on")?,
        confirmation_number: row.try_get("confirmation_number")?,
        rejection_reasons: row.try_get("rejection_reasons")?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

async fn set_items(conn: &mut Conn, id: i64, items: &[EquipmentItem]) -> StoreResult<()> {
    sqlx::query("DELETE FROM equipment_items WHERE confirmation_id = $1").bind(id).execute(&mut *conn).await?;
    for (index, item) in items.iter().enumerate() {
        sqlx::query(
            "INSERT INTO equipment_items (confirmation_id, line, name, model, hs_code, quantity, unit_price_minor, currency, \
             total_minor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(i64::try_from(index + 1).unwrap_or(i64::MAX))
        .bind(&item.name)
        .bind(&item.model)
        .bind(&item.hs_code)
        .bind(item.quantity)
        .bind(item.unit_price_minor)
        .bind(item.currency.as_str())
        .bind(item.total_minor)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

fn documents_json(record: &ConfirmationRecord) -> String {
    serde_json::Value::from(record.documents.clone()).to_string()
}

pub async fn insert(conn: &mut Conn, project_id: i64, record: &ConfirmationRecord) -> StoreResult<Confirmation> {
    let now = now_text();
    let id: i64 = sqlx::query(
        "INSERT INTO equipment_confirmations (project_id, status, encouraged_category, documents_json, created_at, updated_at) \
         VALUES ($1, 'draft', $2, $3, $4, $5) RETURNING id",
    )
    .bind(project_id)
    .bind(&record.encouraged_category)
    .bind(documents_json(record))
    .bind(&now)
    .bind(&now)
    .fetch_one(&mut *conn)
    .await?
    .try_get("id")?;
    set_items(conn, id, &record.items).await?;
    get(conn, id).await?.ok_or(StoreError::NotFound)
}

/// Replaces a draft's contents if it is still at `expected_version`.
pub async fn update(
    conn: &mut Conn,
    id: i64,
    expected_version: i64,
    record: &ConfirmationRecord,
) -> StoreResult<Confirmation> {
    let updated = sqlx::query(
        "UPDATE equipment_confirmations SET encouraged_category = $1, documents_json = $2, updated_at = $3, version = version + 1 \
         WHERE id = $4 AND version = $5 AND status = 'draft' RETURNING id",
    )
    .bind(&record.encouraged_category)
    .bind(documents_json(record))
    .bind(now_text())
    .bind(id)
    .bind(expected_version)
    .fetch_optional(&mut *conn)
    .await?;
    if updated.is_none() {
        return Err(if get(conn, id).await?.is_some() { StoreError::Conflict } else { StoreError::NotFound });
    }
    set_items(conn, id, &record.items).await?;
    get(conn, id).await?.ok_or(StoreError::NotFound)
}

/// Records a decision or a submission: the new status and its dates and outcome, if
/// the application is still at `from` (`Conflict` otherwise: someone acted first).
#[allow(clippy::too_many_arguments)]
pub async fn set_status(
    conn: &mut Conn,
    id: i64,
    from: ConfirmationStatus,
    status: ConfirmationStatus,
    dates: (Option<time::Date>, Option<time::Date>, Option<time::Date>),
    confirmation_number: Option<&str>,
    rejection_reasons: Option<&str>,
) -> StoreResult<Confirmation> {
    let (submitted_on, due_on, decided_on) = dates;
    let updated = sqlx::query(
        "UPDATE equipment_confirmations SET status = $1, submitted_on = $2, due_on = $3, decided_on = $4, confirmation_number = $5, \
         rejection_reasons = $6, updated_at = $7, version = version + 1 WHERE id = $8 AND status = $9",
    )
    .bind(status.as_str())
    .bind(submitted_on.map(format_date))
    .bind(due_on.map(format_date))
    .bind(decided_on.map(format_date))
    .bind(confirmation_number)
    .bind(rejection_reasons)
    .bind(now_text())
    .bind(id)
    .bind(from.as_str())
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::Conflict);
    }
    get(conn, id).await?.ok_or(StoreError::NotFound)
}

pub async fn get(conn: &mut Conn, id: i64) -> StoreResult<Option<Confirmation>> {
    let Some(row) =
        sqlx::query("SELECT * FROM equipment_confirmations WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?
    else {
        return Ok(None);
    };
    Ok(Some(from_row(conn, &row).await?))
}

pub async fn of_project(conn: &mut Conn, project_id: i64) -> StoreResult<Vec<Confirmation>> {
    let rows = sqlx::query("SELECT * FROM equipment_confirmations WHERE project_id = $1 ORDER BY id DESC")
        .bind(project_id)
        .fetch_all(&mut *conn)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(from_row(conn, row).await?);
    }
    Ok(out)
}

/// How many applications have a confirmation number beginning with `prefix`.
pub async fn numbers_with_prefix(conn: &mut Conn, prefix: &str) -> StoreResult<i64> {
    Ok(sqlx::query("SELECT COUNT(*) AS n FROM equipment_confirmations WHERE confirmation_number LIKE $1")
        .bind(format!("{prefix}%"))
        .fetch_one(&mut *conn)
        .await?
        .try_get("n")?)
}
