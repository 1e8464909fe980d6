//! Reading an uploaded file into records keyed by column: the entry point, the result
//! types and the errors. Problems with the file as a whole stop the read
//! ([`ReadError`]); problems with single cells are for the caller's validation to
//! collect as [`RowError`]s and report all at once.

use bridgehead_domain::FieldErrors;
use serde::Serialize;

use crate::grid::{ColumnMerges, Grid};
use crate::header::{Header, find_header};
use crate::spec::{ColumnSpec, FileFormat, Lang, Limits};
use crate::{csv_read, xlsx_read};

/// One data row. Values are trimmed; empty cells are absent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// 1-based row number as shown in Excel, or the line of the CSV file the record
    /// starts on, so users can find it.
    pub row: usize,
    columns: &'static [ColumnSpec],
    /// One per spec column, in spec order.
    values: Vec<Option<String>>,
}

impl Record {
    /// The value of column `key`; `None` when the cell is empty or the column absent.
    pub fn get(&self, key: &str) -> Option<&str> {
        let index = self.columns.iter().position(|c| c.key == key)?;
        self.values.get(index)?.as_deref()
    }

    /// All values, one per spec column, in spec order.
    pub fn values(&self) -> &[Option<String>] {
        &self.values
    }
}

/// A file read against a column layout.
#[derive(Clone, Debug)]
pub struct Sheet {
    pub columns: &'static [ColumnSpec],
    /// 1-based row number of the header row (the lower one of a two-row header).
    pub header_row: usize,
    /// Per spec column: the header text as written in the file, `None` when absent.
    pub headers_found: Vec<Option<String>>,
    pub records: Vec<Record>,
    /// Headers in the file that match no column; their data is not read.
    pub ignored_headers: Vec<String>,
}

impl Sheet {
    /// The header of column `key` as written in the file, else its Chinese name, so
    /// error reports use the words the user sees.
    pub fn header_for(&self, key: &str) -> String {
        let Some(index) = self.columns.iter().position(|c| c.key == key) else {
            return key.to_owned();
        };
        match (self.headers_found.get(index), self.columns.get(index)) {
            (Some(Some(found)), _) => found.clone(),
            (_, Some(column)) => column.zh.to_owned(),
            _ => key.to_owned(),
        }
    }

    /// Whether the file has column `key`.
    pub fn has_column(&self, key: &str) -> bool {
        self.columns
            .iter()
            .position(|c| c.key == key)
            .and_then(|i| self.headers_found.get(i))
            .is_some_and(Option::is_some)
    }

    /// A problem with the cell of column `key` in `record`.
    pub fn row_error(
        &self,
        record: &Record,
        key: &str,
        code: impl Into<String>,
        reason: impl Into<String>,
    ) -> RowError {
        RowError {
            row: record.row,
            column: self.header_for(key),
            value: record.get(key).unwrap_or_default().to_owned(),
            reason: reason.into(),
            code: code.into(),
            params: std::collections::BTreeMap::new(),
        }
    }

    /// Domain validation errors for `record` (fields named by column key) as row errors.
    pub fn row_errors(&self, record: &Record, errors: &FieldErrors) -> Vec<RowError> {
        errors
            .0
            .iter()
            .map(|error| {
                let mut error = error.clone();
                if error.value.is_none() {
                    error.value = record.get(&error.field).map(str::to_owned);
                }
                self.field_row_error(record.row, error)
            })
            .collect()
    }

    /// A domain field error on row `row` as a row error, under the column the file
    /// gave that field (`clusters[2].code` counts as `clusters`).
    pub fn field_row_error(&self, row: usize, error: bridgehead_domain::FieldError) -> RowError {
        let key = error.field.split('[').next().unwrap_or(&error.field);
        RowError {
            row,
            column: self.header_for(key),
            value: error.value.unwrap_or_default(),
            reason: error.message,
            code: error.code.to_owned(),
            params: error.params,
        }
    }
}

/// A problem with one cell, reported with every other at once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// 1-based row as shown in Excel (line for CSV).
    pub row: usize,
    /// The column header as written in the file.
    pub column: String,
    /// The offending value as read.
    pub value: String,
    /// Why it was refused, for people.
    pub reason: String,
    /// A stable code, e.g. `credit_code.check_character`.
    pub code: String,
    /// The particulars the reason names, for giving it in another language.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub params: std::collections::BTreeMap<String, String>,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "row {}, {}: {}", self.row, self.column, self.reason)
    }
}

/// Why a file could not be read at all. `Display` is English; [`ReadError::message`]
/// gives either language and [`ReadError::code`] a stable code for translation.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("The file is larger than the limit of {} MB.", mib(*max_bytes))]
    TooLarge { max_bytes: usize },
    #[error("The file has more than {max_rows} data rows, the most one import accepts.")]
    TooManyRows { max_rows: usize },
    #[error("The file could not be read as an Excel workbook (.xlsx): {0}")]
    Xlsx(String),
    #[error("The CSV file could not be read at line {line}: {message}")]
    Csv { line: usize, message: String },
    #[error("No header row was found in the first 20 rows. Expected column headers such as: {expected}")]
    NoHeaderRow { expected: String },
    #[error("Required columns are missing: {}", columns.join("; "))]
    MissingColumns { columns: Vec<String> },
    #[error("The file contains no data.")]
    Empty,
    #[error("The column \"{header}\" appears more than once.")]
    DuplicateColumn { header: String },
}

fn mib(bytes: usize) -> usize {
    bytes.div_ceil(1024 * 1024)
}

impl ReadError {
    /// A stable code such as "import.missing_columns".
    pub fn code(&self) -> &'static str {
        match self {
            ReadError::TooLarge { .. } => "import.too_large",
            ReadError::TooManyRows { .. } => "import.too_many_rows",
            ReadError::Xlsx(_) => "import.xlsx",
            ReadError::Csv { .. } => "import.csv",
            ReadError::NoHeaderRow { .. } => "import.no_header_row",
            ReadError::MissingColumns { .. } => "import.missing_columns",
            ReadError::Empty => "import.empty",
            ReadError::DuplicateColumn { .. } => "import.duplicate_column",
        }
    }

    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            ReadError::TooLarge { max_bytes } => format!("文件超过 {} MB 的大小上限。", mib(*max_bytes)),
            ReadError::TooManyRows { max_rows } => format!("数据超过 {max_rows} 行，超出单次导入上限。"),
            ReadError::Xlsx(detail) => format!("无法按 Excel 工作簿（.xlsx）读取该文件：{detail}"),
            ReadError::Csv { line, message } => format!("CSV 文件第 {line} 行无法读取：{message}"),
            ReadError::NoHeaderRow { expected } => format!("前 20 行中没有找到表头行，表头应包含：{expected}"),
            ReadError::MissingColumns { columns } => format!("缺少必填列：{}", columns.join("；")),
            ReadError::Empty => "文件中没有数据。".to_owned(),
            ReadError::DuplicateColumn { header } => format!("列“{header}”出现了不止一次。"),
        }
    }
}

/// The magic number of the compound-file format of Excel 97-2003 `.xls` files.
const XLS_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// Reads the first worksheet of an XLSX file, or a CSV file, against `columns`.
/// `format` is what the caller believes; a zip archive is read as XLSX whatever the
/// name said, since no CSV file starts with the zip magic.
pub fn read_sheet(
    bytes: &[u8],
    format: FileFormat,
    columns: &'static [ColumnSpec],
    limits: &Limits,
) -> Result<Sheet, ReadError> {
    if bytes.len() > limits.max_bytes {
        return Err(ReadError::TooLarge { max_bytes: limits.max_bytes });
    }
    if bytes.starts_with(XLS_MAGIC) {
        return Err(ReadError::Xlsx(
            "this is an old Excel 97-2003 (.xls) file; save it as .xlsx or CSV and upload it again".to_owned(),
        ));
    }
    let grid = match (FileFormat::sniff(bytes), format) {
        (FileFormat::Xlsx, _) => xlsx_read::read_grid(bytes, limits)?,
        (FileFormat::Csv, FileFormat::Xlsx) if bytes.iter().all(u8::is_ascii_whitespace) => {
            return Err(ReadError::Empty);
        }
        (FileFormat::Csv, FileFormat::Xlsx) => {
            return Err(ReadError::Xlsx("the file is not an .xlsx workbook (it is not a zip archive)".to_owned()));
        }
        (FileFormat::Csv, FileFormat::Csv) => csv_read::read_grid(bytes, columns, limits)?,
    };
    assemble(&grid, columns, limits)
}

/// Finds the header and turns the rows below it into records.
fn assemble(grid: &Grid, columns: &'static [ColumnSpec], limits: &Limits) -> Result<Sheet, ReadError> {
    let Header { index, found, ignored } = find_header(grid, columns)?;
    let header_row = grid.rows.get(index).map_or(0, |r| r.row);
    let merges: Vec<Option<ColumnMerges<'_>>> =
        found.iter().map(|f| f.as_ref().map(|(col, _)| grid.column_merges(*col))).collect();
    let mut records = Vec::new();
    for row in grid.rows.iter().skip(index + 1) {
        let values: Vec<Option<String>> = found
            .iter()
            .zip(&merges)
            .map(|(found, merges)| {
                let (col, _) = found.as_ref()?;
                let value = row.get(*col).or_else(|| merges.as_ref()?.get(row.row))?;
                Some(value.to_owned())
            })
            .collect();
        // Rows with content only in unknown columns (notes, totals) carry nothing to import.
        if values.iter().all(Option::is_none) {
            continue;
        }
        if records.len() == limits.max_rows {
            return Err(ReadError::TooManyRows { max_rows: limits.max_rows });
        }
        records.push(Record { row: row.row, columns, values });
    }
    Ok(Sheet {
        columns,
        header_row,
        headers_found: found.into_iter().map(|f| f.map(|(_, text)| text)).collect(),
        records,
        ignored_headers: ignored,
    })
}
