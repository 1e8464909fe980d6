-- Triggers of the fund book's change feed (see 0012_fund_book.sql).
-- A transaction raises the version once, at its first change (remembered in a setting
-- local to the transaction, undone with it): a transaction that writes many rows does
-- not update the one row many times.
CREATE FUNCTION fund_book_bump() RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
    changed BIGINT := NULLIF(current_setting('bridgehead.fund_book_version', true), '')::BIGINT;
BEGIN
    IF changed IS NULL THEN
        UPDATE fund_book SET version = version + 1 RETURNING version INTO changed;
        PERFORM set_config('bridgehead.fund_book_version', changed::TEXT, true);
    END IF;
    RETURN changed;
END;
$$;
CREATE FUNCTION fund_book_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed BIGINT;
    row_fund BIGINT;
    row_holding BIGINT;
BEGIN
    IF TG_TABLE_NAME = 'funds' THEN
        row_fund := NEW.id;
    ELSIF TG_TABLE_NAME = 'fund_holding_evidence' THEN
        IF TG_OP = 'DELETE' THEN row_holding := OLD.holding_id; ELSE row_holding := NEW.holding_id; END IF;
        SELECT fund_id INTO row_fund FROM fund_holdings WHERE id = row_holding;
    ELSIF TG_OP = 'DELETE' THEN
        row_fund := OLD.fund_id;
    ELSE
        row_fund := NEW.fund_id;
    END IF;
    changed := fund_book_bump();
    IF row_fund IS NOT NULL THEN
        INSERT INTO fund_changes (version, fund_id) VALUES (changed, row_fund) ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER fund_book_funds AFTER INSERT OR UPDATE ON funds
    FOR EACH ROW EXECUTE FUNCTION fund_book_change();
CREATE TRIGGER fund_book_partners AFTER INSERT OR UPDATE ON fund_partners
    FOR EACH ROW EXECUTE FUNCTION fund_book_change();
CREATE TRIGGER fund_book_holdings AFTER INSERT OR UPDATE OR DELETE ON fund_holdings
    FOR EACH ROW EXECUTE FUNCTION fund_book_change();
CREATE TRIGGER fund_book_entries AFTER INSERT ON fund_entries
    FOR EACH ROW EXECUTE FUNCTION fund_book_change();
CREATE TRIGGER fund_book_valuations AFTER INSERT ON fund_valuations
    FOR EACH ROW EXECUTE FUNCTION fund_book_change();
CREATE TRIGGER fund_book_evidence AFTER INSERT OR UPDATE OR DELETE ON fund_holding_evidence
    FOR EACH ROW EXECUTE FUNCTION fund_book_change();

CREATE FUNCTION fund_book_registry_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed BIGINT;
BEGIN
    IF TG_TABLE_NAME = 'enterprises' THEN
        IF NOT EXISTS (SELECT 1 FROM fund_holdings WHERE enterprise_id = NEW.id) THEN RETURN NULL; END IF;
        changed := fund_book_bump();
        INSERT INTO fund_changes (version, fund_id)
            SELECT DISTINCT changed, fund_id FROM fund_holdings WHERE enterprise_id = NEW.id ON CONFLICT DO NOTHING;
    ELSE
        IF NOT EXISTS (SELECT 1 FROM fund_holding_evidence WHERE project_id = NEW.id) THEN RETURN NULL; END IF;
        changed := fund_book_bump();
        INSERT INTO fund_changes (version, fund_id)
            SELECT DISTINCT changed, h.fund_id FROM fund_holding_evidence v
            JOIN fund_holdings h ON h.id = v.holding_id WHERE v.project_id = NEW.id ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER fund_book_enterprises AFTER UPDATE OF name_zh, region_code, industry_code ON enterprises
    FOR EACH ROW WHEN (OLD.name_zh IS DISTINCT FROM NEW.name_zh OR OLD.region_code IS DISTINCT FROM NEW.region_code
        OR OLD.industry_code IS DISTINCT FROM NEW.industry_code)
    EXECUTE FUNCTION fund_book_registry_change();
CREATE TRIGGER fund_book_projects AFTER UPDATE OF name_zh, region_code, planned_total_cny_minor ON projects
    FOR EACH ROW WHEN (OLD.name_zh IS DISTINCT FROM NEW.name_zh OR OLD.region_code IS DISTINCT FROM NEW.region_code
        OR OLD.planned_total_cny_minor IS DISTINCT FROM NEW.planned_total_cny_minor)
    EXECUTE FUNCTION fund_book_registry_change();
