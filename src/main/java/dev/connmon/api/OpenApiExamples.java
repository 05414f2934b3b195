package dev.connmon.api;

/** Example bodies for the OpenAPI document (docs/api.md §10), as the endpoints answer them. */
final class OpenApiExamples {
    private OpenApiExamples() {}

    static final String AVAILABILITY = """
            {"id": "d:acme:sensor:0042", "since": "2026-11-20T10:00:00.000Z", "until": "2026-11-20T11:40:00.000Z",
             "availability": 0.8, "connectedSeconds": 4800.0, "disconnectedSeconds": 1200.0, "unknownSeconds": 0.0,
             "asleepSeconds": 0.0, "maintenanceSeconds": 0.0, "connects": 2, "disconnects": 2, "failedConnects": 0,
             "disconnectsByInitiator": {"client": 0, "network": 1, "server": 1},
             "longestOutage": {"start": "2026-11-20T10:20:00.000Z", "end": "2026-11-20T10:30:00.000Z",
                               "seconds": 600.0},
             "buckets": [{"start": "2026-11-20T10:00:00.000Z", "end": "2026-11-20T10:50:00.000Z",
                          "availability": 0.8, "connectedSeconds": 2400.0, "disconnectedSeconds": 600.0,
                          "unknownSeconds": 0.0, "asleepSeconds": 0.0, "maintenanceSeconds": 0.0,
                          "disconnects": 1}]}""";

    static final String TIMELINE = """
            {"since": "2026-11-30T06:00:00.000Z", "until": "2026-12-01T06:00:00.000Z", "step": "PT5M", "buckets": [
              {"start": "2026-11-30T06:00:00.000Z", "end": "2026-11-30T06:05:00.000Z", "connected": null,
               "disconnected": null, "connects": 0, "failedConnects": 0,
               "disconnects": {"client": 0, "network": 0, "server": 0}},
              {"start": "2026-12-01T05:55:00.000Z", "end": "2026-12-01T06:00:00.000Z", "connected": 9120,
               "disconnected": 880, "connects": 40, "failedConnects": 2,
               "disconnects": {"client": 10, "network": 7, "server": 25}}]}""";

    static final String STATES_CSV = "id,clientType,connectionStatus,lastConnectTime,lastDisconnectTime,"
            + "lastActivityEvent,lastActivityTime,mqttConnectProtocol,lastDisconnectInitiator,"
            + "lastDisconnectReasonCode,lastDisconnectReason,ipAddress,username,node,unconfirmedSince,flapping,"
            + "flappingSince,inMaintenance,asleep,overdue\r\nd:acme:sensor:0042,device,disconnected,2026-11-26T06:00:00.123Z,"
            + "2026-11-26T06:02:11.250Z,mqttDisconnect,2026-11-26T06:02:11.250Z,5.0,server,141,Keep Alive timeout,"
            + "192.0.2.10,'=cmd,broker-1,,false,,false,false,false\r\n";

    static final String LOG_CSV = "timestamp,message,event,initiator,reasonCode,reason,ipAddress,node,source,"
            + "dialect\r\n2026-11-26T06:02:11.250Z,Disconnected by the server: Keep Alive timeout (0x8D),"
            + "disconnected,server,141,,192.0.2.10,broker-1,default,connmon\r\n";
}
