package dev.connmon.api;

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

    static Bookmark decode(String parameter, String text) {
        try {
            JsonObject json = new JsonObject(new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8));
            String sort = json.getString("s");
            String filter = json.getString("f");
            Long reference = json.getLong("t");
            String id = json.getString("i");
            Long key = json.getLong("k");
            if (sort == null || filter == null || reference == null || id == null) {
                throw new IllegalArgumentException("incomplete");
            }
            return new Bookmark(
                    sort,
                    filter,
                    Instant.ofEpochMilli(reference),
                    new PagePosition(key == null ? null : Instant.ofEpochMilli(key), id));
        } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
            throw new InvalidParameterException(parameter, "not a bookmark returned by this API");
        }
    }
}
