//! The reference data Bridgehead ships (SPEC §1): GB/T 2260 regions and region groups,
//! GB/T 4754-2017 sections, divisions, groups and classes, enterprise tags and
//! currencies. Loaded into an empty database on first start; `import` of fuller lists
//! goes through the same loaders.

use bridgehead_domain::codes::{INDUSTRY_EDITION, IndustryCode, IndustryLevel, RegionCode};
use bridgehead_domain::reference::{Currency, Industry, Region, RegionGroup, RegionLevel, Tag};
use bridgehead_store::Conn;
use bridgehead_store::reference as store;
use serde_json::json;

use crate::{Actor, App, AppError, AppResult};

pub const REGIONS_CSV: &str = include_str!("../data/regions.csv");
pub const REGION_GROUPS_CSV: &str = include_str!("../data/region_groups.csv");
pub const INDUSTRY_DIVISIONS_CSV: &str = include_str!("../data/industry_divisions.csv");
pub const INDUSTRY_CLASSES_CSV: &str = include_str!("../data/industry_classes.csv");

const TAGS: &[(&str, &str, &str)] = &[
    ("specialised_sme", "专精特新中小企业", "Specialised and sophisticated SME"),
    ("little_giant", "专精特新“小巨人”企业", "\"Little giant\" enterprise"),
    ("high_tech", "高新技术企业", "High-tech enterprise"),
    ("fortune_global_500", "世界500强（关联）企业", "Fortune Global 500 (affiliate)"),
    ("foreign_invested", "外商投资企业", "Foreign-invested enterprise"),
    ("listed", "上市企业", "Listed company"),
];

const CURRENCIES: &[(&str, &str, &str)] = &[
    ("CNY", "人民币", "Chinese yuan"),
    ("USD", "美元", "US dollar"),
    ("EUR", "欧元", "Euro"),
    ("JPY", "日元", "Japanese yen"),
    ("HKD", "港元", "Hong Kong dollar"),
    ("GBP", "英镑", "Pound sterling"),
    ("KRW", "韩元", "South Korean won"),
    ("SGD", "新加坡元", "Singapore dollar"),
    ("TWD", "新台币", "New Taiwan dollar"),
    ("CHF", "瑞士法郎", "Swiss franc"),
];

/// A CSV problem in a reference list, with its line.
fn bad_line(file: &str, line: usize, message: impl std::fmt::Display) -> AppError {
    AppError::ImportFile { code: "reference.invalid", message: format!("{file}, line {line}: {message}") }
}

fn read_csv(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().flexible(true).from_reader(text.trim_start_matches('\u{feff}').as_bytes())
}

fn optional(value: Option<&str>) -> Option<String> {
    value.map(str::trim).filter(|v| !v.is_empty()).map(ToOwned::to_owned)
}

/// Parses a regions list: `code,name_zh,name_en,level,parent`.
pub fn parse_regions(text: &str) -> AppResult<Vec<Region>> {
    let mut regions = Vec::new();
    for (index, record) in read_csv(text).records().enumerate() {
        let line = index + 2;
        let record = record.map_err(|e| bad_line("regions", line, e))?;
        let code = RegionCode::parse(record.get(0).unwrap_or("")).map_err(|e| bad_line("regions", line, e))?;
        let level_text = record.get(3).unwrap_or("").trim();
        let level = RegionLevel::parse(level_text).ok_or_else(|| {
            bad_line("regions", line, format!("level '{level_text}' is not one of {}", RegionLevel::expected()))
        })?;
        let name_zh = optional(record.get(1)).ok_or_else(|| bad_line("regions", line, "name_zh is empty"))?;
        let parent_code = optional(record.get(4))
            .map(|p| RegionCode::parse(&p).map(|c| c.to_string()).map_err(|e| bad_line("regions", line, e)))
            .transpose()?;
        regions.push(Region { code: code.to_string(), name_zh, name_en: optional(record.get(2)), level, parent_code });
    }
    Ok(regions)
}

/// Parses region groups: `group,name_en,name_zh,member` (names on the group's first line).
pub fn parse_region_groups(text: &str) -> AppResult<Vec<RegionGroup>> {
    let mut groups: Vec<RegionGroup> = Vec::new();
    for (index, record) in read_csv(text).records().enumerate() {
        let line = index + 2;
        let record = record.map_err(|e| bad_line("region groups", line, e))?;
        let code = optional(record.get(0)).ok_or_else(|| bad_line("region groups", line, "group is empty"))?;
        let member = RegionCode::parse(record.get(3).unwrap_or("")).map_err(|e| bad_line("region groups", line, e))?;
        if groups.last().is_none_or(|g| g.code != code) {
            groups.push(RegionGroup {
                name_zh: optional(record.get(2)).unwrap_or_else(|| code.clone()),
                name_en: optional(record.get(1)),
                code,
                members: Vec::new(),
            });
        }
        if let Some(group) = groups.last_mut() {
            group.members.push(member.to_string());
        }
    }
    Ok(groups)
}

/// Parses an industry list: `code,level,parent,name_zh[,name_en]`.
pub fn parse_industries(text: &str) -> AppResult<Vec<Industry>> {
    let mut industries = Vec::new();
    for (index, record) in read_csv(text).records().enumerate() {
        let line = index + 2;
        let record = record.map_err(|e| bad_line("industries", line, e))?;
        let code = IndustryCode::parse(record.get(0).unwrap_or("")).map_err(|e| bad_line("industries", line, e))?;
        let level_text = record.get(1).unwrap_or("").trim();
        let level = IndustryLevel::parse(level_text)
            .ok_or_else(|| bad_line("industries", line, format!("unknown level '{level_text}'")))?;
        if level != code.level() {
            return Err(bad_line(
                "industries",
                line,
                format!("code {code} is a {}, not a {level_text}", code.level().as_str()),
            ));
        }
        let parent_code = optional(record.get(2));
        let name_zh = optional(record.get(3)).ok_or_else(|| bad_line("industries", line, "name_zh is empty"))?;
        industries.push(Industry {
            edition: INDUSTRY_EDITION.to_owned(),
            code: code.to_string(),
            level,
            parent_code,
            name_zh,
            name_en: optional(record.get(4)),
        });
    }
    Ok(industries)
}

/// What a load changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LoadCounts {
    pub regions: usize,
    pub region_groups: usize,
    pub industries: usize,
    pub tags: usize,
    pub currencies: usize,
}

async fn load_regions(conn: &mut Conn, regions: &[Region]) -> AppResult<()> {
    // Parents first, so that every parent reference already exists.
    let mut ordered: Vec<&Region> = regions.iter().collect();
    ordered.sort_by_key(|r| match r.level {
        RegionLevel::Province => 0,
        RegionLevel::City => 1,
        RegionLevel::County => 2,
    });
    for region in ordered {
        store::upsert_region(conn, region).await?;
    }
    store::rebuild_region_ancestors(conn).await?;
    Ok(())
}

async fn load_industries(conn: &mut Conn, industries: &[Industry]) -> AppResult<()> {
    for industry in industries {
        store::upsert_industry(conn, industry).await?;
    }
    Ok(())
}

impl App {
    /// Loads the shipped reference data if the database has none yet.
    pub async fn ensure_reference_data(&self) -> AppResult<Option<LoadCounts>> {
        self.ensure_calendar().await?;
        let mut tx = self.store.begin().await?;
        if !store::list_currencies(&mut tx).await?.is_empty() {
            return Ok(None);
        }
        let regions = parse_regions(REGIONS_CSV)?;
        let groups = parse_region_groups(REGION_GROUPS_CSV)?;
        // The divisions file carries English names; the classes file has all four
        // levels in Chinese. Loading classes first and divisions second keeps both.
        let mut industries = parse_industries(INDUSTRY_CLASSES_CSV)?;
        industries.extend(parse_industries(INDUSTRY_DIVISIONS_CSV)?);
        load_regions(&mut tx, &regions).await?;
        for group in &groups {
            store::upsert_region_group(&mut tx, group).await?;
        }
        load_industries(&mut tx, &industries).await?;
        for (code, name_zh, name_en) in TAGS {
            store::upsert_tag(
                &mut tx,
                &Tag { code: (*code).into(), name_zh: (*name_zh).into(), name_en: (*name_en).into() },
            )
            .await?;
        }
        for (code, name_zh, name_en) in CURRENCIES {
            store::upsert_currency(
                &mut tx,
                &Currency { code: (*code).into(), name_zh: (*name_zh).into(), name_en: (*name_en).into() },
            )
            .await?;
        }
        let counts = LoadCounts {
            regions: regions.len(),
            region_groups: groups.len(),
            industries: industries.iter().map(|i| &i.code).collect::<std::collections::HashSet<_>>().len(),
            tags: TAGS.len(),
            currencies: CURRENCIES.len(),
        };
        crate::auth::audit(
            &mut tx,
            &Actor::system("system"),
            "load",
            "reference_data",
            "shipped",
            None,
            Some(json!(counts)),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(counts))
    }

    /// Imports a fuller regions list (same columns as the shipped one).
    pub async fn import_regions_csv(&self, actor: &Actor, text: &str) -> AppResult<usize> {
        actor.require(&[bridgehead_domain::access::Role::Administrator], "change reference data")?;
        actor.require_write()?;
        let regions = parse_regions(text)?;
        let mut tx = self.store.begin().await?;
        load_regions(&mut tx, &regions).await?;
        // The statistics engines hold the region tree with its names.
        bridgehead_store::statistics::request_rebuild(&mut tx).await?;
        crate::auth::audit(&mut tx, actor, "import", "regions", "csv", None, Some(json!({ "rows": regions.len() })))
            .await?;
        tx.commit().await?;
        Ok(regions.len())
    }

    /// Imports a fuller industry list (`code,level,parent,name_zh[,name_en]`).
    pub async fn import_industries_csv(&self, actor: &Actor, text: &str) -> AppResult<usize> {
        actor.require(&[bridgehead_domain::access::Role::Administrator], "change reference data")?;
        actor.require_write()?;
        let industries = parse_industries(text)?;
        let mut tx = self.store.begin().await?;
        load_industries(&mut tx, &industries).await?;
        crate::auth::audit(
            &mut tx,
            actor,
            "import",
            "industries",
            "csv",
            None,
            Some(json!({ "rows": industries.len() })),
        )
        .await?;
        tx.commit().await?;
        Ok(industries.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_lists_parse() {
        let regions = parse_regions(REGIONS_CSV).unwrap();
        assert!(regions.iter().any(|r| r.code == "330400" && r.name_zh == "嘉兴市"));
        // Jiaxing's seven county-level units.
        assert_eq!(regions.iter().filter(|r| r.parent_code.as_deref() == Some("330400")).count(), 7);
        let groups = parse_region_groups(REGION_GROUPS_CSV).unwrap();
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].members.len(), 26);
        let classes = parse_industries(INDUSTRY_CLASSES_CSV).unwrap();
        assert_eq!(classes.iter().filter(|i| i.level == IndustryLevel::Section).count(), 20);
        assert_eq!(classes.iter().filter(|i| i.level == IndustryLevel::Division).count(), 97);
        let divisions = parse_industries(INDUSTRY_DIVISIONS_CSV).unwrap();
        assert!(divisions.iter().any(|d| d.code == "C" && d.name_en.as_deref() == Some("Manufacturing")));
    }

    #[test]
    fn bad_lines_are_named() {
        let error =
            parse_regions("code,name_zh,name_en,level,parent\n330400,嘉兴市,Jiaxing,town,330000\n").unwrap_err();
        assert!(error.to_string().contains("line 2"), "{error}");
    }
}
