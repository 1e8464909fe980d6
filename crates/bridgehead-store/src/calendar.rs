//! The stored working-day calendar.

use bridgehead_domain::calendar::{CalendarDay, DayKind};
use bridgehead_domain::enterprise::{format_date, parse_date};
use sqlx::Row;

use crate::{Conn, StoreError, StoreResult, now_text};

/// Replaces the days of `year` with `days` (all of which lie in that year).
pub async fn replace_year(conn: &mut Conn, year: i32, source: &str, days: &[CalendarDay]) -> StoreResult<()> {
    sqlx::query("DELETE FROM calendar_days WHERE year = $1").bind(i64::from(year)).execute(&mut *conn).await?;
    sqlx::query(
        "INSERT INTO calendar_years (year, source, loaded_at) VALUES ($1, $2, $3) \
         ON CONFLICT (year) DO UPDATE SET source = excluded.source, loaded_at = excluded.loaded_at",
    )
    .bind(i64::from(year))
    .bind(source)
    .bind(now_text())
    .execute(&mut *conn)
    .await?;
    for day in days {
        sqlx::query("INSERT INTO calendar_days (day, year, kind, name) VALUES ($1, $2, $3, $4)")
            .bind(format_date(day.date))
            .bind(i64::from(year))
            .bind(day.kind.as_str())
            .bind(&day.name)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The years the calendar covers, with their source.
pub async fn years(conn: &mut Conn) -> StoreResult<Vec<(i32, String, String)>> {
    let rows = sqlx::query("SELECT * FROM calendar_years ORDER BY year").fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| {
            let year: i64 = row.try_get("year")?;
            Ok((
                i32::try_from(year).map_err(|_| StoreError::Corrupt(format!("year {year}")))?,
                row.try_get("source")?,
                row.try_get("loaded_at")?,
            ))
        })
        .collect()
}

/// Every stored day, optionally of one year.
pub async fn days(conn: &mut Conn, year: Option<i32>) -> StoreResult<Vec<CalendarDay>> {
    let rows = match year {
        Some(year) => {
            sqlx::query("SELECT * FROM calendar_days WHERE year = $1 ORDER BY day")
                .bind(i64::from(year))
                .fetch_all(&mut *conn)
                .await?
        }
        None => sqlx::query("SELECT * FROM calendar_days ORDER BY day").fetch_all(&mut *conn).await?,
    };
    rows.iter()
        .map(|row| {
            let day: String = row.try_get("day")?;
            let kind: String = row.try_get("kind")?;
            Ok(CalendarDay {
                date: parse_date(&day).map_err(|_| StoreError::Corrupt(format!("calendar day '{day}'")))?,
                kind: DayKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("calendar kind '{kind}'")))?,
                name: row.try_get("name")?,
            })
        })
        .collect()
}
