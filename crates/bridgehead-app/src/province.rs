//! The province-scale synthetic data set (`bridgehead demo --scale province`), for the
//! statistics benchmark: by default 200,000 projects in 100 synthetic county-level units
//! of Zhejiang (outside Jiaxing), each
//! with a counted (city-approved) report every month for 60 months — 12 million report
//! rows — with four-digit industry classes and planned totals across the size tiers.
//! Deterministic (fixed seed). The projects are illustrative ("PROV-nnnnnn") and do
//! not stand for real ones; they are loaded in bulk, not through the review workflow.

use bridgehead_domain::codes::INDUSTRY_EDITION;
use bridgehead_domain::period::Period;
use bridgehead_domain::project::{CapitalSource, ProjectType};
use bridgehead_store::bulk::{self, BulkProject, BulkReport};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::{Actor, App, AppError, AppResult};

/// The size of the data set.
#[derive(Debug, Clone)]
pub struct ProvinceScale {
    pub projects: usize,
    pub months: usize,
    /// The first month with reports.
    pub first: Period,
    pub counties: usize,
}

impl Default for ProvinceScale {
    fn default() -> Self {
        Self {
            projects: 200_000,
            months: 60,
            first: Period::new(2021, 1).unwrap_or(Period::of_date(time::Date::MIN)),
            counties: 100,
        }
    }
}

/// What was built.
#[derive(Debug, Clone)]
pub struct ProvinceSummary {
    pub projects: usize,
    pub reports: usize,
    pub counties: Vec<String>,
    /// False when the data set was already there.
    pub built: bool,
}

const CODE_PREFIX: &str = "PROV-";
/// Projects (with their reports) written per transaction.
pub const PROJECTS_PER_TRANSACTION: usize = 2_000;

/// Zhejiang's cities other than Jiaxing (whose figures the city demo calibrates), with
/// their names: the synthetic counties lie under them.
const CITIES: &[(&str, &str, &str)] = &[
    ("3301", "杭州市", "Hangzhou"),
    ("3302", "宁波市", "Ningbo"),
    ("3303", "温州市", "Wenzhou"),
    ("3305", "湖州市", "Huzhou"),
    ("3306", "绍兴市", "Shaoxing"),
    ("3307", "金华市", "Jinhua"),
    ("3308", "衢州市", "Quzhou"),
    ("3309", "舟山市", "Zhoushan"),
    ("3310", "台州市", "Taizhou"),
    ("3311", "丽水市", "Lishui"),
];

/// `count` synthetic county-level units, spread over [`CITIES`], as a regions file. Their
/// codes end in 90–99 under each city (a range GB/T 2260 leaves unused there) and their
/// names say they are illustrative.
fn synthetic_counties(count: usize) -> (Vec<String>, String) {
    let mut codes = Vec::with_capacity(count);
    let mut csv = String::from("code,name_zh,name_en,level,parent\n");
    for n in 0..count.min(CITIES.len() * 10) {
        let (prefix, zh, en) = CITIES[n % CITIES.len()];
        let code = format!("{prefix}9{}", n / CITIES.len());
        csv.push_str(&format!(
            "{code},{zh}模拟县区{}（示例）,{en} synthetic county {} (illustrative),county,{prefix}00\n",
            n / CITIES.len(),
            n / CITIES.len()
        ));
        codes.push(code);
    }
    (codes, csv)
}

/// A planned total in yuan: most below 1 billion, a quarter 1–10 billion, a few above.
fn planned_total_yuan(rng: &mut StdRng) -> i64 {
    let tier = rng.random_range(0..100);
    let (low, high) = match tier {
        0..70 => (20_000_000_i64, 1_000_000_000_i64),
        70..95 => (1_000_000_000, 10_000_000_000),
        _ => (10_000_000_000, 30_000_000_000),
    };
    rng.random_range(low..high) / 10_000 * 10_000
}

impl App {
    /// Adds the province-scale data set (see the module documentation) unless it is there;
    /// `progress(projects done, of)` is called after each transaction.
    pub async fn build_province_demo(
        &self,
        scale: &ProvinceScale,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> AppResult<ProvinceSummary> {
        self.ensure_reference_data().await?;
        let operator = Actor::system("demo");
        let (counties, regions) = synthetic_counties(scale.counties);
        self.import_regions_csv(&operator, &regions).await?;
        let mut conn = self.store.read().await?;
        let classes: Vec<String> = bulk::industry_classes(&mut conn, INDUSTRY_EDITION)
            .await?
            .into_iter()
            .filter(|c| ("13".."44").contains(&&c[..2]))
            .collect();
        let existing = bulk::count_projects_with_prefix(&mut conn, CODE_PREFIX).await?;
        drop(conn);
        if existing > 0 {
            let projects = usize::try_from(existing).unwrap_or_default();
            return Ok(ProvinceSummary { projects, reports: projects * scale.months, counties, built: false });
        }
        if counties.is_empty() || classes.is_empty() {
            return Err(AppError::Internal("the reference data has no counties or industry classes".into()));
        }
        // The USD equivalent at the signing-date rate, as for every project.
        self.put_exchange_rate(&operator, Some("2018-01-02"), Some("USD"), Some("6.5079"), Some("demo (illustrative)"))
            .await?;
        let usd_rate = Decimal::new(65_079, 4);
        let mut rng = StdRng::seed_from_u64(20_260_101);
        let epoch = time::macros::date!(2018 - 01 - 02);
        let mut reports = 0;
        let mut done = 0;
        while done < scale.projects {
            let batch = PROJECTS_PER_TRANSACTION.min(scale.projects - done);
            let projects: Vec<BulkProject> = (done..done + batch)
                .map(|n| {
                    // Drawn in a fixed order: the data set is the same on every run.
                    let total = planned_total_yuan(&mut rng) * 100;
                    let signed_on = epoch + time::Duration::days(rng.random_range(0..900));
                    let started_on = signed_on + time::Duration::days(rng.random_range(30..180));
                    let region_code = counties[rng.random_range(0..counties.len())].clone();
                    let industry_code = classes[rng.random_range(0..classes.len())].clone();
                    let project_type = ProjectType::ALL[rng.random_range(0..ProjectType::ALL.len())];
                    let source = CapitalSource::ALL[rng.random_range(0..CapitalSource::ALL.len())];
                    BulkProject {
                        code: format!("{CODE_PREFIX}{:06}", n + 1),
                        name_zh: format!("省级规模测试项目{:06}（示例）", n + 1),
                        region_code,
                        industry_code,
                        project_type,
                        capital_source: source,
                        source_country: (source != CapitalSource::Domestic).then(|| "NL".to_owned()),
                        fortune_global_500: rng.random_bool(0.02),
                        planned_total_minor: total,
                        planned_total_usd_minor: (Decimal::from(total) / usd_rate).round().to_i64(),
                        signed_on,
                        started_on,
                    }
                })
                .collect();
            let mut tx = self.store.begin().await?;
            let ids = bulk::insert_projects(tx.conn(), &projects, "demo").await?;
            let mut rows = Vec::with_capacity(batch * scale.months);
            for (id, project) in ids.iter().zip(&projects) {
                let monthly = project.planned_total_minor / i64::try_from(scale.months).unwrap_or(1).max(1);
                for m in 0..scale.months {
                    let period = Period::from_index(scale.first.index() + i64::try_from(m).unwrap_or_default())
                        .unwrap_or(scale.first);
                    let completed_minor = monthly / 100 * rng.random_range(50..150) / 100 * 100;
                    let equipment_minor = completed_minor / 100 * rng.random_range(20..60) / 100 * 100;
                    rows.push(BulkReport { project_id: *id, period, completed_minor, equipment_minor });
                }
            }
            reports += rows.len();
            bulk::insert_reports(tx.conn(), &rows).await?;
            tx.commit().await?;
            done += batch;
            progress(done, scale.projects);
        }
        let mut tx = self.store.begin().await?;
        bulk::reset_statistics_feed(tx.conn(), crate::engine::REBUILD_ALL).await?;
        tx.commit().await?;
        Ok(ProvinceSummary { projects: done, reports, counties, built: true })
    }
}
