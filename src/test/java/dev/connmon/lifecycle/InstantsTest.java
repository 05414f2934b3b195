package dev.connmon.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connmon.lifecycle.dialect.DecodeException;
import dev.connmon.lifecycle.dialect.JsonFields;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written canonical forms agree with java.time's formatters on every input. */
class InstantsTest {
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final long FIRST = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
    private static final long LAST = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();

    @Test
    void formatIsTheFormattersForEveryYearFrom0To9999() {
        Random random = new Random(17);
        for (int i = 0; i < 200_000; i++) {
            Instant t = Instant.ofEpochSecond(FIRST + (long) (random.nextDouble() * (LAST - FIRST)))
                    .plusMillis(random.nextInt(1000));
            assertThat(Instants.format(t)).isEqualTo(FORMAT.format(t));
        }
        for (String edge : List.of(
                "0000-01-01T00:00:00.000Z",
                "1970-01-01T00:00:00.000Z",
                "2024-02-29T23:59:59.999Z",
                "9999-12-31T23:59:59.999Z")) {
            assertThat(Instants.format(Instant.parse(edge))).isEqualTo(edge);
        }
        // outside four-digit years the formatter answers, as before
        Instant far = Instant.parse("+10000-01-01T00:00:00Z");
        assertThat(Instants.format(far)).isEqualTo(FORMAT.format(far));
        assertThat(Instants.format(null)).isNull();
    }

    @Test
    void parseUtcIsOffsetDateTimeParseWhereItAnswersAndAnswersTheCanonicalForm() {
        Random random = new Random(23);
        for (int i = 0; i < 200_000; i++) {
            Instant t = Instant.ofEpochSecond(
                    FIRST + (long) (random.nextDouble() * (LAST - FIRST)), random.nextInt(1_000_000_000));
            String seconds = FORMAT.format(t).substring(0, 19);
            int digits = random.nextInt(10);
            String fraction = String.format("%09d", t.getNano()).substring(0, digits);
            String text = seconds + (digits == 0 ? "" : "." + fraction) + "Z";
            assertThat(Instants.parseUtc(text))
                    .as(text)
                    .isEqualTo(OffsetDateTime.parse(text).toInstant());
        }
    }

    @Test
    void anythingElseIsLeftToTheFullParser() throws Exception {
        for (String text : List.of(
                "2026-12-01T19:31:23+00:00", // offsets
                "2026-12-01T19:31:23.123+02:00",
                "2026-12-01T19:31Z", // no seconds
                "2026-12-01t19:31:23Z", // lower case
                "2026-12-01T19:31:23z",
                "2026-12-01T19:31:23.Z", // a point without digits
                "2026-12-01T19:31:23.1234567890Z", // ten digits
                "2026-02-30T00:00:00Z", // no such day
                "2026-13-01T00:00:00Z",
                "2026-12-01T24:00:00Z",
                "2026-12-01T23:59:60Z", // leap second
                "2026-12-01T19:3a:23Z",
                "+2026-12-01T19:31:23Z",
                "-0001-12-01T19:31:23Z",
                "2026-12-01 19:31:23Z",
                "")) {
            assertThat(Instants.parseUtc(text)).as(text).isNull();
        }
        // through the decoder: what the fast path leaves is read by the full parser (an offset, a point
        // without digits), and a time that is no time is a clear rejection naming the field, as before the fast path
        ObjectMapper json = new ObjectMapper();
        assertThat(JsonFields.instant(json.readTree("{\"time\": \"2026-12-01T21:31:23.123+02:00\"}"), "time"))
                .isEqualTo(Instant.parse("2026-12-01T19:31:23.123Z"));
        assertThat(JsonFields.instant(json.readTree("{\"time\": \"2026-12-01T19:31:23.Z\"}"), "time"))
                .isEqualTo(Instant.parse("2026-12-01T19:31:23Z"));
        for (String text : List.of("2026-02-30T00:00:00Z", "2026-12-01T24:00:00Z", "2026-12-01T23:59:60Z")) {
            assertThatThrownBy(() -> JsonFields.instant(json.readTree("{\"time\": \"" + text + "\"}"), "time"))
                    .isInstanceOf(DecodeException.class)
                    .hasMessageContaining("field 'time' is not an ISO 8601 time");
        }
    }
}
