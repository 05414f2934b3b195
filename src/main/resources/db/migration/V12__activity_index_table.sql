-- Activity is most of a fleet's lifecycle traffic, and an activity update changes only the activity columns. With
-- an index on client_state's activity time, each such update wrote a new entry into every one of client_state's
-- indexes; without it the update is HOT (heap-only: no index is written), several times cheaper and with a fraction
-- of the WAL (issue 17, docs/benchmarks.md "Activity without an index on client_state"). The list's activity
-- filters and its lastActivityTime order read the activity time from client_activity, a narrow table with its own
-- index, which the triggers below keep equal to client_state for every writer: the ingest statement, a node's
-- stop, a deletion, and any fixture or tool that writes client_state directly.
CREATE TABLE client_activity (
    client_id    text COLLATE "C" PRIMARY KEY,
    -- the list's sort key: clients without activity first (-infinity), as the other time orders
    activity_key timestamptz(3) NOT NULL
);
INSERT INTO client_activity (client_id, activity_key)
SELECT client_id, coalesce(activity_time, '-infinity') FROM client_state;
CREATE INDEX client_activity_key_idx ON client_activity (activity_key, client_id);
DROP INDEX client_state_activity_key_idx;
-- room on each page for the new version of a row, which a HOT update needs (new pages only: existing ones get it
-- as they are rewritten)
ALTER TABLE client_state SET (fillfactor = 80);

-- Statement triggers with transition tables: one statement per ingest batch, not one function call per row.
CREATE FUNCTION client_activity_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO client_activity (client_id, activity_key)
    SELECT client_id, coalesce(activity_time, '-infinity') FROM inserted_rows
    ON CONFLICT (client_id) DO UPDATE SET activity_key = EXCLUDED.activity_key;
    RETURN NULL;
END $$;

-- Compared with client_activity itself, not with the old rows: PL/pgSQL keeps the plan of its first call, made
-- for that call's transition tables, and a join of the new rows to the old ones planned for one row was a nested
-- loop over both, quadratic in a batch of 500 (a third of the storm benchmark's rate). Each new row here is one
-- primary-key lookup whatever the plan.
CREATE FUNCTION client_activity_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE client_activity a SET activity_key = coalesce(n.activity_time, '-infinity')
      FROM new_rows n
     WHERE a.client_id = n.client_id AND a.activity_key IS DISTINCT FROM coalesce(n.activity_time, '-infinity');
    RETURN NULL;
END $$;

CREATE FUNCTION client_activity_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM client_activity a USING deleted_rows d WHERE a.client_id = d.client_id;
    RETURN NULL;
END $$;

CREATE FUNCTION client_activity_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE client_activity;
    RETURN NULL;
END $$;

CREATE TRIGGER client_activity_inserted AFTER INSERT ON client_state
    REFERENCING NEW TABLE AS inserted_rows FOR EACH STATEMENT EXECUTE FUNCTION client_activity_inserted();
CREATE TRIGGER client_activity_updated AFTER UPDATE ON client_state
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION client_activity_updated();
CREATE TRIGGER client_activity_deleted AFTER DELETE ON client_state
    REFERENCING OLD TABLE AS deleted_rows FOR EACH STATEMENT EXECUTE FUNCTION client_activity_deleted();
CREATE TRIGGER client_activity_truncated AFTER TRUNCATE ON client_state
    FOR EACH STATEMENT EXECUTE FUNCTION client_activity_truncated();
