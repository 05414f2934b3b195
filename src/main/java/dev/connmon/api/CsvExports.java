package dev.connmon.api;

import dev.connmon.query.LogEntry;
import dev.connmon.query.LogReader;
import dev.connmon.query.PagePosition;
import dev.connmon.query.StateFilter;
import dev.connmon.query.StatePage;
import dev.connmon.query.StateReader;
import dev.connmon.query.StateSort;
import dev.connmon.state.ClientState;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The CSV exports (docs/api.md §10.4), streamed a keyset page at a time: the next page is read only when the previous
 * one is written, so an export of a million clients holds one page (1 000 rows) in memory, not the million.
 */
@ApplicationScoped
class CsvExports {
    static final int PAGE = 1000;
    static final String STATE_HEADER = CsvWriter.row(
            "id",
            "clientType",
            "connectionStatus",
            "lastConnectTime",
            "lastDisconnectTime",
            "lastActivityEvent",
            "lastActivityTime",
            "mqttConnectProtocol",
            "lastDisconnectInitiator",
            "lastDisconnectReasonCode",
            "lastDisconnectReason",
            "ipAddress",
            "username",
            "node",
            "unconfirmedSince",
            "flapping",
            "flappingSince",
            "inMaintenance",
            "asleep",
            "overdue");
    static final String LOG_HEADER = CsvWriter.row(
            "timestamp",
            "message",
            "event",
            "initiator",
            "reasonCode",
            "reason",
            "ipAddress",
            "node",
            "source",
            "dialect");

    private final StateReader states;
    private final LogReader log;

    CsvExports(StateReader states, LogReader log) {
        this.states = states;
        this.log = log;
    }

    /** Every matching client in {@code sort} order: the header, then one chunk per page. */
    Multi<String> states(StateFilter filter, StateSort sort) {
        Multi<String> pages = Multi.createBy()
                .repeating()
                .uni(
                        () -> new PagePosition[1],
                        after -> states.list(filter, sort, after[0], PAGE).invoke(page -> after[0] = page.next()))
                .whilst(page -> page.next() != null)
                .map(CsvExports::stateRows)
                .select()
                .where(chunk -> !chunk.isEmpty());
        return Multi.createBy().concatenating().streams(Multi.createFrom().item(STATE_HEADER), pages);
    }

    /** Every log entry of the client (or Watson device) in [since, until), newest first. */
    Multi<String> log(String clientId, String typeId, String deviceId, Instant since, Instant until) {
        Multi<String> pages = Multi.createBy()
                .repeating()
                .uni(
                        () -> new LogReader.Cursor[1],
                        after -> page(clientId, typeId, deviceId, since, until, after[0])
                                .invoke(page -> after[0] = page.next()))
                .whilst(page -> page.next() != null)
                .map(page -> {
                    List<Object[]> rows = new ArrayList<>(page.entries().size());
                    for (LogEntry e : page.entries()) {
                        rows.add(new Object[] {
                            e.timestamp(),
                            e.message(),
                            e.event(),
                            e.initiator(),
                            e.reasonCode(),
                            e.reason(),
                            e.ipAddress(),
                            e.node(),
                            e.source(),
                            e.dialect()
                        });
                    }
                    return CsvWriter.rows(rows);
                })
                .select()
                .where(chunk -> !chunk.isEmpty());
        return Multi.createBy().concatenating().streams(Multi.createFrom().item(LOG_HEADER), pages);
    }

    private Uni<LogReader.Page> page(
            String clientId, String typeId, String deviceId, Instant since, Instant until, LogReader.Cursor after) {
        return clientId != null
                ? log.pageByClientId(clientId, since, until, after, PAGE)
                : log.pageByDevice(typeId, deviceId, since, until, after, PAGE);
    }

    private static String stateRows(StatePage page) {
        List<Object[]> rows = new ArrayList<>(page.results().size());
        for (ClientState s : page.results()) {
            rows.add(new Object[] {
                s.id(),
                s.clientType(),
                s.connectionStatus(),
                s.lastConnectTime(),
                s.lastDisconnectTime(),
                s.lastActivityEvent(),
                s.lastActivityTime(),
                s.mqttConnectProtocol(),
                s.lastDisconnectInitiator(),
                s.lastDisconnectReasonCode(),
                s.lastDisconnectReason(),
                s.ipAddress(),
                s.username(),
                s.node(),
                s.unconfirmedSince(),
                s.flapping(),
                s.flappingSince(),
                s.inMaintenance(),
                s.asleep(),
                s.overdue()
            });
        }
        return CsvWriter.rows(rows);
    }
}
