CREATE TRIGGER statistics_report_insert AFTER INSERT ON monthly_reports WHEN NEW.status = 'approved_by_city'
BEGIN
    INSERT INTO statistics_changes (project_id, changed_at) VALUES (NEW.project_id, strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'));
END;
CREATE TRIGGER statistics_report_update AFTER UPDATE ON monthly_reports
    WHEN OLD.status = 'approved_by_city' OR NEW.status = 'approved_by_city'
BEGIN
    INSERT INTO statistics_changes (project_id, changed_at) VALUES (NEW.project_id, strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'));
END;
CREATE TRIGGER statistics_report_delete AFTER DELETE ON monthly_reports WHEN OLD.status = 'approved_by_city'
BEGIN
    INSERT INTO statistics_changes (project_id, changed_at) VALUES (OLD.project_id, strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'));
END;
CREATE TRIGGER statistics_project_insert AFTER INSERT ON projects
BEGIN
    INSERT INTO statistics_changes (project_id, changed_at) VALUES (NEW.id, strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'));
END;
CREATE TRIGGER statistics_project_update AFTER UPDATE ON projects
BEGIN
    INSERT INTO statistics_changes (project_id, changed_at) VALUES (NEW.id, strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'));
END;
CREATE TRIGGER statistics_project_delete AFTER DELETE ON projects
BEGIN
    INSERT INTO statistics_changes (project_id, changed_at) VALUES (OLD.id, strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'));
END;
CREATE TRIGGER statistics_event_insert AFTER INSERT ON project_events
BEGIN
    INSERT INTO statistics_changes (project_id, changed_at) VALUES (NEW.project_id, strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'));
END;
CREATE TRIGGER statistics_event_update AFTER UPDATE ON project_events
BEGIN
    INSERT INTO statistics_changes (project_id, changed_at) VALUES (NEW.project_id, strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'));
END;
CREATE TRIGGER statistics_event_delete AFTER DELETE ON project_events
BEGIN
    INSERT INTO statistics_changes (project_id, changed_at) VALUES (OLD.project_id, strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'));
END;
CREATE TRIGGER statistics_cluster_insert AFTER INSERT ON project_clusters
BEGIN
    INSERT INTO statistics_changes (project_id, changed_at) VALUES (NEW.project_id, strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'));
END;
CREATE TRIGGER statistics_cluster_delete AFTER DELETE ON project_clusters
BEGIN
    INSERT INTO statistics_changes (project_id, changed_at) VALUES (OLD.project_id, strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'));
END;
