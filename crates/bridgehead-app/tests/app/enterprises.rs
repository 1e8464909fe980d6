//! Registering, reading, editing and listing enterprises.

use std::collections::HashSet;

use bridgehead_app::AppError;
use bridgehead_domain::enterprise::{Enterprise, EnterpriseFields, Ownership, YearlyFiguresFields};
use bridgehead_store::enterprises::{EnterpriseFilter, EnterpriseSort};
use bridgehead_testkit::fixtures::{self, enterprise_fields};

use crate::common::{admin, enterprise_count, full_fields, get_enterprise, invalid, page, setup};

#[tokio::test]
async fn create_get_and_update_an_enterprise() {
    let (_db, app) = setup().await;
    let actor = admin();
    let fields = full_fields("330482", 1, "平湖创建测试（示例）");
    let created = app.create_enterprise(&actor, &fields).await.unwrap();
    assert_eq!(created.version, 1);
    assert_eq!(created.record.name_zh, "平湖创建测试（示例）");
    assert_eq!(created.record.registered_capital_minor, Some(100_000_150));
    assert_eq!(created.record.tags, vec!["high_tech".to_owned(), "little_giant".to_owned()]);
    assert!(created.record.listed);

    let detail = app.enterprise(&actor, created.id).await.unwrap();
    assert_eq!(detail.enterprise, created);
    assert!(detail.figures.is_empty());
    assert!(detail.warnings.is_empty(), "{:?}", detail.warnings);

    let mut changed = created.record.to_fields();
    changed.name_zh = Some("平湖更名测试（示例）".to_owned());
    changed.tags = Some("specialised_sme".to_owned());
    changed.registered_capital = None;
    let updated = app.update_enterprise(&actor, created.id, Some(1), &changed).await.unwrap();
    assert_eq!(updated.version, 2);
    assert_eq!(updated.record.name_zh, "平湖更名测试（示例）");
    assert_eq!(updated.record.tags, vec!["specialised_sme".to_owned()]);
    assert_eq!(updated.record.registered_capital_minor, None);
    assert_eq!(updated.record.credit_code, created.record.credit_code);
    assert_eq!(get_enterprise(&app, created.id).await, updated);

    let figures = YearlyFiguresFields {
        revenue: Some("12,345,678.90".to_owned()),
        employees: Some("1,250".to_owned()),
        ..YearlyFiguresFields::default()
    };
    let stored = app.put_figures(&actor, created.id, 2024, &figures).await.unwrap();
    assert_eq!(stored.revenue_minor, Some(1_234_567_890));
    let detail = app.enterprise(&actor, created.id).await.unwrap();
    assert_eq!(detail.figures, vec![stored]);
    assert_eq!(detail.enterprise.version, 3, "figures bump the enterprise's version");
}

#[tokio::test]
async fn updating_with_a_stale_version_is_refused_and_changes_nothing() {
    let (_db, app) = setup().await;
    let actor = admin();
    let created = app.create_enterprise(&actor, &enterprise_fields("330482", 1, "版本测试（示例）")).await.unwrap();
    let mut first = created.record.to_fields();
    first.name_zh = Some("第一次修改（示例）".to_owned());
    let after_first = app.update_enterprise(&actor, created.id, Some(created.version), &first).await.unwrap();

    let mut second = created.record.to_fields();
    second.name_zh = Some("基于旧版本的修改（示例）".to_owned());
    match app.update_enterprise(&actor, created.id, Some(created.version), &second).await {
        Err(AppError::VersionMismatch { current_version, .. }) => assert_eq!(current_version, 2),
        other => panic!("expected VersionMismatch, got {other:?}"),
    }
    assert_eq!(get_enterprise(&app, created.id).await, after_first);
    // A missing enterprise is not a version mismatch.
    assert!(matches!(
        app.update_enterprise(&actor, created.id + 1000, Some(1), &second).await,
        Err(AppError::NotFound { .. })
    ));
}

#[tokio::test]
async fn a_credit_code_can_be_registered_only_once() {
    let (_db, app) = setup().await;
    let actor = admin();
    let first = app.create_enterprise(&actor, &enterprise_fields("330482", 1, "第一家（示例）")).await.unwrap();
    // The same code, written in lower case with spaces, is still the same code.
    let mut fields = enterprise_fields("330402", 1, "第二家（示例）");
    fields.credit_code = Some(format!("  {}  ", first.record.credit_code.as_str().to_lowercase()));
    match app.create_enterprise(&actor, &fields).await {
        Err(AppError::Duplicate(error)) => {
            assert_eq!(error.field, "credit_code");
            assert_eq!(error.value.as_deref(), Some(first.record.credit_code.as_str()));
        }
        other => panic!("expected Duplicate, got {other:?}"),
    }
    // Changing another enterprise to a taken code is refused the same way.
    let other = app.create_enterprise(&actor, &enterprise_fields("330402", 2, "第三家（示例）")).await.unwrap();
    let mut taken = other.record.to_fields();
    taken.credit_code = Some(first.record.credit_code.to_string());
    assert!(matches!(app.update_enterprise(&actor, other.id, None, &taken).await, Err(AppError::Duplicate(_))));
    assert_eq!(enterprise_count(&app).await, 2);
    assert_eq!(get_enterprise(&app, other.id).await, other);
}

#[tokio::test]
async fn unknown_region_industry_tag_or_currency_is_refused_naming_the_field() {
    let (_db, app) = setup().await;
    let actor = admin();
    type Change = fn(&mut EnterpriseFields);
    let cases: [(&str, Change); 4] = [
        ("region_code", |f| f.region_code = Some("330499".to_owned())),
        ("industry_code", |f| f.industry_code = Some("9999".to_owned())),
        ("tags", |f| f.tags = Some("high_tech,no_such_tag".to_owned())),
        ("registered_capital_currency", |f| f.registered_capital_currency = Some("XAU".to_owned())),
    ];
    for (n, (field, change)) in cases.iter().enumerate() {
        let mut fields = enterprise_fields("330482", n, "引用测试（示例）");
        change(&mut fields);
        let errors = invalid(app.create_enterprise(&actor, &fields).await);
        assert_eq!(errors.len(), 1, "{field}: {errors:?}");
        assert_eq!(errors[0].field, *field, "{errors:?}");
    }
    let tag_errors = {
        let mut fields = enterprise_fields("330482", 9, "引用测试（示例）");
        fields.tags = Some("no_such_tag".to_owned());
        invalid(app.create_enterprise(&actor, &fields).await)
    };
    assert_eq!(tag_errors[0].value.as_deref(), Some("no_such_tag"));
    assert_eq!(enterprise_count(&app).await, 0);

    // The same on update: nothing changes.
    let created = app.create_enterprise(&actor, &enterprise_fields("330482", 10, "引用测试（示例）")).await.unwrap();
    let mut fields = created.record.to_fields();
    fields.industry_code = Some("0000".to_owned());
    fields.region_code = Some("330499".to_owned());
    let errors = invalid(app.update_enterprise(&actor, created.id, None, &fields).await);
    let mut named: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    named.sort_unstable();
    assert_eq!(named, vec!["industry_code", "region_code"]);
    assert_eq!(get_enterprise(&app, created.id).await, created);
}

/// Twelve enterprises with distinct and missing values to sort and filter on.
async fn registry(app: &bridgehead_app::App) -> Vec<Enterprise> {
    let regions = ["330482", "330402", "330411", "330421", "330481", "320500"];
    let ownerships = ["private", "state", "foreign", "private"];
    let industries = ["3670", "3562", "2710", "3670"];
    let mut created = Vec::new();
    for n in 0..12_usize {
        let fields = EnterpriseFields {
            name_en: (n % 3 != 0).then(|| format!("Sort Co {n:02}")),
            industry_code: Some(industries[n % 4].to_owned()),
            // Some capitals repeat and some are missing, so ties and NULLs are ordered.
            registered_capital: (n % 4 != 1).then(|| format!("{}", 1_000 * (n % 5))),
            established_on: (n % 3 != 2).then(|| format!("20{:02}-0{}-1{}", 10 + n, 1 + n % 9, n % 10)),
            ownership: Some(ownerships[n % 4].to_owned()),
            listed: Some((n % 2 == 0).to_string()),
            tags: (n % 3 == 0).then(|| "high_tech".to_owned()),
            ..enterprise_fields(regions[n % 6], 100 + n, &format!("排序企业{:02}（示例）", (n * 7) % 12))
        };
        created.push(app.create_enterprise(&admin(), &fields).await.unwrap());
    }
    created
}

fn ids(list: &[Enterprise]) -> Vec<i64> {
    list.iter().map(|e| e.id).collect()
}

#[tokio::test]
async fn list_filters_by_search_region_industry_ownership_tag_and_listing() {
    let (_db, app) = setup().await;
    let all = registry(&app).await;
    let actor = admin();
    let query = |filter: EnterpriseFilter| {
        let app = app.clone();
        let actor = actor.clone();
        async move {
            let (list, total) = app.list_enterprises(&actor, EnterpriseFilter { limit: 100, ..filter }).await.unwrap();
            assert_eq!(usize::try_from(total).unwrap(), list.len());
            let mut found = ids(&list);
            found.sort_unstable();
            found
        }
    };
    let expect = |keep: &dyn Fn(&Enterprise) -> bool| {
        let mut expected: Vec<i64> = all.iter().filter(|e| keep(e)).map(|e| e.id).collect();
        expected.sort_unstable();
        assert!(!expected.is_empty() && expected.len() < all.len(), "a filter test must select some, not all");
        expected
    };

    assert_eq!(query(EnterpriseFilter::default()).await.len(), 12);
    // Search: Chinese name, English name (any case), credit code.
    assert_eq!(query(EnterpriseFilter { search: Some("排序企业03".into()), ..Default::default() }).await.len(), 1);
    assert_eq!(
        query(EnterpriseFilter { search: Some("sort co".into()), ..Default::default() }).await,
        expect(&|e| e.record.name_en.is_some())
    );
    let code = all[5].record.credit_code.as_str();
    assert_eq!(
        query(EnterpriseFilter { search: Some(code[8..16].to_lowercase()), ..Default::default() }).await,
        vec![all[5].id]
    );
    // Wildcards in a search are literal.
    assert!(query(EnterpriseFilter { search: Some("%".into()), ..Default::default() }).await.is_empty());

    assert_eq!(
        query(EnterpriseFilter { region_within: Some("330400".into()), ..Default::default() }).await,
        expect(&|e| e.record.region_code.as_str().starts_with("3304"))
    );
    assert_eq!(
        query(EnterpriseFilter { region_within: Some("330482".into()), ..Default::default() }).await,
        expect(&|e| e.record.region_code.as_str() == "330482")
    );
    assert_eq!(
        query(EnterpriseFilter { industry_prefix: Some("36".into()), ..Default::default() }).await,
        expect(&|e| e.record.industry_code.as_ref().is_some_and(|c| c.as_str().starts_with("36")))
    );
    assert_eq!(
        query(EnterpriseFilter { industry_prefix: Some("3670".into()), ..Default::default() }).await,
        expect(&|e| e.record.industry_code.as_ref().is_some_and(|c| c.as_str() == "3670"))
    );
    assert_eq!(
        query(EnterpriseFilter { ownership: Some(Ownership::Private), ..Default::default() }).await,
        expect(&|e| e.record.ownership == Some(Ownership::Private))
    );
    assert_eq!(
        query(EnterpriseFilter { tag: Some("high_tech".into()), ..Default::default() }).await,
        expect(&|e| e.record.tags.iter().any(|t| t == "high_tech"))
    );
    assert_eq!(
        query(EnterpriseFilter { listed: Some(true), ..Default::default() }).await,
        expect(&|e| e.record.listed)
    );
    assert_eq!(
        query(EnterpriseFilter { listed: Some(false), ..Default::default() }).await,
        expect(&|e| !e.record.listed)
    );
    // Filters combine.
    assert_eq!(
        query(EnterpriseFilter {
            listed: Some(true),
            ownership: Some(Ownership::Private),
            region_within: Some("330400".into()),
            ..Default::default()
        })
        .await,
        expect(&|e| e.record.listed
            && e.record.ownership == Some(Ownership::Private)
            && e.record.region_code.as_str().starts_with("3304"))
    );
}

/// The sort key of an enterprise as text, `None` when missing (sorted last).
fn sort_key(sort: EnterpriseSort, e: &Enterprise) -> Option<String> {
    match sort {
        EnterpriseSort::Name => Some(e.record.name_zh.clone()),
        EnterpriseSort::CreditCode => Some(e.record.credit_code.to_string()),
        EnterpriseSort::Region => Some(e.record.region_code.to_string()),
        EnterpriseSort::Established => e.record.established_on.map(bridgehead_domain::enterprise::format_date),
        // Zero-padded so that text order is numeric order.
        EnterpriseSort::Capital => e.record.registered_capital_minor.map(|c| format!("{c:020}")),
        EnterpriseSort::Updated => Some(e.updated_at.clone()),
    }
}

#[tokio::test]
async fn every_sort_in_both_directions_pages_consistently() {
    let (_db, app) = setup().await;
    let all = registry(&app).await;
    // Make updated_at differ from creation order for a few.
    for e in [&all[7], &all[2], &all[10]] {
        let mut fields = e.record.to_fields();
        fields.address = Some("更新过".to_owned());
        app.update_enterprise(&admin(), e.id, None, &fields).await.unwrap();
    }
    let actor = admin();
    for (name, sort) in EnterpriseSort::ALL {
        for descending in [false, true] {
            let full_filter = EnterpriseFilter { sort, descending, ..page(100, 0) };
            let (full, total) = app.list_enterprises(&actor, full_filter).await.unwrap();
            assert_eq!(total, 12);
            // The order is the key's order (missing values last either way), ties by id.
            let mut expected = full.clone();
            expected.sort_by(|a, b| {
                let (ka, kb) = (sort_key(sort, a), sort_key(sort, b));
                match (ka, kb) {
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (ka, kb) => {
                        let order = ka.cmp(&kb).then(a.id.cmp(&b.id));
                        if descending { order.reverse() } else { order }
                    }
                }
            });
            assert_eq!(ids(&full), ids(&expected), "sort {name} descending={descending}");

            // Pages of 5 put together are the full list: no duplicates, nothing missing.
            let mut paged = Vec::new();
            for offset in (0..15).step_by(5) {
                let (chunk, total) = app
                    .list_enterprises(&actor, EnterpriseFilter { sort, descending, ..page(5, offset) })
                    .await
                    .unwrap();
                assert_eq!(total, 12);
                assert_eq!(chunk.len(), if offset < 10 { 5 } else { 2 }, "sort {name} offset {offset}");
                paged.extend(ids(&chunk));
            }
            assert_eq!(paged, ids(&full), "sort {name} descending={descending}");
            assert_eq!(paged.iter().collect::<HashSet<_>>().len(), 12);
        }
    }
    let (beyond, total) = app.list_enterprises(&actor, page(5, 100)).await.unwrap();
    assert!(beyond.is_empty());
    assert_eq!(total, 12);
}

#[tokio::test]
async fn credit_codes_are_normalised_on_the_way_in() {
    let (_db, app) = setup().await;
    let code = fixtures::credit_code("330482", 1);
    // Full-width characters, as typed with a Chinese input method, and lower case.
    let typed: String = code
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_digit() { char::from_u32(c as u32 + 0xFEE0).unwrap() } else { c })
        .collect();
    let fields =
        EnterpriseFields { credit_code: Some(typed), ..enterprise_fields("330482", 1, "全角测试（示例）") };
    let created = app.create_enterprise(&admin(), &fields).await.unwrap();
    assert_eq!(created.record.credit_code.as_str(), code);
}
