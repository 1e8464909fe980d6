-- Investment statistics (SPEC §4): the USD equivalent of a project's planned total (at
-- the signing-date rate, for the "USD 100 million" tier), configurable size tiers, and
-- the change feed the in-memory statistics engine of every server process follows.

-- NULL when no USD rate was known on or before the signing date. Projects stored before
-- this column are converted here in floating point (rounded to the cent); projects
-- written afterwards are converted exactly by the application.
ALTER TABLE projects ADD COLUMN planned_total_usd_minor BIGINT CHECK (planned_total_usd_minor >= 0);
UPDATE projects SET planned_total_usd_minor = planned_total_minor WHERE planned_currency = 'USD';
UPDATE projects SET planned_total_usd_minor = CAST(ROUND(planned_total_cny_minor / CAST((
        SELECT r.rate FROM exchange_rates r WHERE r.currency_code = 'USD' AND r.rate_date <= projects.signed_on
        ORDER BY r.rate_date DESC LIMIT 1) AS DOUBLE PRECISION)) AS BIGINT)
    WHERE planned_currency <> 'USD';

-- Tiers from the lowest threshold up; a project's band is the highest tier it reaches.
CREATE TABLE size_tiers (
    position BIGINT PRIMARY KEY CHECK (position >= 1),
    code TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    min_cny_minor BIGINT NOT NULL CHECK (min_cny_minor > 0),
    min_usd_minor BIGINT CHECK (min_usd_minor > 0),
    updated_at TEXT NOT NULL
);
INSERT INTO size_tiers (position, code, name_zh, name_en, min_cny_minor, min_usd_minor, updated_at)
VALUES (1, 'billion', '10亿元或1亿美元以上', '1 billion yuan or USD 100 million and more', 100000000000,
        10000000000, '2026-11-21T00:00:00.000000Z');
INSERT INTO size_tiers (position, code, name_zh, name_en, min_cny_minor, min_usd_minor, updated_at)
VALUES (2, 'ten_billion', '100亿元以上', '10 billion yuan and more', 1000000000000, NULL,
        '2026-11-21T00:00:00.000000Z');

-- One row per change that may move a figure: a counted report approved, revised or
-- removed, a project or its events or clusters changed. Written by triggers, so every
-- path (forms, imports, other processes) is seen.
CREATE TABLE statistics_changes (
    seq {{id}},
    project_id BIGINT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE INDEX statistics_changes_at ON statistics_changes (changed_at);
