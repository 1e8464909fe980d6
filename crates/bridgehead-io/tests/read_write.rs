//! Reading and writing real files: XLSX workbooks built here the way Excel and WPS lay
//! them out (titles, merged group headers, dates, numbers), CSV files in the encodings
//! and dialects found in the wild, round trips through the writers, and random input.

// A failed unwrap is a failed test, which is what it should be here.
#![allow(clippy::unwrap_used)]

use bridgehead_io::{
    ColumnSpec, FileFormat, Lang, Limits, ReadError, Sheet, excel_serial_to_iso_date, read_sheet, template, write_sheet,
};
use proptest::prelude::*;
use rust_xlsxwriter::{Format, Workbook};

static COLUMNS: &[ColumnSpec] = &[
    ColumnSpec {
        key: "credit_code",
        zh: "统一社会信用代码",
        en: "Unified social credit code",
        required: true,
        note_zh: "18 位统一社会信用代码",
        note_en: "The 18-character unified social credit code",
    },
    ColumnSpec {
        key: "name",
        zh: "企业名称",
        en: "Company name",
        required: true,
        note_zh: "营业执照上的全称",
        note_en: "Full name as on the business licence",
    },
    ColumnSpec {
        key: "industry_code",
        zh: "行业代码",
        en: "Industry code",
        required: false,
        note_zh: "国民经济行业分类代码",
        note_en: "GB/T 4754 industry code",
    },
    ColumnSpec {
        key: "registered_capital",
        zh: "注册资本",
        en: "Registered capital",
        required: false,
        note_zh: "万元",
        note_en: "In 10,000 yuan",
    },
    ColumnSpec {
        key: "established_on",
        zh: "成立日期",
        en: "Date established",
        required: false,
        note_zh: "YYYY-MM-DD",
        note_en: "YYYY-MM-DD",
    },
];

const KEYS: [&str; 5] = ["credit_code", "name", "industry_code", "registered_capital", "established_on"];

fn read(bytes: &[u8], format: FileFormat) -> Result<Sheet, ReadError> {
    read_sheet(bytes, format, COLUMNS, &Limits::default())
}

/// Each record as (row, values by key), for comparing whole sheets at once.
fn rows(sheet: &Sheet) -> Vec<(usize, Vec<Option<&str>>)> {
    sheet.records.iter().map(|r| (r.row, KEYS.iter().map(|k| r.get(k)).collect())).collect()
}

/// A workbook as a city department would send it: a title, group headers merged
/// across columns, a header merged down two rows, decorated header names, numbers
/// stored as text and as numbers, dates, an empty row, a merged data cell and
/// formatted but empty rows at the end.
fn department_workbook() -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let text = Format::new().set_num_format("@");
    sheet.merge_range(0, 0, 0, 5, "2024年重点企业名单", &bold).unwrap();
    sheet.merge_range(1, 0, 1, 2, "基本信息", &bold).unwrap();
    sheet.write_string_with_format(1, 3, "经营信息", &bold).unwrap();
    // Merged down: the header row below inherits it.
    sheet.merge_range(1, 4, 2, 4, "成立日期", &bold).unwrap();
    sheet.write_string(1, 5, "其他").unwrap();
    sheet.write_string(2, 0, "*统一社会信用代码").unwrap();
    sheet.write_string(2, 1, "企业名称\n（必填）").unwrap();
    sheet.write_string(2, 2, "　行业代码 ").unwrap();
    sheet.write_string(2, 3, "注册资本（万元）").unwrap();
    sheet.write_string(2, 5, "备注").unwrap();

    sheet.write_string(3, 0, " 91330100716105852F ").unwrap();
    sheet.write_string(3, 1, "阿里巴巴（中国）有限公司").unwrap();
    sheet.write_string_with_format(3, 2, "0111", &text).unwrap();
    sheet.write_number(3, 3, 1234.56).unwrap();
    sheet.write_number_with_format(3, 4, 45000.0, &date).unwrap();
    sheet.write_string(3, 5, "备注内容").unwrap();

    sheet.write_string(4, 0, "91110000100000000X").unwrap();
    sheet.write_string(4, 1, "\u{a0}北京某某科技有限公司\u{3000}").unwrap();
    sheet.write_number(4, 2, 6512.0).unwrap();
    sheet.write_number(4, 3, 0.1 + 0.2).unwrap();
    // A serial in a plain number cell stays a number; callers may convert it.
    sheet.write_number(4, 4, 45000.0).unwrap();

    // Row 6 is empty.
    sheet.write_string(6, 0, "91330000MA27XXXX0X").unwrap();
    sheet.merge_range(6, 1, 7, 1, "同一集团有限公司", &Format::new()).unwrap();
    sheet.write_boolean(6, 2, true).unwrap();
    sheet.write_number_with_format(6, 4, 45000.5, &datetime).unwrap();

    sheet.write_string(7, 0, "91330000MA27YYYY0Y").unwrap();
    sheet.write_formula(7, 3, "=1/0").unwrap();

    // Only a remark: nothing to import.
    sheet.write_string(8, 5, "合计 3 家").unwrap();
    for row in 9..20 {
        sheet.write_blank(row, 0, &bold).unwrap();
    }
    workbook.save_to_buffer().unwrap()
}

#[test]
fn reads_a_department_workbook() {
    let sheet = read(&department_workbook(), FileFormat::Xlsx).unwrap();
    assert_eq!(sheet.header_row, 3);
    assert_eq!(
        sheet.headers_found,
        vec![
            Some("*统一社会信用代码".to_owned()),
            Some("企业名称\n（必填）".to_owned()),
            Some("行业代码".to_owned()),
            Some("注册资本（万元）".to_owned()),
            Some("成立日期".to_owned()),
        ]
    );
    assert_eq!(sheet.ignored_headers, vec!["备注".to_owned()]);
    assert_eq!(
        rows(&sheet),
        vec![
            (
                4,
                vec![
                    Some("91330100716105852F"),
                    Some("阿里巴巴（中国）有限公司"),
                    Some("0111"),
                    Some("1234.56"),
                    Some("2023-03-15")
                ]
            ),
            (
                5,
                vec![
                    Some("91110000100000000X"),
                    Some("北京某某科技有限公司"),
                    Some("6512"),
                    Some("0.3"),
                    Some("45000")
                ]
            ),
            (
                7,
                vec![
                    Some("91330000MA27XXXX0X"),
                    Some("同一集团有限公司"),
                    Some("true"),
                    None,
                    Some("2023-03-15 12:00:00")
                ]
            ),
            // rust_xlsxwriter stores no cached result for formulas, so the cell reads as 0.
            (8, vec![Some("91330000MA27YYYY0Y"), Some("同一集团有限公司"), None, Some("0"), None]),
        ]
    );
    assert_eq!(sheet.header_for("name"), "企业名称\n（必填）");
    assert_eq!(excel_serial_to_iso_date(45000.0).as_deref(), Some("2023-03-15"));
}

#[test]
fn upper_header_row_fills_columns_the_lower_row_leaves_empty() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "统一社会信用代码").unwrap();
    sheet.merge_range(0, 1, 0, 2, "基本情况", &Format::new()).unwrap();
    sheet.write_string(1, 1, "企业名称").unwrap();
    sheet.write_string(1, 2, "Industry Code").unwrap();
    sheet.write_string(2, 0, "91330100716105852F").unwrap();
    sheet.write_string(2, 1, "某公司").unwrap();
    sheet.write_string(2, 2, "C13").unwrap();
    let sheet = read(&workbook.save_to_buffer().unwrap(), FileFormat::Xlsx).unwrap();
    assert_eq!(sheet.header_row, 2);
    assert_eq!(sheet.header_for("credit_code"), "统一社会信用代码");
    assert_eq!(sheet.header_for("industry_code"), "Industry Code");
    assert_eq!(sheet.header_for("established_on"), "成立日期");
    assert_eq!(rows(&sheet), vec![(3, vec![Some("91330100716105852F"), Some("某公司"), Some("C13"), None, None])]);
}

#[test]
fn two_row_header_wins_over_its_upper_row_on_equal_own_matches() {
    // Each header row names one column itself; only together do they name both.
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "统一社会信用代码").unwrap();
    sheet.write_string(0, 1, "基本情况").unwrap();
    sheet.write_string(1, 1, "企业名称").unwrap();
    sheet.write_string(2, 0, "91330100716105852F").unwrap();
    sheet.write_string(2, 1, "某公司").unwrap();
    let sheet = read(&workbook.save_to_buffer().unwrap(), FileFormat::Xlsx).unwrap();
    assert_eq!(sheet.header_row, 2);
    assert_eq!(sheet.ignored_headers, Vec::<String>::new());
    assert_eq!(rows(&sheet), vec![(3, vec![Some("91330100716105852F"), Some("某公司"), None, None, None])]);
}

#[test]
fn a_header_merged_across_columns_names_its_first_column_once() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "统一社会信用代码").unwrap();
    sheet.merge_range(0, 1, 0, 2, "企业名称", &Format::new()).unwrap();
    sheet.write_string(1, 0, "91330100716105852F").unwrap();
    sheet.write_string(1, 1, "某公司").unwrap();
    sheet.write_string(1, 2, "Some Company").unwrap();
    let sheet = read(&workbook.save_to_buffer().unwrap(), FileFormat::Xlsx).unwrap();
    assert_eq!(rows(&sheet), vec![(2, vec![Some("91330100716105852F"), Some("某公司"), None, None, None])]);
}

#[test]
fn csv_with_bom_crlf_and_quoted_fields() {
    let text = "\u{feff}统一社会信用代码,企业名称,行业代码,备注\r\n\
                91330100716105852F,\"阿里巴巴, 中国\",0111,\"两行\r\n备注\"\r\n\
                \r\n\
                ,,,\r\n\
                91110000100000000X,\"说 \"\"引号\"\"\"\r\n\
                \r\n";
    let sheet = read(text.as_bytes(), FileFormat::Csv).unwrap();
    assert_eq!(sheet.header_row, 1);
    assert_eq!(sheet.ignored_headers, vec!["备注".to_owned()]);
    assert_eq!(
        rows(&sheet),
        vec![
            (2, vec![Some("91330100716105852F"), Some("阿里巴巴, 中国"), Some("0111"), None, None]),
            // The quoted line break above moves this record to line 6.
            (6, vec![Some("91110000100000000X"), Some("说 \"引号\""), None, None, None]),
        ]
    );
}

#[test]
fn csv_in_gbk_as_chinese_excel_saves_it() {
    let text = "企业名单（2024）\r\n统一社会信用代码,企业名称,注册资本（万元）\r\n91330100716105852F,杭州某某有限公司,100.5\r\n";
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&gbk).is_err());
    let sheet = read(&gbk, FileFormat::Csv).unwrap();
    assert_eq!(sheet.header_row, 2);
    assert_eq!(sheet.header_for("registered_capital"), "注册资本（万元）");
    assert_eq!(
        rows(&sheet),
        vec![(3, vec![Some("91330100716105852F"), Some("杭州某某有限公司"), None, Some("100.5"), None])]
    );
}

#[test]
fn csv_with_tab_or_semicolon_delimiters() {
    let tab = "Credit Code\tCOMPANY NAME\tRegistered capital\n91330100716105852F\tA, Ltd.\t1,5\n";
    let sheet = read(tab.as_bytes(), FileFormat::Csv).unwrap();
    assert_eq!(rows(&sheet), vec![(2, vec![Some("91330100716105852F"), Some("A, Ltd."), None, Some("1,5"), None])]);

    let semicolon = "credit_code;name;registered_capital\n91330100716105852F;A, Ltd.;1,5\n";
    let sheet = read(semicolon.as_bytes(), FileFormat::Csv).unwrap();
    assert_eq!(rows(&sheet), vec![(2, vec![Some("91330100716105852F"), Some("A, Ltd."), None, Some("1,5"), None])]);

    // UTF-16 with BOM, tab separated: Excel's "Unicode text".
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in "统一社会信用代码\t企业名称\r\n1\t某公司\r\n".encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    let sheet = read(&utf16, FileFormat::Csv).unwrap();
    assert_eq!(rows(&sheet), vec![(2, vec![Some("1"), Some("某公司"), None, None, None])]);
}

#[test]
fn short_rows_are_missing_cells() {
    let text = "企业名称,统一社会信用代码,成立日期\n某公司\n,91330100716105852F\n";
    let sheet = read(text.as_bytes(), FileFormat::Csv).unwrap();
    assert_eq!(
        rows(&sheet),
        vec![
            (2, vec![None, Some("某公司"), None, None, None]),
            (3, vec![Some("91330100716105852F"), None, None, None, None])
        ]
    );
}

#[test]
fn whole_file_errors() {
    let missing = read("行业代码,备注\nC13,x\n".as_bytes(), FileFormat::Csv).unwrap_err();
    assert_eq!(
        missing,
        ReadError::MissingColumns {
            columns: vec!["统一社会信用代码 / credit_code".to_owned(), "企业名称 / name".to_owned()]
        }
    );
    assert_eq!(missing.code(), "import.missing_columns");
    assert!(missing.message(Lang::Zh).contains("缺少必填列"));
    assert!(missing.to_string().contains("统一社会信用代码 / credit_code"));

    let duplicate = read("统一社会信用代码,企业名称,*企业名称\n".as_bytes(), FileFormat::Csv).unwrap_err();
    assert_eq!(duplicate, ReadError::DuplicateColumn { header: "*企业名称".to_owned() });

    let no_header = read("a,b,c\n1,2,3\n".as_bytes(), FileFormat::Csv).unwrap_err();
    assert_eq!(no_header.code(), "import.no_header_row");
    assert!(no_header.to_string().contains("统一社会信用代码 / credit_code, 企业名称 / name"), "{no_header}");

    assert_eq!(read(b"", FileFormat::Csv).unwrap_err(), ReadError::Empty);
    assert_eq!(read(b"\xEF\xBB\xBF\r\n , \r\n", FileFormat::Csv).unwrap_err(), ReadError::Empty);
    assert_eq!(read(b"", FileFormat::Xlsx).unwrap_err(), ReadError::Empty);
    assert_eq!(read(b"PK\x03\x04 broken", FileFormat::Xlsx).unwrap_err().code(), "import.xlsx");
    assert_eq!(read(b"just text", FileFormat::Xlsx).unwrap_err().code(), "import.xlsx");
    let xls = read(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 rest", FileFormat::Csv).unwrap_err();
    assert!(xls.to_string().contains(".xls"));

    let empty_workbook = Workbook::new().save_to_buffer().unwrap();
    assert_eq!(read(&empty_workbook, FileFormat::Xlsx).unwrap_err(), ReadError::Empty);
}

#[test]
fn limits_are_enforced() {
    let text = "统一社会信用代码,企业名称\n1,a\n\n2,b\n3,c\n";
    let two_rows = Limits { max_bytes: 1024, max_rows: 2 };
    assert_eq!(
        read_sheet(text.as_bytes(), FileFormat::Csv, COLUMNS, &two_rows).unwrap_err(),
        ReadError::TooManyRows { max_rows: 2 }
    );
    let three_rows = Limits { max_bytes: 1024, max_rows: 3 };
    assert_eq!(read_sheet(text.as_bytes(), FileFormat::Csv, COLUMNS, &three_rows).unwrap().records.len(), 3);
    let tiny = Limits { max_bytes: 10, max_rows: 3 };
    assert_eq!(
        read_sheet(text.as_bytes(), FileFormat::Csv, COLUMNS, &tiny).unwrap_err(),
        ReadError::TooLarge { max_bytes: 10 }
    );

    let xlsx = department_workbook();
    let rows = |max_rows| read_sheet(&xlsx, FileFormat::Xlsx, COLUMNS, &Limits { max_bytes: 1 << 20, max_rows });
    assert_eq!(rows(3).unwrap_err(), ReadError::TooManyRows { max_rows: 3 });
    assert_eq!(rows(4).unwrap().records.len(), 4);
    // Far more rows than allowed stop the read before the whole sheet is held.
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for row in 0..200 {
        sheet.write_string(row, 0, "x").unwrap();
    }
    let bytes = workbook.save_to_buffer().unwrap();
    let error =
        read_sheet(&bytes, FileFormat::Xlsx, COLUMNS, &Limits { max_bytes: 1 << 20, max_rows: 10 }).unwrap_err();
    assert_eq!(error, ReadError::TooManyRows { max_rows: 10 });
}

fn sample_rows() -> Vec<Vec<String>> {
    let rows: [[&str; 5]; 4] = [
        ["91330100716105852F", "阿里巴巴（中国）有限公司", "0111", "1234.56", "2023-03-15"],
        ["91110000100000000X", "Comma, \"Quotes\" & Co.", "", "-12.5", ""],
        ["0000", "两行\n名称", "=HYPERLINK(\"x\")", "@risk", "+86"],
        ["91330000MA27XXXX0X", "-", "007", "1e5", "'quoted"],
    ];
    rows.iter().map(|row| row.iter().map(|v| (*v).to_owned()).collect()).collect()
}

#[test]
fn written_files_read_back_unchanged() {
    for format in [FileFormat::Csv, FileFormat::Xlsx] {
        for lang in [Lang::Zh, Lang::En] {
            let input = sample_rows();
            let bytes =
                write_sheet(COLUMNS, lang, format, Some("企业名单 Companies"), &mut input.clone().into_iter()).unwrap();
            assert_eq!(FileFormat::sniff(&bytes), format);
            let sheet = read(&bytes, format).unwrap();
            let expected_header = if format == FileFormat::Xlsx { 2 } else { 1 };
            assert_eq!(sheet.header_row, expected_header, "{format:?} {lang:?}");
            assert_eq!(sheet.header_for("name"), COLUMNS[1].name(lang));
            let read_back: Vec<Vec<String>> = sheet
                .records
                .iter()
                .map(|r| r.values().iter().map(|v| v.clone().unwrap_or_default()).collect())
                .collect();
            assert_eq!(read_back, input, "{format:?} {lang:?}");
        }
    }
}

#[test]
fn csv_output_is_excel_friendly() {
    let bytes = write_sheet(COLUMNS, Lang::Zh, FileFormat::Csv, None, &mut sample_rows().into_iter().take(3)).unwrap();
    let text = std::str::from_utf8(&bytes).unwrap();
    assert!(text.starts_with("\u{feff}统一社会信用代码,企业名称,行业代码,注册资本,成立日期\r\n"));
    assert!(text.contains(",\"'=HYPERLINK(\"\"x\"\")\",'@risk,+86\r\n"), "{text}");
    assert!(text.contains(",-12.5,"));
}

#[test]
fn long_exports_stream_and_rows_must_match_columns() {
    let mut many =
        (0..5000).map(|i| vec![format!("{i:018}"), format!("企业{i}"), String::new(), i.to_string(), String::new()]);
    let bytes = write_sheet(COLUMNS, Lang::En, FileFormat::Xlsx, None, &mut many).unwrap();
    let sheet = read(&bytes, FileFormat::Xlsx).unwrap();
    assert_eq!(sheet.records.len(), 5000);
    assert_eq!(sheet.records[4999].get("credit_code"), Some("000000000000004999"));
    assert_eq!(sheet.records[4999].row, 5001);

    for format in [FileFormat::Csv, FileFormat::Xlsx] {
        let error =
            write_sheet(COLUMNS, Lang::Zh, format, None, &mut std::iter::once(vec!["x".to_owned()])).unwrap_err();
        assert_eq!(error.to_string(), "data row 1 has 1 values for 5 columns");
    }
}

#[test]
fn templates_read_back_empty() {
    use calamine::{Reader, Xlsx};
    for lang in [Lang::Zh, Lang::En] {
        for format in [FileFormat::Csv, FileFormat::Xlsx] {
            let bytes = template(COLUMNS, lang, format).unwrap();
            let sheet = read(&bytes, format).unwrap();
            assert!(sheet.records.is_empty());
            assert_eq!(sheet.header_for("credit_code"), format!("*{}", COLUMNS[0].name(lang)));
            assert_eq!(sheet.header_for("industry_code"), COLUMNS[2].name(lang));
            assert!(sheet.ignored_headers.is_empty());
        }
        let bytes = template(COLUMNS, lang, FileFormat::Xlsx).unwrap();
        let mut workbook: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let notes_name = if lang == Lang::Zh { "说明" } else { "Notes" };
        assert_eq!(workbook.sheet_names()[1], notes_name);
        let notes = workbook.worksheet_range(notes_name).unwrap();
        let row: Vec<String> = notes.rows().nth(1).unwrap().iter().map(ToString::to_string).collect();
        let expected = match lang {
            Lang::Zh => ["统一社会信用代码", "是", "18 位统一社会信用代码"],
            Lang::En => ["Unified social credit code", "Yes", "The 18-character unified social credit code"],
        };
        assert_eq!(row, expected);
        assert_eq!(notes.rows().nth(3).unwrap()[1].to_string(), if lang == Lang::Zh { "否" } else { "No" });
    }
}

#[test]
fn row_errors_name_the_column_as_written() {
    let sheet = read("*企业名称（必填）,统一社会信用代码\n某公司,123\n".as_bytes(), FileFormat::Csv).unwrap();
    let record = &sheet.records[0];
    let error = sheet.row_error(record, "credit_code", "credit_code.length", "需要 18 位");
    assert_eq!(error.row, 2);
    assert_eq!(error.column, "统一社会信用代码");
    assert_eq!(error.value, "123");
    let mut field_errors = bridgehead_domain::FieldErrors::default();
    field_errors.push(bridgehead_domain::FieldError::new("name", "name.too_long", "too long"));
    let errors = sheet.row_errors(record, &field_errors);
    assert_eq!(errors[0].column, "*企业名称（必填）");
    assert_eq!(errors[0].value, "某公司");
    assert_eq!(errors[0].code, "name.too_long");
    assert_eq!(sheet.header_for("established_on"), "成立日期");
    assert!(!sheet.has_column("established_on"));
    assert!(sheet.has_column("name"));
}

fn valid_xlsx() -> &'static [u8] {
    static BYTES: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BYTES.get_or_init(department_workbook)
}

proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = read(&bytes, FileFormat::Csv);
        let _ = read(&bytes, FileFormat::Xlsx);
        let mut zip = b"PK\x03\x04".to_vec();
        zip.extend(&bytes);
        let _ = read(&zip, FileFormat::Xlsx);
    }

    #[test]
    fn damaged_workbooks_never_panic(damage in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let mut bytes = valid_xlsx().to_vec();
        for (index, value) in damage {
            let position = index.index(bytes.len());
            bytes[position] = value;
        }
        let _ = read(&bytes, FileFormat::Xlsx);
    }

    #[test]
    fn csv_like_text_never_panics(text in "([统一社会信用代码企业名称,;\t\"\r\n *（）()a1]){0,200}") {
        let _ = read(text.as_bytes(), FileFormat::Csv);
    }
}
