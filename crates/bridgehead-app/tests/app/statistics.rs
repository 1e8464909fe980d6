//! The official investment table from approved reports: sums, growth, share, rank,
//! scope — checked against figures worked out by hand.

use bridgehead_app::AppError;
use bridgehead_app::projects::{EventInput, ReportImportMode};
use bridgehead_app::statistics::{FilterFields, InvestmentQuery, hundred_millions};
use bridgehead_domain::access::Role;
use bridgehead_domain::project::ProjectFields;
use bridgehead_domain::statistics::published;
use bridgehead_io::{FileFormat, Lang};
use bridgehead_testkit::fixtures::world;

use crate::common::{actor, admin, setup};

/// A started project in `region` with approved reports: `monthly` yuan each month of
/// 2022 and `monthly_2023` each month of 2023 up to June.
async fn project_with_reports(
    app: &bridgehead_app::App,
    investor: i64,
    code: &str,
    region: &str,
    industry: &str,
    (monthly_2022, monthly_2023): (i64, i64),
) {
    let fields = ProjectFields {
        code: Some(code.into()),
        name_zh: Some(format!("统计测试项目{code}（示例）")),
        region_code: Some(region.into()),
        industry_code: Some(industry.into()),
        planned_total: Some("100000000000".into()),
        investors: vec![(investor.to_string(), "100".into())],
        ..Default::default()
    };
    let project = app.create_project(&admin(), &fields, "2021-12-01").await.unwrap();
    let start = EventInput { kind: "started".into(), occurred_on: "2022-01-05".into(), ..Default::default() };
    app.record_event(&admin(), project.id, &start).await.unwrap();
    let mut csv = String::from("项目代码,月份,本月完成投资\n");
    for month in 1..=12 {
        csv.push_str(&format!("{code},2022-{month:02},{monthly_2022}\n"));
    }
    for month in 1..=6 {
        csv.push_str(&format!("{code},2023-{month:02},{monthly_2023}\n"));
    }
    app.import_reports(&admin(), "r.csv", csv.as_bytes(), FileFormat::Csv, ReportImportMode::Approved, &|_, _| {})
        .await
        .unwrap();
}

fn filter_industry(prefix: &str) -> FilterFields {
    FilterFields { industry: Some(prefix.into()), ..FilterFields::default() }
}

#[tokio::test]
async fn the_official_table_adds_up_compares_and_ranks() {
    let (_db, app) = setup().await;
    let world = world(&app).await;
    let (ours, theirs) = (world.ours.id, world.theirs.id);
    // Pinghu: 10 million a month in 2022, 12 million in 2023 (+20%); a second Pinghu
    // project outside manufacturing division 36 adds 1 million and 3 million.
    project_with_reports(&app, ours, "STAT-1", "330482", "3670", (10_000_000, 12_000_000)).await;
    project_with_reports(&app, ours, "STAT-2", "330482", "2651", (1_000_000, 3_000_000)).await;
    // Nanhu: 5 million a month, then 6 million (+20%).
    project_with_reports(&app, theirs, "STAT-3", "330402", "3670", (5_000_000, 6_000_000)).await;

    let city = actor(&app, &world, Role::CityAnalyst).await;
    let query = InvestmentQuery { region: "330400".into(), period: "2023-03".into(), ..Default::default() };
    let table = app.investment_table(&city, &query).await.unwrap();
    // January–March 2023: Pinghu 3 × 15 million = 45 million on 33 million; Nanhu 18 on 15.
    let line = |code: &str| table.children.iter().find(|c| c.line.region_code == code).unwrap().line.clone();
    let (pinghu, nanhu) = (line("330482"), line("330402"));
    assert_eq!((pinghu.current_minor, pinghu.previous_minor), (4_500_000_000, 3_300_000_000));
    assert_eq!((nanhu.current_minor, nanhu.previous_minor), (1_800_000_000, 1_500_000_000));
    assert_eq!(table.total.line.current_minor, 6_300_000_000, "the city is the sum of its districts");
    assert_eq!(published(pinghu.growth_percent.unwrap()).to_string(), "36.4", "45/33 − 1");
    assert_eq!(published(nanhu.growth_percent.unwrap()).to_string(), "20.0");
    assert_eq!(published(table.total.line.growth_percent.unwrap()).to_string(), "31.3", "63/48 − 1");
    assert_eq!(published(pinghu.share_percent.unwrap()).to_string(), "71.4", "45/63");
    assert_eq!((pinghu.rank, nanhu.rank), (Some(1), Some(2)));
    assert_eq!(table.children.len(), 7, "every county-level unit of Jiaxing has a line");
    assert!(line("330421").rank.is_none(), "no base, no rank");
    assert_eq!(hundred_millions(table.total.line.current_minor), "0.63");

    // An industry filter and the equipment measure.
    let division_36 = InvestmentQuery { filter: filter_industry("36"), ..query.clone() };
    let filtered = app.investment_table(&city, &division_36).await.unwrap();
    assert_eq!(filtered.total.line.current_minor, 5_400_000_000, "3 × (12 + 6) million");
    let equipment = InvestmentQuery { measure: Some("equipment".into()), ..query.clone() };
    assert_eq!(app.investment_table(&city, &equipment).await.unwrap().total.line.current_minor, 0);

    // The official layout, as a file.
    let csv = String::from_utf8(table.file(Lang::Zh, FileFormat::Csv).unwrap()).unwrap();
    assert!(csv.contains("地区,累计（亿元）,同比增长（%）,占比（%）,增速位次"), "{csv}");
    assert!(csv.contains("平湖市,0.45,36.4,71.4,1"), "{csv}");
    assert_eq!(table.title(Lang::Zh), "嘉兴市 2023年1-3月制造业投资");

    // Scope and bad input.
    let pinghu_officer = actor(&app, &world, Role::DistrictOfficer).await;
    assert!(matches!(app.investment_table(&pinghu_officer, &query).await, Err(AppError::NotFound { .. })));
    let own = InvestmentQuery { region: "330482".into(), ..query.clone() };
    assert_eq!(app.investment_table(&pinghu_officer, &own).await.unwrap().total.line.current_minor, 4_500_000_000);
    let enterprise = actor(&app, &world, Role::EnterpriseUser).await;
    assert!(matches!(app.investment_table(&enterprise, &query).await, Err(AppError::Forbidden(_))));
    let bad = InvestmentQuery { period: "2023-13".into(), filter: filter_industry("3x"), ..query };
    match app.investment_table(&city, &bad).await {
        Err(AppError::Invalid(errors)) => {
            let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, ["period", "industry"]);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn external_indicators_keep_their_revisions_and_stand_beside_our_figures() {
    let (_db, app) = setup().await;
    let world = world(&app).await;
    project_with_reports(&app, world.ours.id, "STAT-9", "330482", "3670", (1_000_000, 2_000_000)).await;
    let import = |csv: &'static str| {
        let app = &app;
        async move { app.import_indicators(&admin(), "i.csv", csv.as_bytes(), FileFormat::Csv, &|_, _| {}).await }
    };
    let file = "indicator,region_code,period,value,growth,source\n\
                fixed_asset_investment,330400,2023-03,60000000,12.5,统计局（示例）\n\
                gdp,330400,2023-03,,6.1,统计局（示例）\n";
    let first = import(file).await.unwrap();
    assert_eq!((first.created, first.updated, first.unchanged), (2, 0, 0));
    let again = import(file).await.unwrap();
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 2), "the same figures change nothing");
    let revised = import(
        "indicator,region_code,period,value,growth,source\n\
                          fixed_asset_investment,330400,2023-03,63000000,12.5,统计局（修订，示例）\n",
    )
    .await
    .unwrap();
    assert_eq!(revised.updated, 1);
    let mut conn = app.store.read().await.unwrap();
    let history = bridgehead_store::indicators::history(
        &mut conn,
        bridgehead_domain::indicators::IndicatorKind::FixedAssetInvestment,
        "330400",
        bridgehead_domain::period::Period::parse("2023-03").unwrap(),
    )
    .await
    .unwrap();
    drop(conn);
    assert_eq!(
        history.iter().map(|h| (h.revision, h.value.value_minor)).collect::<Vec<_>>(),
        [(2, Some(6_300_000_000)), (1, Some(6_000_000_000))]
    );

    // Beside our own figures: Pinghu's 3 × 2 million of 63 million is 9.5%.
    let city = actor(&app, &world, Role::CityAnalyst).await;
    let query = InvestmentQuery { region: "330400".into(), period: "2023-03".into(), ..Default::default() };
    let table = app.investment_table(&city, &query).await.unwrap();
    assert_eq!(table.fixed_asset_investment_share.map(|s| published(s).to_string()).as_deref(), Some("9.5"));
    assert_eq!(table.indicators.len(), 2);

    // All or nothing, every row named; a district imports nothing.
    let before = crate::common::head(&app).await;
    let bad = import(
        "indicator,region_code,period,value,growth,source\n\
                      gdp,330400,2023-06,,6.0,统计局（示例）\n\
                      gnp,330400,2023-06,,6.0,统计局（示例）\n\
                      gdp,990000,2023-06,,6.0,统计局（示例）\n\
                      gdp,330400,2023-06,,,统计局（示例）\n",
    )
    .await;
    match bad {
        Err(AppError::ImportRows(rows)) => {
            let named: Vec<(usize, &str)> = rows.iter().map(|r| (r.row, r.code.as_str())).collect();
            assert_eq!(named, [(3, "indicator.kind"), (4, "region.unknown"), (5, "indicator.empty")]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(crate::common::head(&app).await, before, "nothing stored");
    let district = actor(&app, &world, Role::DistrictOfficer).await;
    let refused = app.import_indicators(&district, "i.csv", file.as_bytes(), FileFormat::Csv, &|_, _| {}).await;
    assert!(matches!(refused, Err(AppError::Forbidden(_))));
}

#[tokio::test]
async fn a_published_release_stays_as_published_and_compares_with_today() {
    let (_db, app) = setup().await;
    let world = world(&app).await;
    project_with_reports(&app, world.ours.id, "REL-1", "330482", "3670", (10_000_000, 12_000_000)).await;
    let city = actor(&app, &world, Role::CityAnalyst).await;
    let query = InvestmentQuery { region: "330400".into(), period: "2023-03".into(), ..Default::default() };
    let release = app.publish_release(&city, &query, Some("一季度数据（示例）")).await.unwrap();
    assert_eq!(release.table.total.line.current_minor, 3_600_000_000);
    assert_eq!(release.title_zh, "嘉兴市 2023年1-3月制造业投资");
    let district = actor(&app, &world, Role::DistrictOfficer).await;
    assert!(matches!(app.publish_release(&district, &query, None).await, Err(AppError::Forbidden(_))));

    // A later report (April) does not touch January–March; a new project's March does.
    project_with_reports(&app, world.theirs.id, "REL-2", "330402", "3670", (0, 1_000_000)).await;
    let comparison = app.compare_release(&city, release.id).await.unwrap();
    assert!(comparison.changed);
    let total = &comparison.lines[0];
    assert_eq!(
        (total.released_minor, total.today_minor, total.difference_minor),
        (3_600_000_000, 3_900_000_000, 300_000_000)
    );
    let stored = app.public_release(release.id).await.unwrap();
    assert_eq!(stored.table.total.line.current_minor, 3_600_000_000, "the release keeps its figures");
    assert_eq!(app.public_releases().await.unwrap().len(), 1);

    // The database refuses to change a release, whatever the path.
    let mut conn = app.store.read().await.unwrap();
    let update = sqlx::query("UPDATE statistics_releases SET table_json = '{}' WHERE id = $1")
        .bind(release.id)
        .execute(&mut *conn)
        .await;
    assert!(update.is_err(), "a release cannot be updated");
    let delete = sqlx::query("DELETE FROM statistics_releases").execute(&mut *conn).await;
    assert!(delete.is_err(), "nor deleted");
    drop(conn);
    // A district sees the city's release neither in its list nor in a comparison.
    assert!(app.releases(&district).await.unwrap().is_empty());
    assert!(matches!(app.compare_release(&district, release.id).await, Err(AppError::NotFound { .. })));
    let long = "字".repeat(501);
    assert!(matches!(app.publish_release(&city, &query, Some(&long)).await, Err(AppError::Invalid(_))));
}

#[tokio::test]
async fn size_tiers_are_configurable_and_every_count_follows_them() {
    let (_db, app) = setup().await;
    let world = world(&app).await;
    // Planned 100 billion yuan: the default "ten_billion" tier.
    project_with_reports(&app, world.ours.id, "TIER-1", "330482", "3670", (1_000_000, 1_000_000)).await;
    let count = |app: &bridgehead_app::App| {
        let app = app.clone();
        async move {
            let query = bridgehead_app::statistics::ProjectCountQuery {
                region: "330400".into(),
                through: "2021-12-31".into(),
                by: Some("tier".into()),
                ..Default::default()
            };
            let counts = app.project_counts(&admin(), &query).await.unwrap();
            counts.counts.lines.iter().map(|l| (l.key.clone(), l.projects)).collect::<Vec<_>>()
        }
    };
    assert_eq!(count(&app).await, [("ten_billion".to_owned(), 1)]);
    let tier = |code: &str, cny: &str, usd: Option<&str>| bridgehead_app::statistics::SizeTierInput {
        code: code.into(),
        name_zh: format!("{code}（示例）"),
        name_en: code.into(),
        min_cny: cny.into(),
        min_usd: usd.map(Into::into),
    };
    let city = actor(&app, &world, Role::CityAnalyst).await;
    let tiers = [tier("two_hundred_billion", "200000000000", None), tier("trillion", "1000000000000", None)];
    assert!(matches!(app.set_size_tiers(&city, &tiers).await, Err(AppError::Forbidden(_))));
    app.set_size_tiers(&admin(), &tiers).await.unwrap();
    assert_eq!(count(&app).await, [(String::new(), 1)], "below the new lowest tier");
    let bad = [tier("b", "20", None), tier("b", "10", Some("x"))];
    match app.set_size_tiers(&admin(), &bad).await {
        Err(AppError::Invalid(errors)) => {
            let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, ["tiers[1].code", "tiers[1].min_usd", "tiers[1].min_cny"]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        app.size_tiers(&admin()).await.unwrap()[0].code,
        "two_hundred_billion",
        "the refused list changed nothing"
    );
}
