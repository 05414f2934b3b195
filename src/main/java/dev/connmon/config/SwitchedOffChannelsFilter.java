package dev.connmon.config;

import io.quarkus.logging.LoggingFilter;
import java.util.List;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Drops SmallRye's start-up warning that components are not connected (SRMSG00207) when every component it names
 * belongs to a Kafka channel that {@link KafkaSwitch} turned off: without Kafka configured, that is the switch at
 * work, and a warning on every start would teach operators to ignore warnings. Any other unconnected component, alone
 * or beside those, keeps the whole warning.
 */
@LoggingFilter(name = "connmon-switched-off-channels")
public final class SwitchedOffChannelsFilter implements Filter {
    private static final String NOT_CONNECTED = "SRMSG00207";
    /** What the warning says of connmon's two Kafka channels when they are off. */
    private static final List<String> SWITCHED_OFF = List.of(
            "outgoing:'" + KafkaSwitch.STATES_CHANNEL + "'} has no downstream",
            "@Channel{channel:'" + KafkaSwitch.LIFECYCLE_CHANNEL + "'} has no upstream");

    @Override
    public boolean isLoggable(LogRecord record) {
        String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
        if (message == null || !message.startsWith(NOT_CONNECTED)) {
            return true;
        }
        List<String> components = message.lines()
                .skip(1)
                .map(String::strip)
                .filter(line -> !line.isEmpty())
                .toList();
        return components.isEmpty()
                || !components.stream().allMatch(line -> SWITCHED_OFF.stream().anyMatch(line::endsWith));
    }
}
