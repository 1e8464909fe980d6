CREATE FUNCTION fund_entries_contributed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE fund_partners SET contributed_minor = contributed_minor + NEW.amount_minor WHERE id = NEW.partner_id;
    RETURN NULL;
END;
$$;
CREATE TRIGGER fund_entries_contributed AFTER INSERT ON fund_entries
    FOR EACH ROW WHEN (NEW.kind = 'contribution') EXECUTE FUNCTION fund_entries_contributed();
CREATE FUNCTION fund_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the fund ledger and its notices are append-only: reverse an entry instead';
END;
$$;
CREATE TRIGGER fund_entries_no_change BEFORE UPDATE OR DELETE ON fund_entries
    FOR EACH ROW EXECUTE FUNCTION fund_ledger_append_only();
CREATE TRIGGER fund_entries_no_truncate BEFORE TRUNCATE ON fund_entries
    FOR EACH STATEMENT EXECUTE FUNCTION fund_ledger_append_only();
CREATE TRIGGER fund_notices_no_change BEFORE UPDATE OR DELETE ON fund_notices
    FOR EACH ROW EXECUTE FUNCTION fund_ledger_append_only();
CREATE TRIGGER fund_notice_lines_no_change BEFORE UPDATE OR DELETE ON fund_notice_lines
    FOR EACH ROW EXECUTE FUNCTION fund_ledger_append_only();
