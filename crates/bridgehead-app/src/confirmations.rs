//! Imported-equipment tax-free confirmations (SPEC §3): the filer of a project lists
//! the equipment and the encouraged category it claims; the city's authority decides
//! within seven working days — approving with a confirmation number or rejecting with
//! reasons; the approved equipment list exports as a spreadsheet.

use bridgehead_domain::access::Role;
use bridgehead_domain::money::format_major_units;
use bridgehead_domain::project::{
    CONFIRMATION_DECISION_WORKING_DAYS, Confirmation, ConfirmationFields, ConfirmationStatus, Project, ReportActor,
};
use bridgehead_domain::{FieldError, FieldErrors};
use bridgehead_io::{ColumnSpec, FileFormat, Lang};
use bridgehead_store::StoreError;
use bridgehead_store::confirmations as store;
use serde::Serialize;
use serde_json::json;

use crate::auth::audit;
use crate::projects::{report_roles, today_in_china, visible};
use crate::{Actor, App, AppError, AppResult};

const NOT_FOUND: AppError = AppError::NotFound { what: "confirmation" };

/// Roles that decide on confirmations (within their scope).
pub const CONFIRMATION_REVIEWERS: &[Role] = &[Role::Administrator, Role::CityAnalyst];

/// Columns of the exported equipment list.
pub const EQUIPMENT_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec { key: "line", zh: "序号", en: "No.", required: false, note_zh: "", note_en: "" },
    ColumnSpec { key: "name", zh: "设备名称", en: "Equipment", required: true, note_zh: "", note_en: "" },
    ColumnSpec { key: "model", zh: "型号", en: "Model", required: false, note_zh: "", note_en: "" },
    ColumnSpec { key: "hs_code", zh: "商品编码", en: "HS code", required: true, note_zh: "", note_en: "" },
    ColumnSpec { key: "quantity", zh: "数量", en: "Quantity", required: true, note_zh: "", note_en: "" },
    ColumnSpec { key: "unit_price", zh: "单价", en: "Unit price", required: true, note_zh: "", note_en: "" },
    ColumnSpec { key: "currency", zh: "币种", en: "Currency", required: false, note_zh: "", note_en: "" },
    ColumnSpec { key: "total", zh: "总价", en: "Total", required: false, note_zh: "", note_en: "" },
];

/// An application with its project and where its deadline stands.
#[derive(Debug, Clone, Serialize)]
pub struct ConfirmationDetail {
    pub confirmation: Confirmation,
    pub project: Project,
    /// Submitted, undecided and past its due date.
    pub overdue: bool,
    /// Working days left until the due date (negative when past); for undecided applications.
    pub working_days_left: Option<i64>,
    pub may_edit: bool,
    pub may_decide: bool,
}

/// A decision that lost a race (someone decided first, or took the same number) is a
/// conflict for the caller to reload, not a failure.
fn concurrent(error: StoreError, before: &Confirmation) -> AppError {
    match error {
        StoreError::Conflict | StoreError::Duplicate { .. } => {
            AppError::VersionMismatch { what: "confirmation", current_version: before.version + 1 }
        }
        other => other.into(),
    }
}

impl App {
    async fn confirmation_in_scope(
        &self,
        conn: &mut bridgehead_store::Conn,
        actor: &Actor,
        id: i64,
    ) -> AppResult<(Confirmation, Project)> {
        let confirmation = store::get(conn, id).await?.ok_or(NOT_FOUND)?;
        let project = bridgehead_store::projects::get_project(conn, confirmation.project_id).await?.ok_or(NOT_FOUND)?;
        if !visible(conn, actor, &project).await? {
            return Err(NOT_FOUND);
        }
        Ok((confirmation, project))
    }

    fn require_filer(actor: &Actor) -> AppResult<()> {
        actor.require_write()?;
        if report_roles(actor).contains(&ReportActor::Filer) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!("the role {} does not apply for confirmations", actor.role)))
        }
    }

    /// Starts an application (a draft) for a project.
    pub async fn create_confirmation(
        &self,
        actor: &Actor,
        project_id: i64,
        fields: &ConfirmationFields,
    ) -> AppResult<Confirmation> {
        Self::require_filer(actor)?;
        let record = fields.validate()?;
        let mut tx = self.store.begin().await?;
        let project = bridgehead_store::projects::get_project(&mut tx, project_id)
            .await?
            .ok_or(AppError::NotFound { what: "project" })?;
        if !visible(&mut tx, actor, &project).await? {
            return Err(AppError::NotFound { what: "project" });
        }
        self.check_currencies(&mut tx, &record).await?;
        let confirmation = store::insert(&mut tx, project_id, &record).await?;
        audit(
            &mut tx,
            actor,
            "create",
            "equipment_confirmation",
            &confirmation.id.to_string(),
            None,
            Some(json!(confirmation)),
        )
        .await?;
        tx.commit().await?;
        Ok(confirmation)
    }

    async fn check_currencies(
        &self,
        conn: &mut bridgehead_store::Conn,
        record: &bridgehead_domain::project::ConfirmationRecord,
    ) -> AppResult<()> {
        let known: Vec<String> =
            bridgehead_store::reference::list_currencies(conn).await?.into_iter().map(|c| c.code).collect();
        let errors: Vec<FieldError> = record
            .items
            .iter()
            .enumerate()
            .filter(|(_, item)| !known.iter().any(|c| c == item.currency.as_str()))
            .map(|(index, item)| {
                FieldError::new(
                    format!("items[{index}].currency"),
                    "currency.unknown",
                    "not a currency of this installation",
                )
                .with_value(item.currency.as_str())
            })
            .collect();
        if errors.is_empty() { Ok(()) } else { Err(AppError::Invalid(FieldErrors(errors))) }
    }

    /// Replaces a draft's contents.
    pub async fn update_confirmation(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: Option<i64>,
        fields: &ConfirmationFields,
    ) -> AppResult<Confirmation> {
        Self::require_filer(actor)?;
        let record = fields.validate()?;
        let mut tx = self.store.begin().await?;
        let (before, _) = self.confirmation_in_scope(&mut tx, actor, id).await?;
        if before.status != ConfirmationStatus::Draft {
            return Err(AppError::invalid(
                "status",
                "confirmation.not_editable",
                format!("an application that is {} cannot be edited", before.status),
            ));
        }
        self.check_currencies(&mut tx, &record).await?;
        let after = match store::update(&mut tx, id, expected_version.unwrap_or(before.version), &record).await {
            Err(StoreError::Conflict) => {
                return Err(AppError::VersionMismatch { what: "confirmation", current_version: before.version });
            }
            other => other?,
        };
        audit(
            &mut tx,
            actor,
            "update",
            "equipment_confirmation",
            &id.to_string(),
            Some(json!(before)),
            Some(json!(after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Submits a draft: the decision is due seven working days later.
    pub async fn submit_confirmation(&self, actor: &Actor, id: i64) -> AppResult<Confirmation> {
        Self::require_filer(actor)?;
        let calendar = self.working_calendar().await?;
        let mut tx = self.store.begin().await?;
        let (before, _) = self.confirmation_in_scope(&mut tx, actor, id).await?;
        if before.status != ConfirmationStatus::Draft {
            return Err(AppError::invalid(
                "status",
                "confirmation.not_draft",
                format!("an application that is {} cannot be submitted", before.status),
            ));
        }
        let today = today_in_china();
        let due_on = calendar.add_working_days(today, CONFIRMATION_DECISION_WORKING_DAYS).map_err(|e| {
            AppError::Invalid(
                FieldError::new("submitted_on", e.code(), format!("{e}; the calendar needs the coming year")).into(),
            )
        })?;
        let after = store::set_status(
            &mut tx,
            id,
            ConfirmationStatus::Draft,
            ConfirmationStatus::Submitted,
            (Some(today), Some(due_on), None),
            None,
            None,
        )
        .await?;
        audit(
            &mut tx,
            actor,
            "submit",
            "equipment_confirmation",
            &id.to_string(),
            Some(json!(before)),
            Some(json!(after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Decides on a submitted application: approve (a confirmation number is issued) or
    /// reject with reasons.
    pub async fn decide_confirmation(
        &self,
        actor: &Actor,
        id: i64,
        approve: bool,
        reasons: Option<&str>,
    ) -> AppResult<Confirmation> {
        actor.require(CONFIRMATION_REVIEWERS, "decide on confirmations")?;
        actor.require_write()?;
        let reasons = reasons.map(str::trim).filter(|r| !r.is_empty());
        let mut tx = self.store.begin().await?;
        let (before, project) = self.confirmation_in_scope(&mut tx, actor, id).await?;
        if before.status != ConfirmationStatus::Submitted {
            return Err(AppError::invalid(
                "status",
                "confirmation.not_submitted",
                format!("an application that is {} cannot be decided", before.status),
            ));
        }
        if !approve && reasons.is_none() {
            return Err(AppError::invalid(
                "reasons",
                "confirmation.reject_needs_reasons",
                "a rejection needs its reasons",
            ));
        }
        let today = today_in_china();
        let dates = (before.submitted_on, before.due_on, Some(today));
        let after = if approve {
            let prefix = format!("{}-{}-", today.year(), project.record.region_code);
            let sequence = store::numbers_with_prefix(&mut tx, &prefix).await? + 1;
            let number = format!("{prefix}{sequence:05}");
            store::set_status(
                &mut tx,
                id,
                ConfirmationStatus::Submitted,
                ConfirmationStatus::Approved,
                dates,
                Some(&number),
                None,
            )
            .await
            .map_err(|e| concurrent(e, &before))?
        } else {
            store::set_status(
                &mut tx,
                id,
                ConfirmationStatus::Submitted,
                ConfirmationStatus::Rejected,
                dates,
                None,
                reasons,
            )
            .await
            .map_err(|e| concurrent(e, &before))?
        };
        let action = if approve { "approve" } else { "reject" };
        audit(
            &mut tx,
            actor,
            action,
            "equipment_confirmation",
            &id.to_string(),
            Some(json!(before)),
            Some(json!(after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn confirmation(&self, actor: &Actor, id: i64) -> AppResult<ConfirmationDetail> {
        let calendar = self.working_calendar().await?;
        let mut conn = self.store.read().await?;
        let (confirmation, project) = self.confirmation_in_scope(&mut conn, actor, id).await?;
        let today = today_in_china();
        let undecided = confirmation.status == ConfirmationStatus::Submitted;
        let working_days_left = match (undecided, confirmation.due_on) {
            (true, Some(due)) => calendar.working_days_between(today, due).ok(),
            _ => None,
        };
        let overdue = undecided && confirmation.due_on.is_some_and(|due| today > due);
        let writes = actor.token_scope != Some(bridgehead_domain::access::TokenScope::Read);
        let may_edit = writes
            && confirmation.status == ConfirmationStatus::Draft
            && report_roles(actor).contains(&ReportActor::Filer);
        let may_decide = writes && undecided && actor.is(CONFIRMATION_REVIEWERS);
        Ok(ConfirmationDetail { confirmation, project, overdue, working_days_left, may_edit, may_decide })
    }

    pub async fn confirmations_of_project(&self, actor: &Actor, project_id: i64) -> AppResult<Vec<Confirmation>> {
        let mut conn = self.store.read().await?;
        let project = bridgehead_store::projects::get_project(&mut conn, project_id)
            .await?
            .ok_or(AppError::NotFound { what: "project" })?;
        if !visible(&mut conn, actor, &project).await? {
            return Err(AppError::NotFound { what: "project" });
        }
        Ok(store::of_project(&mut conn, project_id).await?)
    }

    /// The equipment list of an application as a spreadsheet, titled with its number.
    pub async fn export_equipment_list(
        &self,
        actor: &Actor,
        id: i64,
        lang: Lang,
        format: FileFormat,
    ) -> AppResult<Vec<u8>> {
        let detail = self.confirmation(actor, id).await?;
        let c = &detail.confirmation;
        let title = match (lang, &c.confirmation_number) {
            (Lang::Zh, Some(n)) => format!("进口设备免税确认清单 确认书编号 {n} · {}", detail.project.record.name_zh),
            (Lang::Zh, None) => format!("进口设备免税确认申请清单（未确认）· {}", detail.project.record.name_zh),
            (Lang::En, Some(n)) => {
                format!("Tax-free imported equipment list, confirmation {n} · {}", detail.project.record.name_zh)
            }
            (Lang::En, None) => format!("Imported equipment list (not confirmed) · {}", detail.project.record.name_zh),
        };
        let mut rows = c.record.items.iter().enumerate().map(|(index, item)| {
            vec![
                (index + 1).to_string(),
                item.name.clone(),
                item.model.clone().unwrap_or_default(),
                item.hs_code.clone(),
                item.quantity.to_string(),
                format_major_units(item.unit_price_minor),
                item.currency.to_string(),
                format_major_units(item.total_minor),
            ]
        });
        bridgehead_io::write_sheet(EQUIPMENT_COLUMNS, lang, format, Some(&title), &mut rows)
            .map_err(|e| AppError::Internal(format!("writing the equipment list failed: {e}")))
    }
}
