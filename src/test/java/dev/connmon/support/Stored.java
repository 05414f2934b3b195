package dev.connmon.support;

import static dev.connmon.support.Api.state;

import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What connmon stored for a client, in a form two clients' histories can be compared by: the order-independence
 * tests of each source feed the same history under several ids and expect the same rows.
 */
public final class Stored {
    private Stored() {}

    /** The client's connection-log rows, in a fixed order, each as JSON of the columns a history determines. */
    public static List<String> logRows(Pool pool, String clientId) {
        List<String> rows = new ArrayList<>();
        pool.preparedQuery("""
                SELECT event, event_time, initiator, reason_code, reason, connection_id, ip_address, node
                  FROM connection_log WHERE client_id = $1 ORDER BY event_time, event, connection_id""")
                .execute(Tuple.of(clientId))
                .await()
                .indefinitely()
                .forEach(row -> rows.add(row.toJson().encode()));
        return rows;
    }

    /** The client's state object as the API returns it, without its id. */
    public static Map<String, Object> stateWithoutId(String clientId) {
        Map<String, Object> state = new HashMap<>(
                JsonPath.from(state(clientId).statusCode(200).extract().asString())
                        .getMap(""));
        state.remove("id");
        return state;
    }
}
