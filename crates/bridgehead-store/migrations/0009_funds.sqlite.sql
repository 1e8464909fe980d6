CREATE TRIGGER fund_entries_contributed AFTER INSERT ON fund_entries WHEN NEW.kind = 'contribution'
BEGIN
    UPDATE fund_partners SET contributed_minor = contributed_minor + NEW.amount_minor WHERE id = NEW.partner_id;
END;
CREATE TRIGGER fund_entries_no_update BEFORE UPDATE ON fund_entries
BEGIN
    SELECT RAISE(ABORT, 'the fund ledger is append-only: reverse an entry instead');
END;
CREATE TRIGGER fund_entries_no_delete BEFORE DELETE ON fund_entries
BEGIN
    SELECT RAISE(ABORT, 'the fund ledger is append-only: reverse an entry instead');
END;
CREATE TRIGGER fund_notices_no_update BEFORE UPDATE ON fund_notices
BEGIN
    SELECT RAISE(ABORT, 'an issued notice does not change');
END;
CREATE TRIGGER fund_notices_no_delete BEFORE DELETE ON fund_notices
BEGIN
    SELECT RAISE(ABORT, 'an issued notice does not change');
END;
CREATE TRIGGER fund_notice_lines_no_update BEFORE UPDATE ON fund_notice_lines
BEGIN
    SELECT RAISE(ABORT, 'an issued notice does not change');
END;
CREATE TRIGGER fund_notice_lines_no_delete BEFORE DELETE ON fund_notice_lines
BEGIN
    SELECT RAISE(ABORT, 'an issued notice does not change');
END;
