CREATE FUNCTION fund_rule_sets_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a rule set version does not change: add a new version';
END;
$$;
CREATE TRIGGER fund_rule_sets_no_change BEFORE UPDATE OR DELETE ON fund_rule_sets
    FOR EACH ROW EXECUTE FUNCTION fund_rule_sets_append_only();
