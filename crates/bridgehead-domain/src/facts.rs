//! The statistics engine's index (SPEC §4, §11): the counted facts — city-approved
//! monthly reports — and the attributes of their projects, held in memory in columns so
//! that a dashboard table over millions of report rows takes a millisecond or so.
//!
//! Layout. Projects live in slots (one column per attribute). For every month, a column
//! holds, per project with a counted report in that year up to that month, the
//! *cumulative* value January..month of that year (investment completed and equipment).
//! "January..N of year Y" is then one read per project of month N's column, not N reads;
//! a month's own value is the difference of two cumulative values. A project gets an
//! entry for every month from its first counted report of a year to December.
//!
//! The index is a cache: the database stays the record, and the SQL computation in the
//! store is the reference the engine is tested against. Changing a project replaces all
//! of its entries ([`FactIndex::replace`]).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use time::Date;

use crate::period::Period;
use crate::project::{CapitalSource, ProjectType};

/// What is summed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Investment completed.
    Completed,
    /// Of which equipment.
    Equipment,
}

impl Measure {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Completed => "completed",
            Self::Equipment => "equipment",
        }
    }
}

/// A size tier: a project reaches it when its planned total in CNY (at the signing-date
/// rate) reaches `min_cny_minor`, or its USD equivalent at the signing-date rate reaches
/// `min_usd_minor` (when the tier has a USD threshold and a USD rate was known).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SizeTier {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub min_cny_minor: i64,
    pub min_usd_minor: Option<i64>,
}

impl SizeTier {
    pub fn reached(&self, cny_minor: i64, usd_minor: Option<i64>) -> bool {
        cny_minor >= self.min_cny_minor
            || matches!((self.min_usd_minor, usd_minor), (Some(min), Some(usd)) if usd >= min)
    }
}

/// A project's band among tiers ordered from the lowest threshold up: 1 + the position
/// of the highest tier it reaches, 0 below them all. Bands do not nest (a project counts
/// in one band); "tier k and above" is every band ≥ k, which nests.
pub fn band(tiers: &[SizeTier], cny_minor: i64, usd_minor: Option<i64>) -> u8 {
    tiers.iter().rposition(|t| t.reached(cny_minor, usd_minor)).map_or(0, |i| u8::try_from(i + 1).unwrap_or(u8::MAX))
}

/// A region of the tree the index rolls figures up, with its names (for the tables).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionNode {
    pub code: String,
    pub parent: Option<String>,
    pub name_zh: String,
    pub name_en: Option<String>,
}

/// What the index keeps of a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFacts {
    pub id: i64,
    pub region_code: String,
    pub industry_code: Option<String>,
    pub park_id: Option<i64>,
    pub project_type: ProjectType,
    pub capital_source: CapitalSource,
    pub cluster_ids: Vec<i64>,
    pub planned_total_cny_minor: i64,
    pub planned_total_usd_minor: Option<i64>,
    pub fortune_global_500: bool,
    pub signed_on: Date,
    /// The first "started" event.
    pub started_on: Option<Date>,
    /// The first "in production" event.
    pub production_on: Option<Date>,
}

/// A counted report's figures for one month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthFigures {
    pub period_index: i64,
    pub completed_minor: i64,
    pub equipment_minor: i64,
}

/// Which projects count.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    /// GB/T 4754 digits the project's industry class starts with.
    pub industry_prefix: Option<String>,
    /// Band ≥ this (see [`band`]); 0 = every project.
    pub min_band: u8,
    /// Band ≤ this.
    pub max_band: Option<u8>,
    pub cluster_id: Option<i64>,
    pub park_id: Option<i64>,
    pub project_type: Option<ProjectType>,
    pub capital_source: Option<CapitalSource>,
    pub fortune_global_500: Option<bool>,
}

/// What the lines of a table are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Breakdown {
    /// Every child of the region (zero when nothing counts), by code.
    ChildRegions,
    /// The industry division (first two digits of the class).
    IndustryDivision,
    /// A project in several clusters counts in each, so these lines may add up to more
    /// than the total.
    Cluster,
    Park,
    ProjectType,
    CapitalSource,
    /// The project's band's tier code.
    Tier,
}

impl Breakdown {
    pub const ALL: &'static [Breakdown] = &[
        Self::ChildRegions,
        Self::IndustryDivision,
        Self::Cluster,
        Self::Park,
        Self::ProjectType,
        Self::CapitalSource,
        Self::Tier,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ChildRegions => "region",
            Self::IndustryDivision => "industry",
            Self::Cluster => "cluster",
            Self::Park => "park",
            Self::ProjectType => "project_type",
            Self::CapitalSource => "capital_source",
            Self::Tier => "tier",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|b| b.as_str() == input.trim())
    }
}

/// A line's key and its two sums (January..N of the year and of the year before).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyedSums {
    /// The child region's code, or the dimension's value ("" for projects without one).
    pub key: String,
    pub current_minor: i64,
    pub previous_minor: i64,
}

/// A table's sums: the region's total (every project under it that passes the filter)
/// and its lines. Lines other than child regions are those with a non-zero sum, by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sums {
    pub total: KeyedSums,
    pub lines: Vec<KeyedSums>,
}

/// Which date a count looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountedEvent {
    Signed,
    Started,
    InProduction,
}

impl CountedEvent {
    pub const ALL: &'static [CountedEvent] = &[Self::Signed, Self::Started, Self::InProduction];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Signed => "signed",
            Self::Started => "started",
            Self::InProduction => "in_production",
        }
    }
}

/// A count's line: how many projects and their planned total (CNY, signing-date rate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyedCount {
    pub key: String,
    pub projects: u64,
    pub planned_total_cny_minor: i64,
}

/// Counts of projects whose event date falls in a window, by line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub total: KeyedCount,
    pub lines: Vec<KeyedCount>,
}

/// One month's cumulative values, slot by slot (structure of arrays).
#[derive(Debug, Clone, Default)]
struct MonthColumn {
    slot: Vec<u32>,
    completed: Vec<i64>,
    equipment: Vec<i64>,
}

impl MonthColumn {
    fn push(&mut self, slot: u32, completed: i64, equipment: i64) {
        self.slot.push(slot);
        self.completed.push(completed);
        self.equipment.push(equipment);
    }

    fn remove(&mut self, removing: &[bool]) {
        let mut kept = 0;
        for i in 0..self.slot.len() {
            if !removing[self.slot[i] as usize] {
                self.slot[kept] = self.slot[i];
                self.completed[kept] = self.completed[i];
                self.equipment[kept] = self.equipment[i];
                kept += 1;
            }
        }
        self.slot.truncate(kept);
        self.completed.truncate(kept);
        self.equipment.truncate(kept);
    }

    fn values(&self, measure: Measure) -> &[i64] {
        match measure {
            Measure::Completed => &self.completed,
            Measure::Equipment => &self.equipment,
        }
    }
}

const NO_INDUSTRY: u32 = u32::MAX;

/// Where a region falls in a table of a parent region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Outside,
    /// The parent itself (counts in the total, in no line).
    Parent,
    Line(u32),
}

/// The in-memory index. See the module documentation.
#[derive(Debug, Clone, Default)]
pub struct FactIndex {
    // The region tree.
    region_codes: Vec<String>,
    region_names: Vec<(String, Option<String>)>,
    region_parent: Vec<Option<u32>>,
    region_index: HashMap<String, u32>,
    tiers: Vec<SizeTier>,
    industries: Vec<String>,
    industry_index: HashMap<String, u32>,
    // Project columns, by slot.
    slot_of: HashMap<i64, u32>,
    live: Vec<bool>,
    project_id: Vec<i64>,
    region: Vec<u32>,
    industry: Vec<u32>,
    park: Vec<Option<i64>>,
    project_type: Vec<ProjectType>,
    capital_source: Vec<CapitalSource>,
    clusters: Vec<Box<[i64]>>,
    band: Vec<u8>,
    planned_cny: Vec<i64>,
    fortune: Vec<bool>,
    signed_on: Vec<Date>,
    started_on: Vec<Option<Date>>,
    production_on: Vec<Option<Date>>,
    /// The first and last month a slot has entries in (to find them when replaced).
    span: Vec<Option<(i64, i64)>>,
    /// The newest month with a counted report.
    last_report: Vec<Option<i64>>,
    months: BTreeMap<i64, MonthColumn>,
    entries: usize,
}

impl FactIndex {
    /// An empty index over a region tree (`(code, parent code)`) and size tiers ordered
    /// from the lowest threshold up.
    pub fn new(regions: &[RegionNode], tiers: Vec<SizeTier>) -> Self {
        let mut index = Self { tiers, ..Self::default() };
        index.set_regions(regions);
        index
    }

    /// Replaces the region tree (codes keep their meaning; projects keep their region).
    pub fn set_regions(&mut self, regions: &[RegionNode]) {
        let old_codes = std::mem::take(&mut self.region_codes);
        self.region_index.clear();
        self.region_names.clear();
        for region in regions {
            self.intern_region(&region.code);
        }
        for code in &old_codes {
            self.intern_region(code);
        }
        self.region_parent = vec![None; self.region_codes.len()];
        for region in regions {
            let child = self.region_index[region.code.as_str()] as usize;
            self.region_parent[child] = region.parent.as_ref().and_then(|p| self.region_index.get(p.as_str()).copied());
            self.region_names[child] = (region.name_zh.clone(), region.name_en.clone());
        }
        for slot in &mut self.region {
            *slot = self.region_index[old_codes[*slot as usize].as_str()];
        }
    }

    fn intern_region(&mut self, code: &str) -> u32 {
        if let Some(index) = self.region_index.get(code) {
            return *index;
        }
        let index = u32::try_from(self.region_codes.len()).unwrap_or(u32::MAX);
        self.region_codes.push(code.to_owned());
        self.region_names.push((code.to_owned(), None));
        self.region_parent.push(None);
        self.region_index.insert(code.to_owned(), index);
        index
    }

    /// Whether the tree knows a region code.
    pub fn knows_region(&self, code: &str) -> bool {
        self.region_index.contains_key(code)
    }

    /// A region's names (Chinese, English), when the tree knows it.
    pub fn region_name(&self, code: &str) -> Option<(&str, Option<&str>)> {
        let (zh, en) = &self.region_names[*self.region_index.get(code)? as usize];
        Some((zh.as_str(), en.as_deref()))
    }

    /// Whether `code` is `scope` or lies under it.
    pub fn region_within(&self, code: &str, scope: &str) -> bool {
        match (self.region_index.get(code), self.region_index.get(scope)) {
            (Some(region), Some(scope)) => {
                let mut memo = vec![None; self.region_codes.len()];
                self.within(&mut memo, *region, *scope)
            }
            _ => false,
        }
    }

    pub fn tiers(&self) -> &[SizeTier] {
        &self.tiers
    }

    /// Projects held.
    pub fn projects(&self) -> usize {
        self.slot_of.len()
    }

    /// Month entries held (one per project and month from its first counted report of a
    /// year to December).
    pub fn entries(&self) -> usize {
        self.entries
    }

    /// The memory the columns take, in bytes (capacities; hash maps estimated).
    pub fn memory_bytes(&self) -> usize {
        use std::mem::size_of;
        let slots = self.live.capacity()
            * (size_of::<bool>() * 2
                + size_of::<i64>() * 2
                + size_of::<u32>() * 2
                + size_of::<Option<i64>>() * 2
                + size_of::<ProjectType>()
                + size_of::<CapitalSource>()
                + size_of::<Box<[i64]>>()
                + size_of::<u8>()
                + size_of::<Date>()
                + size_of::<Option<Date>>() * 2
                + size_of::<Option<(i64, i64)>>());
        let clusters: usize = self.clusters.iter().map(|c| c.len() * size_of::<i64>()).sum();
        let ids = self.slot_of.capacity() * (size_of::<i64>() + size_of::<u32>() + 8);
        let months: usize = self
            .months
            .values()
            .map(|c| {
                c.slot.capacity() * size_of::<u32>()
                    + (c.completed.capacity() + c.equipment.capacity()) * size_of::<i64>()
            })
            .sum();
        let regions: usize = self.region_codes.iter().map(|c| c.capacity() + 48).sum();
        slots + clusters + ids + months + regions
    }

    /// The newest month with a counted report of a project in `within` (or anywhere).
    pub fn latest_period(&self, within: Option<&str>) -> Option<Period> {
        let scope = match within {
            Some(code) => Some(*self.region_index.get(code)?),
            None => None,
        };
        let mut places = vec![None; self.region_codes.len()];
        (0..self.live.len())
            .filter(|&slot| self.live[slot])
            .filter(|&slot| scope.is_none_or(|s| self.within(&mut places, self.region[slot], s)))
            .filter_map(|slot| self.last_report[slot])
            .max()
            .and_then(Period::from_index)
    }

    /// Whether `region` lies in `scope`'s subtree (memoised in `memo`).
    fn within(&self, memo: &mut [Option<bool>], region: u32, scope: u32) -> bool {
        let mut path = Vec::new();
        let mut at = Some(region);
        let answer = loop {
            let Some(r) = at else { break false };
            if let Some(known) = memo[r as usize] {
                break known;
            }
            if r == scope {
                break true;
            }
            path.push(r);
            at = self.region_parent[r as usize];
        };
        for r in path {
            memo[r as usize] = Some(answer);
        }
        answer
    }

    /// Where each region falls in a table of `parent` (by region index).
    fn places(&self, parent: u32) -> (Vec<Place>, Vec<u32>) {
        let children: Vec<u32> = {
            let mut children: Vec<u32> = (0..self.region_codes.len())
                .filter(|&r| self.region_parent[r] == Some(parent))
                .map(|r| r as u32)
                .collect();
            children.sort_by(|a, b| self.region_codes[*a as usize].cmp(&self.region_codes[*b as usize]));
            children
        };
        let mut places: Vec<Option<Place>> = vec![None; self.region_codes.len()];
        places[parent as usize] = Some(Place::Parent);
        for (line, child) in children.iter().enumerate() {
            places[*child as usize] = Some(Place::Line(line as u32));
        }
        for region in 0..self.region_codes.len() {
            let mut path = Vec::new();
            let mut at = Some(region as u32);
            let place = loop {
                let Some(r) = at else { break Place::Outside };
                if let Some(known) = places[r as usize] {
                    break known;
                }
                path.push(r);
                at = self.region_parent[r as usize];
            };
            for r in path {
                places[r as usize] = Some(place);
            }
        }
        (places.into_iter().map(|p| p.unwrap_or(Place::Outside)).collect(), children)
    }

    /// Adds a project or replaces one already held, with all its counted reports (in any
    /// order; one per month).
    pub fn replace(&mut self, facts: ProjectFacts, reports: &[MonthFigures]) {
        self.replace_many(vec![(facts, reports.to_vec())]);
    }

    /// Removes projects (deleted from the database).
    pub fn remove(&mut self, ids: &[i64]) {
        let slots: Vec<u32> = ids.iter().filter_map(|id| self.slot_of.get(id).copied()).collect();
        self.clear_entries(&slots);
        for slot in slots {
            self.live[slot as usize] = false;
            self.slot_of.remove(&self.project_id[slot as usize]);
        }
    }

    /// Adds or replaces many projects at once (one pass over the months they touch).
    pub fn replace_many(&mut self, projects: Vec<(ProjectFacts, Vec<MonthFigures>)>) {
        let held: Vec<u32> = projects.iter().filter_map(|(f, _)| self.slot_of.get(&f.id).copied()).collect();
        self.clear_entries(&held);
        for (facts, mut reports) in projects {
            let slot = self.put_project(facts);
            reports.sort_by_key(|r| r.period_index);
            self.add_entries(slot, &reports);
        }
    }

    fn clear_entries(&mut self, slots: &[u32]) {
        if slots.is_empty() {
            return;
        }
        let mut removing = vec![false; self.live.len()];
        let mut range: Option<(i64, i64)> = None;
        for &slot in slots {
            if let Some((first, last)) = self.span[slot as usize].take() {
                removing[slot as usize] = true;
                range = Some(range.map_or((first, last), |(a, b)| (a.min(first), b.max(last))));
            }
            self.last_report[slot as usize] = None;
        }
        let Some((first, last)) = range else { return };
        for column in self.months.range_mut(first..=last).map(|(_, c)| c) {
            let before = column.slot.len();
            column.remove(&removing);
            self.entries -= before - column.slot.len();
        }
    }

    fn put_project(&mut self, facts: ProjectFacts) -> u32 {
        let region = self.intern_region(&facts.region_code);
        if region as usize >= self.region_parent.len() {
            self.region_parent.resize(region as usize + 1, None);
        }
        let industry = match &facts.industry_code {
            None => NO_INDUSTRY,
            Some(code) => match self.industry_index.get(code) {
                Some(i) => *i,
                None => {
                    let i = u32::try_from(self.industries.len()).unwrap_or(NO_INDUSTRY - 1);
                    self.industries.push(code.clone());
                    self.industry_index.insert(code.clone(), i);
                    i
                }
            },
        };
        let band = band(&self.tiers, facts.planned_total_cny_minor, facts.planned_total_usd_minor);
        let slot = match self.slot_of.get(&facts.id) {
            Some(slot) => *slot as usize,
            None => {
                let slot = self.live.len();
                self.slot_of.insert(facts.id, u32::try_from(slot).unwrap_or(u32::MAX));
                self.live.push(true);
                self.project_id.push(facts.id);
                self.region.push(0);
                self.industry.push(NO_INDUSTRY);
                self.park.push(None);
                self.project_type.push(facts.project_type);
                self.capital_source.push(facts.capital_source);
                self.clusters.push(Box::default());
                self.band.push(0);
                self.planned_cny.push(0);
                self.fortune.push(false);
                self.signed_on.push(facts.signed_on);
                self.started_on.push(None);
                self.production_on.push(None);
                self.span.push(None);
                self.last_report.push(None);
                slot
            }
        };
        self.live[slot] = true;
        self.region[slot] = region;
        self.industry[slot] = industry;
        self.park[slot] = facts.park_id;
        self.project_type[slot] = facts.project_type;
        self.capital_source[slot] = facts.capital_source;
        let mut clusters = facts.cluster_ids;
        clusters.sort_unstable();
        clusters.dedup();
        self.clusters[slot] = clusters.into_boxed_slice();
        self.band[slot] = band;
        self.planned_cny[slot] = facts.planned_total_cny_minor;
        self.fortune[slot] = facts.fortune_global_500;
        self.signed_on[slot] = facts.signed_on;
        self.started_on[slot] = facts.started_on;
        self.production_on[slot] = facts.production_on;
        slot as u32
    }

    /// Writes a slot's cumulative entries; `reports` sorted by month, one per month.
    fn add_entries(&mut self, slot: u32, reports: &[MonthFigures]) {
        let mut i = 0;
        while i < reports.len() {
            let first = reports[i].period_index;
            let december = first.div_euclid(12) * 12 + 11;
            let (mut completed, mut equipment) = (0_i64, 0_i64);
            for month in first..=december {
                if let Some(report) = reports.get(i).filter(|r| r.period_index == month) {
                    completed = completed.saturating_add(report.completed_minor);
                    equipment = equipment.saturating_add(report.equipment_minor);
                    i += 1;
                }
                self.months.entry(month).or_default().push(slot, completed, equipment);
                self.entries += 1;
            }
            let span = &mut self.span[slot as usize];
            *span = Some(span.map_or((first, december), |(a, _)| (a, december)));
        }
        self.last_report[slot as usize] = reports.last().map(|r| r.period_index);
    }

    /// Each slot's cumulative value January..`month` (0 without an entry).
    fn cumulative(&self, month: i64, measure: Measure) -> Vec<i64> {
        let mut values = vec![0_i64; self.live.len()];
        if let Some(column) = self.months.get(&month) {
            for (slot, value) in column.slot.iter().zip(column.values(measure)) {
                values[*slot as usize] = *value;
            }
        }
        values
    }

    fn passes(&self, slot: usize, filter: &Filter, industry_ok: &[bool]) -> bool {
        self.live[slot]
            && self.band[slot] >= filter.min_band
            && filter.max_band.is_none_or(|b| self.band[slot] <= b)
            && (filter.industry_prefix.is_none()
                || (self.industry[slot] != NO_INDUSTRY && industry_ok[self.industry[slot] as usize]))
            && filter.park_id.is_none_or(|p| self.park[slot] == Some(p))
            && filter.project_type.is_none_or(|t| self.project_type[slot] == t)
            && filter.capital_source.is_none_or(|c| self.capital_source[slot] == c)
            && filter.fortune_global_500.is_none_or(|f| self.fortune[slot] == f)
            && filter.cluster_id.is_none_or(|c| self.clusters[slot].binary_search(&c).is_ok())
    }

    fn industry_ok(&self, filter: &Filter) -> Vec<bool> {
        match &filter.industry_prefix {
            None => Vec::new(),
            Some(prefix) => self.industries.iter().map(|code| code.starts_with(prefix.as_str())).collect(),
        }
    }

    /// The keys of a slot under a breakdown other than child regions.
    fn keys(&self, slot: usize, breakdown: Breakdown, out: &mut Vec<String>) {
        out.clear();
        match breakdown {
            Breakdown::ChildRegions => {}
            Breakdown::IndustryDivision => out.push(match self.industry[slot] {
                NO_INDUSTRY => String::new(),
                i => self.industries[i as usize].chars().take(2).collect(),
            }),
            Breakdown::Cluster if self.clusters[slot].is_empty() => out.push(String::new()),
            Breakdown::Cluster => out.extend(self.clusters[slot].iter().map(ToString::to_string)),
            Breakdown::Park => out.push(self.park[slot].map(|p| p.to_string()).unwrap_or_default()),
            Breakdown::ProjectType => out.push(self.project_type[slot].as_str().to_owned()),
            Breakdown::CapitalSource => out.push(self.capital_source[slot].as_str().to_owned()),
            Breakdown::Tier => out.push(match self.band[slot] {
                0 => String::new(),
                b => self.tiers[usize::from(b) - 1].code.clone(),
            }),
        }
    }

    /// Visits every slot under `region` that passes the filter, with the line indexes it
    /// counts in (lines are child regions, or keys gathered in `keys`); `None` when the
    /// region is unknown.
    fn visit(
        &self,
        region: &str,
        filter: &Filter,
        breakdown: Breakdown,
        mut wanted: impl FnMut(usize) -> bool,
        mut add: impl FnMut(usize, &[usize]),
    ) -> Option<Vec<String>> {
        let parent = *self.region_index.get(region)?;
        let (places, children) = self.places(parent);
        let industry_ok = self.industry_ok(filter);
        let mut keys: Vec<String> = match breakdown {
            Breakdown::ChildRegions => children.iter().map(|c| self.region_codes[*c as usize].clone()).collect(),
            _ => Vec::new(),
        };
        let mut key_index: HashMap<String, usize> = HashMap::new();
        let mut slot_keys = Vec::new();
        let mut lines = Vec::new();
        for slot in 0..self.live.len() {
            if !wanted(slot) {
                continue;
            }
            let place = places[self.region[slot] as usize];
            if place == Place::Outside || !self.passes(slot, filter, &industry_ok) {
                continue;
            }
            lines.clear();
            match (breakdown, place) {
                (Breakdown::ChildRegions, Place::Line(line)) => lines.push(line as usize),
                (Breakdown::ChildRegions, _) => {}
                _ => {
                    self.keys(slot, breakdown, &mut slot_keys);
                    for key in slot_keys.drain(..) {
                        let line = match key_index.get(&key) {
                            Some(line) => *line,
                            None => {
                                key_index.insert(key.clone(), keys.len());
                                keys.push(key);
                                keys.len() - 1
                            }
                        };
                        lines.push(line);
                    }
                }
            }
            add(slot, &lines);
        }
        Some(keys)
    }

    /// January..`through` of its year and the same months a year earlier, for `region`
    /// (every project under it) and its lines; `None` when the region is unknown.
    pub fn sums(
        &self,
        region: &str,
        through: Period,
        measure: Measure,
        filter: &Filter,
        breakdown: Breakdown,
    ) -> Option<Sums> {
        let current = self.cumulative(through.index(), measure);
        let previous = self.cumulative(through.index() - 12, measure);
        let mut total = (0_i64, 0_i64);
        let mut lines: Vec<(i64, i64)> = Vec::new();
        let keys = self.visit(
            region,
            filter,
            breakdown,
            |slot| current[slot] != 0 || previous[slot] != 0,
            |slot, at| {
                total.0 += current[slot];
                total.1 += previous[slot];
                for &line in at {
                    if line >= lines.len() {
                        lines.resize(line + 1, (0, 0));
                    }
                    lines[line].0 += current[slot];
                    lines[line].1 += previous[slot];
                }
            },
        )?;
        lines.resize(keys.len(), (0, 0));
        let mut lines: Vec<KeyedSums> = keys
            .into_iter()
            .zip(lines)
            .map(|(key, (current_minor, previous_minor))| KeyedSums { key, current_minor, previous_minor })
            .collect();
        if breakdown != Breakdown::ChildRegions {
            lines.sort_by(|a, b| a.key.cmp(&b.key));
        }
        let total = KeyedSums { key: region.to_owned(), current_minor: total.0, previous_minor: total.1 };
        Some(Sums { total, lines })
    }

    /// The region's cumulative value January..month for each month of `year` (twelve).
    pub fn months_of_year(&self, region: &str, year: i32, measure: Measure, filter: &Filter) -> Option<Vec<i64>> {
        let mut counted = vec![false; self.live.len()];
        self.visit(region, filter, Breakdown::ChildRegions, |_| true, |slot, _| counted[slot] = true)?;
        let january = i64::from(year) * 12;
        Some(
            (january..january + 12)
                .map(|month| {
                    self.months.get(&month).map_or(0, |column| {
                        column
                            .slot
                            .iter()
                            .zip(column.values(measure))
                            .filter(|(slot, _)| counted[**slot as usize])
                            .map(|(_, v)| *v)
                            .sum()
                    })
                })
                .collect(),
        )
    }

    /// The projects behind a region's figure: id, January..`through` and the same months a
    /// year earlier, for every project with a non-zero value, largest first (then by id).
    pub fn contributors(
        &self,
        region: &str,
        through: Period,
        measure: Measure,
        filter: &Filter,
    ) -> Option<Vec<(i64, i64, i64)>> {
        let current = self.cumulative(through.index(), measure);
        let previous = self.cumulative(through.index() - 12, measure);
        let mut found = Vec::new();
        self.visit(
            region,
            filter,
            Breakdown::ChildRegions,
            |slot| current[slot] != 0 || previous[slot] != 0,
            |slot, _| found.push((self.project_id[slot], current[slot], previous[slot])),
        )?;
        found.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
        Some(found)
    }

    /// Projects under `region` passing the filter whose `event` date lies in
    /// `from..=to`, with their planned totals, by line; `None` when the region is unknown.
    pub fn counts(
        &self,
        region: &str,
        filter: &Filter,
        breakdown: Breakdown,
        event: CountedEvent,
        from: Date,
        to: Date,
    ) -> Option<Counts> {
        let date = |slot: usize| match event {
            CountedEvent::Signed => Some(self.signed_on[slot]),
            CountedEvent::Started => self.started_on[slot],
            CountedEvent::InProduction => self.production_on[slot],
        };
        let mut total = (0_u64, 0_i64);
        let mut lines: Vec<(u64, i64)> = Vec::new();
        let keys = self.visit(
            region,
            filter,
            breakdown,
            |slot| date(slot).is_some_and(|d| d >= from && d <= to),
            |slot, at| {
                total.0 += 1;
                total.1 = total.1.saturating_add(self.planned_cny[slot]);
                for &line in at {
                    if line >= lines.len() {
                        lines.resize(line + 1, (0, 0));
                    }
                    lines[line].0 += 1;
                    lines[line].1 = lines[line].1.saturating_add(self.planned_cny[slot]);
                }
            },
        )?;
        lines.resize(keys.len(), (0, 0));
        let mut lines: Vec<KeyedCount> = keys
            .into_iter()
            .zip(lines)
            .map(|(key, (projects, planned_total_cny_minor))| KeyedCount { key, projects, planned_total_cny_minor })
            .collect();
        if breakdown != Breakdown::ChildRegions {
            lines.sort_by(|a, b| a.key.cmp(&b.key));
        }
        let total = KeyedCount { key: region.to_owned(), projects: total.0, planned_total_cny_minor: total.1 };
        Some(Counts { total, lines })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::macros::date;

    use super::*;

    fn tiers() -> Vec<SizeTier> {
        let tier = |code: &str, cny: i64, usd: Option<i64>| SizeTier {
            code: code.into(),
            name_zh: code.into(),
            name_en: code.into(),
            min_cny_minor: cny,
            min_usd_minor: usd,
        };
        vec![tier("large", 1_000, Some(150)), tier("huge", 10_000, None)]
    }

    fn tree() -> Vec<(String, Option<String>)> {
        [
            ("R", None),
            ("A", Some("R")),
            ("B", Some("R")),
            ("C", Some("R")),
            ("A1", Some("A")),
            ("A2", Some("A")),
            ("X", None),
        ]
        .into_iter()
        .map(|(c, p)| (c.to_owned(), p.map(ToOwned::to_owned)))
        .collect()
    }

    fn regions() -> Vec<RegionNode> {
        tree()
            .into_iter()
            .map(|(code, parent)| RegionNode { name_zh: format!("{code}区"), name_en: None, code, parent })
            .collect()
    }

    const REGIONS: &[&str] = &["R", "A", "B", "C", "A1", "A2", "X"];
    const INDUSTRIES: &[Option<&str>] = &[None, Some("3011"), Some("3012"), Some("2611"), Some("3711")];

    fn within(region: &str, scope: &str) -> bool {
        let tree = tree();
        let mut at = Some(region.to_owned());
        while let Some(code) = at {
            if code == scope {
                return true;
            }
            at = tree.iter().find(|(c, _)| *c == code).and_then(|(_, p)| p.clone());
        }
        false
    }

    #[derive(Debug, Clone)]
    struct Project {
        facts: ProjectFacts,
        reports: Vec<MonthFigures>,
    }

    fn project(id: i64) -> impl Strategy<Value = Project> {
        (
            (0..REGIONS.len(), 0..INDUSTRIES.len(), proptest::option::of(1_i64..3), 0..3_usize, 0..3_usize),
            (proptest::collection::vec(1_i64..4, 0..3), 0_i64..20_000, proptest::option::of(0_i64..300), any::<bool>()),
            (0_i64..1_000, proptest::option::of(0_i64..1_000), proptest::option::of(0_i64..1_000)),
            proptest::collection::btree_map(24_252_i64..24_288, (0_i64..1_000, 0_i64..100), 0..14),
        )
            .prop_map(
                move |((r, i, park, t, c), (clusters, cny, usd, fortune), (signed, started, production), months)| {
                    let day = |n: i64| date!(2021 - 01 - 01) + time::Duration::days(n);
                    Project {
                        facts: ProjectFacts {
                            id,
                            region_code: REGIONS[r].into(),
                            industry_code: INDUSTRIES[i].map(Into::into),
                            park_id: park,
                            project_type: ProjectType::ALL[t],
                            capital_source: CapitalSource::ALL[c],
                            cluster_ids: clusters,
                            planned_total_cny_minor: cny,
                            planned_total_usd_minor: usd,
                            fortune_global_500: fortune,
                            signed_on: day(signed),
                            started_on: started.map(day),
                            production_on: production.map(day),
                        },
                        reports: months
                            .into_iter()
                            .map(|(period_index, (completed_minor, equipment))| MonthFigures {
                                period_index,
                                completed_minor,
                                equipment_minor: equipment.min(completed_minor),
                            })
                            .collect(),
                    }
                },
            )
    }

    fn filter() -> impl Strategy<Value = Filter> {
        (
            proptest::option::of(prop_oneof![Just("3"), Just("30"), Just("3011"), Just("2")]),
            0_u8..3,
            proptest::option::of(0_u8..3),
            proptest::option::of(1_i64..4),
            proptest::option::of(1_i64..3),
            proptest::option::of(0..3_usize),
            proptest::option::of(any::<bool>()),
        )
            .prop_map(|(industry, min_band, max_band, cluster_id, park_id, kind, fortune)| Filter {
                industry_prefix: industry.map(Into::into),
                min_band,
                max_band,
                cluster_id,
                park_id,
                project_type: kind.map(|k| ProjectType::ALL[k]),
                capital_source: kind.map(|k| CapitalSource::ALL[2 - k]),
                fortune_global_500: fortune,
            })
    }

    fn passes(p: &ProjectFacts, filter: &Filter) -> bool {
        let b = band(&tiers(), p.planned_total_cny_minor, p.planned_total_usd_minor);
        b >= filter.min_band
            && filter.max_band.is_none_or(|m| b <= m)
            && filter
                .industry_prefix
                .as_ref()
                .is_none_or(|x| p.industry_code.as_ref().is_some_and(|c| c.starts_with(x.as_str())))
            && filter.park_id.is_none_or(|x| p.park_id == Some(x))
            && filter.project_type.is_none_or(|x| p.project_type == x)
            && filter.capital_source.is_none_or(|x| p.capital_source == x)
            && filter.fortune_global_500.is_none_or(|x| p.fortune_global_500 == x)
            && filter.cluster_id.is_none_or(|x| p.cluster_ids.contains(&x))
    }

    fn keys_of(p: &ProjectFacts, breakdown: Breakdown, parent: &str) -> Vec<String> {
        match breakdown {
            Breakdown::ChildRegions => REGIONS
                .iter()
                .filter(|c| tree().iter().any(|(code, up)| code == *c && up.as_deref() == Some(parent)))
                .filter(|c| within(&p.region_code, c))
                .map(|c| (*c).to_owned())
                .collect(),
            Breakdown::IndustryDivision => {
                vec![p.industry_code.as_deref().map(|c| c[..2].to_owned()).unwrap_or_default()]
            }
            Breakdown::Cluster => {
                let mut c: Vec<String> = p.cluster_ids.iter().map(ToString::to_string).collect();
                c.sort();
                c.dedup();
                if c.is_empty() { vec![String::new()] } else { c }
            }
            Breakdown::Park => vec![p.park_id.map(|x| x.to_string()).unwrap_or_default()],
            Breakdown::ProjectType => vec![p.project_type.as_str().into()],
            Breakdown::CapitalSource => vec![p.capital_source.as_str().into()],
            Breakdown::Tier => vec![match band(&tiers(), p.planned_total_cny_minor, p.planned_total_usd_minor) {
                0 => String::new(),
                b => tiers()[usize::from(b) - 1].code.clone(),
            }],
        }
    }

    /// The sums straight from the projects' reports.
    fn naive(
        projects: &[Project],
        region: &str,
        through: Period,
        measure: Measure,
        filter: &Filter,
        breakdown: Breakdown,
    ) -> Sums {
        let sum = |p: &Project, end: i64| -> i64 {
            let start = end - end.rem_euclid(12);
            p.reports
                .iter()
                .filter(|r| r.period_index >= start && r.period_index <= end)
                .map(|r| match measure {
                    Measure::Completed => r.completed_minor,
                    Measure::Equipment => r.equipment_minor,
                })
                .sum()
        };
        let mut lines: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        if breakdown == Breakdown::ChildRegions {
            for (code, parent) in tree() {
                if parent.as_deref() == Some(region) {
                    lines.insert(code, (0, 0));
                }
            }
        }
        let mut total = (0, 0);
        for p in projects.iter().filter(|p| within(&p.facts.region_code, region) && passes(&p.facts, filter)) {
            let (c, v) = (sum(p, through.index()), sum(p, through.index() - 12));
            if c == 0 && v == 0 {
                continue;
            }
            total = (total.0 + c, total.1 + v);
            for key in keys_of(&p.facts, breakdown, region) {
                let line = lines.entry(key).or_default();
                *line = (line.0 + c, line.1 + v);
            }
        }
        Sums {
            total: KeyedSums { key: region.into(), current_minor: total.0, previous_minor: total.1 },
            lines: lines
                .into_iter()
                .map(|(key, (current_minor, previous_minor))| KeyedSums { key, current_minor, previous_minor })
                .collect(),
        }
    }

    fn world() -> impl Strategy<Value = (Vec<Project>, Vec<Project>, Vec<usize>)> {
        (1_usize..25).prop_flat_map(|n| {
            let first: Vec<_> = (0..n).map(|i| project(i as i64 + 1)).collect();
            let second: Vec<_> = (0..n).map(|i| project(i as i64 + 1)).collect();
            (first, second, proptest::collection::vec(0..n, 0..6))
        })
    }

    #[test]
    fn bands_take_the_highest_tier_reached() {
        let t = tiers();
        assert_eq!(band(&t, 999, None), 0);
        assert_eq!(band(&t, 999, Some(150)), 1, "the USD threshold alone is enough");
        assert_eq!(band(&t, 1_000, None), 1);
        assert_eq!(band(&t, 10_000, None), 2);
        assert_eq!(band(&t, 9_999, Some(1_000_000)), 1, "the top tier has no USD threshold");
    }

    #[test]
    fn a_month_reads_the_cumulative_value() {
        let mut index = FactIndex::new(&regions(), tiers());
        let facts = ProjectFacts {
            id: 7,
            region_code: "A1".into(),
            industry_code: Some("3011".into()),
            park_id: None,
            project_type: ProjectType::New,
            capital_source: CapitalSource::Domestic,
            cluster_ids: vec![],
            planned_total_cny_minor: 5,
            planned_total_usd_minor: None,
            fortune_global_500: false,
            signed_on: date!(2022 - 05 - 01),
            started_on: None,
            production_on: None,
        };
        let month = |y: i32, m: u8| Period::new(y, m).unwrap();
        let figures =
            |p: Period, c: i64| MonthFigures { period_index: p.index(), completed_minor: c, equipment_minor: c / 2 };
        index.replace(
            facts.clone(),
            &[figures(month(2023, 2), 10), figures(month(2023, 4), 5), figures(month(2022, 3), 7)],
        );
        let all = Filter::default();
        let sums = index.sums("R", month(2023, 3), Measure::Completed, &all, Breakdown::ChildRegions).unwrap();
        assert_eq!((sums.total.current_minor, sums.total.previous_minor), (10, 7));
        assert_eq!(
            sums.lines.iter().map(|l| (l.key.as_str(), l.current_minor)).collect::<Vec<_>>(),
            [("A", 10), ("B", 0), ("C", 0)]
        );
        assert_eq!(index.latest_period(Some("A")), Some(month(2023, 4)));
        assert_eq!(index.latest_period(Some("B")), None);
        assert_eq!(index.months_of_year("R", 2023, Measure::Completed, &all).unwrap()[..5], [0, 10, 10, 15, 15]);
        // Replaced: the old entries go.
        index.replace(facts, &[figures(month(2023, 1), 1)]);
        let sums = index.sums("R", month(2023, 3), Measure::Equipment, &all, Breakdown::ChildRegions).unwrap();
        assert_eq!((sums.total.current_minor, sums.total.previous_minor), (0, 0), "1 / 2 is 0 equipment");
        let sums = index.sums("R", month(2023, 3), Measure::Completed, &all, Breakdown::ChildRegions).unwrap();
        assert_eq!((sums.total.current_minor, sums.total.previous_minor), (1, 0));
        assert_eq!(index.entries(), 12);
        index.remove(&[7]);
        assert_eq!((index.entries(), index.projects()), (0, 0));
        assert!(index.sums("nowhere", month(2023, 3), Measure::Completed, &all, Breakdown::ChildRegions).is_none());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Every table, breakdown, filter and count equals the one computed straight from
        /// the projects, also after projects are replaced and removed.
        #[test]
        fn the_index_agrees_with_the_reports(
            (first, second, replaced) in world(),
            queries in proptest::collection::vec(
                (0..REGIONS.len(), 24_252_i64..24_300, any::<bool>(), filter(), 0..Breakdown::ALL.len(), 0..3_usize),
                1..8,
            ),
        ) {
            let mut index = FactIndex::new(&regions(), tiers());
            for p in &first {
                index.replace(p.facts.clone(), &p.reports);
            }
            let mut projects = first.clone();
            let batch: Vec<_> = replaced.iter().map(|&i| (second[i].facts.clone(), second[i].reports.clone())).collect();
            index.replace_many(batch);
            for &i in &replaced {
                projects[i] = second[i].clone();
            }
            if let Some(&gone) = replaced.first() {
                index.remove(&[projects[gone].facts.id]);
                projects.remove(gone);
            }
            for (r, month, equipment, filter, b, event) in queries {
                let through = Period::from_index(month).unwrap();
                let measure = if equipment { Measure::Equipment } else { Measure::Completed };
                let breakdown = Breakdown::ALL[b];
                let got = index.sums(REGIONS[r], through, measure, &filter, breakdown).unwrap();
                prop_assert_eq!(got, naive(&projects, REGIONS[r], through, measure, &filter, breakdown));
                let event = CountedEvent::ALL[event];
                let (from, to) = (date!(2021 - 03 - 01), date!(2022 - 06 - 30));
                let counts = index.counts(REGIONS[r], &filter, breakdown, event, from, to).unwrap();
                let date_of = |p: &ProjectFacts| match event {
                    CountedEvent::Signed => Some(p.signed_on),
                    CountedEvent::Started => p.started_on,
                    CountedEvent::InProduction => p.production_on,
                };
                let counted: Vec<&ProjectFacts> = projects
                    .iter()
                    .map(|p| &p.facts)
                    .filter(|p| within(&p.region_code, REGIONS[r]) && passes(p, &filter))
                    .filter(|p| date_of(p).is_some_and(|d| d >= from && d <= to))
                    .collect();
                prop_assert_eq!(counts.total.projects, counted.len() as u64);
                prop_assert_eq!(counts.total.planned_total_cny_minor, counted.iter().map(|p| p.planned_total_cny_minor).sum::<i64>());
                for line in &counts.lines {
                    let n = counted.iter().filter(|p| keys_of(p, breakdown, REGIONS[r]).contains(&line.key)).count();
                    prop_assert_eq!(line.projects, n as u64, "line {}", line.key);
                }
            }
        }
    }
}
