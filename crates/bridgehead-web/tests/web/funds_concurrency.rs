//! Money moves once under concurrency: the same money-moving request with the same
//! `Idempotency-Key` sent sixteen times at once takes effect exactly once; every answer
//! is the first answer (marked `Idempotent-Replayed: true` when given again) or "still
//! running" (409), never a server error. The same for a page form's one-time token,
//! where every copy lands where the first one led. Runs on SQLite, and on PostgreSQL
//! with `TEST_DATABASE_URL`.

use std::sync::Arc;

use bridgehead_domain::access::Role;
use bridgehead_testkit::TestServer;
use bridgehead_testkit::fixtures::world;
use serde_json::{Value, json};
use tokio::sync::Barrier;

use super::browser::{Browser, input_value};

const COPIES: usize = 16;

/// One answer: status, whether it was given again, and the body.
struct Answer {
    status: u16,
    replayed: bool,
    body: String,
}

/// Sends `COPIES` copies of one POST at once (released together by a barrier).
async fn at_once(server: &TestServer, path: &str, token: &str, key: &str, body: &Value) -> Vec<Answer> {
    let barrier = Arc::new(Barrier::new(COPIES));
    let mut copies = tokio::task::JoinSet::new();
    for _ in 0..COPIES {
        let (barrier, url, token, key, body) =
            (barrier.clone(), server.url(path), token.to_owned(), key.to_owned(), body.clone());
        let client = server.http();
        copies.spawn(async move {
            let request = client.post(url).bearer_auth(token).header("Idempotency-Key", key).json(&body);
            barrier.wait().await;
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let replayed = response.headers().get("idempotent-replayed").is_some_and(|v| v == "true");
            Answer { status, replayed, body: response.text().await.unwrap() }
        });
    }
    copies.join_all().await
}

/// Every answer is the first answer or "still running"; exactly one ran. Returns the
/// first answer's body.
fn check(answers: &[Answer], created: u16) -> Value {
    let summary: Vec<String> = answers.iter().map(|a| format!("{} {} {:.120}", a.status, a.replayed, a.body)).collect();
    assert!(answers.iter().all(|a| a.status < 500), "no server error: {summary:#?}");
    let ran: Vec<&Answer> = answers.iter().filter(|a| a.status == created && !a.replayed).collect();
    assert_eq!(ran.len(), 1, "exactly one copy ran: {summary:#?}");
    let first: Value = serde_json::from_str(&ran[0].body).unwrap();
    for answer in answers {
        match answer.status {
            409 => {
                let problem: Value = serde_json::from_str(&answer.body).unwrap();
                assert_eq!(problem["code"], "idempotency_key.running", "{}", answer.body);
            }
            status if status == created => {
                let body: Value = serde_json::from_str(&answer.body).unwrap();
                assert_eq!(body, first, "a replay gives the first answer");
            }
            other => panic!("answer {other}: {summary:#?}"),
        }
    }
    first
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_money_request_sent_sixteen_times_at_once_moves_money_once() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    let admin = server.token(world.username(Role::Administrator)).await;
    let manager = server.token(world.username(Role::FundManager)).await;
    let orgs = server.get_json("/api/v1/organizations", &admin).await;
    let bank = orgs.as_array().unwrap().iter().find(|o| o["name_zh"] == "测试银行（示例）").unwrap()["id"].clone();
    let created = |response: reqwest::Response| async move {
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(status.is_success(), "{status} {text}");
        serde_json::from_str::<Value>(&text).unwrap()["id"].as_i64().unwrap()
    };
    let fund = created(
        server
            .client_post(
                "/api/v1/funds",
                &admin,
                &json!({"name_zh": "并发测试基金（示例）", "kind": "industry", "manager_organization_id": bank,
                    "target_size_minor": 1_000_000, "vintage": 2023, "investment_years": 5, "term_years": 10,
                    "home_region_code": "330400"}),
            )
            .await,
    )
    .await;
    let mut partners = Vec::new();
    for (name, commitment) in [("甲（示例）", 600_000), ("乙（示例）", 400_000)] {
        let body =
            json!({"name": name, "kind": "social", "commitment_minor": commitment, "committed_on": "2023-01-10"});
        partners
            .push(created(server.client_post(&format!("/api/v1/funds/{fund}/partners"), &admin, &body).await).await);
    }
    let ledger = || async { server.get_json(&format!("/api/v1/funds/{fund}"), &manager).await["entries"].clone() };

    // An entry: a contribution of 1,234.56 yuan.
    let entry = json!({"date": "2024-01-10", "kind": "contribution", "amount_minor": 123_456,
        "partner_id": partners[0], "component": "investment"});
    let path = format!("/api/v1/funds/{fund}/entries");
    let answers = at_once(&server, &path, &manager, "entry-at-once-1", &entry).await;
    let first = check(&answers, 201);
    let entries = ledger().await;
    assert_eq!(entries.as_array().unwrap().len(), 1, "one entry: {entries}");
    assert_eq!(entries[0]["id"], first["id"]);
    assert_eq!(entries[0]["amount_minor"], 123_456);
    // Asked again afterwards: the same answer, still one entry.
    let again = server
        .http()
        .post(server.url(&path))
        .bearer_auth(&manager)
        .header("Idempotency-Key", "entry-at-once-1")
        .json(&entry)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    assert_eq!(ledger().await.as_array().unwrap().len(), 1);

    // A call, then its payment sent sixteen times at once: paid once.
    let call = json!({"kind": "call", "notice_date": "2024-02-01", "due_date": "2024-02-15",
        "investment_minor": 90_000, "fees_minor": 10_000});
    let notice = created(server.client_post(&format!("/api/v1/funds/{fund}/notices"), &manager, &call).await).await;
    let payment = json!({"date": "2024-02-10"});
    let path = format!("/api/v1/funds/{fund}/notices/{notice}/payments");
    let answers = at_once(&server, &path, &manager, "payment-at-once-1", &payment).await;
    let paid = check(&answers, 200);
    assert!(paid["lines"].as_array().unwrap().iter().all(|l| l["paid"] == true), "{paid}");
    let contributions: Vec<i64> = ledger()
        .await
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["notice_id"] == notice)
        .map(|e| e["amount_minor"].as_i64().unwrap())
        .collect();
    // 60,000 + 6,000 and 40,000 + 4,000 fen: one entry per partner and component.
    assert_eq!(contributions.iter().sum::<i64>(), 100_000, "{contributions:?}");
    assert_eq!(contributions.len(), 4, "{contributions:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_page_form_sent_sixteen_times_at_once_records_once() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    let admin = server.token(world.username(Role::Administrator)).await;
    let orgs = server.get_json("/api/v1/organizations", &admin).await;
    let bank = orgs.as_array().unwrap().iter().find(|o| o["name_zh"] == "测试银行（示例）").unwrap()["id"].clone();
    let fund = server
        .client_post(
            "/api/v1/funds",
            &admin,
            &json!({"name_zh": "并发页面基金（示例）", "kind": "industry", "manager_organization_id": bank,
                "target_size_minor": 1_000_000, "vintage": 2023, "investment_years": 5, "term_years": 10,
                "home_region_code": "330400"}),
        )
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_i64()
        .unwrap();

    let manager = Browser::as_role(&server, &world, Role::FundManager).await;
    let page = manager.get(&format!("/funds/{fund}")).await.html;
    let csrf = input_value(&page, "_csrf");
    let action = format!("/funds/{fund}/entries");
    let start = page.find(&format!("action=\"{action}\"")).unwrap();
    let once = input_value(&page[start..], "_once");
    assert!(!once.is_empty());
    let form = vec![
        ("_csrf".to_owned(), csrf),
        ("date".to_owned(), "2024-03-01".to_owned()),
        ("kind".to_owned(), "management_fee".to_owned()),
        ("amount".to_owned(), "2,500.00".to_owned()),
        ("memo".to_owned(), "并发提交（示例）".to_owned()),
        ("_once".to_owned(), once),
    ];
    let barrier = Arc::new(Barrier::new(COPIES));
    let mut copies = tokio::task::JoinSet::new();
    for _ in 0..COPIES {
        let (barrier, client, url, form) = (barrier.clone(), manager.client.clone(), server.url(&action), form.clone());
        copies.spawn(async move {
            let request = client.post(url).form(&form);
            barrier.wait().await;
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let location =
                response.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
            let replayed = response.headers().get("idempotent-replayed").is_some();
            (status, location, replayed)
        });
    }
    let answers = copies.join_all().await;
    assert!(answers.iter().all(|(status, _, _)| *status == 303), "every copy lands where the first led: {answers:?}");
    let location = &answers[0].1;
    assert!(location.starts_with(&format!("/funds/{fund}?entry=")), "{location}");
    assert!(answers.iter().all(|(_, l, _)| l == location), "{answers:?}");
    assert_eq!(answers.iter().filter(|(_, _, replayed)| !replayed).count(), 1, "{answers:?}");
    let entries = server.app.fund(&bridgehead_app::Actor::system("test"), fund).await.unwrap().entries;
    assert_eq!(entries.len(), 1);
    assert_eq!((entries[0].kind.as_str(), entries[0].amount_minor), ("management_fee", 250_000));
}
