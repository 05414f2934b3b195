package dev.connmon.api;

import static dev.connmon.support.Api.LOGS;
import static dev.connmon.support.Api.STATES;
import static dev.connmon.support.Api.asReader;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.Initiator;
import dev.connmon.lifecycle.LifecycleEvent;
import dev.connmon.state.IngestBatch;
import dev.connmon.state.StateRepository;
import dev.connmon.support.ServicesResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * CSV export (docs/api.md §10.4), read back with Jackson's CSV parser: every field, RFC 4180 quoting, the {@code '}
 * guard against spreadsheet formulas, every page of 100 000 clients streamed, and the connection log.
 */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class CsvExportTest {
    static final Instant T = Instant.parse("2026-11-20T10:00:00.000Z");

    @Inject
    StateRepository repository;

    @Inject
    Pool pool;

    static List<List<String>> parse(InputStream csv) throws IOException {
        CsvMapper mapper = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY);
        List<List<String>> rows = new ArrayList<>();
        try (MappingIterator<List<String>> it =
                mapper.readerForListOf(String.class).readValues(csv)) {
            while (it.hasNext()) {
                rows.add(it.next());
            }
        }
        return rows;
    }

    @Test
    void everyFieldIsExportedQuotedAndGuarded() throws IOException {
        String prefix = "csv-" + UUID.randomUUID() + "-";
        String id = prefix + "a,\"b\"";
        repository
                .apply(new IngestBatch(
                        List.of(
                                LifecycleEvent.builder(EventType.CONNECTED, id, T)
                                        .connectionId("c1")
                                        .protocolVersion("5.0")
                                        .ipAddress("+192.0.2.10")
                                        .username("=HYPERLINK(\"http://x\")")
                                        .node("@broker")
                                        .dialect("connmon")
                                        .build()
                                        .fromSource("csv"),
                                LifecycleEvent.builder(EventType.DISCONNECTED, id, T.plusSeconds(60))
                                        .connectionId("c1")
                                        .initiator(Initiator.SERVER)
                                        .reasonCode(0x98)
                                        .reason("-1+1\r\nkicked, by \"admin\"")
                                        .dialect("connmon")
                                        .build()
                                        .fromSource("csv"),
                                LifecycleEvent.builder(EventType.CONNECTED, prefix + "b", T)
                                        .username("\tTAB")
                                        .dialect("connmon")
                                        .build()
                                        .fromSource("csv")),
                        List.of()))
                .await()
                .atMost(Duration.ofSeconds(30));

        Response response = asReader()
                .accept("text/csv")
                .queryParam("clientIdPrefix", prefix)
                .when()
                .get(STATES)
                .then()
                .statusCode(200)
                .extract()
                .response();
        assertThat(response.contentType()).startsWith("text/csv");
        String body = response.asString();
        assertThat(body).contains("\r\n").contains("\"" + prefix + "a,\"\"b\"\"\"");
        List<List<String>> rows = parse(response.asInputStream());
        assertThat(rows.get(0))
                .containsExactly(
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
        assertThat(rows).hasSize(3);
        assertThat(rows.get(1))
                .containsExactly(
                        id,
                        "client",
                        "disconnected",
                        "2026-11-20T10:00:00.000Z",
                        "2026-11-20T10:01:00.000Z",
                        "mqttDisconnect",
                        "2026-11-20T10:01:00.000Z",
                        "5.0",
                        "server",
                        "152",
                        "'-1+1\r\nkicked, by \"admin\"",
                        "'+192.0.2.10",
                        "'=HYPERLINK(\"http://x\")",
                        "'@broker",
                        "",
                        "false",
                        "",
                        "false",
                        "false",
                        "false");
        assertThat(rows.get(2).get(0)).isEqualTo(prefix + "b");
        assertThat(rows.get(2).get(12)).isEqualTo("'\tTAB");

        // JSON stays the default
        asReader()
                .queryParam("clientIdPrefix", prefix)
                .when()
                .get(STATES)
                .then()
                .statusCode(200)
                .contentType("application/json");
        // filters and their 400s are the list's
        asReader()
                .accept("text/csv")
                .queryParam("connectionStatus", "maybe")
                .when()
                .get(STATES)
                .then()
                .statusCode(400);
    }

    @Test
    @Tag("long")
    void everyPageOf100000ClientsIsStreamedInSortOrder() throws IOException {
        String prefix = "csv100k-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        pool.preparedQuery("""
                INSERT INTO client_state (client_id, connect_time, connect_connection_id, ip_address, node)
                SELECT $1 || lpad(g::text, 6, '0'), $2::timestamptz + g * interval '1 second', 'c1', '192.0.2.1', 'n'
                  FROM generate_series(1, 100000) g""")
                .execute(Tuple.of(prefix, T.atOffset(java.time.ZoneOffset.UTC)))
                .await()
                .atMost(Duration.ofMinutes(2));
        long started = System.nanoTime();
        Response response = asReader()
                .accept("text/csv")
                .queryParam("clientIdPrefix", prefix)
                .queryParam("_sort", "-lastConnectTime")
                .queryParam("_limit", "5")
                .when()
                .get(STATES)
                .then()
                .statusCode(200)
                .extract()
                .response();
        assertThat(response.header("Transfer-Encoding"))
                .as("streamed, not buffered")
                .isEqualTo("chunked");
        List<List<String>> rows = parse(response.asInputStream());
        double seconds = (System.nanoTime() - started) / 1e9;
        assertThat(rows).hasSize(100_001);
        assertThat(rows.get(1).get(0)).isEqualTo(prefix + "100000");
        assertThat(rows.get(100_000).get(0)).isEqualTo(prefix + "000001");
        for (int i = 1; i <= 100_000; i++) {
            assertThat(rows.get(i).get(0)).isEqualTo(prefix + String.format("%06d", 100_001 - i));
        }
        io.quarkus.logging.Log.infof("CSV export: 100000 clients in %.1f s (%.0f rows/s)", seconds, 100_000 / seconds);
    }

    @Test
    void theConnectionLogIsExportedWhole() throws IOException {
        String id = "csvlog-" + UUID.randomUUID();
        List<LifecycleEvent> events = new ArrayList<>();
        for (int i = 0; i < 1200; i++) {
            Instant t = T.plusSeconds(i * 10L);
            events.add(LifecycleEvent.builder(EventType.CONNECTED, id, t)
                    .connectionId("c" + i)
                    .ipAddress("192.0.2.1")
                    .protocolVersion("3.1.1")
                    .dialect("connmon")
                    .build()
                    .fromSource("csv"));
            events.add(LifecycleEvent.builder(EventType.DISCONNECTED, id, t.plusSeconds(5))
                    .connectionId("c" + i)
                    .initiator(Initiator.CLIENT)
                    .reasonCode(0)
                    .reason(i == 0 ? "=1+1" : null)
                    .dialect("connmon")
                    .build()
                    .fromSource("csv"));
        }
        for (int i = 0; i < events.size(); i += 500) {
            repository
                    .apply(new IngestBatch(events.subList(i, Math.min(events.size(), i + 500)), List.of()))
                    .await()
                    .atMost(Duration.ofSeconds(60));
        }
        Response response = asReader()
                .accept("text/csv")
                .queryParam("clientId", id)
                .queryParam("since", T.toString())
                .when()
                .get(LOGS)
                .then()
                .statusCode(200)
                .extract()
                .response();
        List<List<String>> rows = parse(response.asInputStream());
        assertThat(rows.get(0))
                .containsExactly(
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
        assertThat(rows).as("every entry, past the JSON log's 1000").hasSize(2401);
        assertThat(rows.get(1).get(0))
                .isEqualTo(T.plusSeconds(11_995).toString().replace("Z", ".000Z"));
        assertThat(rows.get(2399))
                .containsExactly(
                        "2026-11-20T10:00:05.000Z",
                        rows.get(2399).get(1),
                        "disconnected",
                        "client",
                        "0",
                        "'=1+1",
                        "",
                        "csv",
                        "csv",
                        "connmon");
        assertThat(rows.get(2399).get(1)).startsWith("Disconnected by the client");
        assertThat(rows.get(2400))
                .containsExactly(
                        "2026-11-20T10:00:00.000Z",
                        "Connected from 192.0.2.1 (MQTT 3.1.1)",
                        "connected",
                        "",
                        "",
                        "",
                        "192.0.2.1",
                        "csv",
                        "csv",
                        "connmon");
    }
}
