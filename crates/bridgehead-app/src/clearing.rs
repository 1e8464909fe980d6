//! The clearing engine (SPEC §7): one engine for every cross-region scheme — innovation
//! vouchers, medical insurance direct settlement, transit cards.
//!
//! Transactions are accepted once (their idempotency key is unique in the scheme, in the
//! database) in batches that are stored whole or not at all. Each batch adds to its
//! cycles' *flows* in the same database transaction, so closing a cycle of ten million
//! transactions reads a few thousand rows; [`Clearing::verify_cycle`] sums the flows
//! afresh from the transactions and compares. A cycle takes the transactions that
//! occurred in its period (a China calendar day or month); one that arrives after its
//! period's cycle closed goes to the next open cycle. A cycle holds open against closing
//! while a batch writes to it, so nothing enters a cycle after it was netted.

use std::collections::{BTreeMap, HashMap};

use bridgehead_domain::access::{Role, Scope};
use bridgehead_domain::clearing::{self as rules, CounterpartyTotals, CyclePeriod, Flow, Netting};
use bridgehead_domain::enterprise::parse_date;
use bridgehead_domain::{FieldError, FieldErrors};
use bridgehead_store::clearing::{
    self as store, CycleRow, FlowRow, InstructionRow, NewTransaction, ParticipantRow, PositionRow, SchemeRow,
    TransactionRow,
};
use bridgehead_store::{Conn, StoreError, instant_text};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;

use crate::auth::audit;
use crate::{Actor, App, AppError, AppResult};

/// Roles that run the clearing: set up schemes and participants, close cycles, resolve
/// disputes.
pub const CLEARING_OPERATORS: &[Role] = &[Role::Administrator];
/// Roles that read the clearing: the operator everything, a city analyst the schemes
/// with a member in its region, a participant its own schemes (and of each cycle its
/// own statement and the instructions it takes part in).
pub const CLEARING_READERS: &[Role] = &[Role::Administrator, Role::CityAnalyst, Role::ClearingParticipant];
/// Roles that submit transactions.
pub const CLEARING_SUBMITTERS: &[Role] = &[Role::Administrator, Role::ClearingParticipant];

/// Most transactions in one API batch.
pub const MAX_BATCH: usize = 10_000;

const SCHEME_KINDS: &[&str] = &["voucher", "medical", "transit", "other"];

fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> AppError {
    AppError::invalid(field, code, message)
}

fn stored_instant(text: &str) -> AppResult<OffsetDateTime> {
    rules::parse_instant(text).map_err(|e| AppError::Internal(format!("stored instant: {e}")))
}

/// A scheme as the API shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Scheme {
    pub id: i64,
    pub code: String,
    pub kind: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub currency_code: String,
    pub cycle_period: String,
    pub started_on: String,
    /// Participant codes.
    pub members: Vec<String>,
}

/// A participant as the API shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Participant {
    pub id: i64,
    pub code: String,
    pub organization_id: i64,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub region_code: String,
}

impl From<ParticipantRow> for Participant {
    fn from(row: ParticipantRow) -> Self {
        Self {
            id: row.id,
            code: row.code,
            organization_id: row.organization_id,
            name_zh: row.name_zh,
            name_en: row.name_en,
            region_code: row.region_code,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ParticipantInput {
    /// Short code used in files, e.g. `SH-METRO`.
    pub code: String,
    /// The organisation that takes part.
    pub organization_id: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SchemeInput {
    pub code: String,
    /// voucher, medical, transit or other.
    pub kind: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    /// ISO 4217 (default CNY).
    pub currency_code: Option<String>,
    /// day or month: how often cycles close.
    pub cycle_period: String,
    /// YYYY-MM-DD: the first day transactions may occur.
    pub started_on: String,
    /// Participant codes.
    pub members: Vec<String>,
}

/// One transaction as submitted.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TransactionInput {
    /// Unique within the scheme: the same key again is the same transaction.
    pub idempotency_key: String,
    /// Participant code of who pays.
    pub payer: String,
    /// Participant code of who is paid.
    pub payee: String,
    /// Fen, more than zero.
    pub amount_minor: i64,
    /// RFC 3339, or China local time `YYYY-MM-DD HH:MM[:SS]`.
    pub occurred_at: String,
    /// The submitter's own reference (a ride, a claim, a voucher redemption).
    pub reference: Option<String>,
}

/// A stored transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Transaction {
    pub id: i64,
    pub scheme: String,
    pub idempotency_key: String,
    pub cycle_id: i64,
    pub payer: String,
    pub payee: String,
    pub amount_minor: i64,
    pub occurred_at: String,
    pub accepted_at: String,
    pub batch_id: i64,
    pub reference: Option<String>,
    /// The transaction this one reverses.
    pub reverses_id: Option<i64>,
    /// What was reversed of this one so far.
    pub reversed_minor: i64,
}

/// What a batch did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchOutcome {
    pub batch_id: i64,
    pub received: usize,
    /// New transactions stored.
    pub stored: usize,
    /// Transactions whose key was already stored with the same content.
    pub already_stored: usize,
}

/// A transaction checked and ready to store.
#[derive(Debug, Clone)]
struct Checked {
    key: String,
    payer: i64,
    payee: i64,
    amount_minor: i64,
    occurred_at: OffsetDateTime,
    reference: Option<String>,
    reverses_id: Option<i64>,
}

/// Amount and count of a cycle's transactions, pair by pair.
type PairSums = BTreeMap<(i64, i64), (i64, i64)>;

/// A scheme with what checking its transactions needs.
pub struct SchemeContext {
    pub scheme: SchemeRow,
    period: CyclePeriod,
    started: OffsetDateTime,
    /// Members by code.
    members: HashMap<String, ParticipantRow>,
    codes: HashMap<i64, String>,
}

impl SchemeContext {
    fn code_of(&self, id: i64) -> String {
        self.codes.get(&id).cloned().unwrap_or_else(|| id.to_string())
    }

    fn member(&self, code: &str) -> Option<&ParticipantRow> {
        self.members.get(code.trim())
    }

    fn transaction(&self, row: TransactionRow) -> Transaction {
        Transaction {
            id: row.id,
            scheme: self.scheme.code.clone(),
            idempotency_key: row.idempotency_key,
            cycle_id: row.cycle_id,
            payer: self.code_of(row.payer_id),
            payee: self.code_of(row.payee_id),
            amount_minor: row.amount_minor,
            occurred_at: row.occurred_at,
            accepted_at: row.accepted_at,
            batch_id: row.batch_id,
            reference: row.reference,
            reverses_id: row.reverses_id,
            reversed_minor: row.reversed_minor,
        }
    }
}

/// Checks one submitted transaction; `field` prefixes the names of its fields in errors
/// (`transactions[3].payer`, or a file's column names).
fn check_input(
    context: &SchemeContext,
    input: &TransactionInput,
    now: OffsetDateTime,
    field: &(dyn Fn(&str) -> String + Sync),
) -> Result<Checked, FieldErrors> {
    let mut errors = FieldErrors::default();
    let key = input.idempotency_key.trim();
    if key.is_empty() || key.chars().count() > 100 {
        errors.push(FieldError::new(
            field("idempotency_key"),
            "clearing.key",
            "an idempotency key of 1 to 100 characters is required",
        ));
    }
    let mut party = |name: &str, code: &str| match context.member(code) {
        Some(member) => Some(member.id),
        None => {
            errors.push(
                FieldError::new(
                    field(name),
                    "clearing.not_a_member",
                    format!("`{code}` is not a participant of the scheme {}", context.scheme.code),
                )
                .with_value(code),
            );
            None
        }
    };
    let payer = party("payer", &input.payer);
    let payee = party("payee", &input.payee);
    if let (Some(a), Some(b)) = (payer, payee)
        && a == b
    {
        errors.push(FieldError::new(field("payee"), "clearing.same_party", "the payer and the payee must differ"));
    }
    if input.amount_minor <= 0 {
        errors.push(
            FieldError::new(field("amount_minor"), "clearing.amount", "the amount must be more than zero")
                .with_value(input.amount_minor.to_string()),
        );
    }
    let occurred_at = match rules::parse_instant(&input.occurred_at) {
        Ok(at) if at < context.started => {
            errors.push(
                FieldError::new(
                    field("occurred_at"),
                    "clearing.before_start",
                    format!("the scheme {} started on {}", context.scheme.code, context.scheme.started_on),
                )
                .with_value(&input.occurred_at),
            );
            None
        }
        Ok(at) if at > now + time::Duration::minutes(10) => {
            errors.push(
                FieldError::new(field("occurred_at"), "clearing.future", "the time is in the future")
                    .with_value(&input.occurred_at),
            );
            None
        }
        Ok(at) => Some(at),
        Err(message) => {
            errors.push(FieldError::new(field("occurred_at"), "clearing.time", message).with_value(&input.occurred_at));
            None
        }
    };
    let reference = input.reference.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
    if reference.as_ref().is_some_and(|r| r.chars().count() > 200) {
        errors.push(FieldError::new(field("reference"), "clearing.reference", "at most 200 characters"));
    }
    match (payer, payee, occurred_at) {
        (Some(payer), Some(payee), Some(occurred_at)) if errors.is_empty() => Ok(Checked {
            key: key.to_owned(),
            payer,
            payee,
            amount_minor: input.amount_minor,
            occurred_at,
            reference,
            reverses_id: None,
        }),
        _ => Err(errors),
    }
}

/// The scheme's cycles, and the cycle each transaction goes to.
struct CyclePlan {
    period: CyclePeriod,
    /// Every cycle of the scheme by cut-off.
    by_cut_off: BTreeMap<String, CycleRow>,
}

impl CyclePlan {
    /// The cut-off of the period holding `at`, and when that period opens.
    fn own_period(&self, at: OffsetDateTime) -> (String, String) {
        let start = self.period.start_of(rules::china_day(at));
        let end = self.period.next_start(start);
        (instant_text(rules::day_begins(end)), instant_text(rules::day_begins(start)))
    }

    /// The cycle a transaction that occurred at `at` goes to, or the cycle (opens_at,
    /// cut_off) that must be opened first.
    fn place(&self, at: OffsetDateTime) -> Result<i64, (String, String)> {
        let (cut_off, opens_at) = self.own_period(at);
        match self.by_cut_off.get(&cut_off) {
            Some(cycle) if cycle.status == "open" => Ok(cycle.id),
            None => Err((opens_at, cut_off)),
            Some(_closed) => {
                // Late: the first open cycle after its own, or a new one after the last.
                if let Some(open) = self.by_cut_off.range(cut_off.clone()..).find(|(_, c)| c.status == "open") {
                    return Ok(open.1.id);
                }
                let last = self.by_cut_off.values().next_back().map_or(cut_off, |c| c.cut_off.clone());
                let last_at = stored_instant(&last).unwrap_or(at);
                Err(self.own_period_from_start(last_at))
            }
        }
    }

    /// The period that starts at the instant `start` (a previous cut-off).
    fn own_period_from_start(&self, start: OffsetDateTime) -> (String, String) {
        let (cut_off, opens_at) = self.own_period(start);
        (opens_at, cut_off)
    }
}

/// The clearing use cases.
pub struct Clearing<'a> {
    app: &'a App,
}

impl App {
    pub fn clearing(&self) -> Clearing<'_> {
        Clearing { app: self }
    }
}

impl Clearing<'_> {
    // ------------------------------------------------------------ who sees what

    /// The participant the actor acts for (a clearing participant user), if any.
    async fn own_participant(&self, conn: &mut Conn, actor: &Actor) -> AppResult<Option<ParticipantRow>> {
        match (&actor.role, &actor.scope) {
            (Role::ClearingParticipant, Scope::Organization { organization_id }) => {
                Ok(store::participant_of_organization(conn, *organization_id).await?)
            }
            _ => Ok(None),
        }
    }

    /// Whether the actor may read a scheme (answered "not found" otherwise).
    async fn may_read(&self, conn: &mut Conn, actor: &Actor, context: &SchemeContext) -> AppResult<bool> {
        Ok(match actor.role {
            Role::Administrator => true,
            Role::CityAnalyst => {
                let Some(region) = actor.region_scope() else { return Ok(false) };
                let mut any = false;
                for member in context.members.values() {
                    if bridgehead_store::reference::region_within(conn, &member.region_code, region).await? {
                        any = true;
                        break;
                    }
                }
                any
            }
            Role::ClearingParticipant => {
                let own = self.own_participant(conn, actor).await?;
                own.is_some_and(|p| context.codes.contains_key(&p.id))
            }
            _ => false,
        })
    }

    async fn context(&self, conn: &mut Conn, scheme: SchemeRow) -> AppResult<SchemeContext> {
        let members = store::members(conn, scheme.id).await?;
        let period = CyclePeriod::parse(&scheme.cycle_period)
            .ok_or_else(|| AppError::Internal(format!("stored cycle period {}", scheme.cycle_period)))?;
        let started_on = parse_date(&scheme.started_on).map_err(AppError::Internal)?;
        Ok(SchemeContext {
            period,
            started: rules::day_begins(started_on),
            codes: members.iter().map(|m| (m.id, m.code.clone())).collect(),
            members: members.into_iter().map(|m| (m.code.clone(), m)).collect(),
            scheme,
        })
    }

    /// A scheme the actor may read, by code.
    pub async fn readable_scheme(&self, conn: &mut Conn, actor: &Actor, code: &str) -> AppResult<SchemeContext> {
        actor.require(CLEARING_READERS, "read the clearing")?;
        let scheme = store::scheme_by_code(conn, code).await?.ok_or(AppError::NotFound { what: "clearing scheme" })?;
        let context = self.context(conn, scheme).await?;
        if !self.may_read(conn, actor, &context).await? {
            return Err(AppError::NotFound { what: "clearing scheme" });
        }
        Ok(context)
    }

    /// A cycle the actor may read, with its scheme.
    async fn readable_cycle(&self, conn: &mut Conn, actor: &Actor, id: i64) -> AppResult<(CycleRow, SchemeContext)> {
        actor.require(CLEARING_READERS, "read the clearing")?;
        let cycle = store::cycle(conn, id).await?.ok_or(AppError::NotFound { what: "clearing cycle" })?;
        let scheme =
            store::scheme(conn, cycle.scheme_id).await?.ok_or(AppError::NotFound { what: "clearing cycle" })?;
        let context = self.context(conn, scheme).await?;
        if !self.may_read(conn, actor, &context).await? {
            return Err(AppError::NotFound { what: "clearing cycle" });
        }
        Ok((cycle, context))
    }

    // ------------------------------------------------------------ set-up

    pub async fn add_participant(&self, actor: &Actor, input: &ParticipantInput) -> AppResult<Participant> {
        actor.require(CLEARING_OPERATORS, "register clearing participants")?;
        actor.require_write()?;
        let code = input.code.trim();
        if code.is_empty() || code.chars().count() > 40 {
            return Err(invalid("code", "clearing.code", "a code of 1 to 40 characters is required"));
        }
        let mut tx = self.app.store.begin().await?;
        if store::participant_of_organization(&mut tx, input.organization_id).await?.is_some() {
            return Err(AppError::Duplicate(FieldError::new(
                "organization_id",
                "clearing.participant_exists",
                "the organisation is already a participant",
            )));
        }
        let organization = bridgehead_store::reference::get_organization(&mut tx, input.organization_id)
            .await?
            .ok_or_else(|| invalid("organization_id", "organization.unknown", "no such organisation"))?;
        let id = match store::insert_participant(&mut tx, code, organization.id).await {
            Ok(id) => id,
            Err(StoreError::Duplicate { .. }) => {
                return Err(AppError::Duplicate(
                    FieldError::new("code", "clearing.code_taken", format!("the code {code} is taken"))
                        .with_value(code),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        audit(
            &mut tx,
            actor,
            "clearing.participant.add",
            "clearing_participant",
            code,
            None,
            Some(json!({"id": id, "organization_id": organization.id})),
        )
        .await?;
        let participant =
            store::participant_of_organization(&mut tx, organization.id).await?.ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(participant.into())
    }

    pub async fn participants(&self, actor: &Actor) -> AppResult<Vec<Participant>> {
        actor.require(CLEARING_READERS, "read the clearing")?;
        let mut conn = self.app.store.read().await?;
        let all = store::participants(&mut conn).await?;
        Ok(match actor.role {
            Role::ClearingParticipant => {
                // A participant sees the members of its own schemes.
                let Some(own) = self.own_participant(&mut conn, actor).await? else { return Ok(Vec::new()) };
                let mut visible = std::collections::BTreeSet::new();
                for scheme_id in store::schemes_of(&mut conn, own.id).await? {
                    visible.extend(store::members(&mut conn, scheme_id).await?.into_iter().map(|m| m.id));
                }
                all.into_iter().filter(|p| visible.contains(&p.id)).map(Into::into).collect()
            }
            _ => all.into_iter().map(Into::into).collect(),
        })
    }

    pub async fn add_scheme(&self, actor: &Actor, input: &SchemeInput) -> AppResult<Scheme> {
        actor.require(CLEARING_OPERATORS, "set up clearing schemes")?;
        actor.require_write()?;
        let mut errors = FieldErrors::default();
        let code = input.code.trim();
        if code.is_empty() || code.chars().count() > 40 {
            errors.push(FieldError::new("code", "clearing.code", "a code of 1 to 40 characters is required"));
        }
        if !SCHEME_KINDS.contains(&input.kind.as_str()) {
            errors.push(
                FieldError::new("kind", "clearing.kind", "one of voucher, medical, transit, other")
                    .with_value(&input.kind),
            );
        }
        if input.name_zh.trim().is_empty() {
            errors.push(FieldError::new("name_zh", "required", "a Chinese name is required"));
        }
        if CyclePeriod::parse(&input.cycle_period).is_none() {
            errors.push(
                FieldError::new("cycle_period", "clearing.period", "day or month").with_value(&input.cycle_period),
            );
        }
        if let Err(message) = parse_date(&input.started_on) {
            errors.push(FieldError::new("started_on", "date.invalid", message).with_value(&input.started_on));
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let currency = input.currency_code.as_deref().unwrap_or("CNY").trim().to_uppercase();
        let mut tx = self.app.store.begin().await?;
        let all: HashMap<String, ParticipantRow> =
            store::participants(&mut tx).await?.into_iter().map(|p| (p.code.clone(), p)).collect();
        let mut member_ids = Vec::new();
        for (i, member) in input.members.iter().enumerate() {
            match all.get(member.trim()) {
                Some(p) => member_ids.push(p.id),
                None => errors.push(
                    FieldError::new(
                        format!("members[{i}]"),
                        "clearing.unknown_participant",
                        "no participant has this code",
                    )
                    .with_value(member),
                ),
            }
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let new = store::NewScheme {
            code,
            kind: &input.kind,
            name_zh: input.name_zh.trim(),
            name_en: input.name_en.as_deref().map(str::trim).filter(|n| !n.is_empty()),
            currency_code: &currency,
            cycle_period: &input.cycle_period,
            started_on: &input.started_on,
        };
        let scheme = match store::insert_scheme(&mut tx, &new).await {
            Ok(scheme) => scheme,
            Err(StoreError::Duplicate { .. }) => {
                return Err(AppError::Duplicate(
                    FieldError::new("code", "clearing.code_taken", format!("the code {code} is taken"))
                        .with_value(code),
                ));
            }
            Err(StoreError::Reference { .. }) => {
                return Err(invalid("currency_code", "currency.unknown", "no such currency"));
            }
            Err(e) => return Err(e.into()),
        };
        for id in member_ids {
            store::add_member(&mut tx, scheme.id, id).await?;
        }
        audit(
            &mut tx,
            actor,
            "clearing.scheme.add",
            "clearing_scheme",
            code,
            None,
            Some(json!({"id": scheme.id, "members": input.members})),
        )
        .await?;
        let context = self.context(&mut tx, scheme).await?;
        tx.commit().await?;
        Ok(scheme_view(&context))
    }

    pub async fn schemes(&self, actor: &Actor) -> AppResult<Vec<Scheme>> {
        actor.require(CLEARING_READERS, "read the clearing")?;
        let mut conn = self.app.store.read().await?;
        let mut visible = Vec::new();
        for scheme in store::schemes(&mut conn).await? {
            let context = self.context(&mut conn, scheme).await?;
            if self.may_read(&mut conn, actor, &context).await? {
                visible.push(scheme_view(&context));
            }
        }
        Ok(visible)
    }

    pub async fn scheme(&self, actor: &Actor, code: &str) -> AppResult<Scheme> {
        let mut conn = self.app.store.read().await?;
        Ok(scheme_view(&self.readable_scheme(&mut conn, actor, code).await?))
    }

    // ------------------------------------------------------------ accepting transactions

    /// Checks a submitter may submit to the scheme and, for a participant, that it is
    /// the payer or the payee of every transaction.
    async fn submitter(&self, conn: &mut Conn, actor: &Actor, context: &SchemeContext) -> AppResult<Option<i64>> {
        actor.require(CLEARING_SUBMITTERS, "submit clearing transactions")?;
        actor.require_write()?;
        if !self.may_read(conn, actor, context).await? {
            return Err(AppError::NotFound { what: "clearing scheme" });
        }
        Ok(self.own_participant(conn, actor).await?.map(|p| p.id))
    }

    /// Checks every transaction; errors name `transactions[i].field`.
    fn check_batch(
        context: &SchemeContext,
        own: Option<i64>,
        inputs: &[TransactionInput],
        field: &(dyn Fn(usize, &str) -> String + Sync),
    ) -> Result<Vec<Checked>, FieldErrors> {
        let now = OffsetDateTime::now_utc();
        let mut errors = FieldErrors::default();
        let mut checked = Vec::with_capacity(inputs.len());
        let mut seen: HashMap<&str, usize> = HashMap::with_capacity(inputs.len());
        for (i, input) in inputs.iter().enumerate() {
            match check_input(context, input, now, &|name| field(i, name)) {
                Ok(row) => {
                    if let Some(party) = own
                        && row.payer != party
                        && row.payee != party
                    {
                        errors.push(FieldError::new(
                            field(i, "payer"),
                            "clearing.not_a_party",
                            "a participant submits only transactions it pays or receives",
                        ));
                        continue;
                    }
                    match seen.get(input.idempotency_key.trim()) {
                        Some(&first) if inputs[first] == *input => continue,
                        Some(&first) => errors.push(
                            FieldError::new(
                                field(i, "idempotency_key"),
                                "clearing.key_reused",
                                format!("the key was used for a different transaction at {}", field(first, "")),
                            )
                            .with_value(input.idempotency_key.trim()),
                        ),
                        None => {
                            seen.insert(input.idempotency_key.trim(), i);
                            checked.push(row);
                        }
                    }
                }
                Err(row_errors) => errors.0.extend(row_errors.0),
            }
        }
        if errors.is_empty() { Ok(checked) } else { Err(errors) }
    }

    /// Stores checked transactions as one batch in `tx`: each goes to its cycle (opened
    /// when needed, held against closing), a key already stored with the same content is
    /// skipped, one stored with other content refuses the batch, and the cycles' flows
    /// grow by what was stored.
    async fn store_batch(
        &self,
        tx: &mut bridgehead_store::Tx,
        context: &SchemeContext,
        actor: &Actor,
        source: &str,
        rows: &[Checked],
        field: &(dyn Fn(usize) -> String + Sync),
    ) -> AppResult<(BatchOutcome, Vec<i64>)> {
        let scheme_id = context.scheme.id;
        // Place every row in its cycle, opening missing cycles, until every cycle used
        // is held open.
        let (cycle_of, _held) = loop {
            let mut plan = CyclePlan {
                period: context.period,
                by_cut_off: store::cycles(tx, scheme_id).await?.into_iter().map(|c| (c.cut_off.clone(), c)).collect(),
            };
            let mut missing = std::collections::BTreeSet::new();
            let mut cycle_of = Vec::with_capacity(rows.len());
            for row in rows {
                match plan.place(row.occurred_at) {
                    Ok(id) => cycle_of.push(id),
                    Err(period) => {
                        missing.insert(period);
                        cycle_of.push(0);
                    }
                }
            }
            if !missing.is_empty() {
                for (opens_at, cut_off) in &missing {
                    store::ensure_cycle(tx, scheme_id, opens_at, cut_off).await?;
                }
                continue;
            }
            let mut used: Vec<i64> = cycle_of.clone();
            used.sort_unstable();
            used.dedup();
            let held = store::hold_cycles(tx, &used).await?;
            if held.len() == used.len() {
                plan.by_cut_off.clear();
                break (cycle_of, held);
            }
            // A cycle closed while the rows were placed: place them again.
        };
        let batch_id = store::insert_batch(tx, scheme_id, source, &actor.label).await?;
        let accepted_at = bridgehead_store::now_text();
        let new_rows: Vec<NewTransaction> = rows
            .iter()
            .zip(&cycle_of)
            .map(|(row, &cycle_id)| NewTransaction {
                idempotency_key: row.key.clone(),
                cycle_id,
                payer_id: row.payer,
                payee_id: row.payee,
                amount_minor: row.amount_minor,
                occurred_at: instant_text(row.occurred_at),
                reference: row.reference.clone(),
                reverses_id: row.reverses_id,
            })
            .collect();
        let stored = store::insert_transactions(tx, scheme_id, batch_id, &accepted_at, &new_rows).await? as usize;
        let mut is_new = vec![true; rows.len()];
        if stored < rows.len() {
            let keys: Vec<&str> = new_rows.iter().map(|r| r.idempotency_key.as_str()).collect();
            let found: HashMap<String, TransactionRow> = store::transactions_by_keys(tx, scheme_id, &keys)
                .await?
                .into_iter()
                .map(|t| (t.idempotency_key.clone(), t))
                .collect();
            let mut errors = FieldErrors::default();
            for (i, row) in new_rows.iter().enumerate() {
                let Some(existing) = found.get(&row.idempotency_key) else { continue };
                if existing.batch_id == batch_id {
                    continue;
                }
                is_new[i] = false;
                let same = existing.payer_id == row.payer_id
                    && existing.payee_id == row.payee_id
                    && existing.amount_minor == row.amount_minor
                    && existing.occurred_at == row.occurred_at
                    && existing.reference == row.reference
                    && existing.reverses_id == row.reverses_id;
                if !same {
                    errors.push(
                        FieldError::new(
                            field(i),
                            "clearing.key_reused",
                            format!(
                                "the key {} was stored for a different transaction (id {})",
                                row.idempotency_key, existing.id
                            ),
                        )
                        .with_value(&row.idempotency_key),
                    );
                }
            }
            if !errors.is_empty() {
                return Err(errors.into());
            }
        }
        // Reversals count against what they reverse.
        for (row, _) in new_rows.iter().zip(&is_new).filter(|(_, new)| **new) {
            if let Some(original) = row.reverses_id
                && !store::add_reversed(tx, original, row.amount_minor).await?
            {
                return Err(invalid(
                    "amount_minor",
                    "clearing.over_reversed",
                    "the reversals would exceed the transaction's amount",
                ));
            }
        }
        // The flows grow by what was stored, cycle by cycle, pairs in order.
        let mut sums: BTreeMap<i64, PairSums> = BTreeMap::new();
        for ((row, &cycle_id), _) in new_rows.iter().zip(&cycle_of).zip(&is_new).filter(|(_, new)| **new) {
            let cell = sums.entry(cycle_id).or_default().entry((row.payer_id, row.payee_id)).or_default();
            cell.0 = cell
                .0
                .checked_add(row.amount_minor)
                .ok_or_else(|| invalid("amount_minor", "clearing.amount", "the amounts are too large"))?;
            cell.1 += 1;
        }
        for (cycle_id, pairs) in sums {
            let flows: Vec<FlowRow> = pairs
                .into_iter()
                .map(|((payer_id, payee_id), (amount_minor, transaction_count))| FlowRow {
                    payer_id,
                    payee_id,
                    amount_minor,
                    transaction_count,
                })
                .collect();
            store::add_flows(tx, cycle_id, &flows).await?;
        }
        let outcome = BatchOutcome { batch_id, received: rows.len(), stored, already_stored: rows.len() - stored };
        audit(
            tx,
            actor,
            "clearing.batch",
            "clearing_batch",
            &batch_id.to_string(),
            None,
            Some(json!({"scheme": context.scheme.code, "source": source, "stored": stored, "already_stored": outcome.already_stored})),
        )
        .await?;
        Ok((outcome, cycle_of))
    }

    /// Accepts a batch of transactions into a scheme: all stored, or none.
    pub async fn submit_batch(
        &self,
        actor: &Actor,
        scheme_code: &str,
        source: &str,
        inputs: &[TransactionInput],
    ) -> AppResult<BatchOutcome> {
        if inputs.is_empty() || inputs.len() > MAX_BATCH {
            return Err(invalid(
                "transactions",
                "clearing.batch_size",
                format!("1 to {MAX_BATCH} transactions a batch"),
            ));
        }
        let mut conn = self.app.store.read().await?;
        let context = self.readable_scheme(&mut conn, actor, scheme_code).await?;
        let own = self.submitter(&mut conn, actor, &context).await?;
        drop(conn);
        let rows = Self::check_batch(&context, own, inputs, &|i, name| format!("transactions[{i}].{name}"))?;
        let mut tx = self.app.store.begin().await?;
        let (outcome, _) = self
            .store_batch(&mut tx, &context, actor, source, &rows, &|i| format!("transactions[{i}].idempotency_key"))
            .await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Accepts one transaction; the same key again answers with the transaction first
    /// stored (and `false`), never a second one.
    pub async fn submit(
        &self,
        actor: &Actor,
        scheme_code: &str,
        input: &TransactionInput,
    ) -> AppResult<(Transaction, bool)> {
        let mut conn = self.app.store.read().await?;
        let context = self.readable_scheme(&mut conn, actor, scheme_code).await?;
        let own = self.submitter(&mut conn, actor, &context).await?;
        drop(conn);
        let rows = Self::check_batch(&context, own, std::slice::from_ref(input), &|_, name| name.to_owned())?;
        let mut tx = self.app.store.begin().await?;
        let (outcome, _) =
            self.store_batch(&mut tx, &context, actor, "api", &rows, &|_| "idempotency_key".to_owned()).await?;
        let stored = store::transactions_by_keys(&mut tx, context.scheme.id, &[rows[0].key.as_str()])
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok((context.transaction(stored), outcome.stored == 1))
    }

    /// Reverses (part of) a transaction: a transaction of its own, flowing back, in the
    /// cycle open now. The payee of the original, or the operator, reverses.
    pub async fn reverse(
        &self,
        actor: &Actor,
        transaction_id: i64,
        amount_minor: Option<i64>,
        idempotency_key: &str,
    ) -> AppResult<(Transaction, bool)> {
        let mut conn = self.app.store.read().await?;
        let original = store::transaction(&mut conn, transaction_id)
            .await?
            .ok_or(AppError::NotFound { what: "clearing transaction" })?;
        let scheme = store::scheme(&mut conn, original.scheme_id).await?.ok_or(StoreError::NotFound)?;
        let context = self.context(&mut conn, scheme).await?;
        let own = self.submitter(&mut conn, actor, &context).await?;
        if let Some(party) = own {
            if party != original.payee_id && party != original.payer_id {
                return Err(AppError::NotFound { what: "clearing transaction" });
            }
            if party != original.payee_id {
                return Err(AppError::Forbidden(
                    "only the payee of a transaction reverses it; the payer opens a dispute".into(),
                ));
            }
        }
        drop(conn);
        if original.reverses_id.is_some() {
            return Err(invalid(
                "transaction_id",
                "clearing.reversal_of_reversal",
                "a reversal is not reversed; submit a new transaction",
            ));
        }
        let amount = amount_minor.unwrap_or(original.amount_minor - original.reversed_minor);
        if amount <= 0 || amount > original.amount_minor {
            return Err(invalid(
                "amount_minor",
                "clearing.amount",
                "the amount must be more than zero and at most the transaction's",
            ));
        }
        let key = idempotency_key.trim();
        if key.is_empty() || key.chars().count() > 100 {
            return Err(invalid(
                "idempotency_key",
                "clearing.key",
                "an idempotency key of 1 to 100 characters is required",
            ));
        }
        let row = Checked {
            key: key.to_owned(),
            payer: original.payee_id,
            payee: original.payer_id,
            amount_minor: amount,
            occurred_at: OffsetDateTime::now_utc(),
            reference: Some(format!("reversal of {}", original.idempotency_key)),
            reverses_id: Some(original.id),
        };
        let mut tx = self.app.store.begin().await?;
        let (transaction, new) = self.store_one(&mut tx, &context, actor, row).await?;
        tx.commit().await?;
        Ok((transaction, new))
    }

    async fn store_one(
        &self,
        tx: &mut bridgehead_store::Tx,
        context: &SchemeContext,
        actor: &Actor,
        row: Checked,
    ) -> AppResult<(Transaction, bool)> {
        // A retried reversal keeps its first time, so the same key is the same content.
        let existing = store::transactions_by_keys(tx, context.scheme.id, &[row.key.as_str()]).await?.pop();
        if let Some(existing) = existing {
            if existing.reverses_id == row.reverses_id && existing.amount_minor == row.amount_minor {
                return Ok((context.transaction(existing), false));
            }
            return Err(AppError::Duplicate(
                FieldError::new(
                    "idempotency_key",
                    "clearing.key_reused",
                    "the key was stored for a different transaction",
                )
                .with_value(&row.key),
            ));
        }
        let key = row.key.clone();
        self.store_batch(tx, context, actor, "api", std::slice::from_ref(&row), &|_| "idempotency_key".to_owned())
            .await?;
        let stored = store::transactions_by_keys(tx, context.scheme.id, &[key.as_str()])
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        Ok((context.transaction(stored), true))
    }

    pub async fn transaction(&self, actor: &Actor, id: i64) -> AppResult<Transaction> {
        let mut conn = self.app.store.read().await?;
        let row =
            store::transaction(&mut conn, id).await?.ok_or(AppError::NotFound { what: "clearing transaction" })?;
        let (_, context) = self.readable_cycle(&mut conn, actor, row.cycle_id).await.map_err(|e| match e {
            AppError::NotFound { .. } => AppError::NotFound { what: "clearing transaction" },
            other => other,
        })?;
        if let Some(own) = self.own_participant(&mut conn, actor).await?
            && own.id != row.payer_id
            && own.id != row.payee_id
        {
            return Err(AppError::NotFound { what: "clearing transaction" });
        }
        Ok(context.transaction(row))
    }

    /// A page of a cycle's transactions (a participant's own only, for a participant).
    pub async fn cycle_transactions(
        &self,
        actor: &Actor,
        cycle_id: i64,
        after_id: i64,
        limit: i64,
    ) -> AppResult<Vec<Transaction>> {
        let mut conn = self.app.store.read().await?;
        let (cycle, context) = self.readable_cycle(&mut conn, actor, cycle_id).await?;
        let own = self.own_participant(&mut conn, actor).await?.map(|p| p.id);
        let rows = store::cycle_transactions(&mut conn, cycle.id, own, after_id.max(0), limit.clamp(1, 1000)).await?;
        Ok(rows.into_iter().map(|row| context.transaction(row)).collect())
    }

    // ------------------------------------------------------------ disputes

    pub async fn open_dispute(&self, actor: &Actor, transaction_id: i64, reason: &str) -> AppResult<Dispute> {
        actor.require(CLEARING_SUBMITTERS, "open disputes")?;
        actor.require_write()?;
        let transaction = self.transaction(actor, transaction_id).await?;
        if reason.trim().is_empty() {
            return Err(invalid("reason", "required", "say what is wrong with the transaction"));
        }
        let mut tx = self.app.store.begin().await?;
        let opened_by = match self.own_participant(&mut tx, actor).await? {
            Some(own) => own.id,
            None => store::transaction(&mut tx, transaction.id).await?.ok_or(StoreError::NotFound)?.payer_id,
        };
        let dispute =
            store::insert_dispute(&mut tx, transaction.id, opened_by, reason.trim()).await?.ok_or_else(|| {
                AppError::Duplicate(FieldError::new(
                    "transaction_id",
                    "clearing.dispute_open",
                    "the transaction already has an open dispute",
                ))
            })?;
        audit(
            &mut tx,
            actor,
            "clearing.dispute.open",
            "clearing_dispute",
            &dispute.id.to_string(),
            None,
            Some(json!({"transaction_id": transaction.id, "reason": reason.trim()})),
        )
        .await?;
        tx.commit().await?;
        Ok(dispute.into())
    }

    /// Resolves a dispute: upheld, the transaction's unreversed amount is reversed (in
    /// the same database transaction); rejected, nothing moves.
    pub async fn resolve_dispute(&self, actor: &Actor, id: i64, upheld: bool, resolution: &str) -> AppResult<Dispute> {
        actor.require(CLEARING_OPERATORS, "resolve disputes")?;
        actor.require_write()?;
        let mut conn = self.app.store.read().await?;
        let dispute = store::dispute(&mut conn, id).await?.ok_or(AppError::NotFound { what: "clearing dispute" })?;
        let original = store::transaction(&mut conn, dispute.transaction_id).await?.ok_or(StoreError::NotFound)?;
        let scheme = store::scheme(&mut conn, original.scheme_id).await?.ok_or(StoreError::NotFound)?;
        let context = self.context(&mut conn, scheme).await?;
        drop(conn);
        if dispute.status != "open" {
            return Err(invalid("status", "clearing.dispute_resolved", "the dispute is already resolved"));
        }
        let mut tx = self.app.store.begin().await?;
        let mut reversal_id = None;
        if upheld && original.amount_minor > original.reversed_minor {
            let row = Checked {
                key: format!("dispute-{id}"),
                payer: original.payee_id,
                payee: original.payer_id,
                amount_minor: original.amount_minor - original.reversed_minor,
                occurred_at: OffsetDateTime::now_utc(),
                reference: Some(format!("dispute {id} upheld")),
                reverses_id: Some(original.id),
            };
            reversal_id = Some(self.store_one(&mut tx, &context, actor, row).await?.0.id);
        }
        let status = if upheld { "upheld" } else { "rejected" };
        if !store::resolve_dispute(&mut tx, id, status, &actor.label, resolution.trim(), reversal_id).await? {
            return Err(invalid("status", "clearing.dispute_resolved", "the dispute is already resolved"));
        }
        audit(
            &mut tx,
            actor,
            "clearing.dispute.resolve",
            "clearing_dispute",
            &id.to_string(),
            None,
            Some(json!({"status": status, "reversal_id": reversal_id})),
        )
        .await?;
        let dispute = store::dispute(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(dispute.into())
    }

    // ------------------------------------------------------------ cycles

    /// The cycles of a scheme, latest first.
    pub async fn cycles(&self, actor: &Actor, scheme_code: &str) -> AppResult<Vec<Cycle>> {
        let mut conn = self.app.store.read().await?;
        let context = self.readable_scheme(&mut conn, actor, scheme_code).await?;
        Ok(store::cycles(&mut conn, context.scheme.id).await?.into_iter().map(|c| cycle_view(&context, c)).collect())
    }

    /// Closes a cycle whose cut-off has passed: nets its flows and writes the positions
    /// and the settlement instructions, all in one transaction.
    pub async fn close_cycle(&self, actor: &Actor, id: i64) -> AppResult<CycleReport> {
        actor.require(CLEARING_OPERATORS, "close clearing cycles")?;
        actor.require_write()?;
        let mut tx = self.app.store.begin().await?;
        let cycle = store::cycle(&mut tx, id).await?.ok_or(AppError::NotFound { what: "clearing cycle" })?;
        if cycle.status != "open" {
            return Err(invalid("status", "clearing.cycle_closed", "the cycle is already closed"));
        }
        if stored_instant(&cycle.cut_off)? > OffsetDateTime::now_utc() {
            return Err(invalid(
                "cut_off",
                "clearing.before_cut_off",
                format!("the cycle's cut-off {} has not passed", cycle.cut_off),
            ));
        }
        // Waits for every batch still writing to the cycle; later ones see it closing.
        if !store::claim_for_close(&mut tx, id).await? {
            return Err(invalid("status", "clearing.cycle_closed", "the cycle is already closed"));
        }
        let flows = domain_flows(&store::flows(&mut tx, id).await?);
        let netting = rules::net(&flows).map_err(|e| AppError::Internal(format!("netting cycle {id}: {e}")))?;
        let (count, gross) = totals(&flows)?;
        let positions: Vec<PositionRow> = netting.positions.iter().map(position_row).collect();
        let instructions: Vec<InstructionRow> = netting
            .instructions
            .iter()
            .enumerate()
            .map(|(i, x)| InstructionRow {
                seq: i as i64 + 1,
                from_id: x.from,
                to_id: x.to,
                amount_minor: x.amount_minor,
            })
            .collect();
        store::insert_results(&mut tx, id, &positions, &instructions, count, gross).await?;
        store::mark_closed(&mut tx, id, &actor.label).await?;
        audit(
            &mut tx,
            actor,
            "clearing.cycle.close",
            "clearing_cycle",
            &id.to_string(),
            None,
            Some(json!({"transactions": count, "gross_minor": gross, "instructions": instructions.len()})),
        )
        .await?;
        tx.commit().await?;
        self.cycle(actor, id).await
    }

    /// A cycle with its positions, bilateral nets, instructions, flows between regions
    /// and disputes. Open: computed now from the flows so far (provisional). Closed: as
    /// written at close. A participant sees only its own position, its bilateral nets
    /// and the instructions it pays or receives.
    pub async fn cycle(&self, actor: &Actor, id: i64) -> AppResult<CycleReport> {
        let mut conn = self.app.store.read().await?;
        let (cycle, context) = self.readable_cycle(&mut conn, actor, id).await?;
        let flows = domain_flows(&store::flows(&mut conn, id).await?);
        let netting = rules::net(&flows).map_err(|e| AppError::Internal(format!("netting cycle {id}: {e}")))?;
        let (positions, instructions) = if cycle.status == "closed" {
            let positions = store::positions(&mut conn, id).await?;
            let instructions = store::instructions(&mut conn, id).await?;
            (
                positions
                    .iter()
                    .map(|p| rules::Position {
                        participant: p.participant_id,
                        paid_minor: p.paid_minor,
                        paid_count: p.paid_count,
                        received_minor: p.received_minor,
                        received_count: p.received_count,
                        net_minor: p.net_minor,
                    })
                    .collect(),
                instructions
                    .iter()
                    .map(|x| rules::Instruction { from: x.from_id, to: x.to_id, amount_minor: x.amount_minor })
                    .collect(),
            )
        } else {
            (netting.positions.clone(), netting.instructions.clone())
        };
        let own = self.own_participant(&mut conn, actor).await?.map(|p| p.id);
        let mine = |a: i64, b: i64| own.is_none_or(|o| o == a || o == b);
        let name = |id: i64| context.codes.get(&id).map(|code| context.members[code].clone());
        let party = |id: i64| {
            name(id).map_or_else(
                || PartyRef { code: id.to_string(), name_zh: String::new(), name_en: None, region_code: String::new() },
                |p| PartyRef { code: p.code, name_zh: p.name_zh, name_en: p.name_en, region_code: p.region_code },
            )
        };
        let mut regions: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
        if own.is_none() {
            for flow in &flows {
                let key = (party(flow.payer).region_code, party(flow.payee).region_code);
                let cell = regions.entry(key).or_default();
                cell.0 = cell.0.saturating_add(flow.amount_minor);
                cell.1 = cell.1.saturating_add(flow.count);
            }
        }
        let disputes = store::cycle_disputes(&mut conn, id).await?;
        let mut visible_disputes = Vec::new();
        for d in disputes {
            let t = store::transaction(&mut conn, d.transaction_id).await?.ok_or(StoreError::NotFound)?;
            if mine(t.payer_id, t.payee_id) {
                visible_disputes.push(Dispute::from(d));
            }
        }
        let (count, gross) = totals(&flows)?;
        Ok(CycleReport {
            cycle: cycle_view(&context, cycle.clone()),
            provisional: cycle.status == "open",
            transaction_count: count,
            gross_minor: gross,
            positions: positions
                .iter()
                .filter(|p| mine(p.participant, p.participant))
                .map(|p| PositionView { participant: party(p.participant), position: *p })
                .collect(),
            bilateral: netting
                .bilateral
                .iter()
                .filter(|b| mine(b.a, b.b))
                .map(|b| BilateralView { a: party(b.a).code, b: party(b.b).code, net: *b })
                .collect(),
            instructions: instructions
                .iter()
                .enumerate()
                .filter(|(_, x)| mine(x.from, x.to))
                .map(|(i, x)| InstructionView {
                    seq: i as i64 + 1,
                    from: party(x.from),
                    to: party(x.to),
                    amount_minor: x.amount_minor,
                })
                .collect(),
            region_flows: regions
                .into_iter()
                .map(|((from, to), (amount_minor, count))| RegionFlow {
                    from_region: from,
                    to_region: to,
                    amount_minor,
                    count,
                })
                .collect(),
            disputes: visible_disputes,
        })
    }

    /// Sums the cycle afresh from its transactions and compares with the kept flows
    /// and, for a closed cycle, with the positions and instructions written at close.
    pub async fn verify_cycle(&self, actor: &Actor, id: i64) -> AppResult<Verification> {
        actor.require(&[Role::Administrator, Role::CityAnalyst], "verify clearing cycles")?;
        let mut conn = self.app.store.read().await?;
        let (cycle, _context) = self.readable_cycle(&mut conn, actor, id).await?;
        let kept = store::flows(&mut conn, id).await?;
        let summed = store::flows_from_transactions(&mut conn, id).await?;
        let mut problems = Vec::new();
        if kept != summed {
            let kept_map: BTreeMap<(i64, i64), FlowRow> = kept.iter().map(|f| ((f.payer_id, f.payee_id), *f)).collect();
            let summed_map: BTreeMap<(i64, i64), FlowRow> =
                summed.iter().map(|f| ((f.payer_id, f.payee_id), *f)).collect();
            for key in kept_map.keys().chain(summed_map.keys()).collect::<std::collections::BTreeSet<_>>() {
                if kept_map.get(key) != summed_map.get(key) {
                    problems.push(format!(
                        "flow {} → {}: kept {:?}, from the transactions {:?}",
                        key.0,
                        key.1,
                        kept_map.get(key).map(|f| (f.amount_minor, f.transaction_count)),
                        summed_map.get(key).map(|f| (f.amount_minor, f.transaction_count)),
                    ));
                }
            }
        }
        if cycle.status == "closed" {
            let netting = rules::net(&domain_flows(&summed)).map_err(|e| AppError::Internal(e.to_string()))?;
            let positions: Vec<PositionRow> = netting.positions.iter().map(position_row).collect();
            if store::positions(&mut conn, id).await? != positions {
                problems.push("the positions written at close differ from the transactions' netting".to_owned());
            }
            let settled = store::instructions(&mut conn, id).await?;
            if settled.iter().map(|x| (x.from_id, x.to_id, x.amount_minor)).collect::<Vec<_>>()
                != netting.instructions.iter().map(|x| (x.from, x.to, x.amount_minor)).collect::<Vec<_>>()
            {
                problems.push("the instructions written at close differ from the transactions' netting".to_owned());
            }
        }
        let (count, gross) = totals(&domain_flows(&summed))?;
        Ok(Verification {
            cycle_id: id,
            transaction_count: count,
            gross_minor: gross,
            consistent: problems.is_empty(),
            problems,
        })
    }

    // ------------------------------------------------------------ statements and reconciliation

    /// A participant's statement for a cycle: per counterparty what it paid and
    /// received, the nets, the instructions it takes part in, and how its own reported
    /// totals compare.
    pub async fn statement(&self, actor: &Actor, cycle_id: i64, participant_code: &str) -> AppResult<Statement> {
        let mut conn = self.app.store.read().await?;
        let (cycle, context) = self.readable_cycle(&mut conn, actor, cycle_id).await?;
        let participant =
            context.member(participant_code).cloned().ok_or(AppError::NotFound { what: "participant" })?;
        if let Some(own) = self.own_participant(&mut conn, actor).await?
            && own.id != participant.id
        {
            return Err(AppError::NotFound { what: "participant" });
        }
        let flows = domain_flows(&store::flows(&mut conn, cycle_id).await?);
        let ours = rules::counterparty_totals(&flows, participant.id);
        let report = store::latest_report(&mut conn, cycle_id, participant.id).await?;
        drop(conn);
        let report_view = self.cycle(actor, cycle_id).await?;
        let lines = ours
            .iter()
            .map(|(&counterparty, totals)| StatementLine {
                counterparty: context.code_of(counterparty),
                counterparty_name_zh: context
                    .members
                    .get(&context.code_of(counterparty))
                    .map(|m| m.name_zh.clone())
                    .unwrap_or_default(),
                counterparty_region: context
                    .members
                    .get(&context.code_of(counterparty))
                    .map(|m| m.region_code.clone())
                    .unwrap_or_default(),
                totals: *totals,
                net_minor: totals.received_minor - totals.paid_minor,
            })
            .collect::<Vec<_>>();
        let (paid, received) = ours.values().fold((0i64, 0i64), |(p, r), t| (p + t.paid_minor, r + t.received_minor));
        let reconciliation = report.map(|(submitted_at, report_lines)| {
            let theirs: BTreeMap<i64, CounterpartyTotals> = report_lines
                .iter()
                .map(|l| {
                    (
                        l.counterparty_id,
                        CounterpartyTotals {
                            paid_minor: l.paid_minor,
                            paid_count: l.paid_count,
                            received_minor: l.received_minor,
                            received_count: l.received_count,
                        },
                    )
                })
                .collect();
            Reconciliation {
                submitted_at,
                differences: rules::reconcile(&ours, &theirs)
                    .into_iter()
                    .map(|d| DifferenceView { counterparty: context.code_of(d.counterparty), difference: d })
                    .collect(),
            }
        });
        Ok(Statement {
            cycle: cycle_view(&context, cycle.clone()),
            provisional: cycle.status == "open",
            participant: participant.into(),
            lines,
            paid_minor: paid,
            received_minor: received,
            net_minor: received - paid,
            instructions: report_view
                .instructions
                .into_iter()
                .filter(|x| x.from.code == participant_code.trim() || x.to.code == participant_code.trim())
                .collect(),
            reconciliation,
        })
    }

    /// A participant reports its own totals for a cycle, counterparty by counterparty;
    /// the answer lists where they differ from ours.
    pub async fn report_totals(
        &self,
        actor: &Actor,
        cycle_id: i64,
        participant_code: &str,
        lines: &[ReportedLine],
    ) -> AppResult<Statement> {
        actor.require(CLEARING_SUBMITTERS, "report totals")?;
        actor.require_write()?;
        let mut conn = self.app.store.read().await?;
        let (_cycle, context) = self.readable_cycle(&mut conn, actor, cycle_id).await?;
        let participant =
            context.member(participant_code).cloned().ok_or(AppError::NotFound { what: "participant" })?;
        if let Some(own) = self.own_participant(&mut conn, actor).await?
            && own.id != participant.id
        {
            return Err(AppError::NotFound { what: "participant" });
        }
        drop(conn);
        let mut errors = FieldErrors::default();
        let mut rows = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for (i, line) in lines.iter().enumerate() {
            let Some(counterparty) = context.member(&line.counterparty) else {
                errors.push(
                    FieldError::new(
                        format!("lines[{i}].counterparty"),
                        "clearing.not_a_member",
                        "not a participant of the scheme",
                    )
                    .with_value(&line.counterparty),
                );
                continue;
            };
            if !seen.insert(counterparty.id) {
                errors.push(
                    FieldError::new(
                        format!("lines[{i}].counterparty"),
                        "clearing.repeated",
                        "the counterparty is listed twice",
                    )
                    .with_value(&line.counterparty),
                );
            }
            for (name, value) in [
                ("paid_minor", line.paid_minor),
                ("paid_count", line.paid_count),
                ("received_minor", line.received_minor),
                ("received_count", line.received_count),
            ] {
                if value < 0 {
                    errors.push(
                        FieldError::new(format!("lines[{i}].{name}"), "clearing.negative", "may not be negative")
                            .with_value(value.to_string()),
                    );
                }
            }
            rows.push(store::ReportLine {
                counterparty_id: counterparty.id,
                paid_minor: line.paid_minor,
                paid_count: line.paid_count,
                received_minor: line.received_minor,
                received_count: line.received_count,
            });
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let mut tx = self.app.store.begin().await?;
        let report_id = store::insert_report(&mut tx, cycle_id, participant.id, &actor.label, &rows).await?;
        audit(
            &mut tx,
            actor,
            "clearing.report",
            "clearing_report",
            &report_id.to_string(),
            None,
            Some(json!({"cycle_id": cycle_id, "participant": participant.code, "lines": rows.len()})),
        )
        .await?;
        tx.commit().await?;
        self.statement(actor, cycle_id, participant_code).await
    }
}

fn domain_flows(rows: &[FlowRow]) -> Vec<Flow> {
    rows.iter()
        .map(|f| Flow {
            payer: f.payer_id,
            payee: f.payee_id,
            amount_minor: f.amount_minor,
            count: f.transaction_count,
        })
        .collect()
}

fn totals(flows: &[Flow]) -> AppResult<(i64, i64)> {
    let mut count = 0i64;
    let mut gross = 0i64;
    for flow in flows {
        count = count.checked_add(flow.count).ok_or_else(|| AppError::Internal("count overflow".into()))?;
        gross = gross.checked_add(flow.amount_minor).ok_or_else(|| AppError::Internal("amount overflow".into()))?;
    }
    Ok((count, gross))
}

fn position_row(p: &rules::Position) -> PositionRow {
    PositionRow {
        participant_id: p.participant,
        paid_minor: p.paid_minor,
        paid_count: p.paid_count,
        received_minor: p.received_minor,
        received_count: p.received_count,
        net_minor: p.net_minor,
    }
}

fn scheme_view(context: &SchemeContext) -> Scheme {
    let s = &context.scheme;
    let mut members: Vec<String> = context.members.keys().cloned().collect();
    members.sort();
    Scheme {
        id: s.id,
        code: s.code.clone(),
        kind: s.kind.clone(),
        name_zh: s.name_zh.clone(),
        name_en: s.name_en.clone(),
        currency_code: s.currency_code.clone(),
        cycle_period: s.cycle_period.clone(),
        started_on: s.started_on.clone(),
        members,
    }
}

fn cycle_view(context: &SchemeContext, c: CycleRow) -> Cycle {
    Cycle {
        id: c.id,
        scheme: context.scheme.code.clone(),
        opens_at: c.opens_at,
        cut_off: c.cut_off,
        status: c.status,
        closed_at: c.closed_at,
        transaction_count: c.transaction_count,
        gross_minor: c.gross_minor,
    }
}

/// The checks of the netting, for whoever recomputes a cycle in memory.
pub fn net_flows(flows: &[Flow]) -> Result<Netting, rules::NettingError> {
    rules::net(flows)
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cycle {
    pub id: i64,
    pub scheme: String,
    pub opens_at: String,
    pub cut_off: String,
    /// open or closed.
    pub status: String,
    pub closed_at: Option<String>,
    /// Set at close.
    pub transaction_count: Option<i64>,
    pub gross_minor: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartyRef {
    pub code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub region_code: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PositionView {
    pub participant: PartyRef,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub position: rules::Position,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BilateralView {
    pub a: String,
    pub b: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub net: rules::Bilateral,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstructionView {
    pub seq: i64,
    pub from: PartyRef,
    pub to: PartyRef,
    pub amount_minor: i64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegionFlow {
    pub from_region: String,
    pub to_region: String,
    pub amount_minor: i64,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dispute {
    pub id: i64,
    pub transaction_id: i64,
    pub opened_by: i64,
    pub reason: String,
    pub opened_at: String,
    /// open, upheld or rejected.
    pub status: String,
    pub resolved_at: Option<String>,
    pub resolution: Option<String>,
    pub reversal_id: Option<i64>,
}

impl From<store::DisputeRow> for Dispute {
    fn from(d: store::DisputeRow) -> Self {
        Self {
            id: d.id,
            transaction_id: d.transaction_id,
            opened_by: d.opened_by,
            reason: d.reason,
            opened_at: d.opened_at,
            status: d.status,
            resolved_at: d.resolved_at,
            resolution: d.resolution,
            reversal_id: d.reversal_id,
        }
    }
}

/// A cycle with what it nets to.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CycleReport {
    pub cycle: Cycle,
    /// True while the cycle is open: the figures can still grow.
    pub provisional: bool,
    pub transaction_count: i64,
    pub gross_minor: i64,
    pub positions: Vec<PositionView>,
    pub bilateral: Vec<BilateralView>,
    pub instructions: Vec<InstructionView>,
    pub region_flows: Vec<RegionFlow>,
    pub disputes: Vec<Dispute>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Verification {
    pub cycle_id: i64,
    pub transaction_count: i64,
    pub gross_minor: i64,
    pub consistent: bool,
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementLine {
    pub counterparty: String,
    pub counterparty_name_zh: String,
    pub counterparty_region: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub totals: CounterpartyTotals,
    pub net_minor: i64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DifferenceView {
    pub counterparty: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub difference: rules::Difference,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reconciliation {
    pub submitted_at: String,
    pub differences: Vec<DifferenceView>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Statement {
    pub cycle: Cycle,
    pub provisional: bool,
    pub participant: Participant,
    pub lines: Vec<StatementLine>,
    pub paid_minor: i64,
    pub received_minor: i64,
    pub net_minor: i64,
    pub instructions: Vec<InstructionView>,
    /// How the participant's latest own report compares, when it sent one.
    pub reconciliation: Option<Reconciliation>,
}

/// One line of a participant's own totals.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReportedLine {
    /// Participant code.
    pub counterparty: String,
    pub paid_minor: i64,
    pub paid_count: i64,
    pub received_minor: i64,
    pub received_count: i64,
}

/// How far a file ingest has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestProgress {
    /// Lines checked so far (first pass: nothing is stored until the whole file is good).
    Checked(usize),
    /// Lines stored (or found already stored) so far.
    Stored(usize),
}

/// What a file ingest did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileOutcome {
    pub lines: usize,
    pub batches: usize,
    pub stored: usize,
    pub already_stored: usize,
}

/// Most errors listed for one file.
const MAX_FILE_ERRORS: usize = 100;

fn row_error(line: usize, error: FieldError) -> bridgehead_io::RowError {
    bridgehead_io::RowError {
        row: line,
        column: error.field,
        value: error.value.unwrap_or_default(),
        reason: error.message,
        code: error.code.to_owned(),
        params: error.params,
    }
}

impl Clearing<'_> {
    /// Ingests a CSV file of transactions (layout: [`bridgehead_io::clearing`]) into a
    /// scheme. The whole file is checked first, and refused with every bad line listed
    /// (up to 100) before anything is stored; then it is stored `batch_rows` lines a
    /// database transaction, each batch whole or not at all, so an interrupted ingest
    /// leaves whole batches and running it again stores only what is missing.
    pub async fn ingest_file<R: std::io::Read>(
        &self,
        actor: &Actor,
        scheme_code: &str,
        source: &str,
        open: impl Fn() -> std::io::Result<R>,
        batch_rows: usize,
        progress: &(dyn Fn(IngestProgress) + Sync),
    ) -> AppResult<FileOutcome> {
        let batch_rows = batch_rows.clamp(1, 100_000);
        let mut conn = self.app.store.read().await?;
        let context = self.readable_scheme(&mut conn, actor, scheme_code).await?;
        let own = self.submitter(&mut conn, actor, &context).await?;
        drop(conn);
        let reader =
            |open: &dyn Fn() -> std::io::Result<R>| -> AppResult<bridgehead_io::clearing::TransactionReader<R>> {
                let input =
                    open().map_err(|e| AppError::ImportFile { code: "file.unreadable", message: e.to_string() })?;
                bridgehead_io::clearing::TransactionReader::new(input).map_err(file_error)
            };
        // First pass: check every line.
        let mut lines = reader(&open)?;
        let mut errors = Vec::new();
        let mut checked = 0;
        // Keys seen, by a 128-bit digest (two independent SipHash keys): a few hundred
        // megabytes for ten million lines instead of every key's text.
        let (h1, h2) = (std::collections::hash_map::RandomState::new(), std::collections::hash_map::RandomState::new());
        let digest = |key: &str| {
            use std::hash::BuildHasher;
            (u128::from(h1.hash_one(key)) << 64) | u128::from(h2.hash_one(key))
        };
        let mut keys: HashMap<u128, u32> = HashMap::new();
        loop {
            let batch = lines.next_batch(batch_rows).map_err(file_error)?;
            if batch.is_empty() {
                break;
            }
            checked += batch.len();
            let (inputs, numbers) = split_lines(batch, &mut errors);
            if let Err(found) =
                Self::check_batch(&context, own, &inputs, &|i, name| format!("{}\u{0}{name}", numbers[i]))
            {
                errors.extend(found.0.into_iter().map(|e| {
                    let (line, column) = e
                        .field
                        .split_once('\u{0}')
                        .map_or((0, e.field.clone()), |(l, c)| (l.parse().unwrap_or(0), c.to_owned()));
                    row_error(line, FieldError { field: column, ..e })
                }));
            }
            // A key used twice in the file must mean the same transaction.
            for (input, &line) in inputs.iter().zip(&numbers) {
                let line32 = u32::try_from(line).unwrap_or(u32::MAX);
                if let Some(&first) = keys.get(&digest(input.idempotency_key.trim())) {
                    if first != line32 && errors.len() < MAX_FILE_ERRORS {
                        errors.push(row_error(
                            line,
                            FieldError::new(
                                "idempotency_key",
                                "clearing.key_repeated",
                                format!("the key is used on line {first} too"),
                            )
                            .with_value(&input.idempotency_key),
                        ));
                    }
                } else {
                    keys.insert(digest(input.idempotency_key.trim()), line32);
                }
            }
            progress(IngestProgress::Checked(checked));
            if errors.len() >= MAX_FILE_ERRORS {
                break;
            }
        }
        drop(keys);
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.row);
            errors.truncate(MAX_FILE_ERRORS);
            return Err(AppError::ImportRows(errors));
        }
        // Second pass: store, a batch a transaction.
        let mut lines = reader(&open)?;
        let mut outcome = FileOutcome::default();
        loop {
            let batch = lines.next_batch(batch_rows).map_err(file_error)?;
            if batch.is_empty() {
                break;
            }
            let mut unexpected = Vec::new();
            let (inputs, numbers) = split_lines(batch, &mut unexpected);
            if !unexpected.is_empty() {
                return Err(AppError::ImportRows(unexpected));
            }
            let rows = Self::check_batch(&context, own, &inputs, &|i, name| format!("line {} {name}", numbers[i]))?;
            let mut tx = self.app.store.begin().await?;
            let (done, _) = self
                .store_batch(&mut tx, &context, actor, source, &rows, &|i| {
                    format!("line {} idempotency_key", numbers[i])
                })
                .await?;
            tx.commit().await?;
            outcome.lines += inputs.len();
            outcome.batches += 1;
            outcome.stored += done.stored;
            outcome.already_stored += done.already_stored + (inputs.len() - rows.len());
            progress(IngestProgress::Stored(outcome.lines));
        }
        Ok(outcome)
    }
}

fn file_error(error: bridgehead_io::clearing::FileError) -> AppError {
    AppError::ImportFile { code: "clearing.file", message: error.to_string() }
}

/// The good lines of a batch as inputs with their line numbers; bad ones go to `errors`.
fn split_lines(
    batch: Vec<Result<bridgehead_io::clearing::TransactionLine, bridgehead_io::RowError>>,
    errors: &mut Vec<bridgehead_io::RowError>,
) -> (Vec<TransactionInput>, Vec<usize>) {
    let mut inputs = Vec::with_capacity(batch.len());
    let mut numbers = Vec::with_capacity(batch.len());
    for line in batch {
        match line {
            Ok(line) => {
                numbers.push(line.line);
                inputs.push(TransactionInput {
                    idempotency_key: line.idempotency_key,
                    payer: line.payer,
                    payee: line.payee,
                    amount_minor: line.amount_minor,
                    occurred_at: line.occurred_at,
                    reference: line.reference,
                });
            }
            Err(error) => errors.push(error),
        }
    }
    (inputs, numbers)
}
