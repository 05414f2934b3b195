package dev.connmon.lifecycle.dialect;

import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.Initiator;
import dev.connmon.lifecycle.LifecycleEvent;
import dev.connmon.lifecycle.Mqtt5ConnAckReasonCode;
import dev.connmon.lifecycle.Mqtt5DisconnectReasonCode;
import dev.connmon.lifecycle.ReasonCodes;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Mosquitto 2.x broker log lines on {@code $SYS/broker/log/#} ({@code log_dest topic}).
 * Its limits, handled as follows:
 * <ul>
 * <li>Times are whole seconds. Each connection gets an id from its address, port and second, remembered per source
 * and client id until its end, so that a takeover and the new connect in the same second stay apart.</li>
 * <li>A client's DISCONNECT carries no reason code in the log (0x00 and 0x04 read the same): reason code absent.</li>
 * <li>Authentication and protocol failures before CONNECT name no client: counted
 * ({@code connmon_mosquitto_unattributed_total}), not stored.</li>
 * <li>A takeover has no disconnect line of its own: the {@code already connected} line ends the old connection.</li>
 * <li>Client ids may hold spaces, parentheses and the text of other lines: where an id ends is read as docs/api.md §1
 * says. A connect line's id ends at its last {@code (p…, c…, k…} group; an end line is read the way that gives the
 * longest id ({@link ClientLine}); an activity line is given to a client only when one reading is beyond doubt
 * ({@link ActivityLine}), else counted ({@code kind="ambiguous"}).</li>
 * <li>Other text from the line (address, user name, reasons, filters) is stored as JSON text is
 * ({@link JsonFields#sanitize}): a U+0000 in it would make PostgreSQL refuse the whole batch.</li>
 * </ul>
 */
@Singleton
public class MosquittoDialect extends BrokerDialect {
    public static final String NAME = "mosquitto";
    static final String ANCHOR = "$SYS/broker/log/";
    private static final String UNKNOWN = "<unknown>";
    /**
     * Mosquitto cuts every log line at its format's length + 500 bytes (log__vprintf), so no real line comes near
     * this. Longer payloads are refused before any pattern runs: the anchored patterns backtrack over every
     * candidate split, and a crafted 64 KiB line would hold the pipeline for minutes.
     */
    static final int MAX_LINE_BYTES = 4096;

    private static final Pattern EPOCH = Pattern.compile("^(\\d+): (.*)$", Pattern.DOTALL);
    private static final Pattern ISO =
            Pattern.compile("^(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d): (.*)$", Pattern.DOTALL);
    private static final Pattern CONNECTED = Pattern.compile(
            "^New (?:client|bridge) connected from (\\S+):(\\d+) as (.*) \\(p(\\d+), c([01]), k(\\d+)(?:, u'(.*)')?\\)\\.$");
    private static final Pattern SOCKET = Pattern.compile("^Bad socket read/write on client (.*): (.+)$");
    private static final Pattern INVALID_PROTOCOL =
            Pattern.compile("^Invalid protocol (?:version \\d+|\".*\") in CONNECT from .+\\.$");
    private static final Pattern TERMINATING = Pattern.compile("^mosquitto version (\\S+) terminating$");

    /** Server-side ends by the words after "disconnected due to". */
    static final Map<String, Integer> DUE_TO_CODES = Map.of(
            "protocol error", Mqtt5DisconnectReasonCode.PROTOCOL_ERROR.code(),
            "malformed packet", Mqtt5DisconnectReasonCode.MALFORMED_PACKET.code(),
            "oversize packet", Mqtt5DisconnectReasonCode.PACKET_TOO_LARGE.code(),
            "oversize payload", Mqtt5DisconnectReasonCode.PACKET_TOO_LARGE.code(),
            "QoS too high or retain not supported", Mqtt5DisconnectReasonCode.QOS_NOT_SUPPORTED.code(),
            "out of memory", Mqtt5DisconnectReasonCode.QUOTA_EXCEEDED.code());

    private final OpenConnections openConnections = new OpenConnections();
    /** Per source: whether its broker's lines start with a timestamp. */
    private final Map<String, Boolean> stamped = new ConcurrentHashMap<>();

    private final MeterRegistry metrics;

    MosquittoDialect(MeterRegistry metrics) {
        super(NAME, ANCHOR);
        this.metrics = metrics;
    }

    @Override
    public List<LifecycleEvent> decode(String topic, byte[] payload) throws DecodeException {
        return decode("", topic, payload);
    }

    @Override
    public List<LifecycleEvent> decode(String source, String topic, byte[] payload) throws DecodeException {
        if (payload.length > MAX_LINE_BYTES) {
            throw new DecodeException("log line of " + payload.length + " bytes is longer than any Mosquitto writes ("
                    + MAX_LINE_BYTES + ")");
        }
        int anchor = topic.indexOf(ANCHOR);
        if (anchor < 0) {
            throw new DecodeException("topic has no " + ANCHOR + " level");
        }
        String level = topic.substring(anchor + ANCHOR.length());
        boolean activity = level.equals("M/subscribe") || level.equals("M/unsubscribe");
        String line = withoutLineBreak(new String(payload, StandardCharsets.UTF_8));
        Instant time = Instant.now();
        // An activity line starts with the client's id, and an id may look like a timestamp ("1795674236: dev-1"):
        // the prefix is taken off it only when the broker is known to stamp its lines (log_timestamp), which the
        // lines that start with Mosquitto's own words tell.
        Boolean stamps = stamped.get(source);
        if (!activity || stamps == null || stamps) {
            boolean found = true;
            Matcher prefix = EPOCH.matcher(line);
            if (prefix.matches()) {
                time = MosquittoFields.epochSeconds(prefix.group(1));
                line = prefix.group(2);
            } else if ((prefix = ISO.matcher(line)).matches()) {
                try {
                    // strftime on the broker's local time, without a zone: read as UTC (run the broker in UTC)
                    time = LocalDateTime.parse(prefix.group(1)).toInstant(ZoneOffset.UTC);
                } catch (DateTimeParseException e) {
                    throw new DecodeException("log timestamp is not a time: " + prefix.group(1));
                }
                line = prefix.group(2);
            } else {
                found = false;
            }
            if (!activity && (stamps == null || stamps != found)) {
                stamped.put(source, found);
            }
        }
        return switch (level) {
            case "M/subscribe" -> activity(source, EventType.SUBSCRIBED, line, true, time);
            case "M/unsubscribe" -> activity(source, EventType.UNSUBSCRIBED, line, false, time);
            default -> lifecycle(source, line, time);
        };
    }

    private List<LifecycleEvent> lifecycle(String source, String line, Instant time) throws DecodeException {
        Matcher m;
        if (line.startsWith("New ") && (m = CONNECTED.matcher(line)).matches()) {
            return connected(source, m, time);
        }
        ClientLine.Reading client = ClientLine.read(line);
        if (client != null) {
            return clientLine(source, client, time);
        }
        if (line.startsWith("Bad socket read/write on client ") && (m = SOCKET.matcher(line)).matches()) {
            return ended(
                    source,
                    m.group(1),
                    time,
                    Initiator.NETWORK,
                    null,
                    "Bad socket read/write: " + JsonFields.sanitize(m.group(2)));
        }
        if (line.startsWith("mosquitto version ") && TERMINATING.matcher(line).matches()) {
            // no per-client lines follow: every client of this broker is disconnected (server, 0x8B)
            openConnections.brokerStopped(source);
            return List.of(LifecycleEvent.builder(EventType.BROKER_STOPPED, "", time)
                    .dialect(NAME)
                    .build());
        }
        if (line.startsWith("Invalid protocol ")
                && INVALID_PROTOCOL.matcher(line).matches()) {
            return unattributed("invalid_protocol");
        }
        // every other line (listeners, config, session expiry, annotations) carries no lifecycle event
        return List.of();
    }

    /** The id is everything between " as " and the last "(p…, c…, k…" group that ends the line (greedy). */
    private List<LifecycleEvent> connected(String source, Matcher m, Instant time) throws DecodeException {
        String clientId = JsonFields.clientId(m.group(3));
        String address = JsonFields.sanitize(m.group(1));
        String connectionId = "mosquitto:" + address + ":" + m.group(2) + "@" + time.getEpochSecond();
        openConnections.opened(source, clientId, connectionId);
        return List.of(LifecycleEvent.builder(EventType.CONNECTED, clientId, time)
                .connectionId(connectionId)
                .ipAddress(address)
                .port(MosquittoFields.port(m.group(2)))
                .protocolVersion(MosquittoFields.protocol(m.group(4)))
                .cleanStart("1".equals(m.group(5)))
                .keepAlive(MosquittoFields.keepAlive(m.group(6)))
                .username(m.group(7) == null ? null : JsonFields.sanitize(m.group(7)))
                .dialect(NAME)
                .build());
    }

    private List<LifecycleEvent> clientLine(String source, ClientLine.Reading line, Instant time)
            throws DecodeException {
        String id = line.clientId();
        boolean unknown = UNKNOWN.equals(id);
        return switch (line.kind()) {
            case TAKEOVER ->
                ended(source, id, time, Initiator.SERVER, Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER.code(), null);
            case TIMEOUT ->
                ended(source, id, time, Initiator.SERVER, Mqtt5DisconnectReasonCode.KEEP_ALIVE_TIMEOUT.code(), null);
            case ADMINISTRATIVE ->
                ended(source, id, time, Initiator.SERVER, Mqtt5DisconnectReasonCode.ADMINISTRATIVE_ACTION.code(), null);
            case NOT_AUTHORISED ->
                unknown
                        ? unattributed("not_authorised")
                        : List.of(LifecycleEvent.builder(EventType.CONNECT_FAILED, JsonFields.clientId(id), time)
                                .reasonCode(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED.code())
                                .reason(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED.text())
                                .dialect(NAME)
                                .build());
            case DUE_TO -> {
                if (unknown) {
                    yield unattributed("protocol_error");
                }
                Integer code = DUE_TO_CODES.get(line.detail());
                yield ended(
                        source,
                        id,
                        time,
                        Initiator.SERVER,
                        code == null ? Mqtt5DisconnectReasonCode.UNSPECIFIED_ERROR.code() : code,
                        code == null ? JsonFields.sanitize(line.detail()) : null);
            }
            case CLOSED -> unknown ? List.of() : ended(source, id, time, Initiator.NETWORK, null, "Connection closed");
            case ERRNO ->
                ended(
                        source,
                        id,
                        time,
                        Initiator.NETWORK,
                        null,
                        "Connection lost: " + JsonFields.sanitize(line.detail()));
            case CLEAN -> unknown ? List.of() : ended(source, id, time, Initiator.CLIENT, null, "Client disconnected");
        };
    }

    private List<LifecycleEvent> ended(
            String source, String rawClientId, Instant time, Initiator initiator, Integer code, String reason)
            throws DecodeException {
        String clientId = JsonFields.clientId(rawClientId);
        String connectionId = openConnections.ended(source, clientId);
        return List.of(LifecycleEvent.builder(EventType.DISCONNECTED, clientId, time)
                .connectionId(connectionId)
                .initiator(initiator)
                .reasonCode(code)
                .reason(reason != null ? reason : ReasonCodes.disconnectReason(code))
                .dialect(NAME)
                .build());
    }

    private List<LifecycleEvent> activity(String source, EventType type, String line, boolean withQos, Instant time)
            throws DecodeException {
        ActivityLine.Reading reading = ActivityLine.read(line, withQos, id -> openConnections.isOpen(source, id));
        if (reading == null) {
            throw new DecodeException("not a Mosquitto " + type.wireName() + " line");
        }
        if (reading == ActivityLine.AMBIGUOUS) {
            return unattributed("ambiguous");
        }
        return List.of(LifecycleEvent.builder(type, JsonFields.clientId(reading.clientId()), time)
                .topic(JsonFields.sanitize(reading.filter()))
                .dialect(NAME)
                .build());
    }

    private List<LifecycleEvent> unattributed(String kind) {
        metrics.counter("connmon.mosquitto.unattributed", "kind", kind).increment();
        return List.of();
    }

    /**
     * Mosquitto publishes the line without a line break; nothing else is trimmed: a leading space belongs to the id
     * of an activity line (with {@code log_timestamp false}), a trailing one to its filter.
     */
    private static String withoutLineBreak(String line) {
        int end = line.length();
        while (end > 0 && (line.charAt(end - 1) == '\n' || line.charAt(end - 1) == '\r')) {
            end--;
        }
        return line.substring(0, end);
    }
}
