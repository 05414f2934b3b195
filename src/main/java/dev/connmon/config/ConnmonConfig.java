package dev.connmon.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every {@code connmon.*} setting, with its default, in one place (also as environment variables:
 * {@code connmon.ingest.batch-size} → {@code CONNMON_INGEST_BATCH_SIZE}). Quarkus checks the constraints at start and
 * stops with a message naming the key. docs/configuration.md lists them for users.
 */
@ConfigMapping(prefix = "connmon")
public interface ConnmonConfig {
    Mqtt mqtt();

    /** Further brokers, each a source of its own: {@code connmon.sources.<name>.*}. */
    Map<String, Source> sources();

    Canonical canonical();

    Ingest ingest();

    Rejected rejected();

    Log log();

    Live live();

    Monitor monitor();

    Activity activity();

    Flapping flapping();

    Timeline timeline();

    Metrics metrics();

    Embedded embedded();

    Alerts alerts();

    /** Expected check-ins of sleepy clients (docs/api.md §10.7): {@code connmon.expectations.<name>.*}. */
    Map<String, Expectation> expectations();

    Tokens tokens();

    Kafka kafka();

    /**
     * Kafka in (lifecycle records) and out (the state stream), docs/kafka.md. Further Kafka client settings
     * ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}) are Quarkus' {@code kafka.<property>} keys.
     */
    interface Kafka {
        /** Setting it turns the Kafka source on ({@link KafkaSwitch}). */
        Optional<String> bootstrapServers();

        @WithDefault("connmon.lifecycle")
        @NotEmpty
        List<String> topics();

        /** Instances with the same group share the topics' partitions. */
        @WithDefault("connmon")
        @NotEmpty
        String groupId();

        /** Fixes the dialect of every record; unset, each record's dialect is recognised from its payload. */
        Optional<String> dialect();

        /** Where every state change is produced, keyed by client id (a compacted topic); unset: off. */
        Optional<String> stateTopic();
    }

    /**
     * The default broker: the lifecycle channel reads from it and the monitoring topics are published on it, each
     * over a connection of its own with these settings.
     */
    interface Mqtt extends BrokerConnection {
        /** Unset: the embedded broker. */
        Optional<String> host();

        @WithDefault("connmon")
        String clientId();

        @WithDefault("connmon/events/#")
        @NotEmpty
        List<String> topics();
    }

    /** One further broker connection. */
    interface Source extends BrokerConnection {
        String host();

        /** Default {@code connmon-<name>}. */
        Optional<String> clientId();

        @NotEmpty
        List<String> topics();
    }

    /** What every broker connection is set up with, the default broker's ({@link Mqtt}) and each further source's. */
    interface BrokerConnection {
        @WithDefault("1883")
        @Min(1)
        @Max(65535)
        int port();

        Optional<String> username();

        Optional<String> password();

        /** Fixes the dialect; unset, each message's dialect follows from its topic. */
        Optional<String> dialect();

        @WithDefault("false")
        boolean ssl();

        Optional<String> caFile();

        @WithDefault("false")
        boolean trustAll();

        /**
         * With TLS, the broker's certificate must name the host connmon connects to (HTTPS rules), as browsers and
         * {@code mosquitto_sub} check it, unless NONE: Vert.x's MQTT client does not check the name unless told to.
         */
        @WithDefault("HTTPS")
        HostnameVerification hostnameVerification();

        /** Seconds. */
        @WithDefault("30")
        @Min(1)
        int keepAlive();

        /**
         * Netty 4.1.133's MqttDecoder bails out ("message length exceeds max") whenever a message's variable
         * header arrives split across reads with any smaller limit: the connection drops and the broker redelivers,
         * in a loop. Size policy is {@code connmon.ingest.max-payload-bytes}.
         */
        @WithDefault("2147483647")
        @Min(1)
        int maxMessageBytes();
    }

    /** Vert.x's names; NONE turns the check of the broker certificate's name off. */
    enum HostnameVerification {
        HTTPS,
        LDAPS,
        NONE
    }

    interface Canonical {
        @WithDefault("connmon/events/")
        @NotEmpty
        String topicPrefix();
    }

    interface Ingest {
        /** Messages per batch (one SQL statement). */
        @WithDefault("500")
        @Min(1)
        @Max(10000)
        int batchSize();

        @WithDefault("PT0S")
        Duration linger();

        /**
         * Full batches written at once: the next statement waits in PostgreSQL while one commits. Their order in
         * the database does not matter (the newest event wins); acks keep the messages' order.
         */
        @WithDefault("2")
        @Min(1)
        @Max(8)
        int writesInFlight();

        @WithDefault("65536")
        @Min(1)
        int maxPayloadBytes();
    }

    interface Rejected {
        @WithDefault("10000")
        @Min(0)
        int maxRows();

        /** How often retention runs (log partitions, rejected messages, state changes). */
        @WithDefault("PT1M")
        Duration trimInterval();
    }

    interface Log {
        @WithDefault("P30D")
        Duration retention();
    }

    interface Live {
        @WithDefault("PT15S")
        Duration keepAlive();

        @WithDefault("1000")
        @Min(1)
        int subscriberBuffer();

        @WithDefault("16")
        @Min(1)
        int maxStreamsPerKey();

        @WithDefault("P7D")
        Duration changeRetention();
    }

    interface Monitor {
        @WithDefault("connmon/clients/{clientId}/state")
        @NotEmpty
        String topic();

        /** Watson status topics iot-2/type/{typeId}/id/{deviceId}/mon and iot-2/app/{appId}/mon (docs/api.md §7). */
        @WithDefault("true")
        boolean watson();
    }

    /** Flapping (docs/api.md §10.3): at least {@code disconnects} disconnects within the trailing {@code window}. */
    interface Flapping {
        @WithDefault("5")
        @Min(1)
        int disconnects();

        @WithDefault("PT10M")
        Duration window();
    }

    /** The fleet timeline (docs/api.md §10.2). */
    interface Timeline {
        /** How often one instance samples the connected / disconnected counts. */
        @WithDefault("PT1M")
        Duration sampleInterval();
    }

    /** Fleet metrics in {@code /q/metrics} (docs/api.md §5): their label values are bounded by these. */
    interface Metrics {
        /** Device types beyond the N with the most clients are reported as {@code device_type="other"}. */
        @WithDefault("20")
        @Min(0)
        @Max(1000)
        int deviceTypesTop();

        /** Client-id prefixes whose clients get a series of their own ({@code connmon_client_connected}). */
        Optional<List<String>> clients();

        /** At most this many per-client series, whatever the prefixes match (the first in client-id order). */
        @WithDefault("100")
        @Min(0)
        @Max(1000)
        int clientsMax();
    }

    /** Activity coalescing (docs/api.md §9): at most one stored act per client per window, always the window's last. */
    interface Activity {
        /** Read by the embedded broker before Quarkus starts; PT0S stores every act. */
        @WithDefault("PT1S")
        Duration window();
    }

    /** Alert rules (docs/api.md §11): {@code connmon.alerts.<rule>.*}, and the settings all rules share. */
    interface Alerts {
        /** How long a webhook delivery is retried before it is given up. */
        @WithDefault("PT24H")
        Duration webhookRetryFor();

        /** How long one webhook attempt may take, all of it: connecting, sending, the status and the answer's body. */
        @WithDefault("PT10S")
        Duration webhookTimeout();

        /** How often the time-driven conditions are evaluated. */
        @WithDefault("PT1S")
        Duration evaluateEvery();

        /** Where PagerDuty events go (Events API v2): PagerDuty's own endpoint, or a proxy in front of it. */
        @WithDefault("https://events.pagerduty.com/v2/enqueue")
        String pagerdutyUrl();

        /**
         * How often open alerts are sent again to each rule's Alertmanager: well under its {@code resolve_timeout}
         * (default 5m), after which Alertmanager resolves an alert it has not heard of again.
         */
        @WithDefault("PT1M")
        Duration alertmanagerResendEvery();

        /**
         * The dashboard's address as operators reach it (https://connmon.example.com/), for the links in alerts;
         * unset: http://{this host's name}:{quarkus.http.port}/.
         */
        Optional<String> dashboardUrl();

        @WithParentName
        Map<String, Rule> rules();
    }

    interface Rule {
        /** offline, silent, flapping or fleet-drop. */
        String when();

        /** How long the condition must hold before an alert opens; default PT5M (PT0S for flapping). */
        @WithName("for")
        Optional<Duration> holdFor();

        /** In the list API's syntax: {@code deviceType=pump&clientIdPrefix=d:acme:}. */
        Optional<String> filter();

        /** fleet-drop only: the share (0..1] of the watched clients that disconnect within {@code for}. */
        Optional<Double> threshold();

        Optional<String> webhook();

        Optional<String> webhookSecret();

        /** critical, error, warning or info; default critical for fleet-drop, warning otherwise. */
        Optional<String> severity();

        /** Alertmanager's base URL: alerts go to its API v2 ({@code POST /api/v2/alerts}). */
        Optional<String> alertmanager();

        /** A PagerDuty Events API v2 integration's routing key: a secret. */
        Optional<String> pagerdutyRoutingKey();

        /** A Slack incoming webhook URL: a secret. */
        Optional<String> slack();

        /** A Microsoft Teams Workflows webhook URL: a secret. */
        Optional<String> teams();
    }

    /** One expectation: the clients its filter names connect at least every {@code every}, give or take grace. */
    interface Expectation {
        /** In the list API's syntax, on who the clients are: clientIdPrefix, clientType, deviceType, deviceId. */
        Optional<String> filter();

        Duration every();

        Optional<Duration> grace();
    }

    /** Stream tokens (docs/api.md §12). */
    interface Tokens {
        /** PEM (PKCS#8) RSA private key that signs tokens; created with its pair when neither file exists. */
        String signingKey();

        /** PEM public key of that pair; Quarkus verifies tokens with it (mp.jwt.verify.publickey.location). */
        String verificationKey();

        /** Lifetime of a token when the request names none. */
        @WithDefault("PT15M")
        Duration defaultTtl();

        /** The longest lifetime a request may ask for. */
        @WithDefault("PT1H")
        Duration maxTtl();
    }

    /**
     * The embedded default (JVM only). EmbeddedMain reads these before Quarkus starts; they are declared here too so
     * that one place documents and checks every key.
     */
    interface Embedded {
        @WithDefault("127.0.0.1")
        String brokerHost();

        @WithDefault("1883")
        @Min(0)
        @Max(65535)
        int brokerPort();

        @WithDefault("true")
        boolean anonymous();

        /** Device user names and their passwords on the embedded broker. */
        Map<String, String> users();

        /**
         * The client ids a device user may connect with, {@code user → comma-separated ids}, {@code *} for any run of
         * characters; a user not listed may use any id but connmon's own (docs/api.md §8).
         */
        Map<String, String> clientIds();

        /** 256 KiB: far above any lifecycle or status message, far below what a JVM that also serves the API holds. */
        String DEFAULT_MAX_PACKET_SIZE = "262144";

        /** The largest MQTT packet a client may send the embedded broker, in bytes. */
        @WithDefault(DEFAULT_MAX_PACKET_SIZE)
        @Min(1024)
        @Max(268435460)
        int maxPacketSize();

        @WithDefault("connmon-data")
        String dataDir();

        /** 0: a free port. */
        @WithDefault("0")
        @Min(0)
        @Max(65535)
        int databasePort();

        /** The embedded broker's node name; unset, the name kept in {@code <data-dir>/node-name}. */
        Optional<String> node();

        /** How often the embedded broker's sign of life is written to PostgreSQL. */
        @WithDefault("PT5S")
        Duration heartbeat();

        /** Who may read monitoring topics on the embedded broker (docs/api.md §8). */
        @WithDefault("api-keys")
        @Pattern(regexp = "api-keys|anyone")
        String monitorAccess();

        /** Set by EmbeddedMain once it has started the services. */
        @WithName("started")
        Optional<Boolean> started();

        /** Set by EmbeddedMain: the running embedded broker's node and when it started (EmbeddedNode). */
        Optional<String> runningNode();

        Optional<String> runningSince();
    }
}
