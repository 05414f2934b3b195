package dev.connmon.query;

import dev.connmon.state.ClientCalendar;
import dev.connmon.state.ClientState;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * What kind of test a list filter is, in each of the forms it takes: SQL conditions on client_state (the list, the
 * count), the same test on one state in memory (live streams, alert rules), and what two values of the filter
 * mean together (an alert rule's condition within its watched clients). One implementation per kind, so that the
 * forms cannot drift apart; {@code FilterModelTest} checks that SQL and memory agree on the real database.
 */
interface FilterKind {
    /** Adds the SQL conditions for {@code value} to {@code conditions}, their parameters to {@code params}. */
    void where(Object value, List<String> conditions, List<Object> params);

    /** The same test as {@link #where}, on one state. */
    boolean matches(Object value, ClientState state);

    /** The value that means both {@code a} and {@code b}; an error names {@code name} when nothing could match. */
    Object and(String name, Object a, Object b);

    /** The table besides client_state that {@link #where} reads ({@link StateSort.Field#table()}); null: none. */
    default String table() {
        return null;
    }

    /** Whether a client with this id can match, judged without its state (a deletion has none). */
    default boolean matchesId(Object value, String clientId) {
        return true;
    }

    /**
     * Whether the filter is on who the client is (its id and the Watson parts of it), never on its state: then
     * {@link #matchesId} is exact, and the filter holds for a client at every time alike (a maintenance window's or
     * an expectation's filter).
     */
    default boolean identity() {
        return false;
    }

    /** {@code column = value}, where the column is computed from the client id alone, as {@code value} is in memory. */
    static FilterKind equalById(String column, Function<String, Object> value) {
        FilterKind equal = equal(column, state -> value.apply(state.id()));
        return new FilterKind() {
            @Override
            public void where(Object v, List<String> conditions, List<Object> params) {
                equal.where(v, conditions, params);
            }

            @Override
            public boolean matches(Object v, ClientState state) {
                return matchesId(v, state.id());
            }

            @Override
            public boolean matchesId(Object v, String clientId) {
                return v.equals(value.apply(clientId));
            }

            @Override
            public boolean identity() {
                return true;
            }

            @Override
            public Object and(String name, Object a, Object b) {
                return equal.and(name, a, b);
            }
        };
    }

    /** {@code column = value}, and in memory the state's value of it. */
    static FilterKind equal(String column, Function<ClientState, Object> value) {
        return new FilterKind() {
            @Override
            public void where(Object v, List<String> conditions, List<Object> params) {
                params.add(v);
                conditions.add(column + " = $" + params.size());
            }

            @Override
            public boolean matches(Object v, ClientState state) {
                return v.equals(value.apply(state));
            }

            @Override
            public Object and(String name, Object a, Object b) {
                return same(name, a, b);
            }
        };
    }

    /** Two values of an equality: they must agree, else the pair could never match anything. */
    private static Object same(String name, Object a, Object b) {
        if (!a.equals(b)) {
            throw new IllegalArgumentException(name + " cannot be both " + a + " and " + b);
        }
        return a;
    }

    /** The time is after the value (exclusive); a client without that time never matches. */
    static FilterKind after(StateSort.Field time, Function<ClientState, String> value) {
        return new FilterKind() {
            @Override
            public String table() {
                return time.table();
            }

            @Override
            public void where(Object v, List<String> conditions, List<Object> params) {
                params.add(((Instant) v).atOffset(ZoneOffset.UTC));
                conditions.add(time.keyExpression() + " > $" + params.size());
            }

            @Override
            public boolean matches(Object v, ClientState state) {
                String t = value.apply(state);
                return t != null && Instant.parse(t).isAfter((Instant) v);
            }

            @Override
            public Object and(String name, Object a, Object b) {
                return ((Instant) a).isAfter((Instant) b) ? a : b;
            }
        };
    }

    /** The time is before the value (exclusive); a client without that time never matches. */
    static FilterKind before(StateSort.Field time, Function<ClientState, String> value) {
        return new FilterKind() {
            @Override
            public String table() {
                return time.table();
            }

            @Override
            public void where(Object v, List<String> conditions, List<Object> params) {
                params.add(((Instant) v).atOffset(ZoneOffset.UTC));
                conditions.add(time.keyExpression() + " < $" + params.size());
                // the index key of a missing time is -infinity, before everything
                conditions.add(time.keyExpression() + " > '-infinity'::timestamptz");
            }

            @Override
            public boolean matches(Object v, ClientState state) {
                String t = value.apply(state);
                return t != null && Instant.parse(t).isBefore((Instant) v);
            }

            @Override
            public Object and(String name, Object a, Object b) {
                return ((Instant) a).isBefore((Instant) b) ? a : b;
            }
        };
    }

    /** The client id starts with the value. */
    FilterKind ID_PREFIX = new FilterKind() {
        @Override
        public void where(Object v, List<String> conditions, List<Object> params) {
            params.add(StateListQuery.likePrefix((String) v));
            conditions.add("client_id LIKE $" + params.size());
        }

        @Override
        public boolean matches(Object v, ClientState state) {
            return matchesId(v, state.id());
        }

        @Override
        public boolean matchesId(Object v, String clientId) {
            return clientId.startsWith((String) v);
        }

        @Override
        public boolean identity() {
            return true;
        }

        @Override
        public Object and(String name, Object a, Object b) {
            String x = (String) a;
            String y = (String) b;
            if (!x.startsWith(y) && !y.startsWith(x)) {
                throw new IllegalArgumentException(name + " cannot be both " + x + " and " + y);
            }
            return x.length() >= y.length() ? x : y;
        }
    };

    /** Flapping now, or not (FlappingRule: while the episode's end is in the future). */
    FilterKind FLAPPING = new FilterKind() {
        @Override
        public void where(Object v, List<String> conditions, List<Object> params) {
            conditions.add(
                    (Boolean) v ? "flapping_until > now()" : "(flapping_until IS NULL OR flapping_until <= now())");
        }

        @Override
        public boolean matches(Object v, ClientState state) {
            return Objects.equals(v, state.flapping());
        }

        @Override
        public Object and(String name, Object a, Object b) {
            return same(name, a, b);
        }
    };

    /** In a maintenance window now, or not: the OR of the windows in force, each its filter's conditions in SQL. */
    FilterKind IN_MAINTENANCE = new FilterKind() {
        @Override
        public void where(Object v, List<String> conditions, List<Object> params) {
            List<String> windows = new ArrayList<>();
            for (ClientCalendar.Window w : ClientCalendar.active(Instant.now())) {
                windows.add(w.where().sql(params));
            }
            if (windows.isEmpty()) {
                // none in force: nobody is in maintenance, and "not in maintenance" is no condition at all
                if ((Boolean) v) {
                    conditions.add("FALSE");
                }
                return;
            }
            String any = "(" + String.join(" OR ", windows) + ")";
            conditions.add((Boolean) v ? any : any + " IS NOT TRUE");
        }

        @Override
        public boolean matches(Object v, ClientState state) {
            return Objects.equals(v, state.inMaintenance());
        }

        @Override
        public Object and(String name, Object a, Object b) {
            return same(name, a, b);
        }
    };

    /**
     * Overdue, or not: disconnected, named by an expectation, and not asleep under any that names it (its last
     * disconnect longer ago than that expectation's every + grace). The disconnect's index key, as the list's.
     */
    FilterKind OVERDUE = new FilterKind() {
        @Override
        public void where(Object v, List<String> conditions, List<Object> params) {
            List<ClientCalendar.Expectation> expectations = ClientCalendar.expectations();
            String overdue;
            if (expectations.isEmpty()) {
                if ((Boolean) v) {
                    conditions.add("FALSE");
                }
                return;
            } else {
                Instant now = Instant.now();
                String key = StateSort.Field.LAST_DISCONNECT_TIME.keyExpression();
                List<String> named = new ArrayList<>();
                List<String> awake = new ArrayList<>();
                Duration shortest = null;
                for (ClientCalendar.Expectation e : expectations) {
                    String matches = e.where().sql(params);
                    named.add(matches);
                    params.add(now.minus(e.within()).atOffset(ZoneOffset.UTC));
                    awake.add("(" + matches + " AND " + key + " > $" + params.size() + ") IS NOT TRUE");
                    shortest = shortest == null || e.within().compareTo(shortest) < 0 ? e.within() : shortest;
                }
                // what every overdue client meets, as a range of the disconnect time's index: a disconnect (none is
                // -infinity), at least the shortest sleep ago
                params.add(now.minus(shortest).atOffset(ZoneOffset.UTC));
                overdue = "(connection_status = 'disconnected' AND " + key + " > '-infinity'::timestamptz AND " + key
                        + " <= $" + params.size() + " AND (" + String.join(" OR ", named) + ") AND "
                        + String.join(" AND ", awake) + ")";
            }
            conditions.add((Boolean) v ? overdue : overdue + " IS NOT TRUE");
        }

        @Override
        public boolean matches(Object v, ClientState state) {
            return Objects.equals(v, state.overdue());
        }

        @Override
        public Object and(String name, Object a, Object b) {
            return same(name, a, b);
        }
    };
}
