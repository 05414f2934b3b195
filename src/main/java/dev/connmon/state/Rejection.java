package dev.connmon.state;

/** A message no dialect could decode, kept with the reason so that an operator can inspect it. */
public record Rejection(String source, String topic, String dialect, String reason, byte[] payload, int payloadSize) {}
