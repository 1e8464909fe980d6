-- Manufacturing investment projects (SPEC §3): projects with investors and clusters,
-- stage events, monthly progress reports with their review history.

CREATE TABLE projects (
    id {{id}},
    code TEXT NOT NULL UNIQUE,
    national_code BIGINT NOT NULL CHECK (national_code IN (0, 1)),
    name_zh TEXT NOT NULL,
    name_en TEXT,
    region_code TEXT NOT NULL REFERENCES regions (code),
    park_id BIGINT REFERENCES parks (id),
    industry_edition TEXT,
    industry_code TEXT,
    project_type TEXT NOT NULL CHECK (project_type IN ('new', 'expansion', 'technological_transformation')),
    capital_source TEXT NOT NULL CHECK (capital_source IN ('domestic', 'foreign', 'hk_macao_taiwan')),
    source_country TEXT,
    from_shanghai BIGINT NOT NULL DEFAULT 0 CHECK (from_shanghai IN (0, 1)),
    fortune_global_500 BIGINT NOT NULL DEFAULT 0 CHECK (fortune_global_500 IN (0, 1)),
    central_soe BIGINT NOT NULL DEFAULT 0 CHECK (central_soe IN (0, 1)),
    planned_total_minor BIGINT NOT NULL CHECK (planned_total_minor >= 0),
    planned_fixed_assets_minor BIGINT CHECK (planned_fixed_assets_minor >= 0 AND planned_fixed_assets_minor <= planned_total_minor),
    planned_equipment_minor BIGINT CHECK (planned_equipment_minor >= 0 AND planned_equipment_minor <= planned_total_minor),
    planned_currency TEXT NOT NULL REFERENCES currencies (code),
    -- The planned total in CNY at the rate of the signing date, and that rate and date.
    planned_total_cny_minor BIGINT NOT NULL CHECK (planned_total_cny_minor >= 0),
    conversion_rate TEXT,
    conversion_date TEXT,
    signed_on TEXT NOT NULL,
    planned_start_on TEXT,
    planned_production_on TEXT,
    -- Where the stage events have brought the project (kept with every event).
    phase BIGINT NOT NULL DEFAULT 1 CHECK (phase >= 1),
    stage TEXT NOT NULL DEFAULT 'signed' CHECK (stage IN ('signed', 'filed', 'started', 'in_production', 'completed')),
    suspended BIGINT NOT NULL DEFAULT 0 CHECK (suspended IN (0, 1)),
    cancelled BIGINT NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1)),
    started_on TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    FOREIGN KEY (industry_edition, industry_code) REFERENCES industries (edition, code),
    CHECK ((industry_code IS NULL) = (industry_edition IS NULL)),
    CHECK ((conversion_rate IS NULL) = (planned_currency = 'CNY'))
);
CREATE INDEX projects_region ON projects (region_code);

CREATE TABLE project_investors (
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    enterprise_id BIGINT NOT NULL REFERENCES enterprises (id),
    share_bp BIGINT NOT NULL CHECK (share_bp BETWEEN 1 AND 10000),
    PRIMARY KEY (project_id, enterprise_id)
);
CREATE INDEX project_investors_enterprise ON project_investors (enterprise_id);

CREATE TABLE project_clusters (
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    cluster_id BIGINT NOT NULL REFERENCES clusters (id),
    PRIMARY KEY (project_id, cluster_id)
);

CREATE TABLE project_events (
    id {{id}},
    project_id BIGINT NOT NULL REFERENCES projects (id),
    phase BIGINT NOT NULL CHECK (phase >= 1),
    kind TEXT NOT NULL CHECK (kind IN ('signed', 'filed', 'started', 'in_production', 'completed', 'suspended',
        'resumed', 'cancelled')),
    occurred_on TEXT NOT NULL,
    reason TEXT,
    -- A later phase's signing: the capital increase, in CNY minor units.
    increment_minor BIGINT CHECK (increment_minor >= 0),
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX project_events_project ON project_events (project_id, id);

CREATE TABLE monthly_reports (
    id {{id}},
    project_id BIGINT NOT NULL REFERENCES projects (id),
    -- year * 12 + month - 1, and the same as YYYY-MM text.
    period_index BIGINT NOT NULL,
    period TEXT NOT NULL,
    revision BIGINT NOT NULL CHECK (revision >= 1),
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'returned_by_district', 'approved_by_district',
        'returned_by_city', 'approved_by_city', 'superseded')),
    completed_minor BIGINT NOT NULL CHECK (completed_minor >= 0),
    equipment_minor BIGINT NOT NULL CHECK (equipment_minor >= 0 AND equipment_minor <= completed_minor),
    construction_minor BIGINT NOT NULL CHECK (construction_minor >= 0 AND construction_minor <= completed_minor),
    employees BIGINT CHECK (employees >= 0),
    status_note TEXT,
    warning_note TEXT,
    revision_reason TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (project_id, period_index, revision),
    CHECK (revision = 1 OR revision_reason IS NOT NULL)
);
-- One revision in review at a time, and one counted (approved by the city) revision,
-- per project and month.
CREATE UNIQUE INDEX monthly_reports_one_open ON monthly_reports (project_id, period_index)
    WHERE status NOT IN ('approved_by_city', 'superseded');
CREATE UNIQUE INDEX monthly_reports_one_counted ON monthly_reports (project_id, period_index)
    WHERE status = 'approved_by_city';
CREATE INDEX monthly_reports_period ON monthly_reports (period_index, status);

CREATE TABLE report_reviews (
    id {{id}},
    report_id BIGINT NOT NULL REFERENCES monthly_reports (id),
    at TEXT NOT NULL,
    actor_user_id BIGINT,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    reason TEXT
);
CREATE INDEX report_reviews_report ON report_reviews (report_id, id);
