package dev.connmon.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.connmon.config.ConnmonConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * What an alert says to a person (docs/api.md §11): its headline, the client's last disconnect, and the link to the
 * client's dashboard page ({@code connmon.alerts.dashboard-url} + {@code #/clients/<id>}, the fleet's overview for a
 * fleet-drop alert). Every channel but the webhook words its message from these.
 */
// made at startup: the default dashboard address asks for this host's name, which must not block an event loop
@Startup
@ApplicationScoped
class AlertText {
    private static final String UNRESERVED = "-_.!~*'()";
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final String dashboard;

    @Inject
    AlertText(ConnmonConfig config, @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080") int port) {
        this(config.alerts().dashboardUrl().orElseGet(() -> "http://" + hostName() + ":" + port + "/"));
    }

    AlertText(String dashboard) {
        this.dashboard = dashboard.endsWith("/") ? dashboard : dashboard + "/";
    }

    /** The client's dashboard page, or the overview for a fleet alert. */
    String link(Alert alert) {
        return alert.clientId() == null ? dashboard + "#/" : dashboard + "#/clients/" + uriComponent(alert.clientId());
    }

    /** What the alert is about: the client, or the rule's watched clients. */
    static String subject(Alert alert) {
        return alert.clientId() != null ? alert.clientId() : "the clients of rule " + alert.rule();
    }

    /** One line: "d:acme:pump:7 is offline since …", or what a resolution says. */
    static String headline(Alert alert) {
        if (resolved(alert)) {
            return "Resolved: " + subject(alert) + " is no longer " + alert.condition() + " (since " + alert.since()
                    + ", resolved " + alert.resolvedAt() + ")";
        }
        if (alert.clientId() == null) {
            JsonNode counts = alert.clientState();
            return counts.path("dropped").asLong() + " of "
                    + counts.path("watched").asLong() + " watched clients dropped (rule " + alert.rule() + ") since "
                    + alert.since();
        }
        return alert.clientId() + " is " + alert.condition() + " since " + alert.since();
    }

    /** The client's last disconnect at the opening, "Keep Alive timeout (reason code 0x8D, by network)"; or null. */
    static String lastDisconnect(Alert alert) {
        JsonNode state = alert.clientState();
        if (alert.clientId() == null
                || state.path("lastDisconnectTime").isNull()
                || state.path("lastDisconnectTime").isMissingNode()) {
            return null;
        }
        StringBuilder text =
                new StringBuilder(state.path("lastDisconnectReason").asText("unknown reason"));
        JsonNode code = state.path("lastDisconnectReasonCode");
        String initiator = state.path("lastDisconnectInitiator").asText(null);
        if (code.isNumber() || initiator != null) {
            text.append(" (");
            if (code.isNumber()) {
                text.append(String.format("reason code 0x%02X", code.asInt()));
            }
            if (initiator != null) {
                text.append(code.isNumber() ? ", " : "").append("by ").append(initiator);
            }
            text.append(')');
        }
        return text.append(" at ")
                .append(state.path("lastDisconnectTime").asText())
                .toString();
    }

    static boolean resolved(Alert alert) {
        return "resolved".equals(alert.state());
    }

    /** As JavaScript's encodeURIComponent, which the dashboard's router reverses. */
    static String uriComponent(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || UNRESERVED.indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 15]);
            }
        }
        return out.toString();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            Log.warnf("Alerts: cannot tell this host's name (%s); set connmon.alerts.dashboard-url", e.getMessage());
            return "localhost";
        }
    }
}
