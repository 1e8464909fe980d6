CREATE FUNCTION statistics_releases_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a published release does not change';
END;
$$;
CREATE TRIGGER statistics_releases_no_change BEFORE UPDATE OR DELETE ON statistics_releases
    FOR EACH ROW EXECUTE FUNCTION statistics_releases_frozen();
CREATE TRIGGER statistics_releases_no_truncate BEFORE TRUNCATE ON statistics_releases
    FOR EACH STATEMENT EXECUTE FUNCTION statistics_releases_frozen();
