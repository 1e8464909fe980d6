//! Project use cases (SPEC §3): the project registry, stage events, and monthly
//! progress reports with their two-level review — each limited by role and scope:
//! enterprises file for the projects they invest in, districts review their own region,
//! the city reviews its whole tree.

use std::collections::HashSet;

use bridgehead_domain::access::Role;
use bridgehead_domain::codes::INDUSTRY_EDITION;
use bridgehead_domain::enterprise::{format_date, parse_date};
use bridgehead_domain::money::{CurrencyCode, parse_major_units};
use bridgehead_domain::period::Period;
use bridgehead_domain::project::{
    MonthlyReport, Project, ProjectCode, ProjectFields, ProjectRecord, ReportAction, ReportActor, ReportCheck,
    ReportFields, ReportReview, ReportStatus, StageEvent, StageKind, check_report_period,
};
use bridgehead_domain::{FieldError, FieldErrors};
use bridgehead_store::projects::{self as store, Conversion, ProjectFilter, ReportFilter};
use bridgehead_store::{Conn, StoreError};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;
use serde_json::json;

use crate::auth::audit;
use crate::{Actor, App, AppError, AppResult};

/// The day of the following month by which a month's report is due.
pub const REPORT_DUE_DAY: u8 = 10;

const NOT_FOUND: AppError = AppError::NotFound { what: "project" };
const REPORT_NOT_FOUND: AppError = AppError::NotFound { what: "report" };

/// Roles that register projects and record their stages.
pub const PROJECT_REGISTRARS: &[Role] = &[Role::Administrator, Role::CityAnalyst, Role::DistrictOfficer];
/// Roles that see projects (each within its scope).
pub const PROJECT_READERS: &[Role] =
    &[Role::Administrator, Role::CityAnalyst, Role::DistrictOfficer, Role::EnterpriseUser];

/// Today in China (UTC+8, no daylight saving).
pub fn today_in_china() -> time::Date {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    time::OffsetDateTime::now_utc().to_offset(offset).date()
}

/// The scope filter for an actor's projects.
pub(crate) fn scope_filter(actor: &Actor) -> AppResult<ProjectFilter> {
    let mut filter = ProjectFilter::default();
    match (actor.role, &actor.scope) {
        (Role::Administrator, _) => {}
        (Role::CityAnalyst | Role::DistrictOfficer, bridgehead_domain::access::Scope::Region { region_code }) => {
            filter.scope_region_within = Some(region_code.clone());
        }
        (Role::EnterpriseUser, bridgehead_domain::access::Scope::Enterprise { enterprise_id }) => {
            filter.investor_enterprise_id = Some(*enterprise_id);
        }
        _ => return Err(AppError::Forbidden(format!("the role {} has no access to projects", actor.role))),
    }
    Ok(filter)
}

/// Whether the actor may see this project.
pub(crate) async fn visible(conn: &mut Conn, actor: &Actor, project: &Project) -> AppResult<bool> {
    let filter = scope_filter(actor)?;
    if let Some(region) = &filter.scope_region_within
        && !bridgehead_store::reference::region_within(conn, project.record.region_code.as_str(), region).await?
    {
        return Ok(false);
    }
    if let Some(enterprise) = filter.investor_enterprise_id
        && !project.record.investors.iter().any(|i| i.enterprise_id == enterprise)
    {
        return Ok(false);
    }
    Ok(true)
}

/// The workflow roles an actor holds on a project it can see.
pub(crate) fn report_roles(actor: &Actor) -> Vec<ReportActor> {
    match actor.role {
        Role::Administrator => vec![ReportActor::Filer, ReportActor::District, ReportActor::City],
        Role::EnterpriseUser => vec![ReportActor::Filer],
        Role::DistrictOfficer => vec![ReportActor::Filer, ReportActor::District],
        Role::CityAnalyst => vec![ReportActor::City],
        _ => vec![],
    }
}

/// A stage event as entered.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct EventInput {
    pub kind: String,
    /// YYYY-MM-DD.
    pub occurred_on: String,
    /// The phase; a new phase (a capital increase) is the current one plus one.
    pub phase: Option<i64>,
    /// Needed for going back a stage.
    pub reason: Option<String>,
    /// A new phase's increment, in yuan.
    pub increment: Option<String>,
}

/// A project with what its page shows.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectDetail {
    pub project: Project,
    pub events: Vec<StageEvent>,
    pub reports: Vec<MonthlyReport>,
    /// Names of the investor enterprises, in the order of `project.record.investors`.
    pub investor_names: Vec<String>,
}

/// A report with its project, the other revisions of its month and its review history.
#[derive(Debug, Clone, Serialize)]
pub struct ReportDetail {
    pub report: MonthlyReport,
    pub project: Project,
    pub revisions: Vec<MonthlyReport>,
    pub reviews: Vec<ReportReview>,
    /// What the checks find now (for an editable report).
    pub check: ReportCheck,
    /// The actions the actor may take now.
    pub actions: Vec<ReportAction>,
    pub may_edit: bool,
    pub may_correct: bool,
}

/// A project that should report for a month, and where its report stands.
#[derive(Debug, Clone, Serialize)]
pub struct Reminder {
    pub project: Project,
    pub status: Option<ReportStatus>,
    /// The report is due by this date.
    pub due_on: time::Date,
    /// Past the due date and not yet submitted.
    pub overdue: bool,
}

/// The due date of a month's report.
pub fn report_due_on(period: Period) -> time::Date {
    let next = period.next().first_day();
    next.replace_day(REPORT_DUE_DAY).unwrap_or(next)
}

impl App {
    pub async fn list_projects(&self, actor: &Actor, mut filter: ProjectFilter) -> AppResult<(Vec<Project>, i64)> {
        let scope = scope_filter(actor)?;
        filter.scope_region_within = scope.scope_region_within;
        filter.investor_enterprise_id = scope.investor_enterprise_id;
        filter.limit = filter.limit.clamp(1, 500);
        filter.offset = filter.offset.max(0);
        Ok(store::list_projects(&mut *self.store.read().await?, &filter).await?)
    }

    pub async fn project(&self, actor: &Actor, id: i64) -> AppResult<ProjectDetail> {
        let mut conn = self.store.read().await?;
        let project = store::get_project(&mut conn, id).await?.ok_or(NOT_FOUND)?;
        if !visible(&mut conn, actor, &project).await? {
            return Err(NOT_FOUND);
        }
        let events = store::list_events(&mut conn, id).await?;
        let reports = store::reports_of_project(&mut conn, id).await?;
        let mut investor_names = Vec::new();
        for investor in &project.record.investors {
            let name = bridgehead_store::enterprises::get(&mut conn, investor.enterprise_id)
                .await?
                .map_or_else(|| format!("#{}", investor.enterprise_id), |e| e.record.name_zh);
            investor_names.push(name);
        }
        Ok(ProjectDetail { project, events, reports, investor_names })
    }

    /// Checks a project's references and converts its planned total to CNY at the
    /// signing-date rate.
    async fn check_project(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        record: &ProjectRecord,
        signed_on: time::Date,
    ) -> AppResult<Conversion> {
        use bridgehead_store::reference as r;
        let mut errors = Vec::new();
        match r::get_region(conn, record.region_code.as_str()).await? {
            None => errors.push(
                FieldError::new("region_code", "region.unknown", "no such region")
                    .with_value(record.region_code.as_str()),
            ),
            Some(region) if region.level != bridgehead_domain::reference::RegionLevel::County => errors.push(
                FieldError::new("region_code", "project.region_level", "a project is located in a county-level region")
                    .with_value(record.region_code.as_str()),
            ),
            Some(_) => {
                if let Some(scope) = actor.region_scope()
                    && !r::region_within(conn, record.region_code.as_str(), scope).await?
                {
                    errors.push(
                        FieldError::new(
                            "region_code",
                            "region.out_of_scope",
                            "this region is outside your jurisdiction",
                        )
                        .with_value(record.region_code.as_str()),
                    );
                }
            }
        }
        if let Some(park) = record.park_id {
            match r::get_park(conn, park).await? {
                None => {
                    errors
                        .push(FieldError::new("park_id", "park.unknown", "no such park").with_value(park.to_string()));
                }
                Some(p) if !r::region_within(conn, p.region_code.as_str(), record.region_code.as_str()).await? => {
                    errors.push(
                        FieldError::new("park_id", "project.park_region", "the park is in another region")
                            .with_value(park.to_string()),
                    );
                }
                Some(_) => {}
            }
        }
        if let Some(industry) = &record.industry_code
            && r::get_industry(conn, INDUSTRY_EDITION, industry.as_str()).await?.is_none()
        {
            errors.push(
                FieldError::new("industry_code", "industry.unknown", "not a GB/T 4754-2017 code")
                    .with_value(industry.as_str()),
            );
        }
        for investor in &record.investors {
            if bridgehead_store::enterprises::get(conn, investor.enterprise_id).await?.is_none() {
                errors.push(
                    FieldError::new("investors", "enterprise.unknown", "no such enterprise")
                        .with_value(investor.enterprise_id.to_string()),
                );
            }
        }
        let cluster_ids: HashSet<i64> = {
            let mut ids = HashSet::new();
            for taxonomy in r::list_cluster_taxonomies(conn, None).await? {
                if let Some(full) = r::get_cluster_taxonomy(conn, taxonomy.id).await? {
                    ids.extend(full.clusters.iter().map(|c| c.id));
                }
            }
            ids
        };
        for cluster in &record.cluster_ids {
            if !cluster_ids.contains(cluster) {
                errors.push(
                    FieldError::new("cluster_ids", "cluster.unknown", "no such cluster")
                        .with_value(cluster.to_string()),
                );
            }
        }
        let conversion = if record.planned_currency.as_str() == CurrencyCode::BASE {
            Some(Conversion { total_cny_minor: record.planned_total_minor, total_usd_minor: None, rate: None })
        } else {
            match r::rate_on(conn, record.planned_currency.as_str(), &format_date(signed_on)).await? {
                None => {
                    errors.push(
                        FieldError::new(
                            "planned_currency",
                            "project.no_rate",
                            format!(
                                "no {} rate on or before the signing date {}; import exchange rates first",
                                record.planned_currency,
                                format_date(signed_on)
                            ),
                        )
                        .with_value(record.planned_currency.as_str())
                        .with_param("currency", record.planned_currency.as_str())
                        .with_param("date", format_date(signed_on)),
                    );
                    None
                }
                Some(rate) => {
                    let factor: Decimal =
                        rate.rate.parse().map_err(|_| AppError::Internal(format!("stored rate '{}'", rate.rate)))?;
                    let cny = Decimal::from(record.planned_total_minor)
                        .checked_mul(factor)
                        .map(|v| v.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
                        .and_then(|v| v.to_i64());
                    match cny {
                        Some(total_cny_minor) => Some(Conversion {
                            total_cny_minor,
                            total_usd_minor: None,
                            rate: Some((rate.rate, rate.rate_date)),
                        }),
                        None => {
                            errors.push(FieldError::new("planned_total", "amount.format", "the amount is too large"));
                            None
                        }
                    }
                }
            }
        };
        match conversion {
            Some(mut conversion) if errors.is_empty() => {
                conversion.total_usd_minor = self.usd_equivalent(conn, record, &conversion, signed_on).await?;
                Ok(conversion)
            }
            _ => Err(AppError::Invalid(FieldErrors(errors))),
        }
    }

    /// The planned total in US dollar cents at the signing-date rate (for the size tiers):
    /// the amount itself for a USD project, otherwise its CNY value divided by the USD rate
    /// on or before the signing date, rounded half away from zero; `None` without a rate.
    async fn usd_equivalent(
        &self,
        conn: &mut Conn,
        record: &ProjectRecord,
        conversion: &Conversion,
        signed_on: time::Date,
    ) -> AppResult<Option<i64>> {
        if record.planned_currency.as_str() == "USD" {
            return Ok(Some(record.planned_total_minor));
        }
        let Some(rate) = bridgehead_store::reference::rate_on(conn, "USD", &format_date(signed_on)).await? else {
            return Ok(None);
        };
        let factor: Decimal =
            rate.rate.parse().map_err(|_| AppError::Internal(format!("stored rate '{}'", rate.rate)))?;
        Ok(Decimal::from(conversion.total_cny_minor)
            .checked_div(factor)
            .map(|v| v.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
            .and_then(|v| v.to_i64()))
    }

    /// Registers a project with its signing date.
    pub async fn create_project(&self, actor: &Actor, fields: &ProjectFields, signed_on: &str) -> AppResult<Project> {
        actor.require(PROJECT_REGISTRARS, "register projects")?;
        actor.require_write()?;
        let mut errors = FieldErrors::default();
        let signed = errors.take(
            parse_date(signed_on).map_err(|m| FieldError::new("signed_on", "date.format", m).with_value(signed_on)),
        );
        if let Some(date) = signed
            && date > today_in_china()
        {
            errors.push(
                FieldError::new("signed_on", "date.future", "the signing date is in the future").with_value(signed_on),
            );
        }
        let record = match fields.validate() {
            Ok(record) => Some(record),
            Err(more) => {
                errors.0.extend(more.0);
                None
            }
        };
        let (Some(record), Some(signed), true) = (record, signed, errors.is_empty()) else {
            return Err(AppError::Invalid(errors));
        };
        let mut tx = self.store.begin().await?;
        let project = self.create_project_in(&mut tx, actor, &record, signed).await?;
        tx.commit().await?;
        Ok(project)
    }

    /// Registers a validated project in the caller's transaction.
    pub(crate) async fn create_project_in(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        record: &ProjectRecord,
        signed: time::Date,
    ) -> AppResult<Project> {
        let conversion = self.check_project(conn, actor, record, signed).await?;
        let project = match store::insert_project(conn, record, &conversion, signed, &actor.label).await {
            Err(StoreError::Duplicate { .. }) => {
                return Err(AppError::Duplicate(
                    FieldError::new("code", "project.duplicate", "a project with this code is already registered")
                        .with_value(&record.code.code),
                ));
            }
            other => other?,
        };
        audit(conn, actor, "create", "project", &project.id.to_string(), None, Some(json!(project))).await?;
        Ok(project)
    }

    async fn begin_project_change(&self, actor: &Actor, id: i64) -> AppResult<(bridgehead_store::Tx, Project)> {
        actor.require(PROJECT_REGISTRARS, "change projects")?;
        actor.require_write()?;
        let mut tx = self.store.begin().await?;
        let project = store::get_project(&mut tx, id).await?.ok_or(NOT_FOUND)?;
        if !visible(&mut tx, actor, &project).await? {
            return Err(NOT_FOUND);
        }
        Ok((tx, project))
    }

    pub async fn update_project(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: Option<i64>,
        fields: &ProjectFields,
    ) -> AppResult<Project> {
        let (mut tx, before) = self.begin_project_change(actor, id).await?;
        let record = fields.validate()?;
        let after = self.update_project_in(&mut tx, actor, &before, expected_version, &record).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Replaces a project's record in the caller's transaction (`before` as read in it).
    pub(crate) async fn update_project_in(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        before: &Project,
        expected_version: Option<i64>,
        record: &ProjectRecord,
    ) -> AppResult<Project> {
        let id = before.id;
        let conversion = self.check_project(conn, actor, record, before.signed_on).await?;
        let after = match store::update_project(
            conn,
            id,
            expected_version.unwrap_or(before.version),
            record,
            &conversion,
        )
        .await
        {
            Err(StoreError::Conflict) => {
                return Err(AppError::VersionMismatch { what: "project", current_version: before.version });
            }
            Err(StoreError::Duplicate { .. }) => {
                return Err(AppError::Duplicate(
                    FieldError::new("code", "project.duplicate", "a project with this code is already registered")
                        .with_value(&record.code.code),
                ));
            }
            other => other?,
        };
        audit(conn, actor, "update", "project", &id.to_string(), Some(json!(before)), Some(json!(after))).await?;
        Ok(after)
    }

    /// Records a stage event after the rules of [`StageState::apply`].
    pub async fn record_event(&self, actor: &Actor, id: i64, input: &EventInput) -> AppResult<StageEvent> {
        let (mut tx, project) = self.begin_project_change(actor, id).await?;
        let event = self.record_event_in(&mut tx, actor, &project, input).await?;
        tx.commit().await?;
        Ok(event)
    }

    /// Records a stage event in the caller's transaction (`project` as read in it).
    pub(crate) async fn record_event_in(
        &self,
        tx: &mut Conn,
        actor: &Actor,
        project: &Project,
        input: &EventInput,
    ) -> AppResult<StageEvent> {
        let id = project.id;
        let (kind, occurred_on, reason) = (input.kind.as_str(), input.occurred_on.as_str(), input.reason.as_deref());
        let (phase, increment) = (input.phase, input.increment.as_deref());
        let mut errors = FieldErrors::default();
        let kind = errors.take(StageKind::parse(kind).ok_or_else(|| {
            FieldError::new("kind", "stage.kind", format!("expected one of {}", StageKind::expected())).with_value(kind)
        }));
        let date = errors.take(
            parse_date(occurred_on)
                .map_err(|m| FieldError::new("occurred_on", "date.format", m).with_value(occurred_on)),
        );
        if let Some(date) = date
            && date > today_in_china()
        {
            errors.push(
                FieldError::new("occurred_on", "date.future", "the event's date is in the future")
                    .with_value(occurred_on),
            );
        }
        let events = store::list_events(&mut *tx, id).await?;
        if let (Some(date), Some(last)) = (date, events.last())
            && date < last.occurred_on
        {
            errors.push(
                FieldError::new(
                    "occurred_on",
                    "stage.date_order",
                    format!("the last event is dated {}", format_date(last.occurred_on)),
                )
                .with_value(occurred_on)
                .with_param("last", format_date(last.occurred_on)),
            );
        }
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        let phase = phase.unwrap_or(project.state.phase);
        let increment_minor = match increment.map(str::trim).filter(|i| !i.is_empty()) {
            None => None,
            Some(raw) => errors.take(parse_major_units(raw).ok().filter(|v| *v > 0).ok_or_else(|| {
                FieldError::new("increment", "amount.format", "a positive amount in yuan").with_value(raw)
            })),
        };
        let new_phase = phase != project.state.phase;
        if new_phase && increment_minor.is_none() && errors.0.iter().all(|e| e.field != "increment") {
            errors.push(FieldError::new(
                "increment",
                "stage.increment_required",
                "a capital increase needs its amount (in yuan)",
            ));
        }
        if !new_phase && increment_minor.is_some() {
            errors.push(FieldError::new(
                "increment",
                "stage.increment_only_new_phase",
                "only a new phase's signing carries an increment",
            ));
        }
        let (Some(kind), Some(date), true) = (kind, date, errors.is_empty()) else {
            return Err(AppError::Invalid(errors));
        };
        let state = project.state.apply(phase, kind, reason)?;
        let event = store::insert_event(&mut *tx, id, phase, kind, date, reason, increment_minor, &actor.label).await?;
        // A project that reaches a stage at or beyond "started" has started, even when
        // the start itself was not recorded.
        let reached_start = state.stage.and_then(StageKind::rank).is_some_and(|rank| rank >= 2) && phase == 1;
        let started_on = project.started_on.or(reached_start.then_some(date));
        if let Err(StoreError::Conflict) = store::set_state(&mut *tx, id, project.version, state, started_on).await {
            return Err(AppError::VersionMismatch { what: "project", current_version: project.version + 1 });
        }
        audit(
            &mut *tx,
            actor,
            "stage_event",
            "project",
            &id.to_string(),
            Some(json!(project.state)),
            Some(json!(event)),
        )
        .await?;
        Ok(event)
    }

    /// Reports of the review queues, in the actor's scope.
    pub async fn list_reports(
        &self,
        actor: &Actor,
        mut filter: ReportFilter,
    ) -> AppResult<(Vec<store::ReportListItem>, i64)> {
        let scope = scope_filter(actor)?;
        filter.scope_region_within = scope.scope_region_within;
        filter.investor_enterprise_id = scope.investor_enterprise_id;
        filter.limit = filter.limit.clamp(1, 500);
        filter.offset = filter.offset.max(0);
        Ok(store::list_reports(&mut *self.store.read().await?, &filter).await?)
    }

    /// Runs the checks that need the project's history for `figures` in `period`.
    async fn run_checks(
        &self,
        conn: &mut Conn,
        project: &Project,
        period: Period,
        this_month_minor: i64,
    ) -> AppResult<ReportCheck> {
        let reports = store::reports_of_project(conn, project.id).await?;
        let mut months = Vec::new();
        let mut cumulative_before = 0_i64;
        // Each earlier month counts with its approved figures when it has them, else with
        // its newest revision (reports come newest revision first).
        let mut by_month: std::collections::BTreeMap<Period, &MonthlyReport> = std::collections::BTreeMap::new();
        for report in reports.iter().filter(|r| r.status != ReportStatus::Superseded && r.period != period) {
            let slot = by_month.entry(report.period).or_insert(report);
            if report.status == ReportStatus::ApprovedByCity && slot.status != ReportStatus::ApprovedByCity {
                *slot = report;
            }
        }
        for (month, report) in &by_month {
            months.push(*month);
            if *month < period {
                cumulative_before = cumulative_before.saturating_add(report.figures.completed_minor);
            }
        }
        Ok(check_report_period(
            period,
            today_in_china(),
            project.started_on,
            project.planned_total_cny_minor,
            cumulative_before,
            this_month_minor,
            &months,
        ))
    }

    async fn report_in_scope(&self, conn: &mut Conn, actor: &Actor, id: i64) -> AppResult<(MonthlyReport, Project)> {
        let report = store::get_report(conn, id).await?.ok_or(REPORT_NOT_FOUND)?;
        let project = store::get_project(conn, report.project_id).await?.ok_or(REPORT_NOT_FOUND)?;
        if !visible(conn, actor, &project).await? {
            return Err(REPORT_NOT_FOUND);
        }
        Ok((report, project))
    }

    /// Starts a month's report (a draft) for a project.
    pub async fn create_report(
        &self,
        actor: &Actor,
        project_id: i64,
        period: &str,
        fields: &ReportFields,
    ) -> AppResult<MonthlyReport> {
        if !report_roles(actor).contains(&ReportActor::Filer) {
            return Err(AppError::Forbidden(format!("the role {} does not file monthly reports", actor.role)));
        }
        actor.require_write()?;
        let mut errors = FieldErrors::default();
        let period = errors
            .take(Period::parse(period).map_err(|m| FieldError::new("period", "period.format", m).with_value(period)));
        let figures = match fields.validate() {
            Ok(f) => Some(f),
            Err(more) => {
                errors.0.extend(more.0);
                None
            }
        };
        let mut tx = self.store.begin().await?;
        let project = store::get_project(&mut tx, project_id).await?.ok_or(NOT_FOUND)?;
        if !visible(&mut tx, actor, &project).await? {
            return Err(NOT_FOUND);
        }
        let (Some(period), Some(figures), true) = (period, figures, errors.is_empty()) else {
            return Err(AppError::Invalid(errors));
        };
        // The errors of SPEC §3 block even a draft; warnings wait for submission.
        let check = self.run_checks(&mut tx, &project, period, figures.completed_minor).await?;
        if !check.errors.is_empty() {
            return Err(AppError::Invalid(FieldErrors(check.errors)));
        }
        let report = match store::insert_report(&mut tx, project_id, period, 1, &figures, None).await {
            Err(StoreError::Duplicate { .. }) => {
                return Err(AppError::Duplicate(
                    FieldError::new(
                        "period",
                        "report.duplicate",
                        "this month already has a report; edit it, or file a correction",
                    )
                    .with_value(period.to_string()),
                ));
            }
            other => other?,
        };
        store::add_review(&mut tx, report.id, actor.user_id, &actor.label, "create", None, ReportStatus::Draft, None)
            .await?;
        audit(&mut tx, actor, "create", "monthly_report", &report.id.to_string(), None, Some(json!(report))).await?;
        tx.commit().await?;
        Ok(report)
    }

    /// Changes the figures of a report the filer still holds (draft or returned).
    pub async fn update_report(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: Option<i64>,
        fields: &ReportFields,
    ) -> AppResult<MonthlyReport> {
        if !report_roles(actor).contains(&ReportActor::Filer) {
            return Err(AppError::Forbidden(format!("the role {} does not file monthly reports", actor.role)));
        }
        actor.require_write()?;
        let mut tx = self.store.begin().await?;
        let (before, project) = self.report_in_scope(&mut tx, actor, id).await?;
        if !before.status.editable() {
            return Err(AppError::invalid(
                "status",
                "report.not_editable",
                format!("a report that is {} cannot be edited", before.status),
            ));
        }
        let figures = fields.validate()?;
        let check = self.run_checks(&mut tx, &project, before.period, figures.completed_minor).await?;
        if !check.errors.is_empty() {
            return Err(AppError::Invalid(FieldErrors(check.errors)));
        }
        let after =
            match store::update_report_figures(&mut tx, id, expected_version.unwrap_or(before.version), &figures).await
            {
                Err(StoreError::Conflict) => {
                    return Err(AppError::VersionMismatch { what: "report", current_version: before.version });
                }
                other => other?,
            };
        audit(&mut tx, actor, "update", "monthly_report", &id.to_string(), Some(json!(before)), Some(json!(after)))
            .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Moves a report through the review: submit, approve or return (with a reason).
    /// Submission runs every check: errors block; warnings need the report's note.
    pub async fn act_on_report(
        &self,
        actor: &Actor,
        id: i64,
        action: &str,
        reason: Option<&str>,
    ) -> AppResult<MonthlyReport> {
        actor.require_write()?;
        let action = ReportAction::parse(action).ok_or_else(|| {
            AppError::invalid("action", "report.action", format!("expected one of {}", ReportAction::expected()))
        })?;
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        let mut tx = self.store.begin().await?;
        let (report, project) = self.report_in_scope(&mut tx, actor, id).await?;
        let roles = report_roles(actor);
        let needed = match action {
            ReportAction::Submit => vec![ReportActor::Filer, ReportActor::District],
            ReportAction::ApproveDistrict | ReportAction::ReturnDistrict => vec![ReportActor::District],
            ReportAction::ApproveCity | ReportAction::ReturnCity => vec![ReportActor::City],
        };
        let Some(role) = needed.into_iter().find(|r| roles.contains(r)) else {
            return Err(AppError::Forbidden(format!("the role {} may not {action} a report", actor.role)));
        };
        let next = report.status.after(action, role, reason)?;
        if action == ReportAction::Submit {
            let check = self.run_checks(&mut tx, &project, report.period, report.figures.completed_minor).await?;
            if !check.errors.is_empty() {
                return Err(AppError::Invalid(FieldErrors(check.errors)));
            }
            if !check.warnings.is_empty() && report.figures.warning_note.is_none() {
                let mut errors = vec![FieldError::new(
                    "warning_note",
                    "report.warning_needs_note",
                    "the report has warnings; explain them in the note before submitting",
                )];
                errors.extend(check.warnings);
                return Err(AppError::Invalid(FieldErrors(errors)));
            }
        }
        if next == ReportStatus::ApprovedByCity {
            // The month's earlier counted revision gives way to this one.
            let earlier = store::reports_of_project(&mut tx, project.id)
                .await?
                .into_iter()
                .find(|r| r.period == report.period && r.id != report.id && r.status == ReportStatus::ApprovedByCity);
            if let Some(earlier) = earlier {
                store::set_report_status(&mut tx, earlier.id, earlier.status, ReportStatus::Superseded).await?;
                store::add_review(
                    &mut tx,
                    earlier.id,
                    actor.user_id,
                    &actor.label,
                    "supersede",
                    Some(earlier.status),
                    ReportStatus::Superseded,
                    Some(&format!("replaced by revision {}", report.revision)),
                )
                .await?;
            }
        }
        let after = match store::set_report_status(&mut tx, id, report.status, next).await {
            Err(StoreError::Conflict) => {
                return Err(AppError::VersionMismatch { what: "report", current_version: report.version + 1 });
            }
            other => other?,
        };
        store::add_review(&mut tx, id, actor.user_id, &actor.label, action.as_str(), Some(report.status), next, reason)
            .await?;
        audit(
            &mut tx,
            actor,
            action.as_str(),
            "monthly_report",
            &id.to_string(),
            Some(json!(report)),
            Some(json!(after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Opens a correction of a report approved by the city: a new revision (a draft)
    /// with the reason; the approved revision keeps counting until the new one is approved.
    pub async fn correct_report(
        &self,
        actor: &Actor,
        id: i64,
        reason: &str,
        fields: &ReportFields,
    ) -> AppResult<MonthlyReport> {
        if !report_roles(actor).contains(&ReportActor::Filer) {
            return Err(AppError::Forbidden(format!("the role {} does not file monthly reports", actor.role)));
        }
        actor.require_write()?;
        let reason = reason.trim();
        let mut tx = self.store.begin().await?;
        let (report, project) = self.report_in_scope(&mut tx, actor, id).await?;
        let mut errors = FieldErrors::default();
        if report.status != ReportStatus::ApprovedByCity {
            errors.push(FieldError::new(
                "status",
                "report.correct_only_approved",
                "only a report approved by the city is corrected by a new revision",
            ));
        }
        if reason.is_empty() {
            errors.push(FieldError::new("reason", "report.correction_needs_reason", "a correction needs a reason"));
        }
        let figures = match fields.validate() {
            Ok(f) => Some(f),
            Err(more) => {
                errors.0.extend(more.0);
                None
            }
        };
        let (Some(figures), true) = (figures, errors.is_empty()) else {
            return Err(AppError::Invalid(errors));
        };
        let check = self.run_checks(&mut tx, &project, report.period, figures.completed_minor).await?;
        if !check.errors.is_empty() {
            return Err(AppError::Invalid(FieldErrors(check.errors)));
        }
        let latest = store::reports_of_project(&mut tx, project.id)
            .await?
            .into_iter()
            .filter(|r| r.period == report.period)
            .map(|r| r.revision)
            .max()
            .unwrap_or(report.revision);
        let revision =
            match store::insert_report(&mut tx, project.id, report.period, latest + 1, &figures, Some(reason)).await {
                Err(StoreError::Duplicate { .. }) => {
                    return Err(AppError::Duplicate(FieldError::new(
                        "period",
                        "report.correction_open",
                        "a correction of this month is already under way",
                    )));
                }
                other => other?,
            };
        store::add_review(
            &mut tx,
            revision.id,
            actor.user_id,
            &actor.label,
            "correct",
            None,
            ReportStatus::Draft,
            Some(reason),
        )
        .await?;
        audit(
            &mut tx,
            actor,
            "correct",
            "monthly_report",
            &revision.id.to_string(),
            Some(json!(report)),
            Some(json!(revision)),
        )
        .await?;
        tx.commit().await?;
        Ok(revision)
    }

    pub async fn report(&self, actor: &Actor, id: i64) -> AppResult<ReportDetail> {
        let mut conn = self.store.read().await?;
        let (report, project) = self.report_in_scope(&mut conn, actor, id).await?;
        let revisions: Vec<MonthlyReport> = store::reports_of_project(&mut conn, project.id)
            .await?
            .into_iter()
            .filter(|r| r.period == report.period)
            .collect();
        let reviews = store::list_reviews(&mut conn, id).await?;
        let check = if report.status.editable() {
            self.run_checks(&mut conn, &project, report.period, report.figures.completed_minor).await?
        } else {
            ReportCheck::default()
        };
        let roles = report_roles(actor);
        let writes = actor.token_scope != Some(bridgehead_domain::access::TokenScope::Read);
        let actions = ReportAction::ALL
            .iter()
            .copied()
            .filter(|action| {
                writes
                    && roles.iter().any(|role| {
                        let reason =
                            matches!(action, ReportAction::ReturnDistrict | ReportAction::ReturnCity).then_some("x");
                        report.status.after(*action, *role, reason).is_ok()
                    })
            })
            .collect();
        let may_edit = writes && report.status.editable() && roles.contains(&ReportActor::Filer);
        let may_correct =
            writes && report.status == ReportStatus::ApprovedByCity && roles.contains(&ReportActor::Filer);
        Ok(ReportDetail { report, project, revisions, reviews, check, actions, may_edit, may_correct })
    }

    /// Projects in scope whose report for `period` is missing or not yet submitted.
    pub async fn reminders(&self, actor: &Actor, period: &str) -> AppResult<Vec<Reminder>> {
        let scope = scope_filter(actor)?;
        let period = Period::parse(period).map_err(|m| AppError::invalid("period", "period.format", m))?;
        let due_on = report_due_on(period);
        let overdue = today_in_china() > due_on;
        let rows = store::reminders(&mut *self.store.read().await?, period, &scope).await?;
        Ok(rows
            .into_iter()
            .filter(|(_, status)| {
                matches!(
                    status,
                    None | Some(ReportStatus::Draft | ReportStatus::ReturnedByDistrict | ReportStatus::ReturnedByCity)
                )
            })
            .map(|(project, status)| Reminder { project, status, due_on, overdue })
            .collect())
    }
}

/// How imported monthly reports enter the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportImportMode {
    /// As drafts (or updates of drafts and returned reports) for the filers to submit.
    Drafts,
    /// As reports approved by the city: historical figures loaded by an administrator.
    Approved,
}

impl App {
    /// Imports monthly reports (`.csv`/`.xlsx`, one row per project and month): every
    /// row or none, every row error at once, idempotent (a row equal to the stored
    /// report changes nothing). Built for volume: projects and existing reports are
    /// read once, new reports and their audit records are written in batches.
    pub async fn import_reports(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &[u8],
        format: bridgehead_io::FileFormat,
        mode: ReportImportMode,
        progress: crate::enterprises::Progress<'_>,
    ) -> AppResult<crate::enterprises::ImportOutcome> {
        use std::collections::HashMap;

        use bridgehead_io::reports::REPORT_COLUMNS;
        use bridgehead_store::audit::AuditEvent;
        use bridgehead_store::projects::NewReport;

        match mode {
            ReportImportMode::Drafts if !report_roles(actor).contains(&ReportActor::Filer) => {
                return Err(AppError::Forbidden(format!("the role {} does not file monthly reports", actor.role)));
            }
            ReportImportMode::Approved => actor.require(&[Role::Administrator], "load approved historical reports")?,
            ReportImportMode::Drafts => {}
        }
        actor.require_write()?;
        let sheet = crate::read_file(bytes, format, REPORT_COLUMNS)?;
        let total = sheet.records.len();
        let today = today_in_china();
        let mut tx = self.store.begin().await?;
        let mut codes: Vec<String> =
            sheet.records.iter().filter_map(|r| r.get("project_code")).map(ProjectCode::key).collect();
        codes.sort();
        codes.dedup();
        let projects = store::projects_by_codes(&mut tx, &codes).await?;
        let mut visible_ids = HashSet::new();
        for project in projects.values() {
            if visible(&mut tx, actor, project).await? {
                visible_ids.insert(project.id);
            }
        }
        let ids: Vec<i64> = visible_ids.iter().copied().collect();
        let mut existing: HashMap<(i64, Period), Vec<MonthlyReport>> = HashMap::new();
        for report in store::current_reports_of(&mut tx, &ids).await? {
            existing.entry((report.project_id, report.period)).or_default().push(report);
        }

        let mut errors = Vec::new();
        let mut seen: HashMap<(i64, Period), usize> = HashMap::new();
        let mut inserts = Vec::new();
        let mut updates = Vec::new();
        let mut unchanged = 0;
        let target = match mode {
            ReportImportMode::Drafts => ReportStatus::Draft,
            ReportImportMode::Approved => ReportStatus::ApprovedByCity,
        };
        for (done, record) in sheet.records.iter().enumerate() {
            if done % 5000 == 0 {
                progress(done, total * 2);
            }
            let mut row_errors = FieldErrors::default();
            let code = record.get("project_code").map(ProjectCode::key);
            let project = code.as_ref().and_then(|c| projects.get(c)).filter(|p| visible_ids.contains(&p.id));
            if project.is_none() {
                row_errors.push(
                    FieldError::new("project_code", "project.unknown", "no such project in your jurisdiction")
                        .with_value(code.clone().unwrap_or_default()),
                );
            }
            let period_text = record.get("period").map(bridgehead_io::enterprises::date_text).unwrap_or_default();
            let period = row_errors.take(
                Period::parse(&period_text)
                    .map_err(|m| FieldError::new("period", "period.format", m).with_value(&period_text)),
            );
            let fields = ReportFields {
                completed: record.get("completed").map(ToOwned::to_owned),
                equipment: record.get("equipment").map(ToOwned::to_owned),
                construction: record.get("construction").map(ToOwned::to_owned),
                employees: record.get("employees").map(ToOwned::to_owned),
                status_note: record.get("status_note").map(ToOwned::to_owned),
                warning_note: record.get("warning_note").map(ToOwned::to_owned),
            };
            let figures = match fields.validate() {
                Ok(f) => Some(f),
                Err(more) => {
                    row_errors.0.extend(more.0);
                    None
                }
            };
            if let (Some(project), Some(period), Some(figures)) = (project, period, figures) {
                let check = check_report_period(period, today, project.started_on, i64::MAX, 0, 0, &[]);
                row_errors.0.extend(check.errors);
                let first = *seen.entry((project.id, period)).or_insert(record.row);
                if first != record.row {
                    row_errors.push(
                        FieldError::new(
                            "period",
                            "import.duplicate_row",
                            format!("the same project and month are on row {first}"),
                        )
                        .with_value(period.to_string())
                        .with_param("row", first),
                    );
                }
                if row_errors.is_empty() {
                    let current = existing.get(&(project.id, period));
                    let newest = current.and_then(|list| list.iter().max_by_key(|r| r.revision));
                    match newest {
                        None => inserts.push(NewReport {
                            project_id: project.id,
                            period,
                            revision: 1,
                            status: target,
                            figures,
                        }),
                        Some(report) if report.figures == figures => unchanged += 1,
                        Some(report) if report.status.editable() && mode == ReportImportMode::Drafts => {
                            updates.push((report.clone(), figures));
                        }
                        Some(report) => row_errors.push(
                            FieldError::new(
                                "completed",
                                "report.import_locked",
                                format!(
                                    "the month's report is {}; change it through the review or a correction",
                                    report.status
                                ),
                            )
                            .with_param("status", report.status.as_str()),
                        ),
                    }
                }
            }
            errors.extend(row_errors.0.into_iter().map(|e| sheet.field_row_error(record.row, e)));
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.row);
            return Err(AppError::ImportRows(errors));
        }
        let created = inserts.len();
        let new_ids = store::insert_reports(&mut tx, &inserts).await?;
        let mut events = Vec::with_capacity(created + updates.len() + 1);
        let mut review_ids = Vec::with_capacity(created);
        for report in &inserts {
            let id =
                new_ids.get(&(report.project_id, report.period.index(), report.revision)).copied().unwrap_or_default();
            review_ids.push(id);
            events.push(AuditEvent {
                actor_user_id: actor.user_id,
                actor: actor.label.clone(),
                action: "import_create".into(),
                entity: "monthly_report".into(),
                entity_key: id.to_string(),
                before: None,
                after: Some(json!({ "project_id": report.project_id, "period": report.period, "status": report.status, "figures": report.figures })),
            });
        }
        store::add_reviews(&mut tx, &review_ids, actor.user_id, &actor.label, "import", target).await?;
        progress(total + created, total * 2);
        for (before, figures) in &updates {
            let after = store::update_report_figures(&mut tx, before.id, before.version, figures).await?;
            events.push(AuditEvent {
                actor_user_id: actor.user_id,
                actor: actor.label.clone(),
                action: "import_update".into(),
                entity: "monthly_report".into(),
                entity_key: before.id.to_string(),
                before: Some(json!(before)),
                after: Some(json!(after)),
            });
        }
        let updated = updates.len();
        if created + updated > 0 {
            let summary = bridgehead_store::imports::ImportSummary {
                kind: "monthly_reports".into(),
                file_name: file_name.chars().take(200).collect(),
                file_sha256: crate::enterprises::file_hash(bytes),
                row_count: i64::try_from(total).unwrap_or(i64::MAX),
                created_count: i64::try_from(created).unwrap_or(i64::MAX),
                updated_count: i64::try_from(updated).unwrap_or(i64::MAX),
                unchanged_count: i64::try_from(unchanged).unwrap_or(i64::MAX),
            };
            let import_id = bridgehead_store::imports::record(&mut tx, actor.user_id, &summary).await?;
            events.push(AuditEvent {
                actor_user_id: actor.user_id,
                actor: actor.label.clone(),
                action: "import".into(),
                entity: "report_import".into(),
                entity_key: import_id.to_string(),
                before: None,
                after: Some(json!(summary)),
            });
            bridgehead_store::audit::append_many(&mut tx, &events).await?;
        }
        tx.commit().await?;
        progress(total * 2, total * 2);
        Ok(crate::enterprises::ImportOutcome {
            rows: total,
            created,
            updated,
            unchanged,
            ignored_columns: sheet.ignored_headers.clone(),
        })
    }
}

impl App {
    /// The monthly reports in the actor's scope between two months (inclusive) in the
    /// import layout — the newest revision of each project and month — so an export
    /// imports back unchanged.
    pub async fn export_reports(
        &self,
        actor: &Actor,
        from: Option<&str>,
        to: Option<&str>,
        lang: bridgehead_io::Lang,
        format: bridgehead_io::FileFormat,
    ) -> AppResult<Vec<u8>> {
        let parse = |field: &str, value: Option<&str>| -> AppResult<Option<Period>> {
            value
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| Period::parse(v).map_err(|m| AppError::invalid(field, "period.format", m)))
                .transpose()
        };
        let (from, to) = (parse("from", from)?, parse("to", to)?);
        let mut filter = scope_filter(actor)?;
        filter.limit = 1_000_000;
        let mut conn = self.store.read().await?;
        let (projects, _) = store::list_projects(&mut conn, &filter).await?;
        let codes: std::collections::HashMap<i64, String> =
            projects.iter().map(|p| (p.id, p.record.code.code.clone())).collect();
        let ids: Vec<i64> = projects.iter().map(|p| p.id).collect();
        let mut reports = store::current_reports_of(&mut conn, &ids).await?;
        reports.retain(|r| from.is_none_or(|f| r.period >= f) && to.is_none_or(|t| r.period <= t));
        reports.sort_by(|a, b| {
            (codes.get(&a.project_id), a.period, std::cmp::Reverse(a.revision)).cmp(&(
                codes.get(&b.project_id),
                b.period,
                std::cmp::Reverse(b.revision),
            ))
        });
        reports.dedup_by_key(|r| (r.project_id, r.period));
        let money = bridgehead_domain::money::format_major_units;
        let mut rows = reports.iter().map(|r| {
            let f = &r.figures;
            vec![
                codes.get(&r.project_id).cloned().unwrap_or_default(),
                r.period.to_string(),
                money(f.completed_minor),
                money(f.equipment_minor),
                money(f.construction_minor),
                f.employees.map(|e| e.to_string()).unwrap_or_default(),
                f.status_note.clone().unwrap_or_default(),
                f.warning_note.clone().unwrap_or_default(),
            ]
        });
        let title = match lang {
            bridgehead_io::Lang::Zh => "制造业投资项目月报",
            bridgehead_io::Lang::En => "Monthly progress reports",
        };
        bridgehead_io::write_sheet(bridgehead_io::reports::REPORT_COLUMNS, lang, format, Some(title), &mut rows)
            .map_err(|e| AppError::Internal(format!("writing the export failed: {e}")))
    }
}
