//! The cells of a file before any meaning is given to them: the rows that hold anything,
//! each with its non-empty cells, and the merged regions. CSV and XLSX readers both
//! produce a grid so header detection and record building are written once.

/// The non-empty rows of the first worksheet (or of a CSV file).
#[derive(Debug, Default)]
pub(crate) struct Grid {
    /// Ascending by row number; every row has at least one cell.
    pub rows: Vec<GridRow>,
    pub merges: Vec<Merge>,
}

/// One row with its non-empty, trimmed cells.
#[derive(Debug)]
pub(crate) struct GridRow {
    /// 1-based row number as Excel shows it, or the CSV line the record starts on.
    pub row: usize,
    /// `(0-based column, value)`, ascending by column, one entry per column.
    pub cells: Vec<(usize, String)>,
}

/// A merged region, inclusive on both ends; rows 1-based like [`GridRow::row`], columns
/// 0-based.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Merge {
    pub first_row: usize,
    pub last_row: usize,
    pub first_col: usize,
    pub last_col: usize,
}

impl GridRow {
    pub fn get(&self, col: usize) -> Option<&str> {
        let index = self.cells.binary_search_by_key(&col, |(c, _)| *c).ok()?;
        self.cells.get(index).map(|(_, value)| value.as_str())
    }
}

impl Grid {
    /// The value written in a cell itself (not inherited from a merged region).
    pub fn own(&self, row: usize, col: usize) -> Option<&str> {
        let index = self.rows.binary_search_by_key(&row, |r| r.row).ok()?;
        self.rows.get(index)?.get(col)
    }

    /// The highest column holding a value; merged regions are clamped to it because
    /// cells right of all data cannot matter and a region may span 16,384 columns.
    pub fn max_col(&self) -> usize {
        self.rows.iter().filter_map(|r| r.cells.last().map(|(c, _)| *c)).max().unwrap_or(0)
    }

    /// The row's cells including those inherited from merged regions: `(column, value,
    /// inherited)`, ascending by column.
    pub fn row_with_merges<'a>(&'a self, row: &'a GridRow, max_col: usize) -> Vec<(usize, &'a str, bool)> {
        // Valid files have disjoint regions, so a row has at most 16,384 inherited
        // cells; the budget bounds the work for files with overlapping regions.
        let mut budget: usize = 1 << 16;
        let mut cells: Vec<(usize, &str, bool)> = row.cells.iter().map(|(c, v)| (*c, v.as_str(), false)).collect();
        let mut inherited = Vec::new();
        for merge in &self.merges {
            if !(merge.first_row..=merge.last_row).contains(&row.row) || merge.first_col > max_col {
                continue;
            }
            let Some(value) = self.own(merge.first_row, merge.first_col) else {
                continue;
            };
            for col in merge.first_col..=merge.last_col.min(max_col) {
                if budget == 0 {
                    break;
                }
                budget -= 1;
                let is_top_left = row.row == merge.first_row && col == merge.first_col;
                if !is_top_left && row.get(col).is_none() {
                    inherited.push((col, value, true));
                }
            }
        }
        if !inherited.is_empty() {
            cells.extend(inherited);
            cells.sort_by_key(|(c, _, _)| *c);
            cells.dedup_by_key(|(c, _, _)| *c);
        }
        cells
    }

    /// For one column, the regions that cover it with their top-left values, sorted by
    /// first row, so data cells in merged regions can be looked up by binary search.
    pub fn column_merges(&self, col: usize) -> ColumnMerges<'_> {
        let mut spans: Vec<(usize, usize, &str)> = self
            .merges
            .iter()
            .filter(|m| (m.first_col..=m.last_col).contains(&col))
            .filter_map(|m| Some((m.first_row, m.last_row, self.own(m.first_row, m.first_col)?)))
            .collect();
        spans.sort_by_key(|(first, _, _)| *first);
        ColumnMerges(spans)
    }
}

/// See [`Grid::column_merges`].
#[derive(Debug, Default)]
pub(crate) struct ColumnMerges<'a>(Vec<(usize, usize, &'a str)>);

impl<'a> ColumnMerges<'a> {
    pub fn get(&self, row: usize) -> Option<&'a str> {
        let after = self.0.partition_point(|(first, _, _)| *first <= row);
        let (_, last, value) = self.0.get(after.checked_sub(1)?)?;
        (row <= *last).then_some(*value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> Grid {
        let row = |row: usize, cells: &[(usize, &str)]| GridRow {
            row,
            cells: cells.iter().map(|(c, v)| (*c, (*v).to_owned())).collect(),
        };
        Grid {
            rows: vec![row(1, &[(0, "A"), (1, "group")]), row(2, &[(1, "b"), (2, "c")]), row(5, &[(2, "x")])],
            merges: vec![
                Merge { first_row: 1, last_row: 2, first_col: 0, last_col: 0 },
                Merge { first_row: 1, last_row: 1, first_col: 1, last_col: 99 },
                Merge { first_row: 3, last_row: 4, first_col: 0, last_col: 0 },
            ],
        }
    }

    #[test]
    fn rows_inherit_from_regions() {
        let grid = grid();
        assert_eq!(grid.max_col(), 2);
        let first = grid.row_with_merges(&grid.rows[0], grid.max_col());
        assert_eq!(first, vec![(0, "A", false), (1, "group", false), (2, "group", true)]);
        let second = grid.row_with_merges(&grid.rows[1], grid.max_col());
        assert_eq!(second, vec![(0, "A", true), (1, "b", false), (2, "c", false)]);
    }

    #[test]
    fn column_regions_by_row() {
        let grid = grid();
        let merges = grid.column_merges(0);
        assert_eq!(merges.get(1), Some("A"));
        assert_eq!(merges.get(2), Some("A"));
        // The region at rows 3-4 has an empty top-left cell, so it gives nothing.
        assert_eq!(merges.get(3), None);
        assert_eq!(merges.get(9), None);
        assert_eq!(grid.column_merges(2).get(1), Some("group"));
    }
}
