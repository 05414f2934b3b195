#!/usr/bin/env bash
# What V12 (client_activity) costs a reconnect storm of new clients, server-side: 200 batches of 500 new
# clients inserted into client_state (connect and activity columns, ON CONFLICT as the ingest statement), one
# transaction each, on the schema before V12; with V12; with V12's tables but client_activity written by an explicit
# statement instead of its triggers; with V12 at fillfactor 100. Prints inserts/s and WAL bytes per insert.
# Usage: src/test/sql/reconnect-write-variants.sh [psql connection options, default -h 127.0.0.1 -U postgres]
set -euo pipefail
cd "$(dirname "$0")/../../.."
if [ $# -eq 0 ]; then set -- -h 127.0.0.1 -U postgres; fi
PSQL=(psql -X -q -v ON_ERROR_STOP=1 "$@")
DB=connmon_rx
mk() { # $1: max version (list)
"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" 2>/dev/null
for f in $(ls src/main/resources/db/migration/V*.sql | python3 -c '
import re, sys
files = sys.stdin.read().split()
key = lambda f: [int(p) for p in re.match(r".*/V([0-9_]+)__", f).group(1).split("_")]
print("\n".join(f for f in sorted(files, key=key) if key(f) < ['$1']))'); do "${PSQL[@]}" -d $DB -f "$f" >/dev/null; done
}
run() { # $1 name $2 extra per batch
"${PSQL[@]}" -d $DB -At -F ' ' <<SQL
CHECKPOINT;
CREATE TEMP TABLE m AS SELECT pg_current_wal_lsn() AS lsn, clock_timestamp() AS t;
DO \$\$
DECLARE ids text[]; ts timestamptz[];
BEGIN
  FOR b IN 0..199 LOOP
    SELECT array_agg('dev-' || lpad(i::text, 7, '0') ORDER BY 1), array_agg(now() + i * interval '1 ms')
      INTO ids, ts FROM generate_series(b * 500 + 1, b * 500 + 500) i;
    INSERT INTO client_state AS s (client_id, connect_time, connect_connection_id, protocol_version, ip_address, node,
                                   activity_time, activity_event, activity_rank, source)
    SELECT u.id, u.t, 'c-' || u.id, '5.0', '10.0.0.1', 'n1', u.t, 'mqttConnect', 1, 'default'
      FROM unnest(ids, ts) u(id, t)
    ON CONFLICT (client_id) DO UPDATE SET connect_time = EXCLUDED.connect_time, activity_time = EXCLUDED.activity_time;
    $2
    COMMIT;
  END LOOP;
END \$\$;
SELECT '$1', round(100000 / extract(epoch FROM clock_timestamp() - t)) || ' inserts/s',
       round(pg_wal_lsn_diff(pg_current_wal_lsn(), lsn) / 100000) || ' WAL B/insert' FROM m;
SQL
}
mk 12; run "pre-V12:" ""
mk 13; run "V12 (triggers):" ""
mk 13; "${PSQL[@]}" -d $DB -c "DROP TRIGGER client_activity_inserted ON client_state" -c "DROP TRIGGER client_activity_updated ON client_state"
run "V12 tables, explicit insert, no trigger:" "INSERT INTO client_activity SELECT u.id, u.t FROM unnest(ids, ts) u(id, t) ON CONFLICT (client_id) DO UPDATE SET activity_key = EXCLUDED.activity_key;"
mk 13; "${PSQL[@]}" -d $DB -c "ALTER TABLE client_state SET (fillfactor = 100)"; run "V12, fillfactor 100:" ""
"${PSQL[@]}" -d postgres -c "DROP DATABASE $DB"
