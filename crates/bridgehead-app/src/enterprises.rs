//! Enterprise use cases (SPEC §2): list, read, create, edit, yearly figures, import and
//! export — each limited to what the actor's role and scope allow.

use std::collections::{HashMap, HashSet};

use bridgehead_domain::access::Role;
use bridgehead_domain::codes::INDUSTRY_EDITION;
use bridgehead_domain::enterprise::{
    Enterprise, EnterpriseFields, EnterpriseRecord, YearlyFigures, YearlyFiguresFields,
};
use bridgehead_domain::{FieldError, FieldErrors};
use bridgehead_io::{FileFormat, Lang, RowError};
use bridgehead_store::enterprises::{self as store, EnterpriseFilter};
use bridgehead_store::imports::{self, ImportSummary};
use bridgehead_store::{Conn, StoreError};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::access::{
    CREDIT_CODE_OVERRIDERS, ENTERPRISE_EDITORS, ENTERPRISE_REGISTRARS, EnterpriseVisibility, enterprise_visibility,
};
use crate::auth::audit;
use crate::{Actor, App, AppError, AppResult};

pub use bridgehead_io::enterprises::ENTERPRISE_COLUMNS;

/// Largest page of a list.
pub const MAX_PAGE_SIZE: i64 = 500;
/// Most rows one export writes.
pub const MAX_EXPORT_ROWS: i64 = 1_000_000;

/// An enterprise with what its detail page shows.
#[derive(Debug, Clone, Serialize)]
pub struct EnterpriseDetail {
    pub enterprise: Enterprise,
    /// The registered region, for its names.
    pub region: Option<bridgehead_domain::reference::Region>,
    /// The industry entry, for its names.
    pub industry: Option<bridgehead_domain::reference::Industry>,
    pub figures: Vec<YearlyFigures>,
    /// Things worth a look that do not block (e.g. an unknown region in the credit code).
    pub warnings: Vec<String>,
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportOutcome {
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Columns of the file that are not part of the layout and were ignored.
    pub ignored_columns: Vec<String>,
}

/// Receives progress while a long import runs: (rows done, rows in all).
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Send + Sync);

/// Reference sets an enterprise is checked against, loaded once per request or import.
struct References {
    regions: HashSet<String>,
    industries: HashSet<String>,
    tags: HashSet<String>,
    currencies: HashSet<String>,
}

impl References {
    async fn load(conn: &mut Conn) -> AppResult<Self> {
        use bridgehead_store::reference as r;
        let regions = r::list_regions(conn, &r::RegionFilter::default()).await?.into_iter().map(|x| x.code).collect();
        let filter =
            r::IndustryFilter { edition: INDUSTRY_EDITION.to_owned(), limit: 100_000, ..r::IndustryFilter::default() };
        let industries = r::list_industries(conn, &filter).await?.0.into_iter().map(|x| x.code).collect();
        let tags = r::list_tags(conn).await?.into_iter().map(|x| x.code).collect();
        let currencies = r::list_currencies(conn).await?.into_iter().map(|x| x.code).collect();
        Ok(Self { regions, industries, tags, currencies })
    }

    /// Errors for references that do not exist.
    fn check(&self, record: &EnterpriseRecord) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if !self.regions.contains(record.region_code.as_str()) {
            errors.push(
                FieldError::new("region_code", "region.unknown", "no such region")
                    .with_value(record.region_code.as_str()),
            );
        }
        if let Some(industry) = &record.industry_code
            && !self.industries.contains(industry.as_str())
        {
            errors.push(
                FieldError::new("industry_code", "industry.unknown", format!("not a code of {INDUSTRY_EDITION}"))
                    .with_value(industry.as_str()),
            );
        }
        for tag in &record.tags {
            if !self.tags.contains(tag) {
                errors.push(FieldError::new("tags", "tag.unknown", "no such enterprise tag").with_value(tag));
            }
        }
        if !self.currencies.contains(record.registered_capital_currency.as_str()) {
            errors.push(
                FieldError::new(
                    "registered_capital_currency",
                    "currency.unknown",
                    "not a currency of this installation",
                )
                .with_value(record.registered_capital_currency.as_str()),
            );
        }
        errors
    }
}

/// Whether `actor` may see `enterprise`.
async fn visible(conn: &mut Conn, actor: &Actor, enterprise: &Enterprise) -> AppResult<bool> {
    Ok(match enterprise_visibility(actor) {
        EnterpriseVisibility::All => true,
        EnterpriseVisibility::Only(id) => id == enterprise.id,
        EnterpriseVisibility::Region(region) => {
            bridgehead_store::reference::region_within(conn, enterprise.record.region_code.as_str(), &region).await?
        }
        EnterpriseVisibility::None => false,
    })
}

/// Refuses a region outside the actor's scope for a new or moved enterprise.
async fn region_in_scope(conn: &mut Conn, actor: &Actor, region: &str) -> AppResult<bool> {
    Ok(match actor.region_scope() {
        Some(scope) => bridgehead_store::reference::region_within(conn, region, scope).await?,
        None => true,
    })
}

fn outside_scope(region: &str) -> FieldError {
    FieldError::new("region_code", "region.out_of_scope", "this region is outside your jurisdiction").with_value(region)
}

const NOT_FOUND: AppError = AppError::NotFound { what: "enterprise" };

impl App {
    /// A page of the enterprises the actor may see (at most [`MAX_PAGE_SIZE`]).
    pub async fn list_enterprises(
        &self,
        actor: &Actor,
        mut filter: EnterpriseFilter,
    ) -> AppResult<(Vec<Enterprise>, i64)> {
        filter.limit = filter.limit.clamp(1, MAX_PAGE_SIZE);
        self.scoped_enterprises(actor, filter).await
    }

    /// The enterprises the actor may see, with the caller's limit.
    async fn scoped_enterprises(
        &self,
        actor: &Actor,
        mut filter: EnterpriseFilter,
    ) -> AppResult<(Vec<Enterprise>, i64)> {
        match enterprise_visibility(actor) {
            EnterpriseVisibility::All => {}
            EnterpriseVisibility::Region(region) => filter.scope_region_within = Some(region),
            EnterpriseVisibility::Only(id) => filter.only_id = Some(id),
            EnterpriseVisibility::None => {
                return Err(AppError::Forbidden(format!(
                    "the role {} has no access to the enterprise registry",
                    actor.role
                )));
            }
        }
        filter.offset = filter.offset.max(0);
        Ok(store::list(&mut *self.store.read().await?, &filter).await?)
    }

    pub async fn enterprise(&self, actor: &Actor, id: i64) -> AppResult<EnterpriseDetail> {
        let mut conn = self.store.read().await?;
        let enterprise = store::get(&mut conn, id).await?.ok_or(NOT_FOUND)?;
        if !visible(&mut conn, actor, &enterprise).await? {
            return Err(NOT_FOUND);
        }
        let figures = store::list_figures(&mut conn, id).await?;
        let region = bridgehead_store::reference::get_region(&mut conn, enterprise.record.region_code.as_str()).await?;
        let industry = match &enterprise.record.industry_code {
            Some(code) => bridgehead_store::reference::get_industry(&mut conn, INDUSTRY_EDITION, code.as_str()).await?,
            None => None,
        };
        let mut warnings = Vec::new();
        if let Some(w) = crate::reference::credit_code_region_warning(&mut conn, &enterprise.record.credit_code).await?
        {
            warnings.push(w);
        }
        Ok(EnterpriseDetail { enterprise, region, industry, figures, warnings })
    }

    /// The enterprise with this credit code, if the actor may see it.
    pub async fn enterprise_by_credit_code(&self, actor: &Actor, credit_code: &str) -> AppResult<Enterprise> {
        let mut conn = self.store.read().await?;
        let code = credit_code.trim().to_ascii_uppercase();
        let enterprise = store::get_by_credit_code(&mut conn, &code).await?.ok_or(NOT_FOUND)?;
        if !visible(&mut conn, actor, &enterprise).await? {
            return Err(NOT_FOUND);
        }
        Ok(enterprise)
    }

    /// Registers an enterprise in a region of the actor's scope.
    pub async fn create_enterprise(&self, actor: &Actor, fields: &EnterpriseFields) -> AppResult<Enterprise> {
        actor.require(ENTERPRISE_REGISTRARS, "register enterprises")?;
        actor.require_write()?;
        let record = fields.validate(actor.is(CREDIT_CODE_OVERRIDERS))?;
        let mut tx = self.store.begin().await?;
        let references = References::load(&mut tx).await?;
        let mut errors = references.check(&record);
        if errors.is_empty() && !region_in_scope(&mut tx, actor, record.region_code.as_str()).await? {
            errors.push(outside_scope(record.region_code.as_str()));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(FieldErrors(errors)));
        }
        let enterprise = match store::insert(&mut tx, &record).await {
            Err(StoreError::Duplicate { .. }) => return Err(duplicate_credit_code(&record)),
            other => other?,
        };
        audit(&mut tx, actor, "create", "enterprise", &enterprise.id.to_string(), None, Some(json!(enterprise)))
            .await?;
        tx.commit().await?;
        Ok(enterprise)
    }

    /// Opens a write transaction on an enterprise the actor may edit.
    async fn begin_edit(&self, actor: &Actor, id: i64) -> AppResult<(bridgehead_store::Tx, Enterprise)> {
        actor.require(ENTERPRISE_EDITORS, "edit enterprises")?;
        actor.require_write()?;
        let mut tx = self.store.begin().await?;
        let enterprise = store::get(&mut tx, id).await?.ok_or(NOT_FOUND)?;
        if !visible(&mut tx, actor, &enterprise).await? {
            return Err(NOT_FOUND);
        }
        Ok((tx, enterprise))
    }

    /// Replaces an enterprise's fields. `expected_version` (the API's If-Match) guards
    /// against overwriting someone else's change.
    pub async fn update_enterprise(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: Option<i64>,
        fields: &EnterpriseFields,
    ) -> AppResult<Enterprise> {
        let (mut tx, before) = self.begin_edit(actor, id).await?;
        // An override once accepted by an authority stays with the unchanged code, so
        // that users without the right to override can still edit the rest.
        let keeps_override = !actor.is(CREDIT_CODE_OVERRIDERS)
            && before.record.credit_code_override_reason.is_some()
            && fields.credit_code.as_deref().map(|c| c.trim().to_ascii_uppercase()).as_deref()
                == Some(before.record.credit_code.as_str());
        let mut fields = fields.clone();
        if keeps_override {
            fields.credit_code_override_reason.clone_from(&before.record.credit_code_override_reason);
        }
        let record = fields.validate(actor.is(CREDIT_CODE_OVERRIDERS) || keeps_override)?;
        let references = References::load(&mut tx).await?;
        let mut errors = references.check(&record);
        if actor.role == Role::EnterpriseUser {
            // The registry facts are kept by the authorities.
            if record.credit_code != before.record.credit_code {
                errors.push(FieldError::new(
                    "credit_code",
                    "enterprise.registry_field",
                    "only the authorities change the credit code",
                ));
            }
            if record.region_code != before.record.region_code {
                errors.push(FieldError::new(
                    "region_code",
                    "enterprise.registry_field",
                    "only the authorities change the registered region",
                ));
            }
        } else if errors.is_empty() && !region_in_scope(&mut tx, actor, record.region_code.as_str()).await? {
            errors.push(outside_scope(record.region_code.as_str()));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(FieldErrors(errors)));
        }
        let version = expected_version.unwrap_or(before.version);
        let after = match store::update(&mut tx, id, version, &record).await {
            Err(StoreError::Conflict) => {
                return Err(AppError::VersionMismatch { what: "enterprise", current_version: before.version });
            }
            Err(StoreError::Duplicate { .. }) => return Err(duplicate_credit_code(&record)),
            other => other?,
        };
        audit(&mut tx, actor, "update", "enterprise", &id.to_string(), Some(json!(before)), Some(json!(after))).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Stores one year's figures of an enterprise.
    pub async fn put_figures(
        &self,
        actor: &Actor,
        id: i64,
        year: i32,
        fields: &YearlyFiguresFields,
    ) -> AppResult<YearlyFigures> {
        let (mut tx, _) = self.begin_edit(actor, id).await?;
        let figures = fields.validate(year)?;
        let before = store::upsert_figures(&mut tx, id, &figures).await?;
        let key = format!("{id}:{year}");
        audit(&mut tx, actor, "upsert", "enterprise_figures", &key, before.map(|b| json!(b)), Some(json!(figures)))
            .await?;
        tx.commit().await?;
        Ok(figures)
    }

    /// Imports enterprises from a `.csv` or `.xlsx` file: every row is stored or none,
    /// every row error is reported at once, rows are matched on the credit code (so a
    /// second import of the same file changes nothing), and only enterprises of the
    /// actor's scope can be touched.
    pub async fn import_enterprises(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &[u8],
        format: FileFormat,
        progress: Progress<'_>,
    ) -> AppResult<ImportOutcome> {
        actor.require(ENTERPRISE_REGISTRARS, "import enterprises")?;
        actor.require_write()?;
        let sheet = crate::read_file(bytes, format, ENTERPRISE_COLUMNS)?;
        let may_override = actor.is(CREDIT_CODE_OVERRIDERS);
        let total = sheet.records.len();
        let present: HashSet<&str> = ENTERPRISE_COLUMNS
            .iter()
            .zip(&sheet.headers_found)
            .filter(|(_, h)| h.is_some())
            .map(|(c, _)| c.key)
            .collect();

        let mut tx = self.store.begin().await?;
        let references = References::load(&mut tx).await?;
        let mut row_errors: Vec<RowError> = Vec::new();
        let row_error = |row: usize, error: FieldError| sheet.field_row_error(row, error);
        let mut first_row_of: HashMap<String, usize> = HashMap::new();
        let mut planned: Vec<(usize, Option<Enterprise>, EnterpriseRecord)> = Vec::with_capacity(total);
        for (done, record) in sheet.records.iter().enumerate() {
            let mut fields = bridgehead_io::enterprises::fields_from_record(record);
            let code_key = fields.credit_code.as_deref().map(|c| c.trim().to_ascii_uppercase()).unwrap_or_default();
            let existing = match code_key.is_empty() {
                true => None,
                false => store::get_by_credit_code(&mut tx, &code_key).await?,
            };
            if let Some(existing) = &existing {
                // Columns the file does not have keep their stored values.
                fields = merge_absent(existing.record.to_fields(), fields, &present);
            }
            match fields.validate(may_override) {
                Err(errors) => row_errors.extend(errors.0.into_iter().map(|e| row_error(record.row, e))),
                Ok(parsed) => {
                    let mut errors = references.check(&parsed);
                    if let Some(first) = first_row_of.get(parsed.credit_code.as_str()) {
                        errors.push(
                            FieldError::new(
                                "credit_code",
                                "import.duplicate_row",
                                format!("the same credit code is on row {first}"),
                            )
                            .with_value(parsed.credit_code.as_str()),
                        );
                    } else {
                        first_row_of.insert(parsed.credit_code.to_string(), record.row);
                    }
                    if let Some(existing) = &existing
                        && !visible(&mut tx, actor, existing).await?
                    {
                        errors.push(
                            // Said like a duplicate registration, so that nothing more is
                            // learned about an enterprise outside the actor's scope.
                            FieldError::new(
                                "credit_code",
                                "enterprise.duplicate",
                                "an enterprise with this credit code is already registered",
                            )
                            .with_value(parsed.credit_code.as_str()),
                        );
                    }
                    if errors.is_empty() && !region_in_scope(&mut tx, actor, parsed.region_code.as_str()).await? {
                        errors.push(outside_scope(parsed.region_code.as_str()));
                    }
                    row_errors.extend(errors.into_iter().map(|e| row_error(record.row, e)));
                    planned.push((record.row, existing, parsed));
                }
            }
            if done % 200 == 0 {
                progress(done, total * 2);
            }
        }
        if !row_errors.is_empty() {
            row_errors.sort_by_key(|e| e.row);
            return Err(AppError::ImportRows(row_errors));
        }
        let (mut created, mut updated, mut unchanged) = (0, 0, 0);
        for (done, (_, existing, record)) in planned.into_iter().enumerate() {
            match existing {
                None => {
                    let enterprise = store::insert(&mut tx, &record).await?;
                    audit(
                        &mut tx,
                        actor,
                        "import_create",
                        "enterprise",
                        &enterprise.id.to_string(),
                        None,
                        Some(json!(enterprise)),
                    )
                    .await?;
                    created += 1;
                }
                Some(existing) if existing.record == record => unchanged += 1,
                Some(existing) => {
                    let after = store::update(&mut tx, existing.id, existing.version, &record).await?;
                    audit(
                        &mut tx,
                        actor,
                        "import_update",
                        "enterprise",
                        &existing.id.to_string(),
                        Some(json!(existing)),
                        Some(json!(after)),
                    )
                    .await?;
                    updated += 1;
                }
            }
            if done % 200 == 0 {
                progress(total + done, total * 2);
            }
        }
        if created + updated > 0 {
            let summary = ImportSummary {
                kind: "enterprises".to_owned(),
                file_name: file_name.chars().take(200).collect(),
                file_sha256: file_hash(bytes),
                row_count: i64::try_from(total).unwrap_or(i64::MAX),
                created_count: i64::try_from(created).unwrap_or(i64::MAX),
                updated_count: i64::try_from(updated).unwrap_or(i64::MAX),
                unchanged_count: i64::try_from(unchanged).unwrap_or(i64::MAX),
            };
            let import_id = imports::record(&mut tx, actor.user_id, &summary).await?;
            audit(&mut tx, actor, "import", "enterprise_import", &import_id.to_string(), None, Some(json!(summary)))
                .await?;
        }
        tx.commit().await?;
        progress(total * 2, total * 2);
        Ok(ImportOutcome { rows: total, created, updated, unchanged, ignored_columns: sheet.ignored_headers.clone() })
    }

    /// Writes the enterprises the actor may see (filtered) as a file in `lang`.
    pub async fn export_enterprises(
        &self,
        actor: &Actor,
        mut filter: EnterpriseFilter,
        lang: Lang,
        format: FileFormat,
    ) -> AppResult<Vec<u8>> {
        filter.limit = MAX_EXPORT_ROWS;
        filter.offset = 0;
        let (enterprises, _) = self.scoped_enterprises(actor, filter).await?;
        let mut rows = enterprises.iter().map(|e| bridgehead_io::enterprises::record_row(&e.record.to_fields()));
        let title = match lang {
            Lang::Zh => "企业名录",
            Lang::En => "Enterprise registry",
        };
        bridgehead_io::write_sheet(ENTERPRISE_COLUMNS, lang, format, Some(title), &mut rows)
            .map_err(|e| AppError::Internal(format!("writing the export failed: {e}")))
    }
}

/// The SHA-256 of an imported file, kept in the import log.
pub(crate) fn file_hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn duplicate_credit_code(record: &EnterpriseRecord) -> AppError {
    AppError::Duplicate(
        FieldError::new(
            "credit_code",
            "enterprise.duplicate",
            "an enterprise with this credit code is already registered",
        )
        .with_value(record.credit_code.as_str()),
    )
}

/// Takes each field from `incoming` where the file has that column, else from `stored`.
fn merge_absent(stored: EnterpriseFields, incoming: EnterpriseFields, present: &HashSet<&str>) -> EnterpriseFields {
    let pick = |key: &str, stored: Option<String>, incoming: Option<String>| {
        if present.contains(key) { incoming } else { stored }
    };
    EnterpriseFields {
        credit_code: incoming.credit_code,
        name_zh: pick("name_zh", stored.name_zh, incoming.name_zh),
        name_en: pick("name_en", stored.name_en, incoming.name_en),
        region_code: pick("region_code", stored.region_code, incoming.region_code),
        address: pick("address", stored.address, incoming.address),
        industry_code: pick("industry_code", stored.industry_code, incoming.industry_code),
        registered_capital: pick("registered_capital", stored.registered_capital, incoming.registered_capital),
        registered_capital_currency: pick(
            "registered_capital_currency",
            stored.registered_capital_currency,
            incoming.registered_capital_currency,
        ),
        established_on: pick("established_on", stored.established_on, incoming.established_on),
        ownership: pick("ownership", stored.ownership, incoming.ownership),
        size: pick("size", stored.size, incoming.size),
        listed: pick("listed", stored.listed, incoming.listed),
        contact_name: pick("contact_name", stored.contact_name, incoming.contact_name),
        contact_phone: pick("contact_phone", stored.contact_phone, incoming.contact_phone),
        contact_email: pick("contact_email", stored.contact_email, incoming.contact_email),
        tags: pick("tags", stored.tags, incoming.tags),
        credit_code_override_reason: pick(
            "credit_code_override_reason",
            stored.credit_code_override_reason,
            incoming.credit_code_override_reason,
        ),
    }
}
