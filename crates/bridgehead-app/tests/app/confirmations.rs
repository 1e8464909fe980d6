//! Imported-equipment tax-free confirmations.

use bridgehead_app::AppError;
use bridgehead_domain::access::Role;
use bridgehead_domain::project::{ConfirmationFields, ConfirmationStatus, EquipmentItemFields, ProjectFields};
use bridgehead_testkit::fixtures::world;

use crate::common::{actor, admin, setup};

fn item(name: &str, quantity: &str, price: &str) -> EquipmentItemFields {
    EquipmentItemFields {
        name: Some(name.into()),
        model: Some("X-1".into()),
        hs_code: Some("8479899990".into()),
        quantity: Some(quantity.into()),
        unit_price: Some(price.into()),
        currency: Some("USD".into()),
    }
}

#[tokio::test]
async fn an_application_is_decided_within_seven_working_days_and_numbered() {
    let (_db, app) = setup().await;
    let world = world(&app).await;
    let fields = ProjectFields {
        code: Some("2023-330482-36-01-000007".into()),
        name_zh: Some("免税设备测试项目（示例）".into()),
        region_code: Some("330482".into()),
        planned_total: Some("1000".into()),
        investors: vec![(world.ours.id.to_string(), "100".into())],
        ..ProjectFields::default()
    };
    let project = app.create_project(&admin(), &fields, "2023-01-05").await.unwrap();
    let enterprise = actor(&app, &world, Role::EnterpriseUser).await;
    let city = actor(&app, &world, Role::CityAnalyst).await;

    let bad = ConfirmationFields { encouraged_category: None, documents: vec![], items: vec![item("", "0", "-1")] };
    let codes: Vec<String> = match app.create_confirmation(&enterprise, project.id, &bad).await {
        Err(AppError::Invalid(errors)) => errors.0.iter().map(|e| format!("{}:{}", e.field, e.code)).collect(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        codes,
        [
            "encouraged_category:required",
            "items[0].name:required",
            "items[0].quantity:confirmation.quantity",
            "items[0].unit_price:amount.negative"
        ]
    );

    let good = ConfirmationFields {
        encouraged_category: Some("鼓励类 第十四条（示例）".into()),
        documents: vec!["项目备案通知书.pdf".into()],
        items: vec![item("五轴加工中心", "2", "1250000.50"), item("工业机器人", "10", "80000")],
    };
    let draft = app.create_confirmation(&enterprise, project.id, &good).await.unwrap();
    assert_eq!(draft.record.items[0].total_minor, 250_000_100, "2 × 1,250,000.50 exactly");
    let submitted = app.submit_confirmation(&enterprise, draft.id).await.unwrap();
    let calendar = app.working_calendar().await.unwrap();
    let expected_due = calendar.add_working_days(submitted.submitted_on.unwrap(), 7).unwrap();
    assert_eq!(submitted.due_on, Some(expected_due));
    assert!(
        app.update_confirmation(&enterprise, draft.id, None, &good).await.is_err(),
        "a submitted application is not edited"
    );
    assert!(matches!(app.decide_confirmation(&enterprise, draft.id, true, None).await, Err(AppError::Forbidden(_))));
    let no_reason = app.decide_confirmation(&city, draft.id, false, Some(" ")).await;
    assert!(matches!(no_reason, Err(AppError::Invalid(e)) if e.0[0].code == "confirmation.reject_needs_reasons"));
    let approved = app.decide_confirmation(&city, draft.id, true, None).await.unwrap();
    assert_eq!(approved.status, ConfirmationStatus::Approved);
    let number = approved.confirmation_number.clone().unwrap();
    assert!(number.ends_with("-330482-00001"), "{number}");

    let file = app
        .export_equipment_list(&enterprise, draft.id, bridgehead_io::Lang::Zh, bridgehead_io::FileFormat::Csv)
        .await
        .unwrap();
    let text = String::from_utf8(file).unwrap();
    assert!(text.contains("五轴加工中心") && text.contains("2500001.00") && text.contains("8479899990"), "{text}");

    // Nanhu's officer cannot reach it.
    let bank = actor(&app, &world, Role::InstitutionUser).await;
    assert!(app.confirmation(&bank, draft.id).await.is_err());
}
