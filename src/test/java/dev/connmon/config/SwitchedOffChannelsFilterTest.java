package dev.connmon.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** The not-connected warning is dropped only when it names nothing but the Kafka channels switched off. */
class SwitchedOffChannelsFilterTest {
    private static final String HEAD =
            "SRMSG00207: Some components are not connected to either downstream consumers or upstream producers:\n";
    private static final String STATES = "\t- PublisherMethod{method:'dev.connmon.live.KafkaStatePublisher#records',"
            + " outgoing:'states-kafka'} has no downstream\n";
    private static final String LIFECYCLE = "\t- @Channel{channel:'lifecycle-kafka'} has no upstream\n";

    private final SwitchedOffChannelsFilter filter = new SwitchedOffChannelsFilter();

    @Test
    void theWarningAboutBothSwitchedOffKafkaChannelsIsDropped() {
        assertThat(filter.isLoggable(warning(HEAD + STATES + LIFECYCLE + "\n"))).isFalse();
        // Kafka on, no state topic: only the state stream is off
        assertThat(filter.isLoggable(warning(HEAD + STATES))).isFalse();
    }

    @Test
    void anyOtherUnconnectedComponentKeepsTheWholeWarning() {
        String other = "\t- @Channel{channel:'lifecycle'} has no upstream\n";
        assertThat(filter.isLoggable(warning(HEAD + STATES + other + LIFECYCLE)))
                .isTrue();
        assertThat(filter.isLoggable(warning(HEAD + other))).isTrue();
        assertThat(filter.isLoggable(warning(HEAD))).isTrue();
    }

    @Test
    void everythingElsePasses() {
        assertThat(filter.isLoggable(
                        warning("SRMSG00231: Incoming channel `lifecycle-kafka` disabled by configuration")))
                .isTrue();
        assertThat(filter.isLoggable(warning(null))).isTrue();
        assertThat(filter.isLoggable(warning(STATES))).isTrue();
    }

    private static LogRecord warning(String message) {
        return new LogRecord(Level.WARNING, message);
    }
}
