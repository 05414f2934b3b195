package dev.connmon.query;

/** The orders a state list can take; time orders put clients without that time first (ascending). */
public record StateSort(Field field, boolean descending) {

    /**
     * A sortable field: its API name, the SQL expression its index is built on and the table that index is on, when
     * it is not client_state. The activity time's index is on client_activity (V12): an index on client_state's
     * activity time would make every activity update write a new entry into each of client_state's indexes.
     */
    public enum Field {
        ID("id", null, null),
        LAST_CONNECT_TIME("lastConnectTime", "coalesce(connect_time, '-infinity'::timestamptz)", null),
        LAST_DISCONNECT_TIME("lastDisconnectTime", "coalesce(disconnect_time, '-infinity'::timestamptz)", null),
        LAST_ACTIVITY_TIME("lastActivityTime", "activity_key", "client_activity");

        private final String apiName;
        private final String keyExpression;
        private final String table;

        Field(String apiName, String keyExpression, String table) {
            this.apiName = apiName;
            this.keyExpression = keyExpression;
            this.table = table;
        }

        /** The table, joined to client_state by client id, that holds {@link #keyExpression}; null: client_state. */
        String table() {
            return table;
        }

        public String apiName() {
            return apiName;
        }

        String keyExpression() {
            return keyExpression;
        }

        public static Field fromApiName(String name) {
            for (Field field : values()) {
                if (field.apiName.equals(name)) {
                    return field;
                }
            }
            return null;
        }
    }

    public static final StateSort BY_ID = new StateSort(Field.ID, false);

    /** The API form: {@code id}, {@code -lastActivityTime}, … */
    public String apiName() {
        return (descending ? "-" : "") + field.apiName();
    }
}
