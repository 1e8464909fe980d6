//! Project and monthly report pages, as a browser without JavaScript uses them: cookie
//! sessions, forms with the `_csrf` field taken from the page, the whole monthly cycle.

use bridgehead_domain::access::Role;
use bridgehead_testkit::TestServer;
use bridgehead_testkit::fixtures::{World, world};

use super::browser::{Browser, id_of, input_value};

const OUR_CODE: &str = "2023-330482-36-01-000001";
const THEIR_CODE: &str = "2023-330402-36-01-000001";

/// A project in Nanhu, outside the Pinghu officer's scope.
async fn their_project(server: &TestServer, world: &World) -> i64 {
    let project = server
        .app
        .create_project(
            &bridgehead_app::Actor::system("test"),
            &bridgehead_domain::project::ProjectFields {
                code: Some(THEIR_CODE.into()),
                name_zh: Some("南湖测试项目（示例）".into()),
                region_code: Some("330402".into()),
                industry_code: Some("3612".into()),
                planned_total: Some("2000000".into()),
                investors: vec![(world.theirs.id.to_string(), "100".into())],
                ..Default::default()
            },
            "2023-01-02",
        )
        .await
        .unwrap();
    project.id
}

#[tokio::test]
async fn the_monthly_cycle_through_the_pages() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    let admin = Browser::as_role(&server, &world, Role::Administrator).await;
    let enterprise = Browser::as_role(&server, &world, Role::EnterpriseUser).await;
    let district = Browser::as_role(&server, &world, Role::DistrictOfficer).await;
    let city = Browser::as_role(&server, &world, Role::CityAnalyst).await;

    // The administrator registers the project through the form.
    let ours = world.ours.id.to_string();
    let created = admin
        .submit(
            "/projects/new",
            "/projects",
            &[
                ("code", OUR_CODE),
                ("name_zh", "平湖测试整车项目（示例）"),
                ("region_code", "330482"),
                ("industry_code", "3612"),
                ("project_type", "new"),
                ("capital_source", "domestic"),
                ("from_shanghai", "false"),
                ("fortune_global_500", "false"),
                ("central_soe", "false"),
                ("planned_total", "1000000"),
                ("planned_fixed_assets", "800000"),
                ("planned_equipment", "500000"),
                ("planned_currency", "CNY"),
                ("signed_on", "2023-01-05"),
                ("investor_id_1", &ours),
                ("share_1", "100"),
                ("investor_id_2", ""),
                ("share_2", ""),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.html);
    let project_path = created.location.clone();
    assert!(project_path.starts_with("/projects/"));
    let project = admin.get(&project_path).await;
    assert_eq!(project.status, 200);
    assert!(project.html.contains(OUR_CODE) && project.html.contains("平湖测试整车项目"));
    assert!(project.html.contains("1000000.00"), "the planned total in CNY");
    assert!(project.html.contains("人民币计价，无需折算"), "the conversion used");
    assert!(project.html.contains("平湖测试企业（示例）（#") && project.html.contains("100.00%"), "the investor");

    // Editing keeps the version: the form carries it hidden, filled from the project.
    let edit_path = format!("{project_path}/edit");
    let edit = admin.get(&edit_path).await.html;
    assert!(edit.contains(&format!("name=\"investor_id_1\" value=\"{ours}\"")), "the investor row is filled");
    let version = input_value(&edit, "version");
    let renamed = admin
        .submit(
            &edit_path,
            &project_path,
            &[
                ("code", OUR_CODE),
                ("name_zh", "平湖测试整车项目（示例）"),
                ("name_en", "Pinghu Test Vehicle Project (sample)"),
                ("region_code", "330482"),
                ("industry_code", "3612"),
                ("planned_total", "1000000"),
                ("planned_fixed_assets", "800000"),
                ("planned_equipment", "500000"),
                ("investor_id_1", &ours),
                ("share_1", "100"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.html);
    assert!(renamed.html.contains("已保存") && renamed.html.contains("Pinghu Test Vehicle Project"));
    let stale = admin
        .submit(
            &edit_path,
            &project_path,
            &[
                ("code", OUR_CODE),
                ("name_zh", "过期的修改（示例）"),
                ("region_code", "330482"),
                ("planned_total", "1000000"),
                ("investor_id_1", &ours),
                ("share_1", "100"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(stale.status, 409, "an edit of an old version is refused");

    // The start, recorded through the event form, appears on the timeline.
    let started = admin
        .submit(
            &project_path,
            &format!("{project_path}/events"),
            &[("kind", "started"), ("occurred_on", "2023-01-20"), ("phase", "1")],
        )
        .await;
    assert_eq!(started.status, 200, "{}", started.html);
    assert!(started.html.contains("已记录阶段事件：开工"));
    assert!(started.html.contains("项目进度时间线"));
    assert!(started.html.contains("<td>2023-01-05</td><td>1</td><td>签约</td>"), "signing on the timeline");
    assert!(started.html.contains("<td>2023-01-20</td><td>1</td><td>开工</td>"), "start on the timeline");
    // Going back without a reason is refused next to the reason field.
    let back = admin
        .submit(&project_path, &format!("{project_path}/events"), &[("kind", "filed"), ("occurred_on", "2023-01-21")])
        .await;
    assert_eq!(back.status, 422);
    assert!(back.html.contains("id=\"f-reason-error\">回退阶段须填写原因"), "{}", back.html);

    // The enterprise files January: a bad figure first, shown in Chinese by its field.
    let reports_action = format!("{project_path}/reports");
    let bad = enterprise
        .submit(
            &project_path,
            &reports_action,
            &[("period", "2023-01"), ("completed", "100000"), ("equipment", "200000")],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.html);
    assert!(bad.html.contains("<html lang=\"zh-CN\">"));
    assert!(
        bad.html.contains("id=\"f-equipment-error\">设备投资不能超过本月完成投资（100000.00 元）"),
        "the error is placed by its field: {}",
        bad.html
    );
    let filed = enterprise
        .submit(
            &project_path,
            &reports_action,
            &[
                ("period", "2023-01"),
                ("completed", "100000"),
                ("equipment", "60000"),
                ("construction", "30000"),
                ("employees", "120"),
            ],
        )
        .await;
    assert_eq!(filed.status, 303, "{}", filed.html);
    let report_path = filed.location.clone();
    let report_id = id_of(&report_path);
    let actions = format!("{report_path}/actions");
    let draft = enterprise.get(&report_path).await;
    assert!(draft.html.contains("草稿") && draft.html.contains("value=\"submit\""));
    let submitted = enterprise.submit(&report_path, &actions, &[("action", "submit")]).await;
    assert_eq!(submitted.status, 200, "{}", submitted.html);
    assert!(submitted.html.contains("月报状态：已提交"));

    // The district sees it in its queue and returns it; a return needs a reason.
    let queue = district.get("/reports").await;
    assert!(queue.html.contains(&format!("href=\"/reports/{report_id}\"")), "the district's queue");
    assert!(!city.get("/reports").await.html.contains(&format!("href=\"/reports/{report_id}\"")), "not the city's yet");
    let no_reason = district.submit(&report_path, &actions, &[("action", "return_district"), ("reason", " ")]).await;
    assert_eq!(no_reason.status, 422);
    assert!(no_reason.html.contains("id=\"f-reason-error\">退回须填写原因"), "{}", no_reason.html);
    let reason = "设备投资与发票金额不符";
    let returned = district.submit(&report_path, &actions, &[("action", "return_district"), ("reason", reason)]).await;
    assert_eq!(returned.status, 200, "{}", returned.html);
    assert!(returned.html.contains("月报状态：区县退回"));

    // The enterprise sees why, fixes the figures and submits again.
    let back_home = enterprise.get(&report_path).await;
    assert!(back_home.html.contains(reason), "the history shows the reason");
    let version = input_value(&back_home.html, "version");
    let saved = enterprise
        .submit(
            &report_path,
            &report_path,
            &[
                ("completed", "100000"),
                ("equipment", "50000"),
                ("construction", "30000"),
                ("employees", "120"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.html);
    assert!(saved.html.contains("已保存") && saved.html.contains("50000.00"));
    let resubmitted = enterprise.submit(&report_path, &actions, &[("action", "submit")]).await;
    assert!(resubmitted.html.contains("月报状态：已提交"), "{}", resubmitted.html);

    // The district approves; then the city.
    let approved = district.submit(&report_path, &actions, &[("action", "approve_district")]).await;
    assert!(approved.html.contains("月报状态：区县已审核"), "{}", approved.html);
    assert!(city.get("/reports").await.html.contains(&format!("href=\"/reports/{report_id}\"")), "the city's queue");
    let final_approval = city.submit(&report_path, &actions, &[("action", "approve_city")]).await;
    assert!(final_approval.html.contains("月报状态：市级已审核"), "{}", final_approval.html);

    // The history names who did what, and why.
    let history = enterprise.get(&report_path).await.html;
    for step in ["创建", "提交", "区县退回", "区县审核通过", "市级审核通过", "user:district-officer", reason]
    {
        assert!(history.contains(step), "history shows {step}");
    }
    assert!(history.contains("发起更正"), "the enterprise may correct an approved report");

    // The enterprise corrects the approved month; the correction goes through review.
    let correction_reason = "补录一张设备发票";
    let corrected = enterprise
        .submit(
            &report_path,
            &format!("{report_path}/corrections"),
            &[
                ("reason", correction_reason),
                ("completed", "110000"),
                ("equipment", "60000"),
                ("construction", "30000"),
            ],
        )
        .await;
    assert_eq!(corrected.status, 303, "{}", corrected.html);
    let revision_path = corrected.location.clone();
    assert_ne!(revision_path, report_path);
    let revision_actions = format!("{revision_path}/actions");
    let revision = enterprise.get(&revision_path).await.html;
    assert!(revision.contains(correction_reason) && revision.contains("草稿"));
    let old = enterprise.get(&report_path).await.html;
    assert!(old.contains("市级已审核") && !old.contains("已被更正取代"), "the approved revision counts until then");
    enterprise.submit(&revision_path, &revision_actions, &[("action", "submit")]).await;
    district.submit(&revision_path, &revision_actions, &[("action", "approve_district")]).await;
    let done = city.submit(&revision_path, &revision_actions, &[("action", "approve_city")]).await;
    assert!(done.html.contains("月报状态：市级已审核"), "{}", done.html);

    let old = enterprise.get(&report_path).await.html;
    assert!(old.contains("<dd>已被更正取代</dd>"), "the old revision is superseded: {old}");
    assert!(old.contains("被更正取代") && old.contains("replaced by revision 2"), "and its history says so");
    let project = enterprise.get(&project_path).await.html;
    assert!(project.contains("已被更正取代") && project.contains("110000.00"), "both revisions listed");

    // The same pages in English.
    enterprise.get("/lang/en?next=/").await;
    let english = enterprise.get(&report_path).await.html;
    assert!(english.contains("Superseded by a correction") && english.contains("Review history"));
}

#[tokio::test]
async fn scope_reminders_and_project_form_errors() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    let theirs = their_project(&server, &world).await;
    let district = Browser::as_role(&server, &world, Role::DistrictOfficer).await;

    // Another district's project is answered like one that does not exist.
    let page = district.get(&format!("/projects/{theirs}")).await;
    assert_eq!(page.status, 404);
    assert!(!page.html.contains(THEIR_CODE));
    assert_eq!(district.get(&format!("/projects/{theirs}/edit")).await.status, 404);
    assert!(!district.get("/projects").await.html.contains(THEIR_CODE));
    let city = Browser::as_role(&server, &world, Role::CityAnalyst).await;
    assert!(city.get("/projects").await.html.contains(THEIR_CODE), "the city sees every district");

    // Errors of the project form in Chinese, by their fields, values kept.
    let ours = world.ours.id.to_string();
    let refused = district
        .submit(
            "/projects/new",
            "/projects",
            &[
                ("code", "2023-330481-36-01-000002"),
                ("name_zh", "平湖测试项目二（示例）"),
                ("region_code", "330482"),
                ("industry_code", "5111"),
                ("planned_total", "100"),
                ("planned_equipment", "200"),
                ("signed_on", "2023-02-01"),
                ("investor_id_1", &ours),
                ("share_1", "60"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    let html = &refused.html;
    assert!(html.contains("id=\"f-code-error\">项目代码中的区划为 330481，而项目所在区县为 330482"), "{html}");
    assert!(html.contains("id=\"f-industry_code-error\">制造业项目的行业应在大类 13–43"));
    assert!(html.contains("id=\"f-planned_equipment-error\">设备投资不能超过固定资产投资"));
    assert!(html.contains("id=\"f-share_1-error\">各投资企业占比合计应为 100%，现为 60.00%"));
    assert!(html.contains("value=\"平湖测试项目二（示例）\""), "the values are kept");

    // A project of ours, started in January, without a February report: a reminder.
    let operator = bridgehead_app::Actor::system("test");
    let project = server
        .app
        .create_project(
            &operator,
            &bridgehead_domain::project::ProjectFields {
                code: Some(OUR_CODE.into()),
                name_zh: Some("平湖测试项目（示例）".into()),
                region_code: Some("330482".into()),
                industry_code: Some("3612".into()),
                planned_total: Some("1000000".into()),
                investors: vec![(ours.clone(), "100".into())],
                ..Default::default()
            },
            "2023-01-05",
        )
        .await
        .unwrap();
    let start = bridgehead_app::projects::EventInput {
        kind: "started".into(),
        occurred_on: "2023-01-20".into(),
        ..Default::default()
    };
    server.app.record_event(&operator, project.id, &start).await.unwrap();
    let reminders = district.get("/reports/reminders?period=2023-02").await;
    assert_eq!(reminders.status, 200);
    assert!(reminders.html.contains(OUR_CODE) && reminders.html.contains("未填报"));
    assert!(reminders.html.contains("2023-03-10") && reminders.html.contains("已逾期"));
    assert!(!reminders.html.contains(THEIR_CODE));
    let bad_month = district.get("/reports/reminders?period=2023-13").await;
    assert_eq!(bad_month.status, 422);
    assert!(bad_month.html.contains("id=\"f-period-error\">报告期格式应为 YYYY-MM"));
    let default = district.get("/reports/reminders").await;
    assert_eq!(default.status, 200, "last month by default");

    // March without January and February: a warning, and submission wants the note.
    let project_path = format!("/projects/{}", project.id);
    let march = district
        .submit(&project_path, &format!("{project_path}/reports"), &[("period", "2023-03"), ("completed", "10")])
        .await;
    assert_eq!(march.status, 303, "{}", march.html);
    let report_path = march.location;
    let page = district.get(&report_path).await.html;
    assert!(page.contains("预警：2023-01, 2023-02 尚无月报"), "{page}");
    let refused = district.submit(&report_path, &format!("{report_path}/actions"), &[("action", "submit")]).await;
    assert_eq!(refused.status, 422);
    assert!(refused.html.contains("id=\"f-warning_note-error\">报表有预警，提交前请在“预警说明”中说明"));

    // Navigation: the header links to projects and reports.
    let home = district.get("/").await.html;
    assert!(home.contains("href=\"/projects\"") && home.contains("href=\"/reports\""));
}
