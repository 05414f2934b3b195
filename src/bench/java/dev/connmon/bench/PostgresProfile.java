package dev.connmon.bench;

import dev.connmon.support.TestDatabases;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Where a PostgreSQL server's CPU went over one interval: each process's CPU grouped by what it is (its
 * {@code application_name}, or its {@code backend_type} for the server's own processes), the processes that exited
 * within the interval (autovacuum workers, mostly) as one group; and, when the server runs with
 * {@code -Dbench.pg.shared_preload_libraries=pg_stat_statements}, the statements by total execution time.
 */
public final class PostgresProfile {
    private static final boolean STATEMENTS =
            System.getProperty("bench.pg.shared_preload_libraries", "").contains("pg_stat_statements");

    private final String jdbcUrl;
    private final long postmaster;
    private final Map<Long, Double> start;
    private final double exited0;

    private PostgresProfile(String jdbcUrl, long postmaster) {
        this.jdbcUrl = jdbcUrl;
        this.postmaster = postmaster;
        this.start = perProcess(postmaster);
        this.exited0 = ProcStats.childrenCpuSeconds(postmaster);
    }

    /** Starts the interval: resets the statement statistics and reads each process's CPU so far. */
    public static PostgresProfile start(String jdbcUrl, Path dataDir) throws SQLException, IOException {
        if (STATEMENTS) {
            try (Connection db = TestDatabases.connect(jdbcUrl);
                    Statement sql = db.createStatement()) {
                sql.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
                sql.execute("SELECT pg_stat_statements_reset()");
            }
        }
        long postmaster = Long.parseLong(
                Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
        return new PostgresProfile(jdbcUrl, postmaster);
    }

    /** Ends the interval: the CPU per kind of process, and the statements, as lines to print. */
    public String stop(int events) throws SQLException {
        Map<Long, Double> end = perProcess(postmaster);
        // an exited child's CPU reaches the postmaster's cutime whole, the part before the interval included
        double exited = ProcStats.childrenCpuSeconds(postmaster) - exited0;
        for (Map.Entry<Long, Double> before : start.entrySet()) {
            if (!end.containsKey(before.getKey())) {
                exited -= before.getValue();
            }
        }
        Map<Long, String> labels = new HashMap<>();
        StringBuilder out = new StringBuilder();
        try (Connection db = TestDatabases.connect(jdbcUrl);
                Statement sql = db.createStatement()) {
            try (ResultSet rs = sql.executeQuery("""
                    SELECT pid, coalesce(nullif(application_name, ''), backend_type), backend_type
                      FROM pg_stat_activity""")) {
                while (rs.next()) {
                    String kind = rs.getString(3);
                    labels.put(
                            rs.getLong(1),
                            "client backend".equals(kind) ? "backend " + rs.getString(2) : rs.getString(2));
                }
            }
            Map<String, Double> byKind = new TreeMap<>();
            end.forEach((pid, seconds) -> byKind.merge(
                    pid == postmaster ? "postmaster" : labels.getOrDefault(pid, "process gone at the end"),
                    seconds - start.getOrDefault(pid, 0.0),
                    Double::sum));
            byKind.merge("exited in the interval (autovacuum workers, …)", exited, Double::sum);
            out.append("  PostgreSQL CPU per event by process, µs:");
            byKind.forEach((kind, seconds) -> {
                if (seconds >= 0.005) {
                    out.append(String.format(" %s %.1f;", kind, seconds * 1e6 / events));
                }
            });
            out.append('\n');
            if (STATEMENTS) {
                statements(sql, events, out);
            }
        }
        return out.toString();
    }

    private static void statements(Statement sql, int events, StringBuilder out) throws SQLException {
        try (ResultSet rs = sql.executeQuery("""
                SELECT calls, rows, total_exec_time, mean_exec_time, max_exec_time,
                       regexp_replace(left(query, 90), '\\s+', ' ', 'g')
                  FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 10""")) {
            out.append(String.format(
                    "  PostgreSQL statements (pg_stat_statements), by total execution time:%n"
                            + "    %8s %9s %10s %9s %9s %9s  %s%n",
                    "calls", "rows", "total ms", "µs/event", "mean ms", "max ms", "statement"));
            while (rs.next()) {
                out.append(String.format(
                        "    %8d %9d %10.0f %9.1f %9.2f %9.1f  %s%n",
                        rs.getLong(1),
                        rs.getLong(2),
                        rs.getDouble(3),
                        rs.getDouble(3) * 1000 / events,
                        rs.getDouble(4),
                        rs.getDouble(5),
                        rs.getString(6)));
            }
        }
    }

    /** CPU seconds so far of the postmaster and of each of its live children, by pid. */
    private static Map<Long, Double> perProcess(long postmaster) {
        Map<Long, Double> cpu = new HashMap<>();
        cpu.put(postmaster, ProcStats.cpuSeconds(postmaster));
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : (Iterable<Path>) processes::iterator) {
                String name = process.getFileName().toString();
                if (name.chars().allMatch(Character::isDigit) && ProcStats.parent(process) == postmaster) {
                    long pid = Long.parseLong(name);
                    cpu.put(pid, ProcStats.cpuSeconds(pid));
                }
            }
        } catch (IOException e) {
            System.err.println("PostgreSQL CPU per process unknown: " + e);
        }
        return cpu;
    }
}
