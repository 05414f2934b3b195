package dev.connmon.alerts;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.connmon.query.StateFilter;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The payload of an alert on each channel but the webhook (docs/api.md §11): an Alertmanager API v2 postable alert,
 * a PagerDuty Events API v2 event, a Slack incoming-webhook message, a Teams Workflows message with an Adaptive Card.
 */
@ApplicationScoped
class ChannelPayloads {
    /** PagerDuty's limit on {@code payload.summary}. */
    static final int PAGERDUTY_SUMMARY = 1024;
    /** What connmon sends of {@code payload.source} at most: a host name's length; client ids may be longer. */
    static final int PAGERDUTY_SOURCE = 255;
    /** Slack's limit on a section's text. */
    static final int SLACK_SECTION = 3000;

    private final ObjectMapper mapper;
    private final AlertText text;

    ChannelPayloads(ObjectMapper mapper, AlertText text) {
        this.mapper = mapper;
        this.text = text;
    }

    /**
     * One postable alert. Labels identify it to Alertmanager (so the same for every send of one alert); {@code endsAt}
     * only once resolved: while it is absent Alertmanager keeps the alert for its {@code resolve_timeout} after each
     * send, and connmon sends open alerts again well within that.
     */
    ObjectNode alertmanager(AlertRule rule, Alert alert) {
        ObjectNode labels = mapper.createObjectNode()
                .put("alertname", alert.rule())
                .put("condition", alert.condition())
                .put("severity", rule.severity());
        if (alert.clientId() != null) {
            labels.put("client_id", alert.clientId());
            putIfText(
                    labels,
                    "client_type",
                    alert.clientState().path("clientType").asText(null));
            putIfText(labels, "device_type", StateFilter.deviceTypeOf(alert.clientId()));
        }
        ObjectNode annotations = mapper.createObjectNode()
                .put("summary", AlertText.headline(alert))
                .put("alert_id", alert.id())
                .put("since", alert.since())
                .put("opened_at", alert.openedAt());
        putIfText(annotations, "last_disconnect", AlertText.lastDisconnect(alert));
        ObjectNode postable = mapper.createObjectNode();
        postable.set("labels", labels);
        postable.set("annotations", annotations);
        postable.put("startsAt", alert.since());
        if (AlertText.resolved(alert)) {
            postable.put("endsAt", alert.resolvedAt());
        }
        return postable.put("generatorURL", text.link(alert));
    }

    /** A trigger at the opening, a resolve at the resolution; {@code dedup_key} is the alert's id. */
    ObjectNode pagerduty(AlertRule rule, Alert alert, String routingKey) {
        ObjectNode event = mapper.createObjectNode()
                .put("routing_key", routingKey)
                .put("event_action", AlertText.resolved(alert) ? "resolve" : "trigger")
                .put("dedup_key", alert.id());
        if (AlertText.resolved(alert)) {
            return event;
        }
        ObjectNode details = mapper.createObjectNode()
                .put("alert_id", alert.id())
                .put("rule", alert.rule())
                .put("condition", alert.condition())
                .put("since", alert.since())
                .put("opened_at", alert.openedAt());
        putIfText(details, "last_disconnect", AlertText.lastDisconnect(alert));
        details.set("client_state", alert.clientState());
        ObjectNode payload = mapper.createObjectNode()
                .put("summary", cut(AlertText.headline(alert), PAGERDUTY_SUMMARY))
                .put(
                        "source",
                        cut(
                                alert.clientId() != null ? alert.clientId() : "connmon rule " + alert.rule(),
                                PAGERDUTY_SOURCE))
                .put("severity", rule.severity())
                .put("timestamp", alert.since())
                .put("group", alert.rule())
                .put("class", alert.condition());
        putIfText(payload, "component", alert.clientState().path("clientType").asText(null));
        payload.set("custom_details", details);
        event.set("payload", payload);
        event.put("client", "connmon").put("client_url", text.link(alert));
        event.putArray("links")
                .addObject()
                .put("href", text.link(alert))
                .put("text", "connmon: " + cut(AlertText.subject(alert), 200));
        return event;
    }

    /** {@code text} for notifications and old clients, and the same in blocks; every client text escaped. */
    ObjectNode slack(AlertRule rule, Alert alert) {
        boolean resolved = AlertText.resolved(alert);
        String headline = AlertText.headline(alert);
        StringBuilder section = new StringBuilder(resolved ? ":white_check_mark: *" : ":rotating_light: *")
                .append(slackEscape(headline))
                .append('*');
        String disconnect = AlertText.lastDisconnect(alert);
        if (disconnect != null && !resolved) {
            section.append("\nLast disconnect: ").append(slackEscape(disconnect));
        }
        section.append("\n<").append(text.link(alert)).append("|Open in connmon>");
        ObjectNode message = mapper.createObjectNode().put("text", slackEscape(headline));
        ArrayNode blocks = message.putArray("blocks");
        ObjectNode first = blocks.addObject().put("type", "section");
        first.putObject("text").put("type", "mrkdwn").put("text", cut(section.toString(), SLACK_SECTION));
        ObjectNode context = blocks.addObject().put("type", "context");
        context.putArray("elements")
                .addObject()
                .put("type", "mrkdwn")
                .put("text", slackEscape("rule " + alert.rule() + " · " + rule.severity() + " · alert " + alert.id()));
        return message;
    }

    /** The Workflows webhook's message envelope around one Adaptive Card (1.4, which Teams renders everywhere). */
    ObjectNode teams(AlertRule rule, Alert alert) {
        boolean resolved = AlertText.resolved(alert);
        ObjectNode card = mapper.createObjectNode()
                .put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json")
                .put("type", "AdaptiveCard")
                .put("version", "1.4");
        // rich text runs, not TextBlocks or a FactSet: those render markdown, and a client id is the client's to choose
        ArrayNode body = card.putArray("body");
        ObjectNode headline = body.addObject().put("type", "RichTextBlock");
        headline.putArray("inlines")
                .addObject()
                .put("type", "TextRun")
                .put("text", AlertText.headline(alert))
                .put("weight", "Bolder")
                .put("size", "Medium")
                .put("color", resolved ? "Good" : "Attention");
        fact(body, "Client", AlertText.subject(alert));
        fact(body, "Condition", alert.condition());
        fact(body, "Since", alert.since());
        fact(body, resolved ? "Resolved" : "Opened", resolved ? alert.resolvedAt() : alert.openedAt());
        fact(body, "Last disconnect", AlertText.lastDisconnect(alert));
        fact(body, "Rule", alert.rule() + " (" + rule.severity() + ")");
        card.putArray("actions")
                .addObject()
                .put("type", "Action.OpenUrl")
                .put("title", "Open in connmon")
                .put("url", text.link(alert));
        ObjectNode message = mapper.createObjectNode().put("type", "message");
        ObjectNode attachment = message.putArray("attachments")
                .addObject()
                .put("contentType", "application/vnd.microsoft.card.adaptive")
                .putNull("contentUrl");
        attachment.set("content", card);
        return message;
    }

    /** "Title: value" as one line of plain text runs. */
    private static void fact(ArrayNode body, String title, String value) {
        if (value != null) {
            ArrayNode inlines = body.addObject().put("type", "RichTextBlock").putArray("inlines");
            inlines.addObject().put("type", "TextRun").put("text", title + ": ").put("weight", "Bolder");
            inlines.addObject().put("type", "TextRun").put("text", value);
        }
    }

    private static void putIfText(ObjectNode node, String field, String value) {
        if (value != null && !value.isEmpty()) {
            node.put(field, value);
        }
    }

    /** Slack's three control characters, as its message formatting asks. */
    static String slackEscape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
