CREATE TRIGGER statistics_releases_no_update BEFORE UPDATE ON statistics_releases
BEGIN
    SELECT RAISE(ABORT, 'a published release does not change');
END;
CREATE TRIGGER statistics_releases_no_delete BEFORE DELETE ON statistics_releases
BEGIN
    SELECT RAISE(ABORT, 'a published release does not change');
END;
