package dev.connmon.api;

import dev.connmon.lifecycle.ClientIds;
import dev.connmon.lifecycle.Instants;
import dev.connmon.query.InvalidParameterException;
import dev.connmon.query.PagePosition;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * The opaque {@code bookmark} of a state list: the position after the page (sort key and id), the sort and a
 * fingerprint of the filter it belongs to, and the reference time relative times ({@code P2D}) were resolved
 * against, so that every page of one listing uses the same instants.
 */
record Bookmark(String sort, String filter, Instant reference, PagePosition position) {

    String encode() {
        JsonObject json = new JsonObject()
                .put("s", sort)
                .put("f", filter)
                .put("t", reference.toEpochMilli())
                .put("i", position.clientId());
        if (position.key() != null) {
            json.put("k", position.key().toEpochMilli());
        }
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The bookmark as this API wrote it, or a 400 naming {@code parameter}: one that was altered could otherwise
     * carry a time or an id that PostgreSQL refuses (a NUL, a year past 294276), and fail the query.
     */
    static Bookmark decode(String parameter, String text) {
        try {
            JsonObject json = new JsonObject(new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8));
            String sort = string(json, "s");
            String filter = string(json, "f");
            Instant reference = time(json.getValue("t"));
            String id = string(json, "i");
            Instant key = json.containsKey("k") ? time(json.getValue("k")) : null;
            if (ClientIds.problem(id).isPresent()) {
                throw new IllegalArgumentException("not a client id");
            }
            return new Bookmark(sort, filter, reference, new PagePosition(key, id));
        } catch (IllegalArgumentException | DecodeException e) {
            throw new InvalidParameterException(parameter, "not a bookmark returned by this API");
        }
    }

    private static String string(JsonObject json, String field) {
        if (json.getValue(field) instanceof String value) {
            return value;
        }
        throw new IllegalArgumentException(field);
    }

    /** Epoch milliseconds within the times connmon stores (the only ones it writes into a bookmark). */
    private static Instant time(Object value) {
        if ((value instanceof Integer || value instanceof Long)
                && Instants.storable(Instant.ofEpochMilli(((Number) value).longValue()))) {
            return Instant.ofEpochMilli(((Number) value).longValue());
        }
        throw new IllegalArgumentException("not a time");
    }
}
