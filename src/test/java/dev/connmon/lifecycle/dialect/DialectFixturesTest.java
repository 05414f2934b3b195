package dev.connmon.lifecycle.dialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.Initiator;
import dev.connmon.lifecycle.LifecycleEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The brokers' documented lifecycle payloads, decoded; and every reason value mapped. */
class DialectFixturesTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final EmqxDialect emqx = new EmqxDialect(MAPPER);
    private final AwsDialect aws = new AwsDialect(MAPPER);
    private final WatsonDialect watson = new WatsonDialect(MAPPER);
    private final NanomqDialect nanomq = new NanomqDialect(MAPPER);

    private static LifecycleEvent one(Dialect dialect, String topic, String payload) throws DecodeException {
        assertThat(dialect.matches(topic))
                .as("%s matches %s", dialect.name(), topic)
                .isTrue();
        List<LifecycleEvent> events = dialect.decode(topic, payload.getBytes(StandardCharsets.UTF_8));
        assertThat(events).hasSize(1);
        return events.get(0);
    }

    @Test
    void emqxConnectedV4() throws Exception {
        LifecycleEvent e = one(emqx, "$SYS/brokers/emqx@127.0.0.1/clients/emqtt-8348fe27a87976ad4db3/connected", """
                { "username": "foo", "ts": 1625572213873, "sockport": 1883, "proto_ver": 4, "proto_name": "MQTT",
                  "keepalive": 60, "ipaddress": "127.0.0.1", "expiry_interval": 0, "connected_at": 1625572213873,
                  "connack": 0, "clientid": "emqtt-8348fe27a87976ad4db3", "clean_start": true }""");
        assertThat(e.type()).isEqualTo(EventType.CONNECTED);
        assertThat(e.clientId()).isEqualTo("emqtt-8348fe27a87976ad4db3");
        assertThat(e.time()).isEqualTo(Instant.ofEpochMilli(1625572213873L));
        assertThat(e.connectionId()).isEqualTo("emqx:1625572213873");
        assertThat(e.protocolVersion()).isEqualTo("3.1.1");
        assertThat(e.node()).isEqualTo("emqx@127.0.0.1");
        assertThat(e.username()).isEqualTo("foo");
        assertThat(e.keepAlive()).isEqualTo(60);
        assertThat(e.cleanStart()).isTrue();
    }

    /**
     * Connected payloads of EMQX 4 (the docs' sample) and EMQX 5 (emqx_sys.erl's fields: {@code protocol} added,
     * MQTT 5 {@code proto_ver}); a connect has no initiator and no reason code whatever the version.
     */
    static Stream<Arguments> emqxConnected() {
        return Stream.of(
                Arguments.of("""
                        { "username": "foo", "ts": 1625572213873, "sockport": 1883, "proto_ver": 4, "proto_name": "MQTT",
                          "keepalive": 60, "ipaddress": "127.0.0.1", "expiry_interval": 0, "connected_at": 1625572213873,
                          "connack": 0, "clientid": "emqtt-8348fe27a87976ad4db3", "clean_start": true }""", "3.1.1", 1625572213873L, 60, true),
                Arguments.of("""
                        { "clientid": "emqtt-8348fe27a87976ad4db3", "username": "admin", "ipaddress": "172.20.0.1",
                          "sockport": 1883, "protocol": "mqtt", "proto_name": "MQTT", "proto_ver": 5,
                          "connected_at": 1721206608572, "ts": 1721206608573, "keepalive": 30, "clean_start": false,
                          "expiry_interval": 7200 }""", "5.0", 1721206608572L, 30, false));
    }

    @ParameterizedTest
    @MethodSource("emqxConnected")
    void emqxConnectedMapping(String payload, String protocol, long connectedAt, int keepAlive, boolean cleanStart)
            throws Exception {
        LifecycleEvent e = one(emqx, "$SYS/brokers/emqx@node1/clients/emqtt-8348fe27a87976ad4db3/connected", payload);
        assertThat(e.type()).isEqualTo(EventType.CONNECTED);
        assertThat(e.initiator()).isNull();
        assertThat(e.reasonCode()).isNull();
        assertThat(e.protocolVersion()).isEqualTo(protocol);
        // connected_at, not ts: the disconnect of this connection carries the same connected_at
        assertThat(e.time()).isEqualTo(Instant.ofEpochMilli(connectedAt));
        assertThat(e.connectionId()).isEqualTo("emqx:" + connectedAt);
        assertThat(e.keepAlive()).isEqualTo(keepAlive);
        assertThat(e.cleanStart()).isEqualTo(cleanStart);
        assertThat(e.node()).isEqualTo("emqx@node1");
    }

    @Test
    void emqxDisconnectedV4HasNoConnectionIdentity() throws Exception {
        LifecycleEvent e =
                one(emqx, "$SYS/brokers/emqx@127.0.0.1/clients/emqtt-8348fe27a87976ad4db3/disconnected", """
                { "username": "foo", "ts": 1625572213873, "sockport": 1883, "reason": "tcp_closed", "proto_ver": 4,
                  "proto_name": "MQTT", "ipaddress": "127.0.0.1", "disconnected_at": 1625572213873,
                  "clientid": "emqtt-8348fe27a87976ad4db3" }""");
        assertThat(e.type()).isEqualTo(EventType.DISCONNECTED);
        assertThat(e.initiator()).isEqualTo(Initiator.NETWORK);
        assertThat(e.reasonCode()).isNull();
        assertThat(e.reason()).isEqualTo("tcp_closed");
        assertThat(e.connectionId()).isNull();
    }

    @Test
    void emqxV5TakenOverCarriesItsConnectTime() throws Exception {
        LifecycleEvent e = one(
                emqx,
                "$SYS/brokers/emqx@node1/clients/6b65e4d85f274c6d81560ae190b94534/disconnected",
                "{\"ipaddress\":\"172.20.0.1\",\"disconnected_at\":1721206604219,\"sockport\":1883,"
                        + "\"connected_at\":1721206608572,\"proto_ver\":5,\"proto_name\":\"MQTT\","
                        + "\"clientid\":\"6b65e4d85f274c6d81560ae190b94534\",\"username\":\"admin\","
                        + "\"ts\":1721206604219,\"protocol\":\"mqtt\",\"reason\":\"takenover\"}");
        assertThat(e.initiator()).isEqualTo(Initiator.SERVER);
        assertThat(e.reasonCode()).isEqualTo(0x8E);
        assertThat(e.reason()).isEqualTo("Session taken over");
        assertThat(e.connectionId()).isEqualTo("emqx:1721206608572");
        assertThat(e.protocolVersion()).isEqualTo("5.0");
    }

    @Test
    void emqxSubscribedIsActivity() throws Exception {
        LifecycleEvent e = one(
                emqx,
                "$SYS/brokers/n1/clients/c1/subscribed",
                "{\"username\":\"u\",\"ts\":1625572213900,\"topic\":\"a/b\",\"subopts\":{\"qos\":0},"
                        + "\"protocol\":\"mqtt\",\"clientid\":\"c1\"}");
        assertThat(e.type()).isEqualTo(EventType.SUBSCRIBED);
        assertThat(e.topic()).isEqualTo("a/b");
    }

    static Stream<Arguments> emqxReasons() {
        return Stream.of(
                Arguments.of("normal", Initiator.CLIENT, 0x00),
                Arguments.of("kicked", Initiator.SERVER, 0x98),
                Arguments.of("keepalive_timeout", Initiator.SERVER, 0x8D),
                Arguments.of("takenover", Initiator.SERVER, 0x8E),
                Arguments.of("discarded", Initiator.SERVER, 0x8E),
                Arguments.of("not_authorized", Initiator.SERVER, 0x87),
                Arguments.of("banned", Initiator.SERVER, 0x8A),
                Arguments.of("malformed_packet", Initiator.SERVER, 0x81),
                Arguments.of("zero_remaining_len", Initiator.SERVER, 0x81),
                Arguments.of("unexpected_packet", Initiator.SERVER, 0x82),
                Arguments.of("invalid_proto_name", Initiator.SERVER, 0x82),
                Arguments.of("invalid_topic", Initiator.SERVER, 0x90),
                Arguments.of("bad_username_or_password", Initiator.SERVER, 0x86),
                Arguments.of("client_identifier_not_valid", Initiator.SERVER, 0x85),
                Arguments.of("internal_error", Initiator.SERVER, 0x83),
                Arguments.of("tcp_closed", Initiator.NETWORK, null),
                Arguments.of("sock_closed", Initiator.NETWORK, null),
                Arguments.of("closed", Initiator.NETWORK, null),
                Arguments.of("einval", Initiator.NETWORK, null),
                Arguments.of("ssl_closed", Initiator.NETWORK, null),
                Arguments.of("ssl_error", Initiator.NETWORK, null),
                Arguments.of("ssl_upgrade_timeout", Initiator.NETWORK, null),
                Arguments.of("something_new", Initiator.SERVER, 0x80));
    }

    @ParameterizedTest
    @MethodSource("emqxReasons")
    void emqxReasonMapping(String reason, Initiator initiator, Integer code) throws Exception {
        LifecycleEvent e = one(
                emqx,
                "$SYS/brokers/n/clients/c/disconnected",
                "{\"clientid\":\"c\",\"ts\":1,\"disconnected_at\":1,\"reason\":\"" + reason + "\"}");
        assertThat(e.initiator()).isEqualTo(initiator);
        assertThat(e.reasonCode()).isEqualTo(code);
    }

    @Test
    void awsPresenceEvents() throws Exception {
        LifecycleEvent c = one(aws, "$aws/events/presence/connected/186b5", """
                { "clientId": "186b5", "thingName": "exampleThing", "timestamp": 1573002230757, "eventType": "connected",
                  "sessionIdentifier": "00000000-0000-0000-0000-000000000000",
                  "principalIdentifier": "12345678901234567890123456789012", "ipAddress": "192.0.2.0", "versionNumber": 0 }""");
        assertThat(c.type()).isEqualTo(EventType.CONNECTED);
        assertThat(c.ipAddress()).isEqualTo("192.0.2.0");
        LifecycleEvent d = one(aws, "$aws/events/presence/disconnected/186b5", """
                { "clientId": "186b5", "thingName": "exampleThing", "timestamp": 1573002340451, "eventType": "disconnected",
                  "sessionIdentifier": "00000000-0000-0000-0000-000000000000",
                  "principalIdentifier": "12345678901234567890123456789012", "clientInitiatedDisconnect": true,
                  "disconnectReason": "CLIENT_INITIATED_DISCONNECT", "versionNumber": 0 }""");
        assertThat(d.initiator()).isEqualTo(Initiator.CLIENT);
        assertThat(d.reasonCode()).isZero();
        assertThat(d.connectionId()).isEqualTo(c.connectionId()).isNotNull();
        LifecycleEvent f = one(aws, "$aws/events/presence/connect_failed/186b5", """
                { "clientId": "186b5", "thingName": "exampleThing", "timestamp": 1460065214626, "eventType": "connect_failed",
                  "connectFailureReason": "AUTHORIZATION_FAILED", "principalIdentifier": "12345678901234567890123456789012",
                  "sessionIdentifier": "00000000-0000-0000-0000-000000000000", "ipAddress" : "192.0.2.0" }""");
        assertThat(f.type()).isEqualTo(EventType.CONNECT_FAILED);
        assertThat(f.reasonCode()).isEqualTo(0x87);
        assertThat(f.reason()).isEqualTo("AUTHORIZATION_FAILED");
    }

    static Stream<Arguments> awsReasons() {
        return Stream.of(
                Arguments.of("AUTH_ERROR", Initiator.SERVER, 0x87),
                Arguments.of("CLIENT_INITIATED_DISCONNECT", Initiator.CLIENT, 0),
                Arguments.of("CLIENT_ERROR", Initiator.SERVER, 0x82),
                Arguments.of("CONNECTION_LOST", Initiator.NETWORK, null),
                Arguments.of("DUPLICATE_CLIENTID", Initiator.SERVER, 0x8E),
                Arguments.of("FORBIDDEN_ACCESS", Initiator.SERVER, 0x87),
                Arguments.of("MQTT_KEEP_ALIVE_TIMEOUT", Initiator.SERVER, 0x8D),
                Arguments.of("SERVER_ERROR", Initiator.SERVER, 0x80),
                Arguments.of("SERVER_INITIATED_DISCONNECT", Initiator.SERVER, 0x8B),
                Arguments.of("API_INITIATED_DISCONNECT", Initiator.SERVER, 0x98),
                Arguments.of("THROTTLED", Initiator.SERVER, 0x96),
                Arguments.of("WEBSOCKET_TTL_EXPIRATION", Initiator.SERVER, 0xA0),
                Arguments.of("CUSTOMAUTH_TTL_EXPIRATION", Initiator.SERVER, 0xA0),
                Arguments.of("UNKNOWN", null, null),
                Arguments.of("NONE", null, null),
                Arguments.of("SOMETHING_NEW", Initiator.SERVER, 0x80));
    }

    @ParameterizedTest
    @MethodSource("awsReasons")
    void awsReasonMapping(String reason, Initiator initiator, Integer code) throws Exception {
        LifecycleEvent e = one(
                aws,
                "$aws/events/presence/disconnected/x",
                "{\"clientId\":\"x\",\"timestamp\":1,\"eventType\":\"disconnected\",\"disconnectReason\":\"" + reason
                        + "\"}");
        assertThat(e.initiator()).isEqualTo(initiator);
        assertThat(e.reasonCode()).isEqualTo(code);
    }

    /** Without {@code disconnectReason}, only the documented {@code clientInitiatedDisconnect} flag says who ended it. */
    static Stream<Arguments> awsClientInitiatedFlag() {
        return Stream.of(
                Arguments.of(", \"clientInitiatedDisconnect\": true", Initiator.CLIENT, 0x00),
                Arguments.of(", \"clientInitiatedDisconnect\": false", Initiator.SERVER, 0x80),
                Arguments.of("", null, null));
    }

    @ParameterizedTest
    @MethodSource("awsClientInitiatedFlag")
    void awsDisconnectWithoutReasonFollowsTheFlag(String flag, Initiator initiator, Integer code) throws Exception {
        LifecycleEvent e = one(
                aws,
                "$aws/events/presence/disconnected/186b5",
                "{\"clientId\": \"186b5\", \"timestamp\": 1573002340451, \"eventType\": \"disconnected\","
                        + " \"sessionIdentifier\": \"00000000-0000-0000-0000-000000000000\", \"versionNumber\": 0"
                        + flag + "}");
        assertThat(e.initiator()).isEqualTo(initiator);
        assertThat(e.reasonCode()).isEqualTo(code);
    }

    /**
     * AWS documents one {@code connectFailureReason}, AUTHORIZATION_FAILED (also sent when the will topic is not
     * allowed); connect_failed has no initiator, and every value is read as a refused authorization (CONNACK 0x87)
     * with the source's words kept.
     */
    static Stream<Arguments> awsConnectFailureReasons() {
        return Stream.of(
                Arguments.of("\"AUTHORIZATION_FAILED\"", 0x87, "AUTHORIZATION_FAILED"),
                Arguments.of("\"SOMETHING_NEW\"", 0x87, "SOMETHING_NEW"),
                Arguments.of("null", 0x87, null));
    }

    @ParameterizedTest
    @MethodSource("awsConnectFailureReasons")
    void awsConnectFailedMapping(String reason, Integer code, String text) throws Exception {
        LifecycleEvent e = one(
                aws,
                "$aws/events/presence/connect_failed/186b5",
                "{\"clientId\": \"186b5\", \"thingName\": \"exampleThing\", \"timestamp\": 1460065214626,"
                        + " \"eventType\": \"connect_failed\", \"connectFailureReason\": " + reason + ","
                        + " \"principalIdentifier\": \"12345678901234567890123456789012\","
                        + " \"sessionIdentifier\": \"00000000-0000-0000-0000-000000000000\", \"ipAddress\" : \"192.0.2.0\"}");
        assertThat(e.type()).isEqualTo(EventType.CONNECT_FAILED);
        assertThat(e.initiator()).isNull();
        assertThat(e.reasonCode()).isEqualTo(code);
        assertThat(e.reason()).isEqualTo(text);
    }

    @Test
    void awsSubscriptions() throws Exception {
        LifecycleEvent e = one(
                aws,
                "$aws/events/subscriptions/subscribed/x",
                "{\"clientId\":\"x\",\"timestamp\":5,\"eventType\":\"subscribed\",\"topics\":[\"foo/bar\"]}");
        assertThat(e.type()).isEqualTo(EventType.SUBSCRIBED);
        assertThat(e.topic()).isEqualTo("foo/bar");
    }

    @Test
    void watsonDeviceAndApplicationStatus() throws Exception {
        LifecycleEvent c = one(watson, "iot-2/type/psutil/id/001/mon", """
                { "ClientAddr": "195.212.29.68", "Protocol": "mqtt-tcp", "ClientID": "d:bcaxk:psutil:001",
                  "User": "use-token-auth", "Time": "2014-07-07T06:37:56.494-04:00", "Action": "Connect",
                  "ConnectTime": "2014-07-07T06:37:56.493-04:00", "Port": 1883 }""");
        assertThat(c.clientId()).isEqualTo("d:bcaxk:psutil:001");
        assertThat(c.time()).isEqualTo(Instant.parse("2014-07-07T10:37:56.494Z"));
        assertThat(c.connectionId())
                .isEqualTo("watson:" + Instant.parse("2014-07-07T10:37:56.493Z").toEpochMilli());
        LifecycleEvent d = one(watson, "iot-2/type/psutil/id/001/mon", """
                { "ClientAddr": "195.212.29.68", "Protocol": "mqtt-tcp", "ClientID": "d:bcaxk:psutil:001",
                  "User": "use-token-auth", "Time": "2014-07-07T07:00:00.000-04:00", "Action": "Disconnect",
                  "ConnectTime": "2014-07-07T06:37:56.493-04:00", "Port": 1883, "WriteMsg": 0, "ReadMsg": 872,
                  "Reason": "The connection has completed normally.", "ReadBytes": 136507, "WriteBytes": 32 }""");
        assertThat(d.type()).isEqualTo(EventType.DISCONNECTED);
        assertThat(d.initiator()).isEqualTo(Initiator.CLIENT);
        assertThat(d.connectionId()).isEqualTo(c.connectionId());
        LifecycleEvent app = one(watson, "iot-2/app/myserver/mon", """
                { "Action": "Disconnect", "Time": "2017-01-20T14:27:13.113Z", "ClientAddr": "108.168.999.999",
                  "ClientID": "a:myorgid:myserver", "Port": 8883, "Secure": true, "Protocol": "mqtt4-ws",
                  "User": "a-maqdpu-kjasdkf", "ConnectTime": "2017-01-20T14:27:00.096Z", "ReadBytes": 1331289,
                  "ReadMsg": 1, "WriteBytes": 155084, "WriteMsg": 2 }""");
        assertThat(app.clientId()).isEqualTo("a:myorgid:myserver");
        assertThat(app.protocolVersion()).isEqualTo("3.1.1");
        LifecycleEvent dropped = one(
                watson,
                "iot-2/type/t/id/i/mon",
                "{\"Action\":\"Disconnect\",\"Time\":\"2017-01-20T14:27:13.113Z\",\"ClientID\":\"d:o:t:i\","
                        + "\"Reason\":\"The connection was closed by the server.\"}");
        assertThat(dropped.initiator()).isEqualTo(Initiator.SERVER);
        assertThat(dropped.reason()).isEqualTo("The connection was closed by the server.");
    }

    /**
     * Watson's {@code Reason} is free text and {@code CloseCode} undocumented: only a
     * normal completion (or no Reason at all, as in the documented application sample) is a client disconnect 0x00;
     * any other Reason is the server's, with no code and the text kept. CloseCode never changes the mapping. Only
     * the first Reason and the no-Reason form are documented; the others stand for the platform's other texts.
     */
    static Stream<Arguments> watsonReasons() {
        return Stream.of(
                Arguments.of("\"Reason\": \"The connection has completed normally.\"", Initiator.CLIENT, 0x00),
                Arguments.of(
                        "\"Reason\": \"The connection has completed normally.\", \"CloseCode\": 0",
                        Initiator.CLIENT,
                        0x00),
                Arguments.of("\"Reason\": \"THE CONNECTION HAS COMPLETED NORMALLY.\"", Initiator.CLIENT, 0x00),
                Arguments.of(
                        "\"ReadBytes\": 1331289, \"ReadMsg\": 1, \"WriteBytes\": 155084, \"WriteMsg\": 2",
                        Initiator.CLIENT,
                        0x00),
                Arguments.of("\"Reason\": \"The connection was closed by the server.\"", Initiator.SERVER, null),
                Arguments.of("\"Reason\": \"The client ID was reused.\", \"CloseCode\": 291", Initiator.SERVER, null),
                Arguments.of("\"Reason\": \"Keep alive timeout.\", \"CloseCode\": 0", Initiator.SERVER, null));
    }

    @ParameterizedTest
    @MethodSource("watsonReasons")
    void watsonReasonMapping(String fields, Initiator initiator, Integer code) throws Exception {
        LifecycleEvent e = one(
                watson,
                "iot-2/type/psutil/id/001/mon",
                "{\"Action\": \"Disconnect\", \"Time\": \"2017-01-20T14:27:13.113Z\", \"ClientID\": \"d:bcaxk:psutil:001\","
                        + " \"ConnectTime\": \"2017-01-20T14:27:00.096Z\", " + fields + "}");
        assertThat(e.type()).isEqualTo(EventType.DISCONNECTED);
        assertThat(e.initiator()).isEqualTo(initiator);
        assertThat(e.reasonCode()).isEqualTo(code);
    }

    /** NanoMQ writes reason codes as {@code %x}: lower-case hex without a prefix. */
    static Stream<Arguments> nanomqDisconnectCodes() {
        return Stream.of(
                Arguments.of("0", Initiator.CLIENT, 0x00, "Normal disconnection"),
                Arguments.of("4", Initiator.CLIENT, 0x04, "Disconnect with Will Message"),
                Arguments.of("80", Initiator.SERVER, 0x80, "Unspecified error"),
                Arguments.of("81", Initiator.SERVER, 0x81, "Malformed Packet"),
                Arguments.of("82", Initiator.SERVER, 0x82, "Protocol Error"),
                Arguments.of("87", Initiator.SERVER, 0x87, "Not authorized"),
                Arguments.of("89", Initiator.SERVER, 0x89, "Server busy"),
                Arguments.of("8b", Initiator.SERVER, 0x8B, "Server shutting down"),
                Arguments.of("8B", Initiator.SERVER, 0x8B, "Server shutting down"),
                Arguments.of("8d", Initiator.SERVER, 0x8D, "Keep Alive timeout"),
                Arguments.of("8e", Initiator.SERVER, 0x8E, "Session taken over"),
                Arguments.of("95", Initiator.SERVER, 0x95, "Packet too large"),
                Arguments.of("98", Initiator.SERVER, 0x98, "Administrative action"),
                Arguments.of("a0", Initiator.SERVER, 0xA0, "Maximum connect time"));
    }

    @ParameterizedTest
    @MethodSource("nanomqDisconnectCodes")
    void nanomqDisconnectMapping(String hex, Initiator initiator, int code, String reason) throws Exception {
        LifecycleEvent e = one(
                nanomq,
                "$SYS/brokers/disconnected",
                "{\"username\":\"hello\",\"ts\":1691225608391,\"reason_code\":\"" + hex + "\","
                        + "\"client_id\":\"nanomq-8a2a5c2e\",\"IPv4\":\"127.0.0.1\"}");
        assertThat(e.type()).isEqualTo(EventType.DISCONNECTED);
        assertThat(e.initiator()).isEqualTo(initiator);
        assertThat(e.reasonCode()).isEqualTo(code);
        assertThat(e.reason()).isEqualTo(reason);
    }

    /** A non-zero {@code return_code} on the connected topic is a refused connection, with the CONNACK code. */
    static Stream<Arguments> nanomqReturnCodes() {
        return Stream.of(
                Arguments.of("0", EventType.CONNECTED, null, null),
                Arguments.of("84", EventType.CONNECT_FAILED, 0x84, "Unsupported Protocol Version"),
                Arguments.of("85", EventType.CONNECT_FAILED, 0x85, "Client Identifier not valid"),
                Arguments.of("86", EventType.CONNECT_FAILED, 0x86, "Bad User Name or Password"),
                Arguments.of("87", EventType.CONNECT_FAILED, 0x87, "Not authorized"),
                Arguments.of("8a", EventType.CONNECT_FAILED, 0x8A, "Banned"));
    }

    @ParameterizedTest
    @MethodSource("nanomqReturnCodes")
    void nanomqConnectedReturnCodeMapping(String hex, EventType type, Integer code, String reason) throws Exception {
        LifecycleEvent e = one(
                nanomq,
                "$SYS/brokers/connected",
                "{\"username\":\"hello\", \"ts\":1691225605933,\"proto_name\":\"MQTT\",\"keepalive\":60,"
                        + "\"return_code\":\"" + hex + "\",\"proto_ver\":5,\"client_id\":\"nanomq-8a2a5c2e\","
                        + "\"clean_start\":1, \"IPv4\":\"127.0.0.1\"}");
        assertThat(e.type()).isEqualTo(type);
        assertThat(e.initiator()).isNull();
        assertThat(e.reasonCode()).isEqualTo(code);
        assertThat(e.reason()).isEqualTo(reason);
    }

    @Test
    void nanomqEvents() throws Exception {
        LifecycleEvent c = one(
                nanomq,
                "$SYS/brokers/connected",
                "{\"username\":\"hello\", \"ts\":1691225605933,\"proto_name\":\"MQTT\",\"keepalive\":60,"
                        + "\"return_code\":\"0\",\"proto_ver\":4,\"client_id\":\"nanomq-8a2a5c2e\",\"clean_start\":1, "
                        + "\"IPv4\":\"127.0.0.1\"}");
        assertThat(c.type()).isEqualTo(EventType.CONNECTED);
        assertThat(c.clientId()).isEqualTo("nanomq-8a2a5c2e");
        assertThat(c.cleanStart()).isTrue();
        LifecycleEvent d = one(
                nanomq,
                "$SYS/brokers/disconnected",
                "{\"username\":\"hello\",\"ts\":1691225608391,\"reason_code\":\"8b\",\"client_id\":\"nanomq-8a2a5c2e\","
                        + "\"IPv4\":\"127.0.0.1\"}");
        assertThat(d.initiator()).isEqualTo(Initiator.SERVER);
        assertThat(d.reasonCode()).isEqualTo(0x8B);
        assertThat(d.reason()).isEqualTo("Server shutting down");
        // no reason_code: who ended the connection is unknown, not a normal client disconnect
        LifecycleEvent unknown =
                one(nanomq, "$SYS/brokers/disconnected", "{\"ts\":1691225608391,\"client_id\":\"nanomq-8a2a5c2e\"}");
        assertThat(unknown.type()).isEqualTo(EventType.DISCONNECTED);
        assertThat(unknown.initiator()).isNull();
        assertThat(unknown.reasonCode()).isNull();
        assertThat(unknown.reason()).isNull();
        assertThatThrownBy(() -> nanomq.decode(
                        "$SYS/brokers/disconnected",
                        "{\"ts\":1,\"reason_code\":\"zz\",\"client_id\":\"x\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("hex");
    }

    @Test
    void dialectsRefuseWhatTheyCannotRead() {
        assertThatThrownBy(() -> emqx.decode("$SYS/brokers/n/clients/c/exploded", "{\"ts\":1}".getBytes()))
                .isInstanceOf(DecodeException.class);
        assertThatThrownBy(() -> aws.decode("$aws/events/presence/connected/x", "not json".getBytes()))
                .isInstanceOf(DecodeException.class);
        assertThatThrownBy(() -> watson.decode("iot-2/type/t/id/i/mon", "{\"Action\":\"Connect\"}".getBytes()))
                .isInstanceOf(DecodeException.class);
    }
}
