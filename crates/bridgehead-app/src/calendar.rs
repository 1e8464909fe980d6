//! The working-day calendar (China's public holidays and adjusted working days) as
//! data: shipped for the years published so far, importable per year by
//! administrators, and used to count deadlines in working days.

use std::collections::BTreeMap;

use bridgehead_domain::access::Role;
use bridgehead_domain::calendar::{CalendarDay, WorkingCalendar, parse_calendar_csv, years};
use bridgehead_domain::enterprise::{format_date, parse_date};
use bridgehead_io::RowError;
use serde::Serialize;
use serde_json::json;

use crate::access::ALL_ROLES;
use crate::auth::audit;
use crate::{Actor, App, AppError, AppResult};

/// The calendars shipped with Bridgehead, from the State Council General Office's
/// yearly notices on public holiday arrangements.
const SHIPPED: &[(i32, &str)] = &[
    (2023, include_str!("../data/calendar/2023.csv")),
    (2024, include_str!("../data/calendar/2024.csv")),
    (2025, include_str!("../data/calendar/2025.csv")),
    (2026, include_str!("../data/calendar/2026.csv")),
];

const SHIPPED_SOURCE: &str = "国务院办公厅部分节假日安排的通知 (shipped)";

/// One year of the calendar.
#[derive(Debug, Clone, Serialize)]
pub struct CalendarYear {
    pub year: i32,
    pub source: String,
    pub loaded_at: String,
    pub days: Vec<CalendarDay>,
}

fn row_errors(errors: Vec<bridgehead_domain::calendar::CalendarLineError>) -> AppError {
    AppError::ImportRows(
        errors
            .into_iter()
            .map(|e| {
                let (row, column) = (e.line, e.column.to_owned());
                let field = e.into_field_error();
                RowError {
                    row,
                    column,
                    value: field.value.unwrap_or_default(),
                    reason: field.message,
                    code: field.code.to_owned(),
                    params: field.params,
                }
            })
            .collect(),
    )
}

impl App {
    /// Loads each shipped year the database does not have yet.
    pub async fn ensure_calendar(&self) -> AppResult<Vec<i32>> {
        let mut tx = self.store.begin().await?;
        let stored: Vec<i32> =
            bridgehead_store::calendar::years(&mut tx).await?.into_iter().map(|(y, _, _)| y).collect();
        let mut loaded = Vec::new();
        for (year, text) in SHIPPED {
            if stored.contains(year) {
                continue;
            }
            let days = parse_calendar_csv(text)
                .map_err(|_| AppError::Internal(format!("the shipped calendar of {year} is invalid")))?;
            bridgehead_store::calendar::replace_year(&mut tx, *year, SHIPPED_SOURCE, &days).await?;
            loaded.push(*year);
        }
        if !loaded.is_empty() {
            audit(
                &mut tx,
                &Actor::system("system"),
                "load",
                "calendar",
                "shipped",
                None,
                Some(json!({ "years": loaded })),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(loaded)
    }

    /// Imports one or more years (`date,kind,name`); each year in the file replaces the
    /// stored one as a whole. Every bad line is reported; nothing is stored then.
    pub async fn import_calendar(&self, actor: &Actor, text: &str, source: &str) -> AppResult<Vec<i32>> {
        actor.require(&[Role::Administrator], "change the calendar")?;
        actor.require_write()?;
        let days = parse_calendar_csv(text).map_err(row_errors)?;
        // The file must make a consistent calendar (e.g. no workday on a weekday).
        WorkingCalendar::from_days(days.clone())
            .map_err(|e| AppError::ImportFile { code: e.code(), message: e.to_string() })?;
        let mut by_year: BTreeMap<i32, Vec<CalendarDay>> = BTreeMap::new();
        for day in days {
            by_year.entry(day.date.year()).or_default().push(day);
        }
        let source = if source.trim().is_empty() { "import" } else { source.trim() };
        let mut tx = self.store.begin().await?;
        for (year, days) in &by_year {
            let before = bridgehead_store::calendar::days(&mut tx, Some(*year)).await?;
            bridgehead_store::calendar::replace_year(&mut tx, *year, source, days).await?;
            audit(&mut tx, actor, "import", "calendar", &year.to_string(), Some(json!(before)), Some(json!(days)))
                .await?;
        }
        tx.commit().await?;
        Ok(by_year.into_keys().collect())
    }

    /// The years covered and their days.
    pub async fn calendar_years(&self, actor: &Actor) -> AppResult<Vec<CalendarYear>> {
        actor.require(ALL_ROLES, "read the calendar")?;
        let mut conn = self.store.read().await?;
        let mut out = Vec::new();
        for (year, source, loaded_at) in bridgehead_store::calendar::years(&mut conn).await? {
            let days = bridgehead_store::calendar::days(&mut conn, Some(year)).await?;
            out.push(CalendarYear { year, source, loaded_at, days });
        }
        Ok(out)
    }

    /// The stored calendar, ready for counting.
    pub async fn working_calendar(&self) -> AppResult<WorkingCalendar> {
        let mut conn = self.store.read().await?;
        let covered: Vec<i32> =
            bridgehead_store::calendar::years(&mut conn).await?.into_iter().map(|(y, _, _)| y).collect();
        let days = bridgehead_store::calendar::days(&mut conn, None).await?;
        debug_assert!(years(&days).iter().all(|y| covered.contains(y)));
        WorkingCalendar::new(covered, days)
            .map_err(|e| AppError::Internal(format!("the stored calendar is inconsistent: {e}")))
    }

    /// The date `working_days` working days after `from`.
    pub async fn working_day_deadline(&self, actor: &Actor, from: &str, working_days: u32) -> AppResult<time::Date> {
        actor.require(ALL_ROLES, "read the calendar")?;
        let start = parse_date(from).map_err(|m| AppError::invalid("from", "date.format", m))?;
        let calendar = self.working_calendar().await?;
        calendar.add_working_days(start, working_days).map_err(|e| {
            AppError::Invalid(
                bridgehead_domain::FieldError::new("from", e.code(), format!("{e}; import that year's calendar first"))
                    .with_value(format_date(start))
                    .into(),
            )
        })
    }
}
