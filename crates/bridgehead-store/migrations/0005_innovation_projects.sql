-- Collaborative innovation projects (SPEC §3): a lead enterprise, partners possibly in
-- other regions, a budget by funding source and milestones with due dates, completion
-- and evidence. The project belongs to the lead enterprise's region, which decides who
-- sees it.

CREATE TABLE innovation_projects (
    id {{id}},
    name TEXT NOT NULL,
    lead_enterprise_id BIGINT NOT NULL REFERENCES enterprises (id),
    summary TEXT,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'completed', 'cancelled')),
    status_reason TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (ends_on >= starts_on)
);
CREATE INDEX innovation_projects_lead ON innovation_projects (lead_enterprise_id);

CREATE TABLE innovation_partners (
    innovation_id BIGINT NOT NULL REFERENCES innovation_projects (id) ON DELETE CASCADE,
    line BIGINT NOT NULL CHECK (line >= 1),
    kind TEXT NOT NULL CHECK (kind IN ('enterprise', 'university', 'institute', 'other')),
    name TEXT NOT NULL,
    enterprise_id BIGINT REFERENCES enterprises (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    role TEXT,
    PRIMARY KEY (innovation_id, line),
    UNIQUE (innovation_id, name),
    CHECK (enterprise_id IS NULL OR kind = 'enterprise')
);
CREATE INDEX innovation_partners_enterprise ON innovation_partners (enterprise_id);

CREATE TABLE innovation_budget_lines (
    innovation_id BIGINT NOT NULL REFERENCES innovation_projects (id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    note TEXT,
    PRIMARY KEY (innovation_id, source)
);

CREATE TABLE innovation_milestones (
    innovation_id BIGINT NOT NULL REFERENCES innovation_projects (id) ON DELETE CASCADE,
    line BIGINT NOT NULL CHECK (line >= 1),
    title TEXT NOT NULL,
    due_on TEXT NOT NULL,
    completed_on TEXT,
    evidence TEXT,
    PRIMARY KEY (innovation_id, line),
    CHECK (completed_on IS NULL OR evidence IS NOT NULL)
);
CREATE INDEX innovation_milestones_due ON innovation_milestones (due_on);
