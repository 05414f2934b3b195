package dev.connmon.state;

import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.Instants;
import dev.connmon.lifecycle.ReasonCodes;
import io.vertx.mutiny.sqlclient.Row;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;

/**
 * How a {@link ClientState} is read from {@code client_state}'s columns, in one place for every reader: the list
 * and lookup queries, the change feed (whose rows carry a state after their own columns) and the alert scans.
 */
public final class ClientStateRows {
    /** The columns every state query selects, in this order. */
    public static final String COLUMNS = """
            client_id, client_type, connection_status, connect_time, disconnect_time, activity_event, activity_time,
            protocol_version, disconnect_initiator, disconnect_reason_code, disconnect_reason, ip_address,
            username, node, unconfirmed_since, flapping_until, flapping_since""";

    private ClientStateRows() {}

    /** Each column's position in {@link #COLUMNS}: a change row is read by position, the client's name lookup was 4 %. */
    private static final List<String> NAMES =
            Arrays.stream(COLUMNS.split(",")).map(String::strip).toList();

    private static final int CLIENT_ID = position("client_id");
    private static final int CLIENT_TYPE = position("client_type");
    private static final int CONNECTION_STATUS = position("connection_status");
    private static final int CONNECT_TIME = position("connect_time");
    private static final int DISCONNECT_TIME = position("disconnect_time");
    private static final int ACTIVITY_EVENT = position("activity_event");
    private static final int ACTIVITY_TIME = position("activity_time");
    private static final int PROTOCOL_VERSION = position("protocol_version");
    private static final int DISCONNECT_INITIATOR = position("disconnect_initiator");
    private static final int DISCONNECT_REASON_CODE = position("disconnect_reason_code");
    private static final int DISCONNECT_REASON = position("disconnect_reason");
    private static final int IP_ADDRESS = position("ip_address");
    private static final int USERNAME = position("username");
    private static final int NODE = position("node");
    private static final int UNCONFIRMED_SINCE = position("unconfirmed_since");
    private static final int FLAPPING_UNTIL = position("flapping_until");
    private static final int FLAPPING_SINCE = position("flapping_since");

    /** How many columns {@link #COLUMNS} selects: a query's own columns after them start here. */
    public static final int COLUMN_COUNT = NAMES.size();

    private static int position(String column) {
        int at = NAMES.indexOf(column);
        if (at < 0) {
            throw new IllegalStateException(column + " is not one of ClientStateRows.COLUMNS");
        }
        return at;
    }

    /** A state from a row that selects {@link #COLUMNS} first. */
    public static ClientState toState(Row row) {
        return toState(row, 0);
    }

    /** A state from a row that selects {@link #COLUMNS} from position {@code first} on. */
    public static ClientState toState(Row row, int first) {
        Integer code = row.getInteger(first + DISCONNECT_REASON_CODE);
        String reason = row.getString(first + DISCONNECT_REASON);
        // flapping ends by the passage of time alone (FlappingRule): judged now, whenever the row was written
        OffsetDateTime flappingUntil = row.getOffsetDateTime(first + FLAPPING_UNTIL);
        Instant now = Instant.now();
        boolean flapping = flappingUntil != null && flappingUntil.toInstant().isAfter(now);
        String clientId = row.getString(first + CLIENT_ID);
        boolean disconnected = "disconnected".equals(row.getString(first + CONNECTION_STATUS));
        OffsetDateTime disconnect = row.getOffsetDateTime(first + DISCONNECT_TIME);
        // the planned absences are judged now, as flapping is: a window or a sleep ends by time alone
        Instant due = disconnected
                ? ClientCalendar.dueBy(clientId, disconnect == null ? null : disconnect.toInstant())
                : null;
        return new ClientState(
                clientId,
                row.getString(first + CLIENT_TYPE),
                row.getString(first + CONNECTION_STATUS),
                time(row, first + CONNECT_TIME),
                time(row, first + DISCONNECT_TIME),
                row.getString(first + ACTIVITY_EVENT),
                time(row, first + ACTIVITY_TIME),
                row.getString(first + PROTOCOL_VERSION),
                row.getString(first + DISCONNECT_INITIATOR),
                code,
                reason != null ? reason : ReasonCodes.describe(EventType.DISCONNECTED, code, null),
                row.getString(first + IP_ADDRESS),
                row.getString(first + USERNAME),
                row.getString(first + NODE),
                time(row, first + UNCONFIRMED_SINCE),
                flapping,
                flapping ? time(row, first + FLAPPING_SINCE) : null,
                ClientCalendar.inMaintenance(clientId, now),
                due != null && due.isAfter(now),
                due != null && !due.isAfter(now));
    }

    private static String time(Row row, int column) {
        OffsetDateTime value = row.getOffsetDateTime(column);
        return value == null ? null : Instants.format(value.toInstant());
    }
}
