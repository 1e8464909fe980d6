//! Reference data vocabularies (SPEC §1): region levels, park levels, organisation kinds.

use serde::{Deserialize, Serialize};

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(input: &str) -> Option<Self> {
                let input = input.trim();
                Self::ALL.iter().copied().find(|v| v.as_str() == input)
            }

            /// The accepted values, for error messages.
            pub fn expected() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use vocabulary;

vocabulary!(
    /// Levels of the administrative tree.
    RegionLevel { Province = "province", City = "city", County = "county" }
);

vocabulary!(
    /// Levels of development zones and parks.
    ParkLevel { National = "national", Provincial = "provincial", Other = "other" }
);

vocabulary!(
    /// Kinds of organisations that users other than enterprises act for.
    OrganizationKind {
        Bank = "bank",
        Fund = "fund",
        Guarantor = "guarantor",
        Leasing = "leasing",
        FundManager = "fund_manager",
        ServiceProvider = "service_provider",
        ClearingParticipant = "clearing_participant",
    }
);

/// An administrative division.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub level: RegionLevel,
    pub parent_code: Option<String>,
}

/// A named set of regions from several provinces (e.g. the 26 Yangtze River Delta cities).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionGroup {
    pub code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub members: Vec<String>,
}

/// A GB/T 4754 entry of one edition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Industry {
    pub edition: String,
    pub code: String,
    pub level: crate::codes::IndustryLevel,
    pub parent_code: Option<String>,
    pub name_zh: String,
    pub name_en: Option<String>,
}

/// A development zone or park.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Park {
    pub id: i64,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub region_code: String,
    pub level: ParkLevel,
    pub version: i64,
}

/// One version of a jurisdiction's cluster system (e.g. Jiaxing "415X", 2023).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterTaxonomy {
    pub id: i64,
    pub code: String,
    pub version: i64,
    pub region_code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub clusters: Vec<Cluster>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cluster {
    pub id: i64,
    pub code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    /// Industry code prefixes the cluster covers.
    pub industry_prefixes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Currency {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

/// CNY for one unit of a currency on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeRate {
    pub currency_code: String,
    pub rate_date: String,
    /// Exact decimal text.
    pub rate: String,
    pub source: Option<String>,
}

/// A bank, fund, guarantor, service provider or clearing participant that users act for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    pub id: i64,
    pub kind: OrganizationKind,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub region_code: String,
}
