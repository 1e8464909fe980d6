//! The demo data set (SPEC §12), foundation part: reference data, parks and cluster
//! systems of Jiaxing, illustrative enterprises in Jiaxing's seven county-level units
//! and in Jiading, illustrative organisations, and one user per role. Deterministic:
//! the same program builds the same data. Every synthetic name says it is illustrative.

use bridgehead_domain::access::{Role, Scope};
use bridgehead_domain::codes::credit_code_check_character;
use bridgehead_domain::enterprise::EnterpriseFields;
use bridgehead_domain::reference::OrganizationKind;
use bridgehead_store::reference as store_reference;
use serde::Serialize;

use crate::auth::UserRequest;
use crate::reference::{ClusterInput, ClusterTaxonomyInput, ParkInput};
use crate::{Actor, App, AppError, AppResult};

/// The password of every demo user. The demo is for trying the product, never for
/// real data.
pub const DEMO_PASSWORD: &str = "demo-password-2023";

/// A demo user and what it stands for.
#[derive(Debug, Clone, Serialize)]
pub struct DemoUser {
    pub username: String,
    pub role: Role,
    pub scope: String,
}

/// What the demo contains.
#[derive(Debug, Clone, Serialize)]
pub struct DemoSummary {
    pub users: Vec<DemoUser>,
    pub enterprises: i64,
    pub password: &'static str,
}

/// Jiaxing's county-level units and Jiading, with illustrative name stems.
const PLACES: &[(&str, &str, &str)] = &[
    ("330402", "南湖", "Nanhu"),
    ("330411", "秀洲", "Xiuzhou"),
    ("330421", "嘉善", "Jiashan"),
    ("330424", "海盐", "Haiyan"),
    ("330481", "海宁", "Haining"),
    ("330482", "平湖", "Pinghu"),
    ("330483", "桐乡", "Tongxiang"),
    ("310114", "嘉定", "Jiading"),
];

/// Lines of business: (industry class, Chinese stem, English stem, tags).
const TRADES: &[(&str, &str, &str, &str)] = &[
    ("3670", "汽车零部件", "Auto Parts", "high_tech"),
    ("3982", "智能传感器", "Smart Sensors", "specialised_sme,high_tech"),
    ("3985", "集成电路材料", "IC Materials", "little_giant,high_tech"),
    ("3841", "锂电池", "Lithium Battery", "high_tech"),
    ("2651", "新材料", "New Materials", ""),
    ("3581", "医疗器械", "Medical Equipment", "specialised_sme"),
    ("3491", "工业机器人", "Industrial Robots", "little_giant"),
    ("1713", "纺织", "Textiles", ""),
    ("2927", "高分子材料", "Polymer Materials", "foreign_invested"),
    ("3562", "光伏设备", "PV Equipment", "listed"),
];

const OWNERSHIPS: &[&str] = &["private", "private", "state", "foreign", "mixed", "hk_macao_taiwan"];
const SIZES: &[&str] = &["small", "medium", "large", "micro", "medium"];

/// A valid credit code for demo enterprise `index` registered in `region`.
pub fn demo_credit_code(region: &str, index: usize) -> String {
    const ALPHABET: &[u8] = bridgehead_domain::codes::CREDIT_CODE_ALPHABET;
    let mut state = 0x9E37_79B9_u64.wrapping_mul(index as u64 + 1);
    let mut body = format!("91{region}");
    for _ in 0..9 {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        body.push(char::from(ALPHABET[((state >> 33) % 31) as usize]));
    }
    let check = credit_code_check_character(&body).unwrap_or('0');
    format!("{body}{check}")
}

/// The illustrative enterprises of the demo, as import rows would carry them.
pub fn demo_enterprises() -> Vec<EnterpriseFields> {
    let mut enterprises = Vec::new();
    for (place_index, (region, place_zh, place_en)) in PLACES.iter().enumerate() {
        for slot in 0..5 {
            let index = place_index * 5 + slot;
            let (industry, trade_zh, trade_en, tags) = TRADES[(place_index * 3 + slot) % TRADES.len()];
            let capital_wan = 500 + (index * 379) % 20_000;
            enterprises.push(EnterpriseFields {
                credit_code: Some(demo_credit_code(region, index)),
                name_zh: Some(format!("{place_zh}示例{trade_zh}有限公司{}（示例）", slot + 1)),
                name_en: Some(format!("{place_en} Example {trade_en} Co. {} (illustrative)", slot + 1)),
                region_code: Some((*region).to_owned()),
                address: Some(format!("{place_zh}示例路{}号（示例）", 10 + index)),
                industry_code: Some(industry.to_owned()),
                registered_capital: Some(format!("{}", capital_wan * 10_000)),
                registered_capital_currency: Some("CNY".to_owned()),
                established_on: Some(format!("{}-{:02}-{:02}", 2000 + index % 23, 1 + index % 12, 1 + index % 28)),
                ownership: Some(OWNERSHIPS[index % OWNERSHIPS.len()].to_owned()),
                size: Some(SIZES[index % SIZES.len()].to_owned()),
                listed: Some((tags.contains("listed")).to_string()),
                contact_name: Some(format!("联系人{}（示例）", index + 1)),
                contact_phone: Some(format!("0573-8{:07}", 1_000_000 + index * 7919 % 8_999_999)),
                contact_email: Some(format!("contact{}@example.com", index + 1)),
                tags: (!tags.is_empty()).then(|| tags.to_owned()),
                credit_code_override_reason: None,
            });
        }
    }
    enterprises
}

fn parks() -> Vec<ParkInput> {
    let park = |name_zh: &str, name_en: &str, region: &str, level: &str| ParkInput {
        name_zh: Some(name_zh.to_owned()),
        name_en: Some(name_en.to_owned()),
        region_code: Some(region.to_owned()),
        level: Some(level.to_owned()),
    };
    vec![
        park("嘉兴经济技术开发区", "Jiaxing Economic and Technological Development Zone", "330402", "national"),
        park("海盐经济开发区", "Haiyan Economic Development Zone", "330424", "provincial"),
        park("嘉善智能传感器产业平台", "Jiashan Intelligent Sensor Industry Platform", "330421", "other"),
        park("平湖经济技术开发区", "Pinghu Economic and Technological Development Zone", "330482", "national"),
        park("嘉定工业区", "Jiading Industrial Zone", "310114", "provincial"),
    ]
}

fn cluster(code: &str, name_zh: &str, name_en: &str, prefixes: &[&str]) -> ClusterInput {
    ClusterInput {
        code: code.to_owned(),
        name_zh: name_zh.to_owned(),
        name_en: Some(name_en.to_owned()),
        industry_prefixes: prefixes.iter().map(|p| (*p).to_owned()).collect(),
    }
}

/// Jiaxing's cluster systems. The names follow the published systems; the mapping of
/// clusters to industry codes is illustrative.
fn cluster_systems() -> Vec<ClusterTaxonomyInput> {
    vec![
        ClusterTaxonomyInput {
            code: "135N".to_owned(),
            region_code: "330400".to_owned(),
            name_zh: "嘉兴“135N”先进制造业集群体系（产业映射为示例）".to_owned(),
            name_en: Some(
                "Jiaxing \"135N\" advanced manufacturing clusters (industry mapping illustrative)".to_owned(),
            ),
            valid_from: "2022-01-01".to_owned(),
            valid_to: Some("2022-12-31".to_owned()),
            clusters: vec![
                cluster("1", "新一代信息技术（万亿级）", "New-generation IT (trillion-yuan tier)", &["39"]),
                cluster("3-1", "新能源", "New energy", &["384", "4415"]),
                cluster("3-2", "新材料", "New materials", &["26", "29"]),
                cluster("3-3", "汽车制造", "Automobiles", &["36"]),
            ],
        },
        ClusterTaxonomyInput {
            code: "415X".to_owned(),
            region_code: "330400".to_owned(),
            name_zh: "嘉兴“415X”先进制造业集群体系（产业映射为示例）".to_owned(),
            name_en: Some(
                "Jiaxing \"415X\" advanced manufacturing clusters (industry mapping illustrative)".to_owned(),
            ),
            valid_from: "2023-01-01".to_owned(),
            valid_to: None,
            clusters: vec![
                cluster("4-1", "新一代信息技术", "New-generation IT", &["39"]),
                cluster("4-2", "新能源", "New energy", &["384"]),
                cluster("4-3", "新材料", "New materials", &["26", "29"]),
                cluster("4-4", "汽车及零部件", "Automobiles and parts", &["36"]),
                cluster("15-1", "高端装备", "High-end equipment", &["34", "35"]),
            ],
        },
    ]
}

/// Jiaxing's county-level units with an illustrative project stem.
const JIAXING_UNITS: &[(&str, &str)] = &[
    ("330402", "南湖"),
    ("330411", "秀洲"),
    ("330421", "嘉善"),
    ("330424", "海盐"),
    ("330481", "海宁"),
    ("330482", "平湖"),
    ("330483", "桐乡"),
];

/// The planned total (万元) of a unit's `slot`-th registry project.
fn planned_wan(unit: usize, slot: usize) -> i64 {
    50_000 + (unit as i64 * 7_919 + slot as i64 * 3_571) % 150_000
}

/// What a unit's started registry project completes in month `month` of 2023 (万元).
fn started_project_month_wan(unit: usize, month: i64) -> i64 {
    planned_wan(unit, 0) / 40 + (unit as i64 * 13 + month * 7) % 300
}

/// Published figures the demo reproduces (demo_facts.md), in 万元: Jiaxing's
/// manufacturing investment January–March 2022 (the base of +24.1%), January–March 2023
/// (29.03 billion yuan) and January–June 2023 (63.89 billion yuan).
const JIAXING_Q1_2022_WAN: i64 = 2_339_000;
const JIAXING_Q1_2023_WAN: i64 = 2_903_000;
const JIAXING_H1_2023_WAN: i64 = 6_389_000;
/// Ongoing projects per county-level unit that carry the calibrated figures.
const ONGOING_PER_UNIT: usize = 10;

/// A deterministic stream of numbers (a 64-bit LCG with a fixed seed).
struct Stream(u64);

impl Stream {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below.max(1)
    }
}

/// Splits `total` into parts proportional to `weights`, exactly (largest remainders).
fn split_exactly(total: i64, weights: &[u64]) -> Vec<i64> {
    let sum: u128 = weights.iter().map(|w| u128::from(*w)).sum::<u128>().max(1);
    let total_u = u128::try_from(total.max(0)).unwrap_or(0);
    let mut parts: Vec<(usize, i64, u128)> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let exact = total_u * u128::from(*w);
            (i, i64::try_from(exact / sum).unwrap_or(0), exact % sum)
        })
        .collect();
    let mut left = total - parts.iter().map(|p| p.1).sum::<i64>();
    parts.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    for part in &mut parts {
        if left <= 0 {
            break;
        }
        part.1 += 1;
        left -= 1;
    }
    parts.sort_by_key(|p| p.0);
    parts.into_iter().map(|p| p.1).collect()
}

/// The monthly reports (万元) of the ongoing projects, January 2022 – June 2023, one
/// row per project: eighteen months. The three calibrated windows add up exactly to the
/// published figures once the registry projects' 2023 reports are counted in.
fn ongoing_reports_wan(projects: usize) -> Vec<[i64; 18]> {
    let registry = |months: std::ops::RangeInclusive<i64>| -> i64 {
        (0..JIAXING_UNITS.len())
            .map(|unit| months.clone().map(|m| started_project_month_wan(unit, m)).sum::<i64>())
            .sum()
    };
    let mut stream = Stream(0x5EED_2023);
    let size: Vec<u64> = (0..projects).map(|_| 60 + stream.next(80)).collect();
    // Months of the windows: indexes into the eighteen (0 = 2022-01).
    let windows: [(std::ops::Range<usize>, i64); 4] = [
        (0..3, JIAXING_Q1_2022_WAN),
        // April–December 2022: not published; a plausible 3.3 quarters of the base.
        (3..12, JIAXING_Q1_2022_WAN * 33 / 10),
        (12..15, JIAXING_Q1_2023_WAN - registry(1..=3)),
        (15..18, JIAXING_H1_2023_WAN - JIAXING_Q1_2023_WAN - registry(4..=6)),
    ];
    let mut rows = vec![[0_i64; 18]; projects];
    for (months, total) in windows {
        let cells: Vec<(usize, usize)> = (0..projects).flat_map(|p| months.clone().map(move |m| (p, m))).collect();
        let weights: Vec<u64> = cells.iter().map(|(p, _)| size[*p] * (90 + stream.next(21))).collect();
        for ((p, m), amount) in cells.into_iter().zip(split_exactly(total, &weights)) {
            rows[p][m] = amount;
        }
    }
    rows
}

/// A project signed between October 2018 and June 2019 (demo_facts.md, 2019 article).
struct SigningOf2019 {
    name_zh: String,
    name_en: String,
    region: &'static str,
    /// Planned total in major units of `currency`.
    planned: i64,
    currency: &'static str,
    foreign: bool,
    fortune_global_500: bool,
    central_soe: bool,
    signed_on: String,
    events: Vec<(&'static str, &'static str)>,
}

/// The projects behind the 2019 figures: in the nine months to June 2019, 14 projects of
/// 10 billion yuan and more and 31 more of 1 billion yuan or USD 100 million and more
/// (20 of the 45 in the fourth quarter of 2018, 25 in the first half of 2019); seven
/// in the first half from Fortune Global 500 enterprises, five of them domestic; and six
/// smaller projects in the same months, below every tier. The four named in the article
/// carry its descriptions; everything else, and every amount except the Great Wall
/// project's 11 billion yuan, is illustrative.
fn signings_of_2019() -> Vec<SigningOf2019> {
    let units = ["330402", "330411", "330421", "330424", "330481", "330482", "330483"];
    let project = |name_zh: &str, name_en: &str, region: &'static str, planned: i64, signed_on: String| SigningOf2019 {
        name_zh: name_zh.to_owned(),
        name_en: name_en.to_owned(),
        region,
        planned,
        currency: "CNY",
        foreign: false,
        fortune_global_500: false,
        central_soe: false,
        signed_on,
        events: Vec::new(),
    };
    // Fourth quarter of 2018 (from 10 October, after the first USD rate) and first half of 2019.
    let q4 = |n: usize| format!("2018-{:02}-{:02}", 10 + n % 3, 10 + n % 18);
    let h1 = |n: usize| format!("2019-{:02}-{:02}", 1 + n % 6, 3 + n % 25);
    let mut list = vec![
        SigningOf2019 {
            events: vec![("started", "2019-09-20"), ("in_production", "2022-06-28")],
            ..project(
                "长城汽车平湖整车项目（据报道，金额外信息为示例）",
                "Great Wall Motor vehicle project, Pinghu (as reported; details illustrative)",
                "330482",
                11_000_000_000,
                "2019-01-18".into(),
            )
        },
        SigningOf2019 {
            currency: "USD",
            foreign: true,
            ..project(
                "荷兰锂电池项目（示例）",
                "Lithium cell project from the Netherlands (illustrative)",
                "330481",
                2_000_000_000,
                "2019-04-12".into(),
            )
        },
        project(
            "大尺寸硅片项目（示例）",
            "Large silicon wafer project (illustrative)",
            "330421",
            15_000_000_000,
            q4(0),
        ),
        SigningOf2019 {
            fortune_global_500: true,
            central_soe: true,
            ..project(
                "航天科技集团下属企业高分子材料项目（示例）",
                "Macro-molecule materials project of a CASC subsidiary (illustrative)",
                "330483",
                12_000_000_000,
                h1(1),
            )
        },
    ];
    // Ten more of 10 billion yuan and more, five in each half: with the four above, six
    // in the fourth quarter of 2018 and eight in the first half of 2019.
    for n in 0..10 {
        let signed_on = if n < 5 { q4(n + 1) } else { h1(n) };
        list.push(SigningOf2019 {
            fortune_global_500: n == 6 || n == 7,
            ..project(
                &format!("示例百亿级制造业项目{}（示例）", n + 1),
                &format!("Example 10-billion-yuan manufacturing project {} (illustrative)", n + 1),
                units[n % units.len()],
                10_000_000_000 + (n as i64 % 4) * 2_500_000_000,
                signed_on,
            )
        });
    }
    // Thirty-one of 1 billion yuan or USD 100 million and more: fourteen in the fourth
    // quarter of 2018, seventeen in the first half of 2019; every fourth in US dollars.
    for n in 0..31 {
        let usd = n % 4 == 3;
        let in_2019 = n >= 14;
        list.push(SigningOf2019 {
            currency: if usd { "USD" } else { "CNY" },
            foreign: usd,
            // Fortune Global 500: two domestic (18, 21) and two foreign (15, 19), all in 2019.
            fortune_global_500: matches!(n, 15 | 18 | 19 | 21),
            ..project(
                &format!("示例亿元级制造业项目{}（示例）", n + 1),
                &format!("Example billion-yuan manufacturing project {} (illustrative)", n + 1),
                units[(n + 3) % units.len()],
                if usd {
                    120_000_000 + (n as i64 % 5) * 90_000_000
                } else {
                    1_000_000_000 + (n as i64 % 8) * 1_000_000_000
                },
                if in_2019 { h1(n) } else { q4(n) },
            )
        });
    }
    // Six below every tier: under 1 billion yuan and under USD 100 million (600 million
    // yuan is USD 87 million at 6.8957).
    for n in 0..6 {
        list.push(project(
            &format!("示例制造业项目{}（示例）", n + 1),
            &format!("Example manufacturing project {} (illustrative)", n + 1),
            units[n % units.len()],
            200_000_000 + (n as i64) * 80_000_000,
            if n % 2 == 0 { q4(n) } else { h1(n) },
        ));
    }
    list
}

/// The ids of the clusters whose industry prefixes cover `industry`.
fn clusters_of(clusters: &[bridgehead_domain::reference::Cluster], industry: &str) -> Vec<String> {
    clusters
        .iter()
        .filter(|c| c.industry_prefixes.iter().any(|p| industry.starts_with(p.as_str())))
        .map(|c| c.id.to_string())
        .collect()
}

impl App {
    /// Every cluster of the demo's cluster systems.
    async fn demo_clusters(&self, operator: &Actor) -> AppResult<Vec<bridgehead_domain::reference::Cluster>> {
        let mut clusters = Vec::new();
        for taxonomy in self.cluster_taxonomies(operator).await? {
            clusters.extend(self.cluster_taxonomy(operator, taxonomy.id).await?.clusters);
        }
        Ok(clusters)
    }

    /// The projects signed between October 2018 and June 2019 behind the 2019 figures
    /// (see [`signings_of_2019`]); no reports, so the calibrated 2022–2023 figures stay.
    async fn build_demo_2019(&self, operator: &Actor) -> AppResult<usize> {
        use bridgehead_domain::project::ProjectFields;
        let clusters = self.demo_clusters(operator).await?;
        let mut created = 0;
        for (n, signing) in signings_of_2019().into_iter().enumerate() {
            let code = format!("{}-{}-36-01-{:06}", &signing.signed_on[..4], signing.region, 300 + n);
            if bridgehead_store::projects::get_project_by_code(&mut *self.store.read().await?, &code).await?.is_some() {
                continue;
            }
            let place = PLACES.iter().position(|p| p.0 == signing.region).unwrap_or(0);
            let investor_code = demo_credit_code(signing.region, place * 5 + n % 5);
            let investor =
                bridgehead_store::enterprises::get_by_credit_code(&mut *self.store.read().await?, &investor_code)
                    .await?
                    .ok_or(AppError::NotFound { what: "demo enterprise" })?;
            let fields = ProjectFields {
                code: Some(code),
                name_zh: Some(signing.name_zh),
                name_en: Some(signing.name_en),
                region_code: Some(signing.region.to_owned()),
                industry_code: Some(["3670", "3841", "3985", "2651"][n % 4].to_owned()),
                cluster_ids: clusters_of(&clusters, ["3670", "3841", "3985", "2651"][n % 4]),
                project_type: Some("new".to_owned()),
                capital_source: Some(if signing.foreign { "foreign" } else { "domestic" }.to_owned()),
                source_country: signing.foreign.then(|| "NL".to_owned()),
                fortune_global_500: Some(signing.fortune_global_500.to_string()),
                central_soe: Some(signing.central_soe.to_string()),
                planned_total: Some(signing.planned.to_string()),
                planned_currency: Some(signing.currency.to_owned()),
                investors: vec![(investor.id.to_string(), "100".to_owned())],
                ..ProjectFields::default()
            };
            let project = self.create_project(operator, &fields, &signing.signed_on).await?;
            for (kind, on) in signing.events {
                let event =
                    crate::projects::EventInput { kind: kind.into(), occurred_on: on.into(), ..Default::default() };
                self.record_event(operator, project.id, &event).await?;
            }
            created += 1;
        }
        Ok(created)
    }

    /// The ongoing projects that carry the calibrated figures: ten in each of Jiaxing's
    /// seven county-level units, signed in 2021 and started that autumn, with reports
    /// for every month from January 2022 to June 2023, approved by the city — amounts
    /// illustrative, their sums the published ones. Idempotent: the reports go in
    /// through the importer, which leaves equal rows alone.
    async fn build_demo_ongoing(&self, operator: &Actor) -> AppResult<()> {
        use bridgehead_domain::project::ProjectFields;
        let clusters = self.demo_clusters(operator).await?;
        let projects = JIAXING_UNITS.len() * ONGOING_PER_UNIT;
        let reports = ongoing_reports_wan(projects);
        let mut csv = String::from("项目代码,月份,本月完成投资,其中设备购置,其中建筑安装\n");
        for (unit, (region, stem)) in JIAXING_UNITS.iter().enumerate() {
            let place = PLACES.iter().position(|p| p.0 == *region).unwrap_or(0);
            for slot in 0..ONGOING_PER_UNIT {
                let index = unit * ONGOING_PER_UNIT + slot;
                let code = format!("2021-{region}-{}-01-{:06}", ["36", "39", "38", "26"][slot % 4], 200 + index);
                let exists = bridgehead_store::projects::get_project_by_code(&mut *self.store.read().await?, &code)
                    .await?
                    .is_some();
                if !exists {
                    let investor_code = demo_credit_code(region, place * 5 + slot % 5);
                    // The calibrated totals need every ongoing project: a missing investor is an error.
                    let investor = bridgehead_store::enterprises::get_by_credit_code(
                        &mut *self.store.read().await?,
                        &investor_code,
                    )
                    .await?
                    .ok_or(AppError::NotFound { what: "demo enterprise" })?;
                    let cumulative: i64 = reports[index].iter().sum();
                    let industry = ["3670", "3982", "3841", "2651"][slot % 4];
                    // Planned comfortably above what the eighteen months complete.
                    let planned_wan = (cumulative * 3 / 2 / 10_000 + 1) * 10_000;
                    let fields = ProjectFields {
                        code: Some(code.clone()),
                        name_zh: Some(format!("{stem}示例在建制造业项目{}（示例）", slot + 1)),
                        name_en: Some(format!("Example ongoing manufacturing project {} (illustrative)", slot + 1)),
                        region_code: Some((*region).to_owned()),
                        industry_code: Some(industry.to_owned()),
                        project_type: Some(["new", "expansion", "technological_transformation"][slot % 3].to_owned()),
                        cluster_ids: clusters_of(&clusters, industry),
                        planned_total: Some(format!("{}", planned_wan * 10_000)),
                        planned_fixed_assets: Some(format!("{}", planned_wan * 9_000)),
                        planned_equipment: Some(format!("{}", planned_wan * 4_000)),
                        investors: vec![(investor.id.to_string(), "100".to_owned())],
                        ..ProjectFields::default()
                    };
                    let signed_on = format!("2021-{:02}-{:02}", 3 + slot % 6, 5 + unit);
                    let project = self.create_project(operator, &fields, &signed_on).await?;
                    let start = crate::projects::EventInput {
                        kind: "started".into(),
                        occurred_on: format!("2021-{:02}-{:02}", 9 + slot % 3, 10 + unit),
                        ..Default::default()
                    };
                    self.record_event(operator, project.id, &start).await?;
                }
                for (month, wan) in reports[index].iter().enumerate() {
                    let period = format!("{}-{:02}", 2022 + month / 12, month % 12 + 1);
                    csv.push_str(&format!("{code},{period},{},{},{}\n", wan * 10_000, wan * 4_000, wan * 5_000));
                }
            }
        }
        self.import_reports(
            operator,
            "demo-ongoing-reports.csv",
            csv.as_bytes(),
            bridgehead_io::FileFormat::Csv,
            crate::projects::ReportImportMode::Approved,
            &|_, _| {},
        )
        .await?;
        Ok(())
    }

    /// Illustrative projects in Jiaxing's seven county-level units: in each, one project
    /// signed in 2022 and started in January 2023 with reports for January–June 2023
    /// approved through both review levels, and one signed in 2023 not yet started.
    /// (The statistics work calibrates amounts to the published figures.)
    async fn build_demo_projects(&self, operator: &Actor) -> AppResult<usize> {
        use bridgehead_domain::project::{ProjectFields, ReportFields};
        let clusters = self.demo_clusters(operator).await?;
        let mut created = 0;
        for (unit, (region, stem)) in JIAXING_UNITS.iter().enumerate() {
            let investor_code = demo_credit_code(region, PLACES.iter().position(|p| p.0 == *region).unwrap_or(0) * 5);
            let Some(investor) =
                bridgehead_store::enterprises::get_by_credit_code(&mut *self.store.read().await?, &investor_code)
                    .await?
            else {
                continue;
            };
            for (slot, (year, started)) in [(2022, true), (2023, false)].into_iter().enumerate() {
                let code = format!("{year}-{region}-36-01-{:06}", 100 + unit * 10 + slot);
                if bridgehead_store::projects::get_project_by_code(&mut *self.store.read().await?, &code)
                    .await?
                    .is_some()
                {
                    continue;
                }
                let planned_wan = planned_wan(unit, slot);
                let fields = ProjectFields {
                    code: Some(code),
                    name_zh: Some(format!("{stem}示例智能制造项目{}（示例）", slot + 1)),
                    name_en: Some(format!("Example smart manufacturing project {} (illustrative)", slot + 1)),
                    region_code: Some((*region).to_owned()),
                    industry_code: Some(["3670", "3982", "3841", "2651"][(unit + slot) % 4].to_owned()),
                    cluster_ids: clusters_of(&clusters, ["3670", "3982", "3841", "2651"][(unit + slot) % 4]),
                    project_type: Some(
                        ["new", "expansion", "technological_transformation"][(unit + slot) % 3].to_owned(),
                    ),
                    planned_total: Some(format!("{}", planned_wan * 10_000)),
                    planned_fixed_assets: Some(format!("{}", planned_wan * 8_000)),
                    planned_equipment: Some(format!("{}", planned_wan * 4_000)),
                    from_shanghai: Some((unit % 3 == 0).to_string()),
                    investors: vec![(investor.id.to_string(), "100".to_owned())],
                    ..ProjectFields::default()
                };
                let signed_on = format!("{year}-{:02}-{:02}", 3 + unit % 6, 10 + unit);
                let project = self.create_project(operator, &fields, &signed_on).await?;
                created += 1;
                if !started {
                    continue;
                }
                let start = crate::projects::EventInput {
                    kind: "started".into(),
                    occurred_on: "2023-01-16".into(),
                    ..Default::default()
                };
                self.record_event(operator, project.id, &start).await?;
                for month in 1..=6 {
                    // A month's investment: a steady share of the plan, varied by unit and month.
                    let completed_wan = started_project_month_wan(unit, month);
                    let figures = ReportFields {
                        completed: Some(format!("{}", completed_wan * 10_000)),
                        equipment: Some(format!("{}", completed_wan * 4_000)),
                        construction: Some(format!("{}", completed_wan * 5_000)),
                        employees: Some(format!("{}", 80 + unit * 10 + month as usize)),
                        ..ReportFields::default()
                    };
                    let report =
                        self.create_report(operator, project.id, &format!("2023-{month:02}"), &figures).await?;
                    for action in ["submit", "approve_district", "approve_city"] {
                        self.act_on_report(operator, report.id, action, None).await?;
                    }
                }
            }
        }
        Ok(created)
    }

    /// Illustrative collaborative innovation projects led by Jiaxing enterprises with
    /// partners in Shanghai and Hangzhou: one running with a milestone behind, one
    /// completed, one suspended.
    async fn build_demo_innovations(&self, operator: &Actor) -> AppResult<usize> {
        use bridgehead_domain::innovation::{BudgetLineFields, InnovationFields, MilestoneFields, PartnerFields};
        let s = |v: &str| Some(v.to_owned());
        let enterprise = |index: usize| demo_credit_code(PLACES[index / 5].0, index);
        let partner = |kind: &str, name: &str, region: &str, role: &str, enterprise_id: Option<i64>| PartnerFields {
            kind: s(kind),
            name: s(name),
            enterprise_id: enterprise_id.map(|id| id.to_string()),
            region_code: s(region),
            role: s(role),
        };
        let budget = |lines: &[(&str, &str)]| -> Vec<BudgetLineFields> {
            lines
                .iter()
                .map(|(source, amount)| BudgetLineFields { source: s(source), amount: s(amount), note: None })
                .collect()
        };
        let milestone = |title: &str, due: &str, done: Option<(&str, &str)>| MilestoneFields {
            title: s(title),
            due_on: s(due),
            completed_on: done.map(|d| d.0.to_owned()),
            evidence: done.map(|d| d.1.to_owned()),
        };
        let mut conn = self.store.read().await?;
        let mut ids = Vec::new();
        for index in [25, 35, 0, 10, 30] {
            let found = bridgehead_store::enterprises::get_by_credit_code(&mut conn, &enterprise(index)).await?;
            ids.push(found.map(|e| e.id).ok_or(AppError::NotFound { what: "demo enterprise" })?);
        }
        drop(conn);
        let (pinghu, jiading, nanhu, jiashan, tongxiang) = (ids[0], ids[1], ids[2], ids[3], ids[4]);
        let plans: Vec<(InnovationFields, Option<(&str, &str)>)> = vec![
            (
                InnovationFields {
                    name: s("平湖—上海智能传感器联合攻关（示例）"),
                    lead_enterprise_id: Some(pinghu.to_string()),
                    summary: s(
                        "Illustrative: a Pinghu sensor maker with a Shanghai university and a Jiading supplier.",
                    ),
                    starts_on: s("2024-03-01"),
                    ends_on: s("2027-02-28"),
                    partners: vec![
                        partner("university", "示例大学（上海，示例）", "310110", "传感芯片设计", None),
                        partner("enterprise", "嘉定示例协作企业（示例）", "310114", "封装测试", Some(jiading)),
                    ],
                    budget: budget(&[
                        ("lead_enterprise", "12000000"),
                        ("municipal_government", "3000000"),
                        ("partners", "2500000"),
                    ]),
                    milestones: vec![
                        milestone("完成样机设计", "2024-09-30", Some(("2024-09-20", "样机设计评审纪要（示例）"))),
                        milestone("中试线投用", "2025-06-30", None),
                        milestone("产品量产与验收", "2027-01-31", None),
                    ],
                },
                None,
            ),
            (
                InnovationFields {
                    name: s("南湖—杭州新材料中试协同（示例）"),
                    lead_enterprise_id: Some(nanhu.to_string()),
                    summary: s("Illustrative: a Nanhu materials firm with a Hangzhou institute; completed."),
                    starts_on: s("2023-01-01"),
                    ends_on: s("2024-12-31"),
                    partners: vec![partner(
                        "institute",
                        "示例新材料研究院（杭州，示例）",
                        "330100",
                        "配方与检测",
                        None,
                    )],
                    budget: budget(&[("lead_enterprise", "5000000"), ("provincial_government", "1500000")]),
                    milestones: vec![
                        milestone("配方定型", "2023-08-31", Some(("2023-08-15", "配方定型报告（示例）"))),
                        milestone("中试验收", "2024-10-31", Some(("2024-11-12", "中试验收意见（示例）"))),
                    ],
                },
                Some(("completed", "")),
            ),
            (
                InnovationFields {
                    name: s("嘉善—苏州工业软件联合开发（示例）"),
                    lead_enterprise_id: Some(jiashan.to_string()),
                    summary: s("Illustrative: suspended while the partner reorganises."),
                    starts_on: s("2024-06-01"),
                    ends_on: s("2026-12-31"),
                    partners: vec![
                        partner("enterprise", "示例工业软件公司（苏州，示例）", "320500", "软件平台", None),
                        partner("enterprise", "桐乡示例协作企业（示例）", "330483", "应用验证", Some(tongxiang)),
                    ],
                    budget: budget(&[("lead_enterprise", "8000000"), ("financing", "4000000")]),
                    milestones: vec![
                        milestone("需求与架构评审", "2024-12-31", Some(("2024-12-20", "架构评审纪要（示例）"))),
                        milestone("试点产线上线", "2026-06-30", None),
                    ],
                },
                Some(("suspended", "合作方重组，暂停推进（示例）")),
            ),
        ];
        let mut created = 0;
        for (fields, status) in plans {
            let name = fields.name.clone().unwrap_or_default();
            let query =
                crate::innovation::InnovationQuery { search: Some(name.clone()), limit: 10, ..Default::default() };
            let (existing, _) = self.list_innovations(operator, &query).await?;
            if existing.iter().any(|e| e.innovation.record.name == name) {
                continue;
            }
            let innovation = self.create_innovation(operator, &fields).await?;
            if let Some((to, reason)) = status {
                self.change_innovation_status(operator, innovation.id, None, to, Some(reason)).await?;
            }
            created += 1;
        }
        Ok(created)
    }

    /// Builds the demo data set, or leaves it as it is when it is already there.
    pub async fn build_demo(&self) -> AppResult<DemoSummary> {
        let operator = Actor::system("demo");
        self.ensure_reference_data().await?;

        let existing_parks = self.parks(&operator, None).await?;
        for park in parks() {
            let exists = existing_parks.iter().any(|p| {
                Some(&p.name_zh) == park.name_zh.as_ref() && Some(&p.region_code) == park.region_code.as_ref()
            });
            if !exists {
                self.create_park(&operator, &park).await?;
            }
        }
        let existing_systems = self.cluster_taxonomies(&operator).await?;
        for system in cluster_systems() {
            if !existing_systems.iter().any(|t| t.code == system.code) {
                self.create_cluster_taxonomy(&operator, &system).await?;
            }
        }
        // Illustrative rates (CNY per unit) around the dates the demo's projects use.
        for (date, currency, rate) in [
            ("2018-10-08", "USD", "6.8957"),
            ("2019-06-28", "USD", "6.8747"),
            ("2019-06-28", "EUR", "7.8170"),
            ("2023-06-30", "USD", "7.2258"),
            ("2023-06-30", "EUR", "7.8771"),
        ] {
            self.put_exchange_rate(&operator, Some(date), Some(currency), Some(rate), Some("demo (illustrative)"))
                .await?;
        }

        // The enterprises go in through the importer, as a user's file would.
        let rows = demo_enterprises();
        let mut rows_iter = rows.iter().map(bridgehead_io::enterprises::record_row);
        let file = bridgehead_io::write_sheet(
            crate::enterprises::ENTERPRISE_COLUMNS,
            bridgehead_io::Lang::En,
            bridgehead_io::FileFormat::Csv,
            None,
            &mut rows_iter,
        )
        .map_err(|e| AppError::Internal(e.to_string()))?;
        self.import_enterprises(&operator, "demo-enterprises.csv", &file, bridgehead_io::FileFormat::Csv, &|_, _| {})
            .await?;

        self.build_demo_projects(&operator).await?;
        self.build_demo_ongoing(&operator).await?;
        self.build_demo_2019(&operator).await?;
        // Published figures (demo_facts.md); the fixed-asset investment of January–June
        // 2023 is read off the article's 35.7% share.
        let indicators = "indicator,region_code,period,value,growth,source\n\
            fixed_asset_investment,330400,2023-06,178960000000,,嘉兴市统计（据报道推算，示例）\n\
            gdp,330400,2019-06,,7.1,嘉兴市统计（据报道，示例）\n\
            industrial_value_added,330400,2019-06,97300000000,7.1,嘉兴市统计（据报道，示例）\n\
            fixed_asset_investment,330400,2019-06,,10.5,嘉兴市统计（据报道，示例）\n\
            foreign_capital_used,330400,2019-06,2010000000,,嘉兴市商务（据报道，示例）\n";
        self.import_indicators(
            &operator,
            "demo-indicators.csv",
            indicators.as_bytes(),
            bridgehead_io::FileFormat::Csv,
            &|_, _| {},
        )
        .await?;
        self.build_demo_innovations(&operator).await?;

        let mut conn = self.store.read().await?;
        let first_enterprise =
            bridgehead_store::enterprises::get_by_credit_code(&mut conn, &demo_credit_code("330482", 25))
                .await?
                .ok_or(AppError::NotFound { what: "demo enterprise" })?;
        let enterprises = bridgehead_store::enterprises::count(&mut conn).await?;
        drop(conn);

        let mut tx = self.store.begin().await?;
        let organizations = [
            (
                OrganizationKind::Bank,
                "示例银行嘉兴分行（示例）",
                "Example Bank Jiaxing Branch (illustrative)",
                "330400",
            ),
            (
                OrganizationKind::FundManager,
                "示例产业基金管理有限公司（示例）",
                "Example Industry Fund Management (illustrative)",
                "330400",
            ),
            (
                OrganizationKind::ServiceProvider,
                "示例检测认证服务中心（示例）",
                "Example Testing Service Centre (illustrative)",
                "310114",
            ),
            (
                OrganizationKind::ClearingParticipant,
                "嘉兴市民卡示例运营方（示例）",
                "Jiaxing Citizen Card Operator (illustrative)",
                "330400",
            ),
        ];
        let mut organization_ids = Vec::new();
        for (kind, zh, en, region) in organizations {
            organization_ids.push(store_reference::ensure_organization(&mut tx, kind, zh, Some(en), region).await?.id);
        }
        tx.commit().await?;
        self.build_demo_funds(&operator, organization_ids[1]).await?;

        let plan: Vec<(&str, &str, Role, Scope)> = vec![
            ("admin", "系统管理员（示例）", Role::Administrator, Scope::Installation),
            ("city", "嘉兴市经信局分析员（示例）", Role::CityAnalyst, Scope::Region { region_code: "330400".into() }),
            (
                "pinghu",
                "平湖市经信局审核员（示例）",
                Role::DistrictOfficer,
                Scope::Region { region_code: "330482".into() },
            ),
            (
                "nanhu",
                "南湖区经信局审核员（示例）",
                Role::DistrictOfficer,
                Scope::Region { region_code: "330402".into() },
            ),
            (
                "enterprise",
                "企业填报员（示例）",
                Role::EnterpriseUser,
                Scope::Enterprise { enterprise_id: first_enterprise.id },
            ),
            (
                "bank",
                "银行客户经理（示例）",
                Role::InstitutionUser,
                Scope::Organization { organization_id: organization_ids[0] },
            ),
            (
                "fund",
                "基金管理人（示例）",
                Role::FundManager,
                Scope::Organization { organization_id: organization_ids[1] },
            ),
            (
                "provider",
                "服务机构（示例）",
                Role::ServiceProvider,
                Scope::Organization { organization_id: organization_ids[2] },
            ),
            (
                "clearing",
                "清算参与方（示例）",
                Role::ClearingParticipant,
                Scope::Organization { organization_id: organization_ids[3] },
            ),
        ];
        let known = self.list_users(&operator).await?;
        let mut users = Vec::new();
        for (username, display_name, role, scope) in plan {
            if !known.iter().any(|u| u.username == username) {
                let (region_code, enterprise_id, organization_id) = match &scope {
                    Scope::Region { region_code } => (Some(region_code.clone()), None, None),
                    Scope::Enterprise { enterprise_id } => (None, Some(*enterprise_id), None),
                    Scope::Organization { organization_id } => (None, None, Some(*organization_id)),
                    Scope::Installation => (None, None, None),
                };
                self.add_user(
                    &operator,
                    UserRequest {
                        username: username.to_owned(),
                        display_name: Some(display_name.to_owned()),
                        password: DEMO_PASSWORD.to_owned(),
                        role,
                        region_code,
                        enterprise_id,
                        organization_id,
                    },
                )
                .await?;
            }
            let scope_text = match &scope {
                Scope::Installation => "installation".to_owned(),
                Scope::Region { region_code } => format!("region {region_code}"),
                Scope::Enterprise { .. } => format!("enterprise {}", first_enterprise.record.name_zh),
                Scope::Organization { organization_id } => format!("organisation {organization_id}"),
            };
            users.push(DemoUser { username: username.to_owned(), role, scope: scope_text });
        }
        Ok(DemoSummary { users, enterprises, password: DEMO_PASSWORD })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bridgehead_domain::codes::CreditCode;

    #[test]
    fn the_calibrated_windows_add_up_to_the_published_figures() {
        assert_eq!(split_exactly(10, &[1, 1, 1]), [4, 3, 3]);
        assert_eq!(split_exactly(7, &[0, 5]), [0, 7]);
        let rows = ongoing_reports_wan(70);
        let window = |months: std::ops::Range<usize>| -> i64 {
            rows.iter().map(|r| r[months.clone()].iter().sum::<i64>()).sum()
        };
        let registry = |months: std::ops::RangeInclusive<i64>| -> i64 {
            (0..JIAXING_UNITS.len()).map(|u| months.clone().map(|m| started_project_month_wan(u, m)).sum::<i64>()).sum()
        };
        assert_eq!(window(0..3), 2_339_000);
        assert_eq!(window(12..15) + registry(1..=3), 2_903_000);
        assert_eq!(window(12..18) + registry(1..=6), 6_389_000);
        assert!(rows.iter().flatten().all(|wan| *wan > 0), "every month has some investment");
    }

    #[test]
    fn demo_enterprises_are_valid_and_illustrative() {
        let enterprises = demo_enterprises();
        assert_eq!(enterprises.len(), PLACES.len() * 5);
        let mut codes = std::collections::HashSet::new();
        for fields in &enterprises {
            let record = fields.validate(false).unwrap();
            assert!(CreditCode::parse(record.credit_code.as_str()).is_ok());
            assert!(record.name_zh.contains("示例"));
            assert!(codes.insert(record.credit_code.to_string()));
        }
    }
}
