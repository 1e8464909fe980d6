//! Who sees and changes which enterprises: every role against the two-district world.

use bridgehead_app::{Actor, AppError};
use bridgehead_domain::access::{Role, TokenScope};
use bridgehead_domain::enterprise::YearlyFiguresFields;
use bridgehead_testkit::ROLES;
use bridgehead_testkit::fixtures::{self, enterprise_fields};

use crate::common::{actor, admin, enterprise_count, get_enterprise, invalid, page, setup, user};

#[tokio::test]
async fn each_role_lists_exactly_the_enterprises_it_may_see() {
    let (_db, app) = setup().await;
    let world = fixtures::world(&app).await;
    for role in ROLES {
        let actor = actor(&app, &world, role).await;
        let result = app.list_enterprises(&actor, page(100, 0)).await;
        let expected: Option<Vec<i64>> = match role {
            Role::Administrator | Role::CityAnalyst => Some(vec![world.ours.id, world.theirs.id]),
            Role::DistrictOfficer | Role::EnterpriseUser => Some(vec![world.ours.id]),
            Role::InstitutionUser | Role::FundManager | Role::ServiceProvider | Role::ClearingParticipant => None,
        };
        match (expected, result) {
            (Some(expected), Ok((list, total))) => {
                let mut found: Vec<i64> = list.iter().map(|e| e.id).collect();
                found.sort_unstable();
                assert_eq!(found, expected, "{role}");
                assert_eq!(total, i64::try_from(expected.len()).unwrap(), "{role}: the total counts only what it sees");
            }
            (None, Err(AppError::Forbidden(_))) => {}
            (expected, result) => panic!("{role}: expected {expected:?}, got {result:?}"),
        }
        // Export follows the same rule.
        let export =
            app.export_enterprises(&actor, page(100, 0), bridgehead_io::Lang::En, bridgehead_io::FileFormat::Csv).await;
        match role {
            Role::Administrator | Role::CityAnalyst | Role::DistrictOfficer | Role::EnterpriseUser => {
                let text = String::from_utf8(export.unwrap()).unwrap();
                assert!(text.contains(world.ours.record.credit_code.as_str()), "{role}");
                let sees_theirs = matches!(role, Role::Administrator | Role::CityAnalyst);
                assert_eq!(text.contains(world.theirs.record.credit_code.as_str()), sees_theirs, "{role}");
            }
            _ => assert!(matches!(export, Err(AppError::Forbidden(_))), "{role}"),
        }
    }
}

#[tokio::test]
async fn enterprises_outside_the_scope_are_not_found_for_reads_and_writes() {
    let (_db, app) = setup().await;
    let world = fixtures::world(&app).await;
    for role in [Role::DistrictOfficer, Role::EnterpriseUser] {
        let actor = actor(&app, &world, role).await;
        assert!(
            matches!(app.enterprise(&actor, world.theirs.id).await, Err(AppError::NotFound { .. })),
            "{role} read theirs"
        );
        // Out of scope answers exactly like an id that does not exist.
        let missing = app.enterprise(&actor, world.theirs.id + 1000).await;
        assert!(matches!(missing, Err(AppError::NotFound { .. })));
        assert_eq!(app.enterprise(&actor, world.ours.id).await.unwrap().enterprise.id, world.ours.id, "{role}");

        let mut fields = world.theirs.record.to_fields();
        fields.name_zh = Some("越权修改（示例）".to_owned());
        assert!(
            matches!(
                app.update_enterprise(&actor, world.theirs.id, None, &fields).await,
                Err(AppError::NotFound { .. })
            ),
            "{role} updated theirs"
        );
        let figures = YearlyFiguresFields { revenue: Some("100".to_owned()), ..YearlyFiguresFields::default() };
        assert!(
            matches!(app.put_figures(&actor, world.theirs.id, 2024, &figures).await, Err(AppError::NotFound { .. })),
            "{role} put figures on theirs"
        );
        assert_eq!(get_enterprise(&app, world.theirs.id).await, world.theirs, "{role} changed theirs");
        assert!(app.enterprise(&admin(), world.theirs.id).await.unwrap().figures.is_empty());
    }
    // Roles without access to the registry cannot read even ours.
    for role in [Role::InstitutionUser, Role::FundManager, Role::ServiceProvider, Role::ClearingParticipant] {
        let actor = actor(&app, &world, role).await;
        assert!(matches!(app.enterprise(&actor, world.ours.id).await, Err(AppError::NotFound { .. })), "{role}");
        let fields = world.ours.record.to_fields();
        assert!(app.update_enterprise(&actor, world.ours.id, None, &fields).await.is_err(), "{role}");
    }
    assert_eq!(get_enterprise(&app, world.ours.id).await, world.ours);
}

#[tokio::test]
async fn in_scope_users_can_edit_their_enterprise() {
    let (_db, app) = setup().await;
    let world = fixtures::world(&app).await;
    let mut version = world.ours.version;
    for role in [Role::DistrictOfficer, Role::EnterpriseUser, Role::CityAnalyst] {
        let actor = actor(&app, &world, role).await;
        let mut fields = get_enterprise(&app, world.ours.id).await.record.to_fields();
        fields.contact_name = Some(format!("{role} 联系人"));
        let updated = app.update_enterprise(&actor, world.ours.id, Some(version), &fields).await.unwrap();
        assert_eq!(updated.record.contact_name.as_deref(), Some(format!("{role} 联系人").as_str()));
        version = updated.version;
        let figures = YearlyFiguresFields { employees: Some("12".to_owned()), ..YearlyFiguresFields::default() };
        app.put_figures(&actor, world.ours.id, 2023, &figures).await.unwrap();
        version += 1;
    }
    assert_eq!(get_enterprise(&app, world.ours.id).await.version, version);
}

#[tokio::test]
async fn a_district_officer_registers_only_in_its_district() {
    let (_db, app) = setup().await;
    let world = fixtures::world(&app).await;
    let officer = actor(&app, &world, Role::DistrictOfficer).await;
    let before = enterprise_count(&app).await;
    let errors = invalid(app.create_enterprise(&officer, &enterprise_fields("330402", 50, "南湖越权（示例）")).await);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].field, "region_code");
    assert_eq!(errors[0].code, "region.out_of_scope");
    assert_eq!(enterprise_count(&app).await, before);
    // Nor may it move one of its enterprises out of the district.
    let mut moved = world.ours.record.to_fields();
    moved.region_code = Some("330402".to_owned());
    let errors = invalid(app.update_enterprise(&officer, world.ours.id, None, &moved).await);
    assert_eq!(errors[0].field, "region_code");
    assert_eq!(get_enterprise(&app, world.ours.id).await, world.ours);
    // In its own district it may.
    let created =
        app.create_enterprise(&officer, &enterprise_fields("330482", 51, "平湖新企业（示例）")).await.unwrap();
    assert_eq!(created.record.region_code.as_str(), "330482");
    // A city analyst may register anywhere in the city, not outside it.
    let analyst = actor(&app, &world, Role::CityAnalyst).await;
    app.create_enterprise(&analyst, &enterprise_fields("330402", 52, "南湖新企业（示例）")).await.unwrap();
    let errors = invalid(app.create_enterprise(&analyst, &enterprise_fields("320500", 53, "苏州企业（示例）")).await);
    assert_eq!(errors[0].code, "region.out_of_scope");
}

#[tokio::test]
async fn an_enterprise_user_cannot_change_its_credit_code_or_region() {
    let (_db, app) = setup().await;
    let world = fixtures::world(&app).await;
    let enterprise_user = actor(&app, &world, Role::EnterpriseUser).await;

    let mut fields = world.ours.record.to_fields();
    fields.credit_code = Some(fixtures::credit_code("330482", 77));
    let errors = invalid(app.update_enterprise(&enterprise_user, world.ours.id, None, &fields).await);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!((errors[0].field.as_str(), errors[0].code), ("credit_code", "enterprise.registry_field"));

    let mut fields = world.ours.record.to_fields();
    fields.region_code = Some("330481".to_owned());
    let errors = invalid(app.update_enterprise(&enterprise_user, world.ours.id, None, &fields).await);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!((errors[0].field.as_str(), errors[0].code), ("region_code", "enterprise.registry_field"));
    assert_eq!(get_enterprise(&app, world.ours.id).await, world.ours);

    // It may not register or import either.
    let create = app.create_enterprise(&enterprise_user, &enterprise_fields("330482", 60, "新（示例）")).await;
    assert!(matches!(create, Err(AppError::Forbidden(_))));
}

#[tokio::test]
async fn a_read_only_token_reads_but_cannot_write() {
    let (_db, app) = setup().await;
    let world = fixtures::world(&app).await;
    for role in [Role::Administrator, Role::DistrictOfficer, Role::EnterpriseUser] {
        let user = user(&app, world.username(role)).await;
        let reader = Actor::user(&user, Some(TokenScope::Read));
        let (list, _) = app.list_enterprises(&reader, page(10, 0)).await.unwrap();
        assert!(list.iter().any(|e| e.id == world.ours.id), "{role}");
        app.enterprise(&reader, world.ours.id).await.unwrap();

        let mut fields = world.ours.record.to_fields();
        fields.name_zh = Some("只读令牌修改（示例）".to_owned());
        assert!(
            matches!(app.update_enterprise(&reader, world.ours.id, None, &fields).await, Err(AppError::Forbidden(_))),
            "{role}"
        );
        let figures = YearlyFiguresFields { tax: Some("1".to_owned()), ..YearlyFiguresFields::default() };
        assert!(matches!(app.put_figures(&reader, world.ours.id, 2024, &figures).await, Err(AppError::Forbidden(_))));
        if role != Role::EnterpriseUser {
            let create = app.create_enterprise(&reader, &enterprise_fields("330482", 70, "只读新建（示例）")).await;
            assert!(matches!(create, Err(AppError::Forbidden(_))), "{role}");
        }
        // A read-write token may write.
        let writer = Actor::user(&user, Some(TokenScope::ReadWrite));
        let mut fields = get_enterprise(&app, world.ours.id).await.record.to_fields();
        fields.contact_phone = Some(format!("0573-{}", role as u8));
        app.update_enterprise(&writer, world.ours.id, None, &fields).await.unwrap();
    }
    assert_eq!(get_enterprise(&app, world.ours.id).await.record.name_zh, world.ours.record.name_zh);
    assert_eq!(enterprise_count(&app).await, 2);
}
