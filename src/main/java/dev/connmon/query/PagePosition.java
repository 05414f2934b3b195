package dev.connmon.query;

import java.time.Instant;

/**
 * Where a page ends: the sort key and id of its last row. {@code key} is null for the id order, and
 * {@link Instant#MIN} stands for a client that has no value for the sorted time.
 */
public record PagePosition(Instant key, String clientId) {}
