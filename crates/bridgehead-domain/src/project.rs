//! Manufacturing investment projects (SPEC §3): the project record, its stages as dated
//! events with their transition rules, and monthly progress reports with their checks
//! and review workflow.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::codes::{IndustryCode, RegionCode};
use crate::enterprise::{format_date, parse_date, parse_flag};
use crate::money::{CurrencyCode, parse_major_units};
use crate::period::Period;
use crate::reference::vocabulary;
use crate::{FieldError, FieldErrors};

vocabulary!(
    /// What kind of investment a project is.
    ProjectType { New = "new", Expansion = "expansion", TechnologicalTransformation = "technological_transformation" }
);

vocabulary!(
    /// Where the capital comes from.
    CapitalSource { Domestic = "domestic", Foreign = "foreign", HongKongMacaoTaiwan = "hk_macao_taiwan" }
);

vocabulary!(
    /// A dated event in a project's life.
    StageKind {
        Signed = "signed",
        Filed = "filed",
        Started = "started",
        InProduction = "in_production",
        Completed = "completed",
        Suspended = "suspended",
        Resumed = "resumed",
        Cancelled = "cancelled",
    }
);

impl StageKind {
    /// The position of a progress stage (signed → completed); `None` for the others.
    pub fn rank(self) -> Option<u8> {
        match self {
            Self::Signed => Some(0),
            Self::Filed => Some(1),
            Self::Started => Some(2),
            Self::InProduction => Some(3),
            Self::Completed => Some(4),
            Self::Suspended | Self::Resumed | Self::Cancelled => None,
        }
    }
}

/// A project code: the national investment project code `YYYY-RRRRRR-DD-TT-NNNNNC`
/// (year, region, industry division, type, serial with check character) when it has
/// one, otherwise an internal code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ProjectCode {
    pub code: String,
    pub national: bool,
}

impl ProjectCode {
    /// A code that starts like a national code (four digits and a dash) must have the
    /// national structure; anything else is an internal code of 3–40 letters, digits
    /// and dashes.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let code: String =
            input.trim().chars().map(crate::codes::full_width_to_ascii).collect::<String>().to_ascii_uppercase();
        let bytes = code.as_bytes();
        let looks_national = bytes.len() >= 5 && bytes[..4].iter().all(u8::is_ascii_digit) && bytes[4] == b'-';
        if looks_national {
            let parts: Vec<&str> = code.split('-').collect();
            let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
            let valid = parts.len() == 5
                && digits(parts[0], 4)
                && digits(parts[1], 6)
                && digits(parts[2], 2)
                && digits(parts[3], 2)
                && parts[4].len() == 6
                && parts[4].bytes().all(|b| b.is_ascii_alphanumeric());
            if !valid {
                return Err(FieldError::new(
                    "code",
                    "project.code_format",
                    "a national project code is YYYY-RRRRRR-DD-TT-NNNNNC (year, region, industry, type, serial)",
                )
                .with_value(input));
            }
            let year: i32 = parts[0].parse().unwrap_or(0);
            if !(2000..=2200).contains(&year) {
                return Err(
                    FieldError::new("code", "project.code_year", "the code's year is not plausible").with_value(input)
                );
            }
            return Ok(Self { code, national: true });
        }
        let valid =
            (3..=40).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if valid {
            Ok(Self { code, national: false })
        } else {
            Err(FieldError::new(
                "code",
                "project.code_format",
                "an internal code has 3 to 40 letters, digits, '-' or '_'",
            )
            .with_value(input))
        }
    }

    /// The code as the registry keys it — full-width characters folded, upper case — or
    /// the text itself, trimmed and upper-cased, when it is no valid code. Files name
    /// projects this way.
    pub fn key(raw: &str) -> String {
        Self::parse(raw).map_or_else(|_| raw.trim().to_ascii_uppercase(), |c| c.code)
    }

    /// Characters 6–11 of a national code: the region.
    pub fn region_part(&self) -> Option<&str> {
        self.national.then(|| &self.code[5..11])
    }
}

/// One investor and its share, in basis points (1/100 of a percent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Investor {
    pub enterprise_id: i64,
    pub share_bp: i64,
}

/// Raw project fields from a form, the API or a file row.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ProjectFields {
    pub code: Option<String>,
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    /// County-level region of the site.
    pub region_code: Option<String>,
    pub park_id: Option<String>,
    pub industry_code: Option<String>,
    pub project_type: Option<String>,
    pub capital_source: Option<String>,
    /// ISO 3166 country (or region) of foreign capital.
    pub source_country: Option<String>,
    pub from_shanghai: Option<String>,
    pub fortune_global_500: Option<String>,
    pub central_soe: Option<String>,
    /// Planned total investment in major units of `planned_currency`.
    pub planned_total: Option<String>,
    pub planned_fixed_assets: Option<String>,
    pub planned_equipment: Option<String>,
    pub planned_currency: Option<String>,
    pub planned_start_on: Option<String>,
    pub planned_production_on: Option<String>,
    /// Investors as `enterprise_id:share_percent` pairs; see [`Investor`].
    pub investors: Vec<(String, String)>,
    pub cluster_ids: Vec<String>,
}

/// A validated project; references are well-formed, their existence is the app's check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectRecord {
    pub code: ProjectCode,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub region_code: RegionCode,
    pub park_id: Option<i64>,
    pub industry_code: Option<IndustryCode>,
    pub project_type: ProjectType,
    pub capital_source: CapitalSource,
    pub source_country: Option<String>,
    pub from_shanghai: bool,
    pub fortune_global_500: bool,
    pub central_soe: bool,
    pub planned_total_minor: i64,
    pub planned_fixed_assets_minor: Option<i64>,
    pub planned_equipment_minor: Option<i64>,
    pub planned_currency: CurrencyCode,
    pub planned_start_on: Option<Date>,
    pub planned_production_on: Option<Date>,
    pub investors: Vec<Investor>,
    pub cluster_ids: Vec<i64>,
}

pub(crate) fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

pub(crate) fn amount(errors: &mut FieldErrors, field: &str, value: &Option<String>) -> Option<i64> {
    let raw = present(value)?;
    let parsed =
        parse_major_units(raw).map_err(|m| FieldError::new(field, "amount.format", m).with_value(raw)).and_then(|v| {
            if v < 0 {
                Err(FieldError::new(field, "amount.negative", "cannot be negative").with_value(raw))
            } else {
                Ok(v)
            }
        });
    errors.take(parsed)
}

fn flag(errors: &mut FieldErrors, field: &str, value: &Option<String>) -> bool {
    match present(value) {
        None => false,
        Some(raw) => errors
            .take(
                parse_flag(raw)
                    .ok_or_else(|| FieldError::new(field, "flag.format", "expected true or false").with_value(raw)),
            )
            .unwrap_or(false),
    }
}

pub(crate) fn date(errors: &mut FieldErrors, field: &str, value: &Option<String>) -> Option<Date> {
    let raw = present(value)?;
    errors.take(parse_date(raw).map_err(|m| FieldError::new(field, "date.format", m).with_value(raw)))
}

impl ProjectFields {
    /// Validates every field at once.
    pub fn validate(&self) -> Result<ProjectRecord, FieldErrors> {
        let mut errors = FieldErrors::default();
        let code = match present(&self.code) {
            None => {
                errors.push(FieldError::new("code", "required", "the project code is required"));
                None
            }
            Some(raw) => errors.take(ProjectCode::parse(raw)),
        };
        let name_zh = present(&self.name_zh).map(ToOwned::to_owned);
        if name_zh.is_none() {
            errors.push(FieldError::new("name_zh", "required", "the Chinese name is required"));
        }
        let region_code = match present(&self.region_code) {
            None => {
                errors.push(FieldError::new(
                    "region_code",
                    "required",
                    "the project's county-level region is required",
                ));
                None
            }
            Some(raw) => errors.take(
                RegionCode::parse(raw).map_err(|m| FieldError::new("region_code", "region.format", m).with_value(raw)),
            ),
        };
        if let (Some(code), Some(region)) = (&code, &region_code)
            && let Some(part) = code.region_part()
            && part != region.as_str()
        {
            errors.push(
                FieldError::new(
                    "code",
                    "project.code_region",
                    format!("the code names region {part}, the project is in {region}"),
                )
                .with_value(&code.code)
                .with_param("code_region", part)
                .with_param("region", region),
            );
        }
        let park_id = present(&self.park_id).and_then(|raw| {
            errors.take(
                raw.parse::<i64>().map_err(|_| FieldError::new("park_id", "park.id", "not a park").with_value(raw)),
            )
        });
        let industry_code = present(&self.industry_code).and_then(|raw| {
            errors.take(
                IndustryCode::parse(raw)
                    .map_err(|m| FieldError::new("industry_code", "industry.format", m).with_value(raw)),
            )
        });
        if let Some(industry) = &industry_code
            && !industry.is_manufacturing()
        {
            errors.push(
                FieldError::new(
                    "industry_code",
                    "project.not_manufacturing",
                    "a manufacturing project's industry is in divisions 13–43",
                )
                .with_value(industry.as_str()),
            );
        }
        let project_type = match present(&self.project_type) {
            None => Some(ProjectType::New),
            Some(raw) => errors.take(ProjectType::parse(raw).ok_or_else(|| {
                FieldError::new("project_type", "project.type", format!("expected one of {}", ProjectType::expected()))
                    .with_value(raw)
            })),
        };
        let capital_source = match present(&self.capital_source) {
            None => Some(CapitalSource::Domestic),
            Some(raw) => errors.take(CapitalSource::parse(raw).ok_or_else(|| {
                FieldError::new(
                    "capital_source",
                    "project.capital_source",
                    format!("expected one of {}", CapitalSource::expected()),
                )
                .with_value(raw)
            })),
        };
        let source_country = present(&self.source_country).map(str::to_ascii_uppercase);
        if capital_source == Some(CapitalSource::Foreign) && source_country.is_none() {
            errors.push(FieldError::new(
                "source_country",
                "project.source_country",
                "foreign capital needs its country",
            ));
        }
        let from_shanghai = flag(&mut errors, "from_shanghai", &self.from_shanghai);
        let fortune_global_500 = flag(&mut errors, "fortune_global_500", &self.fortune_global_500);
        let central_soe = flag(&mut errors, "central_soe", &self.central_soe);
        let planned_total_minor = amount(&mut errors, "planned_total", &self.planned_total);
        if present(&self.planned_total).is_none() {
            errors.push(FieldError::new("planned_total", "required", "the planned total investment is required"));
        }
        let planned_fixed_assets_minor = amount(&mut errors, "planned_fixed_assets", &self.planned_fixed_assets);
        let planned_equipment_minor = amount(&mut errors, "planned_equipment", &self.planned_equipment);
        if let (Some(total), Some(fixed)) = (planned_total_minor, planned_fixed_assets_minor)
            && fixed > total
        {
            errors.push(FieldError::new(
                "planned_fixed_assets",
                "project.fixed_above_total",
                "fixed assets cannot exceed the total",
            ));
        }
        if let (Some(fixed), Some(equipment)) =
            (planned_fixed_assets_minor.or(planned_total_minor), planned_equipment_minor)
            && equipment > fixed
        {
            errors.push(FieldError::new(
                "planned_equipment",
                "project.equipment_above_fixed",
                "equipment cannot exceed the fixed assets (or the total)",
            ));
        }
        let planned_currency = match present(&self.planned_currency) {
            None => Some(CurrencyCode::base()),
            Some(raw) => errors.take(
                CurrencyCode::parse(raw)
                    .map_err(|m| FieldError::new("planned_currency", "currency.format", m).with_value(raw)),
            ),
        };
        let planned_start_on = date(&mut errors, "planned_start_on", &self.planned_start_on);
        let planned_production_on = date(&mut errors, "planned_production_on", &self.planned_production_on);
        if let (Some(start), Some(production)) = (planned_start_on, planned_production_on)
            && production < start
        {
            errors.push(FieldError::new(
                "planned_production_on",
                "date.order",
                "production cannot be planned before the start",
            ));
        }
        let mut investors = Vec::new();
        for (id, share) in &self.investors {
            let enterprise_id = errors.take(id.trim().parse::<i64>().map_err(|_| {
                FieldError::new("investors", "project.investor", "an investor is an enterprise id").with_value(id)
            }));
            let share_bp =
                errors.take(parse_major_units(share).ok().filter(|bp| (1..=10_000).contains(bp)).ok_or_else(|| {
                    FieldError::new("investors", "project.share", "a share is a percentage above 0 and at most 100")
                        .with_value(share)
                }));
            if let (Some(enterprise_id), Some(share_bp)) = (enterprise_id, share_bp) {
                if investors.iter().any(|i: &Investor| i.enterprise_id == enterprise_id) {
                    errors.push(
                        FieldError::new("investors", "project.investor_twice", "an enterprise is listed twice")
                            .with_value(id),
                    );
                }
                investors.push(Investor { enterprise_id, share_bp });
            }
        }
        if investors.is_empty() && errors.0.iter().all(|e| e.field != "investors") {
            errors.push(FieldError::new(
                "investors",
                "project.no_investor",
                "a project needs at least one investor enterprise",
            ));
        }
        // One order for the same investors, as the store lists them: largest share first.
        investors.sort_by(|a, b| b.share_bp.cmp(&a.share_bp).then(a.enterprise_id.cmp(&b.enterprise_id)));
        let total_share: i64 = investors.iter().map(|i| i.share_bp).sum();
        if !investors.is_empty() && total_share != 10_000 {
            errors.push(
                FieldError::new("investors", "project.shares_total", "the investors' shares must add up to 100%")
                    .with_param("total", crate::money::format_major_units(total_share)),
            );
        }
        let mut cluster_ids = Vec::new();
        for raw in &self.cluster_ids {
            if let Some(id) = errors.take(
                raw.trim()
                    .parse::<i64>()
                    .map_err(|_| FieldError::new("cluster_ids", "cluster.id", "not a cluster").with_value(raw)),
            ) {
                cluster_ids.push(id);
            }
        }
        cluster_ids.sort_unstable();
        cluster_ids.dedup();
        match (code, name_zh, region_code, project_type, capital_source, planned_total_minor, planned_currency) {
            (
                Some(code),
                Some(name_zh),
                Some(region_code),
                Some(project_type),
                Some(capital_source),
                Some(total),
                Some(currency),
            ) if errors.is_empty() => Ok(ProjectRecord {
                code,
                name_zh,
                name_en: present(&self.name_en).map(ToOwned::to_owned),
                region_code,
                park_id,
                industry_code,
                project_type,
                capital_source,
                source_country,
                from_shanghai,
                fortune_global_500,
                central_soe,
                planned_total_minor: total,
                planned_fixed_assets_minor,
                planned_equipment_minor,
                planned_currency: currency,
                planned_start_on,
                planned_production_on,
                investors,
                cluster_ids,
            }),
            _ => Err(errors),
        }
    }
}

impl ProjectRecord {
    pub fn to_fields(&self) -> ProjectFields {
        let money = |v: Option<i64>| v.map(crate::money::format_major_units);
        ProjectFields {
            code: Some(self.code.code.clone()),
            name_zh: Some(self.name_zh.clone()),
            name_en: self.name_en.clone(),
            region_code: Some(self.region_code.to_string()),
            park_id: self.park_id.map(|p| p.to_string()),
            industry_code: self.industry_code.as_ref().map(ToString::to_string),
            project_type: Some(self.project_type.as_str().to_owned()),
            capital_source: Some(self.capital_source.as_str().to_owned()),
            source_country: self.source_country.clone(),
            from_shanghai: Some(self.from_shanghai.to_string()),
            fortune_global_500: Some(self.fortune_global_500.to_string()),
            central_soe: Some(self.central_soe.to_string()),
            planned_total: money(Some(self.planned_total_minor)),
            planned_fixed_assets: money(self.planned_fixed_assets_minor),
            planned_equipment: money(self.planned_equipment_minor),
            planned_currency: Some(self.planned_currency.to_string()),
            planned_start_on: self.planned_start_on.map(format_date),
            planned_production_on: self.planned_production_on.map(format_date),
            investors: self
                .investors
                .iter()
                .map(|i| (i.enterprise_id.to_string(), crate::money::format_major_units(i.share_bp)))
                .collect(),
            cluster_ids: self.cluster_ids.iter().map(ToString::to_string).collect(),
        }
    }
}

/// A recorded stage event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageEvent {
    pub id: i64,
    pub phase: i64,
    pub kind: StageKind,
    pub occurred_on: Date,
    pub reason: Option<String>,
    /// For the signing of a later phase (a capital increase): the increment, in CNY
    /// minor units. The first phase's signing counts the planned total.
    pub increment_minor: Option<i64>,
}

/// Where a project stands after its events: its progress stage, whether it is
/// suspended or cancelled, and its current phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageState {
    pub phase: i64,
    /// The furthest progress stage reached in the current phase.
    pub stage: Option<StageKind>,
    pub suspended: bool,
    pub cancelled: bool,
}

impl StageState {
    pub const NEW: StageState = StageState { phase: 1, stage: None, suspended: false, cancelled: false };

    /// The stage shown for the project.
    pub fn label(self) -> StageKind {
        if self.cancelled {
            StageKind::Cancelled
        } else if self.suspended {
            StageKind::Suspended
        } else {
            self.stage.unwrap_or(StageKind::Signed)
        }
    }

    /// Applies a new event after the rules (SPEC §3): a project begins with its signing;
    /// progress moves forward, and going back needs a reason; suspension and resumption
    /// alternate; nothing follows a cancellation; a new phase (a capital increase) starts
    /// with a signing after the current phase has started.
    pub fn apply(self, phase: i64, kind: StageKind, reason: Option<&str>) -> Result<StageState, FieldError> {
        let refuse =
            |code: &'static str, message: &str| Err(FieldError::new("kind", code, message).with_value(kind.as_str()));
        if self.cancelled {
            return refuse("stage.after_cancel", "the project is cancelled; no further events");
        }
        let has_reason = reason.is_some_and(|r| !r.trim().is_empty());
        if phase != self.phase {
            if phase != self.phase + 1 || kind != StageKind::Signed {
                return Err(FieldError::new(
                    "phase",
                    "stage.phase",
                    "a new phase starts with a signing, numbered one above the current",
                )
                .with_value(phase.to_string()));
            }
            if self.stage.and_then(StageKind::rank).unwrap_or(0) < 2 {
                return refuse("stage.phase_too_early", "a capital increase follows a project that has started");
            }
            return Ok(StageState { phase, stage: Some(StageKind::Signed), suspended: false, cancelled: false });
        }
        match kind {
            StageKind::Suspended if self.suspended => {
                refuse("stage.already_suspended", "the project is already suspended")
            }
            StageKind::Suspended => Ok(StageState { suspended: true, ..self }),
            StageKind::Resumed if !self.suspended => refuse("stage.not_suspended", "only a suspended project resumes"),
            StageKind::Resumed => Ok(StageState { suspended: false, ..self }),
            StageKind::Cancelled => Ok(StageState { cancelled: true, ..self }),
            progress => {
                if self.suspended {
                    return refuse("stage.suspended", "resume the project before recording progress");
                }
                let rank = progress.rank().unwrap_or(0);
                let current = self.stage.and_then(StageKind::rank);
                match current {
                    None if progress != StageKind::Signed => {
                        refuse("stage.sign_first", "a project begins with its signing")
                    }
                    Some(current) if rank == current => {
                        refuse("stage.repeated", "the project is already at this stage")
                    }
                    Some(current) if rank < current && !has_reason => {
                        Err(FieldError::new("reason", "stage.back_needs_reason", "going back a stage needs a reason")
                            .with_value(progress.as_str()))
                    }
                    _ => Ok(StageState { stage: Some(progress), ..self }),
                }
            }
        }
    }
}

vocabulary!(
    /// Where a monthly report is in its review.
    ReportStatus {
        Draft = "draft",
        Submitted = "submitted",
        ReturnedByDistrict = "returned_by_district",
        ApprovedByDistrict = "approved_by_district",
        ReturnedByCity = "returned_by_city",
        ApprovedByCity = "approved_by_city",
        Superseded = "superseded",
    }
);

vocabulary!(
    /// A step of the review workflow.
    ReportAction {
        Submit = "submit",
        ApproveDistrict = "approve_district",
        ReturnDistrict = "return_district",
        ApproveCity = "approve_city",
        ReturnCity = "return_city",
    }
);

/// Who acts on a report, as far as the workflow cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportActor {
    /// The enterprise or district that files.
    Filer,
    District,
    City,
}

impl ReportStatus {
    /// Whether the filer may still change the figures.
    pub fn editable(self) -> bool {
        matches!(self, Self::Draft | Self::ReturnedByDistrict | Self::ReturnedByCity)
    }

    /// The status after `action` by `actor`, or why not. Returning needs a reason.
    pub fn after(
        self,
        action: ReportAction,
        actor: ReportActor,
        reason: Option<&str>,
    ) -> Result<ReportStatus, FieldError> {
        let has_reason = reason.is_some_and(|r| !r.trim().is_empty());
        let refuse =
            |message: String| Err(FieldError::new("action", "report.transition", message).with_value(action.as_str()));
        match (self, action, actor) {
            (s, ReportAction::Submit, ReportActor::Filer | ReportActor::District) if s.editable() => {
                Ok(Self::Submitted)
            }
            (Self::Submitted, ReportAction::ApproveDistrict, ReportActor::District) => Ok(Self::ApprovedByDistrict),
            (Self::Submitted, ReportAction::ReturnDistrict, ReportActor::District) if has_reason => {
                Ok(Self::ReturnedByDistrict)
            }
            (Self::ApprovedByDistrict, ReportAction::ApproveCity, ReportActor::City) => Ok(Self::ApprovedByCity),
            (Self::ApprovedByDistrict, ReportAction::ReturnCity, ReportActor::City) if has_reason => {
                Ok(Self::ReturnedByCity)
            }
            (_, ReportAction::ReturnDistrict | ReportAction::ReturnCity, _) if !has_reason => {
                Err(FieldError::new("reason", "report.return_needs_reason", "returning a report needs a reason"))
            }
            (status, action, _) => refuse(format!("a report that is {status} cannot be given '{action}' by this role")),
        }
    }
}

/// Raw report figures.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ReportFields {
    pub completed: Option<String>,
    pub equipment: Option<String>,
    pub construction: Option<String>,
    pub employees: Option<String>,
    pub status_note: Option<String>,
    /// The explanation that a warning needs before submission.
    pub warning_note: Option<String>,
}

/// Validated report figures, in CNY minor units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportFigures {
    pub completed_minor: i64,
    pub equipment_minor: i64,
    pub construction_minor: i64,
    pub employees: Option<i64>,
    pub status_note: Option<String>,
    pub warning_note: Option<String>,
}

/// The most one project can report for one month: 100 billion yuan, in fen. Beyond any
/// real project, and small enough that sums over millions of reports stay exact in i64.
pub const MAX_MONTHLY_REPORT_MINOR: i64 = 10_000_000_000_000;

impl ReportFields {
    /// The errors of SPEC §3 that concern the figures alone: amounts that are missing,
    /// negative, or equipment (or construction) above the month's total.
    pub fn validate(&self) -> Result<ReportFigures, FieldErrors> {
        let mut errors = FieldErrors::default();
        let completed = amount(&mut errors, "completed", &self.completed);
        if present(&self.completed).is_none() {
            errors.push(FieldError::new("completed", "required", "the investment completed in the month is required"));
        }
        let equipment = amount(&mut errors, "equipment", &self.equipment).unwrap_or(0);
        let construction = amount(&mut errors, "construction", &self.construction).unwrap_or(0);
        if let Some(total) = completed
            && total > MAX_MONTHLY_REPORT_MINOR
        {
            errors.push(
                FieldError::new(
                    "completed",
                    "report.implausible",
                    "more than 100 billion yuan in one month is not a plausible report",
                )
                .with_param("max", crate::money::format_major_units(MAX_MONTHLY_REPORT_MINOR)),
            );
        }
        if let Some(total) = completed {
            if equipment > total {
                errors.push(
                    FieldError::new(
                        "equipment",
                        "report.equipment_above_total",
                        "equipment cannot exceed the month's investment",
                    )
                    .with_param("total", crate::money::format_major_units(total)),
                );
            }
            if construction > total {
                errors.push(FieldError::new(
                    "construction",
                    "report.construction_above_total",
                    "construction cannot exceed the month's investment",
                ));
            }
            if equipment.saturating_add(construction) > total && equipment <= total && construction <= total {
                errors.push(FieldError::new(
                    "construction",
                    "report.parts_above_total",
                    "equipment and construction together exceed the month's investment",
                ));
            }
        }
        let employees = present(&self.employees).and_then(|raw| {
            errors.take(raw.replace(',', "").parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
                FieldError::new("employees", "count.format", "a whole number of people, 0 or more").with_value(raw)
            }))
        });
        let text = |v: &Option<String>| present(v).map(|t| t.chars().take(2000).collect::<String>());
        match completed {
            Some(completed_minor) if errors.is_empty() => Ok(ReportFigures {
                completed_minor,
                equipment_minor: equipment,
                construction_minor: construction,
                employees,
                status_note: text(&self.status_note),
                warning_note: text(&self.warning_note),
            }),
            _ => Err(errors),
        }
    }
}

/// What the checks that need the project's history found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReportCheck {
    /// Block submission.
    pub errors: Vec<FieldError>,
    /// Need a note before submission.
    pub warnings: Vec<FieldError>,
}

/// The checks of SPEC §3 that need the project: a month in the future or before the
/// project started (errors); cumulative investment above the planned total, and
/// earlier months without a report (warnings).
pub fn check_report_period(
    period: Period,
    today: Date,
    started_on: Option<Date>,
    planned_total_cny_minor: i64,
    cumulative_before_minor: i64,
    this_month_minor: i64,
    months_reported: &[Period],
) -> ReportCheck {
    let mut check = ReportCheck::default();
    if period > Period::of_date(today) {
        check.errors.push(
            FieldError::new("period", "report.future_month", "a report cannot be filed for a month that has not begun")
                .with_value(period.to_string()),
        );
    }
    match started_on.map(Period::of_date) {
        None => check.errors.push(
            FieldError::new("period", "report.not_started", "the project has not started; record its start first")
                .with_value(period.to_string()),
        ),
        Some(start) if period < start => check.errors.push(
            FieldError::new("period", "report.before_start", format!("the project started in {start}"))
                .with_value(period.to_string())
                .with_param("start", start),
        ),
        Some(start) => {
            let missing: Vec<String> = start
                .through(period.previous())
                .filter(|p| !months_reported.contains(p))
                .map(|p| p.to_string())
                .collect();
            if !missing.is_empty() && period > start {
                check.warnings.push(
                    FieldError::new("period", "report.missing_months", format!("no report for {}", missing.join(", ")))
                        .with_param("months", missing.join(", ")),
                );
            }
        }
    }
    let cumulative = cumulative_before_minor.saturating_add(this_month_minor);
    if cumulative > planned_total_cny_minor {
        check.warnings.push(
            FieldError::new("completed", "report.above_planned", "the cumulative investment exceeds the planned total")
                .with_param("cumulative", crate::money::format_major_units(cumulative))
                .with_param("planned", crate::money::format_major_units(planned_total_cny_minor)),
        );
    }
    check
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn an_implausible_month_is_refused() {
        let fields = ReportFields { completed: Some("100000000000.01".into()), ..ReportFields::default() };
        let errors = fields.validate().unwrap_err();
        assert_eq!(errors.0[0].code, "report.implausible");
        let fields = ReportFields { completed: Some("100000000000".into()), ..ReportFields::default() };
        assert!(fields.validate().is_ok(), "100 billion yuan is the most a month may carry");
    }

    #[test]
    fn project_codes() {
        let code = ProjectCode::parse("2019-330482-36-03-00012x").unwrap();
        assert!(code.national);
        assert_eq!(code.region_part(), Some("330482"));
        assert!(ProjectCode::parse("2019-33048-36-03-000123").is_err());
        assert!(ProjectCode::parse("2019-330482-36-03").is_err());
        assert!(!ProjectCode::parse("JX-2023-001").unwrap().national);
        assert!(ProjectCode::parse("x").is_err());
        assert!(ProjectCode::parse("12中3").is_err(), "non-ASCII input is refused, not a panic");
        assert!(ProjectCode::parse("2019-中中-36-03-000123").is_err());
    }

    fn fields() -> ProjectFields {
        ProjectFields {
            code: Some("2019-330482-36-03-000123".into()),
            name_zh: Some("示例整车项目（示例）".into()),
            region_code: Some("330482".into()),
            industry_code: Some("3612".into()),
            planned_total: Some("11000000000".into()),
            planned_fixed_assets: Some("9000000000".into()),
            planned_equipment: Some("5000000000".into()),
            investors: vec![("1".into(), "60".into()), ("2".into(), "40".into())],
            ..ProjectFields::default()
        }
    }

    #[test]
    fn a_valid_project_round_trips() {
        let record = fields().validate().unwrap();
        assert_eq!(record.planned_total_minor, 1_100_000_000_000);
        assert_eq!(record.investors[0].share_bp, 6_000);
        assert_eq!(record.to_fields().validate().unwrap(), record);
    }

    #[test]
    fn project_errors_name_their_fields() {
        let mut f = fields();
        f.region_code = Some("330481".into());
        f.planned_equipment = Some("9500000000".into());
        f.investors = vec![("1".into(), "60".into()), ("2".into(), "30".into())];
        f.industry_code = Some("5111".into());
        let errors = f.validate().unwrap_err();
        let codes: Vec<&str> = errors.0.iter().map(|e| e.code).collect();
        assert!(codes.contains(&"project.code_region"), "{codes:?}");
        assert!(codes.contains(&"project.equipment_above_fixed"), "{codes:?}");
        assert!(codes.contains(&"project.shares_total"), "{codes:?}");
        assert!(codes.contains(&"project.not_manufacturing"), "{codes:?}");
    }

    #[test]
    fn stage_rules() {
        let s = StageState::NEW;
        assert!(s.apply(1, StageKind::Started, None).is_err(), "must sign first");
        let s = s.apply(1, StageKind::Signed, None).unwrap();
        let s = s.apply(1, StageKind::Started, None).unwrap();
        assert!(s.apply(1, StageKind::Filed, None).is_err(), "going back needs a reason");
        let back = s.apply(1, StageKind::Filed, Some("approval withdrawn")).unwrap();
        assert_eq!(back.label(), StageKind::Filed);
        let suspended = s.apply(1, StageKind::Suspended, None).unwrap();
        assert!(suspended.apply(1, StageKind::InProduction, None).is_err());
        let resumed = suspended.apply(1, StageKind::Resumed, None).unwrap();
        assert_eq!(resumed.label(), StageKind::Started);
        let phase2 = resumed.apply(2, StageKind::Signed, None).unwrap();
        assert_eq!(phase2.phase, 2);
        assert!(StageState::NEW.apply(1, StageKind::Signed, None).unwrap().apply(2, StageKind::Signed, None).is_err());
        let cancelled = resumed.apply(1, StageKind::Cancelled, None).unwrap();
        assert!(cancelled.apply(1, StageKind::Resumed, None).is_err());
    }

    #[test]
    fn report_workflow() {
        use ReportAction::*;
        use ReportActor::*;
        let s = ReportStatus::Draft.after(Submit, Filer, None).unwrap();
        assert!(s.after(ApproveCity, City, None).is_err(), "the city reviews after the district");
        assert!(s.after(ReturnDistrict, District, None).is_err(), "a return needs a reason");
        let returned = s.after(ReturnDistrict, District, Some("equipment figure looks wrong")).unwrap();
        assert_eq!(returned, ReportStatus::ReturnedByDistrict);
        let s = returned.after(Submit, Filer, None).unwrap();
        let s = s.after(ApproveDistrict, District, None).unwrap();
        assert!(s.after(ApproveDistrict, District, None).is_err());
        let done = s.after(ApproveCity, City, None).unwrap();
        assert_eq!(done, ReportStatus::ApprovedByCity);
        assert!(done.after(Submit, Filer, None).is_err(), "an approved report is corrected by a new revision");
    }

    #[test]
    fn report_checks() {
        let bad = ReportFields { completed: Some("-1".into()), equipment: Some("5".into()), ..ReportFields::default() };
        let errors = bad.validate().unwrap_err();
        assert_eq!(errors.0[0].field, "completed");
        let over =
            ReportFields { completed: Some("10".into()), equipment: Some("11".into()), ..ReportFields::default() };
        assert_eq!(over.validate().unwrap_err().0[0].code, "report.equipment_above_total");

        let june = Period::new(2023, 6).unwrap();
        let reported = [Period::new(2023, 3).unwrap(), Period::new(2023, 5).unwrap()];
        let check =
            check_report_period(june, date!(2023 - 07 - 05), Some(date!(2023 - 03 - 10)), 1000, 900, 200, &reported);
        assert!(check.errors.is_empty());
        let warnings: Vec<&str> = check.warnings.iter().map(|w| w.code).collect();
        assert_eq!(warnings, ["report.missing_months", "report.above_planned"]);
        assert_eq!(check.warnings[0].params["months"], "2023-04");
        let future = check_report_period(june, date!(2023 - 05 - 31), Some(date!(2023 - 03 - 10)), 1000, 0, 1, &[]);
        assert_eq!(future.errors[0].code, "report.future_month");
        let early = check_report_period(
            Period::new(2023, 2).unwrap(),
            date!(2023 - 07 - 05),
            Some(date!(2023 - 03 - 10)),
            1000,
            0,
            1,
            &[],
        );
        assert_eq!(early.errors[0].code, "report.before_start");
    }
}

/// A stored project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    pub id: i64,
    pub version: i64,
    pub record: ProjectRecord,
    /// The planned total in CNY at the signing-date rate.
    pub planned_total_cny_minor: i64,
    /// The planned total in US dollar cents at the signing-date rate; `None` when no USD
    /// rate was known on or before the signing date.
    pub planned_total_usd_minor: Option<i64>,
    /// The rate used (CNY per unit) and its date; `None` for CNY projects.
    pub conversion: Option<(String, String)>,
    pub signed_on: Date,
    pub state: StageState,
    pub started_on: Option<Date>,
    pub created_at: String,
    pub updated_at: String,
}

/// A stored monthly report revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthlyReport {
    pub id: i64,
    pub project_id: i64,
    pub period: Period,
    pub revision: i64,
    pub status: ReportStatus,
    pub figures: ReportFigures,
    pub revision_reason: Option<String>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// One step of a report's review, for its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportReview {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub from_status: Option<ReportStatus>,
    pub to_status: ReportStatus,
    pub reason: Option<String>,
}

vocabulary!(
    /// Where an imported-equipment tax-free confirmation stands.
    ConfirmationStatus { Draft = "draft", Submitted = "submitted", Approved = "approved", Rejected = "rejected" }
);

/// Working days the authority has to decide on a confirmation (SPEC §3).
pub const CONFIRMATION_DECISION_WORKING_DAYS: u32 = 7;

/// One line of imported equipment, as entered.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EquipmentItemFields {
    pub name: Option<String>,
    pub model: Option<String>,
    /// Customs HS code (6 to 10 digits).
    pub hs_code: Option<String>,
    pub quantity: Option<String>,
    /// Unit price in major units of `currency`.
    pub unit_price: Option<String>,
    pub currency: Option<String>,
}

/// A validated line: total = quantity × unit price, exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EquipmentItem {
    pub name: String,
    pub model: Option<String>,
    pub hs_code: String,
    pub quantity: i64,
    pub unit_price_minor: i64,
    pub currency: CurrencyCode,
    pub total_minor: i64,
}

/// An application as entered.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ConfirmationFields {
    /// The encouraged category claimed, e.g. the catalogue entry.
    pub encouraged_category: Option<String>,
    /// Names of the attached documents.
    pub documents: Vec<String>,
    pub items: Vec<EquipmentItemFields>,
}

/// A validated application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmationRecord {
    pub encouraged_category: String,
    pub documents: Vec<String>,
    pub items: Vec<EquipmentItem>,
}

impl ConfirmationFields {
    pub fn validate(&self) -> Result<ConfirmationRecord, FieldErrors> {
        let mut errors = FieldErrors::default();
        let category = present(&self.encouraged_category).map(ToOwned::to_owned);
        if category.is_none() {
            errors.push(FieldError::new(
                "encouraged_category",
                "required",
                "the encouraged category claimed is required",
            ));
        }
        let documents: Vec<String> =
            self.documents.iter().map(|d| d.trim().to_owned()).filter(|d| !d.is_empty()).collect();
        if self.items.is_empty() {
            errors.push(FieldError::new("items", "confirmation.no_items", "list at least one item of equipment"));
        }
        if self.items.len() > 5000 {
            errors.push(FieldError::new("items", "confirmation.too_many_items", "at most 5000 items"));
        }
        let mut items = Vec::new();
        for (index, item) in self.items.iter().enumerate() {
            let field = |name: &str| format!("items[{index}].{name}");
            let name = present(&item.name).map(ToOwned::to_owned);
            if name.is_none() {
                errors.push(FieldError::new(field("name"), "required", "the item's name is required"));
            }
            let hs_code = match present(&item.hs_code) {
                None => {
                    errors.push(FieldError::new(field("hs_code"), "required", "the HS code is required"));
                    None
                }
                Some(raw) => {
                    let digits: String = raw.chars().filter(|c| *c != '.' && *c != ' ').collect();
                    if (6..=10).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
                        Some(digits)
                    } else {
                        errors.push(
                            FieldError::new(field("hs_code"), "confirmation.hs_code", "an HS code has 6 to 10 digits")
                                .with_value(raw),
                        );
                        None
                    }
                }
            };
            let quantity = match present(&item.quantity) {
                None => {
                    errors.push(FieldError::new(field("quantity"), "required", "the quantity is required"));
                    None
                }
                Some(raw) => errors.take(
                    raw.replace(',', "").parse::<i64>().ok().filter(|q| (1..=1_000_000_000).contains(q)).ok_or_else(
                        || {
                            FieldError::new(field("quantity"), "confirmation.quantity", "a whole number above zero")
                                .with_value(raw)
                        },
                    ),
                ),
            };
            let unit_price = match present(&item.unit_price) {
                None => {
                    errors.push(FieldError::new(field("unit_price"), "required", "the unit price is required"));
                    None
                }
                Some(raw) => errors.take(
                    parse_major_units(raw)
                        .map_err(|m| FieldError::new(field("unit_price"), "amount.format", m).with_value(raw))
                        .and_then(|v| {
                            if v < 0 {
                                Err(FieldError::new(field("unit_price"), "amount.negative", "cannot be negative")
                                    .with_value(raw))
                            } else {
                                Ok(v)
                            }
                        }),
                ),
            };
            let currency = match present(&item.currency) {
                None => Some(CurrencyCode::base()),
                Some(raw) => errors.take(
                    CurrencyCode::parse(raw)
                        .map_err(|m| FieldError::new(field("currency"), "currency.format", m).with_value(raw)),
                ),
            };
            if let (Some(name), Some(hs_code), Some(quantity), Some(unit_price_minor), Some(currency)) =
                (name, hs_code, quantity, unit_price, currency)
            {
                match quantity.checked_mul(unit_price_minor) {
                    Some(total_minor) => items.push(EquipmentItem {
                        name,
                        model: present(&item.model).map(ToOwned::to_owned),
                        hs_code,
                        quantity,
                        unit_price_minor,
                        currency,
                        total_minor,
                    }),
                    None => errors.push(FieldError::new(
                        field("unit_price"),
                        "amount.format",
                        "the line total is too large",
                    )),
                }
            }
        }
        match category {
            Some(encouraged_category) if errors.is_empty() => {
                Ok(ConfirmationRecord { encouraged_category, documents, items })
            }
            _ => Err(errors),
        }
    }
}

/// A stored application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    pub id: i64,
    pub project_id: i64,
    pub status: ConfirmationStatus,
    pub record: ConfirmationRecord,
    pub submitted_on: Option<Date>,
    /// The decision is due by this date (working days after submission).
    pub due_on: Option<Date>,
    pub decided_on: Option<Date>,
    pub confirmation_number: Option<String>,
    pub rejection_reasons: Option<String>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}
