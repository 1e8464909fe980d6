//! The demo reproduces the published figures (demo_facts.md) through the statistics
//! the product computes — never through constants — and building it twice changes
//! nothing.

use bridgehead_app::statistics::{FilterFields, InvestmentQuery, ProjectCountQuery, ProjectCounts, hundred_millions};
use bridgehead_domain::statistics::published_text;

use crate::common::{admin, head, setup};

async fn jiaxing(app: &bridgehead_app::App, period: &str) -> (String, Option<String>) {
    let query = InvestmentQuery { region: "330400".into(), period: period.into(), ..Default::default() };
    let table = app.investment_table(&admin(), &query).await.unwrap();
    (hundred_millions(table.total.line.current_minor), published_text(table.total.line.growth_percent))
}

#[tokio::test]
async fn the_demo_gives_jiaxings_published_figures() {
    let (_db, app) = setup().await;
    app.build_demo().await.unwrap();
    // January–March 2023: 29.03 billion yuan, +24.1% (001_cd80904b62bd1569.txt).
    assert_eq!(jiaxing(&app, "2023-03").await, ("290.30".to_owned(), Some("24.1".to_owned())));
    // January–June 2023: 63.89 billion yuan, 35.7% of fixed-asset investment.
    assert_eq!(jiaxing(&app, "2023-06").await.0, "638.90");
    let june = InvestmentQuery { region: "330400".into(), period: "2023-06".into(), ..Default::default() };
    let table = app.investment_table(&admin(), &june).await.unwrap();
    assert_eq!(published_text(table.fixed_asset_investment_share).as_deref(), Some("35.7"));
    let before = head(&app).await;
    app.build_demo().await.unwrap();
    let after = head(&app).await;
    if after != before {
        let mut conn = app.store.read().await.unwrap();
        let query = bridgehead_store::audit::AuditQuery { limit: 20, ..Default::default() };
        let records = bridgehead_store::audit::list(&mut conn, &query).await.unwrap();
        let changed: Vec<String> = records
            .iter()
            .filter(|r| r.seq > before.seq)
            .map(|r| format!("{} {} {}", r.action, r.entity, r.entity_key))
            .collect();
        panic!("a second build changed: {changed:?}");
    }
    assert_eq!(jiaxing(&app, "2023-03").await.0, "290.30");

    // The children stacked by cluster: the automobile cluster ("36") of each system holds
    // exactly the division-36 projects.
    let stack = app.investment_by_cluster(&admin(), &june).await.unwrap();
    assert_eq!(stack.regions.len(), 7);
    let division_36 = InvestmentQuery {
        filter: FilterFields { industry: Some("36".into()), ..FilterFields::default() },
        ..june.clone()
    };
    let cars = app.investment_table(&admin(), &division_36).await.unwrap().total.line.current_minor;
    let automobile: Vec<i64> = stack
        .series
        .iter()
        .filter(|(_, name, _, _)| name.contains("汽车"))
        .map(|(_, _, _, values)| values.iter().sum())
        .collect();
    assert_eq!(automobile, [cars, cars], "one automobile cluster in each of the two systems: {stack:?}");

    // 2019 (004_0e370278f6824660.txt): in the nine months to June, 14 projects of 10 billion
    // yuan and more and 31 more of 1 billion yuan or USD 100 million and more.
    let tiers = count(&app, "2019-06-30", "9", "tier", FilterFields::default(), None).await;
    assert_eq!((tiers.from.as_str(), tiers.to.as_str()), ("2018-10-01", "2019-06-30"));
    let band = |code: &str| tiers.counts.lines.iter().find(|l| l.key == code).map_or(0, |l| l.projects);
    assert_eq!((band("ten_billion"), band("billion")), (14, 31), "{tiers:?}");
    assert_eq!(tiers.counts.total.projects, 51, "six smaller projects count in no tier");
    let ten_billion = FilterFields { tier: Some("ten_billion".into()), ..FilterFields::default() };
    let by_region = count(&app, "2019-06-30", "9", "region", ten_billion, None).await;
    assert_eq!(by_region.counts.total.projects, 14);
    let pinghu = by_region.counts.lines.iter().find(|l| l.key == "330482").unwrap();
    assert!(pinghu.projects >= 1, "the Great Wall project counts in Pinghu");
    // January–June 2019: 25 projects of USD 100 million and more (the billion tier and
    // above), seven from Fortune Global 500 enterprises, five of them domestic.
    let billion = FilterFields { tier: Some("billion".into()), ..FilterFields::default() };
    assert_eq!(count(&app, "2019-06-30", "6", "region", billion, None).await.counts.total.projects, 25);
    let fortune = count(&app, "2019-06-30", "6", "capital_source", FilterFields::default(), Some("true")).await;
    assert_eq!(fortune.counts.total.projects, 7);
    let domestic = fortune.counts.lines.iter().find(|l| l.key == "domestic").unwrap();
    assert_eq!(domestic.projects, 5);
    // The Great Wall project: started in 2019, in production in 2022.
    let started = count(&app, "2019-12-31", "12", "region", FilterFields::default(), None).await;
    assert_eq!(started.counts.total.projects, 25 + 3, "signed in 2019: 25 in the tiers and three smaller");
    let mut query = ProjectCountQuery {
        region: "330482".into(),
        event: Some("in_production".into()),
        through: "2022-12-31".into(),
        months: Some("12".into()),
        ..ProjectCountQuery::default()
    };
    assert_eq!(app.project_counts(&admin(), &query).await.unwrap().counts.total.projects, 1);
    query.event = Some("started".into());
    query.through = "2019-12-31".into();
    assert_eq!(app.project_counts(&admin(), &query).await.unwrap().counts.total.projects, 1);
}

/// Jiaxing's projects signed in the `months` months to `through`, by `by`.
async fn count(
    app: &bridgehead_app::App,
    through: &str,
    months: &str,
    by: &str,
    filter: FilterFields,
    fortune: Option<&str>,
) -> ProjectCounts {
    let query = ProjectCountQuery {
        region: "330400".into(),
        through: through.into(),
        months: Some(months.into()),
        by: Some(by.into()),
        filter,
        fortune_global_500: fortune.map(Into::into),
        ..ProjectCountQuery::default()
    };
    app.project_counts(&admin(), &query).await.unwrap()
}

/// The demo's funds: the provincial special funds, the High-end Equipment (Jiaxing)
/// Industry Fund under the provincial equipment fund and a sub-fund below it — a
/// three-level tree whose KPIs look through to the Jiaxing holdings, with a waterfall.
#[tokio::test]
async fn the_demo_funds_form_a_three_level_tree_with_kpis_and_a_waterfall() {
    let (_db, app) = setup().await;
    app.build_demo().await.unwrap();
    let funds = app.funds(&admin()).await.unwrap();
    assert_eq!(funds.len(), 7, "five provincial funds, the Jiaxing fund, its sub-fund");
    assert!(funds.iter().all(|f| f.name_zh.contains("示例")), "every size is marked illustrative");
    let equipment = funds.iter().find(|f| f.name_zh.starts_with("浙江省高端装备")).unwrap();
    let overview = app.fund_overview(&admin(), equipment.id, Some("2025-12-31")).await.unwrap();
    assert_eq!(overview.funds.iter().map(|f| f.depth).max(), Some(2));
    assert_eq!(overview.policy.rule_set, Some(("jiaxing-reinvestment".to_owned(), 2)));
    let kpis = app.fund_policy(&admin(), equipment.id, Some("2025-12-31"), Some("local_reinvestment")).await.unwrap();
    assert_eq!(
        kpis.kpis,
        overview
            .policy
            .kpis
            .iter()
            .map(|k| {
                let mut k = k.clone();
                if k.code != bridgehead_domain::funds::policy::KpiCode::LocalReinvestment {
                    return k;
                }
                k.lines = kpis.kpi(k.code).unwrap().lines.clone();
                k
            })
            .collect::<Vec<_>>(),
        "the same numbers with or without the lines"
    );
    let local = kpis.kpi(bridgehead_domain::funds::policy::KpiCode::LocalReinvestment).unwrap();
    assert!(local.lines.iter().any(|l| l.basis == "relocation" && !l.evidence.is_empty()), "{local:?}");
    assert!(local.lines.iter().any(|l| l.path.len() == 3), "the sub-fund's holdings are looked through");
    let version_one = app.fund_policy(&admin(), equipment.id, Some("2023-12-31"), None).await.unwrap();
    assert_eq!(version_one.rule_set, Some(("jiaxing-reinvestment".to_owned(), 1)));

    let jiaxing = funds.iter().find(|f| f.name_zh.starts_with("高端装备（嘉兴）")).unwrap();
    let waterfall = app.fund_waterfall(&admin(), jiaxing.id, Some("2025-12-31"), None).await.unwrap();
    let first = &waterfall.result.distributions[0];
    assert_eq!(first.lines.iter().map(|l| l.amount).sum::<i64>(), first.amount);
    assert_eq!(first.amount, 105_000_000 * 100, "the distribution of 105 million yuan");
}
