//! The `bridgehead` binary as an operator runs it: against a fresh database (SQLite,
//! or PostgreSQL when TEST_DATABASE_URL is set), as a separate process.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use bridgehead_testkit::TestDb;
use bridgehead_testkit::fixtures::credit_code;

const BIN: &str = env!("CARGO_BIN_EXE_bridgehead");

fn bridgehead(db: &TestDb, data_dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(["--data-dir", &data_dir.display().to_string(), "--database-url", &db.url])
        .args(args)
        .env("BRIDGEHEAD_LOG", "warn")
        .output()
        .expect("run bridgehead")
}

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "bridgehead failed ({}):\nstdout: {}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A CSV of `rows` valid enterprises in Haining.
fn enterprise_csv(rows: usize, offset: usize) -> String {
    let mut csv = String::from("统一社会信用代码,企业名称,注册地区划代码,行业代码\n");
    for n in 0..rows {
        csv.push_str(&format!("{},海宁测试企业{n}（示例）,330481,3670\n", credit_code("330481", offset + n)));
    }
    csv
}

async fn count(db: &TestDb) -> i64 {
    let mut conn = db.store.read().await.unwrap();
    bridgehead_store::enterprises::count(&mut conn).await.unwrap()
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["demo", "--help"],
        vec!["migrate", "--help"],
        vec!["import", "--help"],
        vec!["report", "investment", "--help"],
        vec!["report", "projects", "--help"],
        vec!["export", "--help"],
        vec!["user", "--help"],
        vec!["user", "add", "--help"],
        vec!["user", "token", "--help"],
        vec!["backup", "--help"],
        vec!["restore", "--help"],
        vec!["funds", "import-ledger", "--help"],
        vec!["funds", "ledger-template", "--help"],
        vec!["audit", "verify", "--help"],
        vec!["audit", "head", "--help"],
        vec!["config", "example"],
    ] {
        let output = Command::new(BIN).args(&args).output().unwrap();
        assert!(output.status.success(), "{args:?}");
        assert!(!output.stdout.is_empty(), "{args:?} printed nothing");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn import_twice_export_and_users_from_the_command_line() {
    let db = TestDb::empty().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("enterprises.csv");
    std::fs::write(&file, enterprise_csv(30, 0)).unwrap();
    let first = ok(&bridgehead(&db, dir.path(), &["import", "enterprises", &file.display().to_string()]));
    assert!(first.contains("30 created"), "{first}");
    let second = ok(&bridgehead(&db, dir.path(), &["import", "enterprises", &file.display().to_string()]));
    assert!(second.contains("0 created, 0 updated, 30 unchanged"), "{second}");
    assert_eq!(count(&db).await, 30);

    let exported = dir.path().join("out.xlsx");
    ok(&bridgehead(&db, dir.path(), &["export", "enterprises", &exported.display().to_string(), "--lang", "en"]));
    let again = ok(&bridgehead(&db, dir.path(), &["import", "enterprises", &exported.display().to_string()]));
    assert!(again.contains("30 unchanged"), "an export imports back unchanged: {again}");

    let mut bad = enterprise_csv(2, 100);
    bad.push_str("91330481XXXXXXXXX1,坏代码（示例）,330481,3670\n");
    let bad_file = dir.path().join("bad.csv");
    std::fs::write(&bad_file, bad).unwrap();
    let refused = bridgehead(&db, dir.path(), &["import", "enterprises", &bad_file.display().to_string()]);
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("row 4") && message.contains("nothing was imported"), "{message}");
    assert_eq!(count(&db).await, 30);

    // Projects and their stage events go in and come back out the same way.
    let investor = credit_code("330481", 0);
    let projects = dir.path().join("projects.csv");
    std::fs::write(
        &projects,
        format!(
            "项目代码,项目名称,建设地点区划代码,计划总投资,投资企业及比例,签约日期\n\
             2023-330481-36-01-000001,海宁命令行项目（示例）,330481,1000000,{investor},2023-01-05\n"
        ),
    )
    .unwrap();
    let imported = ok(&bridgehead(&db, dir.path(), &["import", "projects", &projects.display().to_string()]));
    assert!(imported.contains("1 created"), "{imported}");
    let events = dir.path().join("events.csv");
    std::fs::write(&events, "项目代码,阶段事件,发生日期\n2023-330481-36-01-000001,started,2023-02-01\n").unwrap();
    let recorded = ok(&bridgehead(&db, dir.path(), &["import", "events", &events.display().to_string()]));
    assert!(recorded.contains("1 created"), "{recorded}");
    for (kind, file) in [("projects", "projects-out.xlsx"), ("events", "events-out.csv")] {
        let out = dir.path().join(file);
        ok(&bridgehead(&db, dir.path(), &["export", kind, &out.display().to_string()]));
        let back = ok(&bridgehead(&db, dir.path(), &["import", kind, &out.display().to_string()]));
        assert!(back.contains("0 created, 0 updated"), "{kind}: {back}");
    }
    // The official table of the city, from approved reports.
    let reports = dir.path().join("reports.csv");
    std::fs::write(&reports, "项目代码,月份,本月完成投资\n2023-330481-36-01-000001,2023-02,150000000\n2023-330481-36-01-000001,2023-03,140000000.50\n").unwrap();
    ok(&bridgehead(&db, dir.path(), &["import", "reports", &reports.display().to_string(), "--approved"]));
    let table =
        ok(&bridgehead(&db, dir.path(), &["report", "investment", "--region", "330400", "--period", "2023-03"]));
    assert!(table.starts_with("嘉兴市 2023年1-3月制造业投资\n"), "{table}");
    let haining = table.lines().find(|l| l.starts_with("海宁市")).unwrap_or_default();
    assert_eq!(haining.split_whitespace().collect::<Vec<_>>(), ["海宁市", "2.90", "100.0"], "{table}");
    let json = ok(&bridgehead(
        &db,
        dir.path(),
        &["report", "investment", "--region", "330481", "--period", "2023-03", "--format", "json"],
    ));
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed["total"]["current_minor"], 29_000_000_050_i64);
    let xlsx = dir.path().join("table.xlsx");
    ok(&bridgehead(
        &db,
        dir.path(),
        &[
            "report",
            "investment",
            "--region",
            "330400",
            "--period",
            "2023-03",
            "--format",
            "xlsx",
            "--lang",
            "en",
            "--output",
            &xlsx.display().to_string(),
        ],
    ));
    assert!(std::fs::metadata(&xlsx).unwrap().len() > 1000);
    let refused = bridgehead(&db, dir.path(), &["report", "investment", "--region", "330400", "--period", "2023-3x"]);
    assert!(!refused.status.success() && String::from_utf8_lossy(&refused.stderr).contains("period"));
    // The same table from the SQL reference, and the projects signed in a window by tier.
    let reference = ok(&bridgehead(
        &db,
        dir.path(),
        &["report", "investment", "--region", "330400", "--period", "2023-03", "--reference"],
    ));
    assert_eq!(reference, table, "the engine and the SQL reference print the same table");
    let counts = ok(&bridgehead(
        &db,
        dir.path(),
        &["report", "projects", "--region", "330400", "--through", "2023-06-30", "--months", "9", "--by", "tier"],
    ));
    assert!(counts.starts_with("330400 2022-10-01 至 2023-06-30 签约项目（按规模）"), "{counts}");
    let total = counts.lines().find(|l| l.starts_with("合计")).unwrap_or_default();
    assert_eq!(total.split_whitespace().nth(1), Some("1"), "{counts}");
    let refused = bridgehead(&db, dir.path(), &["report", "projects", "--region", "330400", "--through", "2023-06-31"]);
    assert!(!refused.status.success() && String::from_utf8_lossy(&refused.stderr).contains("through"));

    let template = dir.path().join("project-template.xlsx");
    ok(&bridgehead(&db, dir.path(), &["export", "project-template", &template.display().to_string(), "--lang", "en"]));

    let added = Command::new(BIN)
        .args(["--database-url", &db.url, "user", "add", "jiashan", "--role", "district_officer", "--region", "330421"])
        .env("BRIDGEHEAD_PASSWORD", "a long enough password")
        .output()
        .unwrap();
    ok(&added);
    let listed = ok(&bridgehead(&db, dir.path(), &["user", "list"]));
    assert!(listed.contains("jiashan") && listed.contains("district_officer"), "{listed}");
    let token = ok(&bridgehead(&db, dir.path(), &["user", "token", "jiashan"]));
    assert!(token.trim().starts_with("bht_"), "{token}");
    ok(&bridgehead(&db, dir.path(), &["user", "disable", "jiashan"]));
    let listed = ok(&bridgehead(&db, dir.path(), &["user", "list"]));
    assert!(listed.lines().any(|l| l.starts_with("jiashan") && l.contains("disabled")), "{listed}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fund_ledger_from_the_command_line() {
    let db = TestDb::empty().await;
    let app = db.app().await;
    let operator = bridgehead_app::Actor::system("test");
    let fund = app
        .create_fund(
            &operator,
            &bridgehead_app::funds::FundInput {
                name_zh: "命令行台账基金（示例）".to_owned(),
                name_en: None,
                kind: "industry".to_owned(),
                manager_organization_id: None,
                currency_code: None,
                target_size_minor: 1_000_000_000,
                vintage: 2023,
                investment_years: 5,
                term_years: 8,
                home_region_code: "330400".to_owned(),
                focus_industries: vec![],
            },
        )
        .await
        .unwrap();
    let partner = bridgehead_app::funds::PartnerInput {
        name: "出资人（示例）".to_owned(),
        kind: "social".to_owned(),
        investor_fund_id: None,
        commitment_minor: 200_000,
        committed_on: "2023-01-10".to_owned(),
    };
    app.add_partner(&operator, fund.id, &partner).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let fund_id = fund.id.to_string();
    let ledger = dir.path().join("ledger.csv");
    std::fs::write(
        &ledger,
        "日期,类型,金额（元）,合伙人\n2023-03-01,实缴出资,1000.50,出资人（示例）\n2023-03-02,管理费,10,\n",
    )
    .unwrap();
    let path = ledger.display().to_string();
    let first = ok(&bridgehead(&db, dir.path(), &["funds", "import-ledger", "--fund", &fund_id, &path]));
    assert!(first.contains("imported into fund") && first.contains("1000.50") && first.contains("1010.50"), "{first}");
    let again = ok(&bridgehead(&db, dir.path(), &["funds", "import-ledger", "--fund", &fund_id, &path]));
    assert!(again.contains("already") && again.contains("nothing written"), "{again}");
    assert_eq!(app.fund(&operator, fund.id).await.unwrap().entries.len(), 2);

    // 1,000.50 of 2,000.00 is paid in: another 1,000.00 is 0.50 too much.
    let above = dir.path().join("above.csv");
    std::fs::write(&above, "date,kind,amount,partner\n2023-04-01,contribution,1000.00,出资人（示例）\n").unwrap();
    let refused =
        bridgehead(&db, dir.path(), &["funds", "import-ledger", "--fund", &fund_id, &above.display().to_string()]);
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message.contains("row 2") && message.contains("2000.50") && message.contains("nothing was imported"),
        "{message}"
    );
    assert_eq!(app.fund(&operator, fund.id).await.unwrap().entries.len(), 2);

    let template = dir.path().join("ledger-template.xlsx");
    ok(&bridgehead(&db, dir.path(), &["funds", "ledger-template", &template.display().to_string(), "--lang", "en"]));
    assert!(std::fs::read(&template).unwrap().starts_with(b"PK"));
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_verify_finds_a_row_changed_behind_the_applications_back() {
    let db = TestDb::empty().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("e.csv");
    std::fs::write(&file, enterprise_csv(5, 0)).unwrap();
    ok(&bridgehead(&db, dir.path(), &["import", "enterprises", &file.display().to_string()]));
    let intact = ok(&bridgehead(&db, dir.path(), &["audit", "verify"]));
    assert!(intact.contains("intact"), "{intact}");
    let head = ok(&bridgehead(&db, dir.path(), &["audit", "head"]));
    assert_eq!(head.split_whitespace().count(), 2, "{head}");

    let mut conn = db.store.read().await.unwrap();
    let disable = match db.store.backend() {
        bridgehead_store::Backend::Sqlite => "DROP TRIGGER audit_log_no_update",
        bridgehead_store::Backend::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER USER",
    };
    sqlx::query(disable).execute(&mut *conn).await.unwrap();
    sqlx::query("UPDATE audit_log SET actor = 'someone else' WHERE seq = 3").execute(&mut *conn).await.unwrap();
    drop(conn);
    let broken = bridgehead(&db, dir.path(), &["audit", "verify"]);
    assert_eq!(broken.status.code(), Some(1));
    let text = String::from_utf8_lossy(&broken.stdout);
    assert!(text.contains("BROKEN at record 3"), "{text}");
}

/// A server process, killed (SIGKILL) and reaped when dropped.
struct Server(Child);

impl Server {
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Starts `bridgehead serve` on a free port; returns the process and its base URL.
fn serve(db: &TestDb, data_dir: &Path) -> (Server, String) {
    let mut child = Command::new(BIN)
        .args([
            "--data-dir",
            &data_dir.display().to_string(),
            "--database-url",
            &db.url,
            "serve",
            "--listen",
            "127.0.0.1:0",
        ])
        .env("BRIDGEHEAD_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let child = Server(child);
    let mut lines = BufReader::new(stdout).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(Instant::now() < deadline, "the server did not start");
        let Some(Ok(line)) = lines.next() else { panic!("the server exited") };
        if let Some(rest) = line.split("serving at ").nth(1) {
            let base = rest.split_whitespace().next().unwrap().trim_end_matches('/').to_owned();
            return (child, base);
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_during_an_import_leaves_all_or_nothing() {
    let db = TestDb::empty().await;
    let dir = tempfile::tempdir().unwrap();
    let added = Command::new(BIN)
        .args(["--database-url", &db.url, "user", "add", "importer", "--role", "administrator"])
        .env("BRIDGEHEAD_PASSWORD", "a long enough password")
        .output()
        .unwrap();
    ok(&added);
    let token =
        ok(&bridgehead(&db, dir.path(), &["user", "token", "importer", "--scope", "read_write"])).trim().to_owned();
    let (mut server, base) = serve(&db, dir.path());
    let rows = 20_000;
    let body = enterprise_csv(rows, 1000);
    let upload = tokio::spawn(async move {
        reqwest::Client::new()
            .post(format!("{base}/api/v1/enterprises/import?file_name=big.csv"))
            .bearer_auth(token)
            .body(body)
            .send()
            .await
    });
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // SIGKILL: no chance to clean up.
    server.kill();
    let answer = upload.await.unwrap();
    assert!(
        answer.is_err(),
        "the import finished before the kill ({:?}); the test needs a bigger file",
        answer.map(|r| r.status())
    );
    let stored = count(&db).await;
    assert_eq!(stored, 0, "a killed import left {stored} of {rows} rows");
    let verified = ok(&bridgehead(&db, dir.path(), &["audit", "verify"]));
    assert!(verified.contains("intact"), "{verified}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_taken_while_serving_restores_exactly() {
    let db = TestDb::empty().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("e.csv");
    std::fs::write(&file, enterprise_csv(12, 0)).unwrap();
    ok(&bridgehead(&db, dir.path(), &["import", "enterprises", &file.display().to_string()]));
    let (mut server, _) = serve(&db, dir.path());
    let backup = dir.path().join("backup.db");
    ok(&bridgehead(&db, dir.path(), &["backup", &backup.display().to_string()]));
    let head_at_backup = ok(&bridgehead(&db, dir.path(), &["audit", "head"]));
    let before = ok(&bridgehead(
        &db,
        dir.path(),
        &["export", "enterprises", &dir.path().join("before.csv").display().to_string()],
    ));
    let _ = before;
    server.kill();

    // Change things after the backup.
    std::fs::write(&file, enterprise_csv(7, 500)).unwrap();
    ok(&bridgehead(&db, dir.path(), &["import", "enterprises", &file.display().to_string()]));
    assert_eq!(count(&db).await, 19);
    db.store.close().await;

    let refused = bridgehead(&db, dir.path(), &["restore", &backup.display().to_string()]);
    assert!(!refused.status.success(), "restore needs --yes");
    ok(&bridgehead(&db, dir.path(), &["restore", &backup.display().to_string(), "--yes"]));
    let head_after = ok(&bridgehead(&db, dir.path(), &["audit", "head"]));
    assert_eq!(head_after, head_at_backup);
    ok(&bridgehead(&db, dir.path(), &["export", "enterprises", &dir.path().join("after.csv").display().to_string()]));
    assert_eq!(
        std::fs::read(dir.path().join("before.csv")).unwrap(),
        std::fs::read(dir.path().join("after.csv")).unwrap(),
        "restored contents differ from the backup point"
    );
    let verified = ok(&bridgehead(&db, dir.path(), &["audit", "verify"]));
    assert!(verified.contains("intact"), "{verified}");
}
