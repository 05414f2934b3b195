package dev.connmon.state;

import dev.connmon.state.OrderIndependenceTest.Wire;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random client lives (connects, activity, disconnects of every kind a dialect can tell, takeovers, failed attempts)
 * and their rendering as each dialect's wire messages, for {@link OrderIndependenceTest}. A life is drawn once and
 * rendered for every variant's client id, so that the variants differ only in id and in arrival order.
 */
final class Histories {
    private Histories() {}

    enum Kind {
        CONNECT,
        DISCONNECT,
        TAKEOVER,
        FAILED,
        PUBLISH,
        SUBSCRIBE,
        UNSUBSCRIBE
    }

    /** One connection's attributes; {@code t} is its connect time (epoch ms). */
    record Conn(int number, long t, String ip, int port, int proto, int keepAlive, boolean clean, String user) {}

    /** One step of a life: {@code choice} picks the reason (or the activity topic), {@code style} the wire form. */
    record Step(Kind kind, long t, Conn conn, int choice, int style) {}

    /** A life, with the per-life choices that a dialect's messages carry throughout. */
    record Life(List<Step> steps, boolean withIds, boolean device, String session) {}

    static final String[] CONNMON_INITIATORS = {
        "client", "client", "server", "server", "server", "network", "network", null, "server", "client", "server"
    };
    static final Integer[] CONNMON_CODES = {0, 4, 0x8D, 0x98, 0x8B, null, null, null, 0x80, 0x80, 0x87};
    static final String[] CONNMON_REASONS = {
        null, null, null, "kicked", null, null, "Connection reset", null, "Unspecified error", null, null
    };
    static final String[] EMQX_REASONS = {
        "normal",
        "kicked",
        "keepalive_timeout",
        "idle_timeout",
        "takenover",
        "discarded",
        "not_authorized",
        "banned",
        "malformed_packet",
        "zero_remaining_len",
        "unexpected_packet",
        "invalid_proto_name",
        "invalid_topic",
        "bad_username_or_password",
        "client_identifier_not_valid",
        "internal_error",
        "tcp_closed",
        "sock_closed",
        "closed",
        "einval",
        "ssl_closed",
        "ssl_error",
        "ssl_upgrade_timeout",
        "something_new",
        null
    };
    static final String[] AWS_REASONS = {
        "CLIENT_INITIATED_DISCONNECT",
        "AUTH_ERROR",
        "FORBIDDEN_ACCESS",
        "CLIENT_ERROR",
        "CONNECTION_LOST",
        "DUPLICATE_CLIENTID",
        "MQTT_KEEP_ALIVE_TIMEOUT",
        "SERVER_ERROR",
        "SERVER_INITIATED_DISCONNECT",
        "API_INITIATED_DISCONNECT",
        "THROTTLED",
        "WEBSOCKET_TTL_EXPIRATION",
        "CUSTOMAUTH_TTL_EXPIRATION",
        "UNKNOWN",
        "NONE",
        "SOMETHING_NEW",
        null
    };
    static final String[] AWS_FAILURES = {"AUTHORIZATION_FAILED", "AUTHENTICATION_FAILED", "THROTTLED"};
    static final String[] WATSON_REASONS = {
        "The connection has completed normally.",
        null,
        "The client has been disconnected because the same client ID was used.",
        "Keep alive timeout.",
        "The connection was closed by the server.",
        "Connection lost.",
        "Completed normally by the client"
    };
    static final String[] WATSON_PROTOCOLS = {"mqtt-tcp", "mqtt4", "mqtt4-ws", "mqtt5"};
    static final int[] NANOMQ_CODES = {0x00, 0x04, 0x8B, 0x8D, 0x80, 0x87, 0x98, 0x81, 0x82, 0x95, 0x9C};
    static final int[] CONNACK_FAILURES = {0x86, 0x87, 0x85, 0x8A, 0x88, 4, 5};
    static final String[] MOSQUITTO_ENDS = {
        "Client %s disconnected.",
        "Client %s closed its connection.",
        "Client %s has exceeded timeout, disconnecting.",
        "Client %s disconnected due to protocol error.",
        "Client %s disconnected due to malformed packet.",
        "Client %s disconnected due to oversize packet.",
        "Client %s disconnected due to oversize payload.",
        "Client %s disconnected due to QoS too high or retain not supported.",
        "Client %s disconnected due to out of memory.",
        "Client %s been disconnected by administrative action.",
        "Client %s disconnected: Success.",
        "Bad socket read/write on client %s: Connection reset by peer"
    };
    /** Mosquitto's log_timestamp_format %Y-%m-%dT%H:%M:%S. */
    static final java.time.format.DateTimeFormatter ISO_SECONDS =
            java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");

    static final String[] TOPICS = {"sensors/1/temp", "a/+", "b/#", "cmd/x"};

    /** What each dialect can express: failed attempts, publish activity, subscribe activity, reasons. */
    static boolean hasFailed(String dialect) {
        return List.of("connmon", "aws", "nanomq", "mosquitto").contains(dialect);
    }

    static boolean hasPublish(String dialect) {
        return dialect.equals("connmon");
    }

    static boolean hasSubscribe(String dialect) {
        return List.of("connmon", "emqx", "aws", "mosquitto").contains(dialect);
    }

    static int reasons(String dialect) {
        return switch (dialect) {
            case "connmon" -> CONNMON_CODES.length;
            case "emqx" -> EMQX_REASONS.length;
            case "aws" -> AWS_REASONS.length;
            case "watson" -> WATSON_REASONS.length;
            case "nanomq" -> NANOMQ_CODES.length;
            default -> MOSQUITTO_ENDS.length;
        };
    }

    /**
     * A life of one to four connections. A fifth of the gaps are zero, so that events share a millisecond (or, for
     * Mosquitto's whole seconds, a second) and the tie-breaks of the fold are exercised.
     */
    static Life life(Random r, String dialect) {
        boolean seconds = dialect.equals("mosquitto");
        long t = 1_790_000_000_000L + r.nextInt(1_000_000_000);
        t = seconds ? t / 1000 * 1000 : t;
        List<Step> steps = new ArrayList<>();
        int sessions = 1 + r.nextInt(4);
        Conn pending = null;
        int connections = 0;
        for (int s = 0; s < sessions; s++) {
            if (hasFailed(dialect) && r.nextInt(4) == 0) {
                for (int i = 1 + r.nextInt(2); i > 0; i--) {
                    t += gap(r, seconds);
                    steps.add(new Step(Kind.FAILED, t, conn(r, connections, t, dialect), r.nextInt(64), r.nextInt(4)));
                }
            }
            Conn conn = pending;
            if (conn == null) {
                t += gap(r, seconds);
                conn = conn(r, ++connections, t, dialect);
                steps.add(new Step(Kind.CONNECT, t, conn, 0, r.nextInt(4)));
            }
            pending = null;
            for (int i = r.nextInt(4); i > 0; i--) {
                Kind kind = r.nextBoolean() ? Kind.SUBSCRIBE : r.nextBoolean() ? Kind.UNSUBSCRIBE : Kind.PUBLISH;
                if (kind == Kind.PUBLISH ? hasPublish(dialect) : hasSubscribe(dialect)) {
                    t += gap(r, seconds);
                    steps.add(new Step(kind, t, conn, r.nextInt(TOPICS.length), r.nextInt(4)));
                }
            }
            int end = r.nextInt(10);
            if (s < sessions - 1 && end < 2) {
                // taken over by the next connection: the old one's end is stamped around the new connect
                t += gap(r, seconds);
                pending = conn(r, ++connections, t, dialect);
                Step takeover =
                        new Step(Kind.TAKEOVER, seconds ? t : t + r.nextInt(5) - 1, conn, r.nextInt(2), r.nextInt(4));
                Step connect = new Step(Kind.CONNECT, t, pending, 0, r.nextInt(4));
                if (seconds) { // Mosquitto logs the takeover, then the new connect
                    steps.add(takeover);
                    steps.add(connect);
                } else {
                    steps.add(connect);
                    steps.add(takeover);
                }
            } else if (s < sessions - 1 || end < 9) {
                t += gap(r, seconds);
                steps.add(new Step(Kind.DISCONNECT, t, conn, r.nextInt(reasons(dialect)), r.nextInt(4)));
            }
        }
        return new Life(
                steps, r.nextInt(4) != 0, r.nextBoolean(), new java.util.UUID(r.nextLong(), r.nextLong()).toString());
    }

    private static long gap(Random r, boolean seconds) {
        if (r.nextInt(5) == 0) {
            return 0;
        }
        return seconds ? 1000L * (1 + r.nextInt(3)) : 1 + r.nextInt(5000);
    }

    private static Conn conn(Random r, int number, long t, String dialect) {
        return new Conn(
                number,
                t,
                "192.0.2." + r.nextInt(4),
                20000 + number * 100 + r.nextInt(100),
                r.nextInt(3),
                1 + r.nextInt(300),
                r.nextBoolean(),
                r.nextInt(3) == 0 ? null : "user-" + r.nextInt(3));
    }

    /** The client id of a variant: unique per run, history and variant; a Watson id for Watson. */
    static String clientId(String dialect, String tag, int history, int variant, Life life) {
        if (dialect.equals("watson")) {
            return life.device()
                    ? "d:" + tag + ":sensor:" + history + "-v" + variant
                    : "a:" + tag + ":app" + history + "-v" + variant;
        }
        return tag + "-" + history + "-v" + variant;
    }

    static List<Wire> render(String dialect, Life life, String clientId) {
        List<Wire> out = new ArrayList<>();
        for (Step step : life.steps()) {
            switch (dialect) {
                case "connmon" -> out.add(connmon(step, life, clientId));
                case "emqx" -> out.add(emqx(step, life, clientId));
                case "aws" -> out.add(aws(step, life, clientId));
                case "watson" -> out.add(watson(step, life, clientId));
                case "nanomq" -> out.add(nanomq(step, clientId));
                default -> out.addAll(mosquitto(step, clientId));
            }
        }
        return out;
    }

    /** A time in one of the forms the JSON dialects accept: ISO with Z, epoch milliseconds, ISO with an offset. */
    private static Object time(long t, int style) {
        return switch (style % 3) {
            case 0 -> Instant.ofEpochMilli(t).toString();
            case 1 -> t;
            default -> Instant.ofEpochMilli(t).atOffset(ZoneOffset.ofHours(-4)).toString();
        };
    }

    private static Wire connmon(Step step, Life life, String id) {
        Conn c = step.conn();
        JsonObject e = new JsonObject().put("clientId", id).put("time", time(step.t(), step.style()));
        switch (step.kind()) {
            case CONNECT ->
                e.put("event", "connected")
                        .put("ipAddress", c.ip())
                        .put("port", c.port())
                        .put("username", c.user())
                        .put("protocolVersion", new String[] {"3.1", "3.1.1", "5.0"}[c.proto()])
                        .put("keepAlive", c.keepAlive())
                        .put("cleanStart", c.clean())
                        .put("node", "broker-" + c.number() % 2);
            case DISCONNECT ->
                e.put("event", "disconnected")
                        .put("initiator", CONNMON_INITIATORS[step.choice()])
                        .put("reasonCode", CONNMON_CODES[step.choice()])
                        .put("reason", CONNMON_REASONS[step.choice()]);
            case TAKEOVER ->
                e.put("event", "disconnected").put("initiator", "server").put("reasonCode", 0x8E);
            case FAILED ->
                e.put("event", "connect_failed")
                        .put("ipAddress", c.ip())
                        .put("reasonCode", CONNACK_FAILURES[step.choice() % CONNACK_FAILURES.length]);
            case PUBLISH -> e.put("event", "published").put("topic", TOPICS[step.choice()]);
            case SUBSCRIBE -> e.put("event", "subscribed").put("topic", TOPICS[step.choice()]);
            case UNSUBSCRIBE -> e.put("event", "unsubscribed").put("topic", TOPICS[step.choice()]);
        }
        if (life.withIds() && step.kind() != Kind.FAILED) {
            e.put("connectionId", "c" + c.number());
        }
        return new Wire("connmon/events/" + id, e.encode());
    }

    private static Wire emqx(Step step, Life life, String id) {
        Conn c = step.conn();
        String node = "emqx@node" + c.number() % 2;
        JsonObject e =
                new JsonObject().put("clientid", id).put("username", c.user()).put("ts", step.t());
        String event;
        switch (step.kind()) {
            case CONNECT -> {
                event = "connected";
                e.put("sockport", 1883)
                        .put("proto_ver", 3 + c.proto())
                        .put("proto_name", "MQTT")
                        .put("keepalive", c.keepAlive())
                        .put("ipaddress", c.ip())
                        .put("expiry_interval", 0)
                        .put("connected_at", c.t())
                        .put("connack", 0)
                        .put("clean_start", c.clean());
            }
            case DISCONNECT, TAKEOVER -> {
                event = "disconnected";
                String reason = step.kind() == Kind.TAKEOVER
                        ? (step.choice() == 0 ? "takenover" : "discarded")
                        : EMQX_REASONS[step.choice()];
                e.put("sockport", 1883)
                        .put("proto_ver", 3 + c.proto())
                        .put("proto_name", "MQTT")
                        .put("ipaddress", c.ip())
                        .put("disconnected_at", step.t());
                if (reason != null) {
                    e.put("reason", reason);
                }
                if (life.withIds()) { // EMQX 5 disconnects name their connection; EMQX 4's do not
                    e.put("connected_at", c.t()).put("protocol", "mqtt");
                }
            }
            case SUBSCRIBE, UNSUBSCRIBE -> {
                event = step.kind() == Kind.SUBSCRIBE ? "subscribed" : "unsubscribed";
                e.put("topic", TOPICS[step.choice()])
                        .put("subopts", new JsonObject().put("qos", 0))
                        .put("protocol", "mqtt");
            }
            default -> throw new IllegalArgumentException(step.kind() + " is not an EMQX event");
        }
        return new Wire("$SYS/brokers/" + node + "/clients/" + id + "/" + event, e.encode());
    }

    private static Wire aws(Step step, Life life, String id) {
        Conn c = step.conn();
        JsonObject e = new JsonObject()
                .put("clientId", id)
                .put("timestamp", step.t())
                .put("sessionIdentifier", life.session())
                .put("principalIdentifier", "principal-" + c.user());
        String topic;
        switch (step.kind()) {
            case CONNECT -> {
                topic = "presence/connected";
                e.put("eventType", "connected").put("ipAddress", c.ip()).put("versionNumber", c.number());
            }
            case DISCONNECT, TAKEOVER -> {
                topic = "presence/disconnected";
                String reason = step.kind() == Kind.TAKEOVER ? "DUPLICATE_CLIENTID" : AWS_REASONS[step.choice()];
                e.put("eventType", "disconnected").put("versionNumber", c.number());
                if (reason != null) {
                    e.put("disconnectReason", reason)
                            .put("clientInitiatedDisconnect", reason.equals("CLIENT_INITIATED_DISCONNECT"));
                } else if (step.style() != 0) {
                    e.put("clientInitiatedDisconnect", step.style() % 2 == 0);
                }
            }
            case FAILED -> {
                topic = "presence/connect_failed";
                e.put("eventType", "connect_failed")
                        .put("ipAddress", c.ip())
                        .put("connectFailureReason", AWS_FAILURES[step.choice() % AWS_FAILURES.length]);
            }
            case SUBSCRIBE, UNSUBSCRIBE -> {
                String type = step.kind() == Kind.SUBSCRIBE ? "subscribed" : "unsubscribed";
                topic = "subscriptions/" + type;
                e.put("eventType", type).put("topics", new JsonArray().add(TOPICS[step.choice()]));
            }
            default -> throw new IllegalArgumentException(step.kind() + " is not an AWS event");
        }
        return new Wire("$aws/events/" + topic + "/" + id, e.encode());
    }

    private static Wire watson(Step step, Life life, String id) {
        Conn c = step.conn();
        JsonObject e = new JsonObject()
                .put("ClientID", id)
                .put("Time", time(step.t(), step.style() == 1 ? 0 : 2))
                .put("ClientAddr", c.ip())
                .put("Port", c.port())
                .put("Protocol", WATSON_PROTOCOLS[c.proto()])
                .put("User", c.user())
                .put("Secure", c.clean());
        switch (step.kind()) {
            case CONNECT -> {
                e.put("Action", "Connect");
                if (life.device()) { // device status carries ConnectTime; application Connects do not
                    e.put("ConnectTime", Instant.ofEpochMilli(c.t() - 1).toString());
                }
            }
            case DISCONNECT, TAKEOVER -> {
                String reason = step.kind() == Kind.TAKEOVER
                        ? "The client ID was used by another connection."
                        : WATSON_REASONS[step.choice()];
                e.put("Action", "Disconnect")
                        .put("ConnectTime", Instant.ofEpochMilli(c.t() - 1).toString())
                        .put("ReadBytes", 1331289)
                        .put("ReadMsg", 1)
                        .put("WriteBytes", 155084)
                        .put("WriteMsg", 2);
                if (reason != null) {
                    e.put("Reason", reason);
                }
            }
            default -> throw new IllegalArgumentException(step.kind() + " is not a Watson event");
        }
        String[] parts = id.split(":");
        String topic = life.device()
                ? "iot-2/type/" + parts[2] + "/id/" + parts[3] + "/mon"
                : "iot-2/app/" + parts[2] + "/mon";
        return new Wire(topic, e.encode());
    }

    private static Wire nanomq(Step step, String id) {
        Conn c = step.conn();
        JsonObject e = new JsonObject()
                .put("username", c.user())
                .put("ts", step.t())
                .put("client_id", id)
                .put("IPv4", c.ip());
        return switch (step.kind()) {
            case CONNECT, FAILED ->
                new Wire(
                        "$SYS/brokers/connected",
                        e.put("proto_name", "MQTT")
                                .put("keepalive", c.keepAlive())
                                .put("proto_ver", 3 + c.proto())
                                .put("clean_start", c.clean() ? 1 : 0)
                                .put(
                                        "return_code",
                                        step.kind() == Kind.CONNECT
                                                ? "0"
                                                : Integer.toHexString(
                                                        CONNACK_FAILURES[step.choice() % CONNACK_FAILURES.length]))
                                .encode());
            case DISCONNECT, TAKEOVER ->
                new Wire(
                        "$SYS/brokers/disconnected",
                        e.put(
                                        "reason_code",
                                        Integer.toHexString(
                                                step.kind() == Kind.TAKEOVER ? 0x8E : NANOMQ_CODES[step.choice()]))
                                .encode());
            default -> throw new IllegalArgumentException(step.kind() + " is not a NanoMQ event");
        };
    }

    private static List<Wire> mosquitto(Step step, String id) {
        Conn c = step.conn();
        String prefix = (step.style() == 0
                        ? LocalDateTime.ofEpochSecond(step.t() / 1000, 0, ZoneOffset.UTC)
                                .format(ISO_SECONDS)
                        : Long.toString(step.t() / 1000))
                + ": ";
        String log = "$SYS/broker/log/";
        return switch (step.kind()) {
            case CONNECT ->
                List.of(
                        new Wire(
                                log + "N",
                                prefix + "New connection from " + c.ip() + ":" + c.port() + " on port 1883."),
                        new Wire(
                                log + "N",
                                prefix + "New client connected from " + c.ip() + ":" + c.port() + " as " + id
                                        + " (p" + new String[] {"1", "2", "5"}[c.proto()] + ", c" + (c.clean() ? 1 : 0)
                                        + ", k"
                                        + c.keepAlive() + (c.user() == null ? "" : ", u'" + c.user() + "'") + ")."));
            case DISCONNECT -> List.of(new Wire(log + "N", prefix + MOSQUITTO_ENDS[step.choice()].formatted(id)));
            case TAKEOVER ->
                List.of(new Wire(log + "E", prefix + "Client " + id + " already connected, closing old connection."));
            case FAILED -> List.of(new Wire(log + "N", prefix + "Client " + id + " disconnected, not authorised."));
            case SUBSCRIBE ->
                List.of(new Wire(
                        log + "M/subscribe", prefix + id + " " + step.choice() % 3 + " " + TOPICS[step.choice()]));
            case UNSUBSCRIBE -> List.of(new Wire(log + "M/unsubscribe", prefix + id + " " + TOPICS[step.choice()]));
            case PUBLISH -> throw new IllegalArgumentException("Mosquitto does not log publishes");
        };
    }
}
