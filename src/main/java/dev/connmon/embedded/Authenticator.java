package dev.connmon.embedded;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionAttributeStore;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.connect.ConnectPacket;
import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.ReasonCodes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.UUID;

/**
 * Checks device credentials against {@code connmon.embedded.users} and API keys against connmon's keys (CONTRACT §8:
 * user name = key, password = token; a key that may read marks its connection a monitoring reader), lets anonymous
 * devices in when allowed, and marks connmon's own connection. Every connection gets a connection id here, which its connect and disconnect
 * events carry so that a late disconnect never ends a newer connection. Refusals are connect_failed events.
 */
final class Authenticator implements SimpleAuthenticator {
    /** connmon's own connection may hold this many undelivered lifecycle events while it catches up. */
    private static final long SYSTEM_QUEUE_SIZE = 1_000_000;
    /**
     * Messages the broker may send connmon's own connection ahead of their PUBACKs. connmon acks a message only once
     * its batch is committed, so this window bounds its batches: HiveMQ's default, 50, held them to 50 events
     * (issue 7). It matches what connmon asks for, two batches of the default size; connmon pauses its socket beyond.
     */
    static final int SYSTEM_RECEIVE_MAXIMUM = 1000;
    /** HiveMQ's own in-flight window, kept for devices now that the broker-wide one is connmon's (EmbeddedBroker). */
    private static final int DEVICE_RECEIVE_MAXIMUM = 50;

    private final BrokerSettings settings;
    private final LifecycleEmitter emitter;

    Authenticator(BrokerSettings settings, LifecycleEmitter emitter) {
        this.settings = settings;
        this.emitter = emitter;
    }

    @Override
    public void onConnect(SimpleAuthInput input, SimpleAuthOutput output) {
        ConnectPacket connect = input.getConnectPacket();
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
                refuse(
                        input,
                        output,
                        ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD,
                        ReasonCodes.BAD_USER_NAME_OR_PASSWORD);
            }
            return;
        }
        ApiKeys.Key apiKey = username == null ? null : settings.apiKeys().get(username);
        if (apiKey != null) {
            if (!matches(apiKey.token(), password)) {
                refuse(
                        input,
                        output,
                        ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD,
                        ReasonCodes.BAD_USER_NAME_OR_PASSWORD);
                return;
            }
            if (apiKey.mayReadMonitoring()) {
                attributes.putAsString(LifecycleExtension.MONITOR_READER, "true");
            }
            admit(connect, attributes, output, username);
            return;
        }
        String expected = username == null ? null : settings.users().get(username);
        if (expected != null && !matches(expected, password)) {
            refuse(input, output, ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, ReasonCodes.BAD_USER_NAME_OR_PASSWORD);
            return;
        }
        if (expected == null && !settings.anonymous()) {
            boolean triedCredentials = username != null || password != null;
            if (triedCredentials) {
                refuse(
                        input,
                        output,
                        ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD,
                        ReasonCodes.BAD_USER_NAME_OR_PASSWORD);
            } else {
                refuse(input, output, ConnackReasonCode.NOT_AUTHORIZED, ReasonCodes.NOT_AUTHORIZED);
            }
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

    private void refuse(SimpleAuthInput input, SimpleAuthOutput output, ConnackReasonCode connack, int code) {
        ConnectPacket connect = input.getConnectPacket();
        ObjectNode event = emitter.event(EventType.CONNECT_FAILED, connect.getClientId());
        event.put("reasonCode", code);
        event.put("reason", ReasonCodes.connackReason(code));
        event.put("protocolVersion", HiveMqReasonCodes.protocol(connect.getMqttVersion()));
        connect.getUserName().ifPresent(user -> event.put("username", user));
        input.getConnectionInformation().getInetAddress().ifPresent(a -> event.put("ipAddress", a.getHostAddress()));
        if (!connect.getClientId().isEmpty()) {
            emitter.publish(event);
        }
        output.failAuthentication(connack, ReasonCodes.connackReason(code));
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
