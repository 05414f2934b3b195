package dev.connmon.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * Hostile variants of real lifecycle payloads for fuzz tests: bit flips, truncation, junk, huge numbers, wrong
 * types, deep nesting, invalid UTF-8, NUL, giant strings, empty and random bytes; and benign variants (unknown
 * fields, other whitespace) that a decoder must still accept. Everything is drawn from the given {@link Random},
 * so that a seed replays a run.
 */
public final class HostilePayloads {
    /** The mutations, by name, so that a failure names the one that produced the payload. */
    public enum Kind {
        BIT_FLIP,
        TRUNCATE,
        JUNK,
        HUGE_NUMBER,
        WRONG_TYPE,
        DEEP_NESTING,
        INVALID_UTF8,
        NUL,
        GIANT_STRING,
        EMPTY,
        RANDOM_BYTES,
        SPLICE,
        REPEAT,
        QUOTES
    }

    /** A mutated payload and how it was made. */
    public record Mutant(Kind kind, byte[] payload) {}

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Kind[] KINDS = Kind.values();
    private static final String[] HUGE_NUMBERS = {
        "1" + "0".repeat(400),
        "-9223372036854775809",
        "9223372036854775808",
        "1e999",
        "-1e999",
        "1.5",
        "-0",
        "4294967296",
        "99999999999999999999",
        "1E+2147483648",
        "0x10",
        "NaN",
        "253402300800000",
        "-62135596800001",
        "1" + "9".repeat(2000)
    };
    private static final byte[][] BAD_UTF8 = {
        {(byte) 0xC3, 0x28},
        {(byte) 0xFF},
        {(byte) 0xFE, (byte) 0xFF},
        {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        {(byte) 0xC0, (byte) 0xAF},
        {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
        {(byte) 0xE2, (byte) 0x82},
        {(byte) 0x80}
    };

    private HostilePayloads() {}

    /** One hostile variant of {@code original}; {@code others} are spliced in now and then. */
    public static Mutant mutate(Random random, byte[] original, List<byte[]> others) {
        Kind kind = KINDS[random.nextInt(KINDS.length)];
        // giant payloads are costly to build: keep them to about 1 in 100
        if (kind == Kind.GIANT_STRING && random.nextInt(8) != 0) {
            kind = Kind.BIT_FLIP;
        }
        return new Mutant(kind, apply(kind, random, original, others));
    }

    static byte[] apply(Kind kind, Random random, byte[] original, List<byte[]> others) {
        return switch (kind) {
            case BIT_FLIP -> bitFlips(random, original);
            case TRUNCATE -> java.util.Arrays.copyOf(original, random.nextInt(original.length + 1));
            case JUNK -> insert(random, original, randomBytes(random, 1 + random.nextInt(16)));
            case HUGE_NUMBER -> replaceNumber(random, original);
            case WRONG_TYPE -> wrongType(random, original);
            case DEEP_NESTING -> deepNesting(random, original);
            case INVALID_UTF8 -> insert(random, original, BAD_UTF8[random.nextInt(BAD_UTF8.length)]);
            case NUL ->
                random.nextBoolean()
                        ? insert(random, original, new byte[] {0})
                        : insert(random, original, "\\u0000".getBytes(StandardCharsets.UTF_8));
            case GIANT_STRING -> giantString(random, original);
            case EMPTY -> new byte[0];
            case RANDOM_BYTES -> randomBytes(random, random.nextInt(300));
            case SPLICE -> splice(random, original, others.get(random.nextInt(others.size())));
            case REPEAT -> repeat(random, original);
            case QUOTES ->
                insert(random, original, "'".repeat(1 + random.nextInt(3)).getBytes(StandardCharsets.UTF_8));
        };
    }

    /**
     * Benign variants that carry the same event: another field order and whitespace, an unknown field added. For
     * payloads that are not JSON objects, the payload itself.
     */
    public static byte[] benign(Random random, byte[] original) {
        ObjectNode root = objectOrNull(original);
        if (root == null) {
            return original;
        }
        ObjectNode copy = JsonNodeFactory.instance.objectNode();
        List<String> names = new ArrayList<>();
        root.fieldNames().forEachRemaining(names::add);
        java.util.Collections.shuffle(names, random);
        names.forEach(name -> copy.set(name, root.get(name)));
        copy.put("x-unknown-" + random.nextInt(1000), random.nextBoolean() ? "ignored" : "{\"nested\": [1, 2]}");
        try {
            return random.nextBoolean()
                    ? MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(copy)
                    : MAPPER.writeValueAsBytes(copy);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bitFlips(Random random, byte[] original) {
        if (original.length == 0) {
            return original;
        }
        byte[] out = original.clone();
        for (int i = 1 + random.nextInt(8); i > 0; i--) {
            int at = random.nextInt(out.length);
            out[at] ^= (byte) (1 << random.nextInt(8));
        }
        return out;
    }

    private static byte[] insert(Random random, byte[] original, byte[] inserted) {
        int at = random.nextInt(original.length + 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream(original.length + inserted.length);
        out.write(original, 0, at);
        out.write(inserted, 0, inserted.length);
        out.write(original, at, original.length - at);
        return out.toByteArray();
    }

    private static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    /** A run of digits (a JSON number, an epoch, a port, a keep-alive) replaced by something no field can hold. */
    private static byte[] replaceNumber(Random random, byte[] original) {
        String text = new String(original, StandardCharsets.ISO_8859_1);
        List<int[]> runs = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("-?\\d+").matcher(text);
        while (m.find()) {
            runs.add(new int[] {m.start(), m.end()});
        }
        String huge = HUGE_NUMBERS[random.nextInt(HUGE_NUMBERS.length)];
        if (runs.isEmpty()) {
            return insert(random, original, huge.getBytes(StandardCharsets.ISO_8859_1));
        }
        int[] run = runs.get(random.nextInt(runs.size()));
        return (text.substring(0, run[0]) + huge + text.substring(run[1])).getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A field of a JSON object given a value of another type. */
    private static byte[] wrongType(Random random, byte[] original) {
        ObjectNode root = objectOrNull(original);
        if (root == null || root.isEmpty()) {
            return insert(random, original, "[]".getBytes(StandardCharsets.UTF_8));
        }
        List<String> names = new ArrayList<>();
        root.fieldNames().forEachRemaining(names::add);
        String name = names.get(random.nextInt(names.size()));
        JsonNodeFactory f = JsonNodeFactory.instance;
        JsonNode value = switch (random.nextInt(9)) {
            case 0 -> f.arrayNode().add(root.get(name));
            case 1 -> f.objectNode().set("value", root.get(name));
            case 2 -> f.numberNode(random.nextLong());
            case 3 -> f.numberNode(random.nextDouble() * 1e12);
            case 4 -> f.booleanNode(random.nextBoolean());
            case 5 -> f.nullNode();
            case 6 -> f.textNode(Long.toString(random.nextLong()));
            case 7 -> f.textNode("");
            default -> f.binaryNode(randomBytes(random, 8));
        };
        root.set(name, value);
        try {
            return MAPPER.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The payload wrapped in arrays or objects, or a field nested, up to thousands deep. */
    private static byte[] deepNesting(Random random, byte[] original) {
        int depth = 1 + random.nextInt(random.nextBoolean() ? 20 : 5000);
        boolean arrays = random.nextBoolean();
        String open = arrays ? "[" : "{\"a\":";
        String close = arrays ? "]" : "}";
        byte[] inner = random.nextBoolean() ? original : "1".getBytes(StandardCharsets.UTF_8);
        String wrapped = open.repeat(depth)
                + new String(inner, StandardCharsets.ISO_8859_1)
                + (random.nextInt(4) == 0 ? "" : close.repeat(depth));
        byte[] nested = wrapped.getBytes(StandardCharsets.ISO_8859_1);
        if (original.length > 0 && original[0] == '{' && random.nextBoolean()) {
            // as the value of a field of the real object
            String field = "{\"nested\":" + new String(nested, StandardCharsets.ISO_8859_1) + ",";
            return (field + new String(original, 1, original.length - 1, StandardCharsets.ISO_8859_1))
                    .getBytes(StandardCharsets.ISO_8859_1);
        }
        return nested;
    }

    /** A string field made tens or hundreds of kilobytes long, or a long run of one character inserted. */
    private static byte[] giantString(Random random, byte[] original) {
        int length = 1000 + random.nextInt(random.nextBoolean() ? 60_000 : 200_000);
        String giant = String.valueOf((char) ('a' + random.nextInt(26))).repeat(length);
        ObjectNode root = objectOrNull(original);
        if (root != null && !root.isEmpty()) {
            List<String> names = new ArrayList<>();
            for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
                names.add(it.next());
            }
            root.put(names.get(random.nextInt(names.size())), giant);
            try {
                return MAPPER.writeValueAsBytes(root);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return insert(random, original, giant.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] splice(Random random, byte[] a, byte[] b) {
        int cutA = random.nextInt(a.length + 1);
        int cutB = random.nextInt(b.length + 1);
        byte[] out = new byte[cutA + b.length - cutB];
        System.arraycopy(a, 0, out, 0, cutA);
        System.arraycopy(b, cutB, out, cutA, b.length - cutB);
        return out;
    }

    /**
     * A slice of the payload repeated up to a few thousand times: the shape that makes backtracking regular
     * expressions slow (a line with many candidate split points).
     */
    private static byte[] repeat(Random random, byte[] original) {
        if (original.length == 0) {
            return original;
        }
        int from = random.nextInt(original.length);
        int to = from + 1 + random.nextInt(Math.min(40, original.length - from));
        int times = 2 + random.nextInt(random.nextInt(10) == 0 ? 5000 : 50);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(original, 0, to);
        for (int i = 0; i < times; i++) {
            out.write(original, from, to - from);
        }
        out.write(original, to, original.length - to);
        return out.toByteArray();
    }

    private static ObjectNode objectOrNull(byte[] payload) {
        try {
            JsonNode node = MAPPER.readTree(payload);
            return node instanceof ObjectNode object ? object : null;
        } catch (IOException e) {
            return null;
        }
    }
}
