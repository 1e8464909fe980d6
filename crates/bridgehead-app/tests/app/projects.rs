//! Projects, stages and the monthly report cycle, by role.

use bridgehead_app::AppError;
use bridgehead_domain::access::Role;
use bridgehead_domain::project::{ProjectFields, ReportFields, ReportStatus, StageKind};
use bridgehead_testkit::fixtures::{World, world};

use crate::common::{actor, admin, setup};

fn project_fields(world: &World, code: &str) -> ProjectFields {
    ProjectFields {
        code: Some(code.to_owned()),
        name_zh: Some("平湖示例整车项目（示例）".into()),
        region_code: Some("330482".into()),
        industry_code: Some("3612".into()),
        planned_total: Some("1000000".into()),
        planned_equipment: Some("400000".into()),
        investors: vec![(world.ours.id.to_string(), "100".into())],
        ..ProjectFields::default()
    }
}

fn figures(completed: &str, equipment: &str) -> ReportFields {
    ReportFields { completed: Some(completed.into()), equipment: Some(equipment.into()), ..ReportFields::default() }
}

/// A project of `world.ours` in Pinghu, signed and started in January 2023.
async fn started_project(app: &bridgehead_app::App, world: &World) -> i64 {
    let project =
        app.create_project(&admin(), &project_fields(world, "2023-330482-36-01-000001"), "2023-01-05").await.unwrap();
    event(app, project.id, "started", "2023-01-20", None, None, None).await.unwrap();
    project.id
}

async fn event(
    app: &bridgehead_app::App,
    id: i64,
    kind: &str,
    occurred_on: &str,
    phase: Option<i64>,
    reason: Option<&str>,
    increment: Option<&str>,
) -> Result<bridgehead_domain::project::StageEvent, AppError> {
    let input = bridgehead_app::projects::EventInput {
        kind: kind.into(),
        occurred_on: occurred_on.into(),
        phase,
        reason: reason.map(Into::into),
        increment: increment.map(Into::into),
    };
    app.record_event(&admin(), id, &input).await
}

fn invalid_codes(result: Result<impl std::fmt::Debug, AppError>) -> Vec<&'static str> {
    match result {
        Err(AppError::Invalid(errors)) => errors.0.iter().map(|e| e.code).collect(),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn a_project_converts_its_planned_total_at_the_signing_date_rate() {
    let (_db, app) = setup().await;
    let world = world(&app).await;
    let mut fields = project_fields(&world, "JX-USD-1");
    fields.planned_currency = Some("USD".into());
    fields.planned_total = Some("100000000".into());
    fields.planned_equipment = None;
    let refused = app.create_project(&admin(), &fields, "2019-03-01").await;
    assert_eq!(invalid_codes(refused), ["project.no_rate"]);
    app.put_exchange_rate(&admin(), Some("2019-02-28"), Some("USD"), Some("6.6901"), None).await.unwrap();
    app.put_exchange_rate(&admin(), Some("2019-03-04"), Some("USD"), Some("6.7"), None).await.unwrap();
    let project = app.create_project(&admin(), &fields, "2019-03-01").await.unwrap();
    assert_eq!(project.planned_total_cny_minor, 66_901_000_000, "USD 100 million at 6.6901");
    assert_eq!(project.conversion, Some(("6.6901".to_owned(), "2019-02-28".to_owned())));
}

#[tokio::test]
async fn project_rules_name_their_fields() {
    let (_db, app) = setup().await;
    let world = world(&app).await;
    let officer = actor(&app, &world, Role::DistrictOfficer).await;
    let mut fields = project_fields(&world, "2023-330402-36-01-000009");
    fields.region_code = Some("330402".into());
    let codes = invalid_codes(app.create_project(&officer, &fields, "2023-01-05").await);
    assert_eq!(codes, ["region.out_of_scope"], "Pinghu's officer registers only in Pinghu");
    let mut fields = project_fields(&world, "2023-330481-36-01-000009");
    fields.investors = vec![(world.ours.id.to_string(), "60".into())];
    let codes = invalid_codes(app.create_project(&officer, &fields, "2023-01-05").await);
    assert!(codes.contains(&"project.code_region") && codes.contains(&"project.shares_total"), "{codes:?}");
    app.create_project(&officer, &project_fields(&world, "2023-330482-36-01-000002"), "2023-01-05").await.unwrap();
    let duplicate =
        app.create_project(&officer, &project_fields(&world, "2023-330482-36-01-000002"), "2023-01-05").await;
    assert!(matches!(duplicate, Err(AppError::Duplicate(_))));
}

#[tokio::test]
async fn stages_follow_their_rules_and_phases_count_the_increment() {
    let (_db, app) = setup().await;
    let world = world(&app).await;
    let id = started_project(&app, &world).await;
    let back = event(&app, id, "filed", "2023-02-01", None, None, None).await;
    assert_eq!(invalid_codes(back), ["stage.back_needs_reason"]);
    let early = event(&app, id, "in_production", "2023-01-10", None, None, None).await;
    assert_eq!(invalid_codes(early), ["stage.date_order"]);
    event(&app, id, "suspended", "2023-03-01", None, Some("land dispute"), None).await.unwrap();
    event(&app, id, "resumed", "2023-04-01", None, None, None).await.unwrap();
    let increase = event(&app, id, "signed", "2023-05-01", Some(2), None, None).await;
    assert_eq!(invalid_codes(increase), ["stage.increment_required"]);
    let event = event(&app, id, "signed", "2023-05-01", Some(2), None, Some("250000")).await.unwrap();
    assert_eq!(event.increment_minor, Some(25_000_000));
    let detail = app.project(&admin(), id).await.unwrap();
    assert_eq!(detail.project.state.phase, 2);
    assert_eq!(detail.events.len(), 5);
    assert_eq!(
        detail.project.started_on.map(bridgehead_domain::enterprise::format_date).as_deref(),
        Some("2023-01-20")
    );
    // A project that goes straight to production has started, and must report.
    let fields = project_fields(&world, "2023-330482-36-01-000003");
    let direct = app.create_project(&admin(), &fields, "2023-01-05").await.unwrap();
    crate::projects::event(&app, direct.id, "in_production", "2023-02-01", None, None, None).await.unwrap();
    let direct = app.project(&admin(), direct.id).await.unwrap().project;
    assert_eq!(direct.started_on.map(bridgehead_domain::enterprise::format_date).as_deref(), Some("2023-02-01"));
    // The district officer of another district sees nothing of it.
    let city = actor(&app, &world, Role::CityAnalyst).await;
    assert_eq!(app.project(&city, id).await.unwrap().project.state.label(), StageKind::Signed);
}

#[tokio::test]
async fn the_monthly_cycle_by_role_keeps_its_history() {
    let (_db, app) = setup().await;
    let world = world(&app).await;
    let id = started_project(&app, &world).await;
    let enterprise = actor(&app, &world, Role::EnterpriseUser).await;
    let district = actor(&app, &world, Role::DistrictOfficer).await;
    let city = actor(&app, &world, Role::CityAnalyst).await;

    // Errors of SPEC §3 block even a draft.
    assert_eq!(
        invalid_codes(app.create_report(&enterprise, id, "2022-12", &figures("10", "1")).await),
        ["report.before_start"]
    );
    assert_eq!(
        invalid_codes(app.create_report(&enterprise, id, "2099-01", &figures("10", "1")).await),
        ["report.future_month"]
    );
    assert_eq!(
        invalid_codes(app.create_report(&enterprise, id, "2023-01", &figures("10", "11")).await),
        ["report.equipment_above_total"]
    );

    let report = app.create_report(&enterprise, id, "2023-01", &figures("100000", "40000")).await.unwrap();
    assert_eq!(report.status, ReportStatus::Draft);
    // The city cannot review before the district; the district officer cannot approve its own draft.
    assert!(app.act_on_report(&city, report.id, "approve_city", None).await.is_err());
    app.act_on_report(&enterprise, report.id, "submit", None).await.unwrap();
    let no_reason = app.act_on_report(&district, report.id, "return_district", None).await;
    assert_eq!(invalid_codes(no_reason), ["report.return_needs_reason"]);
    app.act_on_report(&district, report.id, "return_district", Some("equipment looks high")).await.unwrap();
    let fixed = app.update_report(&enterprise, report.id, None, &figures("100000", "30000")).await.unwrap();
    assert_eq!(fixed.figures.equipment_minor, 3_000_000);
    app.act_on_report(&enterprise, report.id, "submit", None).await.unwrap();
    assert!(matches!(
        app.act_on_report(&enterprise, report.id, "approve_district", None).await,
        Err(AppError::Forbidden(_))
    ));
    app.act_on_report(&district, report.id, "approve_district", None).await.unwrap();
    let approved = app.act_on_report(&city, report.id, "approve_city", None).await.unwrap();
    assert_eq!(approved.status, ReportStatus::ApprovedByCity);

    // A correction is a new revision; the approved one counts until the new one is approved.
    assert!(app.update_report(&enterprise, report.id, None, &figures("1", "0")).await.is_err());
    let refused = app.correct_report(&enterprise, report.id, " ", &figures("120000", "30000")).await;
    assert_eq!(invalid_codes(refused), ["report.correction_needs_reason"]);
    let revision =
        app.correct_report(&enterprise, report.id, "invoice found late", &figures("120000", "30000")).await.unwrap();
    assert_eq!(revision.revision, 2);
    for (who, action) in [(&enterprise, "submit"), (&district, "approve_district"), (&city, "approve_city")] {
        app.act_on_report(who, revision.id, action, None).await.unwrap();
    }
    let detail = app.report(&city, report.id).await.unwrap();
    assert_eq!(detail.report.status, ReportStatus::Superseded);
    assert_eq!(detail.revisions.len(), 2);
    let steps: Vec<String> = detail.reviews.iter().map(|r| r.action.clone()).collect();
    assert_eq!(
        steps,
        ["create", "submit", "return_district", "submit", "approve_district", "approve_city", "supersede"]
    );
    assert_eq!(detail.reviews[2].reason.as_deref(), Some("equipment looks high"));
}

#[tokio::test]
async fn warnings_need_a_note_before_submission() {
    let (_db, app) = setup().await;
    let world = world(&app).await;
    let id = started_project(&app, &world).await;
    let enterprise = actor(&app, &world, Role::EnterpriseUser).await;
    // March without January and February, and above the planned total of 1,000,000.
    let report = app.create_report(&enterprise, id, "2023-03", &figures("1200000", "0")).await.unwrap();
    let codes = invalid_codes(app.act_on_report(&enterprise, report.id, "submit", None).await);
    assert_eq!(codes, ["report.warning_needs_note", "report.missing_months", "report.above_planned"]);
    let mut noted = figures("1200000", "0");
    noted.warning_note = Some("January and February filed on paper; the plan is being raised".into());
    app.update_report(&enterprise, report.id, None, &noted).await.unwrap();
    assert_eq!(
        app.act_on_report(&enterprise, report.id, "submit", None).await.unwrap().status,
        ReportStatus::Submitted
    );
}

#[tokio::test]
async fn another_district_can_neither_see_nor_review_a_report() {
    let (_db, app) = setup().await;
    let world = world(&app).await;
    let id = started_project(&app, &world).await;
    let enterprise = actor(&app, &world, Role::EnterpriseUser).await;
    let report = app.create_report(&enterprise, id, "2023-01", &figures("100", "0")).await.unwrap();
    app.act_on_report(&enterprise, report.id, "submit", None).await.unwrap();
    let nanhu = app
        .add_user(
            &admin(),
            bridgehead_app::auth::UserRequest {
                username: "nanhu-officer".into(),
                display_name: None,
                password: bridgehead_testkit::PASSWORD.into(),
                role: Role::DistrictOfficer,
                region_code: Some("330402".into()),
                enterprise_id: None,
                organization_id: None,
            },
        )
        .await
        .unwrap();
    let nanhu = bridgehead_app::Actor::user(&nanhu, None);
    assert!(matches!(app.report(&nanhu, report.id).await, Err(AppError::NotFound { .. })));
    assert!(matches!(
        app.act_on_report(&nanhu, report.id, "approve_district", None).await,
        Err(AppError::NotFound { .. })
    ));
    assert!(matches!(app.project(&nanhu, id).await, Err(AppError::NotFound { .. })));
    let (listed, total) = app.list_reports(&nanhu, Default::default()).await.unwrap();
    assert!(listed.is_empty() && total == 0);
    let (projects, _) = app.list_projects(&nanhu, Default::default()).await.unwrap();
    assert!(projects.is_empty());
    assert!(app.reminders(&nanhu, "2023-02").await.unwrap().is_empty());
    // Institutions have no access to projects at all.
    let bank = actor(&app, &world, Role::InstitutionUser).await;
    assert!(matches!(app.list_projects(&bank, Default::default()).await, Err(AppError::Forbidden(_))));
}

#[tokio::test]
async fn reminders_list_projects_whose_report_is_missing_or_unsubmitted() {
    let (_db, app) = setup().await;
    let world = world(&app).await;
    let id = started_project(&app, &world).await;
    let district = actor(&app, &world, Role::DistrictOfficer).await;
    let missing = app.reminders(&district, "2023-01").await.unwrap();
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0].project.id, id);
    assert!(missing[0].status.is_none() && missing[0].overdue);
    assert_eq!(bridgehead_domain::enterprise::format_date(missing[0].due_on), "2023-02-10");
    assert!(app.reminders(&district, "2022-12").await.unwrap().is_empty(), "not started yet in December");
    let enterprise = actor(&app, &world, Role::EnterpriseUser).await;
    let report = app.create_report(&enterprise, id, "2023-01", &figures("100", "0")).await.unwrap();
    assert_eq!(app.reminders(&district, "2023-01").await.unwrap()[0].status, Some(ReportStatus::Draft));
    app.act_on_report(&enterprise, report.id, "submit", None).await.unwrap();
    assert!(app.reminders(&district, "2023-01").await.unwrap().is_empty());
}

#[tokio::test]
async fn monthly_reports_import_all_or_nothing_and_idempotently() {
    use bridgehead_app::projects::ReportImportMode;
    use bridgehead_io::FileFormat;
    let (_db, app) = setup().await;
    let world = world(&app).await;
    let id = started_project(&app, &world).await;
    let enterprise = actor(&app, &world, Role::EnterpriseUser).await;
    let nothing = |_: usize, _: usize| {};
    let bad = "\u{feff}项目代码,月份,本月完成投资,其中设备购置\n\
               2023-330482-36-01-000001,2023-01,100,10\n\
               2023-330482-36-01-000001,2022-12,100,10\n\
               2023-330482-36-01-000001,2023-02,10,11\n\
               2023-330402-36-01-999999,2023-03,1,0\n\
               2023-330482-36-01-000001,2023-01,5,0\n";
    match app
        .import_reports(&enterprise, "bad.csv", bad.as_bytes(), FileFormat::Csv, ReportImportMode::Drafts, &nothing)
        .await
    {
        Err(AppError::ImportRows(rows)) => {
            let summary: Vec<(usize, String, String)> =
                rows.iter().map(|r| (r.row, r.column.clone(), r.code.clone())).collect();
            assert_eq!(
                summary,
                [
                    (3, "月份".into(), "report.before_start".into()),
                    (4, "其中设备购置".into(), "report.equipment_above_total".into()),
                    (5, "项目代码".into(), "project.unknown".into()),
                    (6, "月份".into(), "import.duplicate_row".into()),
                ]
            );
        }
        other => panic!("expected row errors, got {other:?}"),
    }
    assert!(app.project(&admin(), id).await.unwrap().reports.is_empty(), "a refused file stores nothing");

    let good = "Project code,Month,Completed in month,Of which equipment\n\
                2023-330482-36-01-000001,2023-01,\"1,000.00\",100\n\
                2023-330482-36-01-000001,44958,2000,0\n\n\n";
    let first = app
        .import_reports(&enterprise, "good.csv", good.as_bytes(), FileFormat::Csv, ReportImportMode::Drafts, &nothing)
        .await
        .unwrap();
    assert_eq!(
        (first.created, first.updated, first.unchanged),
        (2, 0, 0),
        "an Excel serial date (44958 = 2023-02-01) names February"
    );
    let head = crate::common::head(&app).await;
    let again = app
        .import_reports(&enterprise, "good.csv", good.as_bytes(), FileFormat::Csv, ReportImportMode::Drafts, &nothing)
        .await
        .unwrap();
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 2));
    assert_eq!(crate::common::head(&app).await, head, "a second import changes nothing, not even the audit log");
    let detail = app.project(&admin(), id).await.unwrap();
    assert!(detail.reports.iter().all(|r| r.status == ReportStatus::Draft));
    // Historical figures go in approved, and only for administrators.
    let history = "项目代码,月份,本月完成投资\n2023-330482-36-01-000001,2023-03,3000\n";
    assert!(matches!(
        app.import_reports(
            &enterprise,
            "h.csv",
            history.as_bytes(),
            FileFormat::Csv,
            ReportImportMode::Approved,
            &nothing
        )
        .await,
        Err(AppError::Forbidden(_))
    ));
    app.import_reports(&admin(), "h.csv", history.as_bytes(), FileFormat::Csv, ReportImportMode::Approved, &nothing)
        .await
        .unwrap();
    let march = app
        .project(&admin(), id)
        .await
        .unwrap()
        .reports
        .into_iter()
        .find(|r| r.period.to_string() == "2023-03")
        .unwrap();
    assert_eq!(march.status, ReportStatus::ApprovedByCity);
    let report = app.report(&admin(), march.id).await.unwrap();
    assert_eq!(report.reviews[0].action, "import");
    let mut conn = app.store.read().await.unwrap();
    assert!(
        bridgehead_store::audit::verify(&mut conn).await.unwrap().first_broken.is_none(),
        "the batch-written chain verifies"
    );
}

#[tokio::test]
async fn exported_reports_import_back_unchanged() {
    use bridgehead_app::projects::ReportImportMode;
    use bridgehead_io::{FileFormat, Lang};
    let (_db, app) = setup().await;
    let world = world(&app).await;
    let id = started_project(&app, &world).await;
    let enterprise = actor(&app, &world, Role::EnterpriseUser).await;
    for (month, amount) in [("2023-01", "100.50"), ("2023-02", "200")] {
        app.create_report(&enterprise, id, month, &figures(amount, "0")).await.unwrap();
    }
    for (format, lang) in [(FileFormat::Xlsx, Lang::Zh), (FileFormat::Csv, Lang::En)] {
        let file = app.export_reports(&enterprise, Some("2023-01"), None, lang, format).await.unwrap();
        let outcome = app
            .import_reports(&enterprise, "export", &file, format, ReportImportMode::Drafts, &|_, _| {})
            .await
            .unwrap();
        assert_eq!(
            (outcome.rows, outcome.created, outcome.updated, outcome.unchanged),
            (2, 0, 0, 2),
            "{format:?} {lang:?}"
        );
    }
    let only_february =
        app.export_reports(&enterprise, Some("2023-02"), Some("2023-02"), Lang::En, FileFormat::Csv).await.unwrap();
    let text = String::from_utf8(only_february).unwrap();
    assert!(text.contains("2023-02") && !text.contains("2023-01"), "{text}");
}
