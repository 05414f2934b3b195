#!/usr/bin/env bash
# What an activity write costs PostgreSQL in schema variants, server-side, no client in between:
# 5 000 connected clients in connmon's client_state (its Flyway migrations up to V11_1), then 200 batches of 500
# activity updates (activity_time, activity_event, activity_rank), one transaction per batch, as connmon's upsert
# changes them:
#   1. the schema before V12 (every index, client_state_activity_key_idx among them);
#   2. without the activity index, fillfactor 80: the update changes no indexed column, so it can be HOT;
#   3. as 2, plus a narrow client_activity (client_id, activity_key) carrying the activity index, updated alongside;
#   4. as 3, client_activity kept by a row trigger; 5. by a statement trigger (V12's form);
#   6. V12 itself, applied to the loaded table (its fillfactor reaches only pages written after it).
# Prints updates/s, WAL bytes per update and the share of HOT updates for each.
# Usage: src/test/sql/activity-write-variants.sh [psql connection options, default -h 127.0.0.1 -U postgres]
set -euo pipefail
cd "$(dirname "$0")/../../.."
if [ $# -eq 0 ]; then set -- -h 127.0.0.1 -U postgres; fi
PSQL=(psql -X -q -v ON_ERROR_STOP=1 "$@")
DB=connmon_activity_variants
"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
# Flyway's order: by version, V11 before V11_1
for f in $(ls src/main/resources/db/migration/V*.sql | python3 -c '
import re, sys
files = sys.stdin.read().split()
key = lambda f: [int(p) for p in re.match(r".*/V([0-9_]+)__", f).group(1).split("_")]
print("\n".join(f for f in sorted(files, key=key) if key(f) < [12]))'); do "${PSQL[@]}" -d $DB -f "$f" >/dev/null; done

run() { # $1: name, $2: extra statement per batch
  "${PSQL[@]}" -d $DB -At -F ' ' <<SQL
TRUNCATE client_state;
INSERT INTO client_state (client_id, connect_time, connect_connection_id, protocol_version, ip_address, port, node,
                          keep_alive, clean_start, source, activity_time, activity_event, activity_rank, updated_at)
SELECT 'd:org:type' || (i % 50) || ':dev' || lpad(i::text, 7, '0'), now() - interval '1 hour', 'c' || i, '5.0',
       '10.0.0.1', 40000 + i % 20000, 'broker-1', 60, true, 'default', now() - interval '1 hour', 'mqttConnect', 1,
       now()
  FROM generate_series(1, 5000) i;
$3
VACUUM ANALYZE client_state;
SELECT pg_stat_reset();
CREATE TEMP TABLE m AS SELECT pg_current_wal_lsn() AS lsn, clock_timestamp() AS t;
DO \$\$
DECLARE ids text[]; ts timestamptz[];
BEGIN
  FOR b IN 1..200 LOOP
    SELECT array_agg('d:org:type' || (i % 50) || ':dev' || lpad(i::text, 7, '0') ORDER BY 1),
           array_agg(now() + b * interval '1 ms')
      INTO ids, ts FROM generate_series((b * 500) % 5000 + 1, (b * 500) % 5000 + 500) i;
    UPDATE client_state s SET activity_time = u.t, activity_event = 'mqttPublish', activity_rank = 3,
                              updated_at = now()
      FROM unnest(ids, ts) u(id, t) WHERE s.client_id = u.id;
    $2
    COMMIT;
  END LOOP;
END \$\$;
SELECT '$1', round(100000 / extract(epoch FROM clock_timestamp() - t)) || ' updates/s',
       round(pg_wal_lsn_diff(pg_current_wal_lsn(), lsn) / 100000) || ' WAL B/update' FROM m;
SELECT pg_sleep(1);
SELECT 'HOT ' || round(100.0 * n_tup_hot_upd / greatest(n_tup_upd, 1)) || ' %' FROM pg_stat_user_tables
 WHERE relname = 'client_state';
SQL
}

run "1. as migrated:" "" ""
"${PSQL[@]}" -d $DB -c "DROP INDEX client_state_activity_key_idx" -c "ALTER TABLE client_state SET (fillfactor = 80)"
run "2. no activity index, fillfactor 80:" "" ""
run "3. as 2 + narrow client_activity:" \
    "UPDATE client_activity a SET activity_key = u.t FROM unnest(ids, ts) u(id, t) WHERE a.client_id = u.id;" \
    "CREATE TABLE client_activity (client_id text COLLATE \"C\" PRIMARY KEY, activity_key timestamptz NOT NULL);
     INSERT INTO client_activity SELECT client_id, activity_time FROM client_state;
     CREATE INDEX ON client_activity (activity_key, client_id); VACUUM ANALYZE client_activity;"
"${PSQL[@]}" -d $DB -c "DROP TABLE client_activity"
NARROW="CREATE TABLE client_activity (client_id text COLLATE \"C\" PRIMARY KEY, activity_key timestamptz NOT NULL);
     INSERT INTO client_activity SELECT client_id, activity_time FROM client_state;
     CREATE INDEX ON client_activity (activity_key, client_id); VACUUM ANALYZE client_activity;"
run "4. as 3, kept by a row trigger:" "" "$NARROW
     CREATE FUNCTION keep_activity() RETURNS trigger LANGUAGE plpgsql AS \$f\$
     BEGIN
       UPDATE client_activity SET activity_key = coalesce(NEW.activity_time, '-infinity') WHERE client_id = NEW.client_id;
       RETURN NULL;
     END \$f\$;
     CREATE TRIGGER keep_activity AFTER UPDATE OF activity_time ON client_state FOR EACH ROW
       WHEN (OLD.activity_time IS DISTINCT FROM NEW.activity_time) EXECUTE FUNCTION keep_activity();"
"${PSQL[@]}" -d $DB -c "DROP TABLE client_activity" -c "DROP TRIGGER keep_activity ON client_state"
run "5. as 3, kept by a statement trigger:" "" "$NARROW
     CREATE FUNCTION keep_activities() RETURNS trigger LANGUAGE plpgsql AS \$f\$
     BEGIN
       UPDATE client_activity a SET activity_key = coalesce(n.activity_time, '-infinity')
         FROM new_rows n
        WHERE a.client_id = n.client_id AND a.activity_key IS DISTINCT FROM coalesce(n.activity_time, '-infinity');
       RETURN NULL;
     END \$f\$;
     CREATE TRIGGER keep_activities AFTER UPDATE ON client_state REFERENCING NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION keep_activities();"
"${PSQL[@]}" -d $DB -c "DROP TABLE client_activity" -c "DROP TRIGGER keep_activities ON client_state" \
    -c "ALTER TABLE client_state SET (fillfactor = 100)" \
    -c "CREATE INDEX client_state_activity_key_idx ON client_state ((coalesce(activity_time, '-infinity'::timestamptz)), client_id)"
run "6. V12 as migrated (client_activity kept by its triggers):" "" \
    "$(cat src/main/resources/db/migration/V12__activity_index_table.sql)"
"${PSQL[@]}" -d postgres -c "DROP DATABASE $DB"
