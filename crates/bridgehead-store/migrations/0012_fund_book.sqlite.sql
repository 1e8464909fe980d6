-- Triggers of the fund book's change feed (see 0012_fund_book.sql). SQLite has one
-- writer at a time, so each changed row raises the version and names its fund (the old
-- and the new one, when an update moves a row).
CREATE TRIGGER fund_book_funds_insert AFTER INSERT ON funds
BEGIN
    UPDATE fund_book SET version = version + 1;
    INSERT INTO fund_changes (version, fund_id) VALUES ((SELECT version FROM fund_book), NEW.id) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER fund_book_funds_update AFTER UPDATE ON funds
BEGIN
    UPDATE fund_book SET version = version + 1;
    INSERT INTO fund_changes (version, fund_id) VALUES ((SELECT version FROM fund_book), OLD.id) ON CONFLICT DO NOTHING;
    INSERT INTO fund_changes (version, fund_id) VALUES ((SELECT version FROM fund_book), NEW.id) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER fund_book_funds_delete AFTER DELETE ON funds
BEGIN
    UPDATE fund_book SET version = version + 1;
    INSERT INTO fund_changes (version, fund_id) VALUES ((SELECT version FROM fund_book), OLD.id) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER fund_book_partners_insert AFTER INSERT ON fund_partners
BEGIN
    UPDATE fund_book SET version = version + 1;
    INSERT INTO fund_changes (version, fund_id) VALUES ((SELECT version FROM fund_book), NEW.fund_id) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER fund_book_partners_update AFTER UPDATE ON fund_partners
BEGIN
    UPDATE fund_book SET version = version + 1;
    INSERT INTO fund_changes (version, fund_id) VALUES ((SELECT version FROM fund_book), OLD.fund_id) ON CONFLICT DO NOTHING;
    INSERT INTO fund_changes (version, fund_id) VALUES ((SELECT version FROM fund_book), NEW.fund_id) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER fund_book_partners_delete AFTER DELETE ON fund_partners
BEGIN
    UPDATE fund_book SET version = version + 1;
    INSERT INTO fund_changes (version, fund_id) VALUES ((SELECT version FROM fund_book), OLD.fund_id) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER fund_book_holdings_insert AFTER INSERT ON fund_holdings
BEGIN
    UPDATE fund_book SET version = version + 1;
    INSERT INTO fund_changes (version, fund_id) VALUES ((SELECT version FROM fund_book), NEW.fund_id) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER fund_book_holdings_update AFTER UPDATE ON fund_holdings
BEGIN
    UPDATE fund_book SET version = version + 1;
    INSERT INTO fund_changes (version, fund_id) VALUES ((SELECT version FROM fund_book), OLD.fund_id) ON CONFLICT DO NOTHING;
    INSERT INTO fund_changes (version, fund_id) VALUES ((SELECT version FROM fund_book), NEW.fund_id) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER fund_book_holdings_delete AFTER DELETE ON fund_holdings
BEGIN
    UPDATE fund_book SET version = version + 1;
    INSERT INTO fund_changes (version, fund_id) VALUES ((SELECT version FROM fund_book), OLD.fund_id) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER fund_book_valuations_insert AFTER INSERT ON fund_valuations
BEGIN
    UPDATE fund_book SET version = version + 1;
    INSERT INTO fund_changes (version, fund_id) VALUES ((SELECT version FROM fund_book), NEW.fund_id) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER fund_book_valuations_update AFTER UPDATE ON fund_valuations
BEGIN
    UPDATE fund_book SET version = version + 1;
    INSERT INTO fund_changes (version, fund_id) VALUES ((SELECT version FROM fund_book), OLD.fund_id) ON CONFLICT DO NOTHING;
    INSERT INTO fund_changes (version, fund_id) VALUES ((SELECT version FROM fund_book), NEW.fund_id) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER fund_book_valuations_delete AFTER DELETE ON fund_valuations
BEGIN
    UPDATE fund_book SET version = version + 1;
    INSERT INTO fund_changes (version, fund_id) VALUES ((SELECT version FROM fund_book), OLD.fund_id) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER fund_book_entries_insert AFTER INSERT ON fund_entries
BEGIN
    UPDATE fund_book SET version = version + 1;
    INSERT INTO fund_changes (version, fund_id) VALUES ((SELECT version FROM fund_book), NEW.fund_id) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER fund_book_evidence_insert AFTER INSERT ON fund_holding_evidence
BEGIN
    UPDATE fund_book SET version = version + 1;
    INSERT INTO fund_changes (version, fund_id) SELECT (SELECT version FROM fund_book), fund_id FROM fund_holdings WHERE id = NEW.holding_id ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER fund_book_evidence_update AFTER UPDATE ON fund_holding_evidence
BEGIN
    UPDATE fund_book SET version = version + 1;
    INSERT INTO fund_changes (version, fund_id) SELECT (SELECT version FROM fund_book), fund_id FROM fund_holdings WHERE id = OLD.holding_id ON CONFLICT DO NOTHING;
    INSERT INTO fund_changes (version, fund_id) SELECT (SELECT version FROM fund_book), fund_id FROM fund_holdings WHERE id = NEW.holding_id ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER fund_book_evidence_delete AFTER DELETE ON fund_holding_evidence
BEGIN
    UPDATE fund_book SET version = version + 1;
    INSERT INTO fund_changes (version, fund_id) SELECT (SELECT version FROM fund_book), fund_id FROM fund_holdings WHERE id = OLD.holding_id ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER fund_book_enterprises_update AFTER UPDATE OF name_zh, region_code, industry_code ON enterprises
    WHEN EXISTS (SELECT 1 FROM fund_holdings WHERE enterprise_id = NEW.id)
BEGIN
    UPDATE fund_book SET version = version + 1;
    INSERT INTO fund_changes (version, fund_id)
        SELECT DISTINCT (SELECT version FROM fund_book), fund_id FROM fund_holdings WHERE enterprise_id = NEW.id
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER fund_book_projects_update AFTER UPDATE OF name_zh, region_code, planned_total_cny_minor ON projects
    WHEN EXISTS (SELECT 1 FROM fund_holding_evidence WHERE project_id = NEW.id)
BEGIN
    UPDATE fund_book SET version = version + 1;
    INSERT INTO fund_changes (version, fund_id)
        SELECT DISTINCT (SELECT version FROM fund_book), h.fund_id FROM fund_holding_evidence v
        JOIN fund_holdings h ON h.id = v.holding_id WHERE v.project_id = NEW.id
        ON CONFLICT DO NOTHING;
END;
