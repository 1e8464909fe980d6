//! Reading CSV files as Excel, WPS and government systems write them: UTF-8 with or
//! without BOM, GBK/GB18030 (what Chinese Excel writes for "CSV"), UTF-16 ("Unicode
//! text"), comma, tab or semicolon separated, with rows of uneven length.

use std::borrow::Cow;

use encoding_rs::{Encoding, GB18030};

use crate::cell::clean;
use crate::grid::{Grid, GridRow};
use crate::header::{HEADER_WINDOW, best_score};
use crate::read::ReadError;
use crate::spec::{ColumnSpec, Limits};

/// Decodes the file to text. Invalid UTF-8 is taken as GB18030, a superset of GBK and
/// GB2312, because that is what a Chinese-locale Excel produces; it never fails, so a
/// file in yet another encoding shows up as unmatched headers rather than an error.
pub(crate) fn decode(bytes: &[u8]) -> Cow<'_, str> {
    if let Some((encoding, bom_length)) = Encoding::for_bom(bytes) {
        let rest = bytes.get(bom_length..).unwrap_or_default();
        return encoding.decode_without_bom_handling(rest).0;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => GB18030.decode_without_bom_handling(bytes).0,
    }
}

/// Delimiters tried, in order of preference on a tie.
const DELIMITERS: [u8; 3] = [b',', b'\t', b';'];

pub(crate) fn read_grid(bytes: &[u8], columns: &[ColumnSpec], limits: &Limits) -> Result<Grid, ReadError> {
    let text = decode(bytes);
    // The delimiter is the one under which the most headers are recognised; comma
    // unless another one clearly does better.
    let mut best = (b',', 0);
    for delimiter in DELIMITERS {
        let Ok((head, _)) = parse(&text, delimiter, HEADER_WINDOW) else {
            continue;
        };
        let score = best_score(&head, columns);
        if score > best.1 {
            best = (delimiter, score);
        }
    }
    // Beyond this many non-empty rows the file has too many data rows whichever row
    // turns out to be the header; stopping early bounds the memory used.
    let (grid, truncated) = parse(&text, best.0, limits.max_rows.saturating_add(HEADER_WINDOW))?;
    if truncated {
        return Err(ReadError::TooManyRows { max_rows: limits.max_rows });
    }
    Ok(grid)
}

/// Parses up to `max_rows` non-empty rows; `true` when there were more.
fn parse(text: &str, delimiter: u8, max_rows: usize) -> Result<(Grid, bool), ReadError> {
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut lines = LineCounter { text: text.as_bytes(), counted_to: 0, line: 1 };
    loop {
        let start = reader.position().byte();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(error) => {
                let byte = error.position().map_or(start, csv::Position::byte);
                return Err(ReadError::Csv { line: lines.line_at(byte), message: error.to_string() });
            }
        }
        let cells: Vec<(usize, String)> =
            record.iter().enumerate().filter_map(|(col, value)| Some((col, unescape(clean(value)?)))).collect();
        if cells.is_empty() {
            continue;
        }
        if rows.len() == max_rows {
            return Ok((Grid { rows, merges: Vec::new() }, true));
        }
        let row = lines.line_at(record.position().map_or(start, csv::Position::byte));
        rows.push(GridRow { row, cells });
    }
    Ok((Grid { rows, merges: Vec::new() }, false))
}

/// Line numbers of records. The csv crate positions a record at the end of the
/// previous one (before its line break), so its line numbers are one short; this
/// counts from the first byte of the record instead, accepting CRLF, LF and lone CR.
struct LineCounter<'a> {
    text: &'a [u8],
    counted_to: usize,
    line: usize,
}

impl LineCounter<'_> {
    /// The 1-based line of the first character at or after `byte` that is not a line
    /// break. Calls must not go backwards.
    fn line_at(&mut self, byte: u64) -> usize {
        let mut start = usize::try_from(byte).unwrap_or(usize::MAX).max(self.counted_to);
        while matches!(self.text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        let span = self.text.get(self.counted_to..start).unwrap_or_default();
        for (index, byte) in span.iter().enumerate() {
            let crlf_start = *byte == b'\r' && span.get(index + 1) == Some(&b'\n');
            if *byte == b'\n' || (*byte == b'\r' && !crlf_start) {
                self.line += 1;
            }
        }
        self.counted_to = start.min(self.text.len());
        self.line
    }
}

/// Undoes the apostrophe [`crate::write`] puts before values Excel would run as
/// formulas.
fn unescape(value: String) -> String {
    let mut chars = value.chars();
    if chars.next() == Some('\'') && chars.next().is_some_and(crate::write::is_formula_start) {
        value.get(1..).unwrap_or_default().to_owned()
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_every_encoding_excel_writes() {
        assert_eq!(decode(b"\xEF\xBB\xBFa,b"), "a,b");
        assert_eq!(decode("企业".as_bytes()), "企业");
        let (gbk, _, _) = encoding_rs::GBK.encode("企业名称");
        assert_eq!(decode(&gbk), "企业名称");
        assert_eq!(decode(b"\xFF\xFEa\x00,\x00"), "a,");
    }

    #[test]
    fn line_numbers_count_every_kind_of_line_break() {
        let text = "a\r\nb\n\nc\rd";
        let mut lines = LineCounter { text: text.as_bytes(), counted_to: 0, line: 1 };
        assert_eq!(lines.line_at(0), 1);
        assert_eq!(lines.line_at(1), 2);
        assert_eq!(lines.line_at(4), 4);
        assert_eq!(lines.line_at(8), 5);
    }

    #[test]
    fn unescapes_formula_guards_only() {
        assert_eq!(unescape("'=SUM(A1)".to_owned()), "=SUM(A1)");
        assert_eq!(unescape("'abc".to_owned()), "'abc");
        assert_eq!(unescape("'".to_owned()), "'");
    }
}
