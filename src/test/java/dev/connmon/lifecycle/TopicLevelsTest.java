package dev.connmon.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Client ids as one topic level each (docs/api.md §4), including ids a validating broker would refuse in a topic. */
class TopicLevelsTest {

    @Test
    void wildcardsSeparatorsAndPercentAreEncoded() {
        assertThat(TopicLevels.escape("d:acme/x+y#z%")).isEqualTo("d:acme%2Fx%2By%23z%25");
    }

    @Test
    void controlCharactersAndNonCharactersAreEncodedAsTheirUtf8Bytes() {
        assertThat(TopicLevels.escape("a\u0001b\u007Fc\u0085d\uFFFFe\uFDD0"))
                .isEqualTo("a%01b%7Fc%C2%85d%EF%BF%BFe%EF%B7%90");
        assertThat(TopicLevels.escape("\uD83F\uDFFF")).isEqualTo("%F0%9F%BF%BF"); // U+1FFFF
    }

    @Test
    void ordinaryTextStaysAsItIs() {
        String id = "ünïcødé 😀 sensor (1) \uFFFD";
        assertThat(TopicLevels.escape(id)).isEqualTo(id);
    }
}
