//! The JSON API as clients use it.

use bridgehead_domain::access::Role;
use bridgehead_testkit::fixtures::{credit_code, world};
use bridgehead_testkit::{PASSWORD, TestServer};
use serde_json::{Value, json};

#[tokio::test]
async fn a_wrong_check_character_is_refused_naming_the_field_and_the_expected_character() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    let token = server.token(world.username(Role::DistrictOfficer)).await;
    let good = credit_code("330482", 77);
    let wrong_last = if good.ends_with('0') { '1' } else { '0' };
    let bad = format!("{}{wrong_last}", &good[..17]);
    let response = server
        .client_post(
            "/api/v1/enterprises",
            &token,
            &json!({ "credit_code": bad, "name_zh": "测试（示例）", "region_code": "330482" }),
        )
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["code"], "validation");
    assert_eq!(problem["errors"][0]["field"], "credit_code");
    assert_eq!(problem["errors"][0]["code"], "credit_code.check_character");
    let expected = good.chars().last().unwrap();
    assert!(
        problem["errors"][0]["message"].as_str().unwrap().contains(&format!("'{expected}'")),
        "message should name the expected character {expected}: {problem}"
    );
}

#[tokio::test]
async fn an_import_with_three_bad_rows_stores_nothing_and_lists_all_three() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    let token = server.token(world.username(Role::CityAnalyst)).await;
    let mut csv = String::from("\u{feff}统一社会信用代码,企业名称,注册地区划代码,成立日期\n");
    for n in 0..5 {
        csv.push_str(&format!("{},好企业{n}（示例）,330402,2020-01-0{}\n", credit_code("330402", 100 + n), n + 1));
    }
    csv.push_str(&format!("{},坏日期（示例）,330402,2020-02-30\n", credit_code("330402", 200)));
    csv.push_str(&format!("{},,330402,2020-01-01\n", credit_code("330402", 201)));
    csv.push_str(&format!("{},坏区划（示例）,999999,2020-01-01\n", credit_code("330402", 202)));
    let before = server
        .app
        .store
        .read()
        .await
        .map(|mut c| async move { bridgehead_store::enterprises::count(&mut c).await.unwrap() })
        .unwrap()
        .await;
    let response = server
        .http()
        .post(server.url("/api/v1/enterprises/import?file_name=bad.csv"))
        .bearer_auth(&token)
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let problem: Value = response.json().await.unwrap();
    let rows = problem["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3, "{problem}");
    assert_eq!(rows[0]["row"], 7);
    assert_eq!(rows[0]["column"], "成立日期");
    assert_eq!(rows[0]["value"], "2020-02-30");
    assert_eq!(rows[1]["row"], 8);
    assert_eq!(rows[1]["column"], "企业名称");
    assert_eq!(rows[2]["row"], 9);
    assert_eq!(rows[2]["column"], "注册地区划代码");
    let after = server
        .app
        .store
        .read()
        .await
        .map(|mut c| async move { bridgehead_store::enterprises::count(&mut c).await.unwrap() })
        .unwrap()
        .await;
    assert_eq!(before, after, "a refused import stored something");
}

#[tokio::test]
async fn importing_a_good_file_twice_creates_no_duplicates() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    let token = server.token(world.username(Role::Administrator)).await;
    let mut csv = String::from("Credit code,Chinese name,Region code\n");
    for n in 0..4 {
        csv.push_str(&format!("{},导入企业{n}（示例）,330421\n", credit_code("330421", 300 + n)));
    }
    let mut outcomes = Vec::new();
    for _ in 0..2 {
        let response = server
            .http()
            .post(server.url("/api/v1/enterprises/import?file_name=good.csv"))
            .bearer_auth(&token)
            .body(csv.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        outcomes.push(response.json::<Value>().await.unwrap());
    }
    assert_eq!(outcomes[0]["created"], 4);
    assert_eq!(outcomes[1]["created"], 0);
    assert_eq!(outcomes[1]["updated"], 0);
    assert_eq!(outcomes[1]["unchanged"], 4);
    let list: Value = server.get_json("/api/v1/enterprises?region=330421", &token).await;
    assert_eq!(list["total"], 4);
}

#[tokio::test]
async fn updates_need_the_current_version() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    let token = server.token(world.username(Role::DistrictOfficer)).await;
    let path = format!("/api/v1/enterprises/{}", world.ours.id);
    let response = server.http().get(server.url(&path)).bearer_auth(&token).send().await.unwrap();
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let body = json!({ "credit_code": world.ours.record.credit_code.to_string(), "name_zh": "改名（示例）", "region_code": "330482" });
    let first = server
        .http()
        .put(server.url(&path))
        .bearer_auth(&token)
        .header("if-match", &etag)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    assert_ne!(first.headers()["etag"].to_str().unwrap(), etag);
    let stale = server
        .http()
        .put(server.url(&path))
        .bearer_auth(&token)
        .header("if-match", &etag)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 412);
    let problem: Value = stale.json().await.unwrap();
    assert_eq!(problem["code"], "version_mismatch");
}

#[tokio::test]
async fn cookie_sessions_need_the_csrf_token_and_the_same_origin() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    let session = server.sign_in(world.username(Role::Administrator), PASSWORD).await;
    let body = json!({ "name": "from the browser" });
    let without = session.client.post(server.url("/api/v1/tokens")).json(&body).send().await.unwrap();
    assert_eq!(without.status(), 403);
    let cross_site = session
        .client
        .post(server.url("/api/v1/tokens"))
        .header("x-csrf-token", &session.csrf)
        .header("origin", "https://evil.example")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403);
    let with = session
        .client
        .post(server.url("/api/v1/tokens"))
        .header("x-csrf-token", &session.csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(with.status(), 201);
    let me: Value = session.client.get(server.url("/api/v1/me")).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["role"], "administrator");
    let out = session
        .client
        .delete(server.url("/api/v1/session"))
        .header("x-csrf-token", &session.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    let after = session.client.get(server.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(after.status(), 401);
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_account() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    let username = world.username(Role::EnterpriseUser);
    for _ in 0..5 {
        let response = server
            .http()
            .post(server.url("/api/v1/session"))
            .json(&json!({ "username": username, "password": "not the password" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
    }
    let locked = server
        .http()
        .post(server.url("/api/v1/session"))
        .json(&json!({ "username": username, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(locked.status(), 403);
    let problem: Value = locked.json().await.unwrap();
    assert_eq!(problem["code"], "auth.locked");
}

#[tokio::test]
async fn bad_requests_get_problem_documents_not_server_errors() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    let token = server.token(world.username(Role::Administrator)).await;
    for (method, path, body) in [
        ("GET", "/api/v1/enterprises/not-a-number", None),
        ("GET", "/api/v1/enterprises?per_page=0", None),
        ("GET", "/api/v1/enterprises?sort=shoe_size", None),
        ("POST", "/api/v1/enterprises", Some("{not json")),
        ("POST", "/api/v1/enterprises", Some("{\"unknown_field\": 1}")),
        ("GET", "/api/v1/no-such-route", None),
        ("PUT", "/api/v1/enterprises/1/figures/99999", Some("{}")),
    ] {
        let mut request = server.http().request(method.parse().unwrap(), server.url(path)).bearer_auth(&token);
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body.to_owned());
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        assert!(status.is_client_error(), "{method} {path}: {status}");
        let problem: Value = response.json().await.unwrap_or(Value::Null);
        assert!(problem["code"].is_string(), "{method} {path}: no problem code in {problem}");
    }
}

#[tokio::test]
async fn health_and_openapi_are_public() {
    let server = TestServer::start().await;
    let health: Value = server.http().get(server.url("/healthz")).send().await.unwrap().json().await.unwrap();
    assert_eq!(health["status"], "ok");
    let document: Value =
        server.http().get(server.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(document["info"]["title"], "Bridgehead API");
    let docs = server.http().get(server.url("/api/v1/docs/")).send().await.unwrap();
    assert_eq!(docs.status(), 200);
}

#[tokio::test]
async fn the_monthly_cycle_through_the_api() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    let admin = server.token(world.username(Role::Administrator)).await;
    let enterprise = server.token(world.username(Role::EnterpriseUser)).await;
    let district = server.token(world.username(Role::DistrictOfficer)).await;
    let city = server.token(world.username(Role::CityAnalyst)).await;

    let project = server
        .client_post(
            "/api/v1/projects",
            &admin,
            &json!({
                "code": "2023-330482-36-01-000001", "name_zh": "平湖测试项目（示例）", "region_code": "330482",
                "industry_code": "3612", "planned_total": "1000000.00", "signed_on": "2023-01-05",
                "investors": [{ "enterprise_id": world.ours.id, "share_percent": "100" }]
            }),
        )
        .await;
    assert_eq!(project.status(), 201);
    let project: Value = project.json().await.unwrap();
    let id = project["id"].as_i64().unwrap();
    let started = server
        .client_post(
            &format!("/api/v1/projects/{id}/events"),
            &admin,
            &json!({ "kind": "started", "occurred_on": "2023-01-20" }),
        )
        .await;
    assert_eq!(started.status(), 201);

    let bad = server
        .client_post(
            &format!("/api/v1/projects/{id}/reports"),
            &enterprise,
            &json!({ "period": "2023-01", "figures": { "completed": "10.00", "equipment": "11.00" } }),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let problem: Value = bad.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "equipment");

    let created = server
        .client_post(
            &format!("/api/v1/projects/{id}/reports"),
            &enterprise,
            &json!({ "period": "2023-01", "figures": { "completed": "100000.00", "equipment": "40000.00" } }),
        )
        .await;
    assert_eq!(created.status(), 201);
    let report: Value = created.json().await.unwrap();
    let report_id = report["id"].as_i64().unwrap();
    let server = &server;
    let act = |token: &str, action: &str, reason: Option<&str>| {
        let body = json!({ "action": action, "reason": reason });
        let path = format!("/api/v1/reports/{report_id}/actions");
        let token = token.to_owned();
        async move { server.client_post(&path, &token, &body).await }
    };
    assert_eq!(act(&enterprise, "submit", None).await.status(), 200);
    assert_eq!(act(&city, "approve_city", None).await.status(), 422, "the district reviews first");
    assert_eq!(act(&district, "return_district", Some("equipment looks high")).await.status(), 200);
    let fixed = server
        .http()
        .put(server.url(&format!("/api/v1/reports/{report_id}")))
        .bearer_auth(&enterprise)
        .json(&json!({ "completed": "100000.00", "equipment": "30000.00" }))
        .send()
        .await
        .unwrap();
    assert_eq!(fixed.status(), 200);
    assert_eq!(act(&enterprise, "submit", None).await.status(), 200);
    assert_eq!(act(&enterprise, "approve_district", None).await.status(), 403);
    assert_eq!(act(&district, "approve_district", None).await.status(), 200);
    assert_eq!(act(&city, "approve_city", None).await.status(), 200);

    let correction = server
        .client_post(
            &format!("/api/v1/reports/{report_id}/corrections"),
            &enterprise,
            &json!({ "reason": "late invoice", "figures": { "completed": "120000.00" } }),
        )
        .await;
    assert_eq!(correction.status(), 201);
    let detail = server.get_json(&format!("/api/v1/reports/{report_id}"), &city).await;
    assert_eq!(detail["status"], "approved_by_city", "the approved revision counts until the correction is approved");
    assert_eq!(detail["revisions"].as_array().unwrap().len(), 2);
    let actions: Vec<&str> =
        detail["reviews"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["create", "submit", "return_district", "submit", "approve_district", "approve_city"]);
    assert_eq!(detail["reviews"][2]["reason"], "equipment looks high");

    let reminders = server.get_json("/api/v1/reports/reminders?period=2023-02", &district).await;
    assert_eq!(reminders.as_array().unwrap().len(), 1, "February is missing");
    assert_eq!(reminders[0]["due_on"], "2023-03-10");
}

#[tokio::test]
async fn deadlines_count_working_days_across_the_national_day_holiday() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    let token = server.token(world.username(Role::EnterpriseUser)).await;
    let deadline = server.get_json("/api/v1/calendar/deadline?from=2024-09-27&working_days=7", &token).await;
    assert_eq!(deadline["deadline"], "2024-10-12");
    let years = server.get_json("/api/v1/calendar", &token).await;
    let national_day_2024: Vec<&str> = years.as_array().unwrap().iter().find(|y| y["year"] == 2024).unwrap()["days"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["name"] == "国庆节" && d["kind"] == "holiday")
        .map(|d| d["date"].as_str().unwrap())
        .collect();
    assert_eq!(national_day_2024.first(), Some(&"2024-10-01"));
    assert_eq!(national_day_2024.len(), 7);
    let refused = server
        .http()
        .post(server.url("/api/v1/calendar/import"))
        .bearer_auth(&token)
        .body("date,kind,name\n")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403, "only administrators change the calendar");
}

/// A started Pinghu project with city-approved reports: 100 yuan in January 2022 and
/// 124.10 in January 2023 (+24.1%).
pub(super) async fn counted_reports(server: &TestServer, world: &bridgehead_testkit::fixtures::World) {
    let operator = bridgehead_app::Actor::system("test");
    let fields = bridgehead_domain::project::ProjectFields {
        code: Some("2022-330482-36-01-000001".into()),
        name_zh: Some("统计接口项目（示例）".into()),
        region_code: Some("330482".into()),
        planned_total: Some("1000000000".into()),
        investors: vec![(world.ours.id.to_string(), "100".into())],
        ..Default::default()
    };
    let project = server.app.create_project(&operator, &fields, "2021-12-01").await.unwrap();
    let start = bridgehead_app::projects::EventInput {
        kind: "started".into(),
        occurred_on: "2022-01-05".into(),
        ..Default::default()
    };
    server.app.record_event(&operator, project.id, &start).await.unwrap();
    let csv =
        "项目代码,月份,本月完成投资\n2022-330482-36-01-000001,2022-01,100\n2022-330482-36-01-000001,2023-01,124.1\n";
    let mode = bridgehead_app::projects::ReportImportMode::Approved;
    let format = bridgehead_io::FileFormat::Csv;
    server.app.import_reports(&operator, "r.csv", csv.as_bytes(), format, mode, &|_, _| {}).await.unwrap();
}

#[tokio::test]
async fn the_statistics_table_answers_in_json_and_as_a_file_within_scope() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    counted_reports(&server, &world).await;
    let city = server.token(world.username(Role::CityAnalyst)).await;
    let table = server.get_json("/api/v1/statistics/investment?region=330400&period=2023-01", &city).await;
    assert_eq!(table["title_zh"], "嘉兴市 2023年1月制造业投资");
    assert_eq!(table["total"]["cumulative"], "124.10");
    assert_eq!(table["total"]["growth_percent"], "24.1");
    assert!(table["fixed_asset_investment_share"].is_null() && table["indicators"] == json!([]));
    let indicators =
        "indicator,region_code,period,value,growth,source\nfixed_asset_investment,330400,2023-01,1000,9.9,示例\n";
    let imported = server
        .http()
        .post(server.url("/api/v1/indicators/import?file_name=i.csv"))
        .bearer_auth(&city)
        .body(indicators)
        .send()
        .await
        .unwrap();
    assert_eq!(imported.status(), 200);
    let table = server.get_json("/api/v1/statistics/investment?region=330400&period=2023-01", &city).await;
    assert_eq!(table["fixed_asset_investment_share"], "12.4", "124.10 of 1000 yuan");
    assert_eq!(table["indicators"][0]["growth_percent"], "9.9");
    let revised = "indicator,region_code,period,value,growth,source\nfixed_asset_investment,330400,2023-01,1100,9.9,示例（修订）\n";
    let imported = server
        .http()
        .post(server.url("/api/v1/indicators/import?file_name=i.csv"))
        .bearer_auth(&city)
        .body(revised)
        .send()
        .await
        .unwrap();
    assert_eq!(imported.status(), 200);
    let history = server
        .get_json("/api/v1/indicators/history?indicator=fixed_asset_investment&region=330400&period=2023-01", &city)
        .await;
    assert_eq!(history[0]["revision"], 2);
    assert_eq!(history[1]["figure"]["value"], "1000.00", "the earlier revision stays readable");
    let pinghu = table["children"].as_array().unwrap().iter().find(|c| c["region_code"] == "330482").unwrap();
    assert_eq!((pinghu["share_percent"].as_str(), pinghu["rank"].as_u64()), (Some("100.0"), Some(1)));
    let file = server
        .http()
        .get(server.url("/api/v1/statistics/investment/file?region=330400&period=2023-01&format=csv&lang=en"))
        .bearer_auth(&city)
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), 200);
    assert!(file.text().await.unwrap().contains("Pinghu,0.00,24.1,100.0,1"));

    let district = server.token(world.username(Role::DistrictOfficer)).await;
    let outside = server
        .http()
        .get(server.url("/api/v1/statistics/investment?region=330400&period=2023-01"))
        .bearer_auth(&district)
        .send()
        .await
        .unwrap();
    assert_eq!(outside.status(), 404, "the city's table is outside a district's scope");
    let history = server
        .http()
        .get(server.url("/api/v1/indicators/history?indicator=gdp&region=330400&period=2023-01"))
        .bearer_auth(&district)
        .send()
        .await
        .unwrap();
    assert_eq!(history.status(), 404, "so are its indicators");
    let bad = server
        .http()
        .get(server.url("/api/v1/statistics/investment?region=330400&period=2023-13"))
        .bearer_auth(&city)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
}

#[tokio::test]
async fn breakdowns_trends_drill_downs_and_counts_answer_within_scope() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    counted_reports(&server, &world).await;
    let city = server.token(world.username(Role::CityAnalyst)).await;
    let by_type =
        server.get_json("/api/v1/statistics/breakdown?region=330400&period=2023-01&by=project_type", &city).await;
    assert_eq!(by_type["cumulative"], "124.10");
    assert_eq!(by_type["lines"][0]["key"], "new");
    assert_eq!(by_type["lines"][0]["share_percent"], "100.0");
    let by_tier = server.get_json("/api/v1/statistics/breakdown?region=330400&period=2023-01&by=tier", &city).await;
    assert_eq!(by_tier["lines"][0]["key"], "billion", "a plan of 1 billion yuan reaches the billion tier");
    let by_industry =
        server.get_json("/api/v1/statistics/breakdown?region=330400&period=2023-01&by=industry", &city).await;
    assert_eq!(by_industry["lines"].as_array().unwrap().len(), 1);

    let trend = server.get_json("/api/v1/statistics/trend?region=330400&period=2023-03", &city).await;
    let months: Vec<(&str, &str)> = trend
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["period"].as_str().unwrap(), m["cumulative"].as_str().unwrap()))
        .collect();
    assert_eq!(months, [("2023-01", "124.10"), ("2023-02", "124.10"), ("2023-03", "124.10")]);
    assert_eq!(trend[0]["growth_percent"], "24.1");
    assert_eq!(trend[1]["month"], "0.00");

    let behind = server.get_json("/api/v1/statistics/contributors?region=330400&period=2023-01", &city).await;
    assert_eq!(behind["total"], 1);
    assert_eq!(behind["projects"][0]["code"], "2022-330482-36-01-000001");
    assert_eq!(behind["projects"][0]["cumulative"], "124.10");
    assert_eq!(behind["projects"][0]["previous"], "100.00");

    let counts =
        server.get_json("/api/v1/statistics/projects?region=330400&through=2021-12-31&months=9&by=tier", &city).await;
    assert_eq!((counts["from"].as_str(), counts["total"]["projects"].as_u64()), (Some("2021-04-01"), Some(1)));
    assert_eq!(counts["tiers"][1]["code"], "ten_billion");
    assert_eq!(counts["tiers"][0]["min_usd"], "100000000.00");
    let started = server
        .get_json("/api/v1/statistics/projects?region=330400&through=2022-01-31&months=1&event=started", &city)
        .await;
    let pinghu = started["lines"].as_array().unwrap().iter().find(|l| l["key"] == "330482").unwrap();
    assert_eq!(pinghu["projects"], 1);

    let district = server.token(world.username(Role::DistrictOfficer)).await;
    for path in [
        "/api/v1/statistics/breakdown?region=330400&period=2023-01&by=tier",
        "/api/v1/statistics/trend?region=330400&period=2023-01",
        "/api/v1/statistics/contributors?region=330400&period=2023-01",
        "/api/v1/statistics/projects?region=330400&through=2021-12-31",
    ] {
        let refused = server.http().get(server.url(path)).bearer_auth(&district).send().await.unwrap();
        assert_eq!(refused.status(), 404, "{path}: the city is outside a district's scope");
    }
    let bad = server
        .http()
        .get(server.url("/api/v1/statistics/projects?region=330400&through=2021-13-01&months=0&by=colour&tier=huge"))
        .bearer_auth(&city)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let problem: serde_json::Value = bad.json().await.unwrap();
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["by", "through", "months", "tier"]);
}

#[tokio::test]
async fn releases_are_published_by_the_city_and_read_by_anyone() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    counted_reports(&server, &world).await;
    let city = server.token(world.username(Role::CityAnalyst)).await;
    let published = server
        .http()
        .post(server.url("/api/v1/statistics/releases"))
        .bearer_auth(&city)
        .json(&json!({ "region": "330400", "period": "2023-01", "note": "示例发布" }))
        .send()
        .await
        .unwrap();
    assert_eq!(published.status(), 201);
    let release: serde_json::Value = published.json().await.unwrap();
    let id = release["id"].as_i64().unwrap();
    assert_eq!(release["table"]["total"]["cumulative"], "124.10");

    // Anyone, signed in or not, reads releases — and only releases.
    let public = server.http().get(server.url("/api/v1/public/releases")).send().await.unwrap();
    assert_eq!(public.status(), 200);
    let list: serde_json::Value = public.json().await.unwrap();
    assert_eq!(list[0]["id"], id);
    let one = server.http().get(server.url(&format!("/api/v1/public/releases/{id}"))).send().await.unwrap();
    assert_eq!(one.status(), 200);
    let live = server.http().get(server.url("/api/v1/statistics/investment?region=330400&period=2023-01")).send().await;
    assert_eq!(live.unwrap().status(), 401, "live figures need a sign-in");
    let page = server.http().get(server.url(&format!("/public/statistics/{id}"))).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("示例发布"), "the public page shows the release with its note");

    let compare = server.get_json(&format!("/api/v1/statistics/releases/{id}/compare"), &city).await;
    assert_eq!(compare["changed"], false);
    let district = server.token(world.username(Role::DistrictOfficer)).await;
    let refused = server
        .http()
        .post(server.url("/api/v1/statistics/releases"))
        .bearer_auth(&district)
        .json(&json!({ "region": "330482", "period": "2023-01" }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let missing = server.http().get(server.url("/api/v1/public/releases/999")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
}
