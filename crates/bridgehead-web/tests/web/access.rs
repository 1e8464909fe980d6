//! Every route, every role: no route without a policy, no object outside a user's
//! scope reachable by any route, no server error anywhere.

use std::collections::BTreeSet;

use bridgehead_domain::access::Role;
use bridgehead_testkit::fixtures::{World, world};
use bridgehead_testkit::{PASSWORD, TestServer};
use bridgehead_web::Surface;
use bridgehead_web::routes::route_table;
use reqwest::Method;
use serde_json::json;

/// Roles that may see the enterprise in Nanhu (`theirs`).
fn sees_theirs(role: Option<Role>) -> bool {
    matches!(role, Some(Role::Administrator | Role::CityAnalyst))
}

/// Fills a route's path parameters with objects that belong to someone else.
fn concrete_path(path: &str, world: &World, ids: &Ids) -> String {
    let (other_token_id, park_id, taxonomy_id) = (ids.token, ids.park, ids.taxonomy);
    let id_for = |path: &str| -> String {
        if path.contains("innovation") {
            ids.innovation.to_string()
        } else if path.contains("/confirmations/") && !path.starts_with("/projects/") {
            ids.confirmation.to_string()
        } else if path.contains("/reports/") {
            ids.report.to_string()
        } else if path.contains("/projects/") {
            ids.project.to_string()
        } else if path.contains("enterprises") {
            world.theirs.id.to_string()
        } else if path.contains("parks") {
            park_id.to_string()
        } else if path.contains("tokens") {
            other_token_id.to_string()
        } else if path.contains("cluster") {
            taxonomy_id.to_string()
        } else {
            "1".to_owned()
        }
    };
    let code_for = |path: &str| -> String {
        if path.contains("regions") {
            "330402".to_owned()
        } else if path.contains("industries") {
            "3670".to_owned()
        } else if path.contains("tags") {
            "high_tech".to_owned()
        } else if path.contains("credit-codes") {
            // The check echoes its input: use a code of no stored enterprise.
            "91330100716105852F".to_owned()
        } else if path.contains("lang") {
            "en".to_owned()
        } else {
            "x".to_owned()
        }
    };
    path.replace("{id}", &id_for(path))
        .replace("{code}", &code_for(path))
        .replace("{line}", "1")
        .replace("{username}", "administrator")
        .replace("{currency}", "USD")
        .replace("{date}", "2023-06-30")
        .replace("{year}", "2022")
        .replace("{*path}", "app.css")
}

/// Objects of the other district (and of the administrator) that routes are aimed at.
struct Ids {
    token: i64,
    park: i64,
    taxonomy: i64,
    project: i64,
    report: i64,
    confirmation: i64,
    innovation: i64,
}

/// The name of the other district's collaborative project: a page that shows it leaks.
const THEIR_INNOVATION: &str = "南湖矩阵协同项目（示例）";

/// A plausible body for a change: aimed at `theirs` where the route edits an enterprise.
fn json_body(path: &str, world: &World) -> serde_json::Value {
    let theirs = &world.theirs.record;
    if path.starts_with("/api/v1/innovation-projects") {
        return if path.ends_with("/status") {
            json!({ "status": "suspended", "reason": "matrix" })
        } else if path.ends_with("/completion") {
            json!({ "completed_on": "2024-07-01", "evidence": "matrix" })
        } else {
            json!({ "name": "被改名（示例）", "lead_enterprise_id": world.theirs.id, "starts_on": "2024-01-01", "ends_on": "2025-12-31",
                    "partners": [{ "kind": "university", "name": "矩阵大学", "region_code": "310110" }],
                    "budget": [{ "source": "lead_enterprise", "amount": "1" }],
                    "milestones": [{ "title": "m", "due_on": "2024-06-30" }] })
        };
    }
    if path.ends_with("/confirmations") || path.starts_with("/api/v1/confirmations/{id}") && !path.contains("decision")
    {
        json!({ "encouraged_category": "矩阵", "items": [{ "name": "x", "hs_code": "847989", "quantity": 1, "unit_price": "1.00" }] })
    } else if path.ends_with("/decision") {
        json!({ "approve": true })
    } else if path.starts_with("/api/v1/projects") && path.ends_with("/events") {
        json!({ "kind": "filed", "occurred_on": "2023-01-06" })
    } else if path.starts_with("/api/v1/projects") && path.ends_with("/reports") {
        json!({ "period": "2023-02", "figures": { "completed": "5.00" } })
    } else if path.starts_with("/api/v1/projects") {
        json!({ "code": "2023-330402-36-01-000001", "name_zh": "被改名（示例）", "region_code": "330402", "planned_total": "1",
                "investors": [{ "enterprise_id": world.theirs.id, "share_percent": "100" }] })
    } else if path.ends_with("/actions") {
        json!({ "action": "approve_district" })
    } else if path.ends_with("/corrections") {
        json!({ "reason": "matrix", "figures": { "completed": "1.00" } })
    } else if path.starts_with("/api/v1/reports") {
        json!({ "completed": "7.00" })
    } else if path.starts_with("/api/v1/enterprises") && path.contains("figures") {
        json!({ "revenue": "1.00" })
    } else if path.starts_with("/api/v1/enterprises") {
        json!({ "credit_code": theirs.credit_code.to_string(), "name_zh": "被改名（示例）", "region_code": "330402" })
    } else if path.starts_with("/api/v1/session") {
        json!({ "username": "nobody", "password": "wrong password" })
    } else if path.starts_with("/api/v1/users") {
        json!({ "username": "made-by-matrix", "password": PASSWORD, "role": "administrator" })
    } else if path.starts_with("/api/v1/tokens") {
        json!({ "name": "matrix" })
    } else if path.starts_with("/api/v1/parks") {
        json!({ "name_zh": "矩阵测试园区（示例）", "region_code": "330402", "level": "other" })
    } else if path.starts_with("/api/v1/tags") {
        json!({ "name_zh": "测试", "name_en": "Test" })
    } else if path.starts_with("/api/v1/exchange-rates") {
        json!({ "currency_code": "USD", "rate_date": "2020-01-02", "rate": "7.0" })
    } else if path.starts_with("/api/v1/cluster-taxonomies") {
        json!({ "code": "T", "region_code": "330400", "name_zh": "测试", "valid_from": "2020-01-01", "clusters": [] })
    } else {
        json!({})
    }
}

fn form_body(path: &str, world: &World) -> Vec<(String, String)> {
    let theirs = &world.theirs.record;
    if path.starts_with("/enterprises") && path.contains("figures") {
        vec![("year".into(), "2022".into()), ("revenue".into(), "1".into())]
    } else if path.starts_with("/enterprises") {
        vec![
            ("credit_code".into(), theirs.credit_code.to_string()),
            ("name_zh".into(), "被改名（示例）".into()),
            ("region_code".into(), "330402".into()),
        ]
    } else {
        vec![("name_zh".into(), "矩阵（示例）".into()), ("region_code".into(), "330402".into())]
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_has_a_policy_and_no_route_leaks_another_scope() {
    let server = TestServer::start().await;
    let world = world(&server.app).await;
    let operator = bridgehead_app::Actor::system("test");
    let park = server
        .app
        .create_park(
            &operator,
            &bridgehead_app::reference::ParkInput {
                name_zh: Some("南湖测试园区（示例）".into()),
                name_en: None,
                region_code: Some("330402".into()),
                level: Some("other".into()),
            },
        )
        .await
        .unwrap();
    let taxonomy = server
        .app
        .create_cluster_taxonomy(
            &operator,
            &bridgehead_app::reference::ClusterTaxonomyInput {
                code: "T1".into(),
                region_code: "330400".into(),
                name_zh: "测试集群".into(),
                valid_from: "2023-01-01".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    // A project in Nanhu with a started phase and a submitted report.
    let project = server
        .app
        .create_project(
            &operator,
            &bridgehead_domain::project::ProjectFields {
                code: Some("2023-330402-36-01-000001".into()),
                name_zh: Some("南湖测试项目（示例）".into()),
                region_code: Some("330402".into()),
                planned_total: Some("1000000".into()),
                investors: vec![(world.theirs.id.to_string(), "100".into())],
                ..Default::default()
            },
            "2023-01-02",
        )
        .await
        .unwrap();
    let started = bridgehead_app::projects::EventInput {
        kind: "started".into(),
        occurred_on: "2023-01-05".into(),
        ..Default::default()
    };
    server.app.record_event(&operator, project.id, &started).await.unwrap();
    let january = bridgehead_domain::project::ReportFields { completed: Some("100".into()), ..Default::default() };
    let report = server.app.create_report(&operator, project.id, "2023-01", &january).await.unwrap();
    server.app.act_on_report(&operator, report.id, "submit", None).await.unwrap();
    let application = bridgehead_domain::project::ConfirmationFields {
        encouraged_category: Some("鼓励类（示例）".into()),
        documents: vec![],
        items: vec![bridgehead_domain::project::EquipmentItemFields {
            name: Some("南湖设备（示例）".into()),
            hs_code: Some("8479899990".into()),
            quantity: Some("1".into()),
            unit_price: Some("100".into()),
            ..Default::default()
        }],
    };
    let confirmation = server.app.create_confirmation(&operator, project.id, &application).await.unwrap();
    server.app.submit_confirmation(&operator, confirmation.id).await.unwrap();
    let s = |v: &str| Some(v.to_owned());
    let innovation = server
        .app
        .create_innovation(
            &operator,
            &bridgehead_domain::innovation::InnovationFields {
                name: s(THEIR_INNOVATION),
                lead_enterprise_id: Some(world.theirs.id.to_string()),
                summary: None,
                starts_on: s("2024-01-01"),
                ends_on: s("2026-12-31"),
                partners: vec![bridgehead_domain::innovation::PartnerFields {
                    kind: s("university"),
                    name: s("示例大学（示例）"),
                    region_code: s("310110"),
                    ..Default::default()
                }],
                budget: vec![bridgehead_domain::innovation::BudgetLineFields {
                    source: s("lead_enterprise"),
                    amount: s("1000"),
                    note: None,
                }],
                milestones: vec![bridgehead_domain::innovation::MilestoneFields {
                    title: s("样机"),
                    due_on: s("2024-06-30"),
                    ..Default::default()
                }],
            },
        )
        .await
        .unwrap();
    // A token of the administrator that other roles must not be able to revoke.
    let (other_token, _) = server
        .app
        .create_token_for(
            &operator,
            world.username(Role::Administrator),
            "victim",
            bridgehead_domain::access::TokenScope::Read,
            None,
        )
        .await
        .unwrap();

    let mut tokens = Vec::new();
    for role in Role::ALL {
        tokens.push((Some(role), Some(server.token(world.username(role)).await)));
    }
    tokens.push((None, None));
    let client = TestServer::client();
    let theirs_code = world.theirs.record.credit_code.to_string();
    let mut failures = Vec::new();
    let mut checked = 0;

    for (info, _) in route_table() {
        for (role, token) in &tokens {
            let ids = Ids {
                token: other_token.id,
                park: park.id,
                taxonomy: taxonomy.id,
                project: project.id,
                report: report.id,
                confirmation: confirmation.id,
                innovation: innovation.id,
            };
            let path = concrete_path(info.path, &world, &ids);
            let method = Method::from_bytes(info.method.as_bytes()).unwrap();
            let mut request = client.request(method.clone(), server.url(&path));
            // A form sent back with its own values is an echo, not a leak.
            let mut sent_the_code = false;
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            if method != Method::GET {
                request = match info.surface {
                    Surface::Api => {
                        let body = json_body(info.path, &world);
                        sent_the_code = body.to_string().contains(&theirs_code);
                        request.json(&body)
                    }
                    Surface::Page => {
                        let body = form_body(info.path, &world);
                        sent_the_code = body.iter().any(|(_, v)| v == &theirs_code);
                        request.form(&body)
                    }
                };
            }
            let response = request.send().await.unwrap();
            let status = response.status();
            let body = response.text().await.unwrap_or_default();
            checked += 1;
            let who = role.map_or("anonymous", |r| r.as_str());
            let label = format!("{} {} as {who}", info.method, path);
            if status.is_server_error() {
                failures.push(format!("{label}: server error {status}: {body:.200}"));
                continue;
            }
            if !info.admits(*role) {
                let refused = match (info.surface, role) {
                    (Surface::Api, None) => status == 401,
                    (Surface::Api, Some(_)) => status == 403,
                    (Surface::Page, None) => status == 303,
                    (Surface::Page, Some(_)) => status == 403,
                };
                if !refused {
                    failures.push(format!("{label}: the role gate should refuse, got {status}"));
                }
                continue;
            }
            if !sees_theirs(*role)
                && !sent_the_code
                && (body.contains(&theirs_code)
                    || body.contains("330402-36-01-000001")
                    || body.contains(THEIR_INNOVATION))
            {
                failures.push(format!("{label}: leaked the other district's enterprise ({status})"));
            }
        }
    }
    // Nothing anyone outside Nanhu's chain of command sent changed the enterprise there.
    let after = server.app.enterprise(&operator, world.theirs.id).await.unwrap();
    let changed_by = bridgehead_store::audit::list(
        &mut server.app.store.read().await.unwrap(),
        &bridgehead_store::audit::AuditQuery {
            entity: Some("enterprise".into()),
            entity_key: Some(world.theirs.id.to_string()),
            limit: 100,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let mut changed_by = changed_by;
    for (entity, key) in [
        ("project", project.id),
        ("monthly_report", report.id),
        ("equipment_confirmation", confirmation.id),
        ("innovation_project", innovation.id),
    ] {
        changed_by.extend(
            bridgehead_store::audit::list(
                &mut server.app.store.read().await.unwrap(),
                &bridgehead_store::audit::AuditQuery {
                    entity: Some(entity.into()),
                    entity_key: Some(key.to_string()),
                    limit: 100,
                    ..Default::default()
                },
            )
            .await
            .unwrap(),
        );
    }
    for record in changed_by.iter().filter(|r| r.actor != "test" && r.action != "create") {
        let allowed = ["user:administrator", "user:city-analyst"].contains(&record.actor.as_str());
        if !allowed {
            failures.push(format!("{} changed the other district's enterprise ({})", record.actor, record.action));
        }
    }
    let _ = after;
    assert!(checked > 400, "walked only {checked} route × role pairs");
    assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_api_route_is_documented_and_every_documented_route_exists() {
    let document = serde_json::to_value(bridgehead_web::openapi_document()).unwrap();
    let mut documented = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    let routed: BTreeSet<String> = route_table()
        .into_iter()
        .filter(|(info, _)| info.surface == Surface::Api && info.path != "/api/v1/openapi.json")
        .map(|(info, _)| format!("{} {}", info.method, info.path))
        .collect();
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    let phantom: Vec<_> = documented.difference(&routed).collect();
    assert!(undocumented.is_empty(), "routes missing from the OpenAPI document: {undocumented:?}");
    assert!(phantom.is_empty(), "documented but not routed: {phantom:?}");
}

#[test]
fn no_route_is_declared_twice() {
    let mut seen = BTreeSet::new();
    for (info, _) in route_table() {
        assert!(seen.insert((info.method, info.path)), "{} {} is declared twice", info.method, info.path);
    }
}
