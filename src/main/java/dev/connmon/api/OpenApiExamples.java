package dev.connmon.api;

/** Example bodies for the OpenAPI document (CONTRACT §10), as the endpoints answer them. */
final class OpenApiExamples {
    private OpenApiExamples() {
    }

    static final String AVAILABILITY = """
            {"id": "d:acme:sensor:0042", "since": "2026-11-20T10:00:00.000Z", "until": "2026-11-20T11:40:00.000Z",
             "availability": 0.8, "connectedSeconds": 4800.0, "disconnectedSeconds": 1200.0, "unknownSeconds": 0.0,
             "connects": 2, "disconnects": 2, "failedConnects": 0,
             "disconnectsByInitiator": {"client": 0, "network": 1, "server": 1},
             "longestOutage": {"start": "2026-11-20T10:20:00.000Z", "end": "2026-11-20T10:30:00.000Z",
                               "seconds": 600.0},
             "buckets": [{"start": "2026-11-20T10:00:00.000Z", "end": "2026-11-20T10:50:00.000Z",
                          "availability": 0.8, "connectedSeconds": 2400.0, "disconnectedSeconds": 600.0,
                          "unknownSeconds": 0.0, "disconnects": 1}]}""";
}
