-- Triggers of the fund book's change feed (see 0012_fund_book.sql).
--
-- A row trigger names the changed funds under a placeholder version (minus the
-- transaction's id); at commit a deferred trigger raises the version once for the
-- transaction and gives its rows that number. The feed's row is locked only while the
-- transaction commits, so fund writers wait for one another only then, and versions
-- still commit in order.
CREATE FUNCTION fund_book_note(fund BIGINT) RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
    IF fund IS NOT NULL THEN
        INSERT INTO fund_changes (version, fund_id) VALUES (-txid_current(), fund) ON CONFLICT DO NOTHING;
    END IF;
END;
$$;

CREATE FUNCTION fund_book_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'funds' THEN
        IF TG_OP <> 'INSERT' THEN PERFORM fund_book_note(OLD.id); END IF;
        IF TG_OP <> 'DELETE' THEN PERFORM fund_book_note(NEW.id); END IF;
    ELSIF TG_TABLE_NAME = 'fund_holding_evidence' THEN
        IF TG_OP <> 'INSERT' THEN
            PERFORM fund_book_note((SELECT fund_id FROM fund_holdings WHERE id = OLD.holding_id));
        END IF;
        IF TG_OP <> 'DELETE' THEN
            -- Taken before the project's edits can commit unseen (see fund_book_registry_change).
            PERFORM 1 FROM projects WHERE id = NEW.project_id FOR SHARE;
            PERFORM fund_book_note((SELECT fund_id FROM fund_holdings WHERE id = NEW.holding_id));
        END IF;
    ELSE
        IF TG_OP <> 'INSERT' THEN PERFORM fund_book_note(OLD.fund_id); END IF;
        IF TG_OP <> 'DELETE' THEN
            IF TG_TABLE_NAME = 'fund_holdings' THEN
                -- Taken before the company's edits can commit unseen (see fund_book_registry_change).
                PERFORM 1 FROM enterprises WHERE id = NEW.enterprise_id FOR SHARE;
            END IF;
            PERFORM fund_book_note(NEW.fund_id);
        END IF;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER fund_book_funds AFTER INSERT OR UPDATE OR DELETE ON funds
    FOR EACH ROW EXECUTE FUNCTION fund_book_change();
CREATE TRIGGER fund_book_partners AFTER INSERT OR UPDATE OR DELETE ON fund_partners
    FOR EACH ROW EXECUTE FUNCTION fund_book_change();
CREATE TRIGGER fund_book_holdings AFTER INSERT OR UPDATE OR DELETE ON fund_holdings
    FOR EACH ROW EXECUTE FUNCTION fund_book_change();
CREATE TRIGGER fund_book_entries AFTER INSERT OR UPDATE OR DELETE ON fund_entries
    FOR EACH ROW EXECUTE FUNCTION fund_book_change();
CREATE TRIGGER fund_book_valuations AFTER INSERT OR UPDATE OR DELETE ON fund_valuations
    FOR EACH ROW EXECUTE FUNCTION fund_book_change();
CREATE TRIGGER fund_book_evidence AFTER INSERT OR UPDATE OR DELETE ON fund_holding_evidence
    FOR EACH ROW EXECUTE FUNCTION fund_book_change();

-- A held company's name, region or industry, or an evidenced project's name, region or
-- amount. A writer that adds a holding (or evidence) holds the company (or project) FOR
-- SHARE until it commits, so an edit either waits for it and then sees the holding, or
-- commits first and the holding's own change reloads the fund after it.
CREATE FUNCTION fund_book_registry_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'enterprises' THEN
        INSERT INTO fund_changes (version, fund_id)
            SELECT DISTINCT -txid_current(), fund_id FROM fund_holdings WHERE enterprise_id = NEW.id
            ON CONFLICT DO NOTHING;
    ELSE
        INSERT INTO fund_changes (version, fund_id)
            SELECT DISTINCT -txid_current(), h.fund_id FROM fund_holding_evidence v
            JOIN fund_holdings h ON h.id = v.holding_id WHERE v.project_id = NEW.id
            ON CONFLICT DO NOTHING;
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

-- At commit: the transaction's version, once, for all its rows.
CREATE FUNCTION fund_book_commit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed BIGINT;
BEGIN
    IF NULLIF(current_setting('bridgehead.fund_book_version', true), '') IS NOT NULL THEN
        RETURN NULL;
    END IF;
    UPDATE fund_book SET version = version + 1 WHERE id = 1 RETURNING version INTO changed;
    PERFORM set_config('bridgehead.fund_book_version', changed::TEXT, true);
    UPDATE fund_changes SET version = changed WHERE version = -txid_current();
    RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER fund_book_commit AFTER INSERT ON fund_changes
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.version < 0)
    EXECUTE FUNCTION fund_book_commit();
