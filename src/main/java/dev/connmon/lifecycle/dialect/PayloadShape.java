package dev.connmon.lifecycle.dialect;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Optional;

/**
 * Recognises a JSON lifecycle payload's dialect from its own fields, for sources that carry no topic to tell it
 * (Kafka records): AWS IoT's lifecycle JSON has {@code eventType}; EMQX's rule-engine events have an {@code event}
 * named {@code client.*} or {@code session.*}; the canonical event (docs/api.md §1) has any other {@code event}.
 * Reads top-level fields only, up to the first that decides: the dialect's own decoder then checks the rest.
 */
final class PayloadShape {
    private static final JsonFactory JSON = new JsonFactory();

    private PayloadShape() {}

    /** The dialect's name, or empty when the payload is not a JSON object with one of those fields. */
    static Optional<String> dialectOf(byte[] payload) {
        try (JsonParser parser = JSON.createParser(payload)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return Optional.empty();
            }
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("eventType")) {
                    return Optional.of(AwsDialect.NAME);
                }
                if (field.equals("event") && value == JsonToken.VALUE_STRING) {
                    String event = parser.getText();
                    return Optional.of(
                            event.startsWith("client.") || event.startsWith("session.")
                                    ? EmqxDialect.NAME
                                    : ConnmonDialect.NAME);
                }
                parser.skipChildren();
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
