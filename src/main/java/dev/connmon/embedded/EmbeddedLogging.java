package dev.connmon.embedded;

import org.slf4j.LoggerFactory;

/**
 * Routes SLF4J to logback before the embedded services first log. HiveMQ casts SLF4J's logger factory to
 * logback's LoggerContext and fails on any other provider, so logback must win from the very first call;
 * zonky logs through SLF4J too and would otherwise bind first.
 */
final class EmbeddedLogging {
    static final String CONFIG = "/embedded-logback.xml";

    private EmbeddedLogging() {}

    static void useLogback() {
        System.setProperty("slf4j.provider", "ch.qos.logback.classic.spi.LogbackServiceProvider");
        // SLF4J announces a provider chosen by property on every start; only its warnings are worth a line
        System.setProperty("slf4j.internal.verbosity", "WARN");
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", CONFIG.substring(1));
        }
        // bound here, on one thread: PostgreSQL's starter and the broker would otherwise race to bind it, and SLF4J
        // tells of every call it held back meanwhile
        LoggerFactory.getILoggerFactory();
    }
}
