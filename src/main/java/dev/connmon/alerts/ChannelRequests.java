package dev.connmon.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.connmon.config.ConnmonConfig;
import io.vertx.core.MultiMap;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/**
 * The HTTP request of a stored delivery on its channel (docs/api.md §11): the webhook's signed body as stored, or the
 * channel's own payload rendered from it, sent to the address the rule names now.
 */
@ApplicationScoped
class ChannelRequests {
    /** A POST to make; {@code target} names the channel's address, so that errors can be stripped of it. */
    record Request(String url, MultiMap headers, String body, ChannelTarget target) {}

    private final AlertRules rules;
    private final ChannelPayloads payloads;
    private final ObjectMapper mapper;
    private final String pagerdutyUrl;

    ChannelRequests(AlertRules rules, ChannelPayloads payloads, ObjectMapper mapper, ConnmonConfig config) {
        this.rules = rules;
        this.payloads = payloads;
        this.mapper = mapper;
        this.pagerdutyUrl = ChannelTarget.url(
                        "connmon.alerts.pagerduty-url", config.alerts().pagerdutyUrl())
                .toString();
    }

    /**
     * The delivery's request, or null when its rule no longer routes to its channel (the configuration changed since
     * the alert was stored): then there is nowhere to send it.
     */
    Request request(DeliveryRepository.Due delivery) {
        AlertRule rule = rules.named(delivery.rule());
        if (delivery.channel() == Channel.WEBHOOK) {
            return new Request(
                    delivery.webhook(),
                    webhookHeaders(delivery, rule),
                    delivery.body(),
                    new ChannelTarget(Channel.WEBHOOK, delivery.webhook()));
        }
        ChannelTarget target = rule == null ? null : rule.target(delivery.channel());
        if (target == null) {
            return null;
        }
        Alert alert = alert(delivery.body());
        return switch (delivery.channel()) {
            case ALERTMANAGER -> alertmanager(target, rule, alert);
            case PAGERDUTY -> json(pagerdutyUrl, payloads.pagerduty(rule, alert, target.address()), target);
            case SLACK -> json(target.address(), payloads.slack(rule, alert), target);
            case TEAMS -> json(target.address(), payloads.teams(rule, alert), target);
            case WEBHOOK -> throw new IllegalStateException("handled above");
        };
    }

    /** Alerts for one Alertmanager, in one request (its API takes a list). */
    Request alertmanager(ChannelTarget target, AlertRule rule, Alert... alerts) {
        ArrayNode list = mapper.createArrayNode();
        for (Alert alert : alerts) {
            list.add(payloads.alertmanager(rule, alert));
        }
        String base = target.address().replaceAll("/+$", "");
        return json(base + "/api/v2/alerts", list, target);
    }

    private Request json(String url, JsonNode body, ChannelTarget target) {
        return new Request(url, headers(), body.toString(), target);
    }

    private Alert alert(String body) {
        try {
            return mapper.treeToValue(mapper.readTree(body).get("alert"), Alert.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored delivery is not the webhook's JSON", e);
        }
    }

    private static MultiMap headers() {
        return MultiMap.caseInsensitiveMultiMap()
                .add("Content-Type", "application/json")
                .add("User-Agent", "connmon");
    }

    /**
     * The webhook's headers (docs/api.md §11). Each attempt is signed anew with the time it is sent, so that a
     * receiver can refuse a replayed request: {@code X-Connmon-Signature-V2} covers {@code <timestamp>.<body>};
     * {@code X-Connmon-Signature} (the body alone) stays for receivers that check only it.
     */
    private static MultiMap webhookHeaders(DeliveryRepository.Due delivery, AlertRule rule) {
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        MultiMap headers = MultiMap.caseInsensitiveMultiMap()
                .add("Content-Type", "application/json")
                .add("X-Connmon-Delivery", delivery.deliveryId().toString())
                .add("X-Connmon-Timestamp", timestamp);
        if (rule != null && rule.webhookSecret() != null) {
            headers.add("X-Connmon-Signature", "sha256=" + WebhookSender.hmac(rule.webhookSecret(), delivery.body()));
            headers.add(
                    "X-Connmon-Signature-V2",
                    "sha256=" + WebhookSender.hmac(rule.webhookSecret(), timestamp + "." + delivery.body()));
        }
        return headers;
    }
}
