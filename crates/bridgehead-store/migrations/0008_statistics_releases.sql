-- Statistics releases (SPEC §4): a published table frozen as it stood at its cut-off (the
-- moment of publishing). Later revisions of reports never change it; the table refuses
-- UPDATE and DELETE by trigger. The public sees releases only.
CREATE TABLE statistics_releases (
    id {{id}},
    region_code TEXT NOT NULL REFERENCES regions (code),
    period_index BIGINT NOT NULL,
    period TEXT NOT NULL,
    measure TEXT NOT NULL CHECK (measure IN ('completed', 'equipment')),
    -- The filter the table was computed under, as JSON ({} for all projects).
    filter_json TEXT NOT NULL,
    title_zh TEXT NOT NULL,
    title_en TEXT NOT NULL,
    note TEXT,
    -- The frozen table: every line's names and figures, as JSON.
    table_json TEXT NOT NULL,
    cutoff_at TEXT NOT NULL,
    published_by TEXT NOT NULL
);
CREATE INDEX statistics_releases_region ON statistics_releases (region_code, period_index);
