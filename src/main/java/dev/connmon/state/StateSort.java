package dev.connmon.state;

/** The orders a state list can take; time orders put clients without that time first (ascending). */
public record StateSort(Field field, boolean descending) {

    /** A sortable field: its API name and the SQL expression its index is built on. */
    public enum Field {
        ID("id", null),
        LAST_CONNECT_TIME("lastConnectTime", "coalesce(connect_time, '-infinity'::timestamptz)"),
        LAST_DISCONNECT_TIME("lastDisconnectTime", "coalesce(disconnect_time, '-infinity'::timestamptz)"),
        LAST_ACTIVITY_TIME("lastActivityTime", "coalesce(activity_time, '-infinity'::timestamptz)");

        private final String apiName;
        private final String keyExpression;

        Field(String apiName, String keyExpression) {
            this.apiName = apiName;
            this.keyExpression = keyExpression;
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
