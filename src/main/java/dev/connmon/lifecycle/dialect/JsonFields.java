package dev.connmon.lifecycle.dialect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connmon.lifecycle.ClientIds;
import dev.connmon.lifecycle.Instants;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Typed, validating reads of JSON payload fields shared by the JSON dialects; every failure names the field. */
public final class JsonFields {
    static final int MAX_TEXT = 1024;

    private JsonFields() {}

    /** The payload as a JSON object, or why it is not one. */
    public static JsonNode object(ObjectMapper mapper, byte[] payload) throws DecodeException {
        JsonNode root;
        try {
            root = mapper.readTree(payload);
        } catch (JsonProcessingException e) {
            throw new DecodeException("payload is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new DecodeException("payload is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new DecodeException("payload is not a JSON object");
        }
        return root;
    }

    /** A client id that connmon can store, or why not. */
    public static String clientId(String value) throws DecodeException {
        if (value == null) {
            throw new DecodeException("the client id is missing");
        }
        var problem = ClientIds.problem(value);
        if (problem.isPresent()) {
            throw new DecodeException(problem.get());
        }
        return value;
    }

    public static Long longValue(JsonNode root, String field) throws DecodeException {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new DecodeException("field '" + field + "' must be an integer");
        }
        return node.longValue();
    }

    public static String text(JsonNode root, String field) throws DecodeException {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new DecodeException("field '" + field + "' must be a string");
        }
        return sanitize(node.textValue());
    }

    /**
     * Free text is stored as far as PostgreSQL can hold it: U+0000 and unpaired surrogates become U+FFFD and
     * the text is cut at {@value #MAX_TEXT} characters, rather than losing the event over a cosmetic field.
     */
    static String sanitize(String value) {
        StringBuilder out = null;
        int length = Math.min(value.length(), MAX_TEXT);
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            boolean bad = c == '\u0000'
                    || (Character.isHighSurrogate(c)
                            && (i + 1 >= length || !Character.isLowSurrogate(value.charAt(i + 1))))
                    || (Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(value.charAt(i - 1))));
            if (bad && out == null) {
                out = new StringBuilder(value.substring(0, i));
            }
            if (out != null) {
                out.append(bad ? '\uFFFD' : c);
            }
        }
        if (out != null) {
            return out.toString();
        }
        return length == value.length() ? value : value.substring(0, length);
    }

    public static String requiredText(JsonNode root, String field) throws DecodeException {
        String value = text(root, field);
        if (value == null) {
            throw new DecodeException("field '" + field + "' is missing");
        }
        return value;
    }

    /** An optional identifier, exactly as sent: identifiers are validated, never repaired. */
    public static String identifier(JsonNode root, String field) throws DecodeException {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new DecodeException("field '" + field + "' must be a string");
        }
        return node.textValue();
    }

    /** An identifier, exactly as sent: identifiers are validated (see ClientIds), never repaired. */
    public static String requiredIdentifier(JsonNode root, String field) throws DecodeException {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            throw new DecodeException("field '" + field + "' is missing");
        }
        if (!node.isTextual()) {
            throw new DecodeException("field '" + field + "' must be a string");
        }
        return node.textValue();
    }

    public static Integer integer(JsonNode root, String field, int min, int max) throws DecodeException {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.canConvertToInt() || !node.isIntegralNumber()) {
            throw new DecodeException("field '" + field + "' must be an integer");
        }
        int value = node.intValue();
        if (value < min || value > max) {
            throw new DecodeException("field '" + field + "' must be between " + min + " and " + max);
        }
        return value;
    }

    public static Boolean bool(JsonNode root, String field) throws DecodeException {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isBoolean()) {
            throw new DecodeException("field '" + field + "' must be true or false");
        }
        return node.booleanValue();
    }

    /** An ISO 8601 instant (with Z or an offset) or epoch milliseconds. */
    public static Instant instant(JsonNode root, String field) throws DecodeException {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            throw new DecodeException("field '" + field + "' is missing");
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return storable(Instant.ofEpochMilli(node.longValue()), "field '" + field + "'");
        }
        if (node.isTextual()) {
            try {
                String text = node.textValue();
                Instant canonical = Instants.parseUtc(text);
                return storable(
                        Instants.truncate(
                                canonical != null
                                        ? canonical
                                        : OffsetDateTime.parse(text).toInstant()),
                        "field '" + field + "'");
            } catch (DateTimeParseException e) {
                throw new DecodeException(
                        "field '" + field + "' is not an ISO 8601 time: " + abbreviate(node.textValue()));
            }
        }
        throw new DecodeException("field '" + field + "' must be an ISO 8601 time or epoch milliseconds");
    }

    /**
     * A time within {@link Instants#RANGE}: any other is the sender's error, and refusing it here keeps it from
     * failing a whole batch in the database.
     */
    static Instant storable(Instant time, String what) throws DecodeException {
        if (!Instants.storable(time)) {
            throw new DecodeException(what + " is outside " + Instants.RANGE);
        }
        return time;
    }

    /**
     * A sender's value as quoted in a rejection reason: at most 64 characters, sanitized (PostgreSQL cannot store
     * U+0000), and its own quotes turned into ’, so that the quoted value ends where the reason's closing quote is.
     * MessageDecoder drops quoted values from the reason's metric tag; a quote inside the value would let the rest of
     * it into the tag, one time series each.
     */
    static String abbreviate(String value) {
        String quoted = sanitize(value).replace('\'', '\u2019');
        return quoted.length() <= 64 ? quoted : quoted.substring(0, 64) + "…";
    }
}
