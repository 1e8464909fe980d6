//! The statistics engine against the SQL reference: random projects, reports and
//! queries give the same figures from both; approvals, revisions and new projects show at
//! once in this process and within a second in another process on the same database.

use bridgehead_app::engine::CROSS_PROCESS_CHECK;
use bridgehead_app::projects::{EventInput, ReportImportMode};
use bridgehead_app::reference::{ClusterInput, ClusterTaxonomyInput, ParkInput};
use bridgehead_app::{AccessSettings, App};
use bridgehead_domain::enterprise::parse_date;
use bridgehead_domain::facts::{Breakdown, CountedEvent, Filter, Measure};
use bridgehead_domain::period::Period;
use bridgehead_domain::project::{CapitalSource, ProjectFields, ProjectType, ReportFields};
use bridgehead_io::FileFormat;
use bridgehead_store::statistics::{CountsQuery, SumsQuery, reference_counts, reference_sums, size_tiers};
use bridgehead_store::{Store, StoreOptions};
use bridgehead_testkit::fixtures::world;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::common::{admin, setup};

const COUNTIES: &[&str] = &["330402", "330411", "330421", "330424", "330481", "330482", "330483", "310114"];
const INDUSTRIES: &[&str] = &["3670", "3612", "2651", "3982", "3399", "1713"];
const REGIONS: &[&str] = &["330000", "330400", "330482", "310000", "330402", "100000"];

struct Ids {
    parks: Vec<i64>,
    clusters: Vec<i64>,
    investor: i64,
}

async fn foundation(app: &App) -> Ids {
    let world = world(app).await;
    let operator = admin();
    let mut parks = Vec::new();
    for (name, region) in [("统计园区甲（示例）", "330482"), ("统计园区乙（示例）", "330402")] {
        let input = ParkInput {
            name_zh: Some(name.into()),
            name_en: None,
            region_code: Some(region.into()),
            level: Some("other".into()),
        };
        parks.push(app.create_park(&operator, &input).await.unwrap().id);
    }
    let taxonomy = ClusterTaxonomyInput {
        code: "TEST".into(),
        region_code: "330400".into(),
        name_zh: "测试集群（示例）".into(),
        name_en: None,
        valid_from: "2020-01-01".into(),
        valid_to: None,
        clusters: ["A", "B", "C"]
            .iter()
            .map(|c| ClusterInput {
                code: (*c).into(),
                name_zh: format!("集群{c}"),
                name_en: None,
                industry_prefixes: vec!["36".into()],
            })
            .collect(),
    };
    let created = app.create_cluster_taxonomy(&operator, &taxonomy).await.unwrap();
    let clusters = created.clusters.iter().map(|c| c.id).collect();
    app.put_exchange_rate(&operator, Some("2018-01-01"), Some("USD"), Some("6.5"), Some("test")).await.unwrap();
    Ids { parks, clusters, investor: world.ours.id }
}

/// A random project with random approved reports in 2021..2023 and random stage events.
async fn random_project(app: &App, rng: &mut StdRng, ids: &Ids, n: usize) {
    let code = format!("ENG-{n}");
    // Planned totals around the tier thresholds (1 and 10 billion yuan, USD 100 million).
    let total = *[50_000_000_i64, 650_000_000, 700_000_000, 999_999_999, 1_000_000_000, 9_000_000_000, 10_000_000_000]
        .get(rng.random_range(0..7))
        .unwrap();
    let usd = rng.random_bool(0.2);
    let clusters: Vec<String> = ids.clusters.iter().filter(|_| rng.random_bool(0.4)).map(ToString::to_string).collect();
    let county = COUNTIES[rng.random_range(0..COUNTIES.len())];
    // Parks lie in Pinghu and Nanhu; a project can only be in a park of its own county.
    let park = match county {
        "330482" => Some(ids.parks[0]),
        "330402" => Some(ids.parks[1]),
        _ => None,
    };
    let source = CapitalSource::ALL[rng.random_range(0..3)];
    let fields = ProjectFields {
        code: Some(code.clone()),
        name_zh: Some(format!("引擎测试项目{n}（示例）")),
        region_code: Some(county.into()),
        industry_code: Some(INDUSTRIES[rng.random_range(0..INDUSTRIES.len())].into()),
        park_id: park.filter(|_| rng.random_bool(0.6)).map(|p| p.to_string()),
        project_type: Some(ProjectType::ALL[rng.random_range(0..3)].as_str().into()),
        capital_source: Some(source.as_str().into()),
        source_country: (source != CapitalSource::Domestic).then(|| "NL".into()),
        fortune_global_500: Some(rng.random_bool(0.3).to_string()),
        planned_total: Some(if usd { (total / 7).to_string() } else { total.to_string() }),
        planned_currency: Some(if usd { "USD" } else { "CNY" }.into()),
        investors: vec![(ids.investor.to_string(), "100".into())],
        cluster_ids: clusters,
        ..Default::default()
    };
    let signed = format!("2019-{:02}-{:02}", rng.random_range(1..=12), rng.random_range(1..=28));
    let project = app.create_project(&admin(), &fields, &signed).await.unwrap();
    // Reports need a start; a project not started has none.
    let started = rng.random_bool(0.85);
    if started {
        let on = format!("2020-{:02}-{:02}", rng.random_range(1..=12), rng.random_range(1..=28));
        let start = EventInput { kind: "started".into(), occurred_on: on, ..Default::default() };
        app.record_event(&admin(), project.id, &start).await.unwrap();
        if rng.random_bool(0.5) {
            let on = format!(
                "{}-{:02}-{:02}",
                rng.random_range(2021..=2022),
                rng.random_range(1..=12),
                rng.random_range(1..=28)
            );
            let production = EventInput { kind: "in_production".into(), occurred_on: on, ..Default::default() };
            app.record_event(&admin(), project.id, &production).await.unwrap();
        }
    }
    if !started {
        return;
    }
    let mut csv = String::from("项目代码,月份,本月完成投资,其中设备投资\n");
    for year in 2021..=2023 {
        for month in 1..=12 {
            if rng.random_bool(0.4) {
                let completed = rng.random_range(0..5_000_000_i64);
                let equipment = rng.random_range(0..=completed);
                csv.push_str(&format!("{code},{year}-{month:02},{completed},{equipment}\n"));
            }
        }
    }
    approve(app, &csv).await;
}

async fn approve(app: &App, csv: &str) {
    app.import_reports(&admin(), "r.csv", csv.as_bytes(), FileFormat::Csv, ReportImportMode::Approved, &|_, _| {})
        .await
        .unwrap();
}

fn random_filter(rng: &mut StdRng, ids: &Ids) -> Filter {
    let maybe = |rng: &mut StdRng| rng.random_bool(0.25);
    Filter {
        industry_prefix: maybe(rng).then(|| ["3", "36", "3670", "2"][rng.random_range(0..4)].into()),
        min_band: if maybe(rng) { rng.random_range(1..=2) } else { 0 },
        max_band: None,
        cluster_id: maybe(rng).then(|| ids.clusters[rng.random_range(0..ids.clusters.len())]),
        park_id: maybe(rng).then(|| ids.parks[rng.random_range(0..ids.parks.len())]),
        project_type: maybe(rng).then(|| ProjectType::ALL[rng.random_range(0..3)]),
        capital_source: maybe(rng).then(|| CapitalSource::ALL[rng.random_range(0..3)]),
        fortune_global_500: maybe(rng).then(|| rng.random_bool(0.5)),
    }
}

/// Random tables and counts: the engine of `app` gives what SQL gives.
async fn compare(app: &App, rng: &mut StdRng, ids: &Ids, queries: usize) -> Result<(), String> {
    let mut conn = app.store.read().await.unwrap();
    let tiers = size_tiers(&mut conn).await.unwrap();
    let index = app.statistics.current(&app.store).await.unwrap();
    for _ in 0..queries {
        let region = REGIONS[rng.random_range(0..REGIONS.len())];
        let filter = random_filter(rng, ids);
        let breakdown = Breakdown::ALL[rng.random_range(0..Breakdown::ALL.len())];
        let through = Period::new(rng.random_range(2021..=2024), rng.random_range(1..=12)).unwrap();
        let measure = if rng.random_bool(0.5) { Measure::Completed } else { Measure::Equipment };
        let query = SumsQuery { region: region.into(), through, measure, filter: filter.clone(), breakdown };
        let expected = reference_sums(&mut conn, &query, &tiers).await.unwrap();
        let got = index.sums(region, through, measure, &filter, breakdown);
        if got != expected {
            return Err(format!("{query:?}\nengine    {got:?}\nreference {expected:?}"));
        }
        let event = CountedEvent::ALL[rng.random_range(0..3)];
        let from =
            parse_date(&format!("{}-{:02}-01", rng.random_range(2019..=2022), rng.random_range(1..=12))).unwrap();
        let to = from + time::Duration::days(rng.random_range(0..400));
        let query = CountsQuery { region: region.into(), filter: filter.clone(), breakdown, event, from, to };
        let expected = reference_counts(&mut conn, &query, &tiers).await.unwrap();
        let got = index.counts(region, &filter, breakdown, event, from, to);
        if got != expected {
            return Err(format!("{query:?}\nengine    {got:?}\nreference {expected:?}"));
        }
    }
    Ok(())
}

#[tokio::test]
async fn the_engine_agrees_with_the_sql_reference_on_random_data() {
    for seed in 0..3_u64 {
        let (_db, app) = setup().await;
        let ids = foundation(&app).await;
        let mut rng = StdRng::seed_from_u64(seed);
        // Built before anything exists, then kept current by the feed.
        app.statistics.start(&app.store).await.unwrap();
        for n in 0..18 {
            random_project(&app, &mut rng, &ids, n).await;
        }
        compare(&app, &mut rng, &ids, 60).await.unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        // A fresh engine (built from the tables) agrees too.
        let fresh = App::new(app.store.clone(), AccessSettings::default());
        compare(&fresh, &mut rng, &ids, 30).await.unwrap_or_else(|e| panic!("seed {seed}, rebuilt: {e}"));
    }
}

/// Jiaxing's January–March 2023 as `app`'s engine has it.
async fn total(app: &App) -> i64 {
    let index = app.statistics.current(&app.store).await.unwrap();
    let march = Period::new(2023, 3).unwrap();
    index
        .sums("330400", march, Measure::Completed, &Filter::default(), Breakdown::ChildRegions)
        .unwrap()
        .total
        .current_minor
}

#[tokio::test]
async fn changes_show_at_once_here_and_within_a_second_in_another_process() {
    let (db, app) = setup().await;
    let ids = foundation(&app).await;
    let mut rng = StdRng::seed_from_u64(42);
    for n in 0..6 {
        random_project(&app, &mut rng, &ids, n).await;
    }
    // Another server process: its own pool and its own engine on the same database.
    let other = App::new(Store::connect(&db.url, &StoreOptions::default()).await.unwrap(), AccessSettings::default());
    other.statistics.start(&other.store).await.unwrap();
    let before = total(&app).await;
    assert_eq!(total(&other).await, before);

    // A new approved report: seen at once by this process.
    let fields = ProjectFields {
        code: Some("ENG-LIVE".into()),
        name_zh: Some("引擎实时项目（示例）".into()),
        region_code: Some("330482".into()),
        planned_total: Some("100000000".into()),
        investors: vec![(ids.investor.to_string(), "100".into())],
        ..Default::default()
    };
    let live = app.create_project(&admin(), &fields, "2019-06-01").await.unwrap();
    let start = EventInput { kind: "started".into(), occurred_on: "2023-03-02".into(), ..Default::default() };
    app.record_event(&admin(), live.id, &start).await.unwrap();
    approve(&app, "项目代码,月份,本月完成投资\nENG-LIVE,2023-03,777\n").await;
    let after = total(&app).await;
    assert!(after > before, "{after} after {before}");
    compare(&app, &mut rng, &ids, 20).await.unwrap();
    // And within a second by the other.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
    while total(&other).await != after {
        assert!(std::time::Instant::now() < deadline, "the other process did not see the change within a second");
        tokio::time::sleep(CROSS_PROCESS_CHECK / 4).await;
    }
    // A revision of a counted report (approved again with a new figure) and a brand-new
    // project, made through the other process this time.
    let counted: i64 =
        sqlx::query_scalar("SELECT id FROM monthly_reports WHERE project_id = $1 AND status = 'approved_by_city'")
            .bind(live.id)
            .fetch_one(&mut *other.store.read().await.unwrap())
            .await
            .unwrap();
    let figures =
        ReportFields {
            completed: Some("1777".into()), warning_note: Some("发票补录".into()), ..Default::default()
        };
    let revision = other.correct_report(&admin(), counted, "发票补录", &figures).await.unwrap();
    for action in ["submit", "approve_district", "approve_city"] {
        other.act_on_report(&admin(), revision.id, action, None).await.unwrap();
    }
    assert_eq!(total(&other).await, after + 100_000, "the revision counts instead of the first figure");
    random_project(&other, &mut rng, &ids, 100).await;
    tokio::time::sleep(CROSS_PROCESS_CHECK * 3).await;
    compare(&app, &mut rng, &ids, 30).await.unwrap();
    compare(&other, &mut rng, &ids, 30).await.unwrap();
}
