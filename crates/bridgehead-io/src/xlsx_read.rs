//! Reading the first worksheet of an XLSX workbook into a grid: cell values as the
//! user saw them in Excel, plus the merged regions.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{DataRef, Reader, SheetType, SheetVisible, Xlsx, XlsxError};

use crate::cell::{clean, format_excel_datetime, format_excel_duration, format_iso_datetime, format_number};
use crate::grid::{Grid, GridRow, Merge};
use crate::header::HEADER_WINDOW;
use crate::read::ReadError;
use crate::spec::Limits;

fn xlsx_error(error: XlsxError) -> ReadError {
    ReadError::Xlsx(error.to_string())
}

/// Reads the grid. The workbook parser can panic on some damaged files (e.g. a
/// dimension whose end lies before its start); such a file is refused as damaged
/// instead of taking the request down with it.
pub(crate) fn read_grid(bytes: &[u8], limits: &Limits) -> Result<Grid, ReadError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_grid_unguarded(bytes, limits))).unwrap_or_else(|_| {
        Err(ReadError::Xlsx("the workbook is damaged and cannot be read; save it again from Excel or WPS".to_owned()))
    })
}

fn read_grid_unguarded(bytes: &[u8], limits: &Limits) -> Result<Grid, ReadError> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(xlsx_error)?;
    let is_1904 = workbook.has_1904_epoch();
    let sheets = workbook.sheets_metadata();
    // The first visible worksheet: templates sometimes keep hidden lookup sheets and
    // chart sheets have no cells.
    let name = sheets
        .iter()
        .find(|s| s.typ == SheetType::WorkSheet && s.visible == SheetVisible::Visible)
        .or_else(|| sheets.iter().find(|s| s.typ == SheetType::WorkSheet))
        .map(|s| s.name.clone())
        .ok_or_else(|| ReadError::Xlsx("the workbook has no worksheet".to_owned()))?;
    let merges = workbook
        .merge_cells_by_sheet_name(&name)
        .map_err(xlsx_error)?
        .into_iter()
        .map(|d| Merge {
            first_row: d.start.0 as usize + 1,
            last_row: d.end.0 as usize + 1,
            first_col: d.start.1 as usize,
            last_col: d.end.1 as usize,
        })
        .collect();

    // Cells are collected sparsely: a dense range spanning A1 to a stray cell far down
    // and right would be enormous.
    let row_cap = limits.max_rows.saturating_add(HEADER_WINDOW);
    let mut rows: BTreeMap<u32, Vec<(usize, String)>> = BTreeMap::new();
    let mut reader = workbook.worksheet_cells_reader(&name).map_err(xlsx_error)?;
    while let Some(cell) = reader.next_cell().map_err(xlsx_error)? {
        let Some(value) = render(cell.get_value(), is_1904) else {
            continue;
        };
        let (row, col) = cell.get_position();
        if !rows.contains_key(&row) && rows.len() == row_cap {
            return Err(ReadError::TooManyRows { max_rows: limits.max_rows });
        }
        rows.entry(row).or_default().push((col as usize, value));
    }
    let rows = rows
        .into_iter()
        .map(|(row, mut cells)| {
            // Stable sort then keep the last of duplicates: a later cell overwrites.
            cells.sort_by_key(|(col, _)| *col);
            cells.reverse();
            cells.dedup_by_key(|(col, _)| *col);
            cells.reverse();
            GridRow { row: row as usize + 1, cells }
        })
        .collect();
    Ok(Grid { rows, merges })
}

/// The cell as text the way Excel displays it, `None` when empty.
fn render(value: &DataRef<'_>, is_1904: bool) -> Option<String> {
    match value {
        DataRef::Empty => None,
        DataRef::String(text) => clean(text),
        DataRef::SharedString(text) => clean(text),
        DataRef::Int(number) => Some(number.to_string()),
        DataRef::Float(number) => Some(format_number(*number)),
        DataRef::Bool(flag) => Some(flag.to_string()),
        DataRef::DateTime(datetime) if datetime.is_duration() => Some(format_excel_duration(datetime.as_f64())),
        DataRef::DateTime(datetime) => Some(format_excel_datetime(datetime.as_f64(), is_1904)),
        DataRef::DateTimeIso(text) => clean(&format_iso_datetime(text)),
        DataRef::DurationIso(text) => clean(text),
        DataRef::Error(error) => Some(error.to_string()),
    }
}
