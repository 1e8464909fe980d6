//! Fund ledgers imported from files (SPEC §5), on SQLite or PostgreSQL: a file written
//! whole (partners and holdings found by name within the fund, a fund partner's flows
//! mirrored into the investing fund) and the fund's performance following it; a file
//! with a contribution above a commitment, or any other problem, refused whole with
//! every problem named; the same file imported again — or twice at once — written once;
//! the same rights as recording an entry. Amounts are written yuan_cents.
#![allow(clippy::inconsistent_digit_grouping)]

use bridgehead_app::fund_ledger::{LEDGER_COLUMNS, LedgerImportOutcome};
use bridgehead_app::funds::{EntryInput, FundInput, HoldingInput, PartnerInput};
use bridgehead_app::{Actor, App, AppError};
use bridgehead_domain::access::{Role, Scope, TokenScope};
use bridgehead_io::{FileFormat, Lang, RowError};
use bridgehead_testkit::fixtures::{World, world};

use crate::common::{actor, admin, head, setup, user};

fn fund_input(name: &str, kind: &str, manager: Option<i64>) -> FundInput {
    FundInput {
        name_zh: name.to_owned(),
        name_en: None,
        kind: kind.to_owned(),
        manager_organization_id: manager,
        currency_code: None,
        target_size_minor: 100_000_000_00,
        vintage: 2023,
        investment_years: 5,
        term_years: 8,
        home_region_code: "330400".to_owned(),
        focus_industries: vec![],
    }
}

fn partner(name: &str, kind: &str, commitment_minor: i64, investor_fund_id: Option<i64>) -> PartnerInput {
    PartnerInput {
        name: name.to_owned(),
        kind: kind.to_owned(),
        investor_fund_id,
        commitment_minor,
        committed_on: "2023-01-10".to_owned(),
    }
}

/// A fund managed by the world's fund manager, with a government LP (1,000,000.00), a
/// social LP (500,000.00), a provincial parent fund as LP (300,000.00), a holding in the
/// world's Pinghu enterprise and one in a sub-fund.
struct Setting {
    world: World,
    manager: Actor,
    fund: i64,
    parent: i64,
    social: i64,
}

async fn setting(app: &App) -> Setting {
    let world = world(app).await;
    let manager = actor(app, &world, Role::FundManager).await;
    let Scope::Organization { organization_id } = manager.scope else { panic!("a fund manager has an organisation") };
    let admin = admin();
    let parent = app.create_fund(&admin, &fund_input("省级母基金（示例）", "guidance", None)).await.unwrap();
    let fund = app
        .create_fund(&admin, &fund_input("高端装备产业基金（示例）", "industry", Some(organization_id)))
        .await
        .unwrap();
    let sub =
        app.create_fund(&admin, &fund_input("装备子基金（示例）", "sub_fund", Some(organization_id))).await.unwrap();
    app.add_partner(&admin, fund.id, &partner("嘉兴市财政局（示例）", "government", 1_000_000_00, None)).await.unwrap();
    let social =
        app.add_partner(&admin, fund.id, &partner("社会资本（示例）", "social", 500_000_00, None)).await.unwrap();
    app.add_partner(&admin, fund.id, &partner("省级母基金", "fund", 300_000_00, Some(parent.id))).await.unwrap();
    // The fund invests in the sub-fund: it becomes the sub-fund's partner and holds it.
    app.add_partner(&admin, sub.id, &partner("高端装备产业基金", "fund", 400_000_00, Some(fund.id))).await.unwrap();
    app.add_holding(
        &manager,
        fund.id,
        &HoldingInput { enterprise_id: world.ours.id, project_id: None, acquired_on: "2023-04-01".to_owned() },
    )
    .await
    .unwrap();
    Setting { world, manager, fund: fund.id, parent: parent.id, social: social.id }
}

/// A ledger file's rows (in the layout's column order) as a file of `format`.
fn file(rows: &[[&str; 7]], format: FileFormat) -> Vec<u8> {
    let mut rows = rows.iter().map(|r| r.iter().map(|c| (*c).to_owned()).collect::<Vec<String>>());
    bridgehead_io::write_sheet(LEDGER_COLUMNS, Lang::Zh, format, None, &mut rows).unwrap()
}

fn import_rows(result: Result<LedgerImportOutcome, AppError>) -> Vec<RowError> {
    match result {
        Err(AppError::ImportRows(rows)) => rows,
        other => panic!("expected row errors, got {other:?}"),
    }
}

async fn entry_count(app: &App, fund: i64) -> usize {
    app.fund(&admin(), fund).await.unwrap().entries.len()
}

async fn import_log_count(app: &App) -> i64 {
    let mut conn = app.store.read().await.unwrap();
    let row = sqlx::query("SELECT COUNT(*) AS n FROM imports").fetch_one(&mut *conn).await.unwrap();
    sqlx::Row::try_get(&row, "n").unwrap()
}

#[tokio::test]
async fn a_ledger_file_is_written_whole_and_the_performance_follows_it() {
    let (_db, app) = setup().await;
    let s = setting(&app).await;
    let code = s.world.ours.record.credit_code.to_string();
    // Names as people write them: half-width brackets, the credit code or the name.
    let rows = [
        ["2023-03-01", "实缴出资", "600000.00", "嘉兴市财政局（示例）", "", "投资款", "首期"],
        ["2023-03-01", "实缴出资", "300,000", "社会资本(示例)", "", "", ""],
        ["2023-03-02", "contribution", "200000", "省级母基金", "", "", ""],
        ["2023-04-01", "投资", "500000", "", code.as_str(), "", ""],
        ["2023-04-02", "投资", "250000.50", "", "装备子基金（示例）", "", ""],
        ["2023-06-30", "管理费", "10000.25", "", "", "", ""],
        ["2024-06-30", "退出回款", "120000", "", "平湖测试企业(示例)", "收益", ""],
        ["2024-07-01", "分配", "50000", "嘉兴市财政局（示例）", "", "返还本金", ""],
    ];
    let outcome = app
        .import_fund_ledger(&s.manager, s.fund, &file(&rows, FileFormat::Xlsx), FileFormat::Xlsx, "台账.xlsx")
        .await
        .unwrap();
    assert!(!outcome.already_imported);
    assert_eq!((outcome.entries, outcome.mirrored), (8, 1));
    assert_eq!(outcome.total_amount_minor, 2_030_000_75);
    let kinds: Vec<(&str, usize, i64)> =
        outcome.by_kind.iter().map(|(k, t)| (k.as_str(), t.entries, t.amount_minor)).collect();
    assert_eq!(
        kinds,
        vec![
            ("contribution", 3, 1_100_000_00),
            ("distribution", 1, 50_000_00),
            ("investment", 2, 750_000_50),
            ("management_fee", 1, 10_000_25),
            ("proceeds", 1, 120_000_00),
        ]
    );
    assert_eq!(outcome.file_name, "台账.xlsx");
    assert!(!outcome.imported_at.is_empty());

    let detail = app.fund(&s.manager, s.fund).await.unwrap();
    assert_eq!(detail.entries.len(), 8);
    let contributed: Vec<i64> = detail.partners.iter().map(|p| p.contributed_minor).collect();
    assert_eq!(contributed, vec![600_000_00, 300_000_00, 200_000_00]);
    let first = &detail.entries[0];
    assert_eq!((first.component.as_deref(), first.memo.as_deref()), (Some("investment"), Some("首期")));
    assert!(detail.entries.iter().all(|e| e.entered_by == s.manager.label));

    let performance = app.fund_performance(&s.manager, s.fund, Some("2024-12-31")).await.unwrap();
    assert_eq!(performance.multiples.paid_in, 1_100_000_00);
    assert_eq!(performance.multiples.distributed, 50_000_00);
    assert_eq!(performance.invested, 750_000_50);
    assert_eq!(performance.proceeds, 120_000_00);
    assert_eq!(performance.fees, 10_000_25);
    // The provincial fund's contribution is its investment in this fund.
    let parent = app.fund(&admin(), s.parent).await.unwrap();
    let mirrored: Vec<(String, i64)> = parent.entries.iter().map(|e| (e.kind.clone(), e.amount_minor)).collect();
    assert_eq!(mirrored, vec![("investment".to_owned(), 200_000_00)]);

    // The import is in the log and audited.
    let records = bridgehead_store::audit::list(
        &mut app.store.read().await.unwrap(),
        &bridgehead_store::audit::AuditQuery {
            entity: Some("fund_ledger_import".into()),
            entity_key: Some(outcome.import_id.to_string()),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].actor, s.manager.label);
}

#[tokio::test]
async fn a_contribution_above_commitment_anywhere_refuses_the_whole_file() {
    let (_db, app) = setup().await;
    let s = setting(&app).await;
    // 100,000.00 of the social LP's 500,000.00 is paid in already.
    let paid = EntryInput {
        date: "2023-02-01".to_owned(),
        kind: "contribution".to_owned(),
        amount_minor: 100_000_00,
        component: None,
        partner_id: Some(s.social),
        holding_id: None,
        memo: None,
    };
    app.record_entry(&s.manager, s.fund, &paid).await.unwrap();
    let rows = [
        ["2023-03-01", "实缴出资", "300000", "社会资本（示例）", "", "", ""],
        ["2023-03-01", "管理费", "100", "", "", "", ""],
        // 100,000.00 + 300,000.00 + 100,000.01 is a cent above the commitment.
        ["2023-05-01", "实缴出资", "100000.01", "社会资本（示例）", "", "", ""],
        ["2023-06-01", "实缴出资", "1", "嘉兴市财政局（示例）", "", "", ""],
        ["2023-07-01", "投资", "10", "", "不存在的公司（示例）", "", ""],
        ["2023-07-01", "分配", "10", "不存在的合伙人（示例）", "", "", ""],
        ["2023-07-02", "投资", "1.005", "", "不存在的公司（示例）", "", ""],
    ];
    let before = head(&app).await;
    let logged = import_log_count(&app).await;
    for format in [FileFormat::Csv, FileFormat::Xlsx] {
        let errors = import_rows(app.import_fund_ledger(&s.manager, s.fund, &file(&rows, format), format, "l").await);
        let found: Vec<(usize, &str, &str, &str)> =
            errors.iter().map(|e| (e.row, e.column.as_str(), e.value.as_str(), e.code.as_str())).collect();
        assert_eq!(
            found,
            vec![
                (4, "金额（元）", "100000.01", "fund.contribution_above_commitment"),
                (6, "投资标的", "不存在的公司（示例）", "fund.holding_unknown"),
                (7, "合伙人", "不存在的合伙人（示例）", "fund.partner_unknown"),
                (8, "金额（元）", "1.005", "amount.too_many_decimals"),
                (8, "投资标的", "不存在的公司（示例）", "fund.holding_unknown"),
            ],
            "{format:?}"
        );
        let reason = &errors[0].reason;
        for part in [
            "社会资本（示例）",
            "100000.01",
            "500000.01",
            "500000.00",
            "400000.00",
            "of which 100000.00 before this file",
        ] {
            assert!(reason.contains(part), "{part} missing from: {reason}");
        }
    }
    // Nothing was written: not the good rows, not the log, not the audit chain.
    assert_eq!(entry_count(&app, s.fund).await, 1);
    let detail = app.fund(&admin(), s.fund).await.unwrap();
    assert_eq!(detail.partners.iter().map(|p| p.contributed_minor).sum::<i64>(), 100_000_00);
    assert_eq!(import_log_count(&app).await, logged);
    assert_eq!(head(&app).await, before);

    // Exactly up to the commitment is fine, and a refused file can be imported once fixed.
    let mut fixed = rows[..4].to_vec();
    fixed[2][2] = "100000.00";
    let outcome =
        app.import_fund_ledger(&s.manager, s.fund, &file(&fixed, FileFormat::Csv), FileFormat::Csv, "l").await.unwrap();
    assert_eq!(outcome.entries, 4);
    let detail = app.fund(&admin(), s.fund).await.unwrap();
    assert_eq!(detail.partners.iter().find(|p| p.id == s.social).unwrap().contributed_minor, 500_000_00);
}

#[tokio::test]
async fn a_file_imported_again_changes_nothing_and_gets_the_first_answer() {
    let (_db, app) = setup().await;
    let s = setting(&app).await;
    let rows = [
        ["2023-03-01", "实缴出资", "1000", "社会资本（示例）", "", "", ""],
        ["2023-03-02", "费用", "12.34", "", "", "", "审计费"],
    ];
    let bytes = file(&rows, FileFormat::Csv);
    let first = app.import_fund_ledger(&s.manager, s.fund, &bytes, FileFormat::Csv, "march.csv").await.unwrap();
    let entries = entry_count(&app, s.fund).await;
    let chain = head(&app).await;
    let logged = import_log_count(&app).await;
    // Again, by someone else, under another name: the first import's answer, nothing written.
    for (who, name) in [(&s.manager, "march.csv"), (&admin(), "march (copy).csv")] {
        let again = app.import_fund_ledger(who, s.fund, &bytes, FileFormat::Csv, name).await.unwrap();
        assert!(again.already_imported);
        assert_eq!(LedgerImportOutcome { already_imported: false, ..again }, first);
    }
    assert_eq!(entry_count(&app, s.fund).await, entries);
    assert_eq!(head(&app).await, chain);
    assert_eq!(import_log_count(&app).await, logged);

    // A file with one more row is another file: written.
    let more = [rows[0], rows[1], ["2023-03-03", "费用", "1", "", "", "", ""]];
    let outcome =
        app.import_fund_ledger(&s.manager, s.fund, &file(&more, FileFormat::Csv), FileFormat::Csv, "m").await.unwrap();
    assert!(!outcome.already_imported);
    assert_eq!(entry_count(&app, s.fund).await, entries + 3);

    // The same new file twice at once: written once, both told the same import.
    let third = file(&[["2023-04-01", "管理费", "5", "", "", "", ""]], FileFormat::Csv);
    let tasks: Vec<_> = (0..2)
        .map(|_| {
            let (app, manager, bytes) = (app.clone(), s.manager.clone(), third.clone());
            let fund = s.fund;
            tokio::spawn(async move { app.import_fund_ledger(&manager, fund, &bytes, FileFormat::Csv, "t").await })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap().unwrap());
    }
    assert_eq!(answers[0].import_id, answers[1].import_id);
    assert_eq!(answers.iter().filter(|a| a.already_imported).count(), 1);
    assert_eq!(entry_count(&app, s.fund).await, entries + 4);
}

#[tokio::test]
async fn only_those_who_keep_the_ledger_import_it() {
    let (_db, app) = setup().await;
    let s = setting(&app).await;
    let bytes = file(&[["2023-03-01", "管理费", "1", "", "", "", ""]], FileFormat::Csv);
    for role in [Role::CityAnalyst, Role::DistrictOfficer, Role::EnterpriseUser, Role::InstitutionUser] {
        let someone = actor(&app, &s.world, role).await;
        let result = app.import_fund_ledger(&someone, s.fund, &bytes, FileFormat::Csv, "x.csv").await;
        assert!(matches!(result, Err(AppError::Forbidden(_))), "{role:?}: {result:?}");
    }
    // A read-only token of the manager may not write.
    let manager = user(&app, s.world.username(Role::FundManager)).await;
    let read_only = Actor::user(&manager, Some(TokenScope::Read));
    let result = app.import_fund_ledger(&read_only, s.fund, &bytes, FileFormat::Csv, "x.csv").await;
    assert!(matches!(result, Err(AppError::Forbidden(_))), "{result:?}");
    // A fund the manager does not manage is answered as if it did not exist.
    let result = app.import_fund_ledger(&s.manager, s.parent, &bytes, FileFormat::Csv, "x.csv").await;
    assert!(matches!(result, Err(AppError::NotFound { .. })), "{result:?}");
    assert_eq!(entry_count(&app, s.fund).await, 0);
    assert_eq!(entry_count(&app, s.parent).await, 0);
    // A file that is not a ledger is refused as a whole, naming what is missing.
    let result = app.import_fund_ledger(&s.manager, s.fund, b"a,b\n1,2\n", FileFormat::Csv, "x.csv").await;
    assert!(matches!(result, Err(AppError::ImportFile { code: "import.no_header_row", .. })), "{result:?}");
    // The template is the fund's to read.
    let template = app.fund_ledger_template(&s.manager, s.fund, Lang::En, FileFormat::Csv).await.unwrap();
    assert!(String::from_utf8(template).unwrap().contains("*Date,*Kind,*Amount (yuan),Partner,Holding"));
    assert!(matches!(
        app.fund_ledger_template(&s.manager, s.parent, Lang::Zh, FileFormat::Xlsx).await,
        Err(AppError::NotFound { .. })
    ));
}

#[tokio::test]
async fn the_database_keeps_a_file_from_being_written_twice() {
    let (_db, app) = setup().await;
    let s = setting(&app).await;
    let bytes = file(&[["2023-03-01", "管理费", "7", "", "", "", ""]], FileFormat::Csv);
    let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
    // Another server is importing the same file into the same fund: it has claimed the
    // file and not yet committed.
    let mut other = app.store.begin().await.unwrap();
    let summary = bridgehead_store::imports::ImportSummary {
        kind: "fund_ledger".to_owned(),
        file_name: "elsewhere.csv".to_owned(),
        file_sha256: hash.clone(),
        row_count: 1,
        created_count: 1,
        updated_count: 0,
        unchanged_count: 0,
    };
    let import_id = bridgehead_store::imports::record(&mut other, None, &summary).await.unwrap();
    let claimed = LedgerImportOutcome {
        fund_id: s.fund,
        import_id,
        file_name: "elsewhere.csv".to_owned(),
        file_sha256: hash.clone(),
        imported_at: String::new(),
        entries: 1,
        mirrored: 0,
        by_kind: [(
            "management_fee".to_owned(),
            bridgehead_app::fund_ledger::KindTotal { entries: 1, amount_minor: 7_00 },
        )]
        .into(),
        total_amount_minor: 7_00,
        ignored_columns: vec![],
        already_imported: false,
    };
    bridgehead_store::funds::insert_ledger_import(
        &mut other,
        s.fund,
        &hash,
        import_id,
        &serde_json::to_string(&claimed).unwrap(),
    )
    .await
    .unwrap();
    let task = {
        let (app, manager, fund) = (app.clone(), s.manager.clone(), s.fund);
        tokio::spawn(async move { app.import_fund_ledger(&manager, fund, &bytes, FileFormat::Csv, "here.csv").await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(!task.is_finished(), "the import waits for the other transaction");
    other.commit().await.unwrap();
    let answer = task.await.unwrap().unwrap();
    assert!(answer.already_imported);
    assert_eq!((answer.import_id, answer.file_name.as_str()), (import_id, "elsewhere.csv"));
    assert_eq!(entry_count(&app, s.fund).await, 0, "this import wrote nothing");
}
