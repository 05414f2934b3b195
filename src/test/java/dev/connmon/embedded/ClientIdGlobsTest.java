package dev.connmon.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The client ids a bound device user may use (docs/api.md §8). */
class ClientIdGlobsTest {

    @ParameterizedTest
    @CsvSource({
        "d:acme:pump:17, d:acme:pump:17, true",
        "d:acme:pump:17, d:acme:pump:170, false",
        "d:acme:pump:*, d:acme:pump:170, true",
        "d:acme:pump:*, d:acme:pump:, true",
        "d:acme:pump:*, d:acme:valve:1, false",
        "*:pump:*, d:acme:pump:1, true",
        "d:*:pump:1, d:acme:pump:2, false",
        "d:a.c+e:pump:1, d:abcde:pump:1, false",
    })
    void aGlobMatchesWholeIdsWithStarForAnyRun(String glob, String clientId, boolean matches) {
        assertThat(ClientIdGlobs.parse(glob).matches(clientId)).isEqualTo(matches);
    }

    @Test
    void aListAllowsEachOfItsIds() {
        ClientIdGlobs globs = ClientIdGlobs.parse(" d:acme:pump:17 , g:acme:gw:* ");
        assertThat(globs.matches("d:acme:pump:17")).isTrue();
        assertThat(globs.matches("g:acme:gw:hall")).isTrue();
        assertThat(globs.matches("d:acme:pump:18")).isFalse();
    }

    @Test
    void aHostileIdCannotMakeMatchingSlow() {
        ClientIdGlobs globs = ClientIdGlobs.parse("*a*a*a*a*a*a*a*b");
        long start = System.nanoTime();
        assertThat(globs.matches("a".repeat(1024))).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(200));
    }

    @Test
    void aBindingForNoUserOrWithoutIdsStopsStartup() {
        assertThatThrownBy(() -> BrokerSettings.userClientIds(Map.of("alice", "pw"), Map.of("bob", "d:x:y:z")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("connmon.embedded.client-ids.bob names no device user");
        assertThatThrownBy(() -> BrokerSettings.userClientIds(Map.of("alice", "pw"), Map.of("alice", " , ")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("connmon.embedded.client-ids.alice");
    }
}
