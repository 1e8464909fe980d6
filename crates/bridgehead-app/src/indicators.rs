//! External indicators (SPEC §4): imported per region and period with the official
//! growth beside the level and their source; a changed figure becomes a new revision
//! and the earlier ones stay readable. Shown beside Bridgehead's own figures.

use bridgehead_domain::access::Role;
use bridgehead_domain::indicators::{IndicatorFields, IndicatorValue};
use bridgehead_domain::period::Period;
use bridgehead_domain::{FieldError, FieldErrors};
use bridgehead_io::FileFormat;
use bridgehead_io::statistics::INDICATOR_COLUMNS;
use bridgehead_store::indicators::{self as store, IndicatorRevision};
use serde_json::json;

use crate::enterprises::{ImportOutcome, Progress};
use crate::statistics::STATISTICS_READERS;
use crate::{Actor, App, AppError, AppResult};

/// Roles that import external indicators (for their region and below).
pub const INDICATOR_IMPORTERS: &[Role] = &[Role::Administrator, Role::CityAnalyst];

impl App {
    /// Imports published figures: every row or none; a row equal to the newest
    /// revision changes nothing, a different one becomes the next revision.
    pub async fn import_indicators(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &[u8],
        format: FileFormat,
        progress: Progress<'_>,
    ) -> AppResult<ImportOutcome> {
        actor.require(INDICATOR_IMPORTERS, "import external indicators")?;
        actor.require_write()?;
        let sheet = crate::read_file(bytes, format, INDICATOR_COLUMNS)?;
        let total = sheet.records.len();
        let mut tx = self.store.begin().await?;
        let mut outcome =
            ImportOutcome { rows: total, ignored_columns: sheet.ignored_headers.clone(), ..Default::default() };
        let mut errors = Vec::new();
        let mut seen = std::collections::HashMap::new();
        for (done, record) in sheet.records.iter().enumerate() {
            progress(done, total);
            let fields = IndicatorFields {
                indicator: record.get("indicator").map(ToOwned::to_owned),
                region_code: record.get("region_code").map(ToOwned::to_owned),
                period: record.get("period").map(bridgehead_io::enterprises::date_text),
                value: record.get("value").map(ToOwned::to_owned),
                growth: record.get("growth").map(ToOwned::to_owned),
                source: record.get("source").map(ToOwned::to_owned),
            };
            let mut problems = FieldErrors::default();
            match fields.validate() {
                Err(more) => problems = more,
                Ok(value) => {
                    let key = (value.indicator, value.region_code.to_string(), value.period);
                    let first = *seen.entry(key).or_insert(record.row);
                    if first != record.row {
                        problems.push(
                            FieldError::new(
                                "indicator",
                                "import.duplicate_row",
                                format!("the same figure is on row {first}"),
                            )
                            .with_param("row", first),
                        );
                    } else {
                        let region =
                            bridgehead_store::reference::get_region(&mut tx, value.region_code.as_str()).await?;
                        let in_scope = match (&region, actor.region_scope()) {
                            (None, _) => false,
                            (Some(_), None) => true,
                            (Some(r), Some(scope)) => {
                                bridgehead_store::reference::region_within(&mut tx, &r.code, scope).await?
                            }
                        };
                        if in_scope {
                            self.store_indicator(&mut tx, actor, &value, &mut outcome).await?;
                        } else {
                            problems.push(
                                FieldError::new("region_code", "region.unknown", "no such region in your jurisdiction")
                                    .with_value(value.region_code.as_str()),
                            );
                        }
                    }
                }
            }
            errors.extend(problems.0.into_iter().map(|e| sheet.field_row_error(record.row, e)));
        }
        if !errors.is_empty() {
            return Err(AppError::ImportRows(errors));
        }
        if outcome.created + outcome.updated > 0 {
            crate::project_files::record_import(&mut tx, actor, "indicator_import", file_name, bytes, &outcome).await?;
        }
        tx.commit().await?;
        progress(total, total);
        Ok(outcome)
    }

    async fn store_indicator(
        &self,
        conn: &mut bridgehead_store::Conn,
        actor: &Actor,
        value: &IndicatorValue,
        outcome: &mut ImportOutcome,
    ) -> AppResult<()> {
        let history = store::history(conn, value.indicator, value.region_code.as_str(), value.period).await?;
        let newest = history.first();
        if newest.is_some_and(|n| n.value.same_figures(value) && n.value.source == value.source) {
            outcome.unchanged += 1;
            return Ok(());
        }
        let revision = newest.map_or(1, |n| n.revision + 1);
        store::add_revision(conn, value, revision, &actor.label).await?;
        let key = format!("{}:{}:{}", value.indicator, value.region_code, value.period);
        let before = newest.map(|n| json!(n.value));
        crate::auth::audit(conn, actor, "revise", "indicator", &key, before, Some(json!(value))).await?;
        if newest.is_some() {
            outcome.updated += 1;
        } else {
            outcome.created += 1;
        }
        Ok(())
    }

    /// Every revision of one published figure, newest first (the actor's region or one
    /// under it).
    pub async fn indicator_history(
        &self,
        actor: &Actor,
        indicator: &str,
        region: &str,
        period: &str,
    ) -> AppResult<Vec<IndicatorRevision>> {
        actor.require(STATISTICS_READERS, "read the statistics")?;
        let mut errors = FieldErrors::default();
        let kind =
            errors.take(bridgehead_domain::indicators::IndicatorKind::parse(indicator).ok_or_else(|| {
                FieldError::new("indicator", "indicator.kind", "not an indicator").with_value(indicator)
            }));
        let period = errors.take(
            Period::parse(period.trim()).map_err(|m| FieldError::new("period", "period.format", m).with_value(period)),
        );
        let (Some(kind), Some(period), true) = (kind, period, errors.is_empty()) else {
            return Err(AppError::Invalid(errors));
        };
        let mut conn = self.store.read().await?;
        let known = bridgehead_store::reference::get_region(&mut conn, region).await?.is_some();
        let in_scope = match actor.region_scope() {
            None => known,
            Some(scope) => known && bridgehead_store::reference::region_within(&mut conn, region, scope).await?,
        };
        if !in_scope {
            return Err(AppError::NotFound { what: "region" });
        }
        Ok(store::history(&mut conn, kind, region, period).await?)
    }
}
