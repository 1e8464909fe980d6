//! The working-day calendar as stored data.

use bridgehead_app::AppError;
use bridgehead_domain::enterprise::format_date;

use crate::common::{admin, setup};

#[tokio::test]
async fn the_shipped_years_are_loaded_and_count_across_national_day() {
    let (_db, app) = setup().await;
    let years: Vec<i32> = app.calendar_years(&admin()).await.unwrap().iter().map(|y| y.year).collect();
    assert_eq!(years, [2023, 2024, 2025, 2026]);
    // Friday 2024-09-27 + 7 working days: Sun 29 Sep (worked) 1, Mon 30 Sep 2, 1–7 Oct off,
    // 8–11 Oct 3–6, Sat 12 Oct (worked) 7.
    let deadline = app.working_day_deadline(&admin(), "2024-09-27", 7).await.unwrap();
    assert_eq!(format_date(deadline), "2024-10-12");
    let beyond = app.working_day_deadline(&admin(), "2026-12-28", 10).await;
    assert!(
        matches!(beyond, Err(AppError::Invalid(e)) if e.0[0].code == "calendar.year_not_covered"),
        "2027 is not published"
    );
    // Loading again changes nothing.
    assert!(app.ensure_calendar().await.unwrap().is_empty());
}

#[tokio::test]
async fn an_imported_year_replaces_the_stored_one_and_bad_lines_store_nothing() {
    let (_db, app) = setup().await;
    let bad = "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-30,holiday,春节\n2027-01-04,workday,调休\n";
    match app.import_calendar(&admin(), bad, "test").await {
        Err(AppError::ImportRows(rows)) => {
            let lines: Vec<usize> = rows.iter().map(|r| r.row).collect();
            assert_eq!(lines, [3, 4], "{rows:?}");
        }
        other => panic!("expected row errors, got {other:?}"),
    }
    assert!(app.working_day_deadline(&admin(), "2026-12-31", 1).await.is_err(), "2027 still unknown");
    let good = "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-02,holiday,元旦\n2027-01-03,holiday,元旦\n";
    assert_eq!(app.import_calendar(&admin(), good, "国办发明电〔2026〕示例").await.unwrap(), [2027]);
    // Thursday 2026-12-31 + 1 working day: 1–3 Jan 2027 off, so Monday 4 January.
    let deadline = app.working_day_deadline(&admin(), "2026-12-31", 1).await.unwrap();
    assert_eq!(format_date(deadline), "2027-01-04");
}
