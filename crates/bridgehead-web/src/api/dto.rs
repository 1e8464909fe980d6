//! The shapes the API speaks. Money travels as decimal strings in major units
//! ("1234.56"), never as floats; dates as `YYYY-MM-DD`.

use bridgehead_domain::access::{Role, Scope, User};
use bridgehead_domain::enterprise::{Enterprise, EnterpriseFields, YearlyFigures, YearlyFiguresFields, format_date};
use bridgehead_domain::enterprise::{EnterpriseSize, Ownership};
use bridgehead_domain::money::format_major_units;
use bridgehead_domain::reference as r;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};

/// An enterprise of the registry.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnterpriseOut {
    pub id: i64,
    /// Changes on every update; send it back as `If-Match: "v{version}"`.
    pub version: i64,
    pub credit_code: String,
    /// Set when the credit code fails its check and an authorised user accepted it.
    pub credit_code_override_reason: Option<String>,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub region_code: String,
    pub address: Option<String>,
    pub industry_code: Option<String>,
    /// The edition of `industry_code`.
    pub industry_edition: Option<String>,
    /// Decimal string in major units.
    pub registered_capital: Option<String>,
    pub registered_capital_currency: String,
    pub established_on: Option<String>,
    pub ownership: Option<String>,
    pub size: Option<String>,
    pub listed: bool,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    pub tags: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Enterprise> for EnterpriseOut {
    fn from(e: &Enterprise) -> Self {
        let r = &e.record;
        Self {
            id: e.id,
            version: e.version,
            credit_code: r.credit_code.to_string(),
            credit_code_override_reason: r.credit_code_override_reason.clone(),
            name_zh: r.name_zh.clone(),
            name_en: r.name_en.clone(),
            region_code: r.region_code.to_string(),
            address: r.address.clone(),
            industry_code: r.industry_code.as_ref().map(ToString::to_string),
            industry_edition: r.industry_code.as_ref().map(|_| bridgehead_domain::codes::INDUSTRY_EDITION.to_owned()),
            registered_capital: r.registered_capital_minor.map(format_major_units),
            registered_capital_currency: r.registered_capital_currency.to_string(),
            established_on: r.established_on.map(format_date),
            ownership: r.ownership.map(|o| o.as_str().to_owned()),
            size: r.size.map(|s| s.as_str().to_owned()),
            listed: r.listed,
            contact_name: r.contact_name.clone(),
            contact_phone: r.contact_phone.clone(),
            contact_email: r.contact_email.clone(),
            tags: r.tags.clone(),
            created_at: e.created_at.clone(),
            updated_at: e.updated_at.clone(),
        }
    }
}

/// A string schema listing the accepted values of a vocabulary, taken from the domain
/// so that the document cannot drift from what the server accepts.
pub fn vocabulary(values: impl IntoIterator<Item = &'static str>, description: &str) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values.into_iter().collect::<Vec<_>>()))
        .description(Some(description))
        .build()
}

pub fn ownership_schema() -> Object {
    vocabulary(Ownership::ALL.iter().map(|o| o.as_str()), "Ownership of the enterprise.")
}

pub fn size_schema() -> Object {
    vocabulary(EnterpriseSize::ALL.iter().map(|s| s.as_str()), "Size class of the enterprise.")
}

pub fn park_level_schema() -> Object {
    vocabulary(r::ParkLevel::ALL.iter().map(|l| l.as_str()), "Level of the zone or park; other when absent.")
}

pub fn role_schema() -> Object {
    vocabulary(Role::ALL.iter().map(|r| r.as_str()), "The user's role.")
}

pub fn token_scope_schema() -> Object {
    vocabulary(["read", "read_write"], "What the token may do; read when absent.")
}

/// An enterprise as created or replaced. Every problem is reported at once.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnterpriseIn {
    #[schema(value_type = String, required = true)]
    pub credit_code: Option<String>,
    /// Only when the credit code fails its check character and you are entitled to
    /// accept it (administrators, city analysts, district officers).
    pub credit_code_override_reason: Option<String>,
    #[schema(value_type = String, required = true)]
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    /// Six-digit region code.
    #[schema(value_type = String, required = true)]
    pub region_code: Option<String>,
    pub address: Option<String>,
    /// GB/T 4754-2017 code.
    pub industry_code: Option<String>,
    /// Decimal string in major units, e.g. "5000000.00".
    pub registered_capital: Option<String>,
    /// ISO 4217; defaults to CNY.
    pub registered_capital_currency: Option<String>,
    /// YYYY-MM-DD.
    pub established_on: Option<String>,
    #[schema(schema_with = ownership_schema)]
    pub ownership: Option<String>,
    #[schema(schema_with = size_schema)]
    pub size: Option<String>,
    pub listed: Option<bool>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    /// Tag codes.
    pub tags: Option<Vec<String>>,
}

impl From<EnterpriseIn> for EnterpriseFields {
    fn from(input: EnterpriseIn) -> Self {
        Self {
            credit_code: input.credit_code,
            name_zh: input.name_zh,
            name_en: input.name_en,
            region_code: input.region_code,
            address: input.address,
            industry_code: input.industry_code,
            registered_capital: input.registered_capital,
            registered_capital_currency: input.registered_capital_currency,
            established_on: input.established_on,
            ownership: input.ownership,
            size: input.size,
            listed: input.listed.map(|l| l.to_string()),
            contact_name: input.contact_name,
            contact_phone: input.contact_phone,
            contact_email: input.contact_email,
            tags: input.tags.map(|t| t.join(",")),
            credit_code_override_reason: input.credit_code_override_reason,
        }
    }
}

/// One year's figures; amounts as decimal strings in major units (CNY).
#[derive(Debug, Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct FiguresIn {
    pub revenue: Option<String>,
    pub tax: Option<String>,
    pub employees: Option<i64>,
    pub rnd_spending: Option<String>,
}

impl From<FiguresIn> for YearlyFiguresFields {
    fn from(input: FiguresIn) -> Self {
        Self {
            revenue: input.revenue,
            tax: input.tax,
            employees: input.employees.map(|e| e.to_string()),
            rnd_spending: input.rnd_spending,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FiguresOut {
    pub year: i32,
    pub revenue: Option<String>,
    pub tax: Option<String>,
    pub employees: Option<i64>,
    pub rnd_spending: Option<String>,
}

impl From<&YearlyFigures> for FiguresOut {
    fn from(f: &YearlyFigures) -> Self {
        Self {
            year: f.year,
            revenue: f.revenue_minor.map(format_major_units),
            tax: f.tax_minor.map(format_major_units),
            employees: f.employees,
            rnd_spending: f.rnd_spending_minor.map(format_major_units),
        }
    }
}

/// An enterprise with its yearly figures and warnings.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnterpriseDetailOut {
    #[serde(flatten)]
    pub enterprise: EnterpriseOut,
    pub figures: Vec<FiguresOut>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserOut {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[schema(value_type = String, example = "district_officer")]
    pub role: Role,
    pub region_code: Option<String>,
    pub enterprise_id: Option<i64>,
    pub organization_id: Option<i64>,
    pub disabled: bool,
    pub created_at: String,
}

impl From<&User> for UserOut {
    fn from(u: &User) -> Self {
        let (region_code, enterprise_id, organization_id) = match &u.scope {
            Scope::Installation => (None, None, None),
            Scope::Region { region_code } => (Some(region_code.clone()), None, None),
            Scope::Enterprise { enterprise_id } => (None, Some(*enterprise_id), None),
            Scope::Organization { organization_id } => (None, None, Some(*organization_id)),
        };
        Self {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: u.role,
            region_code,
            enterprise_id,
            organization_id,
            disabled: u.disabled,
            created_at: u.created_at.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegionOut {
    pub code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    /// province, city or county.
    pub level: String,
    pub parent_code: Option<String>,
}

impl From<&r::Region> for RegionOut {
    fn from(x: &r::Region) -> Self {
        Self {
            code: x.code.clone(),
            name_zh: x.name_zh.clone(),
            name_en: x.name_en.clone(),
            level: x.level.as_str().to_owned(),
            parent_code: x.parent_code.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegionDetailOut {
    #[serde(flatten)]
    pub region: RegionOut,
    /// Ancestors, nearest first.
    pub ancestors: Vec<RegionOut>,
    pub children: Vec<RegionOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegionGroupOut {
    pub code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub members: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IndustryOut {
    pub edition: String,
    pub code: String,
    /// section, division, group or class.
    pub level: String,
    pub parent_code: Option<String>,
    pub name_zh: String,
    pub name_en: Option<String>,
}

impl From<&r::Industry> for IndustryOut {
    fn from(x: &r::Industry) -> Self {
        Self {
            edition: x.edition.clone(),
            code: x.code.clone(),
            level: x.level.as_str().to_owned(),
            parent_code: x.parent_code.clone(),
            name_zh: x.name_zh.clone(),
            name_en: x.name_en.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IndustryDetailOut {
    #[serde(flatten)]
    pub industry: IndustryOut,
    pub children: Vec<IndustryOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ParkOut {
    pub id: i64,
    pub version: i64,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub region_code: String,
    /// national, provincial or other.
    pub level: String,
}

impl From<&r::Park> for ParkOut {
    fn from(x: &r::Park) -> Self {
        Self {
            id: x.id,
            version: x.version,
            name_zh: x.name_zh.clone(),
            name_en: x.name_en.clone(),
            region_code: x.region_code.clone(),
            level: x.level.as_str().to_owned(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParkIn {
    #[schema(value_type = String, required = true)]
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    #[schema(value_type = String, required = true)]
    pub region_code: Option<String>,
    /// Defaults to other.
    #[schema(schema_with = park_level_schema)]
    pub level: Option<String>,
}

impl From<ParkIn> for bridgehead_app::reference::ParkInput {
    fn from(x: ParkIn) -> Self {
        Self { name_zh: x.name_zh, name_en: x.name_en, region_code: x.region_code, level: x.level }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClusterOut {
    pub id: i64,
    pub code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub industry_prefixes: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClusterTaxonomyOut {
    pub id: i64,
    pub code: String,
    pub version: i64,
    pub region_code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub clusters: Vec<ClusterOut>,
}

impl From<&r::ClusterTaxonomy> for ClusterTaxonomyOut {
    fn from(x: &r::ClusterTaxonomy) -> Self {
        Self {
            id: x.id,
            code: x.code.clone(),
            version: x.version,
            region_code: x.region_code.clone(),
            name_zh: x.name_zh.clone(),
            name_en: x.name_en.clone(),
            valid_from: x.valid_from.clone(),
            valid_to: x.valid_to.clone(),
            clusters: x
                .clusters
                .iter()
                .map(|c| ClusterOut {
                    id: c.id,
                    code: c.code.clone(),
                    name_zh: c.name_zh.clone(),
                    name_en: c.name_en.clone(),
                    industry_prefixes: c.industry_prefixes.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClusterIn {
    pub code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    #[serde(default)]
    pub industry_prefixes: Vec<String>,
}

/// A new version of a cluster system; earlier versions stay unchanged.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClusterTaxonomyIn {
    pub code: String,
    pub region_code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub clusters: Vec<ClusterIn>,
}

impl From<ClusterTaxonomyIn> for bridgehead_app::reference::ClusterTaxonomyInput {
    fn from(x: ClusterTaxonomyIn) -> Self {
        Self {
            code: x.code,
            region_code: x.region_code,
            name_zh: x.name_zh,
            name_en: x.name_en,
            valid_from: x.valid_from,
            valid_to: x.valid_to,
            clusters: x
                .clusters
                .into_iter()
                .map(|c| bridgehead_app::reference::ClusterInput {
                    code: c.code,
                    name_zh: c.name_zh,
                    name_en: c.name_en,
                    industry_prefixes: c.industry_prefixes,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TagOut {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagIn {
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CurrencyOut {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExchangeRateOut {
    pub currency_code: String,
    pub rate_date: String,
    /// CNY for one unit of the currency, exact decimal string.
    pub rate: String,
    pub source: Option<String>,
}

impl From<&r::ExchangeRate> for ExchangeRateOut {
    fn from(x: &r::ExchangeRate) -> Self {
        Self {
            currency_code: x.currency_code.clone(),
            rate_date: x.rate_date.clone(),
            rate: x.rate.clone(),
            source: x.source.clone(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExchangeRateIn {
    #[schema(value_type = String, required = true)]
    pub currency_code: Option<String>,
    /// YYYY-MM-DD.
    #[schema(value_type = String, required = true)]
    pub rate_date: Option<String>,
    /// CNY for one unit of the currency, as a decimal string.
    #[schema(value_type = String, required = true)]
    pub rate: Option<String>,
    pub source: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationOut {
    pub id: i64,
    pub kind: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub region_code: String,
}

impl From<&r::Organization> for OrganizationOut {
    fn from(x: &r::Organization) -> Self {
        Self {
            id: x.id,
            kind: x.kind.as_str().to_owned(),
            name_zh: x.name_zh.clone(),
            name_en: x.name_en.clone(),
            region_code: x.region_code.clone(),
        }
    }
}
