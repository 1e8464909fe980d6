//! Writing exports and import templates as CSV or XLSX. Files are written for people
//! opening them in Excel or WPS: CSV with a BOM so Chinese shows correctly, XLSX with
//! every value as text so codes keep their leading zeros, and both readable by
//! [`crate::read_sheet`] again.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::spec::{ColumnSpec, FileFormat, Lang};

/// Why a file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("could not write the XLSX file: {0}")]
    Xlsx(String),
    #[error("could not write the CSV file: {0}")]
    Csv(String),
    /// A row with a different number of values than there are columns: a bug in the
    /// caller, refused rather than written misaligned.
    #[error("data row {row} has {found} values for {expected} columns")]
    RowWidth { row: usize, expected: usize, found: usize },
}

impl From<XlsxError> for WriteError {
    fn from(error: XlsxError) -> Self {
        WriteError::Xlsx(error.to_string())
    }
}

impl From<csv::Error> for WriteError {
    fn from(error: csv::Error) -> Self {
        WriteError::Csv(error.to_string())
    }
}

/// Writes `rows` (one value per column, in column order) under a header row in `lang`.
/// `title` is a bold row above the header in XLSX; CSV files, meant for other
/// programs, get no title.
pub fn write_sheet(
    columns: &[ColumnSpec],
    lang: Lang,
    format: FileFormat,
    title: Option<&str>,
    rows: &mut dyn Iterator<Item = Vec<String>>,
) -> Result<Vec<u8>, WriteError> {
    let headers: Vec<String> = columns.iter().map(|c| c.name(lang).to_owned()).collect();
    match format {
        FileFormat::Csv => write_csv(&headers, rows),
        FileFormat::Xlsx => write_xlsx(&headers, title, rows),
    }
}

/// An empty file to fill in: the header row with required columns marked "*", and for
/// XLSX a second sheet ("说明" / "Notes") describing every column.
pub fn template(columns: &[ColumnSpec], lang: Lang, format: FileFormat) -> Result<Vec<u8>, WriteError> {
    let headers: Vec<String> = columns
        .iter()
        .map(|c| if c.required { format!("*{}", c.name(lang)) } else { c.name(lang).to_owned() })
        .collect();
    match format {
        FileFormat::Csv => write_csv(&headers, &mut std::iter::empty()),
        FileFormat::Xlsx => write_template_xlsx(columns, &headers, lang),
    }
}

/// Whether a value starting with this character could be taken for a formula by Excel.
pub(crate) fn is_formula_start(character: char) -> bool {
    matches!(character, '=' | '+' | '-' | '@')
}

/// Puts an apostrophe before values Excel would evaluate when opening a CSV file
/// ("=HYPERLINK(...)" typed into a company name), the usual guard against CSV
/// injection. Numbers such as "-12.5" and a lone "-" are left alone. The reader removes
/// the apostrophe again.
fn guard_formula(value: &str) -> std::borrow::Cow<'_, str> {
    let starts_like_formula = value.chars().next().is_some_and(is_formula_start);
    if starts_like_formula && value.len() > 1 && value.parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{value}"))
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

fn check_width(index: usize, row: &[String], expected: usize) -> Result<(), WriteError> {
    if row.len() == expected {
        Ok(())
    } else {
        Err(WriteError::RowWidth { row: index + 1, expected, found: row.len() })
    }
}

fn write_csv(headers: &[String], rows: &mut dyn Iterator<Item = Vec<String>>) -> Result<Vec<u8>, WriteError> {
    // The BOM is what makes Excel read the file as UTF-8 rather than the locale's code page.
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(b"\xEF\xBB\xBF".to_vec());
    writer.write_record(headers)?;
    for (index, row) in rows.enumerate() {
        check_width(index, &row, headers.len())?;
        writer.write_record(row.iter().map(|value| guard_formula(value).into_owned()))?;
    }
    writer.into_inner().map_err(|error| WriteError::Csv(error.to_string()))
}

/// Display width in Excel's character units: CJK and other wide characters take two.
fn display_width(text: &str) -> usize {
    text.lines().map(|line| line.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum::<usize>()).max().unwrap_or(0)
}

fn is_wide(character: char) -> bool {
    matches!(character as u32,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// Column widths from the headers and the first rows, between 8 and 50 characters.
fn column_widths(headers: &[String], sample: &[Vec<String>]) -> Vec<f64> {
    headers
        .iter()
        .enumerate()
        .map(|(col, header)| {
            let data = sample.iter().filter_map(|row| row.get(col)).map(|v| display_width(v)).max().unwrap_or(0);
            // Two extra for the bold header font and the cell padding.
            let width = (display_width(header) + 2).max(data + 1).clamp(8, 50);
            f64::from(u32::try_from(width).unwrap_or(50))
        })
        .collect()
}

/// Excel refuses strings longer than 32,767 UTF-16 units; longer values are cut rather
/// than failing the whole export.
fn excel_text(value: &str) -> &str {
    const MAX_UNITS: usize = 32_767;
    let mut units = 0;
    for (index, character) in value.char_indices() {
        units += character.len_utf16();
        if units > MAX_UNITS {
            return value.get(..index).unwrap_or_default();
        }
    }
    value
}

fn title_format() -> Format {
    Format::new().set_bold().set_font_size(14).set_align(FormatAlign::Center).set_align(FormatAlign::VerticalCenter)
}

fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0x00DD_EBF7))
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap()
}

fn col_num(col: usize) -> Result<u16, WriteError> {
    u16::try_from(col).map_err(|_| WriteError::Xlsx(format!("too many columns ({col})")))
}

fn row_num(row: usize) -> Result<u32, WriteError> {
    u32::try_from(row).map_err(|_| WriteError::Xlsx(format!("too many rows ({row})")))
}

/// Writes the optional title and the header row; returns the row index data starts at.
fn write_head(sheet: &mut Worksheet, headers: &[String], title: Option<&str>) -> Result<u32, WriteError> {
    let mut row = 0;
    if let Some(title) = title {
        let last = col_num(headers.len().saturating_sub(1))?;
        if last == 0 {
            sheet.write_string_with_format(0, 0, excel_text(title), &title_format())?;
        } else {
            sheet.merge_range(0, 0, 0, last, excel_text(title), &title_format())?;
        }
        sheet.set_row_height(0, 24)?;
        row = 1;
    }
    let format = header_format();
    for (col, header) in headers.iter().enumerate() {
        sheet.write_string_with_format(row, col_num(col)?, excel_text(header), &format)?;
    }
    // Keep the header in view while scrolling.
    sheet.set_freeze_panes(row + 1, 0)?;
    Ok(row + 1)
}

fn write_xlsx(
    headers: &[String],
    title: Option<&str>,
    rows: &mut dyn Iterator<Item = Vec<String>>,
) -> Result<Vec<u8>, WriteError> {
    // Widths are set from a sample so the rest can be streamed.
    const SAMPLE_ROWS: usize = 200;
    let sample: Vec<Vec<String>> = rows.take(SAMPLE_ROWS).collect();
    let mut workbook = Workbook::new();
    // Constant memory mode needs a writable temporary directory; without one the
    // ordinary mode still works, only with more memory.
    if workbook.add_worksheet_with_constant_memory().is_err() {
        workbook.add_worksheet();
    }
    let sheet = workbook.worksheet_from_index(0)?;
    for (col, width) in column_widths(headers, &sample).into_iter().enumerate() {
        sheet.set_column_width(col_num(col)?, width)?;
    }
    let first = write_head(sheet, headers, title)?;
    // Rows are written strictly in order: constant memory mode drops writes to rows
    // already flushed.
    for (index, row) in sample.into_iter().chain(rows).enumerate() {
        check_width(index, &row, headers.len())?;
        let row_index = row_num(index)?.checked_add(first).ok_or(XlsxError::RowColumnLimitError)?;
        for (col, value) in row.iter().enumerate() {
            if !value.is_empty() {
                sheet.write_string(row_index, col_num(col)?, excel_text(value))?;
            }
        }
    }
    Ok(workbook.save_to_buffer()?)
}

fn write_template_xlsx(columns: &[ColumnSpec], headers: &[String], lang: Lang) -> Result<Vec<u8>, WriteError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    // Text format on the data cells so typed codes such as "0111" keep their zeros.
    let text = Format::new().set_num_format("@");
    for (col, width) in column_widths(headers, &[]).into_iter().enumerate() {
        sheet.set_column_width(col_num(col)?, width)?;
        sheet.set_column_format(col_num(col)?, &text)?;
    }
    write_head(sheet, headers, None)?;

    let notes = workbook.add_worksheet();
    let (name, column, required, note, yes, no) = match lang {
        Lang::Zh => ("说明", "列名", "是否必填", "填写说明", "是", "否"),
        Lang::En => ("Notes", "Column", "Required", "Notes", "Yes", "No"),
    };
    notes.set_name(name)?;
    let note_headers = [column.to_owned(), required.to_owned(), note.to_owned()];
    let format = header_format();
    for (col, header) in note_headers.iter().enumerate() {
        notes.write_string_with_format(0, col_num(col)?, header, &format)?;
    }
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    for (index, spec) in columns.iter().enumerate() {
        let row = row_num(index + 1)?;
        notes.write_string_with_format(row, 0, excel_text(spec.name(lang)), &wrap)?;
        notes.write_string_with_format(row, 1, if spec.required { yes } else { no }, &wrap)?;
        notes.write_string_with_format(row, 2, excel_text(spec.note(lang)), &wrap)?;
    }
    let name_width = columns.iter().map(|c| display_width(c.name(lang))).max().unwrap_or(0);
    notes.set_column_width(0, f64::from(u32::try_from(name_width.clamp(8, 40) + 2).unwrap_or(42)))?;
    notes.set_column_width(1, 10)?;
    notes.set_column_width(2, 80)?;
    notes.set_freeze_panes(1, 0)?;
    Ok(workbook.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_guard() {
        assert_eq!(guard_formula("=1+1"), "'=1+1");
        assert_eq!(guard_formula("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(guard_formula("+86 10 1234"), "'+86 10 1234");
        assert_eq!(guard_formula("-12.5"), "-12.5");
        assert_eq!(guard_formula("-"), "-");
        assert_eq!(guard_formula("企业"), "企业");
    }

    #[test]
    fn widths_count_cjk_double() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("企业名称"), 8);
        assert_eq!(display_width("ab\n企业名称x"), 9);
        assert_eq!(column_widths(&["统一社会信用代码".to_owned()], &[]), vec![18.0]);
        assert_eq!(column_widths(&["a".to_owned()], &[vec!["x".repeat(80)]]), vec![50.0]);
    }

    #[test]
    fn long_text_is_cut_at_excel_limit() {
        let long = "企".repeat(40_000);
        assert_eq!(excel_text(&long).chars().count(), 32_767);
        assert_eq!(excel_text("short"), "short");
    }
}
