//! Collaborative innovation projects: registration, scope, milestones, status.

use bridgehead_app::AppError;
use bridgehead_app::innovation::InnovationQuery;
use bridgehead_domain::access::Role;
use bridgehead_domain::innovation::{
    BudgetLineFields, InnovationFields, InnovationStatus, MilestoneFields, MilestoneState, PartnerFields,
};
use bridgehead_testkit::fixtures::world;

use crate::common::{actor, admin, head, invalid, setup};

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

/// A project led by `lead` with a Shanghai university and `partner_enterprise` as partners.
pub fn innovation_fields(lead: i64, partner_enterprise: i64) -> InnovationFields {
    InnovationFields {
        name: s("平湖—上海协同攻关测试（示例）"),
        lead_enterprise_id: Some(lead.to_string()),
        summary: None,
        starts_on: s("2024-01-01"),
        ends_on: s("2030-12-31"),
        partners: vec![
            PartnerFields {
                kind: s("university"),
                name: s("示例大学（示例）"),
                enterprise_id: None,
                region_code: s("310110"),
                role: s("算法"),
            },
            PartnerFields {
                kind: s("enterprise"),
                name: s("南湖协作企业（示例）"),
                enterprise_id: Some(partner_enterprise.to_string()),
                region_code: s("330402"),
                role: None,
            },
        ],
        budget: vec![
            BudgetLineFields { source: s("lead_enterprise"), amount: s("2000000"), note: None },
            BudgetLineFields { source: s("municipal_government"), amount: s("500000.25"), note: None },
        ],
        milestones: vec![
            MilestoneFields { title: s("样机"), due_on: s("2024-06-30"), completed_on: None, evidence: None },
            MilestoneFields { title: s("验收"), due_on: s("2030-06-30"), completed_on: None, evidence: None },
        ],
    }
}

#[tokio::test]
async fn a_project_runs_from_registration_through_milestones_to_completion() {
    let (_db, app) = setup().await;
    let world = world(&app).await;
    let district = actor(&app, &world, Role::DistrictOfficer).await;
    let lead = actor(&app, &world, Role::EnterpriseUser).await;
    let created = app.create_innovation(&district, &innovation_fields(world.ours.id, world.theirs.id)).await.unwrap();

    assert_eq!(created.status, InnovationStatus::Active);

    let detail = app.innovation(&lead, created.id).await.unwrap();
    assert_eq!(detail.lead_region_code, "330482", "the project belongs to the lead's region");
    assert_eq!(detail.budget_total_minor, 250_000_025);
    assert_eq!(detail.milestone_states, [MilestoneState::Overdue, MilestoneState::Open]);
    assert!(detail.flags.overdue && detail.flags.overdue_milestones == 1);
    assert!(detail.may_complete && !detail.may_edit && detail.transitions.is_empty());
    assert_eq!(detail.partner_region_names[0], "杨浦区");
    let (overdue, total) = app
        .list_innovations(&district, &InnovationQuery { overdue: true, limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!((overdue.len(), total), (1, 1));

    // The lead records the first milestone; evidence is required.
    let missing = invalid(app.complete_milestone(&lead, created.id, 1, None, &s("2024-07-02"), &None).await);
    assert_eq!(missing[0].code, "milestone.evidence_required");
    let done = app
        .complete_milestone(&lead, created.id, 1, Some(created.version), &s("2024-07-02"), &s("样机评审纪要"))
        .await
        .unwrap();
    assert_eq!(done.version, created.version + 1);
    let stale = app.complete_milestone(&lead, created.id, 2, Some(created.version), &s("2024-08-01"), &s("x")).await;
    assert!(matches!(stale, Err(AppError::VersionMismatch { .. })), "{stale:?}");
    assert!(matches!(
        app.complete_milestone(&lead, created.id, 3, None, &s("2024-08-01"), &s("x")).await,
        Err(AppError::NotFound { .. })
    ));
    let detail = app.innovation(&lead, created.id).await.unwrap();
    assert_eq!(detail.milestone_states[0], MilestoneState::DoneLate);
    assert!(!detail.flags.overdue);
    let (overdue, _) = app
        .list_innovations(&district, &InnovationQuery { overdue: true, limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert!(overdue.is_empty());

    // Completing needs every milestone; suspending needs a reason.
    let open = invalid(app.change_innovation_status(&district, created.id, None, "completed", None).await);
    assert_eq!(open[0].code, "innovation.open_milestones");
    let no_reason = invalid(app.change_innovation_status(&district, created.id, None, "suspended", Some(" ")).await);
    assert_eq!(no_reason[0].code, "innovation.reason_required");
    assert!(matches!(
        app.change_innovation_status(&lead, created.id, None, "suspended", Some("x")).await,
        Err(AppError::Forbidden(_))
    ));
    app.complete_milestone(&district, created.id, 2, None, &s("2024-09-01"), &s("验收意见")).await.unwrap();
    let completed = app.change_innovation_status(&district, created.id, None, "completed", None).await.unwrap();
    assert_eq!(completed.status, InnovationStatus::Completed);
    let frozen = invalid(
        app.update_innovation(&district, created.id, None, &innovation_fields(world.ours.id, world.theirs.id)).await,
    );
    assert_eq!(frozen[0].code, "innovation.not_editable");
    let reopened =
        app.change_innovation_status(&district, created.id, None, "active", Some("追加验收项")).await.unwrap();
    assert_eq!(reopened.status_reason.as_deref(), Some("追加验收项"));
}

#[tokio::test]
async fn scope_and_database_checks_answer_with_the_field_at_fault() {
    let (_db, app) = setup().await;
    let world = world(&app).await;
    let district = actor(&app, &world, Role::DistrictOfficer).await;
    let city = actor(&app, &world, Role::CityAnalyst).await;
    let lead = actor(&app, &world, Role::EnterpriseUser).await;
    let bank = actor(&app, &world, Role::InstitutionUser).await;

    // A Pinghu officer cannot register a project led by a Nanhu enterprise.
    let mut theirs = innovation_fields(world.theirs.id, world.ours.id);
    theirs.partners[1].region_code = s("330482");
    let before = head(&app).await;
    let errors = invalid(app.create_innovation(&district, &theirs).await);
    assert_eq!((errors[0].field.as_str(), errors[0].code), ("lead_enterprise_id", "enterprise.unknown"));
    assert_eq!(head(&app).await, before, "nothing stored");
    let mut unknown = innovation_fields(world.ours.id, 999_999);
    unknown.partners[0].region_code = s("990000");
    let errors = invalid(app.create_innovation(&district, &unknown).await);
    let named: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
    assert_eq!(
        named,
        [("partners[0].region_code", "region.unknown"), ("partners[1].enterprise_id", "enterprise.unknown")]
    );

    // The city registers the Nanhu project; the Pinghu officer does not see it, and the
    // Pinghu enterprise sees it as a partner but may not record its milestones.
    let nanhu = app.create_innovation(&city, &theirs).await.unwrap();
    assert!(matches!(app.innovation(&district, nanhu.id).await, Err(AppError::NotFound { .. })));
    assert!(matches!(
        app.change_innovation_status(&district, nanhu.id, None, "suspended", Some("x")).await,
        Err(AppError::NotFound { .. })
    ));
    let as_partner = app.innovation(&lead, nanhu.id).await.unwrap();
    assert!(!as_partner.may_complete);
    assert!(matches!(
        app.complete_milestone(&lead, nanhu.id, 1, None, &s("2024-07-01"), &s("x")).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(app.innovation(&bank, nanhu.id).await, Err(AppError::Forbidden(_))));
    let (city_list, _) =
        app.list_innovations(&city, &InnovationQuery { limit: 10, ..Default::default() }).await.unwrap();
    let (district_list, _) =
        app.list_innovations(&district, &InnovationQuery { limit: 10, ..Default::default() }).await.unwrap();
    let (lead_list, _) =
        app.list_innovations(&lead, &InnovationQuery { limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!((city_list.len(), district_list.len(), lead_list.len()), (1, 0, 1));

    // An edit keeps the version rule and moves the project with its lead.
    let mut moved = innovation_fields(world.ours.id, world.theirs.id);
    moved.name = s("改由平湖企业牵头（示例）");
    let stale = app.update_innovation(&admin(), nanhu.id, Some(nanhu.version + 5), &moved).await;
    assert!(matches!(stale, Err(AppError::VersionMismatch { .. })));
    app.update_innovation(&admin(), nanhu.id, Some(nanhu.version), &moved).await.unwrap();
    assert!(app.innovation(&district, nanhu.id).await.is_ok(), "now in Pinghu's scope");

    // The project follows its lead: when the register moves the lead enterprise to
    // Nanhu, Pinghu no longer sees the project.
    let mut fields = crate::common::full_fields("330402", 1, "平湖测试企业（示例）");
    fields.credit_code = Some(world.ours.record.credit_code.to_string());
    fields.region_code = Some("330402".into());
    let current = crate::common::get_enterprise(&app, world.ours.id).await;
    app.update_enterprise(&admin(), world.ours.id, Some(current.version), &fields).await.unwrap();
    assert!(matches!(app.innovation(&district, nanhu.id).await, Err(AppError::NotFound { .. })));
    let (district_list, _) =
        app.list_innovations(&district, &InnovationQuery { limit: 10, ..Default::default() }).await.unwrap();
    assert!(district_list.is_empty(), "the list follows the register too");
    let (found, _) = app
        .list_innovations(&city, &InnovationQuery { search: s("示例大学"), limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "search reaches partner names");
}
