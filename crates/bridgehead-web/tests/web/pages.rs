//! The pages, as a browser without JavaScript sees them.

use bridgehead_domain::access::Role;
use bridgehead_testkit::fixtures::world;
use bridgehead_testkit::{PASSWORD, TestServer};

#[tokio::test]
async fn pages_speak_both_languages_and_remember_the_choice() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    let session = server.sign_in(world.username(Role::DistrictOfficer), PASSWORD).await;
    let zh = session.client.get(server.url("/enterprises")).send().await.unwrap().text().await.unwrap();
    assert!(zh.contains("<html lang=\"zh-CN\">") && zh.contains("企业名录"));
    assert!(zh.contains("平湖测试企业"), "the officer's own enterprise is listed");
    assert!(!zh.contains("南湖测试企业"), "another district's enterprise is not");
    let switch = session.client.get(server.url("/lang/en?next=/enterprises")).send().await.unwrap();
    assert_eq!(switch.status(), 303);
    let en = session.client.get(server.url("/enterprises")).send().await.unwrap().text().await.unwrap();
    assert!(en.contains("<html lang=\"en\">") && en.contains("Enterprise registry"));
}

#[tokio::test]
async fn signing_in_through_the_form_and_editing_an_enterprise() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    let client = TestServer::client();
    let login = client.get(server.url("/login")).send().await.unwrap().text().await.unwrap();
    assert!(login.contains("name=\"username\""));
    let signed = client
        .post(server.url("/login"))
        .form(&[("username", world.username(Role::EnterpriseUser)), ("password", PASSWORD), ("next", "/enterprises")])
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 303);
    let edit = client
        .get(server.url(&format!("/enterprises/{}/edit", world.ours.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = edit.split("name=\"_csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let saved = client
        .post(server.url(&format!("/enterprises/{}", world.ours.id)))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("credit_code", world.ours.record.credit_code.as_str()),
            ("name_zh", "平湖改名企业（示例）"),
            ("region_code", "330482"),
            ("version", &world.ours.version.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 200);
    assert!(saved.text().await.unwrap().contains("平湖改名企业"));
    let forged = client
        .post(server.url(&format!("/enterprises/{}", world.ours.id)))
        .form(&[("_csrf", "forged"), ("name_zh", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    let other = client.get(server.url(&format!("/enterprises/{}", world.theirs.id))).send().await.unwrap();
    assert_eq!(other.status(), 404);
}

#[tokio::test]
async fn form_errors_are_shown_next_to_their_fields() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    let session = server.sign_in(world.username(Role::CityAnalyst), PASSWORD).await;
    let response = session
        .client
        .post(server.url("/enterprises"))
        .form(&[
            ("_csrf", session.csrf.as_str()),
            ("credit_code", "91330100716105852A"),
            ("name_zh", ""),
            ("region_code", "330402"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"f-credit_code-error\""), "credit code error placed by its field");
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("校验码应为“F”"), "names the expected check character, in the page's language");
    assert!(html.contains("id=\"f-name_zh-error\""));
}

#[tokio::test]
async fn unknown_pages_and_forbidden_pages_are_friendly() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    let session = server.sign_in(world.username(Role::InstitutionUser), PASSWORD).await;
    let missing = session.client.get(server.url("/no/such/page")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert!(missing.text().await.unwrap().contains("<h1>"));
    let forbidden = session.client.get(server.url("/enterprises")).send().await.unwrap();
    assert_eq!(forbidden.status(), 403);
    let anonymous = TestServer::client().get(server.url("/enterprises")).send().await.unwrap();
    assert_eq!(anonymous.status(), 303);
    assert!(anonymous.headers()["location"].to_str().unwrap().starts_with("/login?next="));
}

#[tokio::test]
async fn the_calendar_page_lists_each_year_and_imports_for_administrators() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    let session = server.sign_in(world.username(Role::Administrator), PASSWORD).await;
    let page = session.client.get(server.url("/reference/calendar")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("2024-10-01") && page.contains("国庆节") && page.contains("调休上班"));
    let upload = |body: &'static str| {
        let form = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(body.as_bytes()).file_name("2027.csv"));
        session
            .client
            .post(server.url(&format!("/reference/calendar/import?_csrf={}", session.csrf)))
            .multipart(form)
            .send()
    };
    let refused = upload("date,kind,name\n2027-01-04,workday,调休\n").await.unwrap();
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("<td>2</td>"), "the bad line is listed");
    let imported = upload("date,kind,name\n2027-01-01,holiday,元旦\n").await.unwrap();
    assert_eq!(imported.status(), 200);
    assert!(imported.text().await.unwrap().contains("2027-01-01"));
    let officer = server.sign_in(world.username(Role::DistrictOfficer), PASSWORD).await;
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(b"date,kind,name\n".to_vec()).file_name("x.csv"));
    let forbidden = officer
        .client
        .post(server.url(&format!("/reference/calendar/import?_csrf={}", officer.csrf)))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(forbidden.status(), 403);
}

#[tokio::test]
async fn the_project_files_page_imports_with_every_row_error_and_exports() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    let session = server.sign_in(world.username(Role::DistrictOfficer), PASSWORD).await;
    let page = session.client.get(server.url("/projects/files")).send().await.unwrap().text().await.unwrap();
    assert!(
        page.contains("/api/v1/projects/template?format=xlsx&#38;lang=zh") && page.contains("data-upload"),
        "{page}"
    );
    let ours = world.ours.record.credit_code.to_string();
    let upload = |path: &'static str, body: String| {
        let form = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(body.into_bytes()).file_name("projects.csv"));
        session.client.post(server.url(&format!("{path}?_csrf={}", session.csrf))).multipart(form).send()
    };
    let header = "项目代码,项目名称,建设地点区划代码,计划总投资,投资企业及比例,签约日期\n";
    let bad = format!(
        "{header}2023-330482-36-01-000003,页面导入（示例）,330482,100,{ours},2023-01-05\nP-2,缺投资方（示例）,330482,100,,2023-01-05\n"
    );
    let refused = upload("/projects/import", bad).await.unwrap();
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("<td>3</td>") && html.contains("投资企业及比例"), "the row and column are named: {html}");
    let good = format!("{header}2023-330482-36-01-000003,页面导入（示例）,330482,100,{ours},2023-01-05\n");
    let imported = upload("/projects/import", good.clone()).await.unwrap();
    assert_eq!(imported.status(), 200);
    let html = imported.text().await.unwrap();
    assert!(html.contains("共 1 行，新增 1，更新 0，未变 0"), "{html}");
    let again = upload("/projects/import", good).await.unwrap().text().await.unwrap();
    assert!(again.contains("共 1 行，新增 0，更新 0，未变 1"), "a second import changes nothing: {again}");
    let events = upload(
        "/projects/events/import",
        "项目代码,阶段事件,发生日期\n2023-330482-36-01-000003,filed,2023-02-01\n".into(),
    )
    .await
    .unwrap();
    assert_eq!(events.status(), 200);
    let reports =
        upload("/reports/import", "项目代码,月份,本月完成投资\n2023-330482-36-01-000003,2023-01,100\n".into())
            .await
            .unwrap();
    assert_eq!(reports.status(), 422, "the project has not started: the month is before its start");
    assert!(reports.text().await.unwrap().contains("月份"), "the month's column is named");
    let export = session.client.get(server.url("/api/v1/stage-events/export?format=csv&lang=en")).send().await.unwrap();
    let csv = export.text().await.unwrap();
    assert!(csv.contains("2023-330482-36-01-000003,filed,2023-02-01,1"), "{csv}");
}

#[tokio::test]
async fn the_statistics_dashboard_shows_the_table_a_chart_and_drills_down() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    super::api::counted_reports(&server, &world).await;
    let city = server.sign_in(world.username(Role::CityAnalyst), PASSWORD).await;
    // Without parameters: the visitor's region and the newest month with figures.
    let page = city.client.get(server.url("/statistics")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("嘉兴市 2023年1月制造业投资"), "{html}");
    assert!(html.contains("data-chart=") && html.contains("echarts-6.1.0.min.js"), "a chart is drawn");
    assert!(html.contains("<td>24.1</td>"), "the growth is in the table: {html}");
    assert!(
        html.contains("/statistics?region=330482&amp;period=2023-01")
            || html.contains("/statistics?region=330482&#38;period=2023-01"),
        "a child drills down: {html}"
    );
    let county = city.client.get(server.url("/statistics?region=330482&period=2023-01")).send().await.unwrap();
    let html = county.text().await.unwrap();
    assert!(html.contains("/projects?region=330482"), "a county links to its projects");
    assert!(
        html.contains("2022-330482-36-01-000001") && html.contains("/projects/"),
        "and names the projects behind its figure, each a link to the project and its reports"
    );
    assert!(html.contains("行业大类") && html.contains("逐月累计"), "a breakdown and the trend: {html}");
    assert!(html.contains("action=\"/statistics/releases\""), "the city may publish the table");
    let projects = city.client.get(server.url("/projects?region=330482")).send().await.unwrap().text().await.unwrap();
    assert!(projects.contains("2022-330482-36-01-000001"), "the projects behind the figure");
    let bad = city.client.get(server.url("/statistics?region=330400&period=2023-13")).send().await.unwrap();
    assert_eq!(bad.status(), 422);
    // Any dimension filters the table.
    let filtered =
        city.client.get(server.url("/statistics?region=330400&period=2023-01&project_type=new&tier=billion"));
    let html = filtered.send().await.unwrap().text().await.unwrap();
    assert!(html.contains("<td>24.1</td>"), "the project is new and of the billion tier: {html}");
    let other = city.client.get(server.url("/statistics?region=330400&period=2023-01&capital_source=foreign"));
    let html = other.send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("<td>24.1</td>"), "no foreign project: no growth");
    let bad = city.client.get(server.url("/statistics?region=330400&period=2023-01&park=x")).send().await.unwrap();
    assert_eq!(bad.status(), 422, "a park is named by its id");
    let district = server.sign_in(world.username(Role::DistrictOfficer), PASSWORD).await;
    let outside = district.client.get(server.url("/statistics?region=330400")).send().await.unwrap();
    assert_eq!(outside.status(), 404, "the city's table is outside a district's scope");
    let own = district.client.get(server.url("/statistics")).send().await.unwrap().text().await.unwrap();
    assert!(own.contains("平湖市 2023年1月制造业投资"), "{own}");
}

#[tokio::test]
async fn the_statistics_dashboard_says_when_nothing_is_counted_yet() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    let city = server.sign_in(world.username(Role::CityAnalyst), PASSWORD).await;
    let page = city.client.get(server.url("/statistics")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("本地区尚无市级审核通过的月报"));
}
