//! Finding the header row and matching its cells to the expected columns. Files come
//! from people and other systems: a title above the header, group titles merged across
//! columns, "*" on required columns, "（必填）" or units in brackets, line breaks inside
//! header cells, full-width letters. Matching forgives all of that.

use std::collections::{BTreeMap, HashMap};

use bridgehead_domain::codes::full_width_to_ascii;

use crate::grid::Grid;
use crate::read::ReadError;
use crate::spec::ColumnSpec;

/// How many non-empty rows at the top are considered as the header.
pub(crate) const HEADER_WINDOW: usize = 20;

/// Reduces a header to what identifies it: no whitespace or underscores, half-width,
/// lower case, without a required marker "*" and without a trailing parenthetical such
/// as "（必填）", "(required)" or "（元）".
pub(crate) fn normalize_header(text: &str) -> String {
    let mut normal: String = text
        .chars()
        .map(full_width_to_ascii)
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '\u{FEFF}' | '\u{200B}'))
        .flat_map(char::to_lowercase)
        .collect();
    // Repeated because markers combine, e.g. "*企业名称(必填)" or "名称(必填)*".
    loop {
        let before = normal.len();
        normal = normal.trim_matches('*').to_owned();
        for (open, close) in [('(', ')'), ('[', ']'), ('【', '】')] {
            if normal.ends_with(close)
                && let Some(start) = normal.rfind(open)
                && start > 0
            {
                normal.truncate(start);
            }
        }
        if normal.len() == before {
            return normal;
        }
    }
}

/// Maps normalised headers to column indexes.
pub(crate) struct Matcher {
    names: HashMap<String, usize>,
}

impl Matcher {
    pub fn new(columns: &[ColumnSpec]) -> Self {
        let mut names = HashMap::new();
        for (index, column) in columns.iter().enumerate() {
            for name in [column.zh, column.en, column.key] {
                let normal = normalize_header(name);
                if !normal.is_empty() {
                    // The first column claiming a name keeps it.
                    names.entry(normal).or_insert(index);
                }
            }
        }
        Self { names }
    }

    pub fn find(&self, header: &str) -> Option<usize> {
        self.names.get(&normalize_header(header)).copied()
    }
}

/// The header as found: where it is and which file column holds each spec column.
#[derive(Debug)]
pub(crate) struct Header {
    /// Index into [`Grid::rows`].
    pub index: usize,
    /// Per spec column: the file column and the header text as written.
    pub found: Vec<Option<(usize, String)>>,
    pub ignored: Vec<String>,
}

/// "统一社会信用代码 / credit_code", how a column is named in messages.
pub(crate) fn display_name(column: &ColumnSpec) -> String {
    format!("{} / {}", column.zh, column.key)
}

/// One cell of a header candidate.
struct HeaderCell<'a> {
    col: usize,
    text: &'a str,
    spec: Option<usize>,
    /// Inherited from a merged region or taken from a row above: such a cell gives way
    /// to a cell written in the row itself and never counts as a duplicate.
    weak: bool,
}

/// The header cells of each of the first rows. A row's own cells (with those of merged
/// regions) come first; where the row has no cell, the nearest cell above it in the
/// same column is taken when it names a column, because a two-row header often names
/// some columns only in the upper row (a group title spans the others).
fn candidates<'a>(grid: &'a Grid, matcher: &Matcher) -> Vec<Vec<HeaderCell<'a>>> {
    let max_col = grid.max_col();
    // The nearest cell so far in each column, with the spec column it names.
    let mut above: BTreeMap<usize, (&str, Option<usize>)> = BTreeMap::new();
    let mut rows = Vec::new();
    for row in grid.rows.iter().take(HEADER_WINDOW) {
        let mut cells: Vec<HeaderCell<'a>> = grid
            .row_with_merges(row, max_col)
            .into_iter()
            .map(|(col, text, inherited)| HeaderCell { col, text, spec: matcher.find(text), weak: inherited })
            .collect();
        let own: Vec<usize> = cells.iter().map(|c| c.col).collect();
        for cell in &cells {
            above.insert(cell.col, (cell.text, cell.spec));
        }
        let mut from_above: Vec<HeaderCell<'a>> = above
            .iter()
            .filter(|(col, _)| own.binary_search(col).is_err())
            .filter_map(|(&col, &(text, spec))| Some(HeaderCell { col, text, spec: Some(spec?), weak: true }))
            .collect();
        if !from_above.is_empty() {
            cells.append(&mut from_above);
            cells.sort_by_key(|c| c.col);
        }
        rows.push(cells);
    }
    rows
}

/// How many distinct spec columns a candidate names.
fn score(cells: &[HeaderCell<'_>]) -> usize {
    let mut matched: Vec<usize> = cells.iter().filter_map(|c| c.spec).collect();
    matched.sort_unstable();
    matched.dedup();
    matched.len()
}

/// The best header score among the first rows of the grid, for choosing a delimiter.
pub(crate) fn best_score(grid: &Grid, columns: &[ColumnSpec]) -> usize {
    let matcher = Matcher::new(columns);
    candidates(grid, &matcher).iter().map(|cells| score(cells)).max().unwrap_or(0)
}

/// Chooses the header among the first rows: the one naming the most columns, the
/// upper one on a tie (data sits below headers).
pub(crate) fn find_header(grid: &Grid, columns: &[ColumnSpec]) -> Result<Header, ReadError> {
    if grid.rows.is_empty() {
        return Err(ReadError::Empty);
    }
    let matcher = Matcher::new(columns);
    let candidates = candidates(grid, &matcher);
    let mut best: Option<(usize, usize)> = None;
    for (index, cells) in candidates.iter().enumerate() {
        let score = score(cells);
        if score > 0 && best.is_none_or(|(_, best)| score > best) {
            best = Some((index, score));
        }
    }
    let (Some((index, _)), Some(cells)) = (best, best.and_then(|(index, _)| candidates.get(index))) else {
        let required: Vec<String> = columns.iter().filter(|c| c.required).map(display_name).collect();
        let expected = if required.is_empty() { columns.iter().map(display_name).collect() } else { required };
        return Err(ReadError::NoHeaderRow { expected: expected.join(", ") });
    };

    let mut found: Vec<Option<(usize, String)>> = vec![None; columns.len()];
    let mut weak_found = vec![false; columns.len()];
    let mut ignored: Vec<String> = Vec::new();
    for cell in cells {
        let Some(spec) = cell.spec else {
            if !cell.weak && !ignored.iter().any(|i| i == cell.text) {
                ignored.push(cell.text.to_owned());
            }
            continue;
        };
        let (Some(slot), Some(weak)) = (found.get_mut(spec), weak_found.get_mut(spec)) else {
            continue;
        };
        match (slot.is_some(), cell.weak) {
            (false, _) => {
                *slot = Some((cell.col, cell.text.to_owned()));
                *weak = cell.weak;
            }
            // A header merged across several columns names the column it starts in.
            (true, true) => {}
            (true, false) if *weak => {
                *slot = Some((cell.col, cell.text.to_owned()));
                *weak = false;
            }
            (true, false) => {
                return Err(ReadError::DuplicateColumn { header: cell.text.to_owned() });
            }
        }
    }

    let missing: Vec<String> = columns
        .iter()
        .zip(&found)
        .filter(|(c, found)| c.required && found.is_none())
        .map(|(c, _)| display_name(c))
        .collect();
    if !missing.is_empty() {
        return Err(ReadError::MissingColumns { columns: missing });
    }
    Ok(Header { index, found, ignored })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_normalise() {
        assert_eq!(normalize_header(" *统一社会信用代码（必填） "), "统一社会信用代码");
        assert_eq!(normalize_header("注册资本\n(万元)"), "注册资本");
        assert_eq!(normalize_header("Credit Code (required)"), "creditcode");
        assert_eq!(normalize_header("credit_code"), "creditcode");
        assert_eq!(normalize_header("ＣＲＥＤＩＴ　ＣＯＤＥ"), "creditcode");
        assert_eq!(normalize_header("企业名称*"), "企业名称");
        assert_eq!(normalize_header("＊企业名称【必填】"), "企业名称");
        assert_eq!(normalize_header("名称(必填)*"), "名称");
        // A header that is only a parenthetical is kept rather than emptied.
        assert_eq!(normalize_header("(备注)"), "(备注)");
        assert_eq!(normalize_header("***"), "");
    }
}
