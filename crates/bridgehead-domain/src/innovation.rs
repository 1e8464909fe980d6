//! Collaborative innovation projects (SPEC §3): a lead enterprise with partners —
//! enterprises, universities, institutes, possibly in other regions — a budget by
//! funding source, and milestones with due dates, completion and evidence. A project's
//! status moves by explicit rules; milestones past their due date without completion
//! raise the overdue flag.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::codes::RegionCode;
use crate::enterprise::format_date;
use crate::project::{amount, date, present};
use crate::reference::vocabulary;
use crate::{FieldError, FieldErrors};

vocabulary!(
    /// Where a collaborative innovation project stands.
    InnovationStatus { Active = "active", Suspended = "suspended", Completed = "completed", Cancelled = "cancelled" }
);

vocabulary!(
    /// What kind of organisation a partner is.
    PartnerKind { Enterprise = "enterprise", University = "university", Institute = "institute", Other = "other" }
);

vocabulary!(
    /// Where a part of the budget comes from.
    FundingSource {
        NationalGovernment = "national_government",
        ProvincialGovernment = "provincial_government",
        MunicipalGovernment = "municipal_government",
        DistrictGovernment = "district_government",
        LeadEnterprise = "lead_enterprise",
        Partners = "partners",
        Financing = "financing",
        Other = "other",
    }
);

/// Partners a project may list at most.
pub const MAX_PARTNERS: usize = 100;
/// Budget lines a project may list at most (one per funding source).
pub const MAX_BUDGET_LINES: usize = FundingSource::ALL.len();
/// Milestones a project may list at most.
pub const MAX_MILESTONES: usize = 200;
/// Longest name, title or note, in characters.
const MAX_TEXT: usize = 500;

/// A partner as entered.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PartnerFields {
    pub kind: Option<String>,
    pub name: Option<String>,
    /// The partner's enterprise record, when it is an enterprise registered here.
    pub enterprise_id: Option<String>,
    /// Where the partner is: any GB/T 2260 region, e.g. `310115` for Pudong.
    pub region_code: Option<String>,
    /// What the partner contributes.
    pub role: Option<String>,
}

/// A budget line as entered.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BudgetLineFields {
    pub source: Option<String>,
    /// Yuan, up to two decimals.
    pub amount: Option<String>,
    pub note: Option<String>,
}

/// A milestone as entered.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MilestoneFields {
    pub title: Option<String>,
    /// YYYY-MM-DD.
    pub due_on: Option<String>,
    /// YYYY-MM-DD; with evidence.
    pub completed_on: Option<String>,
    /// What shows the milestone is reached: document names, report numbers, links.
    pub evidence: Option<String>,
}

/// A project as entered.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct InnovationFields {
    pub name: Option<String>,
    pub lead_enterprise_id: Option<String>,
    pub summary: Option<String>,
    /// YYYY-MM-DD.
    pub starts_on: Option<String>,
    /// YYYY-MM-DD.
    pub ends_on: Option<String>,
    pub partners: Vec<PartnerFields>,
    pub budget: Vec<BudgetLineFields>,
    pub milestones: Vec<MilestoneFields>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partner {
    pub kind: PartnerKind,
    pub name: String,
    pub enterprise_id: Option<i64>,
    pub region_code: RegionCode,
    pub role: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetLine {
    pub source: FundingSource,
    /// CNY, in fen.
    pub amount_minor: i64,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    pub title: String,
    pub due_on: Date,
    pub completed_on: Option<Date>,
    pub evidence: Option<String>,
}

/// A validated project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InnovationRecord {
    pub name: String,
    pub lead_enterprise_id: i64,
    pub summary: Option<String>,
    pub starts_on: Date,
    pub ends_on: Date,
    pub partners: Vec<Partner>,
    pub budget: Vec<BudgetLine>,
    pub milestones: Vec<Milestone>,
}

impl InnovationRecord {
    /// The whole budget in fen (`None` if it would overflow, which validation refuses).
    pub fn budget_total_minor(&self) -> Option<i64> {
        self.budget.iter().try_fold(0_i64, |sum, line| sum.checked_add(line.amount_minor))
    }
}

fn text(errors: &mut FieldErrors, field: &str, value: &Option<String>) -> Option<String> {
    let value = present(value)?;
    if value.chars().count() > MAX_TEXT {
        errors.push(
            FieldError::new(field, "text.too_long", format!("at most {MAX_TEXT} characters"))
                .with_param("max", MAX_TEXT),
        );
        return None;
    }
    Some(value.to_owned())
}

fn required_text(errors: &mut FieldErrors, field: &str, value: &Option<String>, what: &str) -> Option<String> {
    if present(value).is_none() {
        errors.push(FieldError::new(field, "required", format!("{what} is required")));
        return None;
    }
    text(errors, field, value)
}

fn required_date(errors: &mut FieldErrors, field: &str, value: &Option<String>, what: &str) -> Option<Date> {
    if present(value).is_none() {
        errors.push(FieldError::new(field, "required", format!("{what} is required")));
        return None;
    }
    date(errors, field, value)
}

fn id(errors: &mut FieldErrors, field: &str, value: &Option<String>, code: &'static str) -> Option<i64> {
    let raw = present(value)?;
    errors.take(
        raw.parse::<i64>()
            .ok()
            .filter(|v| *v > 0)
            .ok_or_else(|| FieldError::new(field, code, "not a known record").with_value(raw)),
    )
}

fn vocabulary_value<T>(
    errors: &mut FieldErrors,
    field: &str,
    value: &Option<String>,
    parse: fn(&str) -> Option<T>,
    expected: &str,
    code: &'static str,
) -> Option<T> {
    match present(value) {
        None => {
            errors.push(FieldError::new(field, "required", format!("expected one of {expected}")));
            None
        }
        Some(raw) => errors.take(parse(raw).ok_or_else(|| {
            FieldError::new(field, code, format!("expected one of {expected}"))
                .with_value(raw)
                .with_param("expected", expected)
        })),
    }
}

impl MilestoneFields {
    /// Checks one milestone; `field` names it (`milestones[2]`), `term` is the
    /// project's start and end when known.
    fn validate(
        &self,
        errors: &mut FieldErrors,
        field: &str,
        term: Option<(Date, Date)>,
        today: Date,
    ) -> Option<Milestone> {
        let name = |n: &str| format!("{field}.{n}");
        let title = required_text(errors, &name("title"), &self.title, "the milestone's title");
        let due_on = required_date(errors, &name("due_on"), &self.due_on, "the due date");
        let completion = MilestoneCompletion::check(errors, field, &self.completed_on, &self.evidence, term, today);
        if let (Some(due), Some((start, end))) = (due_on, term)
            && (due < start || due > end)
        {
            errors.push(
                FieldError::new(
                    name("due_on"),
                    "milestone.outside_term",
                    "the due date lies outside the project's term",
                )
                .with_value(format_date(due))
                .with_param("starts_on", format_date(start))
                .with_param("ends_on", format_date(end)),
            );
        }
        let (completed_on, evidence) = completion?;
        Some(Milestone { title: title?, due_on: due_on?, completed_on, evidence })
    }
}

/// A milestone's completion as recorded on its own: the date and the evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneCompletion {
    pub completed_on: Option<Date>,
    pub evidence: Option<String>,
}

impl MilestoneCompletion {
    /// Checks a completion: not in the future, not before the project started, and a
    /// completed milestone names its evidence. Returns `None` after recording errors.
    fn check(
        errors: &mut FieldErrors,
        field: &str,
        completed_on: &Option<String>,
        evidence: &Option<String>,
        term: Option<(Date, Date)>,
        today: Date,
    ) -> Option<(Option<Date>, Option<String>)> {
        let name = |n: &str| if field.is_empty() { n.to_owned() } else { format!("{field}.{n}") };
        let before = errors.0.len();
        let completed = date(errors, &name("completed_on"), completed_on);
        let evidence = text(errors, &name("evidence"), evidence);
        if let Some(done) = completed {
            if done > today {
                errors.push(
                    FieldError::new(
                        name("completed_on"),
                        "milestone.completed_future",
                        "a completion cannot lie in the future",
                    )
                    .with_value(format_date(done)),
                );
            }
            if let Some((start, _)) = term
                && done < start
            {
                errors.push(
                    FieldError::new(
                        name("completed_on"),
                        "milestone.completed_before_start",
                        "a milestone cannot be completed before the project starts",
                    )
                    .with_value(format_date(done))
                    .with_param("starts_on", format_date(start)),
                );
            }
            if evidence.is_none() && present(completed_on).is_some() {
                errors.push(FieldError::new(
                    name("evidence"),
                    "milestone.evidence_required",
                    "a completed milestone names its evidence",
                ));
            }
        }
        (errors.0.len() == before).then_some((completed, evidence))
    }

    /// Validates a completion recorded on its own (the milestone's page or the API).
    pub fn validate(
        completed_on: &Option<String>,
        evidence: &Option<String>,
        term: (Date, Date),
        today: Date,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        if present(completed_on).is_none() {
            errors.push(FieldError::new("completed_on", "required", "the completion date is required"));
        }
        match Self::check(&mut errors, "", completed_on, evidence, Some(term), today) {
            Some((completed_on, evidence)) if errors.is_empty() => Ok(Self { completed_on, evidence }),
            _ => Err(errors),
        }
    }
}

impl InnovationFields {
    /// Validates every field at once; `today` bounds completion dates.
    pub fn validate(&self, today: Date) -> Result<InnovationRecord, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = required_text(&mut errors, "name", &self.name, "the project's name");
        if present(&self.lead_enterprise_id).is_none() {
            errors.push(FieldError::new("lead_enterprise_id", "required", "the lead enterprise is required"));
        }
        let lead = id(&mut errors, "lead_enterprise_id", &self.lead_enterprise_id, "enterprise.unknown");
        let summary = text(&mut errors, "summary", &self.summary);
        let starts_on = required_date(&mut errors, "starts_on", &self.starts_on, "the start date");
        let ends_on = required_date(&mut errors, "ends_on", &self.ends_on, "the end date");
        let term = match (starts_on, ends_on) {
            (Some(start), Some(end)) if end < start => {
                errors.push(
                    FieldError::new(
                        "ends_on",
                        "innovation.ends_before_start",
                        "the project cannot end before it starts",
                    )
                    .with_value(format_date(end))
                    .with_param("starts_on", format_date(start)),
                );
                None
            }
            (Some(start), Some(end)) => Some((start, end)),
            _ => None,
        };

        let partners = self.validate_partners(&mut errors, lead);
        let budget = self.validate_budget(&mut errors);
        if self.milestones.is_empty() {
            errors.push(FieldError::new("milestones", "innovation.no_milestones", "list at least one milestone"));
        }
        if self.milestones.len() > MAX_MILESTONES {
            errors.push(
                FieldError::new("milestones", "innovation.too_many", format!("at most {MAX_MILESTONES} milestones"))
                    .with_param("max", MAX_MILESTONES),
            );
        }
        let milestones: Vec<Option<Milestone>> = self
            .milestones
            .iter()
            .enumerate()
            .map(|(index, m)| m.validate(&mut errors, &format!("milestones[{index}]"), term, today))
            .collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        match (name, lead, starts_on, ends_on) {
            (Some(name), Some(lead_enterprise_id), Some(starts_on), Some(ends_on)) => Ok(InnovationRecord {
                name,
                lead_enterprise_id,
                summary,
                starts_on,
                ends_on,
                partners,
                budget,
                milestones: milestones.into_iter().flatten().collect(),
            }),
            _ => Err(errors),
        }
    }

    fn validate_partners(&self, errors: &mut FieldErrors, lead: Option<i64>) -> Vec<Partner> {
        if self.partners.is_empty() {
            errors.push(FieldError::new(
                "partners",
                "innovation.no_partners",
                "a collaborative project lists at least one partner",
            ));
        }
        if self.partners.len() > MAX_PARTNERS {
            errors.push(
                FieldError::new("partners", "innovation.too_many", format!("at most {MAX_PARTNERS} partners"))
                    .with_param("max", MAX_PARTNERS),
            );
        }
        let mut partners = Vec::new();
        for (index, fields) in self.partners.iter().enumerate() {
            let field = |n: &str| format!("partners[{index}].{n}");
            let kind = vocabulary_value(
                errors,
                &field("kind"),
                &fields.kind,
                PartnerKind::parse,
                &PartnerKind::expected(),
                "innovation.partner_kind",
            );
            let name = required_text(errors, &field("name"), &fields.name, "the partner's name");
            let enterprise_id = id(errors, &field("enterprise_id"), &fields.enterprise_id, "enterprise.unknown");
            if enterprise_id.is_some() && kind.is_some_and(|k| k != PartnerKind::Enterprise) {
                errors.push(FieldError::new(
                    field("enterprise_id"),
                    "innovation.partner_not_enterprise",
                    "only an enterprise partner links to an enterprise record",
                ));
            }
            if enterprise_id.is_some() && enterprise_id == lead {
                errors.push(FieldError::new(
                    field("enterprise_id"),
                    "innovation.partner_is_lead",
                    "the lead enterprise is not also its own partner",
                ));
            }
            let region_code = match present(&fields.region_code) {
                None => {
                    errors.push(FieldError::new(field("region_code"), "required", "the partner's region is required"));
                    None
                }
                Some(raw) => errors.take(
                    RegionCode::parse(raw)
                        .map_err(|m| FieldError::new(field("region_code"), "region.format", m).with_value(raw)),
                ),
            };
            let role = text(errors, &field("role"), &fields.role);
            if let Some(name) = &name
                && let Some(first) = partners.iter().position(|p: &Partner| p.name == *name)
            {
                errors.push(
                    FieldError::new(field("name"), "innovation.duplicate_partner", "this partner is listed twice")
                        .with_value(name)
                        .with_param("first", first + 1),
                );
            }
            if let (Some(kind), Some(name), Some(region_code)) = (kind, name, region_code) {
                partners.push(Partner { kind, name, enterprise_id, region_code, role });
            }
        }
        partners
    }

    fn validate_budget(&self, errors: &mut FieldErrors) -> Vec<BudgetLine> {
        if self.budget.is_empty() {
            errors.push(FieldError::new("budget", "innovation.no_budget", "give the budget by funding source"));
        }
        let mut budget: Vec<BudgetLine> = Vec::new();
        let mut total: Option<i64> = Some(0);
        for (index, fields) in self.budget.iter().enumerate() {
            let field = |n: &str| format!("budget[{index}].{n}");
            let source = vocabulary_value(
                errors,
                &field("source"),
                &fields.source,
                FundingSource::parse,
                &FundingSource::expected(),
                "innovation.funding_source",
            );
            if present(&fields.amount).is_none() {
                errors.push(FieldError::new(field("amount"), "required", "the amount is required"));
            }
            let amount_minor = amount(errors, &field("amount"), &fields.amount);
            let note = text(errors, &field("note"), &fields.note);
            if let Some(source) = source
                && budget.iter().any(|line| line.source == source)
            {
                errors.push(
                    FieldError::new(
                        field("source"),
                        "innovation.duplicate_source",
                        "each funding source appears once; add the amounts together",
                    )
                    .with_value(source.as_str()),
                );
                continue;
            }
            if let (Some(source), Some(amount_minor)) = (source, amount_minor) {
                total = total.and_then(|t| t.checked_add(amount_minor));
                budget.push(BudgetLine { source, amount_minor, note });
            }
        }
        if total.is_none() {
            errors.push(FieldError::new("budget", "amount.format", "the budget total is too large"));
        }
        budget
    }
}

/// A stored project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Innovation {
    pub id: i64,
    pub status: InnovationStatus,
    /// Why it was last suspended, cancelled or reopened.
    pub status_reason: Option<String>,
    pub record: InnovationRecord,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// Where a milestone stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneState {
    /// Not completed, not yet due.
    Open,
    /// Not completed and past its due date.
    Overdue,
    /// Completed by its due date.
    Done,
    /// Completed after its due date.
    DoneLate,
}

impl MilestoneState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Overdue => "overdue",
            Self::Done => "done",
            Self::DoneLate => "done_late",
        }
    }
}

impl Milestone {
    /// A milestone due today is not overdue until tomorrow.
    pub fn state(&self, today: Date) -> MilestoneState {
        match self.completed_on {
            Some(done) if done <= self.due_on => MilestoneState::Done,
            Some(_) => MilestoneState::DoneLate,
            None if today > self.due_on => MilestoneState::Overdue,
            None => MilestoneState::Open,
        }
    }
}

/// A project's flags on a given day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InnovationFlags {
    /// Milestones past their due date without completion.
    pub overdue_milestones: usize,
    pub completed_milestones: usize,
    /// An active project past its end date.
    pub past_end: bool,
    /// An active project with an overdue milestone or past its end.
    pub overdue: bool,
    /// Completed milestones as a whole percentage of all.
    pub progress_percent: u8,
}

impl InnovationFlags {
    /// Only an active project is overdue: a suspended, completed or cancelled one is
    /// not expected to move.
    pub fn compute(record: &InnovationRecord, status: InnovationStatus, today: Date) -> Self {
        let states: Vec<MilestoneState> = record.milestones.iter().map(|m| m.state(today)).collect();
        let overdue_milestones = states.iter().filter(|s| **s == MilestoneState::Overdue).count();
        let completed_milestones =
            states.iter().filter(|s| matches!(s, MilestoneState::Done | MilestoneState::DoneLate)).count();
        let active = status == InnovationStatus::Active;
        let past_end = active && today > record.ends_on;
        let progress_percent =
            if states.is_empty() { 0 } else { u8::try_from(completed_milestones * 100 / states.len()).unwrap_or(100) };
        Self {
            overdue_milestones,
            completed_milestones,
            past_end,
            overdue: active && (overdue_milestones > 0 || past_end),
            progress_percent,
        }
    }
}

impl InnovationStatus {
    /// Whether the project's contents may still change.
    pub fn editable(self) -> bool {
        matches!(self, Self::Active | Self::Suspended)
    }

    /// Checks a status change: suspending, reopening and cancelling need a reason;
    /// completing needs every milestone completed; a cancelled project stays cancelled.
    pub fn check_transition(
        self,
        to: InnovationStatus,
        reason: Option<&str>,
        record: &InnovationRecord,
    ) -> Result<(), FieldError> {
        use InnovationStatus::{Active, Cancelled, Completed, Suspended};
        let allowed = matches!(
            (self, to),
            (Active, Suspended | Completed | Cancelled) | (Suspended, Active | Cancelled) | (Completed, Active)
        );
        if !allowed {
            return Err(FieldError::new(
                "status",
                "innovation.transition",
                format!("a project that is {self} cannot become {to}"),
            )
            .with_value(to.as_str())
            .with_param("from", self)
            .with_param("to", to));
        }
        let needs_reason = matches!((self, to), (_, Suspended | Cancelled) | (Completed, Active));
        if needs_reason && reason.is_none_or(|r| r.trim().is_empty()) {
            return Err(FieldError::new("reason", "innovation.reason_required", "this change needs a reason")
                .with_param("to", to));
        }
        if to == Completed {
            let open = record.milestones.iter().filter(|m| m.completed_on.is_none()).count();
            if open > 0 {
                return Err(FieldError::new(
                    "status",
                    "innovation.open_milestones",
                    format!("{open} milestone(s) are not completed yet"),
                )
                .with_param("open", open));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::macros::date;

    use super::*;

    fn s(v: &str) -> Option<String> {
        Some(v.to_owned())
    }

    fn fields() -> InnovationFields {
        InnovationFields {
            name: s("长三角智能传感联合攻关（示例）"),
            lead_enterprise_id: s("7"),
            summary: None,
            starts_on: s("2024-01-01"),
            ends_on: s("2025-12-31"),
            partners: vec![PartnerFields {
                kind: s("university"),
                name: s("示例大学"),
                enterprise_id: None,
                region_code: s("310115"),
                role: s("算法"),
            }],
            budget: vec![
                BudgetLineFields { source: s("lead_enterprise"), amount: s("3,000,000"), note: None },
                BudgetLineFields { source: s("municipal_government"), amount: s("1000000.50"), note: None },
            ],
            milestones: vec![
                MilestoneFields { title: s("样机"), due_on: s("2024-06-30"), completed_on: None, evidence: None },
                MilestoneFields {
                    title: s("中试"),
                    due_on: s("2025-06-30"),
                    completed_on: s("2025-07-10"),
                    evidence: s("中试报告 No.12"),
                },
            ],
        }
    }

    const TODAY: Date = date!(2025 - 09 - 01);

    #[test]
    fn a_complete_project_validates_and_totals_its_budget() {
        let record = fields().validate(TODAY).unwrap();
        assert_eq!(record.budget_total_minor(), Some(400_000_050));
        assert_eq!(record.partners[0].region_code.as_str(), "310115");
        assert_eq!(record.milestones[1].state(TODAY), MilestoneState::DoneLate);
        assert_eq!(record.milestones[0].state(TODAY), MilestoneState::Overdue);
        assert_eq!(record.milestones[0].state(date!(2024 - 06 - 30)), MilestoneState::Open);
        let flags = InnovationFlags::compute(&record, InnovationStatus::Active, TODAY);
        assert_eq!((flags.overdue_milestones, flags.completed_milestones, flags.progress_percent), (1, 1, 50));
        assert!(flags.overdue && !flags.past_end);
        let suspended = InnovationFlags::compute(&record, InnovationStatus::Suspended, TODAY);
        assert!(!suspended.overdue);
    }

    #[test]
    fn every_problem_is_named_at_once() {
        let mut f = fields();
        f.name = None;
        f.ends_on = s("2023-12-31");
        f.partners[0].kind = s("club");
        f.partners[0].region_code = s("31011");
        f.partners.push(f.partners[0].clone());
        f.budget.push(BudgetLineFields { source: s("lead_enterprise"), amount: s("-1"), note: None });
        f.milestones[1].evidence = None;
        f.milestones[0].completed_on = s("2026-01-01");
        let errors = f.validate(TODAY).unwrap_err();
        let named: Vec<(&str, &str)> = errors.0.iter().map(|e| (e.field.as_str(), e.code)).collect();
        for expected in [
            ("name", "required"),
            ("ends_on", "innovation.ends_before_start"),
            ("partners[0].kind", "innovation.partner_kind"),
            ("partners[0].region_code", "region.format"),
            ("partners[1].kind", "innovation.partner_kind"),
            ("budget[2].amount", "amount.negative"),
            ("budget[2].source", "innovation.duplicate_source"),
            ("milestones[1].evidence", "milestone.evidence_required"),
            ("milestones[0].completed_on", "milestone.completed_future"),
            ("milestones[0].evidence", "milestone.evidence_required"),
        ] {
            assert!(named.contains(&expected), "{expected:?} missing from {named:?}");
        }
    }

    #[test]
    fn partners_and_milestones_follow_the_rules() {
        let mut f = fields();
        f.partners[0].enterprise_id = s("7");
        f.partners[0].kind = s("enterprise");
        f.milestones[0].due_on = s("2026-03-01");
        let errors = f.validate(TODAY).unwrap_err();
        let codes: Vec<&str> = errors.0.iter().map(|e| e.code).collect();
        assert!(codes.contains(&"innovation.partner_is_lead"));
        assert!(codes.contains(&"milestone.outside_term"));
        let mut f = fields();
        f.partners.clear();
        f.budget.clear();
        f.milestones.clear();
        let codes: Vec<&str> = f.validate(TODAY).unwrap_err().0.iter().map(|e| e.code).collect();
        assert_eq!(codes, ["innovation.no_partners", "innovation.no_budget", "innovation.no_milestones"]);
    }

    #[test]
    fn status_changes_follow_the_rules() {
        let record = fields().validate(TODAY).unwrap();
        use InnovationStatus::{Active, Cancelled, Completed, Suspended};
        assert_eq!(Active.check_transition(Suspended, None, &record).unwrap_err().code, "innovation.reason_required");
        Active.check_transition(Suspended, Some("资金未到位"), &record).unwrap();
        Suspended.check_transition(Active, None, &record).unwrap();
        assert_eq!(Active.check_transition(Completed, None, &record).unwrap_err().code, "innovation.open_milestones");
        assert_eq!(Cancelled.check_transition(Active, Some("x"), &record).unwrap_err().code, "innovation.transition");
        assert_eq!(Completed.check_transition(Active, None, &record).unwrap_err().code, "innovation.reason_required");
        let mut done = record.clone();
        done.milestones[0].completed_on = Some(date!(2024 - 07 - 01));
        Active.check_transition(Completed, None, &done).unwrap();
        assert!(!Completed.editable() && !Cancelled.editable() && Suspended.editable());
    }

    #[test]
    fn a_completion_on_its_own_needs_its_date_and_evidence() {
        let term = (date!(2024 - 01 - 01), date!(2025 - 12 - 31));
        let errors = MilestoneCompletion::validate(&None, &None, term, TODAY).unwrap_err();
        assert_eq!(errors.0[0].field, "completed_on");
        let errors = MilestoneCompletion::validate(&s("2025-08-01"), &None, term, TODAY).unwrap_err();
        assert_eq!(errors.0[0].code, "milestone.evidence_required");
        let errors = MilestoneCompletion::validate(&s("2023-08-01"), &s("报告"), term, TODAY).unwrap_err();
        assert_eq!(errors.0[0].code, "milestone.completed_before_start");
        let ok = MilestoneCompletion::validate(&s("2025-08-01"), &s("验收报告"), term, TODAY).unwrap();
        assert_eq!(ok.completed_on, Some(date!(2025 - 08 - 01)));
    }

    proptest! {
        /// The flags agree with the milestones: overdue + completed + open = all, and
        /// an overdue milestone makes an active project overdue.
        #[test]
        fn flags_count_every_milestone_once(
            offsets in proptest::collection::vec((0_i64..700, proptest::option::of(0_i64..700)), 1..30),
            today_offset in 0_i64..800,
        ) {
            let start = date!(2024 - 01 - 01);
            let milestones: Vec<Milestone> = offsets
                .iter()
                .map(|(due, done)| Milestone {
                    title: "m".into(),
                    due_on: start + time::Duration::days(*due),
                    completed_on: done.map(|d| start + time::Duration::days(d)),
                    evidence: done.map(|_| "e".into()),
                })
                .collect();
            let record = InnovationRecord {
                name: "p".into(),
                lead_enterprise_id: 1,
                summary: None,
                starts_on: start,
                ends_on: start + time::Duration::days(730),
                partners: vec![],
                budget: vec![],
                milestones,
            };
            let today = start + time::Duration::days(today_offset);
            let flags = InnovationFlags::compute(&record, InnovationStatus::Active, today);
            let open = record.milestones.iter().filter(|m| m.state(today) == MilestoneState::Open).count();
            prop_assert_eq!(flags.overdue_milestones + flags.completed_milestones + open, record.milestones.len());
            prop_assert_eq!(flags.overdue, flags.overdue_milestones > 0 || today > record.ends_on);
            prop_assert!(flags.progress_percent <= 100);
        }
    }
}
