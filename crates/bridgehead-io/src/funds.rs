//! Fund files: dated cash-flow series for XIRR (`date,amount`, or `series,date,amount`
//! for a batch). Read straight from CSV bytes in one pass, since a batch can hold
//! millions of rows; UTF-8 (with or without BOM) or GB18030, comma, tab or semicolon.

use bridgehead_domain::enterprise::parse_date;
use bridgehead_domain::funds::xirr::CashFlow;

use crate::csv_read::decode;

/// One named series of dated flows, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct XirrSeries {
    pub name: String,
    pub flows: Vec<CashFlow>,
}

/// What is wrong with a cash-flow file: the line and the value at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CashFlowFileError {
    #[error("the file has no header line")]
    Empty,
    #[error("the header has no '{column}' column (found: {found})")]
    MissingColumn { column: &'static str, found: String },
    #[error("{}", .0.join("; "))]
    Rows(Vec<String>),
}

const MAX_REPORTED: usize = 20;

fn header_key(cell: &str) -> Option<&'static str> {
    match cell.trim().trim_matches('"').to_lowercase().as_str() {
        "date" | "日期" => Some("date"),
        "amount" | "value" | "金额" | "现金流" => Some("amount"),
        "series" | "id" | "序列" | "系列" => Some("series"),
        _ => None,
    }
}

fn parse_amount(text: &str) -> Option<f64> {
    let trimmed = text.trim();
    let value: f64 =
        if trimmed.contains(',') { trimmed.replace(',', "").parse().ok()? } else { trimmed.parse().ok()? };
    value.is_finite().then_some(value)
}

/// Reads a cash-flow file. With `batch`, a `series` column names the series each row
/// belongs to (rows of a series need not be adjacent; series keep the order in which
/// they first appear); without it the whole file is one series.
pub fn read_cash_flows(bytes: &[u8], batch: bool) -> Result<Vec<XirrSeries>, CashFlowFileError> {
    let text = decode(bytes);
    let first_line = text.lines().find(|l| !l.trim().is_empty()).ok_or(CashFlowFileError::Empty)?;
    let delimiter = [b',', b'\t', b';']
        .into_iter()
        .max_by_key(|d| first_line.split(char::from(*d)).filter(|c| header_key(c).is_some()).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|_| CashFlowFileError::Empty)?.clone();
    let position = |key: &'static str| headers.iter().position(|h| header_key(h) == Some(key));
    let missing =
        |column| CashFlowFileError::MissingColumn { column, found: headers.iter().collect::<Vec<_>>().join(", ") };
    let date_col = position("date").ok_or_else(|| missing("date"))?;
    let amount_col = position("amount").ok_or_else(|| missing("amount"))?;
    let series_col = if batch { Some(position("series").ok_or_else(|| missing("series"))?) } else { None };

    let mut series: Vec<XirrSeries> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut errors = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                errors.push(format!("line {}: {e}", e.position().map_or(0, csv::Position::line)));
                break;
            }
        }
        if record.iter().all(str::is_empty) {
            continue;
        }
        let line = record.position().map_or(0, csv::Position::line);
        let date_text = record.get(date_col).unwrap_or_default();
        let amount_text = record.get(amount_col).unwrap_or_default();
        let date = parse_date(date_text).ok();
        let amount = parse_amount(amount_text);
        if date.is_none() {
            errors.push(format!("line {line}: date '{date_text}' is not a date (YYYY-MM-DD)"));
        }
        if amount.is_none() {
            errors.push(format!("line {line}: amount '{amount_text}' is not a number"));
        }
        if errors.len() >= MAX_REPORTED {
            break;
        }
        let (Some(date), Some(amount)) = (date, amount) else { continue };
        let flow = CashFlow { day: date.to_julian_day(), amount };
        let name = series_col.map_or("", |c| record.get(c).unwrap_or_default());
        let slot = match series.last() {
            Some(last) if last.name == name => series.len() - 1,
            _ => match index.get(name) {
                Some(&slot) => slot,
                None => {
                    index.insert(name.to_owned(), series.len());
                    series.push(XirrSeries { name: name.to_owned(), flows: Vec::with_capacity(24) });
                    series.len() - 1
                }
            },
        };
        series[slot].flows.push(flow);
    }
    if errors.is_empty() { Ok(series) } else { Err(CashFlowFileError::Rows(errors)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_series_and_a_batch() {
        let one =
            read_cash_flows(b"\xEF\xBB\xBFdate,amount\n2008-01-01,-10000\n2008/3/1,\"2,750\"\n\n", false).unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].flows[1].amount, 2750.0);
        let batch = read_cash_flows(
            "序列\t日期\t金额\na\t2020-01-01\t-1\nb\t2020-01-01\t-2\na\t2021-01-01\t2\n".as_bytes(),
            true,
        )
        .unwrap();
        assert_eq!(batch.iter().map(|s| (s.name.as_str(), s.flows.len())).collect::<Vec<_>>(), [("a", 2), ("b", 1)]);
    }

    #[test]
    fn errors_name_the_line_and_value() {
        let error = read_cash_flows(b"date,amount\n2020-02-30,1\n2020-01-01,x\n", false).unwrap_err().to_string();
        assert!(error.contains("line 2: date '2020-02-30'"), "{error}");
        assert!(error.contains("line 3: amount 'x'"), "{error}");
        let error = read_cash_flows(b"date,amount\n2020-01-01,1\n", true).unwrap_err().to_string();
        assert!(error.contains("no 'series' column"), "{error}");
        assert_eq!(read_cash_flows(b"", false), Err(CashFlowFileError::Empty));
    }
}
