-- Industry guidance funds (SPEC §5): funds in a tree (a fund is a partner of another),
-- partners with their commitments, holdings, the ledger of dated entries, valuations and
-- notices. Money in BIGINT minor units of the fund's currency.
--
-- Rules the database keeps:
-- * a partner's contributions never exceed its commitment: contributed_minor is kept by
--   a trigger on every contribution entry and checked against commitment_minor, so no
--   interleaving of writers can over-contribute;
-- * the ledger is append-only (UPDATE, DELETE refused by trigger); a mistake is undone
--   by a reversal entry (negative amount) that names the entry it reverses, at most once;
-- * every entry names who entered it and when; a partner, holding or notice it names
--   belongs to the same fund (composite foreign keys).
CREATE TABLE funds (
    id {{id}},
    name_zh TEXT NOT NULL UNIQUE,
    name_en TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('guidance', 'special', 'industry', 'sub_fund', 'direct')),
    manager_organization_id BIGINT REFERENCES organizations (id),
    currency_code TEXT NOT NULL REFERENCES currencies (code),
    target_size_minor BIGINT NOT NULL CHECK (target_size_minor > 0),
    vintage BIGINT NOT NULL CHECK (vintage BETWEEN 1990 AND 2200),
    investment_years BIGINT NOT NULL CHECK (investment_years BETWEEN 1 AND 50),
    term_years BIGINT NOT NULL CHECK (term_years BETWEEN investment_years AND 99),
    home_region_code TEXT NOT NULL REFERENCES regions (code),
    -- GB/T 4754 code prefixes, comma-separated.
    focus_industries TEXT NOT NULL DEFAULT '',
    -- Policy terms (required multiples, limits) and waterfall terms, JSON written by the
    -- application after validation.
    terms_json TEXT NOT NULL DEFAULT '{}',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX funds_manager ON funds (manager_organization_id);
CREATE INDEX funds_region ON funds (home_region_code);

CREATE TABLE fund_partners (
    id {{id}},
    fund_id BIGINT NOT NULL REFERENCES funds (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('government', 'state_holding', 'social', 'gp', 'fund')),
    -- For kind 'fund': the fund that invests (the parent in the tree).
    investor_fund_id BIGINT REFERENCES funds (id),
    commitment_minor BIGINT NOT NULL CHECK (commitment_minor > 0),
    contributed_minor BIGINT NOT NULL DEFAULT 0,
    committed_on TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT fund_partners_contribution_within_commitment
        CHECK (contributed_minor >= 0 AND contributed_minor <= commitment_minor),
    CONSTRAINT fund_partners_fund_kind CHECK ((kind = 'fund') = (investor_fund_id IS NOT NULL)),
    CONSTRAINT fund_partners_not_itself CHECK (investor_fund_id IS NULL OR investor_fund_id <> fund_id),
    UNIQUE (fund_id, name),
    UNIQUE (fund_id, investor_fund_id),
    UNIQUE (id, fund_id)
);
CREATE INDEX fund_partners_investor ON fund_partners (investor_fund_id);

CREATE TABLE fund_holdings (
    id {{id}},
    fund_id BIGINT NOT NULL REFERENCES funds (id),
    enterprise_id BIGINT REFERENCES enterprises (id),
    sub_fund_id BIGINT REFERENCES funds (id),
    project_id BIGINT REFERENCES projects (id),
    acquired_on TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT fund_holdings_one_target CHECK ((enterprise_id IS NULL) <> (sub_fund_id IS NULL)),
    UNIQUE (fund_id, enterprise_id),
    UNIQUE (fund_id, sub_fund_id),
    UNIQUE (id, fund_id)
);

CREATE TABLE fund_notices (
    id {{id}},
    fund_id BIGINT NOT NULL REFERENCES funds (id),
    kind TEXT NOT NULL CHECK (kind IN ('call', 'distribution')),
    notice_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    total_minor BIGINT NOT NULL CHECK (total_minor > 0),
    investment_minor BIGINT NOT NULL DEFAULT 0 CHECK (investment_minor >= 0),
    fees_minor BIGINT NOT NULL DEFAULT 0 CHECK (fees_minor >= 0),
    expenses_minor BIGINT NOT NULL DEFAULT 0 CHECK (expenses_minor >= 0),
    capital_minor BIGINT NOT NULL DEFAULT 0 CHECK (capital_minor >= 0),
    gain_minor BIGINT NOT NULL DEFAULT 0 CHECK (gain_minor >= 0),
    income_minor BIGINT NOT NULL DEFAULT 0 CHECK (income_minor >= 0),
    memo TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT fund_notices_parts_sum CHECK (total_minor = investment_minor + fees_minor + expenses_minor
        + capital_minor + gain_minor + income_minor),
    CONSTRAINT fund_notices_parts_of_kind CHECK ((kind = 'call' AND capital_minor + gain_minor + income_minor = 0)
        OR (kind = 'distribution' AND investment_minor + fees_minor + expenses_minor = 0)),
    UNIQUE (id, fund_id)
);

CREATE TABLE fund_notice_lines (
    notice_id BIGINT NOT NULL REFERENCES fund_notices (id),
    partner_id BIGINT NOT NULL REFERENCES fund_partners (id),
    commitment_minor BIGINT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    investment_minor BIGINT NOT NULL DEFAULT 0,
    fees_minor BIGINT NOT NULL DEFAULT 0,
    expenses_minor BIGINT NOT NULL DEFAULT 0,
    capital_minor BIGINT NOT NULL DEFAULT 0,
    gain_minor BIGINT NOT NULL DEFAULT 0,
    income_minor BIGINT NOT NULL DEFAULT 0,
    -- For calls: the partner's commitment not yet called once this notice is paid.
    unfunded_after_minor BIGINT NOT NULL,
    PRIMARY KEY (notice_id, partner_id),
    CONSTRAINT fund_notice_lines_parts_sum CHECK (amount_minor = investment_minor + fees_minor + expenses_minor
        + capital_minor + gain_minor + income_minor)
);

CREATE TABLE fund_entries (
    id {{id}},
    fund_id BIGINT NOT NULL REFERENCES funds (id),
    entry_date TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('contribution', 'distribution', 'investment', 'proceeds',
        'management_fee', 'expense')),
    amount_minor BIGINT NOT NULL CHECK (amount_minor <> 0),
    component TEXT CHECK (component IN ('investment', 'fees', 'expenses', 'capital', 'gain', 'income')),
    partner_id BIGINT,
    holding_id BIGINT,
    notice_id BIGINT,
    reverses_id BIGINT UNIQUE REFERENCES fund_entries (id),
    -- An entry written because of another fund's entry (a sub-fund's call paid by this
    -- fund is this fund's investment in it).
    mirror_of_id BIGINT REFERENCES fund_entries (id),
    memo TEXT,
    entered_by TEXT NOT NULL,
    entered_by_user_id BIGINT REFERENCES users (id),
    entered_at TEXT NOT NULL,
    FOREIGN KEY (partner_id, fund_id) REFERENCES fund_partners (id, fund_id),
    FOREIGN KEY (holding_id, fund_id) REFERENCES fund_holdings (id, fund_id),
    FOREIGN KEY (notice_id, fund_id) REFERENCES fund_notices (id, fund_id),
    CONSTRAINT fund_entries_partner_of_kind CHECK ((kind IN ('contribution', 'distribution')) = (partner_id IS NOT NULL)),
    CONSTRAINT fund_entries_holding_of_kind CHECK ((kind IN ('investment', 'proceeds')) = (holding_id IS NOT NULL)),
    CONSTRAINT fund_entries_reversal_sign CHECK ((reverses_id IS NULL) = (amount_minor > 0)),
    CONSTRAINT fund_entries_component_of_kind CHECK (component IS NULL
        OR (kind = 'contribution' AND component IN ('investment', 'fees', 'expenses'))
        OR (kind IN ('distribution', 'proceeds') AND component IN ('capital', 'gain', 'income')))
);
CREATE INDEX fund_entries_fund ON fund_entries (fund_id, entry_date);
CREATE INDEX fund_entries_partner ON fund_entries (partner_id);
CREATE INDEX fund_entries_holding ON fund_entries (holding_id);
CREATE INDEX fund_entries_notice ON fund_entries (notice_id);

CREATE TABLE fund_valuations (
    id {{id}},
    fund_id BIGINT NOT NULL REFERENCES funds (id),
    holding_id BIGINT,
    valued_on TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    method TEXT,
    entered_by TEXT NOT NULL,
    entered_at TEXT NOT NULL,
    FOREIGN KEY (holding_id, fund_id) REFERENCES fund_holdings (id, fund_id)
);
CREATE UNIQUE INDEX fund_valuations_one_a_day ON fund_valuations (fund_id, COALESCE(holding_id, 0), valued_on);

-- A notice is paid (call) or paid out (distribution) once per partner and component.
CREATE UNIQUE INDEX fund_entries_notice_once ON fund_entries (notice_id, partner_id, component)
    WHERE notice_id IS NOT NULL AND reverses_id IS NULL;
