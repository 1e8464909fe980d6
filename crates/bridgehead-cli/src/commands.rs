//! What each command does.

use std::io::{BufRead, IsTerminal};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use bridgehead_app::auth::UserRequest;
use bridgehead_app::projects::ReportImportMode;
use bridgehead_app::{AccessSettings, Actor, App, AppError};
use bridgehead_domain::access::{Role, TokenScope};
use bridgehead_io::FileFormat;
use bridgehead_store::{Store, StoreOptions};
use bridgehead_web::WebSettings;
use indicatif::{ProgressBar, ProgressStyle};

use crate::settings::{EXAMPLE, Overrides, Settings};
use crate::{
    AuditCommand, Cli, Command, ConfigCommand, CountFormat, DemoScale, ExportKind, FundsCommand, ImportKind, LangArg,
    ReportCommand, ReportFormat, UserCommand,
};

fn init_logging(filter: &str) {
    let filter =
        tracing_subscriber::EnvFilter::try_new(filter).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

/// Explains a use-case error at the command line, listing every row or field at fault.
fn explain(error: AppError) -> anyhow::Error {
    match error {
        AppError::ImportRows(rows) => {
            let mut text = format!("{} problems in the file; nothing was imported:", rows.len());
            for row in rows {
                text.push_str(&format!(
                    "\n  row {}, column {}: {} (value: {:?})",
                    row.row, row.column, row.reason, row.value
                ));
            }
            anyhow!(text)
        }
        AppError::Invalid(errors) => {
            let lines: Vec<String> = errors.0.iter().map(|e| format!("  {}: {}", e.field, e.message)).collect();
            anyhow!("invalid input:\n{}", lines.join("\n"))
        }
        other => anyhow!(other),
    }
}

async fn open(settings: &Settings) -> anyhow::Result<App> {
    if settings.is_sqlite() {
        let path = bridgehead_store::backup::sqlite_path(settings.database_url.expose())?;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
    }
    let store = Store::connect(settings.database_url.expose(), &StoreOptions::default()).await?;
    let applied = store.migrate().await?;
    if !applied.is_empty() {
        tracing::info!(?applied, "database migrated");
    }
    let access = AccessSettings { session_hours: settings.session_hours, ..AccessSettings::default() };
    let app = App::new(store, access);
    if let Some(counts) = app.ensure_reference_data().await.map_err(explain)? {
        tracing::info!(?counts, "loaded the shipped reference data");
    }
    Ok(app)
}

fn operator() -> Actor {
    let who = std::env::var("USER").unwrap_or_else(|_| "operator".to_owned());
    Actor::system(&format!("cli:{who}"))
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let listen = match &cli.command {
        Command::Serve { listen } | Command::Demo { listen, .. } => listen.clone(),
        _ => None,
    };
    let overrides = Overrides {
        config: cli.global.config,
        data_dir: cli.global.data_dir,
        database_url: cli.global.database_url,
        listen,
    };
    if let Command::Config { command: ConfigCommand::Example } = cli.command {
        print!("{EXAMPLE}");
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Funds { command: FundsCommand::Xirr { csv, batch, output, timing } } = &cli.command {
        funds_xirr(csv, *batch, output.as_deref(), *timing)?;
        return Ok(ExitCode::SUCCESS);
    }
    let settings = Settings::load(&overrides)?;
    init_logging(&settings.log);
    match cli.command {
        Command::Config { command: ConfigCommand::Show } => {
            println!("{settings:#?}");
        }
        Command::Funds { command: FundsCommand::ImportLedger { fund, file } } => {
            let app = open(&settings).await?;
            import_ledger(&app, fund, &file).await?;
        }
        Command::Funds { command: FundsCommand::LedgerTemplate { file, lang } } => {
            let bytes =
                bridgehead_io::template(bridgehead_app::fund_ledger::LEDGER_COLUMNS, lang.into(), file_format(&file)?)
                    .map_err(|e| anyhow!("{e}"))?;
            std::fs::write(&file, &bytes).with_context(|| format!("cannot write {}", file.display()))?;
            println!("wrote {} ({} bytes)", file.display(), bytes.len());
        }
        Command::Config { command: ConfigCommand::Example } | Command::Funds { .. } => {}
        Command::Migrate => {
            let store = Store::connect(settings.database_url.expose(), &StoreOptions::default()).await?;
            let applied = store.migrate().await?;
            let version = bridgehead_store::migrate::current_version(&store).await?;
            println!("schema version {version} ({} migrations applied now)", applied.len());
        }
        Command::Serve { .. } => {
            let app = open(&settings).await?;
            serve(app, &settings, None).await?;
        }
        Command::Demo { no_serve, scale, projects, .. } => {
            let app = open(&settings).await?;
            let summary = app.build_demo().await.map_err(explain)?;
            let mut banner = demo_banner(&summary);
            if scale == DemoScale::Province {
                let mut size = bridgehead_app::province::ProvinceScale::default();
                if let Some(projects) = projects {
                    size.projects = projects;
                }
                let started = std::time::Instant::now();
                let step = (size.projects / 20).max(1);
                let progress = |done: usize, of: usize| {
                    if done % step < bridgehead_app::province::PROJECTS_PER_TRANSACTION || done == of {
                        eprintln!(
                            "province data set: {done} of {of} projects ({:.0} s)",
                            started.elapsed().as_secs_f64()
                        );
                    }
                };
                let province = app.build_province_demo(&size, &progress).await.map_err(explain)?;
                banner.push_str(&format!(
                    "\nProvince scale: {} projects, {} counted monthly reports in {} county-level regions{}.",
                    province.projects,
                    province.reports,
                    province.counties.len(),
                    if province.built {
                        format!(", built in {:.0} s", started.elapsed().as_secs_f64())
                    } else {
                        " (already there)".to_owned()
                    }
                ));
            }
            if no_serve {
                println!("{banner}");
            } else {
                serve(app, &settings, Some(banner)).await?;
            }
        }
        Command::Import { kind, file, approved } => {
            let app = open(&settings).await?;
            import(&app, kind, &file, approved).await?;
        }
        Command::Export { kind, file, lang } => {
            let app = open(&settings).await?;
            export(&app, kind, &file, lang).await?;
        }
        Command::User { command } => {
            let app = open(&settings).await?;
            user(&app, command).await?;
        }
        Command::Backup { file } => {
            let store = Store::connect(settings.database_url.expose(), &StoreOptions::default()).await?;
            bridgehead_store::backup::backup(&store, settings.database_url.expose(), &file).await?;
            let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
            println!("backup written to {} ({size} bytes)", file.display());
        }
        Command::Restore { file, yes } => {
            if !yes {
                bail!(
                    "restore replaces every record of the database with the backup's; run again with --yes to confirm"
                );
            }
            let backend = bridgehead_store::Backend::from_url(settings.database_url.expose())?;
            bridgehead_store::backup::restore(backend, settings.database_url.expose(), &file).await?;
            println!("restored {}", file.display());
        }
        Command::Report {
            command:
                ReportCommand::Investment { region, period, format, measure, industry, tier, reference, lang, output },
        } => {
            let app = open(&settings).await?;
            let filter = bridgehead_app::statistics::FilterFields { industry, tier, ..Default::default() };
            let query = bridgehead_app::statistics::InvestmentQuery { region, period, measure: Some(measure), filter };
            let table = if reference {
                app.investment_table_reference(&operator(), &query).await
            } else {
                app.investment_table(&operator(), &query).await
            };
            let table = table.map_err(explain)?;
            let lang = bridgehead_io::Lang::from(lang);
            let bytes = match format {
                ReportFormat::Table => {
                    text_table(&table.title(lang), bridgehead_io::statistics::TABLE_COLUMNS, &table.rows(lang), lang)
                        .into_bytes()
                }
                ReportFormat::Csv => table.file(lang, FileFormat::Csv).map_err(explain)?,
                ReportFormat::Json => {
                    let mut json = serde_json::to_vec_pretty(&table).context("writing JSON")?;
                    json.push(b'\n');
                    json
                }
                ReportFormat::Xlsx => table.file(lang, FileFormat::Xlsx).map_err(explain)?,
            };
            match output {
                Some(path) => {
                    std::fs::write(&path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
                    println!("wrote {} ({} bytes)", path.display(), bytes.len());
                }
                None if format == ReportFormat::Xlsx => {
                    return Err(anyhow!("an .xlsx table goes to a file: add --output FILE.xlsx"));
                }
                None => std::io::Write::write_all(&mut std::io::stdout(), &bytes).context("writing the table")?,
            }
        }
        Command::Report {
            command:
                ReportCommand::Projects {
                    region,
                    through,
                    months,
                    event,
                    by,
                    tier,
                    industry,
                    fortune_global_500,
                    format,
                    lang,
                },
        } => {
            let app = open(&settings).await?;
            let query = bridgehead_app::statistics::ProjectCountQuery {
                region,
                event: Some(event),
                through,
                months: Some(months),
                by: Some(by),
                filter: bridgehead_app::statistics::FilterFields { industry, tier, ..Default::default() },
                fortune_global_500,
            };
            let counts = app.project_counts(&operator(), &query).await.map_err(explain)?;
            if format == CountFormat::Json {
                println!("{}", serde_json::to_string_pretty(&counts).context("writing JSON")?);
                return Ok(ExitCode::SUCCESS);
            }
            let lang = bridgehead_io::Lang::from(lang);
            let name = |key: &str| -> String {
                if key.is_empty() {
                    return match lang {
                        bridgehead_io::Lang::Zh => "（其他）".to_owned(),
                        bridgehead_io::Lang::En => "(none)".to_owned(),
                    };
                }
                counts.tiers.iter().find(|t| t.code == key).map_or_else(
                    || key.to_owned(),
                    |t| match lang {
                        bridgehead_io::Lang::Zh => t.name_zh.clone(),
                        bridgehead_io::Lang::En => t.name_en.clone(),
                    },
                )
            };
            let hundred_millions = bridgehead_app::statistics::hundred_millions;
            let mut rows = vec![vec![
                match lang {
                    bridgehead_io::Lang::Zh => "合计".to_owned(),
                    bridgehead_io::Lang::En => "Total".to_owned(),
                },
                counts.counts.total.projects.to_string(),
                hundred_millions(counts.counts.total.planned_total_cny_minor),
            ]];
            rows.extend(
                counts
                    .counts
                    .lines
                    .iter()
                    .map(|l| vec![name(&l.key), l.projects.to_string(), hundred_millions(l.planned_total_cny_minor)]),
            );
            let title = match lang {
                bridgehead_io::Lang::Zh => format!(
                    "{} {} 至 {} {}项目（按{}）",
                    counts.region_code,
                    counts.from,
                    counts.to,
                    match counts.event.as_str() {
                        "started" => "开工",
                        "in_production" => "投产",
                        _ => "签约",
                    },
                    match counts.by.as_str() {
                        "tier" => "规模",
                        "industry" => "行业大类",
                        "cluster" => "产业集群",
                        "park" => "园区",
                        "project_type" => "项目类型",
                        "capital_source" => "资金来源",
                        _ => "地区",
                    }
                ),
                bridgehead_io::Lang::En => format!(
                    "{}: projects {} {} to {} by {}",
                    counts.region_code,
                    counts.event.as_str(),
                    counts.from,
                    counts.to,
                    counts.by.as_str()
                ),
            };
            print!("{}", text_table(&title, bridgehead_io::statistics::COUNT_COLUMNS, &rows, lang));
        }
        Command::Audit { command } => {
            let app = open(&settings).await?;
            let actor = operator();
            match command {
                AuditCommand::Verify => {
                    let report = app.audit_verify(&actor).await.map_err(explain)?;
                    match report.first_broken {
                        None => println!(
                            "audit chain intact: {} records, head {} {}",
                            report.records_checked, report.head.seq, report.head.hash
                        ),
                        Some(broken) => {
                            println!("audit chain BROKEN at record {}: {}", broken.seq, broken.reason);
                            return Ok(ExitCode::from(1));
                        }
                    }
                }
                AuditCommand::Head => {
                    let head = app.audit_head(&actor).await.map_err(explain)?;
                    println!("{} {}", head.seq, head.hash);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `bridgehead funds xirr`: one series (prints the rate or the reason) or a batch (CSV
/// lines). Runs without configuration or database.
fn funds_xirr(file: &Path, batch: bool, output: Option<&Path>, timing: bool) -> anyhow::Result<()> {
    use std::io::Write;
    let started = std::time::Instant::now();
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let series =
        bridgehead_io::funds::read_cash_flows(&bytes, batch).map_err(|e| anyhow!("{}: {e}", file.display()))?;
    let read = started.elapsed();
    let computing = std::time::Instant::now();
    let flows: Vec<&[bridgehead_domain::funds::xirr::CashFlow]> = series.iter().map(|s| s.flows.as_slice()).collect();
    let results = if batch {
        bridgehead_app::funds::xirr_batch(&flows)
    } else {
        vec![bridgehead_domain::funds::xirr::xirr(flows.first().copied().unwrap_or_default())]
    };
    let computed = computing.elapsed();
    let mut out: Box<dyn Write> = match output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    if batch {
        writeln!(out, "series,rate,reason_code,reason")?;
        for (s, result) in series.iter().zip(&results) {
            let name = csv_field(&s.name);
            match result {
                Ok(rate) => writeln!(out, "{name},{rate},,")?,
                Err(no) => writeln!(out, "{name},,{},{}", no.code(), csv_field(&no.to_string()))?,
            }
        }
    } else {
        match results.first() {
            Some(Ok(rate)) => writeln!(out, "{rate}")?,
            Some(Err(no)) => writeln!(out, "{no} ({})", no.code())?,
            None => {}
        }
    }
    out.flush()?;
    if timing {
        eprintln!(
            "{} series, {} flows: read {:.3} s, computed {:.3} s ({:.3} µs a series)",
            series.len(),
            flows.iter().map(|f| f.len()).sum::<usize>(),
            read.as_secs_f64(),
            computed.as_secs_f64(),
            computed.as_secs_f64() * 1e6 / series.len().max(1) as f64
        );
    }
    Ok(())
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_owned() }
}

fn demo_banner(summary: &bridgehead_app::demo::DemoSummary) -> String {
    let mut text = format!(
        "Demo data ready: {} illustrative enterprises. Sign in with any of these users, password \"{}\":\n",
        summary.enterprises, summary.password
    );
    for user in &summary.users {
        text.push_str(&format!("  {:<11} {:<21} {}\n", user.username, user.role.as_str(), user.scope));
    }
    text
}

async fn serve(app: App, settings: &Settings, banner: Option<String>) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let address = listener.local_addr()?;
    if let Some(banner) = banner {
        println!("{banner}");
    }
    let engine = app.statistics.start(&app.store).await.map_err(explain)?;
    println!(
        "Statistics engine: {} projects, {} month entries, {} MiB, built in {} ms",
        engine.projects,
        engine.entries,
        engine.memory_bytes / (1 << 20),
        engine.build_millis
    );
    app.fund_book.current(&app.store).await.map_err(explain)?;
    let book = app.fund_book.status().await;
    println!("Fund book: {} funds, built in {} ms", book.funds, book.build_millis);
    println!("Bridgehead is serving at http://{address}/ (database: {})", app.store.backend().name());
    let web = WebSettings {
        secure_cookies: settings.secure_cookies,
        trust_forwarded_for: settings.trust_forwarded_for,
        max_body_bytes: settings.max_body_mib * 1024 * 1024,
        request_timeout: Duration::from_secs(300),
    };
    let shutdown = async {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) else {
                let _ = ctrl_c.await;
                return;
            };
            tokio::select! {
                _ = ctrl_c => {},
                _ = term.recv() => {},
            }
        }
        #[cfg(not(unix))]
        {
            let _ = ctrl_c.await;
        }
        tracing::info!("shutting down");
    };
    bridgehead_web::launch(app, web, listener, shutdown).await?;
    Ok(())
}

/// A table as aligned text: the title, the header, the lines (columns padded to their
/// widest cell, counting a Chinese character as two columns).
fn text_table(
    title: &str,
    columns: &[bridgehead_io::ColumnSpec],
    rows: &[Vec<String>],
    lang: bridgehead_io::Lang,
) -> String {
    let width = |text: &str| text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum::<usize>();
    let header: Vec<String> = columns
        .iter()
        .map(|c| match lang {
            bridgehead_io::Lang::Zh => c.zh.to_owned(),
            bridgehead_io::Lang::En => c.en.to_owned(),
        })
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|i| std::iter::once(&header).chain(rows).map(|r| r.get(i).map_or(0, |c| width(c))).max().unwrap_or(0))
        .collect();
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (cell, w))| {
                let pad = " ".repeat(w.saturating_sub(width(cell)));
                if i == 0 { format!("{cell}{pad}") } else { format!("{pad}{cell}") }
            })
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    let mut out = format!("{title}\n{}\n", line(&header));
    for row in rows {
        out.push_str(&line(row));
        out.push('\n');
    }
    out
}

fn file_format(path: &Path) -> anyhow::Result<FileFormat> {
    FileFormat::from_file_name(&path.to_string_lossy())
        .ok_or_else(|| anyhow!("{}: use a .xlsx or .csv file name", path.display()))
}

/// A progress bar on a terminal; log lines every tenth otherwise.
fn progress_bar(label: &str) -> ProgressBar {
    let bar = ProgressBar::new(0);
    if std::io::stderr().is_terminal() {
        if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})") {
            bar.set_style(style.progress_chars("=> "));
        }
    } else {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar.set_message(label.to_owned());
    bar
}

async fn import(app: &App, kind: ImportKind, file: &Path, approved: bool) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let actor = operator();
    match kind {
        ImportKind::Enterprises
        | ImportKind::Reports
        | ImportKind::Projects
        | ImportKind::Events
        | ImportKind::Indicators => {
            let format = file_format(file)?;
            let bar = progress_bar("checking and storing");
            let logged = std::sync::atomic::AtomicU64::new(0);
            let progress = |done: usize, total: usize| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
                if bar.is_hidden() && total > 0 {
                    let tenth = (done * 10 / total) as u64;
                    if tenth > logged.load(std::sync::atomic::Ordering::Relaxed) {
                        logged.store(tenth, std::sync::atomic::Ordering::Relaxed);
                        eprintln!("import: {}% ({done}/{total} steps)", tenth * 10);
                    }
                }
            };
            let name = file.file_name().map_or_else(|| "file".to_owned(), |n| n.to_string_lossy().into_owned());
            let result = match kind {
                ImportKind::Reports => {
                    let mode = if approved { ReportImportMode::Approved } else { ReportImportMode::Drafts };
                    app.import_reports(&actor, &name, &bytes, format, mode, &progress).await
                }
                ImportKind::Projects => app.import_projects(&actor, &name, &bytes, format, &progress).await,
                ImportKind::Events => app.import_events(&actor, &name, &bytes, format, &progress).await,
                ImportKind::Indicators => app.import_indicators(&actor, &name, &bytes, format, &progress).await,
                _ => app.import_enterprises(&actor, &name, &bytes, format, &progress).await,
            };
            bar.finish_and_clear();
            let outcome = result.map_err(explain)?;
            println!(
                "imported {} rows: {} created, {} updated, {} unchanged",
                outcome.rows, outcome.created, outcome.updated, outcome.unchanged
            );
            if !outcome.ignored_columns.is_empty() {
                println!("ignored columns: {}", outcome.ignored_columns.join(", "));
            }
        }
        ImportKind::ExchangeRates => {
            let rows = app.import_exchange_rates(&actor, &bytes, file_format(file)?).await.map_err(explain)?;
            println!("imported {rows} exchange rates");
        }
        ImportKind::Regions => {
            let text = String::from_utf8(bytes).context("the regions file must be UTF-8 CSV")?;
            let rows = app.import_regions_csv(&actor, &text).await.map_err(explain)?;
            println!("imported {rows} regions");
        }
        ImportKind::Calendar => {
            let text = String::from_utf8(bytes).context("the calendar file must be UTF-8 CSV")?;
            let source = file.file_name().map_or_else(|| "import".to_owned(), |n| n.to_string_lossy().into_owned());
            let years = app.import_calendar(&actor, &text, &source).await.map_err(explain)?;
            println!(
                "imported the calendar of {}",
                years.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
            );
        }
        ImportKind::Industries => {
            let text = String::from_utf8(bytes).context("the industries file must be UTF-8 CSV")?;
            let rows = app.import_industries_csv(&actor, &text).await.map_err(explain)?;
            println!("imported {rows} industry entries");
        }
    }
    Ok(())
}

/// `bridgehead funds import-ledger`: one fund's ledger entries from a file, then what
/// was written, kind by kind.
async fn import_ledger(app: &App, fund: i64, file: &Path) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let name = file.file_name().map_or_else(|| "file".to_owned(), |n| n.to_string_lossy().into_owned());
    let outcome =
        app.import_fund_ledger(&operator(), fund, &bytes, file_format(file)?, &name).await.map_err(explain)?;
    let money = bridgehead_domain::money::format_major_units;
    if outcome.already_imported {
        println!(
            "{} was imported into fund {} already (import {}, {}): nothing written now. That import wrote:",
            outcome.file_name, outcome.fund_id, outcome.import_id, outcome.imported_at
        );
    } else {
        println!("imported into fund {} (import {}):", outcome.fund_id, outcome.import_id);
    }
    for (kind, total) in &outcome.by_kind {
        println!("  {kind:<15} {:>6} entries {:>20}", total.entries, money(total.amount_minor));
    }
    println!("  {:<15} {:>6} entries {:>20} yuan", "total", outcome.entries, money(outcome.total_amount_minor));
    if outcome.mirrored > 0 {
        println!("  and {} entries mirrored into the ledgers of the investing funds", outcome.mirrored);
    }
    if !outcome.ignored_columns.is_empty() {
        println!("ignored columns: {}", outcome.ignored_columns.join(", "));
    }
    Ok(())
}

async fn export(app: &App, kind: ExportKind, file: &Path, lang: LangArg) -> anyhow::Result<()> {
    let format = file_format(file)?;
    let lang = bridgehead_io::Lang::from(lang);
    let bytes = match kind {
        ExportKind::Enterprises => app
            .export_enterprises(&operator(), bridgehead_store::enterprises::EnterpriseFilter::default(), lang, format)
            .await
            .map_err(explain)?,
        ExportKind::EnterpriseTemplate => {
            bridgehead_io::template(bridgehead_app::enterprises::ENTERPRISE_COLUMNS, lang, format)
                .map_err(|e| anyhow!("{e}"))?
        }
        ExportKind::Reports => app.export_reports(&operator(), None, None, lang, format).await.map_err(explain)?,
        ExportKind::ReportTemplate => {
            bridgehead_io::template(bridgehead_io::reports::REPORT_COLUMNS, lang, format).map_err(|e| anyhow!("{e}"))?
        }
        ExportKind::Projects => app.export_projects(&operator(), lang, format).await.map_err(explain)?,
        ExportKind::ProjectTemplate => bridgehead_io::template(bridgehead_io::projects::PROJECT_COLUMNS, lang, format)
            .map_err(|e| anyhow!("{e}"))?,
        ExportKind::Events => app.export_events(&operator(), lang, format).await.map_err(explain)?,
        ExportKind::EventTemplate => {
            bridgehead_io::template(bridgehead_io::projects::EVENT_COLUMNS, lang, format).map_err(|e| anyhow!("{e}"))?
        }
    };
    std::fs::write(file, &bytes).with_context(|| format!("cannot write {}", file.display()))?;
    println!("wrote {} ({} bytes)", file.display(), bytes.len());
    Ok(())
}

/// The password for a user command: BRIDGEHEAD_PASSWORD, standard input, or generated.
fn password(from_stdin: bool, generate: bool) -> anyhow::Result<(String, bool)> {
    if let Ok(password) = std::env::var("BRIDGEHEAD_PASSWORD")
        && !password.is_empty()
    {
        return Ok((password, false));
    }
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        return Ok((line.trim_end_matches(['\n', '\r']).to_owned(), false));
    }
    if generate {
        const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        let password: String = (0..16).map(|_| char::from(ALPHABET[rand::random_range(0..ALPHABET.len())])).collect();
        return Ok((password, true));
    }
    bail!("give the password in BRIDGEHEAD_PASSWORD or with --password-stdin")
}

async fn user(app: &App, command: UserCommand) -> anyhow::Result<()> {
    let actor = operator();
    match command {
        UserCommand::Add { username, role, region, enterprise, organization, display_name, password_stdin } => {
            let role = Role::parse(&role).ok_or_else(|| {
                let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                anyhow!("unknown role '{role}'; one of {}", roles.join(", "))
            })?;
            let enterprise_id = match enterprise {
                None => None,
                Some(code) => Some(
                    app.enterprise_by_credit_code(&actor, &code)
                        .await
                        .map_err(|_| anyhow!("no enterprise has the credit code {code}"))?
                        .id,
                ),
            };
            let (password, generated) = password(password_stdin, true)?;
            let user = app
                .add_user(
                    &actor,
                    UserRequest {
                        username,
                        display_name,
                        password: password.clone(),
                        role,
                        region_code: region,
                        enterprise_id,
                        organization_id: organization,
                    },
                )
                .await
                .map_err(explain)?;
            println!("added {} ({})", user.username, user.role);
            if generated {
                println!("password: {password}");
            }
        }
        UserCommand::List => {
            for user in app.list_users(&actor).await.map_err(explain)? {
                let scope = serde_json::to_string(&user.scope).unwrap_or_default();
                println!(
                    "{:<20} {:<21} {:<8} {}",
                    user.username,
                    user.role.as_str(),
                    if user.disabled { "disabled" } else { "active" },
                    scope
                );
            }
        }
        UserCommand::Disable { username } => {
            app.set_user_disabled(&actor, &username, true).await.map_err(explain)?;
            println!("disabled {username}; its sessions and tokens have ended");
        }
        UserCommand::Enable { username } => {
            app.set_user_disabled(&actor, &username, false).await.map_err(explain)?;
            println!("enabled {username}");
        }
        UserCommand::Password { username, password_stdin } => {
            let (password, _) = password(password_stdin, false)?;
            app.set_password(&actor, &username, &password).await.map_err(explain)?;
            println!("password of {username} changed");
        }
        UserCommand::Token { username, name, scope, valid_days } => {
            let scope = TokenScope::parse(&scope).ok_or_else(|| anyhow!("scope is read or read_write"))?;
            let (_, value) =
                app.create_token_for(&actor, &username, &name, scope, valid_days).await.map_err(explain)?;
            println!("{value}");
        }
    }
    Ok(())
}
