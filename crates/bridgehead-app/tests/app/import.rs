//! Importing and exporting enterprise files: all or nothing, idempotent, scoped, and
//! forgiving about what spreadsheets produce.

use bridgehead_app::enterprises::{ENTERPRISE_COLUMNS, ImportOutcome};
use bridgehead_app::{Actor, App, AppError, AppResult};
use bridgehead_domain::access::Role;
use bridgehead_domain::enterprise::EnterpriseFields;
use bridgehead_io::enterprises::record_row;
use bridgehead_io::{FileFormat, Lang, RowError};
use bridgehead_store::enterprises::EnterpriseFilter;
use bridgehead_testkit::fixtures::{self, enterprise_fields};
use rust_xlsxwriter::{Format, Workbook};

use crate::common::{actor, admin, all_enterprises, enterprise_count, full_fields, head, setup, with_wrong_check};

async fn import(app: &App, actor: &Actor, bytes: &[u8], format: FileFormat) -> AppResult<ImportOutcome> {
    let name = match format {
        FileFormat::Csv => "enterprises.csv",
        FileFormat::Xlsx => "enterprises.xlsx",
    };
    app.import_enterprises(actor, name, bytes, format, &|_, _| {}).await
}

/// A file of `rows` in the export layout; XLSX files get a merged title row above the header.
fn file(rows: &[EnterpriseFields], lang: Lang, format: FileFormat) -> Vec<u8> {
    let mut rows = rows.iter().map(record_row);
    let title = (format == FileFormat::Xlsx).then_some("企业名录（示例）");
    bridgehead_io::write_sheet(ENTERPRISE_COLUMNS, lang, format, title, &mut rows).unwrap()
}

/// The row number of the `index`-th data row (0-based) of a file from [`file`].
fn row_of(index: usize, format: FileFormat) -> usize {
    match format {
        FileFormat::Csv => index + 2,
        FileFormat::Xlsx => index + 3,
    }
}

fn good_rows(n: usize) -> Vec<EnterpriseFields> {
    (0..n)
        .map(|i| full_fields(if i % 2 == 0 { "330482" } else { "330402" }, 200 + i, &format!("导入企业{i:02}（示例）")))
        .collect()
}

fn row_errors<T: std::fmt::Debug>(result: AppResult<T>) -> Vec<RowError> {
    match result {
        Err(AppError::ImportRows(errors)) => errors,
        other => panic!("expected AppError::ImportRows, got {other:?}"),
    }
}

#[tokio::test]
async fn a_file_with_bad_rows_stores_nothing_and_names_every_bad_row() {
    let (_db, app) = setup().await;
    fixtures::world(&app).await;
    for format in [FileFormat::Csv, FileFormat::Xlsx] {
        let mut rows = good_rows(7);
        let (bad_code, _) = with_wrong_check(rows[1].credit_code.as_deref().unwrap());
        rows[1].credit_code = Some(bad_code.clone());
        rows[3].region_code = Some("330499".to_owned());
        rows[5].established_on = Some("2020-02-30".to_owned());
        let bytes = file(&rows, Lang::Zh, format);
        let (count, audit_head) = (enterprise_count(&app).await, head(&app).await);

        let errors = row_errors(import(&app, &admin(), &bytes, format).await);
        let summary: Vec<(usize, &str, &str)> =
            errors.iter().map(|e| (e.row, e.column.as_str(), e.value.as_str())).collect();
        assert_eq!(
            summary,
            vec![
                (row_of(1, format), "统一社会信用代码", bad_code.as_str()),
                (row_of(3, format), "注册地区划代码", "330499"),
                (row_of(5, format), "成立日期", "2020-02-30"),
            ],
            "{format:?}: {errors:#?}"
        );
        assert!(errors[0].reason.contains("check character"), "{}", errors[0].reason);
        assert_eq!(errors[0].code, "credit_code.check_character");
        assert_eq!(errors[1].code, "region.unknown");
        assert!(errors[2].reason.contains("2020-02-30"), "{}", errors[2].reason);
        assert_eq!(enterprise_count(&app).await, count, "{format:?}: something was stored");
        assert_eq!(head(&app).await, audit_head, "{format:?}: something was audited");
    }
}

#[tokio::test]
async fn importing_the_same_file_twice_changes_nothing_the_second_time() {
    let (_db, app) = setup().await;
    for (format, offset) in [(FileFormat::Csv, 0), (FileFormat::Xlsx, 10)] {
        let rows: Vec<EnterpriseFields> = good_rows(15).into_iter().skip(offset).take(5).collect();
        let bytes = file(&rows, Lang::En, format);
        let before = enterprise_count(&app).await;
        let first = import(&app, &admin(), &bytes, format).await.unwrap();
        assert_eq!((first.rows, first.created, first.updated, first.unchanged), (5, 5, 0, 0), "{format:?}");
        assert!(first.ignored_columns.is_empty(), "{:?}", first.ignored_columns);
        assert_eq!(enterprise_count(&app).await, before + 5);
        let after_first = head(&app).await;
        let stored = all_enterprises(&app).await;

        let second = import(&app, &admin(), &bytes, format).await.unwrap();
        assert_eq!((second.rows, second.created, second.updated, second.unchanged), (5, 0, 0, 5), "{format:?}");
        assert_eq!(head(&app).await, after_first, "{format:?}: the second import was audited");
        assert_eq!(all_enterprises(&app).await, stored, "{format:?}: the second import changed records");
    }
    // The imported values are what the file said.
    let all = all_enterprises(&app).await;
    let first = all.iter().find(|e| e.record.name_zh == "导入企业00（示例）").unwrap();
    let expected = full_fields("330482", 200, "导入企业00（示例）").validate(false).unwrap();
    assert_eq!(first.record, expected);
}

#[tokio::test]
async fn a_changed_cell_updates_exactly_that_enterprise() {
    let (_db, app) = setup().await;
    let mut rows = good_rows(4);
    import(&app, &admin(), &file(&rows, Lang::Zh, FileFormat::Csv), FileFormat::Csv).await.unwrap();
    let before = all_enterprises(&app).await;
    let head_before = head(&app).await;

    rows[2].address = Some("新地址路99号".to_owned());
    let outcome = import(&app, &admin(), &file(&rows, Lang::Zh, FileFormat::Xlsx), FileFormat::Xlsx).await.unwrap();
    assert_eq!((outcome.created, outcome.updated, outcome.unchanged), (0, 1, 3));
    let after = all_enterprises(&app).await;
    let changed: Vec<_> = before.iter().zip(&after).filter(|(b, a)| b != a).collect();
    assert_eq!(changed.len(), 1, "{changed:#?}");
    let (b, a) = changed[0];
    assert_eq!(a.record.credit_code.as_str(), rows[2].credit_code.as_deref().unwrap());
    assert_eq!(a.record.address.as_deref(), Some("新地址路99号"));
    assert_eq!(a.version, b.version + 1);
    assert_eq!(a.record.name_zh, b.record.name_zh);
    // One record for the update, one for the import itself.
    assert_eq!(head(&app).await.seq, head_before.seq + 2);
    let records = app
        .audit_records(&admin(), &bridgehead_store::audit::AuditQuery { limit: 2, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(records[1].action, "import_update");
    assert_eq!(records[1].entity_key, a.id.to_string());
    assert_eq!(records[0].action, "import");
}

#[tokio::test]
async fn a_credit_code_twice_in_one_file_is_a_row_error_naming_the_first_row() {
    let (_db, app) = setup().await;
    let mut rows = good_rows(4);
    rows[3].credit_code = rows[1].credit_code.clone();
    rows[3].name_zh = Some("重复的企业（示例）".to_owned());
    let errors = row_errors(import(&app, &admin(), &file(&rows, Lang::Zh, FileFormat::Csv), FileFormat::Csv).await);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].row, 5);
    assert_eq!(errors[0].column, "统一社会信用代码");
    assert_eq!(errors[0].code, "import.duplicate_row");
    assert!(errors[0].reason.contains("row 3"), "{}", errors[0].reason);
    assert_eq!(enterprise_count(&app).await, 0);
}

#[tokio::test]
async fn a_file_without_a_required_column_is_refused_as_a_whole() {
    let (_db, app) = setup().await;
    let code = fixtures::credit_code("330482", 1);
    let csv = format!("统一社会信用代码,企业名称,行业代码\r\n{code},缺列企业（示例）,3670\r\n");
    match import(&app, &admin(), csv.as_bytes(), FileFormat::Csv).await {
        Err(AppError::ImportFile { code, message }) => {
            assert_eq!(code, "import.missing_columns");
            assert!(message.contains("注册地区划代码") || message.contains("Region code"), "{message}");
        }
        other => panic!("expected ImportFile, got {other:?}"),
    }
    // Not a workbook at all.
    assert!(matches!(
        import(&app, &admin(), b"just some text", FileFormat::Xlsx).await,
        Err(AppError::ImportFile { code: "import.xlsx", .. })
    ));
    assert_eq!(enterprise_count(&app).await, 0);
}

#[tokio::test]
async fn a_district_officer_cannot_import_into_another_district() {
    let (_db, app) = setup().await;
    let world = fixtures::world(&app).await;
    let officer = actor(&app, &world, Role::DistrictOfficer).await;
    let mut theirs_changed = world.theirs.record.to_fields();
    theirs_changed.name_zh = Some("改名（示例）".to_owned());
    let rows = vec![
        enterprise_fields("330482", 300, "平湖导入（示例）"),
        enterprise_fields("330402", 301, "南湖导入（示例）"),
        theirs_changed,
    ];
    let errors = row_errors(import(&app, &officer, &file(&rows, Lang::Zh, FileFormat::Csv), FileFormat::Csv).await);
    let summary: Vec<(usize, &str, &str)> =
        errors.iter().map(|e| (e.row, e.column.as_str(), e.code.as_str())).collect();
    assert_eq!(
        summary,
        vec![(3, "注册地区划代码", "region.out_of_scope"), (4, "统一社会信用代码", "enterprise.duplicate")],
        "{errors:#?}"
    );
    assert_eq!(enterprise_count(&app).await, 2);
    assert_eq!(crate::common::get_enterprise(&app, world.theirs.id).await, world.theirs);
    // Roles that do not register enterprises cannot import at all.
    let enterprise_user = actor(&app, &world, Role::EnterpriseUser).await;
    let only_ours = file(&rows[..1], Lang::Zh, FileFormat::Csv);
    assert!(matches!(import(&app, &enterprise_user, &only_ours, FileFormat::Csv).await, Err(AppError::Forbidden(_))));
    // Its own district's rows alone import.
    let outcome = import(&app, &officer, &only_ours, FileFormat::Csv).await.unwrap();
    assert_eq!(outcome.created, 1);
}

/// The CSV text of a hand-written file: Chinese headers (with the marks templates
/// carry), an unknown column, numbers as text, an Excel serial date, and empty rows.
fn handwritten_csv(first: &str, second: &str) -> String {
    format!(
        "*统一社会信用代码,企业名称（必填）,注册地区划代码,注册资本（元）,成立日期,是否上市,企业标签,备注\r\n\
         {first},嘉兴示例甲有限公司（示例）,330482,\"1,234.56\",45000,是,\"high_tech，little_giant\",第一行\r\n\
         {second},嘉兴示例乙有限公司（示例）,330402,2500000,2021/1/5,否,,\r\n\
         ,,,,,,,\r\n\
         \r\n\
         ,,,,,,,\r\n"
    )
}

fn assert_handwritten(app_all: &[bridgehead_domain::enterprise::Enterprise], first: &str, second: &str) {
    let a = app_all.iter().find(|e| e.record.credit_code.as_str() == first).expect("first row stored");
    assert_eq!(a.record.name_zh, "嘉兴示例甲有限公司（示例）");
    assert_eq!(a.record.region_code.as_str(), "330482");
    assert_eq!(a.record.registered_capital_minor, Some(123_456));
    assert_eq!(a.record.established_on.map(bridgehead_domain::enterprise::format_date).as_deref(), Some("2023-03-15"));
    assert!(a.record.listed);
    assert_eq!(a.record.tags, vec!["high_tech".to_owned(), "little_giant".to_owned()]);
    let b = app_all.iter().find(|e| e.record.credit_code.as_str() == second).expect("second row stored");
    assert_eq!(b.record.name_zh, "嘉兴示例乙有限公司（示例）");
    assert_eq!(b.record.registered_capital_minor, Some(250_000_000));
    assert_eq!(b.record.established_on.map(bridgehead_domain::enterprise::format_date).as_deref(), Some("2021-01-05"));
    assert!(!b.record.listed);
}

#[tokio::test]
async fn csv_files_from_excel_and_wps_import_utf8_with_bom_and_gbk() {
    let (_db, app) = setup().await;
    // UTF-8 with a BOM.
    let (a, b) = (fixtures::credit_code("330482", 400), fixtures::credit_code("330402", 401));
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(handwritten_csv(&a, &b).as_bytes());
    let outcome = import(&app, &admin(), &bom, FileFormat::Csv).await.unwrap();
    assert_eq!((outcome.rows, outcome.created), (2, 2), "{outcome:?}");
    assert_eq!(outcome.ignored_columns, vec!["备注".to_owned()]);
    assert_handwritten(&all_enterprises(&app).await, &a, &b);

    // GBK, as a Chinese-locale Excel saves "CSV".
    let (c, d) = (fixtures::credit_code("330482", 402), fixtures::credit_code("330402", 403));
    let text = handwritten_csv(&c, &d);
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&gbk).is_err(), "the test file must really be GBK");
    let outcome = import(&app, &admin(), &gbk, FileFormat::Csv).await.unwrap();
    assert_eq!((outcome.rows, outcome.created), (2, 2), "{outcome:?}");
    assert_handwritten(&all_enterprises(&app).await, &c, &d);
    assert_eq!(enterprise_count(&app).await, 4);
}

#[tokio::test]
async fn xlsx_with_a_merged_title_row_numbers_as_text_and_serial_dates_imports() {
    let (_db, app) = setup().await;
    let (a, b) = (fixtures::credit_code("330482", 500), fixtures::credit_code("330402", 501));
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let bold = Format::new().set_bold();
    sheet.merge_range(0, 0, 0, 6, "2024年重点企业名单（示例）", &bold).unwrap();
    let headers = [
        "*统一社会信用代码",
        "企业名称（必填）",
        "注册地区划代码",
        "注册资本（元）",
        "成立日期",
        "是否上市",
        "企业标签",
    ];
    for (col, header) in headers.iter().enumerate() {
        sheet.write_string(1, u16::try_from(col).unwrap(), *header).unwrap();
    }
    // Row 3: everything typed as text, the date as a plain number (a serial).
    sheet.write_string(2, 0, &a).unwrap();
    sheet.write_string(2, 1, "嘉兴示例甲有限公司（示例）").unwrap();
    sheet.write_string(2, 2, "330482").unwrap();
    sheet.write_string(2, 3, "1,234.56").unwrap();
    sheet.write_number(2, 4, 45000).unwrap();
    sheet.write_string(2, 5, "是").unwrap();
    sheet.write_string(2, 6, "high_tech，little_giant").unwrap();
    // Row 4: the region and capital as numbers, the date as a date-formatted cell.
    sheet.write_string(3, 0, &b).unwrap();
    sheet.write_string(3, 1, "嘉兴示例乙有限公司（示例）").unwrap();
    sheet.write_number(3, 2, 330_402).unwrap();
    sheet.write_number(3, 3, 2_500_000).unwrap();
    sheet.write_number_with_format(3, 4, 44_201, &Format::new().set_num_format("yyyy-mm-dd")).unwrap();
    sheet.write_string(3, 5, "否").unwrap();
    // Trailing rows with only blanks.
    sheet.write_string(6, 0, "   ").unwrap();
    sheet.write_string(9, 3, " ").unwrap();
    let bytes = workbook.save_to_buffer().unwrap();

    let outcome = import(&app, &admin(), &bytes, FileFormat::Xlsx).await.unwrap();
    assert_eq!((outcome.rows, outcome.created, outcome.updated), (2, 2, 0), "{outcome:?}");
    assert_handwritten(&all_enterprises(&app).await, &a, &b);
    // An .xlsx uploaded under a .csv name is still read as a workbook.
    let again = import(&app, &admin(), &bytes, FileFormat::Csv).await.unwrap();
    assert_eq!((again.created, again.unchanged), (0, 2));
}

#[tokio::test]
async fn an_export_imports_back_unchanged_in_both_formats_and_languages() {
    let (_db, app) = setup().await;
    let world = fixtures::world(&app).await;
    for row in good_rows(6) {
        app.create_enterprise(&admin(), &row).await.unwrap();
    }
    // An accepted override, a name that looks like a formula and an empty optional field.
    let (bad, _) = with_wrong_check(&fixtures::credit_code("330411", 600));
    let odd = EnterpriseFields {
        credit_code: Some(bad),
        credit_code_override_reason: Some("登记机关确认".to_owned()),
        name_en: Some("=HYPERLINK(\"x\") Co.".to_owned()),
        contact_phone: Some("-".to_owned()),
        ..full_fields("330411", 600, "-示例（示例）")
    };
    app.create_enterprise(&admin(), &odd).await.unwrap();
    let all = all_enterprises(&app).await;
    assert_eq!(all.len(), 9);
    let audit_head = head(&app).await;

    for format in [FileFormat::Csv, FileFormat::Xlsx] {
        for lang in [Lang::Zh, Lang::En] {
            let filter = EnterpriseFilter::default();
            let bytes = app.export_enterprises(&admin(), filter, lang, format).await.unwrap();
            let outcome = import(&app, &admin(), &bytes, format).await.unwrap();
            assert_eq!(
                (outcome.rows, outcome.created, outcome.updated, outcome.unchanged),
                (9, 0, 0, 9),
                "{format:?} {lang:?}"
            );
            assert!(outcome.ignored_columns.is_empty(), "{format:?} {lang:?}: {:?}", outcome.ignored_columns);
            assert_eq!(all_enterprises(&app).await, all, "{format:?} {lang:?}");
            assert_eq!(head(&app).await, audit_head, "{format:?} {lang:?}");
        }
    }
    // A district officer's export holds only its district, and imports back unchanged too.
    let officer = actor(&app, &world, Role::DistrictOfficer).await;
    let bytes =
        app.export_enterprises(&officer, EnterpriseFilter::default(), Lang::Zh, FileFormat::Xlsx).await.unwrap();
    let outcome = import(&app, &officer, &bytes, FileFormat::Xlsx).await.unwrap();
    let in_pinghu = all.iter().filter(|e| e.record.region_code.as_str() == "330482").count();
    assert_eq!((outcome.rows, outcome.unchanged), (in_pinghu, in_pinghu));
    assert_eq!(head(&app).await, audit_head);
}
