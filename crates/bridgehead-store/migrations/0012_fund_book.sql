-- The fund book's change feed (SPEC §5): every process keeps the fund ledgers in memory
-- (the app's fund book) and brings them up to date from this feed before it answers.
--
-- * fund_book holds one row: the version of the funds' data, raised by triggers on every
--   change to a fund's data (funds, partners, holdings, entries, valuations, evidence,
--   and the names, regions, industries and amounts of the enterprises and projects they
--   name), whichever process or path made it — on PostgreSQL once per transaction, as
--   it commits, on SQLite once per changed row;
-- * fund_changes names the funds each version changed. Writers take the fund_book row
--   before they commit (PostgreSQL: only while committing), so versions commit in order:
--   a reader that sees version v sees every change up to v, and a rolled-back change
--   leaves no version behind;
-- * changes up to pruned_through have been removed; a book older than that rebuilds, as
--   does a book of another epoch.
CREATE TABLE fund_book (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL,
    pruned_through BIGINT NOT NULL,
    -- Renewed when a backup is restored into a running installation.
    epoch TEXT NOT NULL
);
INSERT INTO fund_book (id, version, pruned_through, epoch) VALUES (1, 0, 0, 'initial');

CREATE TABLE fund_changes (
    version BIGINT NOT NULL,
    fund_id BIGINT NOT NULL,
    PRIMARY KEY (version, fund_id)
);
