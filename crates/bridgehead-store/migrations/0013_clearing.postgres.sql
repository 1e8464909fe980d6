-- A transaction is never deleted, and nothing of it changes but the running total of
-- what was reversed.
CREATE FUNCTION clearing_transactions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'clearing transactions are kept: reverse one instead';
    END IF;
    IF (NEW.id, NEW.scheme_id, NEW.idempotency_key, NEW.cycle_id, NEW.payer_id, NEW.payee_id, NEW.amount_minor,
        NEW.occurred_at, NEW.accepted_at, NEW.batch_id, NEW.reference, NEW.reverses_id)
       IS DISTINCT FROM
       (OLD.id, OLD.scheme_id, OLD.idempotency_key, OLD.cycle_id, OLD.payer_id, OLD.payee_id, OLD.amount_minor,
        OLD.occurred_at, OLD.accepted_at, OLD.batch_id, OLD.reference, OLD.reverses_id) THEN
        RAISE EXCEPTION 'a clearing transaction does not change: reverse it instead';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER clearing_transactions_guard BEFORE UPDATE OR DELETE ON clearing_transactions
    FOR EACH ROW EXECUTE FUNCTION clearing_transactions_guard();

-- A closed cycle's flows, positions and instructions do not change.
CREATE FUNCTION clearing_flows_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'clearing flows are kept';
    END IF;
    IF (SELECT status FROM clearing_cycles WHERE id = NEW.cycle_id) <> 'open' THEN
        RAISE EXCEPTION 'the clearing cycle is closed';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER clearing_flows_guard BEFORE INSERT OR UPDATE OR DELETE ON clearing_flows
    FOR EACH ROW EXECUTE FUNCTION clearing_flows_guard();

CREATE FUNCTION clearing_closed_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'clearing_cycles' THEN
        IF OLD.status = 'closed' THEN
            RAISE EXCEPTION 'a closed clearing cycle does not change';
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'a closed cycle''s % do not change', substr(TG_TABLE_NAME, 10);
END $$;
CREATE TRIGGER clearing_cycles_stay_closed BEFORE UPDATE ON clearing_cycles
    FOR EACH ROW EXECUTE FUNCTION clearing_closed_guard();
CREATE TRIGGER clearing_positions_kept BEFORE UPDATE OR DELETE ON clearing_positions
    FOR EACH ROW EXECUTE FUNCTION clearing_closed_guard();
CREATE TRIGGER clearing_instructions_kept BEFORE UPDATE OR DELETE ON clearing_instructions
    FOR EACH ROW EXECUTE FUNCTION clearing_closed_guard();
