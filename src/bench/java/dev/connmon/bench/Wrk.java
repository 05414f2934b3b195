package dev.connmon.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP latency through wrk (Debian package {@code wrk}), one connection, one request at a time: a C client adds far
 * less of its own latency and garbage-collection pauses to the tail than a JVM client on the same two cores.
 */
record Wrk(String p50, String p99, String requestsPerSecond, String non2xx) {

    static boolean installed() {
        return Files.isExecutable(Path.of("/usr/bin/wrk"));
    }

    /** A Lua script for {@code -s}: each request asks for {@code pathExpression}, a Lua expression. */
    static Path script(String lua) throws IOException {
        Path script = Files.createTempFile("connmon-bench", ".lua");
        Files.writeString(script, lua);
        return script;
    }

    /** Runs wrk for {@code seconds} against {@code target} ({@code -s script url} or a URL); empty without wrk. */
    static Optional<Wrk> run(int seconds, String authorization, List<String> target)
            throws IOException, InterruptedException {
        if (!installed()) {
            return Optional.empty();
        }
        List<String> command = new ArrayList<>(List.of(
                "wrk", "-t1", "-c1", "-d" + seconds + "s", "--latency", "-H", "Authorization: " + authorization));
        command.addAll(target);
        Process wrk = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        wrk.waitFor();
        return Optional.of(new Wrk(
                millis(output, "50%"),
                millis(output, "99%"),
                find(output, "Requests/sec:\\s+([0-9.]+)"),
                output.contains("Non-2xx") ? find(output, "Non-2xx or 3xx responses: (\\d+)") : "0"));
    }

    private static String millis(String output, String percentile) {
        Matcher m = Pattern.compile(percentile + "\\s+([0-9.]+)(us|ms|s)").matcher(output);
        if (!m.find()) {
            return "?";
        }
        double value = Double.parseDouble(m.group(1));
        double millis = switch (m.group(2)) {
            case "us" -> value / 1000;
            case "s" -> value * 1000;
            default -> value;
        };
        return String.format("%.2f", millis);
    }

    private static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? m.group(1) : "?";
    }
}
