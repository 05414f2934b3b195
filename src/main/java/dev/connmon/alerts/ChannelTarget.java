package dev.connmon.alerts;

import dev.connmon.config.ConnmonConfig;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One of a rule's channels and its address: a URL, or for PagerDuty the routing key. Slack and Teams URLs and
 * routing keys are secrets: {@link #toString} names only the channel, and {@link #redact} takes the address out of
 * any text that might carry it (an error, a receiver's answer).
 */
record ChannelTarget(Channel channel, String address) {
    /** The shortest start of a secret taken for the secret at a text's end. */
    private static final int MIN_CUT = 6;

    /** The rule's channels beside its webhook ({@code key} is the rule's prefix, {@code connmon.alerts.<rule>.}). */
    static List<ChannelTarget> of(String key, ConnmonConfig.Rule config) {
        List<ChannelTarget> targets = new ArrayList<>();
        add(targets, Channel.ALERTMANAGER, key + "alertmanager", config.alertmanager());
        add(targets, Channel.PAGERDUTY, key + "pagerduty-routing-key", config.pagerdutyRoutingKey());
        add(targets, Channel.SLACK, key + "slack", config.slack());
        add(targets, Channel.TEAMS, key + "teams", config.teams());
        return targets;
    }

    private static void add(List<ChannelTarget> targets, Channel channel, String key, Optional<String> value) {
        value.ifPresent(text -> targets.add(of(channel, key, text)));
    }

    /** The target of {@code key}, whose value must be an http(s) URL with a host unless it is a routing key. */
    static ChannelTarget of(Channel channel, String key, String value) {
        if (channel != Channel.PAGERDUTY) {
            url(key, value);
        } else if (value.isBlank()) {
            throw new IllegalArgumentException(key + ": must not be empty");
        }
        return new ChannelTarget(channel, value.strip());
    }

    /** The URL {@code value}, checked; the message names the key and never the value. */
    static URI url(String key, String value) {
        URI uri;
        try {
            uri = URI.create(value.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": not a URL");
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException(key + ": needs an http:// or https:// URL with a host");
        }
        return uri;
    }

    /** The text without the address (nor, for a URL, its path and query, where webhook tokens live). */
    String redact(String text) {
        if (text == null || channel == Channel.WEBHOOK) {
            return text;
        }
        String redacted = cut(text, address, "address");
        if (channel != Channel.PAGERDUTY) {
            URI uri = URI.create(address);
            redacted = cut(redacted, uri.getRawQuery(), "query");
            redacted = cut(redacted, uri.getRawPath(), "path");
        }
        return redacted;
    }

    /**
     * The text with every {@code part} replaced; also a start of it at the text's end, where the 4 KiB limit on a
     * receiver's answer may have cut it.
     */
    private String cut(String text, String part, String what) {
        if (part == null || part.length() < 2) {
            return text;
        }
        String marker = "<" + channel.wireName() + " " + what + ">";
        String replaced = text.replace(part, marker);
        for (int length = part.length() - 1; length >= MIN_CUT; length--) {
            if (replaced.endsWith(part.substring(0, length))) {
                return replaced.substring(0, replaced.length() - length) + marker;
            }
        }
        return replaced;
    }

    @Override
    public String toString() {
        return channel.wireName();
    }
}
