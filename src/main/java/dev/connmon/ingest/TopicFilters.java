package dev.connmon.ingest;

/** MQTT topic filter matching (MQTT 5 §4.7), including a shared subscription's {@code $share/{group}/} prefix. */
final class TopicFilters {
    private static final String SHARE_PREFIX = "$share/";

    private TopicFilters() {}

    static boolean matches(String filter, String topic) {
        if (filter.startsWith(SHARE_PREFIX)) {
            int groupEnd = filter.indexOf('/', SHARE_PREFIX.length());
            if (groupEnd < 0) {
                return false;
            }
            filter = filter.substring(groupEnd + 1);
        }
        // a wildcard at the first level never matches a topic starting with '$' (§4.7.2)
        if (topic.startsWith("$") && (filter.startsWith("#") || filter.startsWith("+"))) {
            return false;
        }
        String[] filterLevels = filter.split("/", -1);
        String[] topicLevels = topic.split("/", -1);
        for (int i = 0; i < filterLevels.length; i++) {
            if (filterLevels[i].equals("#")) {
                return true;
            }
            if (i >= topicLevels.length) {
                return false;
            }
            if (!filterLevels[i].equals("+") && !filterLevels[i].equals(topicLevels[i])) {
                return false;
            }
        }
        return filterLevels.length == topicLevels.length;
    }

    /** Whether some topic matches both filters (shared-subscription prefixes removed). */
    static boolean overlap(String a, String b) {
        String[] x = unshared(a).split("/", -1);
        String[] y = unshared(b).split("/", -1);
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            if (x[i].equals("#") || y[i].equals("#")) {
                return true;
            }
            if (!x[i].equals("+") && !y[i].equals("+") && !x[i].equals(y[i])) {
                return false;
            }
        }
        // "a/#" also matches "a"
        return x.length == y.length
                || x.length == y.length + 1 && x[y.length].equals("#")
                || y.length == x.length + 1 && y[x.length].equals("#");
    }

    private static String unshared(String filter) {
        if (filter.startsWith(SHARE_PREFIX)) {
            int groupEnd = filter.indexOf('/', SHARE_PREFIX.length());
            return groupEnd < 0 ? filter : filter.substring(groupEnd + 1);
        }
        return filter;
    }
}
