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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The documented payloads of shared/dialect-samples.md, decoded; and every reason value mapped. */
class DialectFixturesTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final EmqxDialect emqx = new EmqxDialect(MAPPER);
    private final AwsDialect aws = new AwsDialect(MAPPER);
    private final WatsonDialect watson = new WatsonDialect(MAPPER);
    private final NanomqDialect nanomq = new NanomqDialect(MAPPER);

    private static LifecycleEvent one(Dialect dialect, String topic, String payload) throws DecodeException {
        assertThat(dialect.matches(topic)).as("%s matches %s", dialect.name(), topic).isTrue();
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

    @Test
    void emqxDisconnectedV4HasNoConnectionIdentity() throws Exception {
        LifecycleEvent e = one(emqx, "$SYS/brokers/emqx@127.0.0.1/clients/emqtt-8348fe27a87976ad4db3/disconnected", """
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
        LifecycleEvent e = one(emqx, "$SYS/brokers/emqx@node1/clients/6b65e4d85f274c6d81560ae190b94534/disconnected",
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
        LifecycleEvent e = one(emqx, "$SYS/brokers/n1/clients/c1/subscribed",
                "{\"username\":\"u\",\"ts\":1625572213900,\"topic\":\"a/b\",\"subopts\":{\"qos\":0},"
                        + "\"protocol\":\"mqtt\",\"clientid\":\"c1\"}");
        assertThat(e.type()).isEqualTo(EventType.SUBSCRIBED);
        assertThat(e.topic()).isEqualTo("a/b");
    }

    static Stream<Arguments> emqxReasons() {
        return Stream.of(
                Arguments.of("normal", Initiator.CLIENT, 0x00), Arguments.of("kicked", Initiator.SERVER, 0x98),
                Arguments.of("keepalive_timeout", Initiator.SERVER, 0x8D), Arguments.of("takenover", Initiator.SERVER, 0x8E),
                Arguments.of("discarded", Initiator.SERVER, 0x8E), Arguments.of("not_authorized", Initiator.SERVER, 0x87),
                Arguments.of("banned", Initiator.SERVER, 0x8A), Arguments.of("malformed_packet", Initiator.SERVER, 0x81),
                Arguments.of("zero_remaining_len", Initiator.SERVER, 0x81),
                Arguments.of("unexpected_packet", Initiator.SERVER, 0x82),
                Arguments.of("invalid_proto_name", Initiator.SERVER, 0x82),
                Arguments.of("invalid_topic", Initiator.SERVER, 0x90),
                Arguments.of("bad_username_or_password", Initiator.SERVER, 0x86),
                Arguments.of("client_identifier_not_valid", Initiator.SERVER, 0x85),
                Arguments.of("internal_error", Initiator.SERVER, 0x83),
                Arguments.of("tcp_closed", Initiator.NETWORK, null), Arguments.of("sock_closed", Initiator.NETWORK, null),
                Arguments.of("closed", Initiator.NETWORK, null), Arguments.of("einval", Initiator.NETWORK, null),
                Arguments.of("ssl_closed", Initiator.NETWORK, null), Arguments.of("ssl_error", Initiator.NETWORK, null),
                Arguments.of("ssl_upgrade_timeout", Initiator.NETWORK, null),
                Arguments.of("something_new", Initiator.SERVER, 0x80));
    }

    @ParameterizedTest
    @MethodSource("emqxReasons")
    void emqxReasonMapping(String reason, Initiator initiator, Integer code) throws Exception {
        LifecycleEvent e = one(emqx, "$SYS/brokers/n/clients/c/disconnected",
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
                Arguments.of("AUTH_ERROR", Initiator.SERVER, 0x87), Arguments.of("CLIENT_INITIATED_DISCONNECT", Initiator.CLIENT, 0),
                Arguments.of("CLIENT_ERROR", Initiator.SERVER, 0x82), Arguments.of("CONNECTION_LOST", Initiator.NETWORK, null),
                Arguments.of("DUPLICATE_CLIENTID", Initiator.SERVER, 0x8E), Arguments.of("FORBIDDEN_ACCESS", Initiator.SERVER, 0x87),
                Arguments.of("MQTT_KEEP_ALIVE_TIMEOUT", Initiator.SERVER, 0x8D), Arguments.of("SERVER_ERROR", Initiator.SERVER, 0x80),
                Arguments.of("SERVER_INITIATED_DISCONNECT", Initiator.SERVER, 0x8B),
                Arguments.of("API_INITIATED_DISCONNECT", Initiator.SERVER, 0x98), Arguments.of("THROTTLED", Initiator.SERVER, 0x96),
                Arguments.of("WEBSOCKET_TTL_EXPIRATION", Initiator.SERVER, 0xA0),
                Arguments.of("CUSTOMAUTH_TTL_EXPIRATION", Initiator.SERVER, 0xA0),
                Arguments.of("UNKNOWN", null, null), Arguments.of("NONE", null, null));
    }

    @ParameterizedTest
    @MethodSource("awsReasons")
    void awsReasonMapping(String reason, Initiator initiator, Integer code) throws Exception {
        LifecycleEvent e = one(aws, "$aws/events/presence/disconnected/x",
                "{\"clientId\":\"x\",\"timestamp\":1,\"eventType\":\"disconnected\",\"disconnectReason\":\"" + reason + "\"}");
        assertThat(e.initiator()).isEqualTo(initiator);
        assertThat(e.reasonCode()).isEqualTo(code);
    }

    @Test
    void awsSubscriptions() throws Exception {
        LifecycleEvent e = one(aws, "$aws/events/subscriptions/subscribed/x",
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
        assertThat(c.connectionId()).isEqualTo("watson:" + Instant.parse("2014-07-07T10:37:56.493Z").toEpochMilli());
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
        LifecycleEvent dropped = one(watson, "iot-2/type/t/id/i/mon",
                "{\"Action\":\"Disconnect\",\"Time\":\"2017-01-20T14:27:13.113Z\",\"ClientID\":\"d:o:t:i\","
                        + "\"Reason\":\"The connection was closed by the server.\"}");
        assertThat(dropped.initiator()).isEqualTo(Initiator.SERVER);
        assertThat(dropped.reason()).isEqualTo("The connection was closed by the server.");
    }

    @Test
    void nanomqEvents() throws Exception {
        LifecycleEvent c = one(nanomq, "$SYS/brokers/connected",
                "{\"username\":\"hello\", \"ts\":1691225605933,\"proto_name\":\"MQTT\",\"keepalive\":60,"
                        + "\"return_code\":\"0\",\"proto_ver\":4,\"client_id\":\"nanomq-8a2a5c2e\",\"clean_start\":1, "
                        + "\"IPv4\":\"127.0.0.1\"}");
        assertThat(c.type()).isEqualTo(EventType.CONNECTED);
        assertThat(c.clientId()).isEqualTo("nanomq-8a2a5c2e");
        assertThat(c.cleanStart()).isTrue();
        LifecycleEvent d = one(nanomq, "$SYS/brokers/disconnected",
                "{\"username\":\"hello\",\"ts\":1691225608391,\"reason_code\":\"8b\",\"client_id\":\"nanomq-8a2a5c2e\","
                        + "\"IPv4\":\"127.0.0.1\"}");
        assertThat(d.initiator()).isEqualTo(Initiator.SERVER);
        assertThat(d.reasonCode()).isEqualTo(0x8B);
        assertThat(d.reason()).isEqualTo("Server shutting down");
        assertThatThrownBy(() -> nanomq.decode("$SYS/brokers/disconnected",
                "{\"ts\":1,\"reason_code\":\"zz\",\"client_id\":\"x\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(DecodeException.class).hasMessageContaining("hex");
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
