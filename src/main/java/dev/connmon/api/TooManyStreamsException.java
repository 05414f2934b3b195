package dev.connmon.api;

/** The API key already holds as many live streams as it may (connmon.live.max-streams-per-key). */
class TooManyStreamsException extends RuntimeException {
    TooManyStreamsException(int limit) {
        super("This API key already holds " + limit + " live streams; close one or raise "
                + "connmon.live.max-streams-per-key");
    }
}
