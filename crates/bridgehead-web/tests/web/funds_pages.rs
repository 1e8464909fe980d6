//! The fund pages' forms, as a browser without JavaScript uses them: the fund manager
//! records ledger entries, reverses one, records a valuation, issues a capital call and a
//! distribution and records the call's payment; a refused form comes back with the
//! values typed and the message by the field; a double submit (one after the other, or
//! at once) moves the money once; a role that does not keep the ledger gets no form and
//! is refused.

use bridgehead_app::Actor;
use bridgehead_app::funds::{FundInput, HoldingInput, PartnerInput};
use bridgehead_domain::access::Role;
use bridgehead_store::funds::EntryRow;
use bridgehead_testkit::TestServer;
use bridgehead_testkit::fixtures::{World, world};

use super::browser::{Answer, Browser, input_value};

/// A fund managed by the fixture's organisation, with a government LP (committed
/// 600,000 yuan), a social LP (400,000 yuan) and one holding (the enterprise in Pinghu).
struct Fund {
    id: i64,
    government: i64,
    social: i64,
    holding: i64,
}

async fn fund(server: &TestServer, world: &World) -> Fund {
    let operator = Actor::system("test");
    let mut tx = server.app.store.begin().await.unwrap();
    let bank = bridgehead_store::reference::ensure_organization(
        &mut tx,
        bridgehead_domain::reference::OrganizationKind::Bank,
        "测试银行（示例）",
        None,
        "330400",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let fund = server
        .app
        .create_fund(
            &operator,
            &FundInput {
                name_zh: "页面测试基金（示例）".into(),
                name_en: Some("Page Test Fund (sample)".into()),
                kind: "industry".into(),
                manager_organization_id: Some(bank.id),
                currency_code: None,
                target_size_minor: 100_000_000,
                vintage: 2023,
                investment_years: 5,
                term_years: 10,
                home_region_code: "330400".into(),
                focus_industries: vec![],
            },
        )
        .await
        .unwrap();
    let partner = |name: &str, kind: &str, commitment: i64| PartnerInput {
        name: name.into(),
        kind: kind.into(),
        investor_fund_id: None,
        commitment_minor: commitment,
        committed_on: "2023-01-10".into(),
    };
    let government =
        server.app.add_partner(&operator, fund.id, &partner("市财政（示例）", "government", 60_000_000)).await.unwrap();
    let social =
        server.app.add_partner(&operator, fund.id, &partner("社会资本（示例）", "social", 40_000_000)).await.unwrap();
    let holding = server
        .app
        .add_holding(
            &operator,
            fund.id,
            &HoldingInput { enterprise_id: world.ours.id, project_id: None, acquired_on: "2023-04-01".into() },
        )
        .await
        .unwrap();
    Fund { id: fund.id, government: government.id, social: social.id, holding: holding.id }
}

async fn entries(server: &TestServer, fund: i64) -> Vec<EntryRow> {
    server.app.fund(&Actor::system("test"), fund).await.unwrap().entries
}

/// The one-time token of the form (or button) that posts to `action`.
fn token_of(html: &str, action: &str) -> String {
    let start = html.find(&format!("action=\"{action}\"")).unwrap_or_else(|| panic!("no form posts to {action}"));
    let token = input_value(&html[start..], "_once");
    assert!(token.starts_with("once_"), "the form to {action} carries a one-time token");
    token
}

/// The one-time token of the form to `action` on a newly opened `path`.
async fn fresh(browser: &Browser<'_>, path: &str, action: &str) -> String {
    token_of(&browser.get(path).await.html, action)
}

/// A page opened, with its CSRF token.
struct Opened {
    html: String,
    csrf: String,
}

async fn open(browser: &Browser<'_>, path: &str) -> Opened {
    let page = browser.get(path).await;
    assert_eq!(page.status, 200, "GET {path}: {}", page.html);
    let csrf = input_value(&page.html, "_csrf");
    Opened { html: page.html, csrf }
}

async fn post(browser: &Browser<'_>, action: &str, csrf: &str, form: &[(&str, &str)]) -> (Answer, bool) {
    let mut body: Vec<(&str, &str)> = vec![("_csrf", csrf)];
    body.extend_from_slice(form);
    let response = browser.client.post(browser.server.url(action)).form(&body).send().await.unwrap();
    let replayed = response.headers().get("idempotent-replayed").is_some_and(|v| v == "true");
    let status = response.status().as_u16();
    let location = response.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
    (Answer { status, location, html: response.text().await.unwrap() }, replayed)
}

/// The error shown by the field whose element id is `id`.
fn field_error(html: &str, id: &str) -> String {
    let marker = format!("id=\"{id}-error\">");
    html.split(&marker)
        .nth(1)
        .and_then(|rest| rest.split("</small>").next())
        .unwrap_or_else(|| panic!("no error by {id}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ledger_entries_and_reversals_through_the_fund_page() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    let f = fund(&server, &world).await;
    let manager = Browser::as_role(&server, &world, Role::FundManager).await;
    let fund_path = format!("/funds/{}", f.id);
    let action = format!("/funds/{}/entries", f.id);
    let government = f.government.to_string();

    // The form is on the fund page, with a one-time token.
    let page = open(&manager, &fund_path).await;
    assert!(page.html.contains("登记台账分录"), "the entry form's heading");
    let once = token_of(&page.html, &action);
    let entry = |amount: &'static str, once: &str| {
        vec![
            ("date", "2024-01-10".to_owned()),
            ("kind", "contribution".to_owned()),
            ("amount", amount.to_owned()),
            ("partner_id", government.clone()),
            ("holding_id", String::new()),
            ("component", "investment".to_owned()),
            ("memo", "页面录入（示例）".to_owned()),
            ("_once", once.to_owned()),
        ]
    };
    let send = |form: Vec<(&'static str, String)>| {
        let csrf = page.csrf.clone();
        let manager = &manager;
        let action = action.clone();
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post(manager, &action, &csrf, &form).await
        }
    };

    // A bad amount: the page again, the message by the amount, the values kept.
    let (refused, _) = send(entry("1,234.567", &once)).await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    assert!(field_error(&refused.html, "f-entry-amount").contains("金额格式不正确"), "{}", refused.html);
    assert!(refused.html.contains("value=\"1,234.567\"") && refused.html.contains("value=\"页面录入（示例）\""));
    assert!(refused.html.contains(&format!("name=\"_once\" value=\"{once}\"")), "the form keeps its token");
    let (form_at, kpis_at) =
        (refused.html.find("f-entry-amount-error").unwrap(), refused.html.find("政策指标").unwrap());
    assert!(form_at < kpis_at, "the refused form is shown first, under its notice");
    assert_eq!(refused.html.matches("id=\"f-entry-amount\"").count(), 1, "and only once");
    assert!(entries(&server, f.id).await.is_empty());

    // Corrected under the same token: recorded, and back on the fund page.
    let (recorded, replayed) = send(entry("1,234.56", &once)).await;
    assert_eq!(recorded.status, 303, "{}", recorded.html);
    assert!(!replayed);
    assert!(recorded.location.starts_with(&format!("{fund_path}?entry=")), "{}", recorded.location);
    let ledger = entries(&server, f.id).await;
    assert_eq!(ledger.len(), 1);
    let first = &ledger[0];
    assert_eq!(
        (first.amount_minor, first.partner_id, first.kind.as_str()),
        (123_456, Some(f.government), "contribution")
    );
    let shown = manager.get(&recorded.location).await;
    assert!(shown.html.contains(&format!("第 {} 号分录已登记入账", first.id)), "{}", shown.html);
    assert!(shown.html.contains("页面录入（示例）") && shown.html.contains("1234.56"));

    // The same form sent again (a double submit): the first answer, no second entry.
    let (again, replayed) = send(entry("1,234.56", &once)).await;
    assert_eq!((again.status, again.location.as_str(), replayed), (303, recorded.location.as_str(), true));
    // Sent twice at once: one entry, both land where it led.
    let twice = token_of(&manager.get(&fund_path).await.html, &action);
    let (a, b) = tokio::join!(send(entry("10", &twice)), send(entry("10", &twice)));
    assert_eq!((a.0.status, b.0.status), (303, 303), "{} {}", a.0.html, b.0.html);
    assert_eq!(a.0.location, b.0.location);
    assert!(a.1 != b.1, "one ran, the other was given its answer");
    let ledger = entries(&server, f.id).await;
    assert_eq!(ledger.len(), 2, "each form took effect once");
    // The same token with other values is refused.
    let (reused, _) = send(entry("11", &twice)).await;
    assert_eq!(reused.status, 422);
    assert!(reused.html.contains("该表单已用其他内容提交过") && reused.html.contains("返回表单"), "{}", reused.html);
    let damaged = "x".repeat(201);
    let (damaged, _) = send(entry("12", &damaged)).await;
    assert_eq!(damaged.status, 400);
    assert!(damaged.html.contains("一次性令牌已损坏"), "{}", damaged.html);
    assert_eq!(entries(&server, f.id).await.len(), 2);

    // The use case's refusals, by their fields.
    let (zero, _) = send(entry("0", &fresh(&manager, &fund_path, &action).await)).await;
    assert_eq!(zero.status, 422);
    assert!(field_error(&zero.html, "f-entry-amount").contains("金额须大于零"), "{}", zero.html);
    let (above, _) = send(entry("599000", &fresh(&manager, &fund_path, &action).await)).await;
    assert_eq!(above.status, 422);
    let message = field_error(&above.html, "f-entry-amount");
    assert!(message.contains("市财政（示例）") && message.contains("600000.00"), "{message}");
    let mut no_partner = entry("5", &fresh(&manager, &fund_path, &action).await);
    no_partner[3].1 = String::new();
    let (no_partner, _) = send(no_partner).await;
    assert_eq!(no_partner.status, 422);
    assert!(field_error(&no_partner.html, "f-entry-partner_id").contains("须选择合伙人"), "{}", no_partner.html);
    let mut bad_date = entry("5", &fresh(&manager, &fund_path, &action).await);
    bad_date[0].1 = "2024-02-30".into();
    let (bad_date, _) = send(bad_date).await;
    assert_eq!(bad_date.status, 422);
    assert!(field_error(&bad_date.html, "f-entry-date").contains("不是有效日期"), "{}", bad_date.html);
    // An investment names the holding.
    let investment = vec![
        ("date", "2024-01-20".to_owned()),
        ("kind", "investment".to_owned()),
        ("amount", "500".to_owned()),
        ("partner_id", String::new()),
        ("holding_id", f.holding.to_string()),
        ("component", String::new()),
        ("memo", String::new()),
        ("_once", fresh(&manager, &fund_path, &action).await),
    ];
    let (invested, _) = send(investment).await;
    assert_eq!(invested.status, 303, "{}", invested.html);
    assert_eq!(entries(&server, f.id).await.len(), 3);

    // In English, the same refusal in English.
    manager.get("/lang/en?next=/").await;
    let (english, _) = send(entry("abc", &fresh(&manager, &fund_path, &action).await)).await;
    assert_eq!(english.status, 422);
    assert!(
        field_error(&english.html, "f-entry-amount").contains("Not an amount with at most two decimals"),
        "{}",
        english.html
    );
    assert!(english.html.contains("Record a ledger entry"));
    manager.get("/lang/zh?next=/").await;

    // A reversal: the button of the entry's row.
    let reverse = format!("/funds/{}/entries/{}/reversal", f.id, first.id);
    let page = open(&manager, &fund_path).await;
    let once = token_of(&page.html, &reverse);
    let (reversed, replayed) = post(&manager, &reverse, &page.csrf, &[("_once", &once)]).await;
    assert_eq!((reversed.status, replayed), (303, false), "{}", reversed.html);
    assert!(reversed.location.starts_with(&format!("{fund_path}?reversal=")));
    let shown = manager.get(&reversed.location).await.html;
    let reversal = entries(&server, f.id).await.into_iter().find(|e| e.reverses_id == Some(first.id)).unwrap();
    assert_eq!(reversal.amount_minor, -123_456);
    assert!(shown.contains(&format!("第 {} 号分录已由第 {} 号分录冲销", first.id, reversal.id)), "{shown}");
    assert!(shown.contains(&format!("已由第 {} 号冲销", reversal.id)), "the row says so");
    assert!(!shown.contains(&format!("action=\"{reverse}\"")), "no second button");
    let (again, replayed) = post(&manager, &reverse, &page.csrf, &[("_once", &once)]).await;
    assert_eq!((again.status, again.location.as_str(), replayed), (303, reversed.location.as_str(), true));
    // Another token (an old page): refused, the fund page says why.
    let (twice, _) = post(&manager, &reverse, &page.csrf, &[("_once", "once_an-old-page")]).await;
    assert_eq!(twice.status, 422, "{}", twice.html);
    assert!(twice.html.contains("该分录已冲销"), "{}", twice.html);
    assert_eq!(entries(&server, f.id).await.iter().filter(|e| e.reverses_id.is_some()).count(), 1);

    // The city sees the fund but keeps no ledger: no forms, and a post is refused.
    let city = Browser::as_role(&server, &world, Role::CityAnalyst).await;
    let seen = open(&city, &fund_path).await;
    assert!(seen.html.contains("页面录入（示例）"), "the city reads the ledger");
    assert!(!seen.html.contains(&format!("action=\"{action}\"")) && !seen.html.contains("name=\"_once\""));
    let (refused, _) =
        post(&city, &action, &seen.csrf, &[("date", "2024-01-10"), ("kind", "expense"), ("amount", "5")]).await;
    assert_eq!(refused.status, 403);
    let (refused, _) = post(&city, &reverse, &seen.csrf, &[]).await;
    assert_eq!(refused.status, 403);
    // A district officer sees no funds at all.
    let district = Browser::as_role(&server, &world, Role::DistrictOfficer).await;
    let home = open(&district, "/").await;
    let (refused, _) = post(&district, &action, &home.csrf, &[("kind", "expense"), ("amount", "5")]).await;
    assert_eq!(refused.status, 403);
    assert_eq!(entries(&server, f.id).await.len(), 4, "nothing the refused roles sent was recorded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn valuations_through_the_fund_page() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    let f = fund(&server, &world).await;
    let manager = Browser::as_role(&server, &world, Role::FundManager).await;
    let fund_path = format!("/funds/{}", f.id);
    let action = format!("/funds/{}/valuations", f.id);
    let page = open(&manager, &fund_path).await;
    let once = token_of(&page.html, &action);
    let form = |amount: &'static str, once: &str| {
        vec![
            ("valued_on", "2024-03-31".to_owned()),
            ("holding_id", String::new()),
            ("amount", amount.to_owned()),
            ("method", "示例估值".to_owned()),
            ("_once", once.to_owned()),
        ]
    };
    let send = |form: Vec<(&'static str, String)>| {
        let (csrf, manager, action) = (page.csrf.clone(), &manager, action.clone());
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post(manager, &action, &csrf, &form).await
        }
    };
    let valuations = || async { server.app.fund(&Actor::system("test"), f.id).await.unwrap().valuations };

    let (negative, _) = send(form("-5", &once)).await;
    assert_eq!(negative.status, 422);
    assert!(field_error(&negative.html, "f-valuation-amount").contains("金额不能为负数"), "{}", negative.html);
    let (recorded, replayed) = send(form("88,000", &once)).await;
    assert_eq!((recorded.status, replayed), (303, false), "{}", recorded.html);
    let shown = manager.get(&recorded.location).await.html;
    assert!(shown.contains("已登记 2024-03-31 的估值（88000.00 元）"), "{shown}");
    let (again, replayed) = send(form("88,000", &once)).await;
    assert_eq!((again.status, replayed), (303, true));
    assert_eq!(valuations().await.len(), 1);
    // The same date again (a new form): refused by the date.
    let (taken, _) = send(form("90000", &fresh(&manager, &fund_path, &action).await)).await;
    assert_eq!(taken.status, 409, "{}", taken.html);
    assert!(field_error(&taken.html, "f-valuation-valued_on").contains("该日已有估值"));
    // A holding's valuation.
    let mut holding = form("1000", "once_holding-valuation");
    holding[1].1 = f.holding.to_string();
    let (valued, _) = send(holding).await;
    assert_eq!(valued.status, 303, "{}", valued.html);
    let stored = valuations().await;
    assert_eq!(stored.len(), 2);
    assert_eq!(stored.iter().find(|v| v.holding_id == Some(f.holding)).unwrap().amount_minor, 100_000);

    let city = Browser::as_role(&server, &world, Role::CityAnalyst).await;
    let seen = open(&city, &fund_path).await;
    assert!(seen.html.contains("88000.00") && !seen.html.contains(&format!("action=\"{action}\"")));
    let (refused, _) = post(&city, &action, &seen.csrf, &[("valued_on", "2024-06-30"), ("amount", "1")]).await;
    assert_eq!(refused.status, 403);
    assert_eq!(valuations().await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notices_and_payments_through_the_pages() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    let f = fund(&server, &world).await;
    let manager = Browser::as_role(&server, &world, Role::FundManager).await;
    let fund_path = format!("/funds/{}", f.id);
    let action = format!("/funds/{}/notices", f.id);
    let page = open(&manager, &fund_path).await;
    assert!(page.html.contains("发出缴款通知") && page.html.contains("发出分配通知"));
    let call = |total: &'static str, investment: &'static str, fees: &'static str, once: &str| {
        vec![
            ("kind", "call".to_owned()),
            ("notice_date", "2024-02-01".to_owned()),
            ("due_date", "2024-02-15".to_owned()),
            ("total", total.to_owned()),
            ("investment", investment.to_owned()),
            ("fees", fees.to_owned()),
            ("expenses", String::new()),
            ("memo", "第一次缴款（示例）".to_owned()),
            ("_once", once.to_owned()),
        ]
    };
    let send = |form: Vec<(&'static str, String)>| {
        let (csrf, manager, action) = (page.csrf.clone(), &manager, action.clone());
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post(manager, &action, &csrf, &form).await
        }
    };
    let notices = || async { server.app.notices(&Actor::system("test"), f.id).await.unwrap() };
    // The call form is the first of the two notice forms.
    let once = token_of(&page.html, &action);

    // Parts that do not add up to the total: refused by the total.
    let (mismatch, _) = send(call("10000", "9000", "900", &once)).await;
    assert_eq!(mismatch.status, 422);
    let message = field_error(&mismatch.html, "f-call-total");
    assert!(message.contains("各项之和为 9900.00 元，不等于合计 10000.00 元"), "{message}");
    assert!(mismatch.html.contains("value=\"9000\"") && mismatch.html.contains("value=\"900\""), "the values kept");
    let (bad, _) = send(call("10000", "9000", "1千", &once)).await;
    assert_eq!(bad.status, 422);
    assert!(field_error(&bad.html, "f-call-fees").contains("金额格式不正确"), "{}", bad.html);
    let mut late = call("10000", "9000", "1000", &once);
    late[2].1 = "2024-01-15".into();
    let (late, _) = send(late).await;
    assert_eq!(late.status, 422);
    assert!(field_error(&late.html, "f-call-due_date").contains("不得早于通知日期"), "{}", late.html);
    let (too_much, _) = send(call("2000000", "2000000", "", &once)).await;
    assert_eq!(too_much.status, 422);
    assert!(field_error(&too_much.html, "f-call-total").contains("尚未催缴的认缴额只剩"), "{}", too_much.html);
    assert!(notices().await.is_empty());

    // Issued: on to the notice's page, allocated 60/40.
    let (issued, replayed) = send(call("10,000.00", "9000", "1000", &once)).await;
    assert_eq!((issued.status, replayed), (303, false), "{}", issued.html);
    let notice = notices().await.remove(0);
    assert_eq!(issued.location, format!("{fund_path}/notices/{}?issued=1", notice.id));
    assert_eq!(notice.total_minor, 1_000_000);
    let line = |partner: i64| notice.lines.iter().find(|l| l.partner_id == partner).unwrap().amount_minor;
    assert_eq!((line(f.government), line(f.social)), (600_000, 400_000));
    let notice_path = format!("{fund_path}/notices/{}", notice.id);
    let shown = open(&manager, &issued.location).await;
    assert!(shown.html.contains("已发出，按认缴比例分摊给 2 个合伙人"), "{}", shown.html);
    assert!(shown.html.contains("6000.00") && shown.html.contains("4000.00"));
    // A double submit: the same notice.
    let (again, replayed) = send(call("10,000.00", "9000", "1000", &once)).await;
    assert_eq!((again.status, again.location.as_str(), replayed), (303, issued.location.as_str(), true));
    assert_eq!(notices().await.len(), 1);
    // Its printable page per partner.
    let print = manager.get(&format!("{notice_path}/partners/{}/print", f.government)).await;
    assert_eq!(print.status, 200);
    assert!(print.html.contains("class=\"printable\"") && print.html.contains("6000.00"));

    // The payment of the call: the government first, on the notice's page.
    let pay = format!("{notice_path}/payments");
    let once = token_of(&shown.html, &pay);
    let government = f.government.to_string();
    let (bad_date, _) =
        post(&manager, &pay, &shown.csrf, &[("date", "2024-13-01"), ("partner_id", &government), ("_once", &once)])
            .await;
    assert_eq!(bad_date.status, 422);
    assert!(field_error(&bad_date.html, "f-date").contains("不是有效日期"), "{}", bad_date.html);
    let (paid, replayed) =
        post(&manager, &pay, &shown.csrf, &[("date", "2024-02-10"), ("partner_id", &government), ("_once", &once)])
            .await;
    assert_eq!((paid.status, replayed), (303, false), "{}", paid.html);
    assert_eq!(paid.location, format!("{notice_path}?paid=1"));
    let (again, replayed) =
        post(&manager, &pay, &shown.csrf, &[("date", "2024-02-10"), ("partner_id", &government), ("_once", &once)])
            .await;
    assert_eq!((again.status, replayed), (303, true));
    let contributions = |ledger: Vec<EntryRow>| {
        ledger
            .into_iter()
            .filter(|e| e.kind == "contribution")
            .map(|e| (e.partner_id.unwrap(), e.amount_minor))
            .collect::<Vec<_>>()
    };
    assert_eq!(contributions(entries(&server, f.id).await), vec![(f.government, 540_000), (f.government, 60_000)]);
    let after = open(&manager, &paid.location).await;
    assert!(after.html.contains("缴款已登记入账"));
    // Then everyone else who has not paid.
    let once = token_of(&after.html, &pay);
    let (paid, _) =
        post(&manager, &pay, &after.csrf, &[("date", "2024-02-12"), ("partner_id", ""), ("_once", &once)]).await;
    assert_eq!(paid.status, 303, "{}", paid.html);
    let paid_in: i64 = contributions(entries(&server, f.id).await).iter().map(|(_, a)| a).sum();
    assert_eq!(paid_in, 1_000_000);
    let done = open(&manager, &notice_path).await;
    assert!(!done.html.contains(&format!("action=\"{pay}\"")), "nothing left to pay");

    // A distribution through its own form.
    let page = open(&manager, &fund_path).await;
    let start = page.html.find("发出分配通知</h2>").unwrap();
    let once = token_of(&page.html[start..], &action);
    let distribution = [
        ("kind", "distribution"),
        ("notice_date", "2024-06-30"),
        ("due_date", "2024-06-30"),
        ("total", "600"),
        ("capital", "500"),
        ("gain", "100"),
        ("income", ""),
        ("memo", ""),
        ("_once", once.as_str()),
    ];
    let (distributed, _) = post(&manager, &action, &page.csrf, &distribution).await;
    assert_eq!(distributed.status, 303, "{}", distributed.html);
    let paid_out: i64 =
        entries(&server, f.id).await.iter().filter(|e| e.kind == "distribution").map(|e| e.amount_minor).sum();
    assert_eq!(paid_out, 60_000, "a distribution is paid when issued");
    let mut refused = distribution;
    refused[4].1 = "-1";
    refused[8].1 = "once_another";
    let (refused, _) = post(&manager, &action, &page.csrf, &refused).await;
    assert_eq!(refused.status, 422);
    assert!(field_error(&refused.html, "f-distribution-capital").contains("金额不能为负数"), "{}", refused.html);

    // The city reads the notice but records nothing.
    let city = Browser::as_role(&server, &world, Role::CityAnalyst).await;
    let seen = open(&city, &notice_path).await;
    assert!(!seen.html.contains("name=\"_once\""), "no forms for the city");
    let (refused, _) = post(&city, &pay, &seen.csrf, &[("date", "2024-02-12")]).await;
    assert_eq!(refused.status, 403);
    let (refused, _) = post(&city, &action, &seen.csrf, &[("kind", "call"), ("total", "1")]).await;
    assert_eq!(refused.status, 403);
    assert_eq!(notices().await.len(), 2);
}

/// Posts `file` to the fund page's ledger import as `browser`.
async fn upload(browser: &Browser<'_>, fund: i64, csrf: &str, file: &'static str) -> Answer {
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(file.as_bytes()).file_name("ledger.csv"));
    let action = format!("/funds/{fund}/ledger/import?_csrf={csrf}");
    let response = browser.client.post(browser.server.url(&action)).multipart(form).send().await.unwrap();
    let status = response.status().as_u16();
    Answer { status, location: String::new(), html: response.text().await.unwrap() }
}

#[tokio::test]
async fn a_ledger_file_imported_through_the_fund_page_once_and_whole() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    let fund = fund(&server, &world).await;
    let manager = Browser::as_role(&server, &world, Role::FundManager).await;
    let page = open(&manager, &format!("/funds/{}", fund.id)).await;
    let action = format!("/funds/{}/ledger/import", fund.id);
    // A multipart form carries its CSRF token in its address.
    assert!(page.html.contains(&format!("action=\"{action}?_csrf=")), "the import form is on the fund page");
    assert!(page.html.contains(&format!("/api/v1/funds/{}/ledger/template?format=xlsx", fund.id)));

    // The social partner committed 400,000 yuan: the third row is refused, so nothing is written.
    let refused = upload(
        &manager,
        fund.id,
        &page.csrf,
        "date,kind,amount,partner\n2023-02-01,contribution,1000.00,市财政（示例）\n\
         2023-02-02,contribution,400000.01,社会资本（示例）\n",
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    assert!(refused.html.contains("<td>3</td>") && refused.html.contains("社会资本（示例）"), "{}", refused.html);
    assert!(entries(&server, fund.id).await.is_empty(), "nothing written from a refused file");

    let file = "date,kind,amount,partner\n2023-02-01,contribution,1000.00,市财政（示例）\n\
                2023-02-02,contribution,2500.50,社会资本（示例）\n";
    let imported = upload(&manager, fund.id, &page.csrf, file).await;
    assert_eq!(imported.status, 200, "{}", imported.html);
    assert!(imported.html.contains("ledger.csv") && imported.html.contains("3500.50"), "{}", imported.html);
    let written = entries(&server, fund.id).await;
    assert_eq!(written.iter().map(|e| e.amount_minor).sum::<i64>(), 350_050);
    assert_eq!(
        written.iter().map(|e| e.partner_id).collect::<Vec<_>>(),
        vec![Some(fund.government), Some(fund.social)]
    );

    // The same file again: its first answer, nothing written twice.
    let again = upload(&manager, fund.id, &page.csrf, file).await;
    assert_eq!(again.status, 200, "{}", again.html);
    assert_eq!(entries(&server, fund.id).await.len(), 2);

    // A city analyst sees the fund without the form, and may not import.
    let city = Browser::as_role(&server, &world, Role::CityAnalyst).await;
    let seen = open(&city, &format!("/funds/{}", fund.id)).await;
    assert!(!seen.html.contains(&format!("action=\"{action}?_csrf=")));
    assert_eq!(upload(&city, fund.id, &seen.csrf, file).await.status, 403);
}
