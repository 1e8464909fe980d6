//! Funds through the API: a three-level tree set up by the city, kept by the fund
//! manager; look-through KPIs explained down to the ledger entries; a retried money
//! request that takes effect once; a contribution above commitment refused naming the
//! field; a notice exported; the waterfall of a distribution summing exactly.

use bridgehead_domain::access::Role;
use bridgehead_testkit::TestServer;
use bridgehead_testkit::fixtures::world;
use serde_json::{Value, json};

use super::browser::Browser;

async fn post(server: &TestServer, token: &str, path: &str, body: Value) -> Value {
    let response = server.client_post(path, token, &body).await;
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(status.is_success(), "POST {path}: {status} {text}");
    serde_json::from_str(&text).unwrap()
}

fn fund(name: &str, kind: &str, manager: i64) -> Value {
    json!({"name_zh": name, "kind": kind, "manager_organization_id": manager, "target_size_minor": 1_000_000,
        "vintage": 2023, "investment_years": 5, "term_years": 10, "home_region_code": "330400"})
}

fn partner(name: &str, kind: &str, commitment: i64, investor: Option<i64>) -> Value {
    json!({"name": name, "kind": kind, "commitment_minor": commitment, "committed_on": "2023-01-10",
        "investor_fund_id": investor})
}

fn contribution(partner: i64, amount: i64) -> Value {
    json!({"date": "2023-03-01", "kind": "contribution", "amount_minor": amount, "partner_id": partner})
}

fn investment(holding: i64, amount: i64) -> Value {
    json!({"date": "2023-04-01", "kind": "investment", "amount_minor": amount, "holding_id": holding})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_three_level_tree_through_the_api() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    let admin = server.token(world.username(Role::Administrator)).await;
    let city = server.token(world.username(Role::CityAnalyst)).await;
    let manager = server.token(world.username(Role::FundManager)).await;
    let orgs = server.get_json("/api/v1/organizations", &admin).await;
    let bank =
        orgs.as_array().unwrap().iter().find(|o| o["name_zh"] == "测试银行（示例）").unwrap()["id"].as_i64().unwrap();

    let rules = json!({"code": "jx-local", "name": "嘉兴返投认定（示例）", "effective_from": "2023-01-01",
        "rules": {"local_region": "330400", "key_industries": ["C34"], "qualifies": ["locally_registered"]}});
    let set = post(&server, &city, "/api/v1/fund-rule-sets", rules).await;
    assert_eq!(set["version"], 1);

    let g =
        post(&server, &city, "/api/v1/funds", fund("引导基金（示例）", "guidance", bank)).await["id"].as_i64().unwrap();
    let s1 =
        post(&server, &city, "/api/v1/funds", fund("子基金（示例）", "sub_fund", bank)).await["id"].as_i64().unwrap();
    let t =
        post(&server, &city, "/api/v1/funds", fund("孙基金（示例）", "sub_fund", bank)).await["id"].as_i64().unwrap();
    let gov =
        post(&server, &city, &format!("/api/v1/funds/{g}/partners"), partner("财政（示例）", "government", 1000, None))
            .await;
    let g_in_s1 =
        post(&server, &city, &format!("/api/v1/funds/{s1}/partners"), partner("引导基金", "fund", 200, Some(g))).await;
    let a = post(
        &server,
        &city,
        &format!("/api/v1/funds/{s1}/partners"),
        partner("社会资本A（示例）", "social", 790, None),
    )
    .await;
    let gp =
        post(&server, &city, &format!("/api/v1/funds/{s1}/partners"), partner("管理人（示例）", "gp", 10, None)).await;
    let s1_in_t =
        post(&server, &city, &format!("/api/v1/funds/{t}/partners"), partner("子基金", "fund", 100, Some(s1))).await;
    let c =
        post(&server, &city, &format!("/api/v1/funds/{t}/partners"), partner("社会资本C（示例）", "social", 300, None))
            .await;
    let id = |v: &Value| v["id"].as_i64().unwrap();

    // The fund manager keeps the ledgers.
    let ours = post(
        &server,
        &manager,
        &format!("/api/v1/funds/{s1}/holdings"),
        json!({"enterprise_id": world.ours.id, "acquired_on": "2023-04-01"}),
    )
    .await;
    let theirs = post(
        &server,
        &manager,
        &format!("/api/v1/funds/{t}/holdings"),
        json!({"enterprise_id": world.theirs.id, "acquired_on": "2023-04-01"}),
    )
    .await;
    post(&server, &manager, &format!("/api/v1/funds/{g}/entries"), contribution(id(&gov), 600)).await;
    post(&server, &manager, &format!("/api/v1/funds/{s1}/entries"), contribution(id(&g_in_s1), 100)).await;
    post(&server, &manager, &format!("/api/v1/funds/{s1}/entries"), contribution(id(&a), 395)).await;
    post(&server, &manager, &format!("/api/v1/funds/{s1}/entries"), contribution(id(&gp), 5)).await;
    let bought = post(&server, &manager, &format!("/api/v1/funds/{s1}/entries"), investment(id(&ours), 400)).await;
    post(&server, &manager, &format!("/api/v1/funds/{t}/entries"), contribution(id(&s1_in_t), 50)).await;
    post(&server, &manager, &format!("/api/v1/funds/{t}/entries"), contribution(id(&c), 150)).await;

    // A retried request with the same key takes effect once and gets the same answer.
    let request = || {
        server
            .http()
            .post(server.url(&format!("/api/v1/funds/{t}/entries")))
            .bearer_auth(&manager)
            .header("Idempotency-Key", "t-buys-theirs-1")
    };
    let first = request().json(&investment(id(&theirs), 100)).send().await.unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let again = request().json(&investment(id(&theirs), 100)).send().await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    let other = request().json(&investment(id(&theirs), 101)).send().await.unwrap();
    assert_eq!(other.status(), 422);
    assert_eq!(other.json::<Value>().await.unwrap()["code"], "idempotency_key.reused");
    let ledger = server.get_json(&format!("/api/v1/funds/{t}"), &manager).await;
    assert_eq!(ledger["entries"].as_array().unwrap().iter().filter(|e| e["kind"] == "investment").count(), 1);

    // Above commitment: refused, naming the field and the partner.
    let refused = server.client_post(&format!("/api/v1/funds/{t}/entries"), &manager, &contribution(id(&c), 151)).await;
    assert_eq!(refused.status(), 422);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "amount_minor");
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("社会资本C（示例）"), "{problem}");

    // Terms: the guidance fund answers to the rule set; required multiple 1.5.
    let terms =
        json!({"policy": {"rule_set": "jx-local", "required_reinvestment_multiple": "1.5", "max_idle_share": "0.5"}});
    let response = server
        .http()
        .put(server.url(&format!("/api/v1/funds/{g}/terms")))
        .bearer_auth(&city)
        .json(&terms)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let forbidden = server
        .http()
        .put(server.url(&format!("/api/v1/funds/{g}/terms")))
        .bearer_auth(&manager)
        .json(&terms)
        .send()
        .await
        .unwrap();
    assert_eq!(forbidden.status(), 403);

    // Look-through: S1 weighs 200/1000, T 0.2 × 100/400 = 0.05.
    let kpis = server.get_json(&format!("/api/v1/funds/{g}/kpis?as_of=2024-12-31"), &city).await;
    let kpi = |code: &str| kpis["kpis"].as_array().unwrap().iter().find(|k| k["code"] == code).unwrap().clone();
    let local = kpi("local_reinvestment");
    // 400 × 0.2 + 100 × 0.05 = 85, over G's commitment of 200.
    assert_eq!((local["numerator"].as_i64(), local["denominator"].as_i64()), (Some(85), Some(200)));
    assert_eq!(local["value"], "0.425");
    let line = local["lines"].as_array().unwrap().iter().find(|l| l["holding"] == id(&theirs)).unwrap();
    assert_eq!(line["weight"], "0.05");
    let path: Vec<i64> = line["path"].as_array().unwrap().iter().map(|s| s["fund"].as_i64().unwrap()).collect();
    assert_eq!(path, vec![g, s1, t]);
    assert_eq!(line["entries"], json!([first["id"]]), "the line names the ledger entry behind it");
    let own = local["lines"].as_array().unwrap().iter().find(|l| l["holding"] == id(&ours)).unwrap();
    assert_eq!(own["entries"], json!([bought["id"]]));
    assert_eq!(kpi("completion")["status"], "breached");
    let leverage = kpi("leverage_committed");
    // 200 + 790 + 10 + 300 (T's 100 from S1 is S1's money) over 200.
    assert_eq!((leverage["numerator"].as_i64(), leverage["value"].as_str()), (Some(1300), Some("6.5")));
    assert!(kpis["alerts"].as_array().unwrap().iter().any(|a| a["kpi"] == "completion"));

    let overview = server.get_json(&format!("/api/v1/funds/{g}/overview?as_of=2024-12-31"), &city).await;
    let depths: Vec<(i64, u64)> = overview["funds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["id"].as_i64().unwrap(), f["depth"].as_u64().unwrap()))
        .collect();
    assert_eq!(depths, vec![(g, 0), (s1, 1), (t, 2)]);

    // A distribution from S1 and its waterfall: 20 % carry over an 8 % simple hurdle.
    let waterfall = json!({"waterfall": {"style": "european", "hurdle": {"rate": "0.08", "accrual": "simple"},
        "catch_up": {"kind": "full"}, "carry": "0.2", "gp_partner_id": id(&gp), "concession": null}});
    let response = server
        .http()
        .put(server.url(&format!("/api/v1/funds/{s1}/terms")))
        .bearer_auth(&city)
        .json(&waterfall)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let notice = post(
        &server,
        &manager,
        &format!("/api/v1/funds/{s1}/notices"),
        json!({"kind": "distribution",
        "notice_date": "2024-06-30", "due_date": "2024-06-30", "capital_minor": 500, "gain_minor": 101}),
    )
    .await;
    let parts: i64 = notice["lines"].as_array().unwrap().iter().map(|l| l["amount_minor"].as_i64().unwrap()).sum();
    assert_eq!(parts, 601, "the notice's parts sum exactly");
    let result = server.get_json(&format!("/api/v1/funds/{s1}/waterfall?as_of=2024-12-31"), &city).await;
    let lines = result["result"]["distributions"][0]["lines"].as_array().unwrap().clone();
    assert_eq!(lines.iter().map(|l| l["amount"].as_i64().unwrap()).sum::<i64>(), 601);
    let proposed = server
        .get_json(&format!("/api/v1/funds/{s1}/waterfall?as_of=2024-12-31&date=2025-06-30&amount_minor=1000"), &city)
        .await;
    assert_eq!(proposed["result"]["distributions"].as_array().unwrap().len(), 2);

    let export = server
        .http()
        .get(server.url(&format!("/api/v1/funds/{s1}/notices/{}/export", notice["id"])))
        .bearer_auth(&city)
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 200);
    assert!(export.bytes().await.unwrap().starts_with(b"PK"), "an .xlsx file");

    // The pages: the list, the fund with its tree and KPIs, a KPI explained down to the
    // entries, a partner, the notice and its printable page, the waterfall.
    let browser = Browser::as_role(&server, &world, Role::CityAnalyst).await;
    let list = browser.get("/funds").await;
    assert_eq!(list.status, 200);
    assert!(list.html.contains("孙基金（示例）"));
    let page = browser.get(&format!("/funds/{g}?as_of=2024-12-31")).await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(page.html.contains("返投完成率已突破"), "the alert is shown");
    assert!(page.html.contains("基金树") && page.html.contains("孙基金（示例）"), "the tree is shown");
    let explained = browser.get(&format!("/funds/{g}/kpis/local_reinvestment?as_of=2024-12-31")).await;
    assert_eq!(explained.status, 200);
    assert!(
        explained.html.contains("引导基金（示例） (20.0%) → 子基金（示例） (25.0%) → 孙基金（示例）"),
        "{}",
        explained.html
    );
    assert!(explained.html.contains(&format!("#{}", first["id"])), "the entry behind the line");
    let lp = browser.get(&format!("/funds/{s1}/partners/{}", id(&a))).await;
    assert_eq!(lp.status, 200);
    assert!(lp.html.contains("社会资本A（示例）"));
    let notice_page = browser.get(&format!("/funds/{s1}/notices/{}", notice["id"])).await;
    assert!(notice_page.html.contains("最大余额法"));
    let print = browser.get(&format!("/funds/{s1}/notices/{}/partners/{}/print", notice["id"], id(&a))).await;
    assert_eq!(print.status, 200);
    assert!(print.html.contains("class=\"printable\""));
    let waterfall_page =
        browser.get(&format!("/funds/{s1}/waterfall?as_of=2024-12-31&date=2025-06-30&amount=10.00")).await;
    assert_eq!(waterfall_page.status, 200);
    assert!(
        waterfall_page.html.contains("超额收益分成") || waterfall_page.html.contains("返还本金"),
        "{}",
        waterfall_page.html
    );
    let outsider = Browser::as_role(&server, &world, Role::DistrictOfficer).await;
    assert_eq!(outsider.get(&format!("/funds/{g}")).await.status, 403);
}

/// A ledger file through the API: the template, an import as the fund manager, the same
/// file again (nothing written), a retry under an Idempotency-Key, a file above a
/// commitment refused with its row, and the roles without the right refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ledger_file_through_the_api() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    let admin = server.token(world.username(Role::Administrator)).await;
    let city = server.token(world.username(Role::CityAnalyst)).await;
    let manager = server.token(world.username(Role::FundManager)).await;
    let officer = server.token(world.username(Role::DistrictOfficer)).await;
    let orgs = server.get_json("/api/v1/organizations", &admin).await;
    let bank =
        orgs.as_array().unwrap().iter().find(|o| o["name_zh"] == "测试银行（示例）").unwrap()["id"].as_i64().unwrap();
    let f = post(&server, &city, "/api/v1/funds", fund("台账导入基金（示例）", "industry", bank)).await["id"]
        .as_i64()
        .unwrap();
    let other = post(
        &server,
        &admin,
        "/api/v1/funds",
        json!({"name_zh": "他人基金（示例）", "kind": "industry",
        "target_size_minor": 1_000_000, "vintage": 2023, "investment_years": 5, "term_years": 10,
        "home_region_code": "330400"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    // 10,000.00 yuan committed.
    post(
        &server,
        &city,
        &format!("/api/v1/funds/{f}/partners"),
        partner("社会资本（示例）", "social", 1_000_000, None),
    )
    .await;
    post(
        &server,
        &manager,
        &format!("/api/v1/funds/{f}/holdings"),
        json!({"enterprise_id": world.ours.id, "acquired_on": "2023-04-01"}),
    )
    .await;

    let template = server
        .http()
        .get(server.url(&format!("/api/v1/funds/{f}/ledger/template?format=csv&lang=en")))
        .bearer_auth(&manager)
        .send()
        .await
        .unwrap();
    assert_eq!(template.status(), 200);
    assert!(template.text().await.unwrap().contains("*Date,*Kind,*Amount (yuan),Partner,Holding,Component,Memo"));

    let import = |token: &str, fund: i64, query: &str, body: &str| {
        server
            .http()
            .post(server.url(&format!("/api/v1/funds/{fund}/ledger/import?{query}")))
            .bearer_auth(token)
            .header("content-type", "application/octet-stream")
            .body(body.to_owned())
    };
    let good = "日期,类型,金额（元）,合伙人,投资标的,构成\n\
                2023-03-01,实缴出资,6000.00,社会资本（示例）,,投资款\n\
                2023-04-01,投资,5000,,平湖测试企业（示例）,\n\
                2023-06-30,管理费,12.34,,,\n";
    let response = import(&manager, f, "file_name=ledger.csv", good).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let first: Value = response.json().await.unwrap();
    assert_eq!((first["entries"].as_u64(), first["already_imported"].as_bool()), (Some(3), Some(false)));
    assert_eq!(first["total_amount_minor"], 1_101_234);
    assert_eq!(first["by_kind"]["contribution"], json!({"entries": 1, "amount_minor": 600_000}));
    let ledger = server.get_json(&format!("/api/v1/funds/{f}"), &manager).await;
    assert_eq!(ledger["entries"].as_array().unwrap().len(), 3);
    assert_eq!(ledger["partners"][0]["contributed_minor"], 600_000);
    let performance = server.get_json(&format!("/api/v1/funds/{f}/performance?as_of=2023-12-31"), &manager).await;
    assert_eq!(performance["multiples"]["paid_in"], 600_000);

    // The same file again: the first answer, nothing written.
    let again: Value = import(&manager, f, "format=csv", good).send().await.unwrap().json().await.unwrap();
    assert_eq!(again["already_imported"], true);
    assert_eq!(again["import_id"], first["import_id"]);
    assert_eq!(server.get_json(&format!("/api/v1/funds/{f}"), &manager).await["entries"].as_array().unwrap().len(), 3);

    // Under an Idempotency-Key a retry gets the first answer, marked as replayed.
    let fee = "date,kind,amount\n2023-09-30,management_fee,1.00\n";
    let keyed = || import(&manager, f, "file_name=fee.csv", fee).header("Idempotency-Key", "ledger-fee-q3");
    let once = keyed().send().await.unwrap();
    assert_eq!(once.status(), 200);
    let once: Value = once.json().await.unwrap();
    let twice = keyed().send().await.unwrap();
    assert_eq!(twice.headers()["idempotent-replayed"], "true");
    assert_eq!(twice.json::<Value>().await.unwrap(), once);

    // Above the commitment: 422, the row, column, value and partner named; nothing written.
    let above = "日期,类型,金额（元）,合伙人\n2023-10-01,管理费,1,\n2023-10-02,实缴出资,4000.01,社会资本（示例）\n";
    let refused = import(&manager, f, "file_name=above.csv", above).send().await.unwrap();
    assert_eq!(refused.status(), 422);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["code"], "import.rows");
    let row = &problem["rows"][0];
    assert_eq!((row["row"].as_u64(), row["column"].as_str()), (Some(3), Some("金额（元）")));
    assert_eq!(
        (row["value"].as_str(), row["code"].as_str()),
        (Some("4000.01"), Some("fund.contribution_above_commitment"))
    );
    let reason = row["reason"].as_str().unwrap();
    assert!(
        reason.contains("社会资本（示例）") && reason.contains("10000.01") && reason.contains("10000.00"),
        "{reason}"
    );
    assert_eq!(server.get_json(&format!("/api/v1/funds/{f}"), &manager).await["entries"].as_array().unwrap().len(), 4);

    // A bad query and a file that is no ledger: 422 naming what is wrong, never a 500.
    let bad_format = import(&manager, f, "format=xls", good).send().await.unwrap();
    assert_eq!(bad_format.status(), 422);
    assert_eq!(bad_format.json::<Value>().await.unwrap()["errors"][0]["field"], "format");
    let not_a_ledger = import(&manager, f, "file_name=x.xlsx", "no,ledger\n1,2\n").send().await.unwrap();
    assert_eq!(not_a_ledger.status(), 422);
    assert_eq!(not_a_ledger.json::<Value>().await.unwrap()["code"], "import.xlsx");

    // Roles without the right are refused; another manager's fund does not exist.
    for token in [&city, &officer] {
        assert_eq!(import(token, f, "file_name=fee2.csv", fee).send().await.unwrap().status(), 403);
    }
    assert_eq!(import(&manager, other, "file_name=ledger.csv", good).send().await.unwrap().status(), 404);
    let officer_template =
        server.http().get(server.url(&format!("/api/v1/funds/{f}/ledger/template"))).bearer_auth(&officer).send();
    assert_eq!(officer_template.await.unwrap().status(), 403);
    assert_eq!(server.get_json(&format!("/api/v1/funds/{f}"), &admin).await["entries"].as_array().unwrap().len(), 4);
}
