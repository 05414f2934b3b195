package dev.connmon.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.Initiator;
import dev.connmon.lifecycle.Instants;
import dev.connmon.lifecycle.LifecycleEvent;
import dev.connmon.support.Api;
import dev.connmon.support.ServicesResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * client_activity (V12) holds each client's activity time for the list's activity filters and order, kept by
 * triggers on client_state: whatever writes a state (a batch's insert and upsert, an older activity that must not
 * move the time back, a node's stop, a deletion), the two tables agree, and the list sorted by activity or filtered
 * on it answers from client_activity what client_state holds.
 */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class ActivityIndexTableTest {
    static final Instant T = Instant.parse("2026-11-25T08:00:00.000Z");

    @Inject
    StateRepository repository;

    @Inject
    Pool pool;

    private static LifecycleEvent event(EventType type, String id, Instant t, String node) {
        return LifecycleEvent.builder(type, id, t)
                .connectionId(type == EventType.PUBLISHED ? null : "c1")
                .initiator(type == EventType.DISCONNECTED ? Initiator.CLIENT : null)
                .node(node)
                .dialect("connmon")
                .build()
                .fromSource("activity-table");
    }

    private void apply(LifecycleEvent... events) {
        repository.apply(new IngestBatch(List.of(events), List.of())).await().atMost(Duration.ofSeconds(30));
    }

    @Test
    void everyWriterKeepsClientActivityEqualToTheStateAndTheListReadsIt() {
        String prefix = "act-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        String node = prefix + "node";
        String published = prefix + "published";
        String connected = prefix + "connected";
        String disconnected = prefix + "disconnected";
        String late = prefix + "late";
        String stopped = prefix + "stopped";
        String deleted = prefix + "deleted";
        apply(
                event(EventType.CONNECTED, published, T, null),
                event(EventType.CONNECTED, connected, T.plusSeconds(10), null),
                event(EventType.DISCONNECTED, disconnected, T.plusSeconds(20), null),
                event(EventType.CONNECTED, late, T.plusSeconds(1), null),
                event(EventType.CONNECTED, stopped, T.plusSeconds(2), node),
                event(EventType.CONNECTED, deleted, T.plusSeconds(3), null));
        // an update of the activity alone (HOT in client_state), then an older one that must not move it back
        apply(event(EventType.PUBLISHED, published, T.plusSeconds(30), null));
        apply(event(EventType.PUBLISHED, late, T.plusSeconds(40), null));
        apply(event(EventType.PUBLISHED, late, T.plusSeconds(4), null));
        repository
                .disconnectNode(node, T.plusSeconds(50), T.plusSeconds(50), "connmon", "activity-table")
                .await()
                .atMost(Duration.ofSeconds(30));
        assertThat(repository.delete(deleted).await().atMost(Duration.ofSeconds(30)))
                .isTrue();

        List<String> disagreeing = new ArrayList<>();
        for (Row row :
                pool.preparedQuery("""
                        SELECT client_id, s.activity_time, a.activity_key
                          FROM client_state s FULL JOIN client_activity a USING (client_id)
                         WHERE client_id LIKE $1
                           AND (s.client_id IS NULL OR a.client_id IS NULL
                                OR a.activity_key <> coalesce(s.activity_time, '-infinity'))""").execute(Tuple.of(prefix + "%")).await().atMost(Duration.ofSeconds(10))) {
            disagreeing.add(row.toJson().encode());
        }
        assertThat(disagreeing).as("client_state and client_activity disagree").isEmpty();

        // newest activity first: the node's stop (T+50), late (T+40), published (T+30), disconnected, connected
        JsonPath byActivity = list("clientIdPrefix", prefix, "_sort", "-lastActivityTime");
        assertThat(byActivity.getList("results.id", String.class))
                .containsExactly(stopped, late, published, disconnected, connected);
        assertThat(byActivity.getString("results[1].lastActivityTime")).isEqualTo(Instants.format(T.plusSeconds(40)));

        JsonPath activeAfter = list(
                "clientIdPrefix",
                prefix,
                "activeAfter",
                T.plusSeconds(25).toString(),
                "activeBefore",
                T.plusSeconds(45).toString());
        assertThat(activeAfter.getList("results.id", String.class)).containsExactly(late, published);
    }

    private static JsonPath list(String... query) {
        var request = Api.asReader();
        for (int i = 0; i < query.length; i += 2) {
            request = request.queryParam(query[i], query[i + 1]);
        }
        return request.get("/api/v0002/clientconnectionstates")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }
}
