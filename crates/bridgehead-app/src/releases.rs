//! Statistics releases (SPEC §4): publishing freezes the official table as it stands at
//! that moment (the cut-off); later revisions of reports never change it (the database
//! refuses any change to a stored release); a release can be compared with today's
//! figures; the public sees releases only.

use bridgehead_domain::access::Role;
use bridgehead_domain::facts::{Filter, Measure};
use bridgehead_domain::period::Period;
use bridgehead_domain::{FieldError, FieldErrors};
use bridgehead_store::releases::{self as store, NewRelease, StoredRelease};
use serde::Serialize;
use serde_json::json;

use crate::auth::audit;
use crate::statistics::{InvestmentQuery, InvestmentTable, STATISTICS_READERS};
use crate::{Actor, App, AppError, AppResult};

/// Roles that publish releases (the statistics office's).
pub const RELEASE_PUBLISHERS: &[Role] = &[Role::Administrator, Role::CityAnalyst];

/// Releases a list shows at most.
const LIST_LIMIT: i64 = 200;

/// A published release.
#[derive(Debug, Clone, Serialize)]
pub struct Release {
    pub id: i64,
    pub region_code: String,
    pub period: Period,
    pub measure: Measure,
    pub filter: Filter,
    pub title_zh: String,
    pub title_en: String,
    pub note: Option<String>,
    /// The table as it stood at the cut-off.
    pub table: InvestmentTable,
    /// The moment of publishing: the figures are those of the data at that instant.
    pub cutoff_at: String,
    pub published_by: String,
}

/// A line of a release beside today's figure for the same region.
#[derive(Debug, Clone, Serialize)]
pub struct ComparedLine {
    pub region_code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub released_minor: i64,
    pub today_minor: i64,
    /// Today's minus the released figure.
    pub difference_minor: i64,
    pub released_growth_percent: Option<rust_decimal::Decimal>,
    pub today_growth_percent: Option<rust_decimal::Decimal>,
}

/// A release and today's figures.
#[derive(Debug, Clone, Serialize)]
pub struct ReleaseComparison {
    pub release: Release,
    /// The total first, then each child region.
    pub lines: Vec<ComparedLine>,
    /// Whether any figure has moved since the cut-off.
    pub changed: bool,
}

fn corrupt(what: &str, error: &serde_json::Error) -> AppError {
    AppError::Internal(format!("stored release {what}: {error}"))
}

fn release_of(stored: StoredRelease) -> AppResult<Release> {
    let table: InvestmentTable = serde_json::from_str(&stored.table_json).map_err(|e| corrupt("table", &e))?;
    let filter: Filter = serde_json::from_str(&stored.filter_json).map_err(|e| corrupt("filter", &e))?;
    Ok(Release {
        id: stored.id,
        region_code: stored.region_code,
        period: table.period,
        measure: table.measure,
        filter,
        title_zh: stored.title_zh,
        title_en: stored.title_en,
        note: stored.note,
        table,
        cutoff_at: stored.cutoff_at,
        published_by: stored.published_by,
    })
}

impl App {
    /// Publishes the official table `query` asks for, as it stands now.
    pub async fn publish_release(
        &self,
        actor: &Actor,
        query: &InvestmentQuery,
        note: Option<&str>,
    ) -> AppResult<Release> {
        actor.require(RELEASE_PUBLISHERS, "publish statistics releases")?;
        actor.require_write()?;
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        if let Some(note) = note
            && note.chars().count() > 500
        {
            return Err(AppError::Invalid(FieldErrors::from(
                FieldError::new("note", "release.note", "a note is at most 500 characters").with_param("max", "500"),
            )));
        }
        let table = self.investment_table(actor, query).await?;
        let table_json = serde_json::to_string(&table).map_err(|e| AppError::Internal(e.to_string()))?;
        let filter_json = serde_json::to_string(&table.filter).map_err(|e| AppError::Internal(e.to_string()))?;
        let (title_zh, title_en) = (table.title(bridgehead_io::Lang::Zh), table.title(bridgehead_io::Lang::En));
        let period = table.period.to_string();
        let mut tx = self.store.begin().await?;
        let stored = store::insert(
            &mut tx,
            &NewRelease {
                region_code: &table.total.line.region_code,
                period_index: table.period.index(),
                period: &period,
                measure: table.measure.as_str(),
                filter_json: &filter_json,
                title_zh: &title_zh,
                title_en: &title_en,
                note,
                table_json: &table_json,
                published_by: &actor.label,
            },
        )
        .await?;
        let summary = json!({
            "region": stored.region_code, "period": stored.period, "measure": stored.measure,
            "filter": table.filter, "total_minor": table.total.line.current_minor,
        });
        audit(&mut tx, actor, "publish", "statistics_release", &stored.id.to_string(), None, Some(summary)).await?;
        tx.commit().await?;
        release_of(stored)
    }

    /// Published releases of the reader's region and below, newest first.
    pub async fn releases(&self, actor: &Actor) -> AppResult<Vec<Release>> {
        actor.require(STATISTICS_READERS, "read the investment statistics")?;
        let mut conn = self.store.read().await?;
        store::list(&mut conn, actor.region_scope(), LIST_LIMIT).await?.into_iter().map(release_of).collect()
    }

    /// Every published release, newest first: what the public sees.
    pub async fn public_releases(&self) -> AppResult<Vec<Release>> {
        let mut conn = self.store.read().await?;
        store::list(&mut conn, None, LIST_LIMIT).await?.into_iter().map(release_of).collect()
    }

    /// One published release, for anyone.
    pub async fn public_release(&self, id: i64) -> AppResult<Release> {
        let mut conn = self.store.read().await?;
        release_of(store::get(&mut conn, id).await?.ok_or(AppError::NotFound { what: "release" })?)
    }

    /// A release beside today's figures for the same table (the reader's region or below).
    pub async fn compare_release(&self, actor: &Actor, id: i64) -> AppResult<ReleaseComparison> {
        actor.require(STATISTICS_READERS, "read the investment statistics")?;
        let release = self.public_release(id).await?;
        let region = self
            .statistics_region(actor, &release.region_code)
            .await
            .map_err(|_| AppError::NotFound { what: "release" })?;
        let today = self.compute_table(region, release.period, release.measure, release.filter.clone()).await?;
        let released = &release.table;
        let mut lines = Vec::new();
        for named in std::iter::once(&released.total).chain(&released.children) {
            let code = &named.line.region_code;
            let now = std::iter::once(&today.total)
                .chain(&today.children)
                .find(|n| &n.line.region_code == code)
                .map(|n| &n.line);
            let today_minor = now.map_or(0, |l| l.current_minor);
            lines.push(ComparedLine {
                region_code: code.clone(),
                name_zh: named.name_zh.clone(),
                name_en: named.name_en.clone(),
                released_minor: named.line.current_minor,
                today_minor,
                difference_minor: today_minor - named.line.current_minor,
                released_growth_percent: named.line.growth_percent,
                today_growth_percent: now.and_then(|l| l.growth_percent),
            });
        }
        let changed =
            lines.iter().any(|l| l.difference_minor != 0 || l.released_growth_percent != l.today_growth_percent);
        Ok(ReleaseComparison { release, lines, changed })
    }
}
