//! A fund's ledger from a file (SPEC §5): the entries of one fund from `.xlsx` or `.csv`
//! (the layout of [`LEDGER_COLUMNS`]), partners and holdings named as people know them.
//! Everything is checked before anything is written — every cell, every name (within
//! the fund), every partner's contributions against its commitment in file order — and
//! every problem is reported at once with its row. Then every entry is written in one
//! transaction through the same path as a single entry (a fund partner's flows mirrored
//! into the investing fund, an audit record each), so a file is stored whole or not at
//! all; the database's commitment trigger stays the last guard. A file is imported once
//! per fund: its SHA-256 is kept with the import log (unique per fund, migration 0011),
//! and the same file brought again gets the first import's answer and writes nothing.

use std::collections::{BTreeMap, HashMap};

use bridgehead_domain::FieldError;
use bridgehead_domain::codes::full_width_to_ascii;
use bridgehead_domain::funds::performance::{Component, FlowKind};
use bridgehead_domain::money::format_major_units;
use bridgehead_io::fund_ledger::{LedgerFile, read_ledger};
use bridgehead_io::{FileFormat, Lang, Limits, RowError};
use bridgehead_store::funds::{self as store, LedgerImportRow, NewEntry, PartnerRow};
use bridgehead_store::imports::{self, ImportSummary};
use bridgehead_store::{Conn, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::auth::audit;
use crate::enterprises::file_hash;
use crate::funds::{LEDGER_KEEPERS, visible_fund, write_entry};
use crate::{Actor, App, AppError, AppResult};

pub use bridgehead_io::fund_ledger::LEDGER_COLUMNS;

/// The most rows one ledger file may hold.
pub const MAX_LEDGER_ROWS: usize = 100_000;

/// The entries of one kind a file wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KindTotal {
    pub entries: usize,
    /// Fen.
    pub amount_minor: i64,
}

/// What a ledger import did — or, for a file imported before, what its first import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerImportOutcome {
    pub fund_id: i64,
    /// The import in the import log.
    pub import_id: i64,
    pub file_name: String,
    pub file_sha256: String,
    /// When the file was imported (the first time, for a file imported before).
    #[serde(default)]
    pub imported_at: String,
    /// Ledger entries written, one per row of the file.
    pub entries: usize,
    /// Entries written besides in investing funds' ledgers: a partner that is a fund
    /// pays in (or is paid) through its own ledger's investment (or proceeds).
    pub mirrored: usize,
    /// Per kind of entry (`contribution`, `distribution`, …): entries and their sum.
    pub by_kind: BTreeMap<String, KindTotal>,
    /// The sum of every entry's amount, fen.
    pub total_amount_minor: i64,
    /// Headers of the file that are not part of the layout (their cells were not read).
    pub ignored_columns: Vec<String>,
    /// The file had been imported into this fund before: nothing was written now, and
    /// this is the first import's answer.
    #[serde(default)]
    pub already_imported: bool,
}

/// Reduces a name as written to what identifies it: half-width (so "（示例）" and
/// "(示例)" are the same), no whitespace, lower case.
fn name_key(text: &str) -> String {
    text.chars().map(full_width_to_ascii).filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect()
}

/// The ids a fund's partners or holdings are known by: by the name as written, and by
/// name key (widths, case and spaces folded). A name written exactly as one is known
/// finds that one; otherwise a key that names several is ambiguous.
#[derive(Debug, Default)]
struct Names {
    exact: HashMap<String, Vec<i64>>,
    folded: HashMap<String, Vec<i64>>,
}

impl Names {
    fn add(&mut self, name: &str, id: i64) {
        for ids in
            [self.exact.entry(name.trim().to_owned()).or_default(), self.folded.entry(name_key(name)).or_default()]
        {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }

    fn find(&self, name: &str) -> Option<&[i64]> {
        match self.exact.get(name.trim()) {
            Some(ids) if ids.len() == 1 => Some(ids),
            _ => self.folded.get(&name_key(name)).map(Vec::as_slice),
        }
    }
}

/// One row checked and ready to write.
struct Planned {
    row: usize,
    entry: bridgehead_io::fund_ledger::LedgerEntry,
    partner_id: Option<i64>,
    holding_id: Option<i64>,
}

/// The first import's answer, for a file brought again.
fn replay(row: LedgerImportRow) -> AppResult<LedgerImportOutcome> {
    let mut outcome: LedgerImportOutcome = serde_json::from_str(&row.outcome_json)
        .map_err(|e| AppError::Internal(format!("stored ledger import {}: {e}", row.import_id)))?;
    outcome.already_imported = true;
    outcome.imported_at = row.at;
    Ok(outcome)
}

/// A field error of the single-entry path, said about the row's column.
fn row_field(mut error: FieldError, amount_minor: i64) -> FieldError {
    let column = match error.field.as_str() {
        "amount_minor" => Some("amount"),
        "partner_id" => Some("partner"),
        "holding_id" => Some("holding"),
        _ => None,
    };
    if let Some(column) = column {
        column.clone_into(&mut error.field);
    }
    if error.value.is_none() && error.field == "amount" {
        error.value = Some(format_major_units(amount_minor));
    }
    error
}

/// Resolves names and checks commitments; the row errors found, and the rows to write.
fn plan(
    ledger: &LedgerFile,
    partners: &[PartnerRow],
    holdings: &[store::HoldingNameRow],
) -> (Vec<Planned>, Vec<RowError>) {
    let mut partner_names = Names::default();
    for partner in partners {
        partner_names.add(&partner.name, partner.id);
    }
    let mut holding_names = Names::default();
    for holding in holdings {
        holding_names.add(&holding.name_zh, holding.id);
        if let Some(name) = &holding.name_en {
            holding_names.add(name, holding.id);
        }
        if let Some(code) = &holding.credit_code {
            holding_names.add(code, holding.id);
        }
    }
    let mut errors: Vec<RowError> = Vec::new();
    let mut planned = Vec::with_capacity(ledger.rows.len());
    // Paid-in capital per partner as the file's contributions are added in file order.
    let mut paid_in: HashMap<i64, i64> = partners.iter().map(|p| (p.id, p.contributed_minor)).collect();
    let mut total: i64 = 0;
    for row in &ledger.rows {
        let mut problems: Vec<FieldError> = Vec::new();
        let partner = row.partner.as_deref().and_then(|name| match partner_names.find(name) {
            Some([id]) => partners.iter().find(|p| p.id == *id),
            Some(_) => {
                problems.push(
                    FieldError::new(
                        "partner",
                        "fund.partner_ambiguous",
                        format!("'{name}' names more than one partner of the fund; write the name exactly"),
                    )
                    .with_value(name),
                );
                None
            }
            None => {
                problems.push(
                    FieldError::new(
                        "partner",
                        "fund.partner_unknown",
                        format!("the fund has no partner named '{name}' (admit the partner first)"),
                    )
                    .with_value(name),
                );
                None
            }
        });
        let holding_id = row.holding.as_deref().and_then(|name| match holding_names.find(name) {
            Some([id]) => Some(*id),
            Some(_) => {
                problems.push(
                    FieldError::new(
                        "holding",
                        "fund.holding_ambiguous",
                        format!("'{name}' names more than one holding of the fund; give the credit code"),
                    )
                    .with_value(name),
                );
                None
            }
            None => {
                problems.push(
                    FieldError::new(
                        "holding",
                        "fund.holding_unknown",
                        format!(
                            "the fund holds no company named or coded '{name}' and no sub-fund of that name \
                             (record the holding first)"
                        ),
                    )
                    .with_value(name),
                );
                None
            }
        });
        if let Some(entry) = &row.entry {
            if let Some(partner) = partner
                && entry.kind == FlowKind::Contribution
                && let Some(paid) = paid_in.get_mut(&partner.id)
            {
                let before = *paid;
                *paid = paid.saturating_add(entry.amount_minor);
                if *paid > partner.commitment_minor {
                    problems.push(
                        FieldError::new(
                            "amount",
                            "fund.contribution_above_commitment",
                            format!(
                                "a contribution of {} from '{}' would bring its paid-in capital to {}, above its \
                                 commitment of {} (paid in before this row: {}, of which {} before this file)",
                                format_major_units(entry.amount_minor),
                                partner.name,
                                format_major_units(*paid),
                                format_major_units(partner.commitment_minor),
                                format_major_units(before),
                                format_major_units(partner.contributed_minor),
                            ),
                        )
                        .with_value(format_major_units(entry.amount_minor))
                        .with_param("partner", &partner.name)
                        .with_param("commitment", partner.commitment_minor)
                        .with_param("contributed", before)
                        .with_param("amount_yuan", format_major_units(entry.amount_minor))
                        .with_param("paid_in_after_yuan", format_major_units(*paid))
                        .with_param("commitment_yuan", format_major_units(partner.commitment_minor)),
                    );
                }
            }
            match total.checked_add(entry.amount_minor) {
                Some(sum) => total = sum,
                None => problems.push(
                    FieldError::new("amount", "amount.too_large", "the file's amounts add up beyond what is counted")
                        .with_value(format_major_units(entry.amount_minor)),
                ),
            }
        }
        let found = problems.is_empty();
        errors.extend(problems.into_iter().map(|problem| ledger.row_error(row.row, problem)));
        if let Some(entry) = &row.entry
            && found
        {
            planned.push(Planned { row: row.row, entry: entry.clone(), partner_id: partner.map(|p| p.id), holding_id });
        }
    }
    (planned, errors)
}

impl App {
    /// Imports ledger entries of one fund from a `.xlsx` or `.csv` file (see
    /// [`LEDGER_COLUMNS`]): all or nothing, every problem listed with its row, the same
    /// rights as recording one entry. The same file imported into the same fund again
    /// writes nothing and answers what the first import did (`already_imported`).
    pub async fn import_fund_ledger(
        &self,
        actor: &Actor,
        fund_id: i64,
        bytes: &[u8],
        format: FileFormat,
        file_name: &str,
    ) -> AppResult<LedgerImportOutcome> {
        actor.require(LEDGER_KEEPERS, "import fund ledgers")?;
        actor.require_write()?;
        let file_sha256 = file_hash(bytes);
        {
            let mut conn = self.store.read().await?;
            visible_fund(&mut conn, actor, fund_id).await?;
            if let Some(first) = store::ledger_import(&mut conn, fund_id, &file_sha256).await? {
                return replay(first);
            }
        }
        // Read outside the write transaction: a large file takes a while.
        let limits = Limits { max_rows: MAX_LEDGER_ROWS, ..Limits::default() };
        let ledger = read_ledger(bytes, format, &limits)?;

        let mut tx = self.store.begin().await?;
        visible_fund(&mut tx, actor, fund_id).await?;
        if let Some(first) = store::ledger_import(&mut tx, fund_id, &file_sha256).await? {
            return replay(first);
        }
        let partners = store::partners(&mut tx, fund_id).await?;
        let holdings = store::holding_names(&mut tx, fund_id).await?;
        let (planned, found) = plan(&ledger, &partners, &holdings);
        let mut errors = ledger.errors.clone();
        errors.extend(found);
        if !errors.is_empty() {
            // Stable: a row's problems stay in column order, the file's before the fund's.
            errors.sort_by_key(|e| e.row);
            return Err(AppError::ImportRows(errors));
        }

        let mut by_kind: BTreeMap<String, KindTotal> = BTreeMap::new();
        let mut mirrored = 0;
        for planned in &planned {
            let line = by_kind.entry(planned.entry.kind.code().to_owned()).or_default();
            line.entries += 1;
            line.amount_minor += planned.entry.amount_minor;
            let by_fund = planned
                .partner_id
                .and_then(|id| partners.iter().find(|p| p.id == id))
                .is_some_and(|p| p.investor_fund_id.is_some());
            if by_fund {
                mirrored += 1;
            }
        }
        let file_name: String = file_name.trim().chars().take(200).collect();
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        let summary = ImportSummary {
            kind: "fund_ledger".to_owned(),
            file_name: file_name.clone(),
            file_sha256: file_sha256.clone(),
            row_count: count(ledger.rows.len()),
            created_count: count(planned.len()),
            updated_count: 0,
            unchanged_count: 0,
        };
        let import_id = imports::record(&mut tx, actor.user_id, &summary).await?;
        let mut outcome = LedgerImportOutcome {
            fund_id,
            import_id,
            file_name,
            file_sha256: file_sha256.clone(),
            imported_at: String::new(),
            entries: planned.len(),
            mirrored,
            total_amount_minor: by_kind.values().map(|k| k.amount_minor).sum(),
            by_kind,
            ignored_columns: ledger.ignored_columns.clone(),
            already_imported: false,
        };
        let stored = serde_json::to_string(&outcome).map_err(|e| AppError::Internal(e.to_string()))?;
        // Claimed before the entries are written: the same file imported at the same
        // moment elsewhere waits here for this transaction, then gets its answer.
        match store::insert_ledger_import(&mut tx, fund_id, &file_sha256, import_id, &stored).await {
            Err(StoreError::Duplicate { .. }) => {
                drop(tx);
                let mut conn = self.store.read().await?;
                let first = store::ledger_import(&mut conn, fund_id, &file_sha256)
                    .await?
                    .ok_or_else(|| AppError::Internal("a ledger import was claimed but is not stored".to_owned()))?;
                return replay(first);
            }
            other => other?,
        }
        write_planned(&mut tx, actor, fund_id, &ledger, &planned).await?;
        outcome.imported_at = store::ledger_import(&mut tx, fund_id, &file_sha256)
            .await?
            .map(|row| row.at)
            .ok_or_else(|| AppError::Internal("the ledger import just stored is missing".to_owned()))?;
        audit(
            &mut tx,
            actor,
            "fund.ledger.import",
            "fund_ledger_import",
            &import_id.to_string(),
            None,
            Some(json!(outcome)),
        )
        .await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// The empty ledger file of a fund the actor may see, headers in `lang`.
    pub async fn fund_ledger_template(
        &self,
        actor: &Actor,
        fund_id: i64,
        lang: Lang,
        format: FileFormat,
    ) -> AppResult<Vec<u8>> {
        let mut conn = self.store.read().await?;
        visible_fund(&mut conn, actor, fund_id).await?;
        bridgehead_io::template(LEDGER_COLUMNS, lang, format)
            .map_err(|e| AppError::Internal(format!("writing the ledger template failed: {e}")))
    }
}

/// Writes the checked rows in file order through the single-entry path. A refusal here
/// (the database's commitment trigger after a contribution recorded elsewhere since the
/// check) names the row and ends the import; the caller's transaction then stores
/// nothing.
async fn write_planned(
    conn: &mut Conn,
    actor: &Actor,
    fund_id: i64,
    ledger: &LedgerFile,
    planned: &[Planned],
) -> AppResult<()> {
    for planned in planned {
        let entry = &planned.entry;
        let date = entry.date.to_string();
        let written = write_entry(
            conn,
            actor,
            fund_id,
            &NewEntry {
                fund_id,
                entry_date: &date,
                kind: entry.kind.code(),
                amount_minor: entry.amount_minor,
                component: entry.component.map(Component::code),
                partner_id: planned.partner_id,
                holding_id: planned.holding_id,
                notice_id: None,
                reverses_id: None,
                mirror_of_id: None,
                memo: entry.memo.as_deref(),
                entered_by: &actor.label,
                entered_by_user_id: actor.user_id,
            },
        )
        .await;
        match written {
            Ok(_) => {}
            Err(AppError::Invalid(errors)) => {
                return Err(AppError::ImportRows(
                    errors
                        .0
                        .into_iter()
                        .map(|error| ledger.row_error(planned.row, row_field(error, entry.amount_minor)))
                        .collect(),
                ));
            }
            Err(other) => return Err(other),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_written_exactly_finds_its_own_among_folded_twins() {
        let mut names = Names::default();
        names.add("ABC 资本（示例）", 1);
        names.add("abc 资本(示例)", 2);
        assert_eq!(names.find("ABC 资本（示例）"), Some(&[1][..]));
        assert_eq!(names.find(" abc 资本(示例) "), Some(&[2][..]));
        assert_eq!(names.find("Abc资本（示例）"), Some(&[1, 2][..]), "neither exactly: ambiguous");
    }

    #[test]
    fn names_match_across_widths_and_case() {
        let mut names = Names::default();
        names.add("嘉兴市财政局（示例）", 1);
        names.add("Example Co. (illustrative)", 2);
        names.add("91330100716105852F", 2);
        names.add("Same", 3);
        names.add("same", 4);
        assert_eq!(names.find("嘉兴市财政局(示例)"), Some(&[1][..]));
        assert_eq!(names.find(" example co.(ILLUSTRATIVE) "), Some(&[2][..]));
        assert_eq!(names.find("91330100716105852f"), Some(&[2][..]));
        assert_eq!(names.find("SAME"), Some(&[3, 4][..]));
        assert_eq!(names.find("nobody"), None);
    }

    #[test]
    fn errors_of_the_single_entry_path_name_the_row_s_column() {
        let error = row_field(FieldError::new("amount_minor", "fund.contribution_above_commitment", "x"), 12_345);
        assert_eq!((error.field.as_str(), error.value.as_deref()), ("amount", Some("123.45")));
        assert_eq!(row_field(FieldError::new("holding_id", "fund.reference", "x"), 1).field, "holding");
        assert_eq!(row_field(FieldError::new("partner_id", "fund.partner", "x"), 1).field, "partner");
    }
}
