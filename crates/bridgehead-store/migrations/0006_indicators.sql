-- External indicators (SPEC §4): published figures per region and period (January..N
-- of a year), the level and the official growth side by side, with their source. A
-- changed figure is a new revision; earlier revisions stay readable.

CREATE TABLE indicator_values (
    indicator TEXT NOT NULL CHECK (indicator IN ('gdp', 'industrial_value_added', 'fixed_asset_investment',
        'foreign_capital_used')),
    region_code TEXT NOT NULL REFERENCES regions (code),
    -- year * 12 + month - 1, and the same as YYYY-MM text.
    period_index BIGINT NOT NULL,
    period TEXT NOT NULL,
    revision BIGINT NOT NULL CHECK (revision >= 1),
    -- Minor units of the indicator's currency (fen; cents for foreign capital).
    value_minor BIGINT CHECK (value_minor >= 0),
    -- The official growth in percent, as published (decimal text).
    growth_percent TEXT,
    source TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (indicator, region_code, period_index, revision),
    CHECK (value_minor IS NOT NULL OR growth_percent IS NOT NULL)
);
CREATE INDEX indicator_values_region ON indicator_values (region_code, period_index);
