package dev.connmon.query;

import java.time.Instant;
import java.util.List;

/**
 * A list filter ({@link StateFilter.Field}) as a query parameter: its name (and Watson's alias, if any), what it
 * means, an example, and the type of its value: {@code TEXT} (with {@code values}: one of them), {@code TIME},
 * {@code INTEGER} within {@code min..max}, {@code BOOLEAN}. The API parses and documents each type one way
 * (StateListRequest, StateListOpenApi).
 */
public record FilterParameter(
        String name,
        String alias,
        Type type,
        String description,
        String example,
        List<String> values,
        int min,
        int max) {
    public enum Type {
        TEXT(String.class),
        TIME(Instant.class),
        INTEGER(Integer.class),
        BOOLEAN(Boolean.class);

        final Class<?> javaType;

        Type(Class<?> javaType) {
            this.javaType = javaType;
        }
    }

    static FilterParameter text(String name, String description, String example) {
        return new FilterParameter(name, null, Type.TEXT, description, example, List.of(), 0, 0);
    }

    static FilterParameter oneOf(String name, String description, String... values) {
        return new FilterParameter(name, null, Type.TEXT, description, null, List.of(values), 0, 0);
    }

    static FilterParameter time(String name, String description, String example) {
        return new FilterParameter(name, null, Type.TIME, description, example, List.of(), 0, 0);
    }

    static FilterParameter integer(String name, String description, String example, int min, int max) {
        return new FilterParameter(name, null, Type.INTEGER, description, example, List.of(), min, max);
    }

    static FilterParameter bool(String name, String description) {
        return new FilterParameter(name, null, Type.BOOLEAN, description, null, List.of("true", "false"), 0, 0);
    }

    FilterParameter alias(String alias) {
        return new FilterParameter(name, alias, type, description, example, values, min, max);
    }
}
