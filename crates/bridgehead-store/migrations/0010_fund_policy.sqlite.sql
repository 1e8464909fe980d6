CREATE TRIGGER fund_rule_sets_no_update BEFORE UPDATE ON fund_rule_sets
BEGIN
    SELECT RAISE(ABORT, 'a rule set version does not change: add a new version');
END;
CREATE TRIGGER fund_rule_sets_no_delete BEFORE DELETE ON fund_rule_sets
BEGIN
    SELECT RAISE(ABORT, 'a rule set version does not change: add a new version');
END;
