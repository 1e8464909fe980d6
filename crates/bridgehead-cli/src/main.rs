//! The `bridgehead` command: runs the server and does the operator's work at the
//! command line. The only place that uses `anyhow` and reads the environment.

mod commands;
mod settings;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Bridgehead: a region's industrial investment and the money behind it, in one program.
#[derive(Debug, Parser)]
#[command(name = "bridgehead", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args, Clone)]
pub struct Global {
    /// Directory of the embedded database (default ./data) [env: BRIDGEHEAD_DATA_DIR]
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://… (default: the SQLite file in the data
    /// directory) [env: BRIDGEHEAD_DATABASE_URL]
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Configuration file (TOML; see `bridgehead config example`) [env: BRIDGEHEAD_CONFIG]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web pages and the JSON API.
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8080 (port 0 picks a free port) [env: BRIDGEHEAD_LISTEN]
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
    },
    /// Create (or reuse) the demo data set, print how to sign in, and serve it.
    Demo {
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
        /// Build the demo data and exit without serving.
        #[arg(long)]
        no_serve: bool,
        /// `city`: the Jiaxing demo; `province`: that plus a synthetic province-scale data
        /// set for the statistics benchmark (200,000 projects x 60 months of reports).
        #[arg(long, value_enum, default_value = "city")]
        scale: DemoScale,
        /// Province scale only: how many projects (default 200,000).
        #[arg(long)]
        projects: Option<usize>,
    },
    /// Apply pending database migrations (they also run when the server starts).
    Migrate,
    /// Import a file (.xlsx or .csv; all or nothing).
    Import {
        #[arg(value_enum)]
        kind: ImportKind,
        /// The file to import.
        file: PathBuf,
        /// Monthly reports only: load them as approved by the city (historical
        /// figures), instead of as drafts for review.
        #[arg(long)]
        approved: bool,
    },
    /// Export data to a file (.xlsx or .csv, chosen by the file name).
    Export {
        #[arg(value_enum)]
        kind: ExportKind,
        /// The file to write.
        file: PathBuf,
        /// Language of the headers.
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
    },
    /// Manage users and their API tokens.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Write a consistent backup of the database (safe while the server runs).
    Backup {
        /// The backup file to create (SQLite copy, or pg_dump custom format).
        file: PathBuf,
    },
    /// Replace the database with a backup (stop the server first when on SQLite).
    Restore {
        file: PathBuf,
        /// Confirm that the current contents are to be replaced.
        #[arg(long)]
        yes: bool,
    },
    /// Statistics reports.
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// Industry guidance funds: a fund's ledger from a file; calculations on cash flows.
    Funds {
        #[command(subcommand)]
        command: FundsCommand,
    },
    /// Check or print the audit chain.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Configuration helpers.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ImportKind {
    /// Enterprises (the template's layout; matched on the credit code).
    Enterprises,
    /// Monthly progress reports (project code, month, figures; matched on both).
    Reports,
    /// Manufacturing investment projects (matched on the project code).
    Projects,
    /// Project stage events (project code, event, date; in the order they happened).
    Events,
    /// External indicators (indicator, region, period, value, official growth, source).
    Indicators,
    /// Exchange rates (date, currency, rate, source).
    ExchangeRates,
    /// A regions list (code,name_zh,name_en,level,parent).
    Regions,
    /// An industry list (code,level,parent,name_zh[,name_en]).
    Industries,
    /// Working-day calendar years (date,kind,name; kind holiday or workday).
    Calendar,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportKind {
    /// The enterprise registry.
    Enterprises,
    /// An empty enterprise import template.
    EnterpriseTemplate,
    /// An empty monthly report import template.
    ReportTemplate,
    /// Every monthly report (the newest revision of each project and month).
    Reports,
    /// Every project.
    Projects,
    /// An empty project import template.
    ProjectTemplate,
    /// Every project's stage events.
    Events,
    /// An empty stage event import template.
    EventTemplate,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    Zh,
    En,
}

impl From<LangArg> for bridgehead_io::Lang {
    fn from(lang: LangArg) -> Self {
        match lang {
            LangArg::Zh => bridgehead_io::Lang::Zh,
            LangArg::En => bridgehead_io::Lang::En,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user. The password comes from BRIDGEHEAD_PASSWORD, or standard input with
    /// --password-stdin; otherwise a random one is generated and printed.
    Add {
        username: String,
        /// administrator, city_analyst, district_officer, enterprise_user, institution_user,
        /// fund_manager, service_provider or clearing_participant
        #[arg(long)]
        role: String,
        /// Region code (city analysts, district officers).
        #[arg(long)]
        region: Option<String>,
        /// Enterprise credit code (enterprise users).
        #[arg(long)]
        enterprise: Option<String>,
        /// Organisation id (institution users, fund managers, providers, participants).
        #[arg(long)]
        organization: Option<i64>,
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users.
    List,
    /// Disable a user; its sessions and tokens end at once.
    Disable { username: String },
    /// Enable a disabled user.
    Enable { username: String },
    /// Set a user's password (BRIDGEHEAD_PASSWORD or --password-stdin).
    Password {
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Issue an API token for a user and print it (shown once).
    Token {
        username: String,
        #[arg(long, default_value = "cli")]
        name: String,
        /// read or read_write
        #[arg(long, default_value = "read")]
        scope: String,
        /// Days until it expires (never when absent).
        #[arg(long)]
        valid_days: Option<i64>,
    },
}

#[derive(Debug, Subcommand)]
pub enum FundsCommand {
    /// Import ledger entries of one fund from a .xlsx or .csv file (date, kind, amount in
    /// yuan, partner or holding by name, component, memo; Chinese or English headers):
    /// all or nothing, every problem listed with its row; importing the same file into
    /// the same fund again writes nothing.
    ImportLedger {
        /// The fund's id.
        #[arg(long, value_name = "ID")]
        fund: i64,
        /// The ledger file (`bridgehead funds ledger-template FILE` writes an empty one).
        file: PathBuf,
    },
    /// Write the empty ledger file to fill in (.xlsx or .csv by the file name).
    LedgerTemplate {
        /// The file to write.
        file: PathBuf,
        /// Language of the headers.
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
    },
    /// XIRR (Actual/365, Excel's convention; same-day flows netted) of dated cash flows:
    /// prints the annual rate as a fraction, or why there is none (no sign change, no
    /// convergence, several roots). Needs no database.
    Xirr {
        /// CSV file with columns `date,amount` (YYYY-MM-DD; negative = paid out), or with
        /// `--batch` also `series`.
        #[arg(long, value_name = "FILE")]
        csv: PathBuf,
        /// The file holds many series, told apart by the `series` column; prints one line
        /// per series (series,rate,reason_code,reason), in the order they first appear.
        #[arg(long)]
        batch: bool,
        /// Write to this file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
        /// Print the time spent reading and computing to standard error.
        #[arg(long)]
        timing: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// The official manufacturing investment table of a region and its children:
    /// cumulative January..N (100 million yuan), growth %, share %, rank.
    Investment {
        /// The region (its children are the lines), e.g. 330400.
        #[arg(long)]
        region: String,
        /// January to this month, YYYY-MM.
        #[arg(long)]
        period: String,
        #[arg(long, value_enum, default_value = "table")]
        format: ReportFormat,
        /// Investment completed, or the part of it spent on equipment.
        #[arg(long, default_value = "completed")]
        measure: String,
        /// Only projects whose GB/T 4754 class starts with these digits.
        #[arg(long)]
        industry: Option<String>,
        /// Only projects of this size tier and above (billion, ten_billion by default).
        #[arg(long)]
        tier: Option<String>,
        /// Compute in SQL straight from the tables (the reference the statistics engine is
        /// checked against) instead of through the engine.
        #[arg(long)]
        reference: bool,
        /// Language of the title and headers.
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
        /// Write to this file instead of standard output (needed for xlsx).
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Projects signed, started or put into production in a window of months ending on a
    /// day ("projects of 10 billion yuan and more signed in the last nine months"), by
    /// child region, size tier or another dimension.
    Projects {
        /// The region, e.g. 330400.
        #[arg(long)]
        region: String,
        /// The window's last day, YYYY-MM-DD.
        #[arg(long)]
        through: String,
        /// The window's length in months (1 to 120).
        #[arg(long, default_value = "12")]
        months: String,
        /// signed, started or in_production.
        #[arg(long, default_value = "signed")]
        event: String,
        /// The lines: region, tier, industry, cluster, park, project_type, capital_source.
        #[arg(long, default_value = "region")]
        by: String,
        /// Only projects of this size tier and above.
        #[arg(long)]
        tier: Option<String>,
        /// Only projects whose GB/T 4754 class starts with these digits.
        #[arg(long)]
        industry: Option<String>,
        /// Only projects of Fortune Global 500 enterprises (true) or only others (false).
        #[arg(long)]
        fortune_global_500: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: CountFormat,
        /// Language of the title and headers.
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CountFormat {
    /// Aligned text for the terminal.
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DemoScale {
    City,
    Province,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Aligned text for the terminal.
    Table,
    Csv,
    Json,
    Xlsx,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Verify the whole chain; exits 1 and names the first broken record if it is broken.
    Verify,
    /// Print the chain head (sequence number and hash) to keep somewhere safe.
    Head,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print a commented example configuration file.
    Example,
    /// Print the settings in force (secrets hidden).
    Show,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
