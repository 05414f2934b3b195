package dev.connmon.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connmon.query.FilterParameter;
import dev.connmon.query.StateFilter;
import dev.connmon.query.StateFilter.Field;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every filter of the model ({@link StateFilter.Field}) is a parameter of the list, with no other place to touch:
 * it is known, parsed into its field, part of the bookmark's fingerprint, and refused with a 400 naming it when its
 * value cannot be used. Without a server.
 */
class StateListRequestTest {
    private static final Instant NOW = Instant.parse("2026-12-01T06:00:00Z");

    /** A value of the filter's type that can be used. */
    private static String sample(FilterParameter p) {
        return switch (p.type()) {
            case TEXT ->
                p.values().isEmpty() ? "d:acme:" : p.values().get(p.values().size() - 1);
            case TIME -> "P1D";
            case INTEGER -> Integer.toString(p.max());
            case BOOLEAN -> "true";
        };
    }

    @Test
    void everyFilterIsAKnownParameterParsedIntoItsField() {
        Set<String> fingerprints = new HashSet<>();
        fingerprints.add(StateListRequest.parseFilter("").fingerprint());
        for (Field field : Field.values()) {
            FilterParameter p = field.parameter();
            assertThat(StateListRequest.NAMES).contains(p.name());
            StateListRequest request = StateListRequest.parseFilter(p.name() + "=" + sample(p));
            StateFilter filter = request.filter(NOW);
            assertThat(filter.values()).as(p.name()).containsOnlyKeys(field);
            assertThat(fingerprints.add(request.fingerprint()))
                    .as("%s changes the fingerprint", p.name())
                    .isTrue();
            if (p.alias() != null) {
                assertThat(StateListRequest.NAMES).contains(p.alias());
                StateListRequest aliased = StateListRequest.parseFilter(p.alias() + "=" + sample(p));
                assertThat(aliased.filter(NOW)).isEqualTo(filter);
                // the same listing, whichever name it was asked by
                assertThat(aliased.fingerprint()).isEqualTo(request.fingerprint());
                assertThatThrownBy(() -> StateListRequest.parseFilter(
                                        p.name() + "=" + sample(p) + "&" + p.alias() + "=" + sample(p))
                                .filter(NOW))
                        .isInstanceOfSatisfying(
                                InvalidParameterException.class,
                                e -> assertThat(e.parameter()).isEqualTo(p.alias()));
            }
            assertThatThrownBy(
                            () -> StateListRequest.parseFilter(p.name() + "=").filter(NOW))
                    .as(p.name() + " empty")
                    .isInstanceOfSatisfying(
                            InvalidParameterException.class,
                            e -> assertThat(e.parameter()).isEqualTo(p.name()));
        }
        assertThat(StateListRequest.NAMES).containsAll(Set.of("_limit", "_sort", "_bookmark"));
    }

    @Test
    void valuesAreParsedByTheirType() {
        StateFilter filter = StateListRequest.parseFilter("connectedAfter=P1D&disconnectReasonCode=141&flapping=false"
                        + "&clientIdPrefix=d%3Aacme%3A&lastConnectedBefore=1764568800000")
                .filter(NOW);
        assertThat(filter.get(Field.CONNECTED_AFTER)).isEqualTo(NOW.minusSeconds(86400));
        assertThat(filter.get(Field.CONNECTED_BEFORE)).isEqualTo(Instant.ofEpochMilli(1764568800000L));
        assertThat(filter.get(Field.DISCONNECT_REASON_CODE)).isEqualTo(141);
        assertThat(filter.get(Field.FLAPPING)).isEqualTo(false);
        assertThat(filter.get(Field.CLIENT_ID_PREFIX)).isEqualTo("d:acme:");
        for (String bad : new String[] {
            "connectionStatus=online", "disconnectReasonCode=256", "flapping=yes", "activeBefore=yesterday"
        }) {
            String name = bad.substring(0, bad.indexOf('='));
            assertThatThrownBy(() -> StateListRequest.parseFilter(bad).filter(NOW))
                    .as(bad)
                    .isInstanceOfSatisfying(
                            InvalidParameterException.class,
                            e -> assertThat(e.parameter()).isEqualTo(name));
        }
        assertThatThrownBy(() -> StateListRequest.parseFilter("_limit=5"))
                .isInstanceOfSatisfying(
                        InvalidParameterException.class,
                        e -> assertThat(e.parameter()).isEqualTo("_limit"));
    }
}
