-- Clearing of payments that cross city lines (SPEC §7): schemes, participants, cycles,
-- transactions accepted once, reversals and disputes as their own records, the flows of
-- each cycle, and what a closed cycle produced.

-- A participant is an organisation (an issuing authority, a medical insurance fund, a
-- hospital, a card issuer, a transit operator) known to files by a short code.
CREATE TABLE clearing_participants (
    id {{id}},
    code TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 40),
    organization_id BIGINT NOT NULL UNIQUE REFERENCES organizations (id),
    created_at TEXT NOT NULL
);

CREATE TABLE clearing_schemes (
    id {{id}},
    code TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 40),
    kind TEXT NOT NULL CHECK (kind IN ('voucher', 'medical', 'transit', 'other')),
    name_zh TEXT NOT NULL,
    name_en TEXT,
    currency_code TEXT NOT NULL REFERENCES currencies (code),
    cycle_period TEXT NOT NULL CHECK (cycle_period IN ('day', 'month')),
    -- The first China calendar day on which transactions of the scheme may occur.
    started_on TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Who takes part in a scheme.
CREATE TABLE clearing_members (
    scheme_id BIGINT NOT NULL REFERENCES clearing_schemes (id),
    participant_id BIGINT NOT NULL REFERENCES clearing_participants (id),
    PRIMARY KEY (scheme_id, participant_id)
);
CREATE INDEX clearing_members_participant ON clearing_members (participant_id);

-- A cycle takes the transactions accepted while it is open that occurred before its
-- cut-off (and after the previous cycle's; a late one goes to the first open cycle).
CREATE TABLE clearing_cycles (
    id {{id}},
    scheme_id BIGINT NOT NULL REFERENCES clearing_schemes (id),
    opens_at TEXT NOT NULL,
    cut_off TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    closed_at TEXT,
    closed_by TEXT,
    transaction_count BIGINT,
    gross_minor BIGINT,
    UNIQUE (scheme_id, cut_off),
    CHECK (opens_at < cut_off),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);

-- Where transactions came from: one API request, one file, one form.
CREATE TABLE clearing_batches (
    id {{id}},
    scheme_id BIGINT NOT NULL REFERENCES clearing_schemes (id),
    source TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    received_at TEXT NOT NULL
);

-- Accepted once: the idempotency key is unique within its scheme. A reversal is its own
-- transaction, flowing back, and the original keeps the running total of what was
-- reversed, never above its amount.
CREATE TABLE clearing_transactions (
    id {{id}},
    scheme_id BIGINT NOT NULL REFERENCES clearing_schemes (id),
    idempotency_key TEXT NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 100),
    cycle_id BIGINT NOT NULL REFERENCES clearing_cycles (id),
    payer_id BIGINT NOT NULL REFERENCES clearing_participants (id),
    payee_id BIGINT NOT NULL REFERENCES clearing_participants (id),
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    occurred_at TEXT NOT NULL,
    accepted_at TEXT NOT NULL,
    batch_id BIGINT NOT NULL REFERENCES clearing_batches (id),
    reference TEXT,
    reverses_id BIGINT REFERENCES clearing_transactions (id),
    reversed_minor BIGINT NOT NULL DEFAULT 0,
    UNIQUE (scheme_id, idempotency_key),
    CHECK (payer_id <> payee_id),
    CHECK (reversed_minor >= 0 AND reversed_minor <= amount_minor),
    CHECK (reverses_id IS NULL OR reversed_minor = 0)
);
CREATE INDEX clearing_transactions_cycle ON clearing_transactions (cycle_id, payer_id, payee_id);

-- What each cycle's transactions add up to, pair by pair; kept in the transaction that
-- stores them, and recomputable from them.
CREATE TABLE clearing_flows (
    cycle_id BIGINT NOT NULL REFERENCES clearing_cycles (id),
    payer_id BIGINT NOT NULL REFERENCES clearing_participants (id),
    payee_id BIGINT NOT NULL REFERENCES clearing_participants (id),
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    transaction_count BIGINT NOT NULL CHECK (transaction_count >= 0),
    PRIMARY KEY (cycle_id, payer_id, payee_id)
);

-- A closed cycle's net positions and settlement instructions, as computed at close.
CREATE TABLE clearing_positions (
    cycle_id BIGINT NOT NULL REFERENCES clearing_cycles (id),
    participant_id BIGINT NOT NULL REFERENCES clearing_participants (id),
    paid_minor BIGINT NOT NULL,
    paid_count BIGINT NOT NULL,
    received_minor BIGINT NOT NULL,
    received_count BIGINT NOT NULL,
    net_minor BIGINT NOT NULL,
    PRIMARY KEY (cycle_id, participant_id),
    CHECK (net_minor = received_minor - paid_minor)
);

CREATE TABLE clearing_instructions (
    cycle_id BIGINT NOT NULL REFERENCES clearing_cycles (id),
    seq BIGINT NOT NULL,
    from_id BIGINT NOT NULL REFERENCES clearing_participants (id),
    to_id BIGINT NOT NULL REFERENCES clearing_participants (id),
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    PRIMARY KEY (cycle_id, seq),
    CHECK (from_id <> to_id)
);

-- A participant's doubt about a transaction; upheld, it is settled by a reversal.
CREATE TABLE clearing_disputes (
    id {{id}},
    transaction_id BIGINT NOT NULL REFERENCES clearing_transactions (id),
    opened_by BIGINT NOT NULL REFERENCES clearing_participants (id),
    reason TEXT NOT NULL CHECK (length(reason) > 0),
    opened_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'upheld', 'rejected')),
    resolved_at TEXT,
    resolved_by TEXT,
    resolution TEXT,
    reversal_id BIGINT REFERENCES clearing_transactions (id),
    CHECK ((status = 'open') = (resolved_at IS NULL)),
    CHECK (reversal_id IS NULL OR status = 'upheld')
);
CREATE UNIQUE INDEX clearing_disputes_one_open ON clearing_disputes (transaction_id) WHERE status = 'open';

-- A participant's own totals for a cycle, counterparty by counterparty, as it reported
-- them; the latest report counts.
CREATE TABLE clearing_reports (
    id {{id}},
    cycle_id BIGINT NOT NULL REFERENCES clearing_cycles (id),
    participant_id BIGINT NOT NULL REFERENCES clearing_participants (id),
    submitted_by TEXT NOT NULL,
    submitted_at TEXT NOT NULL
);
CREATE INDEX clearing_reports_cycle ON clearing_reports (cycle_id, participant_id);

CREATE TABLE clearing_report_lines (
    report_id BIGINT NOT NULL REFERENCES clearing_reports (id),
    counterparty_id BIGINT NOT NULL REFERENCES clearing_participants (id),
    paid_minor BIGINT NOT NULL CHECK (paid_minor >= 0),
    paid_count BIGINT NOT NULL CHECK (paid_count >= 0),
    received_minor BIGINT NOT NULL CHECK (received_minor >= 0),
    received_count BIGINT NOT NULL CHECK (received_count >= 0),
    PRIMARY KEY (report_id, counterparty_id)
);
