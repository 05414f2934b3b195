package dev.connmon;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The native profile's classpath holds none of the embedded machinery: what the machine-services suite proves on it
 * is proved without EmbeddedMain, HiveMQ's embedded broker or zonky's PostgreSQL, none of which a native image can
 * carry. Only meaningful with {@code -Dnative} (the profile sets {@code test.native-classpath}).
 */
@Tag("machine-services")
@EnabledIfSystemProperty(
        named = "test.native-classpath",
        matches = "true",
        disabledReason = "the default classpath carries the embedded machinery on purpose; run with "
                + "-Pmachine-services -Dnative -Dquarkus.native.enabled=false -Dquarkus.package.jar.enabled=true")
class NativeClasspathTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "dev.connmon.embedded.EmbeddedMain",
                "com.hivemq.embedded.EmbeddedHiveMQ",
                "io.zonky.test.db.postgres.embedded.EmbeddedPostgres"
            })
    void embeddedMachineryIsNotLoadable(String className) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        assertThatThrownBy(() -> Class.forName(className, false, loader)).isInstanceOf(ClassNotFoundException.class);
    }
}
