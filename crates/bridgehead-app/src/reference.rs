//! Reference data use cases (SPEC §1): everyone signed in reads; administrators change.

use bridgehead_domain::access::Role;
use bridgehead_domain::codes::{CreditCode, INDUSTRY_EDITION, IndustryCode, IndustryLevel};
use bridgehead_domain::enterprise::{format_date, parse_date};
use bridgehead_domain::money::{CurrencyCode, parse_rate};
use bridgehead_domain::reference::{
    ClusterTaxonomy, Currency, ExchangeRate, Industry, Organization, Park, ParkLevel, Region, RegionGroup, Tag,
};
use bridgehead_domain::{FieldError, FieldErrors};
use bridgehead_io::{ColumnSpec, FileFormat};
use bridgehead_store::reference::{
    self as store, IndustryFilter, NewCluster, NewClusterTaxonomy, ParkFields, RegionFilter,
};
use bridgehead_store::{Conn, StoreError};
use serde::Serialize;
use serde_json::json;

use crate::access::ALL_ROLES;
use crate::auth::audit;
use crate::{Actor, App, AppError, AppResult};

const ADMINS: &[Role] = &[Role::Administrator];

/// Columns of an exchange-rate file.
pub const EXCHANGE_RATE_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec {
        key: "rate_date",
        zh: "日期",
        en: "Date",
        required: true,
        note_zh: "YYYY-MM-DD",
        note_en: "YYYY-MM-DD",
    },
    ColumnSpec {
        key: "currency_code",
        zh: "币种",
        en: "Currency",
        required: true,
        note_zh: "ISO 4217 三位字母代码，如 USD",
        note_en: "ISO 4217 three-letter code, e.g. USD",
    },
    ColumnSpec {
        key: "rate",
        zh: "汇率",
        en: "Rate",
        required: true,
        note_zh: "1 单位外币折合人民币元",
        note_en: "CNY for one unit of the currency",
    },
    ColumnSpec { key: "source", zh: "来源", en: "Source", required: false, note_zh: "", note_en: "" },
];

/// The result of checking a credit code.
#[derive(Debug, Clone, Serialize)]
pub struct CreditCodeCheck {
    pub code: String,
    pub valid: bool,
    pub expected_check_character: Option<char>,
    pub errors: Vec<FieldError>,
    /// Characters 3–8 and the region they name, when known.
    pub region_code: Option<String>,
    pub region: Option<Region>,
    pub warnings: Vec<String>,
}

/// Warnings about a credit code's region part (characters 3–8).
pub(crate) async fn credit_code_region_warning(conn: &mut Conn, code: &CreditCode) -> AppResult<Option<String>> {
    let part = code.region_part();
    if store::get_region(conn, part).await?.is_some() {
        return Ok(None);
    }
    Ok(Some(format!("characters 3-8 ('{part}') are not a known region code")))
}

/// Parses a rate's fields, naming each bad one.
fn rate_from_fields(
    date: Option<&str>,
    currency: Option<&str>,
    rate: Option<&str>,
    source: Option<&str>,
) -> Result<ExchangeRate, FieldErrors> {
    let mut errors = FieldErrors::default();
    let rate_date = match date {
        None => {
            errors.push(FieldError::new("rate_date", "required", "the date is required"));
            None
        }
        Some(raw) => {
            let raw = bridgehead_io::enterprises::date_text(raw);
            errors.take(
                parse_date(&raw)
                    .map(format_date)
                    .map_err(|m| FieldError::new("rate_date", "date.format", m).with_value(&raw)),
            )
        }
    };
    let currency_code = match currency {
        None => {
            errors.push(FieldError::new("currency_code", "required", "the currency is required"));
            None
        }
        Some(raw) => errors.take(
            CurrencyCode::parse(raw)
                .map_err(|m| FieldError::new("currency_code", "currency.format", m).with_value(raw)),
        ),
    };
    if currency_code.as_ref().is_some_and(|c| c.as_str() == CurrencyCode::BASE) {
        errors.push(FieldError::new(
            "currency_code",
            "currency.base",
            "CNY is the base currency; its rate is always 1",
        ));
    }
    let rate = match rate {
        None => {
            errors.push(FieldError::new("rate", "required", "the rate is required"));
            None
        }
        Some(raw) => {
            errors.take(parse_rate(raw).map_err(|m| FieldError::new("rate", "rate.format", m).with_value(raw)))
        }
    };
    let source = source.map(str::trim).filter(|s| !s.is_empty()).map(ToOwned::to_owned);
    let (Some(rate_date), Some(currency_code), Some(rate)) = (rate_date, currency_code, rate) else {
        return Err(errors);
    };
    errors.finish(|| ExchangeRate {
        currency_code: currency_code.to_string(),
        rate_date,
        rate: rate.to_string(),
        source,
    })
}

/// A park as entered.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ParkInput {
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    pub region_code: Option<String>,
    pub level: Option<String>,
}

/// A cluster taxonomy version as entered.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ClusterTaxonomyInput {
    pub code: String,
    pub region_code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub clusters: Vec<ClusterInput>,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ClusterInput {
    pub code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    #[serde(default)]
    pub industry_prefixes: Vec<String>,
}

fn required_text(errors: &mut FieldErrors, field: &str, value: Option<&str>) -> Option<String> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) if v.chars().count() <= 200 => Some(v.to_owned()),
        Some(v) => {
            errors.push(FieldError::new(field, "text.too_long", "at most 200 characters").with_value(v));
            None
        }
        None => {
            errors.push(FieldError::new(field, "required", format!("{field} is required")));
            None
        }
    }
}

impl App {
    pub async fn regions(&self, actor: &Actor, filter: &RegionFilter) -> AppResult<Vec<Region>> {
        actor.require(ALL_ROLES, "read reference data")?;
        Ok(store::list_regions(&mut *self.store.read().await?, filter).await?)
    }

    /// A region with its ancestors (nearest first) and its children.
    pub async fn region(&self, actor: &Actor, code: &str) -> AppResult<(Region, Vec<Region>, Vec<Region>)> {
        actor.require(ALL_ROLES, "read reference data")?;
        let mut conn = self.store.read().await?;
        let region = store::get_region(&mut conn, code).await?.ok_or(AppError::NotFound { what: "region" })?;
        let mut lineage = store::region_lineage(&mut conn, code).await?;
        if !lineage.is_empty() {
            lineage.remove(0);
        }
        let children = store::list_regions(
            &mut conn,
            &RegionFilter { parent_code: Some(code.to_owned()), ..RegionFilter::default() },
        )
        .await?;
        Ok((region, lineage, children))
    }

    pub async fn region_groups(&self, actor: &Actor) -> AppResult<Vec<RegionGroup>> {
        actor.require(ALL_ROLES, "read reference data")?;
        Ok(store::list_region_groups(&mut *self.store.read().await?).await?)
    }

    pub async fn industries(
        &self,
        actor: &Actor,
        level: Option<IndustryLevel>,
        parent_code: Option<String>,
        search: Option<String>,
        limit: i64,
        offset: i64,
    ) -> AppResult<(Vec<Industry>, i64)> {
        actor.require(ALL_ROLES, "read reference data")?;
        let filter = IndustryFilter { edition: INDUSTRY_EDITION.to_owned(), level, parent_code, search, limit, offset };
        Ok(store::list_industries(&mut *self.store.read().await?, &filter).await?)
    }

    /// An industry entry with its children.
    pub async fn industry(&self, actor: &Actor, code: &str) -> AppResult<(Industry, Vec<Industry>)> {
        actor.require(ALL_ROLES, "read reference data")?;
        let code = IndustryCode::parse(code).map_err(|_| AppError::NotFound { what: "industry" })?;
        let mut conn = self.store.read().await?;
        let industry = store::get_industry(&mut conn, INDUSTRY_EDITION, code.as_str())
            .await?
            .ok_or(AppError::NotFound { what: "industry" })?;
        let filter = IndustryFilter {
            edition: INDUSTRY_EDITION.to_owned(),
            parent_code: Some(code.to_string()),
            limit: 1000,
            ..IndustryFilter::default()
        };
        let (children, _) = store::list_industries(&mut conn, &filter).await?;
        Ok((industry, children))
    }

    pub async fn parks(&self, actor: &Actor, within: Option<&str>) -> AppResult<Vec<Park>> {
        actor.require(ALL_ROLES, "read reference data")?;
        Ok(store::list_parks(&mut *self.store.read().await?, within).await?)
    }

    pub async fn park(&self, actor: &Actor, id: i64) -> AppResult<Park> {
        actor.require(ALL_ROLES, "read reference data")?;
        store::get_park(&mut *self.store.read().await?, id).await?.ok_or(AppError::NotFound { what: "park" })
    }

    async fn validate_park(&self, conn: &mut Conn, input: &ParkInput) -> AppResult<ParkFields> {
        let mut errors = FieldErrors::default();
        let name_zh = required_text(&mut errors, "name_zh", input.name_zh.as_deref());
        let name_en = input.name_en.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(ToOwned::to_owned);
        let region_code = required_text(&mut errors, "region_code", input.region_code.as_deref());
        if let Some(region) = &region_code
            && store::get_region(conn, region).await?.is_none()
        {
            errors.push(FieldError::new("region_code", "region.unknown", "no such region").with_value(region));
        }
        let level = match input.level.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => Some(ParkLevel::Other),
            Some(raw) => errors.take(ParkLevel::parse(raw).ok_or_else(|| {
                FieldError::new("level", "park.level", format!("expected one of {}", ParkLevel::expected()))
                    .with_value(raw)
            })),
        };
        match (name_zh, region_code, level) {
            (Some(name_zh), Some(region_code), Some(level)) if errors.is_empty() => {
                Ok(ParkFields { name_zh, name_en, region_code, level })
            }
            _ => Err(AppError::Invalid(errors)),
        }
    }

    fn park_taken(fields: &ParkFields) -> AppError {
        AppError::Duplicate(
            FieldError::new("name_zh", "park.duplicate", "this region already has a park of this name")
                .with_value(&fields.name_zh),
        )
    }

    pub async fn create_park(&self, actor: &Actor, input: &ParkInput) -> AppResult<Park> {
        actor.require(ADMINS, "change reference data")?;
        actor.require_write()?;
        let mut tx = self.store.begin().await?;
        let fields = self.validate_park(&mut tx, input).await?;
        let park = match store::insert_park(&mut tx, &fields).await {
            Err(StoreError::Duplicate { .. }) => return Err(Self::park_taken(&fields)),
            other => other?,
        };
        audit(&mut tx, actor, "create", "park", &park.id.to_string(), None, Some(json!(park))).await?;
        tx.commit().await?;
        Ok(park)
    }

    pub async fn update_park(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: Option<i64>,
        input: &ParkInput,
    ) -> AppResult<Park> {
        actor.require(ADMINS, "change reference data")?;
        actor.require_write()?;
        let mut tx = self.store.begin().await?;
        let before = store::get_park(&mut tx, id).await?.ok_or(AppError::NotFound { what: "park" })?;
        let version = expected_version.unwrap_or(before.version);
        let fields = self.validate_park(&mut tx, input).await?;
        let park = match store::update_park(&mut tx, id, version, &fields).await {
            Err(StoreError::Duplicate { .. }) => return Err(Self::park_taken(&fields)),
            Err(StoreError::Conflict) => {
                return Err(AppError::VersionMismatch { what: "park", current_version: before.version });
            }
            other => other?,
        };
        audit(&mut tx, actor, "update", "park", &id.to_string(), Some(json!(before)), Some(json!(park))).await?;
        tx.commit().await?;
        Ok(park)
    }

    pub async fn cluster_taxonomies(&self, actor: &Actor) -> AppResult<Vec<ClusterTaxonomy>> {
        actor.require(ALL_ROLES, "read reference data")?;
        Ok(store::list_cluster_taxonomies(&mut *self.store.read().await?, None).await?)
    }

    pub async fn cluster_taxonomy(&self, actor: &Actor, id: i64) -> AppResult<ClusterTaxonomy> {
        actor.require(ALL_ROLES, "read reference data")?;
        store::get_cluster_taxonomy(&mut *self.store.read().await?, id)
            .await?
            .ok_or(AppError::NotFound { what: "cluster taxonomy" })
    }

    /// Stores a new version of a cluster system.
    pub async fn create_cluster_taxonomy(
        &self,
        actor: &Actor,
        input: &ClusterTaxonomyInput,
    ) -> AppResult<ClusterTaxonomy> {
        actor.require(ADMINS, "change reference data")?;
        actor.require_write()?;
        let mut errors = FieldErrors::default();
        let code = required_text(&mut errors, "code", Some(&input.code));
        let name_zh = required_text(&mut errors, "name_zh", Some(&input.name_zh));
        let valid_from = errors.take(
            parse_date(&input.valid_from)
                .map(format_date)
                .map_err(|m| FieldError::new("valid_from", "date.format", m).with_value(&input.valid_from)),
        );
        let valid_to = input.valid_to.as_deref().filter(|v| !v.trim().is_empty()).and_then(|raw| {
            errors.take(
                parse_date(raw)
                    .map(format_date)
                    .map_err(|m| FieldError::new("valid_to", "date.format", m).with_value(raw)),
            )
        });
        if let (Some(from), Some(to)) = (&valid_from, &valid_to)
            && to < from
        {
            errors.push(FieldError::new("valid_to", "date.order", "valid_to is before valid_from").with_value(to));
        }
        let mut tx = self.store.begin().await?;
        if store::get_region(&mut tx, &input.region_code).await?.is_none() {
            errors.push(
                FieldError::new("region_code", "region.unknown", "no such region").with_value(&input.region_code),
            );
        }
        let mut clusters = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (index, cluster) in input.clusters.iter().enumerate() {
            let field = |name: &str| format!("clusters[{index}].{name}");
            let cluster_code = required_text(&mut errors, &field("code"), Some(&cluster.code));
            let cluster_name = required_text(&mut errors, &field("name_zh"), Some(&cluster.name_zh));
            if let Some(c) = &cluster_code
                && !seen.insert(c.clone())
            {
                errors.push(
                    FieldError::new(field("code"), "cluster.duplicate", "two clusters share this code").with_value(c),
                );
            }
            let mut prefixes = Vec::new();
            for prefix in &cluster.industry_prefixes {
                match IndustryCode::parse(prefix) {
                    Ok(p) => prefixes.push(p.to_string()),
                    Err(m) => errors
                        .push(FieldError::new(field("industry_prefixes"), "industry.format", m).with_value(prefix)),
                }
            }
            if let (Some(code), Some(name_zh)) = (cluster_code, cluster_name) {
                clusters.push(NewCluster {
                    code,
                    name_zh,
                    name_en: cluster.name_en.clone().filter(|n| !n.trim().is_empty()),
                    industry_prefixes: prefixes,
                });
            }
        }
        let (Some(code), Some(name_zh), Some(valid_from), true) = (code, name_zh, valid_from, errors.is_empty()) else {
            return Err(AppError::Invalid(errors));
        };
        let taxonomy = store::insert_cluster_taxonomy(
            &mut tx,
            &NewClusterTaxonomy {
                code,
                region_code: input.region_code.clone(),
                name_zh,
                name_en: input.name_en.clone().filter(|n| !n.trim().is_empty()),
                valid_from,
                valid_to,
                clusters,
            },
        )
        .await?;
        audit(&mut tx, actor, "create", "cluster_taxonomy", &taxonomy.id.to_string(), None, Some(json!(taxonomy)))
            .await?;
        tx.commit().await?;
        Ok(taxonomy)
    }

    pub async fn tags(&self, actor: &Actor) -> AppResult<Vec<Tag>> {
        actor.require(ALL_ROLES, "read reference data")?;
        Ok(store::list_tags(&mut *self.store.read().await?).await?)
    }

    pub async fn upsert_tag(&self, actor: &Actor, tag: &Tag) -> AppResult<Tag> {
        actor.require(ADMINS, "change reference data")?;
        actor.require_write()?;
        let mut errors = FieldErrors::default();
        let valid_code = tag.code.len() <= 40
            && !tag.code.is_empty()
            && tag.code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid_code {
            errors.push(
                FieldError::new("code", "tag.code", "1 to 40 characters of a-z, 0-9 and '_'").with_value(&tag.code),
            );
        }
        let name_zh = required_text(&mut errors, "name_zh", Some(&tag.name_zh));
        let name_en = required_text(&mut errors, "name_en", Some(&tag.name_en));
        let (Some(name_zh), Some(name_en), true) = (name_zh, name_en, errors.is_empty()) else {
            return Err(AppError::Invalid(errors));
        };
        let tag = Tag { code: tag.code.clone(), name_zh, name_en };
        let mut tx = self.store.begin().await?;
        let before = store::list_tags(&mut tx).await?.into_iter().find(|t| t.code == tag.code);
        store::upsert_tag(&mut tx, &tag).await?;
        audit(&mut tx, actor, "upsert", "enterprise_tag", &tag.code, before.map(|b| json!(b)), Some(json!(tag)))
            .await?;
        tx.commit().await?;
        Ok(tag)
    }

    pub async fn currencies(&self, actor: &Actor) -> AppResult<Vec<Currency>> {
        actor.require(ALL_ROLES, "read reference data")?;
        Ok(store::list_currencies(&mut *self.store.read().await?).await?)
    }

    pub async fn exchange_rates(
        &self,
        actor: &Actor,
        currency: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> AppResult<(Vec<ExchangeRate>, i64)> {
        actor.require(ALL_ROLES, "read reference data")?;
        Ok(store::list_exchange_rates(&mut *self.store.read().await?, currency, limit, offset).await?)
    }

    /// The rate in force on a date (the latest published on or before it).
    pub async fn rate_on(&self, actor: &Actor, currency: &str, date: &str) -> AppResult<ExchangeRate> {
        actor.require(ALL_ROLES, "read reference data")?;
        let date = parse_date(date).map_err(|m| AppError::invalid("date", "date.format", m))?;
        store::rate_on(&mut *self.store.read().await?, &currency.to_ascii_uppercase(), &format_date(date))
            .await?
            .ok_or(AppError::NotFound { what: "exchange rate" })
    }

    pub async fn put_exchange_rate(
        &self,
        actor: &Actor,
        date: Option<&str>,
        currency: Option<&str>,
        rate: Option<&str>,
        source: Option<&str>,
    ) -> AppResult<ExchangeRate> {
        actor.require(ADMINS, "change reference data")?;
        actor.require_write()?;
        let rate = rate_from_fields(date, currency, rate, source)?;
        let mut tx = self.store.begin().await?;
        if !store::list_currencies(&mut tx).await?.iter().any(|c| c.code == rate.currency_code) {
            return Err(AppError::Invalid(
                FieldError::new("currency_code", "currency.unknown", "not a currency of this installation")
                    .with_value(&rate.currency_code)
                    .into(),
            ));
        }
        let before = store::upsert_exchange_rate(&mut tx, &rate).await?;
        if before.as_ref() == Some(&rate) {
            // The same rate again: nothing changed, nothing to record.
            return Ok(rate);
        }
        let key = format!("{}:{}", rate.currency_code, rate.rate_date);
        audit(&mut tx, actor, "upsert", "exchange_rate", &key, before.map(|b| json!(b)), Some(json!(rate))).await?;
        tx.commit().await?;
        Ok(rate)
    }

    /// Imports exchange rates from `.csv` or `.xlsx`: every row or none.
    pub async fn import_exchange_rates(&self, actor: &Actor, bytes: &[u8], format: FileFormat) -> AppResult<usize> {
        actor.require(ADMINS, "change reference data")?;
        actor.require_write()?;
        let sheet = crate::read_file(bytes, format, EXCHANGE_RATE_COLUMNS)?;
        let mut tx = self.store.begin().await?;
        let currencies: std::collections::HashSet<String> =
            store::list_currencies(&mut tx).await?.into_iter().map(|c| c.code).collect();
        let mut rates = Vec::new();
        let mut row_errors = Vec::new();
        for record in &sheet.records {
            let parsed = rate_from_fields(
                record.get("rate_date"),
                record.get("currency_code"),
                record.get("rate"),
                record.get("source"),
            );
            match parsed {
                Ok(rate) if !currencies.contains(&rate.currency_code) => row_errors.push(
                    sheet.field_row_error(
                        record.row,
                        FieldError::new("currency_code", "currency.unknown", "not a currency of this installation")
                            .with_value(&rate.currency_code),
                    ),
                ),
                Ok(rate) => rates.push(rate),
                Err(errors) => row_errors.extend(errors.0.into_iter().map(|e| sheet.field_row_error(record.row, e))),
            }
        }
        if !row_errors.is_empty() {
            return Err(AppError::ImportRows(row_errors));
        }
        for rate in &rates {
            store::upsert_exchange_rate(&mut tx, rate).await?;
        }
        audit(&mut tx, actor, "import", "exchange_rates", "file", None, Some(json!({ "rows": rates.len() }))).await?;
        tx.commit().await?;
        Ok(rates.len())
    }

    /// Checks a credit code: structure, check character, and whether its region part is known.
    pub async fn check_credit_code(&self, actor: &Actor, input: &str) -> AppResult<CreditCodeCheck> {
        actor.require(ALL_ROLES, "check credit codes")?;
        let mut result = CreditCodeCheck {
            code: input.trim().to_owned(),
            valid: false,
            expected_check_character: None,
            errors: Vec::new(),
            region_code: None,
            region: None,
            warnings: Vec::new(),
        };
        match CreditCode::parse_structure(input) {
            Err(e) => result.errors.push(e.into_field_error("credit_code", input)),
            Ok(code) => {
                result.code = code.to_string();
                result.expected_check_character = Some(code.expected_check_character());
                if let Err(e) = code.check() {
                    result.errors.push(e.into_field_error("credit_code", input));
                }
                result.valid = result.errors.is_empty();
                let mut conn = self.store.read().await?;
                result.region_code = Some(code.region_part().to_owned());
                result.region = store::get_region(&mut conn, code.region_part()).await?;
                if let Some(warning) = credit_code_region_warning(&mut conn, &code).await? {
                    result.warnings.push(warning);
                }
            }
        }
        Ok(result)
    }

    pub async fn organizations(&self, actor: &Actor) -> AppResult<Vec<Organization>> {
        actor.require(ADMINS, "list organisations")?;
        Ok(store::list_organizations(&mut *self.store.read().await?).await?)
    }
}
