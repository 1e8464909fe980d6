//! The fund ledger file layout (SPEC §5): one row per ledger entry of one fund — the
//! date, the kind, the amount in yuan, the partner (contributions, distributions) or the
//! holding (investments, proceeds) by name, an optional component and a memo. Kinds and
//! components are read in English or Chinese; amounts are exact (at most two decimals,
//! never through a float). Names are left as written: only the caller knows the fund's
//! partners and holdings.

use bridgehead_domain::FieldError;
use bridgehead_domain::codes::full_width_to_ascii;
use bridgehead_domain::enterprise::{MAX_TEXT_CHARS, parse_date};
use bridgehead_domain::funds::performance::{Component, FlowKind};
use bridgehead_domain::money::{AmountError, parse_major_units};
use time::Date;

use crate::spec::column;
use crate::{ColumnSpec, FileFormat, Limits, ReadError, Record, RowError, Sheet, read_sheet};

/// Columns of a ledger file, in template order.
pub const LEDGER_COLUMNS: &[ColumnSpec] = &[
    column!("date", "日期", "Date", true, "YYYY-MM-DD", "YYYY-MM-DD"),
    column!(
        "kind",
        "类型",
        "Kind",
        true,
        "实缴出资 / 分配 / 投资 / 退出回款 / 管理费 / 费用",
        "contribution / distribution / investment / proceeds / management_fee / expense"
    ),
    column!(
        "amount",
        "金额（元）",
        "Amount (yuan)",
        true,
        "大于零，以元计，最多两位小数",
        "Above zero, in yuan, at most two decimals"
    ),
    column!(
        "partner",
        "合伙人",
        "Partner",
        false,
        "实缴出资、分配填写本基金合伙人的名称",
        "Contributions and distributions: the name of a partner of the fund"
    ),
    column!(
        "holding",
        "投资标的",
        "Holding",
        false,
        "投资、退出回款填写本基金所投企业的名称或统一社会信用代码，或子基金的名称",
        "Investments and proceeds: the name or credit code of a company the fund holds, or the name of a sub-fund"
    ),
    column!(
        "component",
        "构成",
        "Component",
        false,
        "可不填。实缴出资：投资款 / 管理费 / 费用；分配、退出回款：返还本金 / 收益 / 其他收入",
        "Optional. Contributions: investment / fees / expenses; distributions and proceeds: capital / gain / income"
    ),
    column!("memo", "备注", "Memo", false, "最多 200 字", "At most 200 characters"),
];

/// The names a kind is written with, besides its code.
const KIND_NAMES: &[(FlowKind, &[&str])] = &[
    (FlowKind::Contribution, &["实缴出资", "实缴", "出资", "缴款", "实缴出资额"]),
    (FlowKind::Distribution, &["分配", "收益分配", "利润分配"]),
    (FlowKind::Investment, &["投资", "对外投资", "项目投资"]),
    (FlowKind::Proceeds, &["退出回款", "回款", "投资回款", "项目回款"]),
    (FlowKind::ManagementFee, &["管理费", "management fee"]),
    (FlowKind::Expense, &["费用", "其他费用", "expenses"]),
];

/// The names a component is written with, besides its code (as on the notices).
const COMPONENT_NAMES: &[(Component, &[&str])] = &[
    (Component::Investment, &["投资款"]),
    (Component::Fees, &["管理费", "fee", "management fee"]),
    (Component::Expenses, &["费用", "expense"]),
    (Component::Capital, &["返还本金", "本金", "return of capital"]),
    (Component::Gain, &["收益"]),
    (Component::Income, &["其他收入", "收入"]),
];

/// The ledger cells of a row besides the names, when every one of them is good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub date: Date,
    pub kind: FlowKind,
    /// Fen, above zero.
    pub amount_minor: i64,
    pub component: Option<Component>,
    pub memo: Option<String>,
}

/// One data row of a ledger file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRow {
    /// The row as the spreadsheet shows it (the line of a CSV file).
    pub row: usize,
    /// The partner as written, for the caller to find among the fund's partners.
    pub partner: Option<String>,
    /// The holding as written: a company's name or credit code, or a sub-fund's name.
    pub holding: Option<String>,
    /// `None` when a cell of the row was refused (its errors are in
    /// [`LedgerFile::errors`]); the names are given all the same, so that a name the
    /// fund does not know is reported with the row's other problems.
    pub entry: Option<LedgerEntry>,
}

/// A ledger file read: every row, and every refused cell.
#[derive(Debug, Clone)]
pub struct LedgerFile {
    pub rows: Vec<LedgerRow>,
    /// Every refused cell, in row order: row, column as written in the file, value, why.
    pub errors: Vec<RowError>,
    /// Headers of the file that are not part of the layout; their cells were not read.
    pub ignored_columns: Vec<String>,
    /// The layout as found in the file (its records taken out), for naming columns.
    sheet: Sheet,
}

impl LedgerFile {
    /// A problem the caller found with row `row` (the field named by its column key,
    /// e.g. `partner`), under the column header the file used.
    pub fn row_error(&self, row: usize, error: FieldError) -> RowError {
        self.sheet.field_row_error(row, error)
    }
}

/// Reduces a kind or component as written to what identifies it: half-width, lower
/// case, spaces, hyphens and underscores dropped.
fn vocabulary_key(text: &str) -> String {
    text.chars()
        .map(full_width_to_ascii)
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// A kind of entry by its code ("management_fee", "Management fee") or Chinese name.
pub fn parse_kind(text: &str) -> Option<FlowKind> {
    let key = vocabulary_key(text);
    FlowKind::ALL.into_iter().find(|kind| {
        vocabulary_key(kind.code()) == key
            || KIND_NAMES.iter().any(|(k, names)| k == kind && names.iter().any(|n| vocabulary_key(n) == key))
    })
}

/// A component by its code or its Chinese name as the notices write it.
pub fn parse_component(text: &str) -> Option<Component> {
    let key = vocabulary_key(text);
    Component::ALL.into_iter().find(|component| {
        vocabulary_key(component.code()) == key
            || COMPONENT_NAMES.iter().any(|(c, names)| c == component && names.iter().any(|n| vocabulary_key(n) == key))
    })
}

/// A date as spreadsheets hold it: `YYYY-MM-DD` (or with `/` or `.`), an Excel serial
/// number, or `2023年3月15日`.
fn parse_ledger_date(text: &str) -> Result<Date, String> {
    let text = crate::enterprises::date_text(text);
    let text = text.trim().trim_end_matches(['日', '号']).replace(['年', '月'], "-");
    parse_date(&text)
}

/// An amount in yuan as fen: commas, a currency sign or a trailing 元 are allowed; more
/// than two decimals, zero and negative amounts are refused (a mistake already in the
/// ledger is undone by a reversal, not by a negative row).
fn parse_amount(text: &str) -> Result<i64, FieldError> {
    let cleaned = text.trim().trim_start_matches(['¥', '￥']).trim_end_matches('元').trim();
    match parse_major_units(cleaned) {
        Ok(minor) if minor > 0 => Ok(minor),
        Ok(_) => Err(FieldError::new(
            "amount",
            "fund.amount",
            format!("'{}' is not above zero (to undo an entry, reverse it)", text.trim()),
        )),
        Err(error) => {
            let message = match &error {
                AmountError::TooManyDecimals(_) => {
                    format!("'{}' has more than two decimals: amounts are in yuan, exact to the fen", text.trim())
                }
                _ => format!("'{}' is not an amount in yuan: {error}", text.trim()),
            };
            Err(FieldError::new("amount", error.code(), message))
        }
    }
}

fn required(key: &str) -> FieldError {
    FieldError::new(key, "required", format!("the {key} is required"))
}

/// Reads one record: the entry when every cell is good, else the refused cells.
fn read_row(record: &Record) -> (LedgerRow, Vec<FieldError>) {
    let mut problems = Vec::new();
    let date = match record.get("date") {
        None => {
            problems.push(required("date"));
            None
        }
        Some(text) => match parse_ledger_date(text) {
            Ok(date) => Some(date),
            Err(message) => {
                problems.push(FieldError::new("date", "date.invalid", message));
                None
            }
        },
    };
    let kind = match record.get("kind") {
        None => {
            problems.push(required("kind"));
            None
        }
        Some(text) => {
            let kind = parse_kind(text);
            if kind.is_none() {
                problems.push(FieldError::new(
                    "kind",
                    "fund.entry_kind",
                    format!(
                        "'{text}' is not a kind of entry: contribution (实缴出资), distribution (分配), investment (投资), \
                         proceeds (退出回款), management_fee (管理费) or expense (费用)"
                    ),
                ));
            }
            kind
        }
    };
    let amount = match record.get("amount") {
        None => {
            problems.push(required("amount"));
            None
        }
        Some(text) => parse_amount(text).map_err(|e| problems.push(e)).ok(),
    };
    let component = match (record.get("component"), kind) {
        (None, _) => None,
        (Some(text), kind) => {
            let component = parse_component(text);
            match (component, kind) {
                (Some(component), Some(kind)) if !kind.components().contains(&component) => {
                    let allowed: Vec<&str> = kind.components().iter().map(|c| c.code()).collect();
                    problems.push(FieldError::new(
                        "component",
                        "fund.component",
                        if allowed.is_empty() {
                            format!("{} entries have no component", kind.code())
                        } else {
                            format!("the component of a {} is one of: {}", kind.code(), allowed.join(", "))
                        },
                    ));
                }
                (None, _) => problems.push(FieldError::new(
                    "component",
                    "fund.component",
                    format!(
                        "'{text}' is not a component: investment (投资款), fees (管理费), expenses (费用), \
                         capital (返还本金), gain (收益) or income (其他收入)"
                    ),
                )),
                _ => {}
            }
            component
        }
    };
    let partner = record.get("partner").map(str::to_owned);
    let holding = record.get("holding").map(str::to_owned);
    if let Some(kind) = kind {
        match (kind.needs_party(), &partner) {
            (true, None) => problems.push(FieldError::new(
                "partner",
                "fund.partner_required",
                format!("a {} names the partner", kind.code()),
            )),
            (false, Some(_)) => problems.push(FieldError::new(
                "partner",
                "fund.partner_required",
                format!("{} entries name no partner (only contributions and distributions do)", kind.code()),
            )),
            _ => {}
        }
        match (kind.needs_holding(), &holding) {
            (true, None) => problems.push(FieldError::new(
                "holding",
                "fund.holding_required",
                format!("a {} names the holding (a company or a sub-fund)", kind.code()),
            )),
            (false, Some(_)) => problems.push(FieldError::new(
                "holding",
                "fund.holding_required",
                format!("{} entries name no holding (only investments and proceeds do)", kind.code()),
            )),
            _ => {}
        }
    }
    let memo = record.get("memo").map(str::to_owned);
    if memo.as_ref().is_some_and(|m| m.chars().count() > MAX_TEXT_CHARS) {
        problems.push(FieldError::new("memo", "text.too_long", format!("at most {MAX_TEXT_CHARS} characters")));
    }
    for problem in &mut problems {
        if problem.value.is_none() {
            problem.value = record.get(&problem.field).map(str::to_owned);
        }
    }
    let entry = match (date, kind, amount) {
        (Some(date), Some(kind), Some(amount_minor)) if problems.is_empty() => {
            Some(LedgerEntry { date, kind, amount_minor, component, memo })
        }
        _ => None,
    };
    (LedgerRow { row: record.row, partner, holding, entry }, problems)
}

/// Reads a ledger file (`.xlsx` or `.csv` — UTF-8 with or without BOM, or GB18030 —
/// with Chinese or English headers). A file that cannot be read as a whole is an error;
/// refused cells are data: every one is in [`LedgerFile::errors`], and a row with any
/// of them has no entry. A file without data rows is refused.
pub fn read_ledger(bytes: &[u8], format: FileFormat, limits: &Limits) -> Result<LedgerFile, ReadError> {
    let mut sheet = read_sheet(bytes, format, LEDGER_COLUMNS, limits)?;
    let records = std::mem::take(&mut sheet.records);
    if records.is_empty() {
        return Err(ReadError::Empty);
    }
    let mut rows = Vec::with_capacity(records.len());
    let mut errors = Vec::new();
    for record in &records {
        let (row, problems) = read_row(record);
        errors.extend(problems.into_iter().map(|problem| sheet.field_row_error(record.row, problem)));
        rows.push(row);
    }
    Ok(LedgerFile { rows, errors, ignored_columns: sheet.ignored_headers.clone(), sheet })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Lang, template, write_sheet};
    use time::macros::date;

    fn read_csv(text: &str) -> LedgerFile {
        read_ledger(text.as_bytes(), FileFormat::Csv, &Limits::default()).unwrap()
    }

    fn entries(file: &LedgerFile) -> Vec<(usize, LedgerEntry)> {
        file.rows.iter().filter_map(|r| Some((r.row, r.entry.clone()?))).collect()
    }

    /// (row, column as written, value, code) of every error.
    fn errors(file: &LedgerFile) -> Vec<(usize, String, String, String)> {
        file.errors.iter().map(|e| (e.row, e.column.clone(), e.value.clone(), e.code.clone())).collect()
    }

    #[test]
    fn a_good_file_in_english() {
        let file = read_csv(
            "date,kind,amount,partner,holding,component,memo\n\
             2023-03-01,contribution,\"1,000,000.50\",Provincial Fund (illustrative),,investment,first call\n\
             2023/3/2,Management fee,12.3,,,,\n\
             2023-04-01,investment,800000,,91330100716105852F,,\n\
             2024-01-31,proceeds,100.05,,Example Co.,gain,\n\
             2024-02-01,distribution,99,Provincial Fund (illustrative),,capital,\n\
             2024-02-02,expense,0.01,,,,audit fee\n",
        );
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        let read = entries(&file);
        assert_eq!(read.len(), 6);
        assert_eq!(
            read[0],
            (
                2,
                LedgerEntry {
                    date: date!(2023 - 03 - 01),
                    kind: FlowKind::Contribution,
                    amount_minor: 100_000_050,
                    component: Some(Component::Investment),
                    memo: Some("first call".to_owned()),
                }
            )
        );
        assert_eq!(file.rows[0].partner.as_deref(), Some("Provincial Fund (illustrative)"));
        let kinds: Vec<(FlowKind, i64)> = read.iter().map(|(_, e)| (e.kind, e.amount_minor)).collect();
        assert_eq!(
            kinds,
            vec![
                (FlowKind::Contribution, 100_000_050),
                (FlowKind::ManagementFee, 1_230),
                (FlowKind::Investment, 80_000_000),
                (FlowKind::Proceeds, 10_005),
                (FlowKind::Distribution, 9_900),
                (FlowKind::Expense, 1),
            ]
        );
        assert_eq!(file.rows[2].holding.as_deref(), Some("91330100716105852F"));
        assert_eq!(read[1].1.date, date!(2023 - 03 - 02));
    }

    #[test]
    fn chinese_headers_kinds_and_components() {
        let file = read_csv(
            "日期,类型,金额（元）,合伙人,投资标的,构成,备注\n\
             2023年3月1日,实缴出资,￥500.00,嘉兴市财政局（示例）,,管理费,\n\
             2023-05-01,投资,300万元,,示例科技有限公司,,\n\
             2023-05-02,投资,3000000元,,示例科技有限公司,,\n\
             2024-06-30,退出回款,１２３.４５,,示例科技有限公司,收益,\n\
             2024-07-01,分配,10,嘉兴市财政局（示例）,,返还本金,\n\
             2024-07-02,管理费,10,,,,\n\
             2024-07-03,费用,10,,,,\n",
        );
        // "300万元" is not an amount in yuan: refused, not guessed.
        assert_eq!(
            errors(&file),
            vec![(3, "金额（元）".to_owned(), "300万元".to_owned(), "amount.invalid".to_owned())]
        );
        let read = entries(&file);
        assert_eq!(read.len(), 6);
        assert_eq!(read[0].1.date, date!(2023 - 03 - 01));
        assert_eq!(read[0].1.amount_minor, 50_000);
        assert_eq!(read[0].1.component, Some(Component::Fees));
        assert_eq!(read[1].1.amount_minor, 300_000_000);
        assert_eq!((read[2].1.kind, read[2].1.amount_minor), (FlowKind::Proceeds, 12_345));
        assert_eq!(read[2].1.component, Some(Component::Gain));
        assert_eq!(read[3].1.component, Some(Component::Capital));
        assert_eq!(read[4].1.kind, FlowKind::ManagementFee);
        assert_eq!(read[5].1.kind, FlowKind::Expense);
    }

    #[test]
    fn every_bad_cell_is_reported_with_row_column_and_value() {
        let file = read_csv(
            "date,kind,amount,partner,holding,component,memo\n\
             2023-02-30,contribution,1.234,LP,,,\n\
             2023-03-01,gift,10,,,,\n\
             2023-03-01,contribution,10,,,,\n\
             2023-03-01,investment,10,LP,,,\n\
             2023-03-01,management_fee,0,,Co,,\n\
             2023-03-01,investment,10,,Co,gain,\n\
             2023-03-01,distribution,-5,LP,,bonus,\n\
             ,,,LP,,,\n\
             2023-03-01,expense,abc,,,,\n",
        );
        let expected: Vec<(usize, &str, &str, &str)> = vec![
            (2, "date", "2023-02-30", "date.invalid"),
            (2, "amount", "1.234", "amount.too_many_decimals"),
            (3, "kind", "gift", "fund.entry_kind"),
            (4, "partner", "", "fund.partner_required"),
            (5, "partner", "LP", "fund.partner_required"),
            (5, "holding", "", "fund.holding_required"),
            (6, "amount", "0", "fund.amount"),
            (6, "holding", "Co", "fund.holding_required"),
            (7, "component", "gain", "fund.component"),
            (8, "amount", "-5", "fund.amount"),
            (8, "component", "bonus", "fund.component"),
            (9, "date", "", "required"),
            (9, "kind", "", "required"),
            (9, "amount", "", "required"),
            (10, "amount", "abc", "amount.invalid"),
        ];
        let expected: Vec<(usize, String, String, String)> =
            expected.into_iter().map(|(r, c, v, code)| (r, c.to_owned(), v.to_owned(), code.to_owned())).collect();
        assert_eq!(errors(&file), expected);
        assert!(file.rows.iter().all(|r| r.entry.is_none()), "no row with a refused cell has an entry");
        // The names of refused rows are kept for the caller to check too.
        assert_eq!(file.rows[0].partner.as_deref(), Some("LP"));
        let decimals = &file.errors[1];
        assert!(decimals.reason.contains("'1.234'") && decimals.reason.contains("two decimals"), "{decimals:?}");
        assert_eq!(decimals.to_string(), format!("row 2, amount: {}", decimals.reason));
    }

    #[test]
    fn a_long_memo_and_files_refused_as_a_whole() {
        let long = "备".repeat(201);
        let file = read_csv(&format!("date,kind,amount,memo\n2023-01-01,expense,1,{long}\n"));
        assert_eq!(file.errors[0].code, "text.too_long");
        assert!(matches!(
            read_ledger(b"date,kind\n2023-01-01,expense\n", FileFormat::Csv, &Limits::default()),
            Err(ReadError::MissingColumns { .. })
        ));
        assert!(matches!(
            read_ledger(b"date,kind,amount\n", FileFormat::Csv, &Limits::default()),
            Err(ReadError::Empty)
        ));
        let limits = Limits { max_rows: 2, ..Limits::default() };
        let three = b"date,kind,amount\n2023-01-01,expense,1\n2023-01-01,expense,1\n2023-01-01,expense,1\n";
        assert!(matches!(read_ledger(three, FileFormat::Csv, &limits), Err(ReadError::TooManyRows { .. })));
    }

    #[test]
    fn a_gb18030_csv_from_chinese_excel() {
        let text = "日期,类型,金额（元）,合伙人,构成\r\n2023-03-01,实缴出资,1000.00,浙江省产业基金（示例）,投资款\r\n";
        let (bytes, _, unmappable) = encoding_rs::GB18030.encode(text);
        assert!(!unmappable);
        assert!(std::str::from_utf8(&bytes).is_err(), "the test file is not UTF-8");
        let file = read_ledger(&bytes, FileFormat::Csv, &Limits::default()).unwrap();
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        assert_eq!(file.rows[0].partner.as_deref(), Some("浙江省产业基金（示例）"));
        assert_eq!(file.rows[0].entry.as_ref().map(|e| e.amount_minor), Some(100_000));
        // Errors name the column as the file wrote it.
        let bad = encoding_rs::GB18030.encode("日期,类型,金额（元）\r\n2023-03-01,管理费,1.005\r\n").0;
        let file = read_ledger(&bad, FileFormat::Csv, &Limits::default()).unwrap();
        assert_eq!(errors(&file), vec![(2, "金额（元）".into(), "1.005".into(), "amount.too_many_decimals".into())]);
    }

    #[test]
    fn xlsx_round_trip_through_the_writer() {
        let rows = [
            ["2023-03-01", "实缴出资", "1000000.50", "嘉兴市财政局（示例）", "", "投资款", "首期"],
            ["2023-04-01", "investment", "800000", "", "示例科技有限公司（示例）", "", ""],
            ["2024-06-30", "退出回款", "12.34", "", "91330100716105852F", "收益", ""],
        ];
        for lang in [Lang::Zh, Lang::En] {
            let mut data = rows.iter().map(|r| r.iter().map(|c| (*c).to_owned()).collect::<Vec<String>>());
            let bytes = write_sheet(LEDGER_COLUMNS, lang, FileFormat::Xlsx, Some("台账"), &mut data).unwrap();
            let file = read_ledger(&bytes, FileFormat::Xlsx, &Limits::default()).unwrap();
            assert!(file.errors.is_empty(), "{lang:?}: {:?}", file.errors);
            let read = entries(&file);
            assert_eq!(read.iter().map(|(row, _)| *row).collect::<Vec<_>>(), vec![3, 4, 5], "below the title");
            assert_eq!(read[0].1.amount_minor, 100_000_050);
            assert_eq!(read[0].1.memo.as_deref(), Some("首期"));
            assert_eq!(read[2].1.kind, FlowKind::Proceeds);
            assert_eq!(file.rows[1].holding.as_deref(), Some("示例科技有限公司（示例）"));
        }
        // The empty templates read back as files with no data.
        for format in [FileFormat::Csv, FileFormat::Xlsx] {
            let empty = template(LEDGER_COLUMNS, Lang::Zh, format).unwrap();
            assert!(matches!(read_ledger(&empty, format, &Limits::default()), Err(ReadError::Empty)));
        }
    }

    #[test]
    fn xlsx_numbers_and_dates_typed_by_excel() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        for (col, header) in ["日期", "类型", "金额（元）"].into_iter().enumerate() {
            sheet.write_string(0, u16::try_from(col).unwrap(), header).unwrap();
        }
        let date_format = Format::new().set_num_format("yyyy-mm-dd");
        let day = ExcelDateTime::from_ymd(2023, 3, 15).unwrap();
        sheet.write_datetime_with_format(1, 0, &day, &date_format).unwrap();
        sheet.write_string(1, 1, "管理费").unwrap();
        sheet.write_number(1, 2, 1234.56).unwrap();
        // A date typed as a plain number (the serial) and a sum with float noise.
        sheet.write_number(2, 0, 45_000.0).unwrap();
        sheet.write_string(2, 1, "费用").unwrap();
        sheet.write_number(2, 2, 0.1 + 0.2).unwrap();
        sheet.write_number(3, 0, 45_000.0).unwrap();
        sheet.write_string(3, 1, "费用").unwrap();
        sheet.write_number(3, 2, 2.345).unwrap();
        let bytes = workbook.save_to_buffer().unwrap();
        let file = read_ledger(&bytes, FileFormat::Xlsx, &Limits::default()).unwrap();
        assert_eq!(errors(&file), vec![(4, "金额（元）".into(), "2.345".into(), "amount.too_many_decimals".into())]);
        let read = entries(&file);
        assert_eq!(read[0].1.date, date!(2023 - 03 - 15));
        assert_eq!(read[0].1.amount_minor, 123_456);
        assert_eq!(read[1].1.date, date!(2023 - 03 - 15));
        assert_eq!(read[1].1.amount_minor, 30);
    }

    #[test]
    fn vocabulary() {
        assert_eq!(parse_kind(" Management_Fee "), Some(FlowKind::ManagementFee));
        assert_eq!(parse_kind("ＣＯＮＴＲＩＢＵＴＩＯＮ"), Some(FlowKind::Contribution));
        assert_eq!(parse_kind("退出回款"), Some(FlowKind::Proceeds));
        assert_eq!(parse_kind("fee"), None);
        assert_eq!(parse_component("返还本金"), Some(Component::Capital));
        assert_eq!(parse_component("Fees"), Some(Component::Fees));
        assert_eq!(parse_component("x"), None);
        for kind in FlowKind::ALL {
            assert_eq!(parse_kind(kind.code()), Some(kind));
        }
        for component in Component::ALL {
            assert_eq!(parse_component(component.code()), Some(component));
        }
    }
}
