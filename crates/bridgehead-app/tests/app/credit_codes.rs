//! Credit codes: the check character, overrides and the region part.

use bridgehead_app::AppError;
use bridgehead_domain::access::Role;
use bridgehead_domain::codes::credit_code_check_character;
use bridgehead_domain::enterprise::EnterpriseFields;
use bridgehead_testkit::fixtures::{self, enterprise_fields};

use crate::common::{actor, admin, enterprise_count, get_enterprise, invalid, setup, with_wrong_check};

#[tokio::test]
async fn a_wrong_check_character_is_refused_naming_the_expected_character() {
    let (_db, app) = setup().await;
    let (code, expected) = with_wrong_check(&fixtures::credit_code("330482", 7));
    let fields = EnterpriseFields {
        credit_code: Some(code.clone()),
        ..enterprise_fields("330482", 7, "校验测试（示例）")
    };
    let errors = invalid(app.create_enterprise(&admin(), &fields).await);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].field, "credit_code");
    assert_eq!(errors[0].code, "credit_code.check_character");
    assert!(
        errors[0].message.contains(&format!("'{expected}'")),
        "message does not name '{expected}': {}",
        errors[0].message
    );
    assert_eq!(errors[0].value.as_deref(), Some(code.as_str()));
    assert_eq!(enterprise_count(&app).await, 0);
}

#[tokio::test]
async fn an_administrator_may_accept_a_failing_code_with_a_reason_that_is_stored() {
    let (_db, app) = setup().await;
    let (code, _) = with_wrong_check(&fixtures::credit_code("330482", 8));
    let reason = "2015年前颁发，登记机关已确认";
    let fields = EnterpriseFields {
        credit_code: Some(code.clone()),
        credit_code_override_reason: Some(reason.to_owned()),
        ..enterprise_fields("330482", 8, "例外测试（示例）")
    };
    let created = app.create_enterprise(&admin(), &fields).await.unwrap();
    assert_eq!(created.record.credit_code.as_str(), code);
    let stored = get_enterprise(&app, created.id).await;
    assert_eq!(stored.record.credit_code_override_reason.as_deref(), Some(reason));
    assert_eq!(stored.record.credit_code.as_str(), code);
}

#[tokio::test]
async fn an_enterprise_user_cannot_override_a_failing_check_character() {
    let (_db, app) = setup().await;
    let world = fixtures::world(&app).await;
    let enterprise_user = actor(&app, &world, Role::EnterpriseUser).await;
    let (code, _) = with_wrong_check(world.ours.record.credit_code.as_str());
    let mut fields = world.ours.record.to_fields();
    fields.credit_code = Some(code.clone());
    fields.credit_code_override_reason = Some("我们说这是对的".to_owned());
    let errors = invalid(app.update_enterprise(&enterprise_user, world.ours.id, None, &fields).await);
    assert!(
        errors.iter().any(|e| e.field == "credit_code_override_reason" && e.code == "credit_code.override_not_allowed"),
        "{errors:?}"
    );
    assert_eq!(get_enterprise(&app, world.ours.id).await, world.ours, "ours must be unchanged");

    // Registering is not theirs at all, with or without an override.
    let fields = EnterpriseFields {
        credit_code: Some(code),
        credit_code_override_reason: Some("理由".to_owned()),
        ..enterprise_fields("330482", 9, "企业用户新建（示例）")
    };
    assert!(matches!(app.create_enterprise(&enterprise_user, &fields).await, Err(AppError::Forbidden(_))));
}

#[tokio::test]
async fn check_credit_code_warns_when_characters_3_to_8_are_not_a_known_region() {
    let (_db, app) = setup().await;
    let body = "91999999MA2B3C4D5";
    let unknown = format!("{body}{}", credit_code_check_character(body).unwrap());
    let check = app.check_credit_code(&admin(), &unknown).await.unwrap();
    assert!(check.valid, "{check:?}");
    assert_eq!(check.region_code.as_deref(), Some("999999"));
    assert!(check.region.is_none());
    assert_eq!(check.warnings.len(), 1, "{check:?}");
    assert!(check.warnings[0].contains("999999"), "{}", check.warnings[0]);
    // An enterprise registered with such a code shows the same warning on its page.
    let fields = EnterpriseFields {
        credit_code: Some(unknown.clone()),
        ..enterprise_fields("330482", 4, "区划未知（示例）")
    };
    let created = app.create_enterprise(&admin(), &fields).await.unwrap();
    let detail = app.enterprise(&admin(), created.id).await.unwrap();
    assert!(detail.warnings.iter().any(|w| w.contains("999999")), "{:?}", detail.warnings);

    let known = fixtures::credit_code("330482", 3);
    let check = app.check_credit_code(&admin(), &known).await.unwrap();
    assert!(check.valid && check.warnings.is_empty(), "{check:?}");
    assert_eq!(check.region.map(|r| r.name_zh), Some("平湖市".to_owned()));

    let (wrong, expected) = with_wrong_check(&known);
    let check = app.check_credit_code(&admin(), &wrong).await.unwrap();
    assert!(!check.valid);
    assert_eq!(check.expected_check_character, Some(expected));
    assert_eq!(check.errors.len(), 1);
    assert_eq!(check.errors[0].code, "credit_code.check_character");
}

#[tokio::test]
async fn an_enterprise_user_can_edit_its_enterprise_whose_code_an_authority_accepted() {
    let (_db, app) = setup().await;
    let (code, _) = with_wrong_check(&fixtures::credit_code("330482", 11));
    let accepted = EnterpriseFields {
        credit_code: Some(code.clone()),
        credit_code_override_reason: Some("登记机关已确认".to_owned()),
        ..enterprise_fields("330482", 11, "例外企业（示例）")
    };
    let enterprise = app.create_enterprise(&admin(), &accepted).await.unwrap();
    let user = app
        .add_user(
            &admin(),
            bridgehead_app::auth::UserRequest {
                username: "override-owner".into(),
                display_name: None,
                password: bridgehead_testkit::PASSWORD.into(),
                role: Role::EnterpriseUser,
                region_code: None,
                enterprise_id: Some(enterprise.id),
                organization_id: None,
            },
        )
        .await
        .unwrap();
    let owner = bridgehead_app::Actor::user(&user, None);
    // The edit form of an enterprise user carries no override reason.
    let mut fields = enterprise.record.to_fields();
    fields.credit_code_override_reason = None;
    fields.address = Some("新地址（示例）".into());
    let updated = app.update_enterprise(&owner, enterprise.id, None, &fields).await.unwrap();
    assert_eq!(updated.record.address.as_deref(), Some("新地址（示例）"));
    assert_eq!(updated.record.credit_code_override_reason.as_deref(), Some("登记机关已确认"));
    assert_eq!(updated.record.credit_code.as_str(), code);
}
