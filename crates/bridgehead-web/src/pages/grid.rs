//! Forms with repeated rows — the lines of a list such as equipment items, partners,
//! budget lines or milestones. A row's fields are named `{prefix}_{column}_{n}` (rows
//! counted from 1); blank rows are skipped when read, and a refused list's errors
//! (`{list}[i].{column}`) go back to the form row the entry came from.

use std::collections::BTreeMap;

use bridgehead_domain::FieldError;

use super::{Ctx, Field, FieldGrid, Form};

/// A column of a grid: its name in the form, the catalogue key of its heading, and
/// for a choice the options (value, label) — the first one blank.
pub(super) struct GridColumn {
    pub name: &'static str,
    pub label_key: &'static str,
    pub options: Option<Vec<(String, String)>>,
    /// A date column gets the browser's date picker.
    pub date: bool,
}

impl GridColumn {
    pub fn text(name: &'static str, label_key: &'static str) -> Self {
        Self { name, label_key, options: None, date: false }
    }

    pub fn date(name: &'static str, label_key: &'static str) -> Self {
        Self { name, label_key, options: None, date: true }
    }

    pub fn choice(name: &'static str, label_key: &'static str, options: Vec<(String, String)>) -> Self {
        let mut all = vec![(String::new(), "—".to_owned())];
        all.extend(options);
        Self { name, label_key, options: Some(all), date: false }
    }
}

/// A urlencoded form as its (name, value) pairs, in order.
pub(super) fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// One sent row: its number in the form and its values by column.
pub(super) type Row = (usize, BTreeMap<String, String>);

/// Reads the rows of `prefix` from urlencoded pairs, in row order, skipping rows whose
/// columns (other than those in `ignore`) are all empty; at most `max` rows are read.
pub(super) fn read_rows(pairs: &[(String, String)], prefix: &str, max: usize, ignore: &[&str]) -> Vec<Row> {
    let mut rows: BTreeMap<usize, BTreeMap<String, String>> = BTreeMap::new();
    let start = format!("{prefix}_");
    for (name, value) in pairs {
        let Some(rest) = name.strip_prefix(&start) else { continue };
        let Some((column, n)) = rest.rsplit_once('_') else { continue };
        let Some(n) = n.parse::<usize>().ok().filter(|n| (1..=max).contains(n)) else { continue };
        rows.entry(n).or_default().insert(column.to_owned(), value.clone());
    }
    rows.into_iter()
        .filter(|(_, values)| {
            values.iter().any(|(column, v)| !ignore.contains(&column.as_str()) && !v.trim().is_empty())
        })
        .collect()
}

/// A value of a row, `None` when absent.
pub(super) fn cell(values: &BTreeMap<String, String>, column: &str) -> Option<String> {
    values.get(column).cloned()
}

/// A grid of `columns` with the sent `rows` in their places and blank rows up to at
/// least `min_rows` (and one blank row after the last filled one).
pub(super) fn grid(
    ctx: &Ctx,
    prefix: &str,
    legend: String,
    hint: Option<String>,
    columns: &[GridColumn],
    rows: &[Row],
    min_rows: usize,
) -> FieldGrid {
    let last = rows.iter().map(|(n, _)| *n).max().unwrap_or(0);
    let count = (last + 1).max(min_rows);
    let mut grid = FieldGrid {
        legend,
        hint,
        columns: columns.iter().map(|c| ctx.t(c.label_key)).collect(),
        ..FieldGrid::default()
    };
    for n in 1..=count {
        let values = rows.iter().find(|(r, _)| *r == n).map(|(_, v)| v);
        grid.rows.push(
            columns
                .iter()
                .map(|column| {
                    let label = ctx
                        .t_args("confirmation-item-row", &[("n", n.to_string()), ("column", ctx.t(column.label_key))]);
                    let value = values.and_then(|v| v.get(column.name)).cloned().unwrap_or_default();
                    let name = format!("{prefix}_{}_{n}", column.name);
                    match &column.options {
                        Some(options) => {
                            Field::new(&name, label, "select").options(options.clone(), std::slice::from_ref(&value))
                        }
                        None => Field::new(&name, label, if column.date { "date" } else { "text" }).value(value),
                    }
                })
                .collect(),
        );
    }
    grid
}

/// Puts the errors of list `list` (`{list}[i].{column}` or `{list}`) on the grid of
/// `prefix`: an entry's error on the form row it came from (`rows[i]`), the list's on
/// the grid as a whole. Returns the errors that are not the list's.
pub(super) fn place_row_errors(
    ctx: &Ctx,
    form: &mut Form,
    list: &str,
    prefix: &str,
    rows: &[usize],
    errors: Vec<FieldError>,
) -> Vec<FieldError> {
    let mut rest = Vec::new();
    let Some(grid_index) = form.grids.iter().position(|g| {
        g.rows.first().and_then(|r| r.first()).is_some_and(|f| f.name.starts_with(&format!("{prefix}_")))
    }) else {
        return errors;
    };
    for error in errors {
        let Some(tail) = error.field.strip_prefix(list).filter(|t| t.is_empty() || t.starts_with('[')) else {
            rest.push(error);
            continue;
        };
        let grid = &mut form.grids[grid_index];
        let text = ctx.lang.error_message(error.code, &error.params, &error.message);
        let target = tail
            .strip_prefix('[')
            .and_then(|r| r.split_once("]."))
            .and_then(|(index, column)| Some((rows.get(index.parse::<usize>().ok()?)?, column)))
            .map(|(row, column)| format!("{prefix}_{column}_{row}"))
            .and_then(|name| grid.rows.iter_mut().flatten().find(|f| f.name == name));
        match target {
            Some(field) => field.error = Some(field.error.take().map_or(text.clone(), |e| format!("{e}; {text}"))),
            None => grid.error = Some(grid.error.take().map_or(text.clone(), |e| format!("{e}; {text}"))),
        }
    }
    rest
}
