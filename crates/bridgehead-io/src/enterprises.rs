//! The enterprise file layout (SPEC §2): its columns in Chinese and English, reading a
//! record into raw enterprise fields, and writing fields back as a row. Import and
//! export share the layout, so an exported file imports back unchanged.

use bridgehead_domain::enterprise::EnterpriseFields;

use crate::spec::column;
use crate::{ColumnSpec, Record, excel_serial_to_iso_date};

/// Columns of an enterprise file, in template order. Keys are the API field names.
pub const ENTERPRISE_COLUMNS: &[ColumnSpec] = &[
    column!(
        "credit_code",
        "统一社会信用代码",
        "Credit code",
        true,
        "18位统一社会信用代码",
        "18-character Unified Social Credit Code"
    ),
    column!("name_zh", "企业名称", "Chinese name", true, "中文全称", "Full Chinese name"),
    column!("name_en", "英文名称", "English name", false, "", ""),
    column!(
        "region_code",
        "注册地区划代码",
        "Region code",
        true,
        "6位行政区划代码，如 330482",
        "Six-digit region code, e.g. 330482"
    ),
    column!("address", "注册地址", "Address", false, "", ""),
    column!(
        "industry_code",
        "行业代码",
        "Industry code",
        false,
        "GB/T 4754-2017 行业代码，如 3670",
        "GB/T 4754-2017 code, e.g. 3670"
    ),
    column!(
        "registered_capital",
        "注册资本（元）",
        "Registered capital",
        false,
        "以元计，最多两位小数",
        "In major units (yuan), up to two decimals"
    ),
    column!("registered_capital_currency", "注册资本币种", "Capital currency", false, "默认 CNY", "Defaults to CNY"),
    column!("established_on", "成立日期", "Established on", false, "YYYY-MM-DD", "YYYY-MM-DD"),
    column!(
        "ownership",
        "所有制",
        "Ownership",
        false,
        "state / private / foreign / hk_macao_taiwan / mixed",
        "state / private / foreign / hk_macao_taiwan / mixed"
    ),
    column!("size", "企业规模", "Size", false, "large / medium / small / micro", "large / medium / small / micro"),
    column!("listed", "是否上市", "Listed", false, "是 / 否", "true / false"),
    column!("contact_name", "联系人", "Contact", false, "", ""),
    column!("contact_phone", "联系电话", "Phone", false, "", ""),
    column!("contact_email", "电子邮箱", "E-mail", false, "", ""),
    column!(
        "tags",
        "企业标签",
        "Tags",
        false,
        "标签代码，逗号分隔，如 high_tech,little_giant",
        "Tag codes separated by commas, e.g. high_tech,little_giant"
    ),
    column!(
        "credit_code_override_reason",
        "校验码例外理由",
        "Check override reason",
        false,
        "仅当信用代码校验位不符但确属真实代码时填写",
        "Only when a genuine code fails the check character"
    ),
];

/// A date cell as text: spreadsheets sometimes hold dates as Excel serial numbers.
pub fn date_text(value: &str) -> String {
    let trimmed = value.trim();
    let looks_like_serial =
        (1..=6).contains(&trimmed.len()) && trimmed.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    if looks_like_serial
        && let Ok(serial) = trimmed.parse::<f64>()
        && let Some(date) = excel_serial_to_iso_date(serial)
    {
        return date;
    }
    trimmed.to_owned()
}

/// The raw fields of one record.
pub fn fields_from_record(record: &Record) -> EnterpriseFields {
    let get = |key: &str| record.get(key).map(ToOwned::to_owned);
    EnterpriseFields {
        credit_code: get("credit_code"),
        name_zh: get("name_zh"),
        name_en: get("name_en"),
        region_code: get("region_code"),
        address: get("address"),
        industry_code: get("industry_code"),
        registered_capital: get("registered_capital"),
        registered_capital_currency: get("registered_capital_currency"),
        established_on: record.get("established_on").map(date_text),
        ownership: get("ownership"),
        size: get("size"),
        listed: get("listed"),
        contact_name: get("contact_name"),
        contact_phone: get("contact_phone"),
        contact_email: get("contact_email"),
        tags: get("tags"),
        credit_code_override_reason: get("credit_code_override_reason"),
    }
}

/// One row of the layout, in column order.
pub fn record_row(fields: &EnterpriseFields) -> Vec<String> {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    ENTERPRISE_COLUMNS
        .iter()
        .map(|column| match column.key {
            "credit_code" => text(&fields.credit_code),
            "name_zh" => text(&fields.name_zh),
            "name_en" => text(&fields.name_en),
            "region_code" => text(&fields.region_code),
            "address" => text(&fields.address),
            "industry_code" => text(&fields.industry_code),
            "registered_capital" => text(&fields.registered_capital),
            "registered_capital_currency" => text(&fields.registered_capital_currency),
            "established_on" => text(&fields.established_on),
            "ownership" => text(&fields.ownership),
            "size" => text(&fields.size),
            "listed" => text(&fields.listed),
            "contact_name" => text(&fields.contact_name),
            "contact_phone" => text(&fields.contact_phone),
            "contact_email" => text(&fields.contact_email),
            "tags" => text(&fields.tags),
            "credit_code_override_reason" => text(&fields.credit_code_override_reason),
            _ => String::new(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FileFormat, Lang, Limits, read_sheet, write_sheet};

    #[test]
    fn every_column_is_written_and_read_back() {
        let fields = EnterpriseFields {
            credit_code: Some("91330100716105852F".into()),
            name_zh: Some("示例公司（示例）".into()),
            name_en: Some("Example, Inc. (illustrative)".into()),
            region_code: Some("330402".into()),
            address: Some("示例路1号".into()),
            industry_code: Some("3670".into()),
            registered_capital: Some("1000000.50".into()),
            registered_capital_currency: Some("USD".into()),
            established_on: Some("2019-04-15".into()),
            ownership: Some("private".into()),
            size: Some("small".into()),
            listed: Some("true".into()),
            contact_name: Some("张三".into()),
            contact_phone: Some("0573-1234567".into()),
            contact_email: Some("a@example.com".into()),
            tags: Some("high_tech,little_giant".into()),
            credit_code_override_reason: Some("reason".into()),
        };
        assert!(record_row(&fields).iter().all(|cell| !cell.is_empty()), "a column is missing from record_row");
        for format in [FileFormat::Csv, FileFormat::Xlsx] {
            for lang in [Lang::Zh, Lang::En] {
                let mut rows = std::iter::once(record_row(&fields));
                let bytes = write_sheet(ENTERPRISE_COLUMNS, lang, format, Some("title"), &mut rows).unwrap();
                let sheet = read_sheet(&bytes, format, ENTERPRISE_COLUMNS, &Limits::default()).unwrap();
                assert_eq!(sheet.records.len(), 1);
                assert_eq!(
                    record_row(&fields_from_record(&sheet.records[0])),
                    record_row(&fields),
                    "{format:?} {lang:?}"
                );
            }
        }
    }

    #[test]
    fn excel_serial_dates() {
        assert_eq!(date_text("45000"), "2023-03-15");
        assert_eq!(date_text("2023-03-15"), "2023-03-15");
    }
}
