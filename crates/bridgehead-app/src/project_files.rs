//! Projects and stage events in and out of files (SPEC §3). An import is one
//! transaction: every row is checked by the same rules as a form (registering,
//! updating, recording an event), every row error is reported at once, and a file with
//! any error stores nothing. Each row's write runs under a savepoint, so a row refused
//! even by the database leaves the rest of the file to be checked. Rows equal to what
//! is stored change nothing, so a file imported twice changes nothing the second time;
//! an export imports back unchanged.

use std::collections::{HashMap, HashSet};

use bridgehead_domain::FieldError;
use bridgehead_domain::enterprise::{format_date, parse_date};
use bridgehead_domain::money::format_major_units;
use bridgehead_domain::project::{Project, ProjectCode, ProjectFields, StageKind};
use bridgehead_io::projects::{EVENT_COLUMNS, PROJECT_COLUMNS};
use bridgehead_io::{FileFormat, Lang, Record, RowError, Sheet};
use bridgehead_store::projects::{self as store, ProjectFilter};
use bridgehead_store::{Conn, Tx};
use serde_json::json;

use crate::enterprises::{ImportOutcome, Progress, file_hash};
use crate::projects::{EventInput, PROJECT_REGISTRARS, today_in_china, visible};
use crate::{Actor, App, AppError, AppResult};

/// Settles one row's write, made after [`Tx::savepoint`]: kept when it succeeded,
/// undone when it was refused — so that a refusal, even one the database raised, leaves
/// the file's transaction able to check the rows that follow. Returns the field errors
/// (named under `code_field` for a lost race); other errors end the import.
async fn settle<T>(tx: &mut Tx, result: AppResult<T>, code_field: &str) -> AppResult<Vec<FieldError>> {
    let Err(error) = result else {
        tx.keep().await?;
        return Ok(Vec::new());
    };
    tx.undo().await?;
    match error {
        AppError::Invalid(errors) => Ok(errors.0),
        AppError::Duplicate(error) => Ok(vec![error]),
        AppError::VersionMismatch { .. } => Ok(vec![FieldError::new(
            code_field,
            "import.concurrent",
            "the project changed while the file was imported",
        )]),
        other => Err(other),
    }
}

/// A cell as text, with Excel serial dates turned into ISO dates.
fn date_cell(record: &Record, key: &str) -> Option<String> {
    record.get(key).map(bridgehead_io::enterprises::date_text)
}

fn owned(record: &Record, key: &str) -> Option<String> {
    record.get(key).map(ToOwned::to_owned)
}

/// Splits an investors cell — `credit code:share%` pairs separated by semicolons (or
/// commas, Chinese punctuation too); a lone code without a share holds 100%.
pub fn parse_investors(cell: &str) -> Vec<(String, String)> {
    let parts: Vec<&str> = cell.split([';', '；', ',', '，', '\n']).map(str::trim).filter(|p| !p.is_empty()).collect();
    let lone = parts.len() == 1;
    parts
        .into_iter()
        .map(|part| {
            let (code, share) = match part.split_once([':', '：']) {
                Some((code, share)) => (code.trim(), share.trim().trim_end_matches(['%', '％']).trim()),
                None if lone => (part, "100"),
                None => (part, ""),
            };
            (code.to_ascii_uppercase(), share.to_owned())
        })
        .collect()
}

/// Records the import's summary and appends its audit record, in the transaction.
pub(crate) async fn record_import(
    conn: &mut Conn,
    actor: &Actor,
    kind: &str,
    file_name: &str,
    bytes: &[u8],
    outcome: &ImportOutcome,
) -> AppResult<()> {
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let summary = bridgehead_store::imports::ImportSummary {
        kind: kind.into(),
        file_name: file_name.chars().take(200).collect(),
        file_sha256: file_hash(bytes),
        row_count: count(outcome.rows),
        created_count: count(outcome.created),
        updated_count: count(outcome.updated),
        unchanged_count: count(outcome.unchanged),
    };
    let import_id = bridgehead_store::imports::record(conn, actor.user_id, &summary).await?;
    crate::auth::audit(conn, actor, "import", kind, &import_id.to_string(), None, Some(json!(summary))).await?;
    Ok(())
}

impl App {
    /// The projects named in a sheet's `key` column that exist and that the actor may
    /// see, by code; and the codes that exist outside the actor's scope.
    async fn projects_named(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        sheet: &Sheet,
        key: &str,
    ) -> AppResult<(HashMap<String, Project>, HashSet<String>)> {
        let mut codes: Vec<String> = sheet.records.iter().filter_map(|r| r.get(key)).map(ProjectCode::key).collect();
        codes.sort();
        codes.dedup();
        let mut mine = HashMap::new();
        let mut others = HashSet::new();
        for (code, project) in store::projects_by_codes(conn, &codes).await? {
            if visible(conn, actor, &project).await? {
                mine.insert(code, project);
            } else {
                others.insert(code);
            }
        }
        Ok((mine, others))
    }

    /// Imports projects (`.csv`/`.xlsx`, one row per project, matched on the code):
    /// new codes are registered with their signing date, known ones updated when a
    /// value differs. Every row or none.
    pub async fn import_projects(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &[u8],
        format: FileFormat,
        progress: Progress<'_>,
    ) -> AppResult<ImportOutcome> {
        actor.require(PROJECT_REGISTRARS, "import projects")?;
        actor.require_write()?;
        let sheet = crate::read_file(bytes, format, PROJECT_COLUMNS)?;
        let total = sheet.records.len();
        let today = today_in_china();
        let mut tx = self.store.begin().await?;
        let (projects, elsewhere) = self.projects_named(&mut tx, actor, &sheet, "code").await?;
        let mut enterprises: HashMap<String, Option<i64>> = HashMap::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut errors: Vec<RowError> = Vec::new();
        let mut outcome =
            ImportOutcome { rows: total, ignored_columns: sheet.ignored_headers.clone(), ..Default::default() };
        for (done, record) in sheet.records.iter().enumerate() {
            progress(done, total);
            let mut problems: Vec<FieldError> = Vec::new();
            let code = record.get("code").map(ProjectCode::key).unwrap_or_default();
            let first = *seen.entry(code.clone()).or_insert(record.row);
            if first != record.row && !code.is_empty() {
                problems.push(
                    FieldError::new("code", "import.duplicate_row", format!("the same project is on row {first}"))
                        .with_value(&code)
                        .with_param("row", first),
                );
            }
            // References by name and code become ids.
            let region = record.get("region_code").unwrap_or_default().trim().to_owned();
            let park_id = match record.get("park").map(str::trim).filter(|p| !p.is_empty()) {
                None => None,
                Some(name) => match bridgehead_store::reference::find_park(&mut tx, &region, name).await? {
                    Some(park) => Some(park.id.to_string()),
                    None => {
                        problems.push(
                            FieldError::new("park", "park.unknown", "no park of this name in the project's region")
                                .with_value(name),
                        );
                        None
                    }
                },
            };
            let mut investors = Vec::new();
            for (credit_code, share) in parse_investors(record.get("investors").unwrap_or_default()) {
                let id = match enterprises.get(&credit_code) {
                    Some(id) => *id,
                    None => {
                        let found = bridgehead_store::enterprises::get_by_credit_code(&mut tx, &credit_code).await?;
                        let id = found.map(|e| e.id);
                        enterprises.insert(credit_code.clone(), id);
                        id
                    }
                };
                match id {
                    Some(id) => investors.push((id.to_string(), share)),
                    None => problems.push(
                        FieldError::new("investors", "enterprise.unknown", "no enterprise with this credit code")
                            .with_value(&credit_code),
                    ),
                }
            }
            let existing = projects.get(&code);
            let fields = ProjectFields {
                code: owned(record, "code"),
                name_zh: owned(record, "name_zh"),
                name_en: owned(record, "name_en"),
                region_code: Some(region.clone()),
                park_id,
                industry_code: owned(record, "industry_code"),
                project_type: owned(record, "project_type"),
                capital_source: owned(record, "capital_source"),
                source_country: owned(record, "source_country"),
                from_shanghai: owned(record, "from_shanghai"),
                fortune_global_500: owned(record, "fortune_global_500"),
                central_soe: owned(record, "central_soe"),
                planned_total: owned(record, "planned_total"),
                planned_fixed_assets: owned(record, "planned_fixed_assets"),
                planned_equipment: owned(record, "planned_equipment"),
                planned_currency: owned(record, "planned_currency"),
                planned_start_on: date_cell(record, "planned_start_on"),
                planned_production_on: date_cell(record, "planned_production_on"),
                investors,
                // Clusters are kept as they are; the file does not carry them.
                cluster_ids: existing
                    .map(|p| p.record.cluster_ids.iter().map(ToString::to_string).collect())
                    .unwrap_or_default(),
            };
            let signed_text = date_cell(record, "signed_on").unwrap_or_default();
            let signed = match parse_date(&signed_text) {
                Ok(date) if date > today => {
                    problems.push(
                        FieldError::new("signed_on", "date.future", "the signing date is in the future")
                            .with_value(&signed_text),
                    );
                    None
                }
                Ok(date) => Some(date),
                Err(message) => {
                    problems.push(FieldError::new("signed_on", "date.format", message).with_value(&signed_text));
                    None
                }
            };
            let validated = fields.validate();
            let investors_refused = problems.iter().any(|p| p.field == "investors");
            match validated {
                Err(more) => {
                    problems.extend(more.0.into_iter().filter(|e| !(investors_refused && e.field == "investors")));
                }
                Ok(_) if !problems.is_empty() => {}
                Ok(project_record) => {
                    if elsewhere.contains(&code) {
                        problems.push(
                            FieldError::new(
                                "code",
                                "project.duplicate",
                                "a project with this code is already registered",
                            )
                            .with_value(&code),
                        );
                    } else if let (Some(before), Some(signed)) = (existing, signed) {
                        if before.signed_on != signed {
                            problems.push(
                                FieldError::new(
                                    "signed_on",
                                    "project.signed_on_fixed",
                                    format!(
                                        "the project was signed on {}; the signing is its first stage event and does not change by import",
                                        format_date(before.signed_on)
                                    ),
                                )
                                .with_value(&signed_text)
                                .with_param("signed_on", format_date(before.signed_on)),
                            );
                        } else if before.record == project_record {
                            outcome.unchanged += 1;
                        } else {
                            tx.savepoint().await?;
                            let result = self
                                .update_project_in(&mut tx, actor, before, Some(before.version), &project_record)
                                .await;
                            let refused = settle(&mut tx, result, "code").await?;
                            outcome.updated += usize::from(refused.is_empty());
                            problems.extend(refused);
                        }
                    } else if let Some(signed) = signed {
                        tx.savepoint().await?;
                        let result = self.create_project_in(&mut tx, actor, &project_record, signed).await;
                        let refused = settle(&mut tx, result, "code").await?;
                        outcome.created += usize::from(refused.is_empty());
                        problems.extend(refused);
                    }
                }
            }
            errors.extend(problems.into_iter().map(|mut e| {
                if e.field == "park_id" {
                    e.field = "park".into();
                }
                sheet.field_row_error(record.row, e)
            }));
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.row);
            return Err(AppError::ImportRows(errors));
        }
        if outcome.created + outcome.updated > 0 {
            record_import(&mut tx, actor, "project_import", file_name, bytes, &outcome).await?;
        }
        tx.commit().await?;
        progress(total, total);
        Ok(outcome)
    }

    /// Imports stage events (one row per event, in the order they happened): an event
    /// already recorded (same project, kind, date and phase) changes nothing; a new
    /// one is recorded by the rules of a stage change. Every row or none.
    pub async fn import_events(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &[u8],
        format: FileFormat,
        progress: Progress<'_>,
    ) -> AppResult<ImportOutcome> {
        actor.require(PROJECT_REGISTRARS, "import stage events")?;
        actor.require_write()?;
        let sheet = crate::read_file(bytes, format, EVENT_COLUMNS)?;
        let total = sheet.records.len();
        let mut tx = self.store.begin().await?;
        let (projects, _) = self.projects_named(&mut tx, actor, &sheet, "project_code").await?;
        let mut errors: Vec<RowError> = Vec::new();
        let mut outcome =
            ImportOutcome { rows: total, ignored_columns: sheet.ignored_headers.clone(), ..Default::default() };
        for (done, record) in sheet.records.iter().enumerate() {
            progress(done, total);
            let mut problems: Vec<FieldError> = Vec::new();
            let code = record.get("project_code").map(ProjectCode::key).unwrap_or_default();
            let phase_text = record.get("phase").map(str::trim).filter(|p| !p.is_empty());
            let phase = match phase_text.map(str::parse::<i64>) {
                None => None,
                Some(Ok(phase)) if phase >= 1 => Some(phase),
                Some(_) => {
                    problems.push(
                        FieldError::new("phase", "stage.phase", "a phase is a whole number from 1")
                            .with_value(phase_text.unwrap_or_default()),
                    );
                    None
                }
            };
            let input = EventInput {
                kind: record.get("kind").unwrap_or_default().trim().to_owned(),
                occurred_on: date_cell(record, "occurred_on").unwrap_or_default(),
                phase,
                reason: owned(record, "reason"),
                increment: owned(record, "increment"),
            };
            match projects.get(&code) {
                None => problems.push(
                    FieldError::new("project_code", "project.unknown", "no such project in your jurisdiction")
                        .with_value(&code),
                ),
                Some(_) if !problems.is_empty() => {}
                Some(project) => {
                    // The project as it stands now, after the file's earlier rows.
                    let current =
                        store::get_project(&mut tx, project.id).await?.ok_or(AppError::NotFound { what: "project" })?;
                    let events = store::list_events(&mut tx, project.id).await?;
                    let kind = StageKind::parse(&input.kind);
                    let date = parse_date(&input.occurred_on).ok();
                    let recorded = events.iter().any(|e| {
                        Some(e.kind) == kind && Some(e.occurred_on) == date && phase.is_none_or(|p| p == e.phase)
                    });
                    if recorded {
                        outcome.unchanged += 1;
                    } else {
                        tx.savepoint().await?;
                        let result = self.record_event_in(&mut tx, actor, &current, &input).await;
                        let refused = settle(&mut tx, result, "project_code").await?;
                        outcome.created += usize::from(refused.is_empty());
                        problems.extend(refused);
                    }
                }
            }
            errors.extend(problems.into_iter().map(|e| sheet.field_row_error(record.row, e)));
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.row);
            return Err(AppError::ImportRows(errors));
        }
        if outcome.created > 0 {
            record_import(&mut tx, actor, "stage_event_import", file_name, bytes, &outcome).await?;
        }
        tx.commit().await?;
        progress(total, total);
        Ok(outcome)
    }

    /// The projects in the actor's scope, in the import layout.
    pub async fn export_projects(&self, actor: &Actor, lang: Lang, format: FileFormat) -> AppResult<Vec<u8>> {
        let mut conn = self.store.read().await?;
        let projects = self.projects_in_scope(&mut conn, actor).await?;
        let parks: HashMap<i64, String> = bridgehead_store::reference::list_parks(&mut conn, None)
            .await?
            .into_iter()
            .map(|p| (p.id, p.name_zh))
            .collect();
        let mut credit_codes: HashMap<i64, String> = HashMap::new();
        let mut rows = Vec::with_capacity(projects.len());
        for project in &projects {
            let r = &project.record;
            let mut investors = Vec::new();
            for investor in &r.investors {
                let code = match credit_codes.get(&investor.enterprise_id) {
                    Some(code) => code.clone(),
                    None => {
                        let code = bridgehead_store::enterprises::get(&mut conn, investor.enterprise_id)
                            .await?
                            .map(|e| e.record.credit_code.to_string())
                            .unwrap_or_default();
                        credit_codes.insert(investor.enterprise_id, code.clone());
                        code
                    }
                };
                investors.push(format!("{code}:{}%", format_major_units(investor.share_bp)));
            }
            let money = |v: Option<i64>| v.map(format_major_units).unwrap_or_default();
            let date = |v: Option<time::Date>| v.map(format_date).unwrap_or_default();
            rows.push(vec![
                r.code.code.clone(),
                r.name_zh.clone(),
                r.name_en.clone().unwrap_or_default(),
                r.region_code.to_string(),
                r.park_id.and_then(|id| parks.get(&id).cloned()).unwrap_or_default(),
                r.industry_code.as_ref().map(ToString::to_string).unwrap_or_default(),
                r.project_type.as_str().to_owned(),
                r.capital_source.as_str().to_owned(),
                r.source_country.clone().unwrap_or_default(),
                r.from_shanghai.to_string(),
                r.fortune_global_500.to_string(),
                r.central_soe.to_string(),
                format_major_units(r.planned_total_minor),
                money(r.planned_fixed_assets_minor),
                money(r.planned_equipment_minor),
                r.planned_currency.to_string(),
                date(r.planned_start_on),
                date(r.planned_production_on),
                investors.join("; "),
                format_date(project.signed_on),
            ]);
        }
        let title = match lang {
            Lang::Zh => "制造业投资项目",
            Lang::En => "Manufacturing investment projects",
        };
        bridgehead_io::write_sheet(PROJECT_COLUMNS, lang, format, Some(title), &mut rows.into_iter())
            .map_err(|e| AppError::Internal(format!("writing the export failed: {e}")))
    }

    /// The stage events of the projects in the actor's scope, in the import layout.
    pub async fn export_events(&self, actor: &Actor, lang: Lang, format: FileFormat) -> AppResult<Vec<u8>> {
        let mut conn = self.store.read().await?;
        let projects = self.projects_in_scope(&mut conn, actor).await?;
        let mut rows = Vec::new();
        for project in &projects {
            for event in store::list_events(&mut conn, project.id).await? {
                rows.push(vec![
                    project.record.code.code.clone(),
                    event.kind.as_str().to_owned(),
                    format_date(event.occurred_on),
                    event.phase.to_string(),
                    event.reason.clone().unwrap_or_default(),
                    event.increment_minor.map(format_major_units).unwrap_or_default(),
                ]);
            }
        }
        let title = match lang {
            Lang::Zh => "项目阶段事件",
            Lang::En => "Project stage events",
        };
        bridgehead_io::write_sheet(EVENT_COLUMNS, lang, format, Some(title), &mut rows.into_iter())
            .map_err(|e| AppError::Internal(format!("writing the export failed: {e}")))
    }

    async fn projects_in_scope(&self, conn: &mut Conn, actor: &Actor) -> AppResult<Vec<Project>> {
        let mut filter: ProjectFilter = crate::projects::scope_filter(actor)?;
        filter.limit = 1_000_000;
        let (mut projects, _) = store::list_projects(conn, &filter).await?;
        projects.sort_by(|a, b| a.record.code.code.cmp(&b.record.code.code));
        Ok(projects)
    }
}

#[cfg(test)]
mod tests {
    use super::parse_investors;

    #[test]
    fn investor_cells_are_read_in_every_common_spelling() {
        assert_eq!(parse_investors("91330482mA2B3C4D5E"), [("91330482MA2B3C4D5E".to_owned(), "100".to_owned())]);
        assert_eq!(
            parse_investors("A:60%；B：40 ％"),
            [("A".to_owned(), "60".to_owned()), ("B".to_owned(), "40".to_owned())]
        );
        assert_eq!(parse_investors("A:50, B"), [("A".to_owned(), "50".to_owned()), ("B".to_owned(), String::new())]);
        assert!(parse_investors(" ; ").is_empty());
    }
}
