//! Schema migrations and the shipped reference data.

use bridgehead_app::{AccessSettings, App};
use bridgehead_domain::codes::IndustryLevel;
use bridgehead_store::migrate;
use bridgehead_testkit::TestDb;

use crate::common::admin;

#[tokio::test]
async fn migrating_again_is_a_no_op_and_the_schema_is_at_the_latest_version() {
    let db = TestDb::empty().await;
    assert_eq!(migrate::current_version(&db.store).await.unwrap(), migrate::latest_version());
    assert!(migrate::latest_version() >= 1);
    let again = db.store.migrate().await.unwrap();
    assert!(again.is_empty(), "a second migrate applied {again:?}");
    let third = db.store.migrate().await.unwrap();
    assert!(third.is_empty(), "a third migrate applied {third:?}");
    assert_eq!(migrate::current_version(&db.store).await.unwrap(), migrate::latest_version());
}

#[tokio::test]
async fn reference_data_loads_once_with_regions_industries_tags_and_currencies() {
    let db = TestDb::empty().await;
    let app = App::new(db.store.clone(), AccessSettings::default());
    let first = app.ensure_reference_data().await.unwrap().expect("the first load loads");
    assert!(first.regions >= 50 && first.industries > 1000 && first.tags >= 6 && first.currencies >= 10, "{first:?}");
    assert!(app.ensure_reference_data().await.unwrap().is_none(), "the second load must do nothing");
    let head_after_second = crate::common::head(&app).await;
    // One record for the reference data, one for the shipped calendar years.
    assert_eq!(head_after_second.seq, 2, "only the first load is audited");

    let actor = admin();
    let (jiaxing, lineage, children) = app.region(&actor, "330400").await.unwrap();
    assert_eq!(jiaxing.name_zh, "嘉兴市");
    assert_eq!(lineage.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), vec!["330000"]);
    assert_eq!(children.len(), 7, "{children:?}");
    assert!(children.iter().any(|r| r.code == "330482" && r.name_zh == "平湖市"));

    let (_, sections) = app.industries(&actor, Some(IndustryLevel::Section), None, None, 100, 0).await.unwrap();
    assert_eq!(sections, 20);
    let (_, divisions) = app.industries(&actor, Some(IndustryLevel::Division), None, None, 200, 0).await.unwrap();
    assert_eq!(divisions, 97);
    let (manufacturing, manufacturing_divisions) = app.industry(&actor, "C").await.unwrap();
    assert_eq!(manufacturing.name_en.as_deref(), Some("Manufacturing"));
    assert_eq!(manufacturing_divisions.len(), 31, "manufacturing is divisions 13-43");
    // A class from the classes list (Chinese only) is there too.
    assert!(app.industry(&actor, "3670").await.is_ok());

    let tags = app.tags(&actor).await.unwrap();
    for code in ["high_tech", "little_giant", "specialised_sme", "listed"] {
        assert!(tags.iter().any(|t| t.code == code), "tag {code} missing");
    }
    let currencies = app.currencies(&actor).await.unwrap();
    for code in ["CNY", "USD", "EUR", "HKD"] {
        assert!(currencies.iter().any(|c| c.code == code), "currency {code} missing");
    }
    let groups = app.region_groups(&actor).await.unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].members.len(), 26);
}
