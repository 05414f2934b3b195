package dev.connmon.ingest;

/** MQTT topic filter matching (MQTT 5 §4.7), including a shared subscription's {@code $share/{group}/} prefix. */
final class TopicFilters {
    private static final String SHARE_PREFIX = "$share/";

    private TopicFilters() {
    }

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
}
