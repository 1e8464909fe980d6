-- A transaction is never deleted, and nothing of it changes but the running total of
-- what was reversed.
CREATE TRIGGER clearing_transactions_no_delete BEFORE DELETE ON clearing_transactions
BEGIN
    SELECT RAISE(ABORT, 'clearing transactions are kept: reverse one instead');
END;
CREATE TRIGGER clearing_transactions_no_update BEFORE UPDATE ON clearing_transactions
WHEN NEW.id IS NOT OLD.id OR NEW.scheme_id IS NOT OLD.scheme_id OR NEW.idempotency_key IS NOT OLD.idempotency_key
    OR NEW.cycle_id IS NOT OLD.cycle_id OR NEW.payer_id IS NOT OLD.payer_id OR NEW.payee_id IS NOT OLD.payee_id
    OR NEW.amount_minor IS NOT OLD.amount_minor OR NEW.occurred_at IS NOT OLD.occurred_at
    OR NEW.accepted_at IS NOT OLD.accepted_at OR NEW.batch_id IS NOT OLD.batch_id
    OR NEW.reference IS NOT OLD.reference OR NEW.reverses_id IS NOT OLD.reverses_id
BEGIN
    SELECT RAISE(ABORT, 'a clearing transaction does not change: reverse it instead');
END;

-- A closed cycle's flows, positions and instructions do not change.
CREATE TRIGGER clearing_flows_open_insert BEFORE INSERT ON clearing_flows
WHEN (SELECT status FROM clearing_cycles WHERE id = NEW.cycle_id) <> 'open'
BEGIN
    SELECT RAISE(ABORT, 'the clearing cycle is closed');
END;
CREATE TRIGGER clearing_flows_open_update BEFORE UPDATE ON clearing_flows
WHEN (SELECT status FROM clearing_cycles WHERE id = OLD.cycle_id) <> 'open'
BEGIN
    SELECT RAISE(ABORT, 'the clearing cycle is closed');
END;
CREATE TRIGGER clearing_flows_no_delete BEFORE DELETE ON clearing_flows
BEGIN
    SELECT RAISE(ABORT, 'clearing flows are kept');
END;
CREATE TRIGGER clearing_cycles_stay_closed BEFORE UPDATE ON clearing_cycles
WHEN OLD.status = 'closed'
BEGIN
    SELECT RAISE(ABORT, 'a closed clearing cycle does not change');
END;
CREATE TRIGGER clearing_positions_no_update BEFORE UPDATE ON clearing_positions
BEGIN
    SELECT RAISE(ABORT, 'a closed cycle''s positions do not change');
END;
CREATE TRIGGER clearing_positions_no_delete BEFORE DELETE ON clearing_positions
BEGIN
    SELECT RAISE(ABORT, 'a closed cycle''s positions do not change');
END;
CREATE TRIGGER clearing_instructions_no_update BEFORE UPDATE ON clearing_instructions
BEGIN
    SELECT RAISE(ABORT, 'a closed cycle''s instructions do not change');
END;
CREATE TRIGGER clearing_instructions_no_delete BEFORE DELETE ON clearing_instructions
BEGIN
    SELECT RAISE(ABORT, 'a closed cycle''s instructions do not change');
END;
