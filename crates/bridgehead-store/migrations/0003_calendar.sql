-- The working-day calendar: China's public holidays and the weekend days made working
-- days, per year, as published. Data, not code: a new year is imported when the State
-- Council publishes it.

CREATE TABLE calendar_years (
    year BIGINT PRIMARY KEY CHECK (year BETWEEN 1949 AND 2200),
    source TEXT NOT NULL,
    loaded_at TEXT NOT NULL
);

CREATE TABLE calendar_days (
    day TEXT PRIMARY KEY,
    year BIGINT NOT NULL REFERENCES calendar_years (year),
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name TEXT NOT NULL
);
CREATE INDEX calendar_days_year ON calendar_days (year);
