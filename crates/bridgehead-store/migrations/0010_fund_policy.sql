-- Policy KPIs of guidance funds (SPEC §5) and idempotent requests.
--
-- A rule set says what counts as local reinvestment and which industries are key, for a
-- jurisdiction. It is versioned: a change is a new version with the date it takes
-- effect, the old versions stay (append-only by trigger), so a KPI of any date can be
-- recomputed under the rules then in force.
CREATE TABLE fund_rule_sets (
    id {{id}},
    code TEXT NOT NULL,
    version BIGINT NOT NULL CHECK (version >= 1),
    name TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    -- The rules, JSON written by the application after validation.
    rules_json TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (code, version),
    UNIQUE (code, effective_from)
);

-- The documents that make a holding count as local reinvestment: a relocation or an
-- attracted project, with the project of the registry it brought here.
CREATE TABLE fund_holding_evidence (
    id {{id}},
    holding_id BIGINT NOT NULL REFERENCES fund_holdings (id),
    kind TEXT NOT NULL CHECK (kind IN ('relocation', 'attracted_project')),
    project_id BIGINT NOT NULL REFERENCES projects (id),
    document TEXT NOT NULL CHECK (length(document) BETWEEN 1 AND 500),
    noted_on TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    entered_at TEXT NOT NULL,
    UNIQUE (holding_id, kind, project_id)
);
CREATE INDEX fund_holding_evidence_holding ON fund_holding_evidence (holding_id);

-- Requests sent with an Idempotency-Key: the first answer, kept to be given again to a
-- retry. A key is claimed (status 0) before the request runs, so two copies of one
-- request never both run.
CREATE TABLE idempotency_keys (
    principal TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status BIGINT NOT NULL DEFAULT 0,
    content_type TEXT,
    body TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (principal, idempotency_key)
);
