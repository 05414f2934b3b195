package dev.connmon.embedded;

import dev.connmon.lifecycle.dialect.WatsonDialect;
import java.util.ArrayList;
import java.util.List;

/**
 * The monitoring topics (docs/api.md §8) as topic filters: the tree of the monitoring topic template (§4), the Watson
 * status topics (§7) and the alert topics (§11); and the two questions the broker's guard asks of them.
 */
final class MonitorTopics {
    static final String ALERTS = "connmon/alerts/#";

    private MonitorTopics() {}

    /**
     * Filters for a monitoring topic template: the template with its {@code {clientId}} level as {@code +} (an id is
     * always one escaped level); under {@code connmon/}, which is connmon's alone anyway, the whole tree from that
     * level down ({@code connmon/clients/{clientId}/state} → {@code connmon/clients/#}). A template elsewhere keeps
     * its exact shape, so that devices' own topics beside it stay theirs.
     */
    static List<String> filters(String template) {
        List<String> filters = new ArrayList<>();
        int at = template.indexOf("{clientId}");
        if (at < 0) {
            filters.add(template);
        } else if (template.startsWith("connmon/")) {
            filters.add(template.substring(0, template.lastIndexOf('/', at) + 1) + "#");
        } else {
            filters.add(template.replace("{clientId}", "+"));
        }
        filters.addAll(WatsonDialect.STATUS_FILTERS);
        filters.add(ALERTS);
        return List.copyOf(filters);
    }

    /** Whether {@code topic} is a monitoring topic. */
    static boolean isMonitoring(List<String> filters, String topic) {
        for (String filter : filters) {
            if (matches(filter, topic)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether every topic {@code filter} matches is a monitoring topic: a subscription that names them (refused),
     * as opposed to a wider wildcard such as {@code #} or {@code iot-2/#}, which gets the other topics only.
     */
    static boolean namesOnlyMonitoring(List<String> filters, String filter) {
        String unshared = unshared(filter);
        for (String monitoring : filters) {
            if (covers(monitoring.split("/", -1), unshared.split("/", -1))) {
                return true;
            }
        }
        return false;
    }

    /** MQTT matching (§4.7) of a topic against a filter. */
    static boolean matches(String filter, String topic) {
        if (topic.startsWith("$") && (filter.startsWith("#") || filter.startsWith("+"))) {
            return false;
        }
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length || !f[i].equals("+") && !f[i].equals(t[i])) {
                return false;
            }
        }
        return f.length == t.length;
    }

    /** Whether {@code outer} matches every topic {@code inner} matches. */
    private static boolean covers(String[] outer, String[] inner) {
        for (int i = 0; i < outer.length; i++) {
            if (outer[i].equals("#")) {
                return true;
            }
            if (i >= inner.length || inner[i].equals("#")) {
                return false;
            }
            if (!outer[i].equals("+") && (inner[i].equals("+") || !outer[i].equals(inner[i]))) {
                return false;
            }
        }
        return outer.length == inner.length;
    }

    private static String unshared(String filter) {
        if (filter.startsWith("$share/")) {
            int groupEnd = filter.indexOf('/', "$share/".length());
            return groupEnd < 0 ? filter : filter.substring(groupEnd + 1);
        }
        return filter;
    }
}
