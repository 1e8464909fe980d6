CREATE FUNCTION statistics_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed BIGINT;
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF TG_TABLE_NAME = 'projects' THEN changed := OLD.id; ELSE changed := OLD.project_id; END IF;
    ELSE
        IF TG_TABLE_NAME = 'projects' THEN changed := NEW.id; ELSE changed := NEW.project_id; END IF;
    END IF;
    INSERT INTO statistics_changes (project_id, changed_at)
    VALUES (changed, to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'));
    RETURN NULL;
END;
$$;
CREATE TRIGGER statistics_report_insert AFTER INSERT ON monthly_reports
    FOR EACH ROW WHEN (NEW.status = 'approved_by_city') EXECUTE FUNCTION statistics_change();
CREATE TRIGGER statistics_report_update AFTER UPDATE ON monthly_reports
    FOR EACH ROW WHEN (OLD.status = 'approved_by_city' OR NEW.status = 'approved_by_city')
    EXECUTE FUNCTION statistics_change();
CREATE TRIGGER statistics_report_delete AFTER DELETE ON monthly_reports
    FOR EACH ROW WHEN (OLD.status = 'approved_by_city') EXECUTE FUNCTION statistics_change();
CREATE TRIGGER statistics_project_change AFTER INSERT OR UPDATE OR DELETE ON projects
    FOR EACH ROW EXECUTE FUNCTION statistics_change();
CREATE TRIGGER statistics_event_change AFTER INSERT OR UPDATE OR DELETE ON project_events
    FOR EACH ROW EXECUTE FUNCTION statistics_change();
CREATE TRIGGER statistics_cluster_change AFTER INSERT OR DELETE ON project_clusters
    FOR EACH ROW EXECUTE FUNCTION statistics_change();
