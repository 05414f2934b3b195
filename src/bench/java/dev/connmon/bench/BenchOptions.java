package dev.connmon.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options every harness passes through: {@code -Dbench.pg.<setting>=…} to the PostgreSQL it starts,
 * {@code -Dbench.app.<key>=…} to connmon and {@code -Dbench.app.jvm-args="…"} to connmon's JVM.
 */
final class BenchOptions {
    private BenchOptions() {}

    /** PostgreSQL server settings ({@code bench.pg.synchronous-commit} is the harnesses' own switch, not one). */
    static Map<String, String> postgresSettings() {
        return prefixed("bench.pg.", "bench.pg.synchronous-commit");
    }

    /** connmon settings. */
    static Map<String, String> appSettings() {
        return prefixed("bench.app.", "bench.app.jvm-args");
    }

    /** Options for connmon's JVM, split at white space. */
    static List<String> appJvmArgs() {
        String args = System.getProperty("bench.app.jvm-args", "").trim();
        return args.isEmpty() ? List.of() : List.of(args.split("\\s+"));
    }

    private static Map<String, String> prefixed(String prefix, String except) {
        Map<String, String> settings = new LinkedHashMap<>();
        System.getProperties().stringPropertyNames().stream()
                .filter(k -> k.startsWith(prefix) && !k.equals(except))
                .forEach(k -> settings.put(k.substring(prefix.length()), System.getProperty(k)));
        return settings;
    }
}
