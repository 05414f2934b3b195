package dev.connmon.state;

import static dev.connmon.state.ArrayColumns.bool;
import static dev.connmon.state.ArrayColumns.integer;
import static dev.connmon.state.ArrayColumns.smallint;
import static dev.connmon.state.ArrayColumns.text;
import static dev.connmon.state.ArrayColumns.time;

import dev.connmon.lifecycle.LifecycleEvent;
import dev.connmon.state.ArrayColumns.Column;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * What a client's state keeps of its events: the newest connect, the newest disconnect and the newest activity,
 * each with its columns. "Newest" is a total order over an event's columns, so that the winner never depends on
 * which event arrived first; it is defined once here and decides in both places that choose: the fold of a batch
 * in Java ({@link ClientDelta}) and the upsert of the batch in SQL ({@link BatchStatement}), so that folding first
 * and merging after gives what applying every event one by one would.
 */
public final class Newest {
    /**
     * PostgreSQL's "C" collation: UTF-8 byte order, which is code point order. {@link String#compareTo} is UTF-16
     * order, which differs for characters past U+FFFF against U+E000..U+FFFF. Text keys compare in it, in SQL too.
     */
    public static final Comparator<String> C_ORDER = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    };

    /**
     * Time, connection id, then every other connect column, nulls first: connects of one millisecond and one
     * connection id (a source without connection ids; a takeover within a millisecond) are ordered too.
     */
    static final Newest CONNECT = new Newest(
            d -> d.connect,
            List.of(
                    time("connect_time", LifecycleEvent::time),
                    text("connect_connection_id", LifecycleEvent::connectionId),
                    text("protocol_version", LifecycleEvent::protocolVersion),
                    text("ip_address", LifecycleEvent::ipAddress),
                    integer("port", LifecycleEvent::port),
                    text("username", LifecycleEvent::username),
                    text("node", LifecycleEvent::node),
                    integer("keep_alive", LifecycleEvent::keepAlive),
                    bool("clean_start", LifecycleEvent::cleanStart),
                    text("source", LifecycleEvent::source)),
            List.of(
                    key("connect_time"),
                    key("connect_connection_id", ""),
                    nullsFirst("ip_address"),
                    nullsFirst("port"),
                    nullsFirst("username"),
                    nullsFirst("protocol_version"),
                    nullsFirst("node"),
                    nullsFirst("keep_alive"),
                    nullsFirst("clean_start"),
                    nullsFirst("source")));

    static final Newest DISCONNECT = new Newest(
            d -> d.disconnect,
            List.of(
                    time("disconnect_time", LifecycleEvent::time),
                    text("disconnect_connection_id", LifecycleEvent::connectionId),
                    text(
                            "disconnect_initiator",
                            e -> e.initiator() == null ? null : e.initiator().wireName()),
                    integer("disconnect_reason_code", LifecycleEvent::reasonCode),
                    text("disconnect_reason", LifecycleEvent::reason)),
            List.of(
                    key("disconnect_time"),
                    key("disconnect_connection_id", ""),
                    key("disconnect_initiator", ""),
                    key("disconnect_reason_code", -1),
                    key("disconnect_reason", "")));

    /** At one time, the higher rank wins (EventType#activityRank: a disconnect is newer than a publish). */
    static final Newest ACTIVITY = new Newest(
            d -> d.activity,
            List.of(
                    time("activity_time", LifecycleEvent::time),
                    text("activity_event", e -> e.type().activityName()),
                    smallint("activity_rank", e -> (short) e.type().activityRank())),
            List.of(key("activity_time"), key("activity_rank")));

    /** How one key of an order is taken: a column, and how it compares a missing value. */
    private record KeySpec(String column, boolean nullsFirst, Object orElse) {}

    /** A column that is never null where the order is used (the time; the rank, which comes with it). */
    private static KeySpec key(String column) {
        return new KeySpec(column, false, null);
    }

    /** A column whose missing value compares as {@code orElse}. */
    private static KeySpec key(String column, Object orElse) {
        return new KeySpec(column, false, orElse);
    }

    /** A column whose missing value compares before every value. */
    private static KeySpec nullsFirst(String column) {
        return new KeySpec(column, true, null);
    }

    private final Function<ClientDelta, LifecycleEvent> event;
    private final List<Column<LifecycleEvent>> columns;
    private final List<String> keys = new ArrayList<>();
    private Comparator<LifecycleEvent> order;

    private Newest(
            Function<ClientDelta, LifecycleEvent> event, List<Column<LifecycleEvent>> columns, List<KeySpec> keys) {
        this.event = event;
        this.columns = columns;
        for (KeySpec spec : keys) {
            Column<LifecycleEvent> column = columns.stream()
                    .filter(c -> c.name().equals(spec.column()))
                    .findFirst()
                    .orElseThrow();
            add(spec, column);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void add(KeySpec spec, Column<LifecycleEvent> column) {
        boolean text = column.type() == ArrayColumns.Type.TEXT;
        Comparator<Object> values = text ? (Comparator) C_ORDER : (Comparator) Comparator.naturalOrder();
        String collate = text ? " COLLATE \"C\"" : "";
        String value = "%1$s." + column.name();
        Comparator<LifecycleEvent> java;
        if (spec.nullsFirst()) {
            String none = text ? "''" : column.type() == ArrayColumns.Type.BOOLEAN ? "false" : "0";
            keys.add(value + " IS NOT NULL, coalesce(" + value + ", " + none + ")" + collate);
            java = Comparator.comparing(e -> column.value().apply(e), Comparator.nullsFirst(values));
        } else if (spec.orElse() != null) {
            Object orElse = spec.orElse();
            String literal = orElse instanceof String s ? "'" + s + "'" : orElse.toString();
            keys.add("coalesce(" + value + ", " + literal + ")" + collate);
            java = Comparator.comparing(
                    e -> Objects.requireNonNullElse(column.value().apply(e), orElse), values);
        } else {
            keys.add(value + collate);
            java = Comparator.comparing(e -> column.value().apply(e), values);
        }
        order = order == null ? java : order.thenComparing(java);
    }

    /** The order of events (the later is the newer). */
    Comparator<LifecycleEvent> order() {
        return order;
    }

    /** The state columns this event sets, with their values in an event. */
    List<Column<LifecycleEvent>> columns() {
        return columns;
    }

    /** The same columns as the batch's deltas carry them: NULL for a client without such an event in the batch. */
    List<Column<ClientDelta>> ofDeltas() {
        return columns.stream().map(c -> c.<ClientDelta>of(event)).toList();
    }

    /**
     * SQL: the incoming row {@code EXCLUDED} has such an event and it is newer than the stored row {@code s}'s, as
     * {@link #order()} decides it.
     */
    String newer() {
        String time = columns.get(0).name();
        return "(EXCLUDED." + time + " IS NOT NULL AND (s." + time + " IS NULL\n  OR (" + keys("EXCLUDED") + ")\n   > ("
                + keys("s") + ")))";
    }

    private String keys(String row) {
        return String.join(", ", keys).formatted(row);
    }
}
