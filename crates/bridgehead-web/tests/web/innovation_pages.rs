//! Collaborative innovation projects through the pages and the API: a district officer
//! registers one (a refused form keeps its rows and names the row at fault), the lead
//! enterprise records a milestone with its evidence, the officer suspends it with a
//! reason, and an officer of another district finds nothing.

use bridgehead_app::Actor;
use bridgehead_domain::access::Role;
use bridgehead_testkit::TestServer;
use bridgehead_testkit::fixtures::world;
use serde_json::json;

use super::browser::{Browser, id_of, input_value};

const NAME: &str = "平湖—上海传感协同测试（示例）";

/// The project form: two partners (row 2 blank), two budget lines, two milestones, the
/// first already reached.
fn project_form<'a>(lead: &'a str, evidence_1: &'a str, region_1: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", NAME),
        ("lead_enterprise_id", lead),
        ("summary", ""),
        ("starts_on", "2024-01-01"),
        ("ends_on", "2030-12-31"),
        ("partner_kind_1", "university"),
        ("partner_name_1", "示例大学（示例）"),
        ("partner_region_code_1", region_1),
        ("partner_enterprise_id_1", ""),
        ("partner_role_1", "算法"),
        ("partner_kind_2", ""),
        ("partner_name_2", ""),
        ("partner_kind_3", "institute"),
        ("partner_name_3", "示例研究院（示例）"),
        ("partner_region_code_3", "330100"),
        ("budget_source_1", "lead_enterprise"),
        ("budget_amount_1", "2,000,000"),
        ("budget_source_2", "municipal_government"),
        ("budget_amount_2", "500000.50"),
        ("milestone_title_1", "样机"),
        ("milestone_due_on_1", "2024-06-30"),
        ("milestone_completed_on_1", "2024-06-20"),
        ("milestone_evidence_1", evidence_1),
        ("milestone_title_2", "中试"),
        ("milestone_due_on_2", "2025-03-31"),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collaborative_project_is_registered_recorded_and_suspended_through_the_pages() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    let district = Browser::as_role(&server, &world, Role::DistrictOfficer).await;
    let lead = world.ours.id.to_string();

    // A refused form: the missing evidence and the unknown region are named on their rows.
    let refused = district.submit("/innovation/new", "/innovation", &project_form(&lead, "", "31011")).await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    assert!(refused.html.contains("已完成的里程碑须注明佐证材料"), "{}", refused.html);
    assert!(refused.html.contains("id=\"f-milestone_evidence_1-error\""), "the error sits on milestone row 1");
    assert!(refused.html.contains("id=\"f-partner_region_code_1-error\""), "the error sits on partner row 1");
    assert_eq!(input_value(&refused.html, "partner_name_3"), "示例研究院（示例）", "row 3 stays row 3");
    let (none, _) = server
        .app
        .list_innovations(
            &Actor::system("test"),
            &bridgehead_app::innovation::InnovationQuery { limit: 10, ..Default::default() },
        )
        .await
        .unwrap();
    assert!(none.is_empty(), "a refused form stores nothing");

    let created =
        district.submit("/innovation/new", "/innovation", &project_form(&lead, "样机评审纪要", "310110")).await;
    assert_eq!(created.status, 303, "{}", created.html);
    let id = id_of(&created.location);
    let page = district.get(&format!("/innovation/{id}")).await;
    assert_eq!(page.status, 200);
    for expected in [NAME, "示例大学（示例）", "杨浦区（310110）", "2500000.50", "按期完成", "50%"] {
        assert!(page.html.contains(expected), "the project page shows {expected}: {}", page.html);
    }

    // The lead enterprise records the second milestone; evidence is required.
    let enterprise = Browser::as_role(&server, &world, Role::EnterpriseUser).await;
    let detail = format!("/innovation/{id}");
    let action = format!("/innovation/{id}/milestones/2");
    let missing = enterprise.submit(&detail, &action, &[("completed_on", "2025-04-02"), ("evidence", "")]).await;
    assert_eq!(missing.status, 422, "{}", missing.html);
    assert!(missing.html.contains("已完成的里程碑须注明佐证材料"));
    let version = input_value(&enterprise.get(&detail).await.html, "version");
    let recorded = enterprise
        .submit(
            &detail,
            &action,
            &[("completed_on", "2025-04-02"), ("evidence", "中试报告（示例）"), ("version", &version)],
        )
        .await;
    assert_eq!(recorded.status, 303, "{}", recorded.html);
    let page = enterprise.get(&detail).await;
    assert!(page.html.contains("延期完成") && page.html.contains("100%"), "{}", page.html);
    assert!(!page.html.contains("变更状态"), "the enterprise does not change the status");

    // The officer suspends it; a reason is required.
    let status_action = format!("/innovation/{id}/status");
    let no_reason = district.submit(&detail, &status_action, &[("status", "suspended"), ("reason", "")]).await;
    assert_eq!(no_reason.status, 422);
    assert!(no_reason.html.contains("此项变更须填写原因"), "{}", no_reason.html);
    let suspended =
        district.submit(&detail, &status_action, &[("status", "suspended"), ("reason", "合作方调整（示例）")]).await;
    assert_eq!(suspended.status, 303, "{}", suspended.html);
    let list = district.get("/innovation?status=suspended").await;
    assert!(list.html.contains(NAME), "{}", list.html);
    let active = district.get("/innovation?status=active").await;
    assert!(!active.html.contains(NAME));

    // Another district finds nothing, by any page.
    let nanhu = Browser::nanhu_officer(&server).await;
    assert_eq!(nanhu.get(&detail).await.status, 404);
    assert_eq!(nanhu.get(&format!("/innovation/{id}/edit")).await.status, 404);
    assert!(!nanhu.get("/innovation").await.html.contains(NAME));
    let home = nanhu.get("/innovation").await;
    let csrf = input_value(&home.html, "_csrf");
    let post = nanhu
        .client
        .post(server.url(&status_action))
        .form(&[("_csrf", csrf.as_str()), ("status", "active"), ("reason", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_registers_flags_and_guards_a_collaborative_project() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    let city = server.token(world.username(Role::CityAnalyst)).await;
    let enterprise = server.token(world.username(Role::EnterpriseUser)).await;
    let body = json!({
        "name": NAME, "lead_enterprise_id": world.ours.id, "starts_on": "2024-01-01", "ends_on": "2030-12-31",
        "partners": [{ "kind": "university", "name": "示例大学（示例）", "region_code": "310110" }],
        "budget": [{ "source": "lead_enterprise", "amount": "1000000" }],
        "milestones": [{ "title": "样机", "due_on": "2024-06-30" }, { "title": "验收", "due_on": "2030-06-30" }]
    });
    let bad = server
        .client_post(
            "/api/v1/innovation-projects",
            &city,
            &json!({ "name": NAME, "lead_enterprise_id": world.ours.id, "starts_on": "2024-01-01", "ends_on": "2023-01-01" }),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let problem: serde_json::Value = bad.json().await.unwrap();
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["ends_on", "partners", "budget", "milestones"], "{problem}");

    let created = server.client_post("/api/v1/innovation-projects", &city, &body).await;
    assert_eq!(created.status(), 201);
    let etag = created.headers()["etag"].to_str().unwrap().to_owned();
    let project: serde_json::Value = created.json().await.unwrap();
    let id = project["id"].as_i64().unwrap();
    assert_eq!(project["lead_enterprise_id"], world.ours.id);

    let detail = server.get_json(&format!("/api/v1/innovation-projects/{id}"), &enterprise).await;
    assert_eq!(detail["flags"]["overdue"], true);
    assert_eq!(detail["milestone_states"], json!(["overdue", "open"]));
    assert_eq!(detail["budget_total"], "1000000.00");
    assert_eq!(detail["lead_region_code"], "330482");
    assert_eq!(detail["may_complete"], true);
    let overdue = server.get_json("/api/v1/innovation-projects?overdue=true", &city).await;
    assert_eq!(overdue["total"], 1);

    let completion = json!({ "completed_on": "2024-07-01", "evidence": "样机评审纪要" });
    let path = format!("/api/v1/innovation-projects/{id}/milestones/1/completion");
    let done = server
        .http()
        .post(server.url(&path))
        .bearer_auth(&enterprise)
        .header("If-Match", &etag)
        .json(&completion)
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    let stale = server
        .http()
        .post(server.url(&path))
        .bearer_auth(&enterprise)
        .header("If-Match", &etag)
        .json(&completion)
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 412, "the old ETag no longer matches");
    let after = server.get_json(&format!("/api/v1/innovation-projects/{id}"), &city).await;
    assert_eq!(after["flags"]["overdue"], false);
    assert_eq!(after["project"]["milestones"][0]["evidence"], "样机评审纪要");
    let forbidden = server
        .client_post(
            &format!("/api/v1/innovation-projects/{id}/status"),
            &enterprise,
            &json!({ "status": "cancelled", "reason": "x" }),
        )
        .await;
    assert_eq!(forbidden.status(), 403);
    let incomplete = server
        .client_post(&format!("/api/v1/innovation-projects/{id}/status"), &city, &json!({ "status": "completed" }))
        .await;
    assert_eq!(incomplete.status(), 422);
}
