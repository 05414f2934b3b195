package dev.connmon.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.connmon.support.ServicesResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * The change feed LISTENs on a session with the datasource's full options, and listens again when that session is
 * lost. It once built its own connection from the URL, user and password alone, so TLS and additional
 * properties (here application_name) never reached it.
 */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class ChangeFeedListenerTest {
    @Inject
    Pool pool;

    private List<Row> listeners() {
        return StreamSupport.stream(
                        pool.query("SELECT pid, application_name FROM pg_stat_activity "
                                        + "WHERE query ILIKE 'LISTEN%connmon_changes%' AND pid <> pg_backend_pid()")
                                .execute()
                                .await()
                                .atMost(Duration.ofSeconds(10))
                                .spliterator(),
                        false)
                .toList();
    }

    @Test
    void theListeningSessionHasTheDatasourceOptionsAndComesBackWhenLost() {
        await().atMost(Duration.ofSeconds(10)).until(() -> listeners().size() == 1);
        Row listener = listeners().get(0);
        assertThat(listener.getString("application_name")).isEqualTo("connmon");

        int pid = listener.getInteger("pid");
        pool.query("SELECT pg_terminate_backend(" + pid + ")").execute().await().atMost(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            List<Row> now = listeners();
            return now.size() == 1 && now.get(0).getInteger("pid") != pid;
        });
        assertThat(listeners().get(0).getString("application_name")).isEqualTo("connmon");
    }
}
