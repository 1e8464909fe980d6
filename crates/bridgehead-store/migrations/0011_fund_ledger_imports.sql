-- Fund ledger files (SPEC §5) are imported once. Every import is in the import log
-- (imports); a ledger file's import is also kept here under its fund and the file's
-- SHA-256, unique together, so that the same file brought again — or twice at once,
-- from two servers — never writes its entries a second time. The first import's
-- answer is kept to be given again.
CREATE TABLE fund_ledger_imports (
    fund_id BIGINT NOT NULL REFERENCES funds (id),
    file_sha256 TEXT NOT NULL CHECK (length(file_sha256) = 64),
    import_id BIGINT NOT NULL UNIQUE REFERENCES imports (id),
    -- What the import answered, JSON written by the application.
    outcome_json TEXT NOT NULL,
    PRIMARY KEY (fund_id, file_sha256)
);
