//! Imported-equipment tax-free confirmation pages, as a browser without JavaScript uses
//! them: the filer applies and submits, the city analyst refuses a decision without
//! reasons and then confirms, the printable list carries the number, and a district
//! officer of another district finds nothing.

use bridgehead_app::Actor;
use bridgehead_domain::access::Role;
use bridgehead_testkit::TestServer;
use bridgehead_testkit::fixtures::{World, world};

use super::browser::{Browser, input_value};

const CODE: &str = "2023-330482-36-01-000007";

/// A project of `ours` in Pinghu.
async fn our_project(server: &TestServer, world: &World) -> i64 {
    let project = server
        .app
        .create_project(
            &Actor::system("test"),
            &bridgehead_domain::project::ProjectFields {
                code: Some(CODE.into()),
                name_zh: Some("平湖测试设备项目（示例）".into()),
                name_en: Some("Pinghu test equipment project (sample)".into()),
                region_code: Some("330482".into()),
                industry_code: Some("3612".into()),
                planned_total: Some("5000000".into()),
                investors: vec![(world.ours.id.to_string(), "100".into())],
                ..Default::default()
            },
            "2023-01-05",
        )
        .await
        .unwrap();
    project.id
}

/// The application form's fields: two items on rows 1 and 3 (row 2 blank), the first in
/// US dollars.
fn application<'a>(hs_code_1: &'a str, quantity_3: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("encouraged_category", "鼓励类第十四条第 5 款 汽车关键零部件（示例）"),
        ("documents", "项目确认申请表\r\n进口设备清单\r\n\r\n合同副本"),
        ("item_name_1", "五轴联动加工中心（示例）"),
        ("item_model_1", "DMU 50"),
        ("item_hs_code_1", hs_code_1),
        ("item_quantity_1", "2"),
        ("item_unit_price_1", "150000.50"),
        ("item_currency_1", "USD"),
        ("item_name_2", ""),
        ("item_model_2", ""),
        ("item_hs_code_2", ""),
        ("item_quantity_2", ""),
        ("item_unit_price_2", ""),
        ("item_currency_2", ""),
        ("item_name_3", "激光切割机（示例）"),
        ("item_hs_code_3", "8456110000"),
        ("item_quantity_3", quantity_3),
        ("item_unit_price_3", "800000"),
        ("item_currency_3", ""),
    ]
}

#[tokio::test]
async fn apply_submit_confirm_print_and_scope() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    let project_id = our_project(&server, &world).await;
    let project_path = format!("/projects/{project_id}");
    let new_path = format!("{project_path}/confirmations/new");
    let enterprise = Browser::as_role(&server, &world, Role::EnterpriseUser).await;
    let city = Browser::as_role(&server, &world, Role::CityAnalyst).await;

    // The project page lists the applications; filers may start one, the city may not.
    let project = enterprise.get(&project_path).await.html;
    assert!(project.contains("进口设备免税确认申请") && project.contains("该项目尚无进口设备免税确认申请"));
    assert!(project.contains(&format!("href=\"{new_path}\"")), "a filer is offered a new application");
    assert!(!city.get(&project_path).await.html.contains(&format!("href=\"{new_path}\"")));
    assert_eq!(city.get(&new_path).await.status, 403, "the city analyst does not apply");

    // A bad HS code and quantity are refused next to their rows; the values stay.
    let form = enterprise.get(&new_path).await.html;
    assert!(form.contains("name=\"item_hs_code_10\""), "ten equipment rows");
    assert!(form.contains("<textarea id=\"f-documents\" name=\"documents\""), "documents one a line");
    let action = format!("{project_path}/confirmations");
    let refused = enterprise.submit(&new_path, &action, &application("84-59", "0")).await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    let html = &refused.html;
    assert!(html.contains("id=\"f-item_hs_code_1-error\">商品编码应为 6 至 10 位数字"), "{html}");
    assert!(html.contains("id=\"f-item_quantity_3-error\">数量应为大于 0 的整数"), "{html}");
    assert!(!html.contains("f-item_quantity_2-error"), "the blank row is ignored");
    assert!(html.contains("value=\"五轴联动加工中心（示例）\"") && html.contains("value=\"84-59\""));
    let nothing = enterprise.submit(&new_path, &action, &[("encouraged_category", "鼓励类（示例）")]).await;
    assert_eq!(nothing.status, 422);
    assert!(nothing.html.contains("请至少填写一台（套）设备"), "{}", nothing.html);

    // The filer applies: a draft with both items and their totals.
    let created = enterprise.submit(&new_path, &action, &application("8459.61", "1")).await;
    assert_eq!(created.status, 303, "{}", created.html);
    let path = created.location.clone();
    assert!(path.starts_with("/confirmations/"), "{path}");
    let draft = enterprise.get(&path).await.html;
    assert!(draft.contains("<dd>草稿</dd>"), "{draft}");
    assert!(draft.contains("<td>845961</td>") && draft.contains("<td>300001.00</td>"), "item 1, its total");
    assert!(draft.contains("300001.00 USD") && draft.contains("800000.00 CNY"), "totals by currency");
    assert!(draft.contains("项目确认申请表；进口设备清单；合同副本"), "the documents");
    assert!(draft.contains("/api/v1/confirmations/") && draft.contains("equipment?format=xlsx&#38;lang=en"), "{draft}");
    assert!(draft.contains(&format!("action=\"{path}/submit\"")), "a draft is submitted from its page");
    assert!(!draft.contains("/decision\""), "the filer does not decide");
    assert!(enterprise.get(&project_path).await.html.contains(&format!("href=\"{path}\"")), "listed on the project");

    // Editing the draft keeps its version: three machines of the second kind.
    let version = input_value(&draft, "version");
    let mut edited = application("8459.61", "3");
    edited.push(("version", &version));
    let saved = enterprise.submit(&path, &path, &edited).await;
    assert_eq!(saved.status, 200, "{}", saved.html);
    assert!(saved.html.contains("已保存") && saved.html.contains("2400000.00 CNY"), "{}", saved.html);
    let stale = enterprise.submit(&path, &path, &edited).await;
    assert_eq!(stale.status, 409, "an edit of an old version is refused");

    // Submitted: a due date seven working days on, and the days left.
    let submitted = enterprise.submit(&path, &format!("{path}/submit"), &[]).await;
    assert_eq!(submitted.status, 200, "{}", submitted.html);
    assert!(submitted.html.contains("申请已提交，请在") && submitted.html.contains("<dd>已提交，待确认</dd>"));
    assert!(submitted.html.contains("还剩 7 个工作日") || submitted.html.contains("还剩 6 个工作日"));
    assert!(!submitted.html.contains("name=\"item_name_1\""), "no edit form after submitting");
    let again = enterprise.submit(&path, &format!("{path}/submit"), &[]).await;
    assert_eq!(again.status, 422, "submitted twice: {}", again.html);
    assert!(again.html.contains("只有草稿状态的申请才能提交"), "{}", again.html);
    assert_eq!(
        enterprise.client.post(server.url(&format!("{path}/decision"))).send().await.unwrap().status(),
        403,
        "the filer may not decide"
    );

    // The city analyst: a refusal needs reasons; then confirms.
    let page = city.get(&path).await.html;
    assert!(page.contains("value=\"approve\"") && page.contains("value=\"reject\""), "{page}");
    let decision = format!("{path}/decision");
    let no_reasons = city.submit(&path, &decision, &[("decision", "reject"), ("reasons", "  ")]).await;
    assert_eq!(no_reasons.status, 422, "{}", no_reasons.html);
    assert!(no_reasons.html.contains("id=\"f-reasons-error\">不予确认须填写理由"), "{}", no_reasons.html);
    let no_choice = city.submit(&path, &decision, &[("decision", "maybe")]).await;
    assert_eq!(no_choice.status, 422);
    assert!(no_choice.html.contains("请选择予以确认或不予确认"));
    let approved = city.submit(&path, &decision, &[("decision", "approve")]).await;
    assert_eq!(approved.status, 200, "{}", approved.html);
    let year = bridgehead_app::projects::today_in_china().year();
    let number = format!("{year}-330482-00001");
    assert!(approved.html.contains(&format!("已予以确认，确认书编号 {number}")), "{}", approved.html);
    assert!(approved.html.contains("<dd>已确认</dd>"));
    assert!(approved.html.contains(&format!("href=\"{path}/print\"")), "the confirmed list can be printed");

    // The printable list: the number, the project, the items, the totals and the stamp.
    let print = enterprise.get(&format!("{path}/print")).await;
    assert_eq!(print.status, 200, "{}", print.html);
    let html = &print.html;
    assert!(html.contains("<body class=\"printable\">"));
    assert!(html.contains(&number) && html.contains(CODE) && html.contains("平湖测试设备项目（示例）"));
    assert!(html.contains("平湖测试企业（示例）"), "the project company");
    assert!(html.contains("五轴联动加工中心（示例）") && html.contains("2400000.00"));
    assert!(html.contains("<div class=\"stamp\">") && html.contains("嘉兴市经济和信息化局"), "{html}");
    assert!(html.contains("（盖章）"));
    enterprise.get("/lang/en?next=/").await;
    let english = enterprise.get(&format!("{path}/print")).await.html;
    assert!(english.contains("Jiaxing Bureau of Economy and Information Technology") && english.contains(&number));
    let css = enterprise.get("/assets/app.css").await.html;
    assert!(css.contains("@media print") && css.contains("header.top"), "print CSS hides the header");

    // The spreadsheet behind the download link.
    let sheet =
        enterprise
            .client
            .get(server.url(&format!(
                "/api/v1/confirmations/{}/equipment?format=xlsx&lang=zh",
                path.rsplit('/').next().unwrap()
            )))
            .send()
            .await
            .unwrap();
    assert_eq!(sheet.status(), 200);

    // A district officer of another district finds nothing.
    let nanhu = Browser::nanhu_officer(&server).await;
    for target in [path.clone(), format!("{path}/print"), new_path.clone(), project_path.clone()] {
        let answer = nanhu.get(&target).await;
        assert_eq!(answer.status, 404, "{target}: {}", answer.html);
        assert!(!answer.html.contains(CODE) && !answer.html.contains(&number), "{target} leaks nothing");
    }
    let home = nanhu.get("/").await.html;
    let csrf = input_value(&home, "_csrf");
    let posted = nanhu
        .client
        .post(server.url(&action))
        .form(&[("_csrf", csrf.as_str()), ("encouraged_category", "x"), ("item_name_1", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 404, "applying for another district's project");
    // The Pinghu officer sees it.
    let pinghu = Browser::as_role(&server, &world, Role::DistrictOfficer).await;
    assert_eq!(pinghu.get(&path).await.status, 200);
}

#[tokio::test]
async fn a_refusal_and_the_print_of_an_unconfirmed_application() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    let project_id = our_project(&server, &world).await;
    let district = Browser::as_role(&server, &world, Role::DistrictOfficer).await;
    let admin = Browser::as_role(&server, &world, Role::Administrator).await;
    let new_path = format!("/projects/{project_id}/confirmations/new");
    let created =
        district.submit(&new_path, &format!("/projects/{project_id}/confirmations"), &application("845961", "1")).await;
    assert_eq!(created.status, 303, "{}", created.html);
    let path = created.location;
    assert_eq!(admin.get(&format!("{path}/print")).await.status, 422, "a draft has nothing to print");
    let submitted = district.submit(&path, &format!("{path}/submit"), &[]).await;
    assert_eq!(submitted.status, 200, "{}", submitted.html);
    let reasons = "设备不属于鼓励类目录（示例）";
    let rejected =
        admin.submit(&path, &format!("{path}/decision"), &[("decision", "reject"), ("reasons", reasons)]).await;
    assert_eq!(rejected.status, 200, "{}", rejected.html);
    assert!(rejected.html.contains("已决定不予确认") && rejected.html.contains("<dd>未予确认</dd>"));
    assert!(rejected.html.contains(reasons));
    assert!(!rejected.html.contains(&format!("href=\"{path}/print\"")));
    let print = district.get(&format!("{path}/print")).await;
    assert_eq!(print.status, 422);
    assert!(print.html.contains("该申请尚未予以确认"), "{}", print.html);
    let decided_again = admin.submit(&path, &format!("{path}/decision"), &[("decision", "approve")]).await;
    assert_eq!(decided_again.status, 422, "decided once");
    assert!(decided_again.html.contains("只有已提交、待确认的申请才能办理"), "{}", decided_again.html);
}
