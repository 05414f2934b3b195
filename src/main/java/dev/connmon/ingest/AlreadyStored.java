package dev.connmon.ingest;

/**
 * Marks the MQTT copy of an event whose in-process copy is already committed ({@link InProcessLifecycle}): the
 * pipeline acknowledges it in its turn, without decoding or storing it again.
 */
enum AlreadyStored {
    INSTANCE
}
