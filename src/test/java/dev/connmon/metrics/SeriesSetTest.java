package dev.connmon.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A family of gauges whose label sets come and go: the registry holds exactly the last set's series. */
class SeriesSetTest {
    @Test
    void aSetReplacesTheSeriesAndRemovesTheVanishedOnes() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SeriesSet set = new SeriesSet(registry, "connmon.test", "test");
        set.set(Map.of(Tags.of("k", "a"), 1.0, Tags.of("k", "b"), 2.0));
        set.set(Map.of(Tags.of("k", "b"), 5.0, Tags.of("k", "c"), 3.0));

        assertThat(registry.find("connmon.test").gauges())
                .extracting(g -> g.getId().getTag("k"))
                .containsExactlyInAnyOrder("b", "c");
        assertThat(registry.find("connmon.test").tag("k", "b").gauge().value()).isEqualTo(5.0);
    }

    @Test
    void aNewSetDropsTheSeriesAnEarlierApplicationLeft() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new SeriesSet(registry, "connmon.test", "test").set(Map.of(Tags.of("k", "old"), 1.0));
        SeriesSet second = new SeriesSet(registry, "connmon.test", "test");
        second.set(Map.of(Tags.of("k", "new"), 2.0));

        assertThat(registry.find("connmon.test").gauges())
                .extracting(Gauge::value)
                .containsExactly(2.0);
    }
}
