package dev.connmon.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every query-parameter form and every way it can be wrong, without a server. */
class QueryParametersTest {
    private static final Instant NOW = Instant.parse("2026-12-01T06:00:00Z");

    @Test
    void timesAreInstantsEpochMillisecondsOrDurationsAgo() {
        assertThat(QueryParameters.time("since", "2026-11-26T06:00:00.123Z", NOW))
                .isEqualTo(Instant.parse("2026-11-26T06:00:00.123Z"));
        assertThat(QueryParameters.time("since", "2026-11-26T07:00:00+01:00", NOW))
                .isEqualTo(Instant.parse("2026-11-26T06:00:00Z"));
        assertThat(QueryParameters.time("since", "1764568800000", NOW)).isEqualTo(Instant.ofEpochMilli(1764568800000L));
        assertThat(QueryParameters.time("since", "PT15M", NOW)).isEqualTo(NOW.minusSeconds(900));
        assertThat(QueryParameters.time("since", "P2D", NOW)).isEqualTo(NOW.minusSeconds(2 * 86400));
        assertThat(QueryParameters.time("since", "p1dt1h", NOW)).isEqualTo(NOW.minusSeconds(86400 + 3600));
        // a month is a calendar month back from now, not 30 days
        assertThat(QueryParameters.time("since", "P1M", NOW)).isEqualTo(Instant.parse("2026-11-01T06:00:00Z"));
        assertThat(QueryParameters.time("since", " P1D ", NOW)).isEqualTo(NOW.minusSeconds(86400));
        assertThat(QueryParameters.time("since", null, NOW)).isNull();
    }

    @Test
    void badTimesNameTheParameter() {
        for (String bad : new String[] {
            "",
            " ",
            "yesterday",
            "2026-13-01T00:00:00Z",
            "-P1D",
            "PT-1S",
            "P",
            "99999999999999999999",
            "P99999999999999999D",
            "2026-11-26"
        }) {
            assertThatThrownBy(() -> QueryParameters.time("connectedAfter", bad, NOW))
                    .as(bad)
                    .isInstanceOfSatisfying(
                            InvalidParameterException.class,
                            e -> assertThat(e.parameter()).isEqualTo("connectedAfter"));
        }
    }

    @Test
    void integersAreBoundedAndDefaulted() {
        assertThat(QueryParameters.integer("_limit", null, 1, 1000, 25)).isEqualTo(25);
        assertThat(QueryParameters.integer("_limit", " 1000 ", 1, 1000, 25)).isEqualTo(1000);
        for (String bad : new String[] {"0", "1001", "-5", "ten", "1.5", "", "99999999999"}) {
            assertThatThrownBy(() -> QueryParameters.integer("_limit", bad, 1, 1000, 25))
                    .as(bad)
                    .isInstanceOfSatisfying(
                            InvalidParameterException.class,
                            e -> assertThat(e.parameter()).isEqualTo("_limit"));
        }
    }

    @Test
    void eventIdsAreNonNegativeLongs() {
        assertThat(QueryParameters.longValue("lastEventId", "1734")).isEqualTo(1734L);
        for (String bad : new String[] {"-1", "x", "", "1e3", "99999999999999999999"}) {
            assertThatThrownBy(() -> QueryParameters.longValue("lastEventId", bad))
                    .as(bad)
                    .isInstanceOf(InvalidParameterException.class);
        }
    }

    @Test
    void enumeratedValuesAndTextAreChecked() {
        assertThat(QueryParameters.oneOf("connectionStatus", "connected", Set.of("connected", "disconnected")))
                .isEqualTo("connected");
        assertThatThrownBy(() ->
                        QueryParameters.oneOf("connectionStatus", "Connected", Set.of("connected", "disconnected")))
                .isInstanceOf(InvalidParameterException.class);
        assertThat(QueryParameters.text("clientIdPrefix", "d:acme:")).isEqualTo("d:acme:");
        assertThatThrownBy(() -> QueryParameters.text("clientIdPrefix", ""))
                .isInstanceOf(InvalidParameterException.class);
        assertThatThrownBy(() -> QueryParameters.text("clientIdPrefix", "a\u0000b"))
                .isInstanceOf(InvalidParameterException.class);
        assertThatThrownBy(() -> QueryParameters.text("clientIdPrefix", "x".repeat(1025)))
                .isInstanceOf(InvalidParameterException.class);
        assertThat(QueryParameters.abbreviate("y".repeat(100))).hasSize(65).endsWith("…");
    }
}
