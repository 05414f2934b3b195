package dev.connmon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Quarkus builds an application for every {@code @TestProfile} among the classes surefire loads, before JUnit's tag
 * filter leaves a class out: a long-only class with a profile of its own cost the default run one build (about 6 s)
 * for tests it never ran. pom.xml therefore leaves such classes out by name ({@code surefire.excludes}, one list for
 * the default run and one for the long profile); this keeps both lists equal to what the test sources say.
 */
class TestProfilesTest {
    private static final Pattern DEFAULT_EXCLUDES =
            Pattern.compile("<properties>.*?<surefire\\.excludes>([^<]*)</surefire\\.excludes>", Pattern.DOTALL);
    private static final Pattern LONG_EXCLUDES =
            Pattern.compile("<id>long</id>.*?<surefire\\.excludes>([^<]*)</surefire\\.excludes>", Pattern.DOTALL);
    private static final Pattern HAS_PROFILE = Pattern.compile("^@TestProfile\\(", Pattern.MULTILINE);
    private static final Pattern TAGGED_LONG = Pattern.compile("^@Tag\\(\"long\"\\)", Pattern.MULTILINE);
    private static final Pattern EXCLUDED_CLASS = Pattern.compile("\\*\\*/(\\w+)\\.java");

    private static Set<String> longWithProfile;
    private static Set<String> defaultWithProfile;
    private static String pom;

    @BeforeAll
    static void readSources() throws IOException {
        longWithProfile = new TreeSet<>();
        defaultWithProfile = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("src/test/java"))) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith("Test.java")).toList()) {
                String source = Files.readString(file);
                if (!HAS_PROFILE.matcher(source).find()) {
                    continue;
                }
                String name = file.getFileName().toString().replace(".java", "");
                (TAGGED_LONG.matcher(source).find() ? longWithProfile : defaultWithProfile).add(name);
            }
        }
        pom = Files.readString(Path.of("pom.xml"));
    }

    private static Set<String> excluded(Pattern list) {
        Matcher matcher = list.matcher(pom);
        assertThat(matcher.find()).as("pom.xml sets %s", list.pattern()).isTrue();
        Set<String> names = new TreeSet<>();
        Matcher entry = EXCLUDED_CLASS.matcher(matcher.group(1));
        while (entry.find()) {
            names.add(entry.group(1));
        }
        return names;
    }

    @Test
    void theDefaultRunLoadsNoLongClassWithAProfileOfItsOwn() {
        assertThat(longWithProfile).isNotEmpty();
        assertThat(excluded(DEFAULT_EXCLUDES)).isEqualTo(longWithProfile);
    }

    @Test
    void theLongRunLoadsNoDefaultClassWithAProfileOfItsOwn() {
        assertThat(defaultWithProfile).isNotEmpty();
        assertThat(excluded(LONG_EXCLUDES)).isEqualTo(defaultWithProfile);
    }

    @Test
    void bothListsKeepSurefiresOwnExclusionOfNestedClasses() {
        for (Pattern list : List.of(DEFAULT_EXCLUDES, LONG_EXCLUDES)) {
            Matcher matcher = list.matcher(pom);
            assertThat(matcher.find()).isTrue();
            assertThat(matcher.group(1)).startsWith("**/*$*,");
        }
    }
}
