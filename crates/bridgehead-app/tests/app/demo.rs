//! The demo reproduces the published figures (demo_facts.md) through the statistics
//! the product computes — never through constants — and building it twice changes
//! nothing.

use bridgehead_app::statistics::{InvestmentQuery, hundred_millions};
use bridgehead_domain::statistics::published_text;

use crate::common::{admin, head, setup};

async fn jiaxing(app: &bridgehead_app::App, period: &str) -> (String, Option<String>) {
    let query = InvestmentQuery { region: "330400".into(), period: period.into(), ..Default::default() };
    let table = app.investment_table(&admin(), &query).await.unwrap();
    (hundred_millions(table.total.line.current_minor), published_text(table.total.line.growth_percent))
}

#[tokio::test]
async fn the_demo_gives_jiaxings_published_2023_figures() {
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
}
