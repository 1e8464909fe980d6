//! Collaborative innovation projects (SPEC §3). A project belongs to its lead
//! enterprise's region: the city and the districts register and edit the projects of
//! their region; an enterprise sees the projects it leads or partners in, and the lead
//! records its milestones' completion with evidence. Partners may be anywhere — a
//! Shanghai university is as welcome as a Jiaxing supplier.

use bridgehead_domain::access::{Role, Scope};
use bridgehead_domain::innovation::{
    Innovation, InnovationFields, InnovationFlags, InnovationRecord, InnovationStatus, MilestoneCompletion,
    MilestoneState,
};
use bridgehead_domain::{FieldError, FieldErrors};
use bridgehead_store::innovation::{self as store, InnovationFilter};
use bridgehead_store::{Conn, StoreError};
use serde::Serialize;
use serde_json::json;

use crate::access::{EnterpriseVisibility, enterprise_visibility};
use crate::auth::audit;
use crate::enterprises::MAX_PAGE_SIZE;
use crate::projects::today_in_china;
use crate::{Actor, App, AppError, AppResult};

const NOT_FOUND: AppError = AppError::NotFound { what: "innovation project" };

/// Roles that register and edit collaborative innovation projects (within their region).
pub const INNOVATION_REGISTRARS: &[Role] = &[Role::Administrator, Role::CityAnalyst, Role::DistrictOfficer];
/// Roles that see them (each within its scope).
pub const INNOVATION_READERS: &[Role] =
    &[Role::Administrator, Role::CityAnalyst, Role::DistrictOfficer, Role::EnterpriseUser];

/// A project with its flags, as a list shows it.
#[derive(Debug, Clone, Serialize)]
pub struct InnovationSummary {
    pub innovation: Innovation,
    pub lead_name: String,
    /// The lead enterprise's region: the project belongs to it.
    pub lead_region_code: String,
    pub budget_total_minor: i64,
    pub flags: InnovationFlags,
}

/// A project with what its page shows and what the actor may do.
#[derive(Debug, Clone, Serialize)]
pub struct InnovationDetail {
    pub innovation: Innovation,
    pub lead_name: String,
    /// The lead enterprise's region: the project belongs to it.
    pub lead_region_code: String,
    pub budget_total_minor: i64,
    pub flags: InnovationFlags,
    /// The state of each milestone today, in the order of `innovation.record.milestones`.
    pub milestone_states: Vec<MilestoneState>,
    /// Partner region names (Chinese), in the order of the partners.
    pub partner_region_names: Vec<String>,
    pub may_edit: bool,
    /// Whether the actor may record milestone completions.
    pub may_complete: bool,
    /// The statuses the actor may move the project to now.
    pub transitions: Vec<InnovationStatus>,
}

/// What a list asks for.
#[derive(Debug, Clone, Default)]
pub struct InnovationQuery {
    pub search: Option<String>,
    pub region_within: Option<String>,
    pub status: Option<InnovationStatus>,
    pub overdue: bool,
    pub limit: i64,
    pub offset: i64,
}

fn scope_filter(actor: &Actor) -> AppResult<InnovationFilter> {
    let mut filter = InnovationFilter::default();
    match (actor.role, &actor.scope) {
        (Role::Administrator, _) => {}
        (Role::CityAnalyst | Role::DistrictOfficer, Scope::Region { region_code }) => {
            filter.scope_region_within = Some(region_code.clone());
        }
        (Role::EnterpriseUser, Scope::Enterprise { enterprise_id }) => {
            filter.involving_enterprise_id = Some(*enterprise_id);
        }
        _ => {
            return Err(AppError::Forbidden(format!(
                "the role {} has no access to collaborative innovation projects",
                actor.role
            )));
        }
    }
    Ok(filter)
}

/// The lead enterprise's name and its region as the register has it now.
async fn lead_of(conn: &mut Conn, innovation: &Innovation) -> AppResult<(String, String)> {
    let lead = bridgehead_store::enterprises::get(conn, innovation.record.lead_enterprise_id).await?;
    Ok(lead.map(|e| (e.record.name_zh, e.record.region_code.to_string())).unwrap_or_default())
}

async fn visible(conn: &mut Conn, actor: &Actor, innovation: &Innovation) -> AppResult<bool> {
    let filter = scope_filter(actor)?;
    if let Some(region) = &filter.scope_region_within {
        let (_, lead_region) = lead_of(conn, innovation).await?;
        if !bridgehead_store::reference::region_within(conn, &lead_region, region).await? {
            return Ok(false);
        }
    }
    if let Some(enterprise) = filter.involving_enterprise_id {
        let record = &innovation.record;
        return Ok(record.lead_enterprise_id == enterprise
            || record.partners.iter().any(|p| p.enterprise_id == Some(enterprise)));
    }
    Ok(true)
}

/// Whether the actor may record completions: a registrar in scope, or the lead.
fn may_complete(actor: &Actor, innovation: &Innovation) -> bool {
    innovation.status.editable()
        && (actor.is(INNOVATION_REGISTRARS)
            || matches!(actor.scope, Scope::Enterprise { enterprise_id } if enterprise_id == innovation.record.lead_enterprise_id))
}

fn flags(innovation: &Innovation) -> InnovationFlags {
    InnovationFlags::compute(&innovation.record, innovation.status, today_in_china())
}

/// A lost race answers as a version conflict for the caller to reload.
fn concurrent(error: StoreError, before: &Innovation) -> AppError {
    match error {
        StoreError::Conflict => {
            AppError::VersionMismatch { what: "innovation project", current_version: before.version + 1 }
        }
        other => other.into(),
    }
}

impl App {
    async fn innovation_in_scope(&self, conn: &mut Conn, actor: &Actor, id: i64) -> AppResult<Innovation> {
        actor.require(INNOVATION_READERS, "see collaborative innovation projects")?;
        let innovation = store::get(conn, id).await?.ok_or(NOT_FOUND)?;
        if !visible(conn, actor, &innovation).await? {
            return Err(NOT_FOUND);
        }
        Ok(innovation)
    }

    /// Checks what the database knows: the lead exists and lies in the actor's scope
    /// (the project belongs to the lead's region), partner enterprises and regions
    /// exist. Partners may be anywhere, so a partner's enterprise record is checked for
    /// existence only.
    async fn check_innovation(&self, conn: &mut Conn, actor: &Actor, record: &InnovationRecord) -> AppResult<()> {
        use bridgehead_store::reference as r;
        let mut errors = Vec::new();
        let lead = bridgehead_store::enterprises::get(conn, record.lead_enterprise_id).await?;
        let lead_visible = match (&lead, enterprise_visibility(actor)) {
            (None, _) | (_, EnterpriseVisibility::None) => false,
            (Some(_), EnterpriseVisibility::All) => true,
            (Some(e), EnterpriseVisibility::Only(id)) => e.id == id,
            (Some(e), EnterpriseVisibility::Region(region)) => {
                r::region_within(conn, e.record.region_code.as_str(), &region).await?
            }
        };
        if !lead_visible {
            errors.push(
                FieldError::new("lead_enterprise_id", "enterprise.unknown", "no such enterprise in your jurisdiction")
                    .with_value(record.lead_enterprise_id.to_string()),
            );
        }
        for (index, partner) in record.partners.iter().enumerate() {
            if let Some(id) = partner.enterprise_id
                && bridgehead_store::enterprises::get(conn, id).await?.is_none()
            {
                errors.push(
                    FieldError::new(
                        format!("partners[{index}].enterprise_id"),
                        "enterprise.unknown",
                        "no such enterprise",
                    )
                    .with_value(id.to_string()),
                );
            }
            if r::get_region(conn, partner.region_code.as_str()).await?.is_none() {
                errors.push(
                    FieldError::new(format!("partners[{index}].region_code"), "region.unknown", "no such region")
                        .with_value(partner.region_code.as_str()),
                );
            }
        }
        if errors.is_empty() { Ok(()) } else { Err(AppError::Invalid(FieldErrors(errors))) }
    }

    async fn describe(&self, conn: &mut Conn, innovation: &Innovation) -> AppResult<InnovationSummary> {
        let (lead_name, lead_region_code) = lead_of(conn, innovation).await?;
        Ok(InnovationSummary {
            lead_name,
            lead_region_code,
            budget_total_minor: innovation.record.budget_total_minor().unwrap_or(i64::MAX),
            flags: flags(innovation),
            innovation: innovation.clone(),
        })
    }

    /// A page of the projects the actor may see, newest start first.
    pub async fn list_innovations(
        &self,
        actor: &Actor,
        query: &InnovationQuery,
    ) -> AppResult<(Vec<InnovationSummary>, i64)> {
        actor.require(INNOVATION_READERS, "see collaborative innovation projects")?;
        let mut filter = scope_filter(actor)?;
        filter.search = query.search.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(ToOwned::to_owned);
        filter.region_within = query.region_within.clone();
        filter.status = query.status;
        filter.overdue_on = query.overdue.then(today_in_china);
        filter.limit = query.limit.clamp(1, MAX_PAGE_SIZE);
        filter.offset = query.offset.max(0);
        let mut conn = self.store.read().await?;
        let (list, total) = store::list(&mut conn, &filter).await?;
        let mut out = Vec::with_capacity(list.len());
        for innovation in &list {
            out.push(self.describe(&mut conn, innovation).await?);
        }
        Ok((out, total))
    }

    /// One project with its flags and what the actor may do.
    pub async fn innovation(&self, actor: &Actor, id: i64) -> AppResult<InnovationDetail> {
        let mut conn = self.store.read().await?;
        let innovation = self.innovation_in_scope(&mut conn, actor, id).await?;
        let summary = self.describe(&mut conn, &innovation).await?;
        let today = today_in_china();
        let mut partner_region_names = Vec::with_capacity(innovation.record.partners.len());
        for partner in &innovation.record.partners {
            let region = bridgehead_store::reference::get_region(&mut conn, partner.region_code.as_str()).await?;
            partner_region_names.push(region.map(|r| r.name_zh).unwrap_or_default());
        }
        let registrar = actor.is(INNOVATION_REGISTRARS)
            && actor.token_scope.is_none_or(|s| s != bridgehead_domain::access::TokenScope::Read);
        let transitions = if registrar {
            InnovationStatus::ALL
                .iter()
                .copied()
                .filter(|to| innovation.status.check_transition(*to, Some("-"), &innovation.record).is_ok())
                .collect()
        } else {
            Vec::new()
        };
        Ok(InnovationDetail {
            milestone_states: innovation.record.milestones.iter().map(|m| m.state(today)).collect(),
            partner_region_names,
            may_edit: registrar && innovation.status.editable(),
            may_complete: may_complete(actor, &innovation),
            transitions,
            lead_name: summary.lead_name,
            lead_region_code: summary.lead_region_code,
            budget_total_minor: summary.budget_total_minor,
            flags: summary.flags,
            innovation,
        })
    }

    /// Registers a project (active from the start).
    pub async fn create_innovation(&self, actor: &Actor, fields: &InnovationFields) -> AppResult<Innovation> {
        actor.require(INNOVATION_REGISTRARS, "register collaborative innovation projects")?;
        actor.require_write()?;
        let record = fields.validate(today_in_china())?;
        let mut tx = self.store.begin().await?;
        self.check_innovation(&mut tx, actor, &record).await?;
        let innovation = store::insert(&mut tx, &record).await?;
        audit(
            &mut tx,
            actor,
            "create",
            "innovation_project",
            &innovation.id.to_string(),
            None,
            Some(json!(innovation)),
        )
        .await?;
        tx.commit().await?;
        Ok(innovation)
    }

    /// Replaces an active or suspended project's contents, partners, budget and
    /// milestones.
    pub async fn update_innovation(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: Option<i64>,
        fields: &InnovationFields,
    ) -> AppResult<Innovation> {
        actor.require(INNOVATION_REGISTRARS, "edit collaborative innovation projects")?;
        actor.require_write()?;
        let record = fields.validate(today_in_china())?;
        let mut tx = self.store.begin().await?;
        let before = self.innovation_in_scope(&mut tx, actor, id).await?;
        if !before.status.editable() {
            return Err(AppError::invalid(
                "status",
                "innovation.not_editable",
                format!("a project that is {} cannot be edited", before.status),
            ));
        }
        let expected = expected_version.unwrap_or(before.version);
        if expected != before.version {
            return Err(AppError::VersionMismatch { what: "innovation project", current_version: before.version });
        }
        self.check_innovation(&mut tx, actor, &record).await?;
        let after = store::update(&mut tx, id, expected, &record).await.map_err(|e| concurrent(e, &before))?;
        audit(&mut tx, actor, "update", "innovation_project", &id.to_string(), Some(json!(before)), Some(json!(after)))
            .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Moves a project to another status (with a reason where the rules ask for one).
    pub async fn change_innovation_status(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: Option<i64>,
        to: &str,
        reason: Option<&str>,
    ) -> AppResult<Innovation> {
        actor.require(INNOVATION_REGISTRARS, "change the status of collaborative innovation projects")?;
        actor.require_write()?;
        let to = InnovationStatus::parse(to).ok_or_else(|| {
            AppError::Invalid(
                FieldError::new(
                    "status",
                    "innovation.status",
                    format!("expected one of {}", InnovationStatus::expected()),
                )
                .with_value(to)
                .into(),
            )
        })?;
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        let mut tx = self.store.begin().await?;
        let before = self.innovation_in_scope(&mut tx, actor, id).await?;
        let expected = expected_version.unwrap_or(before.version);
        if expected != before.version {
            return Err(AppError::VersionMismatch { what: "innovation project", current_version: before.version });
        }
        before.status.check_transition(to, reason, &before.record).map_err(|e| AppError::Invalid(e.into()))?;
        let after = store::set_status(&mut tx, id, expected, before.status, to, reason)
            .await
            .map_err(|e| concurrent(e, &before))?;
        audit(
            &mut tx,
            actor,
            "status",
            "innovation_project",
            &id.to_string(),
            Some(json!({ "status": before.status, "version": before.version })),
            Some(json!({ "status": after.status, "reason": reason, "version": after.version })),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Records a milestone's completion with its evidence (`line` counts from 1).
    pub async fn complete_milestone(
        &self,
        actor: &Actor,
        id: i64,
        line: i64,
        expected_version: Option<i64>,
        completed_on: &Option<String>,
        evidence: &Option<String>,
    ) -> AppResult<Innovation> {
        actor.require(INNOVATION_READERS, "record milestones")?;
        actor.require_write()?;
        let mut tx = self.store.begin().await?;
        let before = self.innovation_in_scope(&mut tx, actor, id).await?;
        let index =
            line.checked_sub(1).and_then(|i| usize::try_from(i).ok()).filter(|i| *i < before.record.milestones.len());
        let Some(index) = index else {
            return Err(AppError::NotFound { what: "milestone" });
        };
        if !before.status.editable() {
            return Err(AppError::invalid(
                "status",
                "innovation.not_editable",
                format!("a project that is {} cannot be changed", before.status),
            ));
        }
        if !may_complete(actor, &before) {
            return Err(AppError::Forbidden("only the lead enterprise or the registrars record milestones".into()));
        }
        let expected = expected_version.unwrap_or(before.version);
        if expected != before.version {
            return Err(AppError::VersionMismatch { what: "innovation project", current_version: before.version });
        }
        let term = (before.record.starts_on, before.record.ends_on);
        let completion = MilestoneCompletion::validate(completed_on, evidence, term, today_in_china())?;
        let after = store::set_completion(&mut tx, id, expected, line, &completion)
            .await
            .map_err(|e| concurrent(e, &before))?;
        audit(
            &mut tx,
            actor,
            "complete_milestone",
            "innovation_project",
            &id.to_string(),
            Some(json!({ "line": line, "milestone": before.record.milestones[index] })),
            Some(json!({ "line": line, "milestone": after.record.milestones.get(index) })),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}
