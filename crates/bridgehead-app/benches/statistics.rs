//! The statistics engine on a database (the province-scale demo): build time, memory and
//! the medians of the two benchmark tables (BENCHMARKS.md).
//!
//!   cargo bench -p bridgehead-app --bench statistics -- DATABASE_URL [REGION] [PERIOD] [RUNS]
//!
//! Q1: the official table of REGION (default 330000) by its children, January..PERIOD
//! (default 2025-06) and the same months a year earlier, with growth, share and rank, over
//! all projects; Q2: the same for industry prefix "3" and size tier "billion" and above.
//! Prints one line per measure and the tables' totals (to compare with other tools).

use std::time::{Duration, Instant};

use bridgehead_app::{AccessSettings, App};
use bridgehead_domain::facts::{Breakdown, FactIndex, Filter, Measure};
use bridgehead_domain::period::Period;
use bridgehead_domain::statistics::{RegionSums, RegionTable, region_table};
use bridgehead_store::{Store, StoreOptions};

fn table(index: &FactIndex, region: &str, through: Period, filter: &Filter) -> RegionTable {
    let sums = index.sums(region, through, Measure::Completed, filter, Breakdown::ChildRegions).expect("known region");
    let as_region = |s: &bridgehead_domain::facts::KeyedSums| RegionSums {
        region_code: s.key.clone(),
        current_minor: s.current_minor,
        previous_minor: s.previous_minor,
    };
    let children: Vec<RegionSums> = sums.lines.iter().map(as_region).collect();
    region_table(&as_region(&sums.total), &children)
}

fn median_and_p99(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (ms(times[times.len() / 2]), ms(times[(times.len() * 99 / 100).min(times.len() - 1)]))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let url = args.first().expect("usage: statistics DATABASE_URL [REGION] [PERIOD] [RUNS]").clone();
    let region = args.get(1).cloned().unwrap_or_else(|| "330000".into());
    let through = Period::parse(args.get(2).map_or("2025-06", String::as_str)).expect("period YYYY-MM");
    let runs: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(200);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        sqlx::any::install_default_drivers();
        let store = Store::connect(&url, &StoreOptions::default()).await.expect("open the database");
        let app = App::new(store, AccessSettings::default());
        let status = app.statistics.start(&app.store).await.expect("build the engine");
        println!("engine_build_ms {}", status.build_millis);
        println!("engine_projects {}", status.projects);
        println!("engine_entries {}", status.entries);
        println!("engine_memory_mib {:.0}", status.memory_bytes as f64 / f64::from(1 << 20));
        let index = app.statistics.current(&app.store).await.expect("engine");
        let tiers = index.tiers().to_vec();
        let q2 = Filter {
            industry_prefix: Some("3".into()),
            min_band: u8::try_from(tiers.iter().position(|t| t.code == "billion").expect("tier billion") + 1)
                .expect("band"),
            ..Filter::default()
        };
        for (name, filter) in [("q1", Filter::default()), ("q2", q2)] {
            for _ in 0..5 {
                std::hint::black_box(table(&index, &region, through, &filter));
            }
            let mut times = Vec::with_capacity(runs);
            let mut last = None;
            for _ in 0..runs {
                let started = Instant::now();
                last = Some(std::hint::black_box(table(&index, &region, through, &filter)));
                times.push(started.elapsed());
            }
            let (median, p99) = median_and_p99(times);
            println!("{name}_engine_median_ms {median:.3}");
            println!("{name}_engine_p99_ms {p99:.3}");
            if let Some(t) = last {
                println!("{name}_total {} {}", t.total.current_minor, t.total.previous_minor);
                for line in t.children {
                    println!("{name}_line {} {} {}", line.region_code, line.current_minor, line.previous_minor);
                }
            }
        }
    });
}
