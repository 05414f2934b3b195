package dev.connmon.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The database and broker the tests run against. By default: the embedded PostgreSQL and the embedded broker,
 * on free ports, so that {@code ./mvnw verify} needs nothing but a JDK. With {@code -Dtest.services=machine}
 * (the {@code machine-services} Maven profile): this machine's PostgreSQL (127.0.0.1:5432, database test) and
 * Mosquitto (127.0.0.1:1883), in a schema and a topic tree of their own.
 */
public class ServicesResource implements QuarkusTestResourceLifecycleManager {
    public static final String MACHINE = "machine";
    public static final String DEVICE_USER = "alice";
    public static final String DEVICE_PASSWORD = "alice-secret";
    /** A device user of the embedded broker bound to client ids (docs/api.md §8), as a Watson device token is. */
    public static final String BOUND_USER = "pump-17";

    public static final String BOUND_PASSWORD = "pump-17-secret";
    public static final String BOUND_CLIENT_IDS = "d:acme:pump:17, d:acme:pump:17-*";

    /** Topic prefix under which the bridged fixtures of other brokers' dialects travel on the machine's Mosquitto. */
    public static final String BRIDGE_PREFIX_KEY = "test.bridge-prefix";

    private AutoCloseable embedded;
    private TestMosquitto mosquitto;

    public static boolean machineServices() {
        return MACHINE.equals(System.getProperty("test.services"));
    }

    @Override
    @SuppressWarnings("unchecked")
    public Map<String, String> start() {
        if (machineServices()) {
            return machine();
        }
        try {
            // by name: the native profile compiles the tests without the embedded package
            embedded = (AutoCloseable) Class.forName("dev.connmon.support.EmbeddedServices")
                    .getConstructor()
                    .newInstance();
            return (Map<String, String>) embedded.getClass().getMethod("config").invoke(embedded);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("embedded services unavailable; run with -Pmachine-services", e);
        }
    }

    private Map<String, String> machine() {
        String schema = "connmon_ci";
        String prefix = "connmon-ci-" + UUID.randomUUID().toString().substring(0, 8) + "/events/";
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.datasource.username", "postgres");
        config.put("quarkus.datasource.reactive.url", "postgresql://127.0.0.1:5432/test?search_path=" + schema);
        config.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/test?currentSchema=" + schema);
        config.put("quarkus.flyway.schemas", schema);
        config.put("quarkus.flyway.clean-disabled", "false");
        config.put("quarkus.flyway.clean-at-start", "true");
        config.put("connmon.mqtt.host", "127.0.0.1");
        config.put("connmon.mqtt.port", "1883");
        config.put("connmon.mqtt.client-id", "connmon-ci");
        config.put("connmon.canonical.topic-prefix", prefix);
        config.put("connmon.mqtt.topics", prefix + "#");

        // a Mosquitto of the test's own, reporting lifecycle on its log topic
        mosquitto = TestMosquitto.start();
        config.put("connmon.sources.mosq.host", "127.0.0.1");
        config.put("connmon.sources.mosq.port", Integer.toString(mosquitto.port()));
        config.put("connmon.sources.mosq.topics", "$SYS/broker/log/#");
        config.put("connmon.sources.mosq.client-id", "connmon-ci-mosq");

        // other brokers' lifecycle messages, bridged into the machine's Mosquitto under a prefix, dialect fixed
        String bridge = "bridge-" + UUID.randomUUID().toString().substring(0, 8);
        config.put(BRIDGE_PREFIX_KEY, bridge);
        for (String dialect : new String[] {"emqx", "aws", "nanomq"}) {
            config.put("connmon.sources." + dialect + ".host", "127.0.0.1");
            config.put("connmon.sources." + dialect + ".port", "1883");
            config.put("connmon.sources." + dialect + ".topics", bridge + "/" + dialect + "/#");
            config.put("connmon.sources." + dialect + ".dialect", dialect);
            config.put("connmon.sources." + dialect + ".client-id", "connmon-ci-" + dialect);
        }
        // Watson's topics carry no $ and need no bridge: the dialect follows from the topic
        config.put("connmon.sources.watson.host", "127.0.0.1");
        config.put("connmon.sources.watson.port", "1883");
        config.put("connmon.sources.watson.topics", "iot-2/type/+/id/+/mon,iot-2/app/+/mon");
        config.put("connmon.sources.watson.client-id", "connmon-ci-watson");
        // connmon publishes Watson status topics on the machine's Mosquitto too: it would read them back (docs/api.md
        // §7)
        config.put("connmon.monitor.watson", "false");
        return config;
    }

    /** Hands the test-owned Mosquitto to a test's {@code TestMosquitto} field, for tests that stop and restart it. */
    @Override
    public void inject(TestInjector testInjector) {
        if (mosquitto != null) {
            testInjector.injectIntoFields(mosquitto, new TestInjector.MatchesType(TestMosquitto.class));
        }
    }

    @Override
    public void stop() {
        if (mosquitto != null) {
            mosquitto.close();
        }
        if (embedded != null) {
            try {
                embedded.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
