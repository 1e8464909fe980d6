//! Clearing transactions from CSV, streamed: a file of ten million rows is read a batch
//! at a time and never held whole. Columns by header, in English or Chinese, in any
//! order; UTF-8 with or without BOM; amounts in yuan exact to the fen.
//!
//! | column | also | |
//! |---|---|---|
//! | `idempotency_key` | `key`, `交易编号`, `幂等键` | unique within the scheme |
//! | `payer` | `付款方` | participant code |
//! | `payee` | `收款方` | participant code |
//! | `amount` | `金额`, `金额(元)` | yuan, e.g. `3.00` |
//! | `occurred_at` | `time`, `发生时间`, `交易时间` | RFC 3339, or China time `YYYY-MM-DD HH:MM[:SS]` |
//! | `reference` | `参考号`, `备注` | optional |

use std::io::Read;

use bridgehead_domain::money::{format_major_units, parse_major_units};

use crate::RowError;

/// One transaction line of a file, amounts already in fen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionLine {
    /// The line in the file (the header is line 1).
    pub line: usize,
    pub idempotency_key: String,
    pub payer: String,
    pub payee: String,
    pub amount_minor: i64,
    pub occurred_at: String,
    pub reference: Option<String>,
}

const COLUMNS: [(&str, &[&str]); 6] = [
    ("idempotency_key", &["idempotency_key", "key", "交易编号", "幂等键"]),
    ("payer", &["payer", "付款方"]),
    ("payee", &["payee", "收款方"]),
    ("amount", &["amount", "金额", "金额(元)", "金额（元）"]),
    ("occurred_at", &["occurred_at", "time", "发生时间", "交易时间"]),
    ("reference", &["reference", "参考号", "备注"]),
];

/// The header of a clearing file, for templates and exports.
pub const HEADER: [&str; 6] = ["idempotency_key", "payer", "payee", "amount", "occurred_at", "reference"];

/// Writes one transaction as a CSV line in the file layout (for exports and tests).
pub fn csv_line(key: &str, payer: &str, payee: &str, amount_minor: i64, occurred_at: &str, reference: &str) -> String {
    format!("{key},{payer},{payee},{},{occurred_at},{reference}\n", format_major_units(amount_minor))
}

/// A file refused as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("the header lacks the column {0}")]
    MissingColumn(&'static str),
    #[error("line {line}: {message}")]
    Unreadable { line: usize, message: String },
}

/// Reads transaction lines, a batch at a time.
pub struct TransactionReader<R: Read> {
    reader: csv::Reader<R>,
    /// Index of each column of [`COLUMNS`] in the file.
    at: [Option<usize>; 6],
    record: csv::StringRecord,
}

impl<R: Read> TransactionReader<R> {
    pub fn new(input: R) -> Result<Self, FileError> {
        let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(input);
        let headers = reader
            .headers()
            .map_err(|e| FileError::Unreadable { line: 1, message: e.to_string() })?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_lowercase())
            .collect::<Vec<_>>();
        let mut at = [None; 6];
        for (slot, (name, names)) in at.iter_mut().zip(COLUMNS) {
            *slot = headers.iter().position(|h| names.contains(&h.as_str()));
            if slot.is_none() && name != "reference" {
                return Err(FileError::MissingColumn(name));
            }
        }
        Ok(Self { reader, at, record: csv::StringRecord::new() })
    }

    /// The next `limit` lines (fewer at the end; none when the file is done). Blank
    /// lines are skipped; a line with a bad amount is an error naming the line, the
    /// column and the value; everything else is checked by the caller.
    pub fn next_batch(&mut self, limit: usize) -> Result<Vec<Result<TransactionLine, RowError>>, FileError> {
        let mut batch = Vec::with_capacity(limit.min(100_000));
        while batch.len() < limit {
            let more = self.reader.read_record(&mut self.record).map_err(|e| FileError::Unreadable {
                line: e.position().map_or(0, |p| p.line() as usize),
                message: e.to_string(),
            })?;
            if !more {
                break;
            }
            if self.record.iter().all(str::is_empty) {
                continue;
            }
            let line = self.record.position().map_or(0, |p| p.line() as usize);
            let get = |i: usize| self.at[i].and_then(|at| self.record.get(at)).unwrap_or("");
            let amount_text = get(3);
            let parsed = match parse_major_units(amount_text) {
                Ok(amount_minor) => Ok(TransactionLine {
                    line,
                    idempotency_key: get(0).to_owned(),
                    payer: get(1).to_owned(),
                    payee: get(2).to_owned(),
                    amount_minor,
                    occurred_at: get(4).to_owned(),
                    reference: Some(get(5)).filter(|r| !r.is_empty()).map(str::to_owned),
                }),
                Err(error) => Err(RowError {
                    row: line,
                    column: "amount".to_owned(),
                    value: amount_text.chars().take(40).collect(),
                    reason: error.to_string(),
                    code: error.code().to_owned(),
                    params: Default::default(),
                }),
            };
            batch.push(parsed);
        }
        Ok(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_chinese_headers_a_bom_and_blank_lines_in_batches() {
        let text = "\u{feff}交易编号,付款方,收款方,金额(元),交易时间\nk1,JX,SH,3.00,2018-02-01 08:00\n\n,,,,\nk2,JX,SH,4.5,2018-02-01 09:00\nk3,JX,SH,abc,2018-02-01 09:00\n";
        let mut reader = TransactionReader::new(text.as_bytes()).unwrap();
        let first = reader.next_batch(2).unwrap();
        assert_eq!(first.len(), 2);
        let k2 = first[1].as_ref().unwrap();
        assert_eq!((k2.line, k2.amount_minor, k2.reference.clone()), (5, 450, None));
        let rest = reader.next_batch(10).unwrap();
        let error = rest[0].as_ref().unwrap_err();
        assert_eq!((error.row, error.column.as_str(), error.value.as_str()), (6, "amount", "abc"));
        assert!(reader.next_batch(10).unwrap().is_empty());
    }

    #[test]
    fn a_missing_column_refuses_the_file() {
        let text = "key,payer,amount,occurred_at\n";
        assert_eq!(TransactionReader::new(text.as_bytes()).err(), Some(FileError::MissingColumn("payee")));
    }

    #[test]
    fn a_written_line_reads_back() {
        let text = format!(
            "{}\n{}",
            HEADER.join(","),
            csv_line("r-1", "JX-CARD", "SH-METRO", 300, "2018-02-01T08:00:00+08:00", "ride")
        );
        let mut reader = TransactionReader::new(text.as_bytes()).unwrap();
        let line = reader.next_batch(5).unwrap().remove(0).unwrap();
        assert_eq!(
            (line.amount_minor, line.payee.as_str(), line.reference.as_deref()),
            (300, "SH-METRO", Some("ride"))
        );
    }
}
