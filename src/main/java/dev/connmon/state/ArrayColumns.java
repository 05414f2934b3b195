package dev.connmon.state;

import io.vertx.core.buffer.Buffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/**
 * Columns that a batch statement writes from one array parameter each, {@code unnest($1::text[], $2::int[], …)}:
 * each column's name, SQL type and value in a row. The statement's column list, its parameter list and the arrays
 * bound to it are all made from one such list, so they cannot disagree, and a column is added in one place.
 */
final class ArrayColumns<T> {
    /** The SQL types of the arrays, and the Java array each is bound as. */
    enum Type {
        TEXT("text", String[]::new),
        TIMESTAMPTZ("timestamptz", OffsetDateTime[]::new),
        INT("int", Integer[]::new),
        SMALLINT("smallint", Short[]::new),
        BOOLEAN("boolean", Boolean[]::new),
        UUID("uuid", UUID[]::new),
        BYTEA("bytea", Buffer[]::new);

        final String sql;
        private final IntFunction<Object[]> array;

        Type(String sql, IntFunction<Object[]> array) {
            this.sql = sql;
            this.array = array;
        }

        /** A row's value as the client binds it: times at UTC, bytes as a buffer. */
        Object bind(Object value) {
            if (value == null) {
                return null;
            }
            return switch (this) {
                case TIMESTAMPTZ -> ((Instant) value).atOffset(ZoneOffset.UTC);
                case BYTEA -> Buffer.buffer((byte[]) value);
                default -> value;
            };
        }
    }

    /** One column: its name, its type, and its value in a row (null: SQL NULL). */
    record Column<T>(String name, Type type, Function<? super T, ?> value) {
        /** The same column with its value taken from another row type ({@code part} null: NULL). */
        <R> Column<R> of(Function<? super R, ? extends T> part) {
            return new Column<>(name, type, row -> {
                T value = part.apply(row);
                return value == null ? null : this.value.apply(value);
            });
        }
    }

    static <T> Column<T> text(String name, Function<? super T, String> value) {
        return new Column<>(name, Type.TEXT, value);
    }

    static <T> Column<T> time(String name, Function<? super T, Instant> value) {
        return new Column<>(name, Type.TIMESTAMPTZ, value);
    }

    static <T> Column<T> integer(String name, Function<? super T, Integer> value) {
        return new Column<>(name, Type.INT, value);
    }

    static <T> Column<T> smallint(String name, Function<? super T, Short> value) {
        return new Column<>(name, Type.SMALLINT, value);
    }

    static <T> Column<T> bool(String name, Function<? super T, Boolean> value) {
        return new Column<>(name, Type.BOOLEAN, value);
    }

    static <T> Column<T> uuid(String name, Function<? super T, UUID> value) {
        return new Column<>(name, Type.UUID, value);
    }

    static <T> Column<T> bytes(String name, Function<? super T, byte[]> value) {
        return new Column<>(name, Type.BYTEA, value);
    }

    private final List<Column<T>> columns;

    ArrayColumns(List<Column<T>> columns) {
        this.columns = List.copyOf(columns);
    }

    List<Column<T>> columns() {
        return columns;
    }

    int size() {
        return columns.size();
    }

    /** {@code client_id, event_time, …} */
    String names() {
        return columns.stream().map(Column::name).collect(Collectors.joining(", "));
    }

    /** {@code unnest($first::text[], $first+1::timestamptz[], …)}: one row per element of the arrays. */
    String unnest(int first) {
        List<String> arrays = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            arrays.add("$" + (first + i) + "::" + columns.get(i).type().sql + "[]");
        }
        return "unnest(" + String.join(", ", arrays) + ")";
    }

    /** The parameters: one array per column, in column order, each with an element per row. */
    List<Object> arrays(Collection<? extends T> rows) {
        List<Object> arrays = new ArrayList<>(columns.size());
        for (Column<T> column : columns) {
            Object[] array = column.type().array.apply(rows.size());
            int i = 0;
            for (T row : rows) {
                array[i++] = column.type().bind(column.value().apply(row));
            }
            arrays.add(array);
        }
        return arrays;
    }
}
