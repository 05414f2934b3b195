package dev.connmon.embedded;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionAttributeStore;
import com.hivemq.extension.sdk.api.packets.connect.ConnectPacket;
import com.hivemq.extension.sdk.api.packets.general.MqttVersion;
import dev.connmon.lifecycle.ClientIds;
import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.Mqtt5ConnAckReasonCode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.UUID;

/**
 * Checks device credentials against {@code connmon.embedded.users} and API keys against connmon's keys (docs/api.md
 * §8: user name = key, password = token; a key that may read marks its connection a monitoring reader), lets
 * anonymous devices in when allowed, and marks connmon's own connection. connmon's own client ids are its alone, and a
 * device user bound to client ids connects with those only. Every connection gets a connection id here, which its
 * connect and disconnect events carry so that a late disconnect never ends a newer connection. Refusals are
 * connect_failed events.
 */
final class Authenticator implements SimpleAuthenticator {
    /** connmon's own connection may hold this many undelivered lifecycle events while it catches up. */
    private static final long SYSTEM_QUEUE_SIZE = 1_000_000;
    /**
     * Messages the broker may send connmon's own connection ahead of their PUBACKs. connmon acks a message only once
     * its batch is committed, so this window bounds its batches: HiveMQ's default, 50, held them to 50 events.
     * It matches what connmon asks for, two batches of the default size; connmon pauses its socket beyond.
     */
    static final int SYSTEM_RECEIVE_MAXIMUM = 1000;
    /** HiveMQ's own in-flight window, kept for devices now that the broker-wide one is connmon's (EmbeddedBroker). */
    private static final int DEVICE_RECEIVE_MAXIMUM = 50;
    /**
     * Longer user names are refused: no credential is this long, and HiveMQ keeps a connection's attributes (the
     * user name among them) to 10 kB. A refused one is recorded cut to this length.
     */
    static final int MAX_USER_NAME_BYTES = 1024;

    private final BrokerSettings settings;
    private final LifecycleEmitter emitter;

    Authenticator(BrokerSettings settings, LifecycleEmitter emitter) {
        this.settings = settings;
        this.emitter = emitter;
    }

    @Override
    public void onConnect(SimpleAuthInput input, SimpleAuthOutput output) {
        ConnectPacket connect = input.getConnectPacket();
        String clientId = connect.getClientId();
        String username = connect.getUserName().orElse(null);
        String password = connect.getPassword().map(Authenticator::utf8).orElse(null);
        ConnectionAttributeStore attributes = input.getConnectionInformation().getConnectionAttributeStore();

        if (settings.systemUsername().equals(username)) {
            if (matches(settings.systemPassword(), password)) {
                attributes.putAsString(LifecycleExtension.SYSTEM, "true");
                output.getClientSettings().setClientQueueSizeMaximum(SYSTEM_QUEUE_SIZE);
                output.getClientSettings().setClientReceiveMaximum(SYSTEM_RECEIVE_MAXIMUM);
                output.authenticateSuccessfully();
            } else {
                refuse(input, output, Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
            }
            return;
        }
        // taking one of connmon's ids would end connmon's own session (a takeover) and wipe its queued events
        if (settings.reservedClientIds().contains(clientId)) {
            refuse(input, output, Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
            return;
        }
        // HiveMQ counts an id's characters; an id that ingestion cannot store would be a client nobody sees
        if (!clientId.isEmpty() && ClientIds.problem(clientId).isPresent()) {
            refuse(input, output, Mqtt5ConnAckReasonCode.CLIENT_IDENTIFIER_NOT_VALID);
            return;
        }
        if (username != null && username.getBytes(StandardCharsets.UTF_8).length > MAX_USER_NAME_BYTES) {
            refuse(input, output, Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
            return;
        }
        ApiKeys.Key apiKey = username == null ? null : settings.apiKeys().get(username);
        if (apiKey != null) {
            if (!matches(apiKey.token(), password)) {
                refuse(input, output, Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
                return;
            }
            if (apiKey.mayReadMonitoring()) {
                attributes.putAsString(LifecycleExtension.MONITOR_READER, "true");
            }
            admit(connect, attributes, output, username);
            return;
        }
        String expected = username == null ? null : settings.users().get(username);
        if (expected != null) {
            if (!matches(expected, password)) {
                refuse(input, output, Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
                return;
            }
            ClientIdGlobs bound = settings.userClientIds().get(username);
            if (bound != null && !bound.matches(clientId)) {
                refuse(input, output, Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
                return;
            }
        } else if (!settings.anonymous()) {
            boolean triedCredentials = username != null || password != null;
            refuse(
                    input,
                    output,
                    triedCredentials
                            ? Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD
                            : Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
            return;
        }
        admit(connect, attributes, output, username);
    }

    /** A device or application: tracked like any client, with a connection id of its own. */
    private static void admit(
            ConnectPacket connect, ConnectionAttributeStore attributes, SimpleAuthOutput output, String username) {
        output.getClientSettings()
                .setClientReceiveMaximum(
                        Math.min(output.getClientSettings().getClientReceiveMaximum(), DEVICE_RECEIVE_MAXIMUM));
        attributes.putAsString(
                LifecycleExtension.CONNECTION_ID, UUID.randomUUID().toString());
        if (username != null) {
            attributes.putAsString(LifecycleExtension.USERNAME, username);
        }
        attributes.putAsString(LifecycleExtension.KEEP_ALIVE, Integer.toString(connect.getKeepAlive()));
        attributes.putAsString(LifecycleExtension.CLEAN_START, Boolean.toString(connect.getCleanStart()));
        output.authenticateSuccessfully();
    }

    /**
     * Refuses the connection with {@code reason}, recorded as a connect_failed event. An MQTT 3.1.1
     * client with bad credentials hears "not authorized" (return code 5), as Watson IoT answered: IBM's SDKs stop
     * retrying on 5 only, and would otherwise reconnect forever. The event keeps the reason, 0x86.
     */
    private void refuse(SimpleAuthInput input, SimpleAuthOutput output, Mqtt5ConnAckReasonCode reason) {
        ConnectPacket connect = input.getConnectPacket();
        ObjectNode event = emitter.event(EventType.CONNECT_FAILED, connect.getClientId());
        event.put("reasonCode", reason.code());
        event.put("reason", reason.text());
        event.put("protocolVersion", HiveMqReasonCodes.protocol(connect.getMqttVersion()));
        connect.getUserName().ifPresent(user -> event.put("username", cut(user, MAX_USER_NAME_BYTES)));
        input.getConnectionInformation().getInetAddress().ifPresent(a -> event.put("ipAddress", a.getHostAddress()));
        if (!connect.getClientId().isEmpty()) {
            emitter.publish(event);
        }
        Mqtt5ConnAckReasonCode answered = reason == Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD
                        && connect.getMqttVersion() != MqttVersion.V_5
                ? Mqtt5ConnAckReasonCode.NOT_AUTHORIZED
                : reason;
        output.failAuthentication(HiveMqReasonCodes.connack(answered), answered.text());
    }

    /** At most {@code max} characters, never half a surrogate pair. */
    static String cut(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        return text.substring(0, end);
    }

    private static boolean matches(String expected, String actual) {
        return actual != null
                && MessageDigest.isEqual(
                        expected.getBytes(StandardCharsets.UTF_8), actual.getBytes(StandardCharsets.UTF_8));
    }

    private static String utf8(ByteBuffer buffer) {
        return StandardCharsets.UTF_8.decode(buffer.duplicate()).toString();
    }
}
