package dev.connmon.embedded;

import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.general.DisconnectedReasonCode;
import com.hivemq.extension.sdk.api.packets.general.MqttVersion;
import dev.connmon.lifecycle.Mqtt5ConnAckReasonCode;

/** HiveMQ's enums as the numbers and names connmon's canonical events carry. */
final class HiveMqReasonCodes {
    private HiveMqReasonCodes() {}

    static int code(DisconnectedReasonCode reason) {
        return switch (reason) {
            case SUCCESS, NORMAL_DISCONNECTION -> 0x00;
            case DISCONNECT_WITH_WILL_MESSAGE -> 0x04;
            case UNSPECIFIED_ERROR -> 0x80;
            case MALFORMED_PACKET -> 0x81;
            case PROTOCOL_ERROR -> 0x82;
            case IMPLEMENTATION_SPECIFIC_ERROR -> 0x83;
            case UNSUPPORTED_PROTOCOL_VERSION -> 0x84;
            case CLIENT_IDENTIFIER_NOT_VALID -> 0x85;
            case BAD_USER_NAME_OR_PASSWORD -> 0x86;
            case NOT_AUTHORIZED -> 0x87;
            case SERVER_UNAVAILABLE -> 0x88;
            case SERVER_BUSY -> 0x89;
            case BANNED -> 0x8A;
            case SERVER_SHUTTING_DOWN -> 0x8B;
            case BAD_AUTHENTICATION_METHOD -> 0x8C;
            case KEEP_ALIVE_TIMEOUT -> 0x8D;
            case SESSION_TAKEN_OVER -> 0x8E;
            case TOPIC_FILTER_INVALID -> 0x8F;
            case TOPIC_NAME_INVALID -> 0x90;
            case RECEIVE_MAXIMUM_EXCEEDED -> 0x93;
            case TOPIC_ALIAS_INVALID -> 0x94;
            case PACKET_TOO_LARGE -> 0x95;
            case MESSAGE_RATE_TOO_HIGH -> 0x96;
            case QUOTA_EXCEEDED -> 0x97;
            case ADMINISTRATIVE_ACTION -> 0x98;
            case PAYLOAD_FORMAT_INVALID -> 0x99;
            case RETAIN_NOT_SUPPORTED -> 0x9A;
            case QOS_NOT_SUPPORTED -> 0x9B;
            case USE_ANOTHER_SERVER -> 0x9C;
            case SERVER_MOVED -> 0x9D;
            case SHARED_SUBSCRIPTION_NOT_SUPPORTED -> 0x9E;
            case CONNECTION_RATE_EXCEEDED -> 0x9F;
            case MAXIMUM_CONNECT_TIME -> 0xA0;
            case SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED -> 0xA1;
            case WILDCARD_SUBSCRIPTION_NOT_SUPPORTED -> 0xA2;
        };
    }

    /** The CONNACK reason code connmon refuses a connection with, as HiveMQ's enum. */
    static ConnackReasonCode connack(Mqtt5ConnAckReasonCode reason) {
        return switch (reason) {
            case CLIENT_IDENTIFIER_NOT_VALID -> ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID;
            case BAD_USER_NAME_OR_PASSWORD -> ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD;
            case NOT_AUTHORIZED -> ConnackReasonCode.NOT_AUTHORIZED;
            default -> throw new IllegalArgumentException("no refusal: " + reason);
        };
    }

    static String protocol(MqttVersion version) {
        return switch (version) {
            case V_3_1 -> "3.1";
            case V_3_1_1 -> "3.1.1";
            case V_5 -> "5.0";
        };
    }
}
