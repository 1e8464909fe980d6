//! Project and stage event files: all or nothing, every row error at once, idempotent,
//! scoped, and what other tools write (Chinese headers, a BOM, numbers as text, Excel
//! serial dates, trailing empty rows) reads as it should.

use bridgehead_app::AppError;
use bridgehead_domain::access::Role;
use bridgehead_io::{FileFormat, Lang};
use bridgehead_testkit::fixtures::world;

use crate::common::{actor, admin, head, setup};

async fn project_count(app: &bridgehead_app::App) -> i64 {
    let mut conn = app.store.read().await.unwrap();
    let filter = bridgehead_store::projects::ProjectFilter { limit: 1000, ..Default::default() };
    bridgehead_store::projects::list_projects(&mut conn, &filter).await.unwrap().1
}

fn rows_of(error: AppError) -> Vec<(usize, String, String)> {
    match error {
        AppError::ImportRows(rows) => rows.into_iter().map(|r| (r.row, r.column, r.code)).collect(),
        other => panic!("expected row errors, got {other:?}"),
    }
}

#[tokio::test]
async fn projects_import_all_or_nothing_idempotently_and_export_back_unchanged() {
    let (_db, app) = setup().await;
    let world = world(&app).await;
    let ours = world.ours.record.credit_code.to_string();
    let theirs = world.theirs.record.credit_code.to_string();
    let header = "\u{feff}项目代码,项目名称,建设地点区划代码,计划总投资,其中固定资产投资,计划开工日期,投资企业及比例,签约日期,沪资项目\n";
    // 44927 is 2023-01-01 as an Excel serial number.
    let good = format!(
        "{header}2023-330482-36-01-000001,平湖导入项目一（示例）,330482,\"1,000,000\",800000,44927,{ours},2023-01-05,是\n\
         p-internal-7,平湖导入项目二（示例）,330482,5000000.5,,,{ours}:60%；{theirs}:40%,2022-12-01,否\n,,,,,,,,\n"
    );
    let before = head(&app).await;
    let first =
        app.import_projects(&admin(), "projects.csv", good.as_bytes(), FileFormat::Csv, &|_, _| {}).await.unwrap();
    assert_eq!((first.rows, first.created, first.updated, first.unchanged), (2, 2, 0, 0));
    let again =
        app.import_projects(&admin(), "projects.csv", good.as_bytes(), FileFormat::Csv, &|_, _| {}).await.unwrap();
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 2));
    let after_first = head(&app).await;
    assert_ne!(after_first, before);
    let mut conn = app.store.read().await.unwrap();
    let one =
        bridgehead_store::projects::get_project_by_code(&mut conn, "2023-330482-36-01-000001").await.unwrap().unwrap();
    let two = bridgehead_store::projects::get_project_by_code(&mut conn, "P-INTERNAL-7").await.unwrap().unwrap();
    drop(conn);
    assert_eq!(one.record.planned_total_minor, 100_000_000);
    assert_eq!(
        one.record.planned_start_on.map(bridgehead_domain::enterprise::format_date).as_deref(),
        Some("2023-01-01")
    );
    assert!(one.record.from_shanghai);
    assert_eq!(two.record.investors.iter().map(|i| i.share_bp).collect::<Vec<_>>(), [6000, 4000]);

    // The same projects written as other tools write them — the code in full-width
    // characters, the investors in another order — are the same projects, unchanged.
    let respelled = good
        .replace("2023-330482-36-01-000001", "２０２３－３３０４８２－３６－０１－０００００１")
        .replace(&format!("{ours}:60%；{theirs}:40%"), &format!("{theirs}:40%;{ours}:60%"));
    let same = app.import_projects(&admin(), "p.csv", respelled.as_bytes(), FileFormat::Csv, &|_, _| {}).await.unwrap();
    assert_eq!((same.created, same.updated, same.unchanged), (0, 0, 2));

    // A changed value updates that project only.
    let changed = good.replace("平湖导入项目二（示例）", "平湖导入项目二（已改名，示例）");
    let third =
        app.import_projects(&admin(), "projects.csv", changed.as_bytes(), FileFormat::Csv, &|_, _| {}).await.unwrap();
    assert_eq!((third.created, third.updated, third.unchanged), (0, 1, 1));

    // Exported in either language and format, the projects import back unchanged.
    for (lang, format) in [(Lang::Zh, FileFormat::Xlsx), (Lang::En, FileFormat::Csv)] {
        let file = app.export_projects(&admin(), lang, format).await.unwrap();
        let back = app.import_projects(&admin(), "export", &file, format, &|_, _| {}).await.unwrap();
        assert_eq!((back.rows, back.created, back.updated, back.unchanged), (2, 0, 0, 2), "{lang:?} {format:?}");
    }

    // A file with errors stores nothing and names every row at fault.
    let count = project_count(&app).await;
    let head_before = head(&app).await;
    let bad = format!(
        "{header}2023-330482-36-01-000009,好行（示例）,330482,100,,,{ours},2023-01-05,否\n\
         2023-33048-36-01-000001,坏代码（示例）,330482,100,,,{ours},2023-01-05,否\n\
         P-8,未知投资方（示例）,330482,100,,,91330000000000000X,2023-01-05,否\n\
         P-9,未来签约（示例）,330482,100,,,{ours},2099-01-05,否\n\
         P-INTERNAL-7,改签约日（示例）,330482,100,,,{ours},2022-12-02,否\n\
         P-10,重复（示例）,330482,100,,,{ours},2023-01-05,否\n\
         p-10,重复（示例）,330482,100,,,{ours},2023-01-05,否\n"
    );
    let errors = rows_of(
        app.import_projects(&admin(), "bad.csv", bad.as_bytes(), FileFormat::Csv, &|_, _| {}).await.unwrap_err(),
    );
    assert_eq!(
        errors,
        [
            (3, "项目代码".to_owned(), "project.code_format".to_owned()),
            (4, "投资企业及比例".to_owned(), "enterprise.unknown".to_owned()),
            (5, "签约日期".to_owned(), "date.future".to_owned()),
            (6, "签约日期".to_owned(), "project.signed_on_fixed".to_owned()),
            (8, "项目代码".to_owned(), "import.duplicate_row".to_owned()),
        ],
    );
    assert_eq!(project_count(&app).await, count, "nothing stored");
    assert_eq!(head(&app).await, head_before, "nothing audited");

    // A district officer imports only within the district.
    let pinghu = actor(&app, &world, Role::DistrictOfficer).await;
    let nanhu_row = format!("{header}2023-330402-36-01-000005,南湖项目（示例）,330402,100,,,{theirs},2023-01-05,否\n");
    let errors = rows_of(
        app.import_projects(&pinghu, "n.csv", nanhu_row.as_bytes(), FileFormat::Csv, &|_, _| {}).await.unwrap_err(),
    );
    assert_eq!(errors[0].2, "region.out_of_scope");
    let enterprise = actor(&app, &world, Role::EnterpriseUser).await;
    assert!(matches!(
        app.import_projects(&enterprise, "x.csv", good.as_bytes(), FileFormat::Csv, &|_, _| {}).await,
        Err(AppError::Forbidden(_))
    ));
}

#[tokio::test]
async fn stage_events_import_by_the_stage_rules_and_idempotently() {
    let (_db, app) = setup().await;
    let world = world(&app).await;
    let fields = bridgehead_domain::project::ProjectFields {
        code: Some("2023-330482-36-01-000002".into()),
        name_zh: Some("阶段导入项目（示例）".into()),
        region_code: Some("330482".into()),
        planned_total: Some("1000".into()),
        investors: vec![(world.ours.id.to_string(), "100".into())],
        ..Default::default()
    };
    app.create_project(&admin(), &fields, "2023-01-05").await.unwrap();
    let header = "Project code,Event,Date,Phase,Reason,Increment (yuan)\n";
    let good = format!(
        "{header}2023-330482-36-01-000002,filed,2023-02-01,,,\n2023-330482-36-01-000002,started,44986,,,\n\
         2023-330482-36-01-000002,signed,2023-04-01,2,,\"2,000,000\"\n"
    );
    let first = app.import_events(&admin(), "e.csv", good.as_bytes(), FileFormat::Csv, &|_, _| {}).await.unwrap();
    assert_eq!((first.created, first.unchanged), (3, 0));
    let again = app.import_events(&admin(), "e.csv", good.as_bytes(), FileFormat::Csv, &|_, _| {}).await.unwrap();
    assert_eq!((again.created, again.unchanged), (0, 3));
    let detail = app.project(&admin(), first_project_id(&app).await).await.unwrap();
    assert_eq!(detail.project.state.phase, 2);
    assert_eq!(detail.events.len(), 4, "signing, filing, start, second signing");

    let exported = app.export_events(&admin(), Lang::Zh, FileFormat::Xlsx).await.unwrap();
    let back = app.import_events(&admin(), "x.xlsx", &exported, FileFormat::Xlsx, &|_, _| {}).await.unwrap();
    assert_eq!((back.rows, back.created, back.unchanged), (4, 0, 4));

    let before = head(&app).await;
    let bad = format!(
        "{header}2023-330482-36-01-000002,in_production,2023-05-01,2,,\n2023-330482-36-01-000002,filed,2023-06-01,2,,\n\
         2023-330482-36-01-000099,filed,2023-06-01,,,\n2023-330482-36-01-000002,bogus,2023-06-01,,,\n"
    );
    let errors =
        rows_of(app.import_events(&admin(), "bad.csv", bad.as_bytes(), FileFormat::Csv, &|_, _| {}).await.unwrap_err());
    let codes: Vec<&str> = errors.iter().map(|e| e.2.as_str()).collect();
    assert!(codes.contains(&"stage.back_needs_reason"), "{errors:?}");
    assert!(codes.contains(&"project.unknown") && codes.contains(&"stage.kind"), "{errors:?}");
    assert_eq!(head(&app).await, before, "nothing stored");
}

async fn first_project_id(app: &bridgehead_app::App) -> i64 {
    let mut conn = app.store.read().await.unwrap();
    bridgehead_store::projects::get_project_by_code(&mut conn, "2023-330482-36-01-000002").await.unwrap().unwrap().id
}
