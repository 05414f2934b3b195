package dev.connmon.lifecycle.dialect;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * What decoding one Mosquitto log line costs, by kind of line, on distinct client ids (the dialect tracks each
 * connection): a harness that prints numbers, not a test.
 *
 * <pre>
 * ./mvnw -q -Pbench -DskipTests package exec:java -Dbench.main=dev.connmon.lifecycle.dialect.MosquittoDecodeBenchmark
 * </pre>
 */
public final class MosquittoDecodeBenchmark {
    private static final int CLIENTS = 10_000;
    private static final int PASSES = 20;
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 8);

    private MosquittoDecodeBenchmark() {}

    public static void main(String[] args) throws DecodeException {
        MosquittoDialect dialect = new MosquittoDialect(new SimpleMeterRegistry());
        // a device's connect is two lines; its end is one of the others
        Map<String, IntFunction<String>> kinds = new LinkedHashMap<>();
        kinds.put("new connection", i -> "New connection from 127.0.0.1:" + (20_000 + i) + " on port 1883.");
        kinds.put(
                "client connected",
                i -> "New client connected from 127.0.0.1:" + (20_000 + i) + " as device-" + i
                        + " (p2, c1, k60, u'fleet').");
        kinds.put("disconnected (client)", i -> "Client device-" + i + " disconnected.");
        kinds.put("closed its connection", i -> "Client device-" + i + " closed its connection.");
        kinds.put("exceeded timeout", i -> "Client device-" + i + " has exceeded timeout, disconnecting.");
        kinds.put("disconnected due to", i -> "Client device-" + i + " disconnected due to protocol error.");
        Map<String, byte[][]> lines = new LinkedHashMap<>();
        kinds.forEach((kind, line) -> {
            byte[][] payloads = new byte[CLIENTS][];
            for (int i = 0; i < CLIENTS; i++) {
                payloads[i] = ("1764000000: " + line.apply(i)).getBytes(StandardCharsets.UTF_8);
            }
            lines.put(kind, payloads);
        });
        System.out.printf(
                "µs per line, %d rounds of %d lines each (the first rounds warm the JIT up)%n",
                ROUNDS, CLIENTS * PASSES);
        for (int round = 1; round <= ROUNDS; round++) {
            StringBuilder out = new StringBuilder("round " + round + ":");
            for (Map.Entry<String, byte[][]> kind : lines.entrySet()) {
                long start = System.nanoTime();
                int events = 0;
                for (int pass = 0; pass < PASSES; pass++) {
                    for (byte[] payload : kind.getValue()) {
                        events += dialect.decode("bench", "$SYS/broker/log/N", payload)
                                .size();
                    }
                }
                double micros = (System.nanoTime() - start) / 1e3 / (PASSES * (double) CLIENTS);
                out.append(String.format("  %s %.2f (%d events)", kind.getKey(), micros, events));
            }
            System.out.println(out);
        }
    }
}
