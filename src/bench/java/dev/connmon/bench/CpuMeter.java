package dev.connmon.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoubleSupplier;

/**
 * CPU of named processes over one interval, in cores (CPU seconds per second of the interval), and how busy the
 * whole machine was: {@code CpuMeter.start(sources)} at the start, {@link #stop()} at the end.
 */
final class CpuMeter {
    /** What one interval used. */
    record Reading(double seconds, Map<String, Double> cores, double machineBusy) {
        /** Cores of one source; NaN for a source that was not measured. */
        double cores(String name) {
            return cores.getOrDefault(name, Double.NaN);
        }
    }

    private final Map<String, DoubleSupplier> sources;
    private final Map<String, Double> start = new LinkedHashMap<>();
    private final double[] machine0;
    private final long nanos0;

    private CpuMeter(Map<String, DoubleSupplier> sources) {
        this.sources = new LinkedHashMap<>(sources);
        this.sources.forEach((name, source) -> start.put(name, source.getAsDouble()));
        machine0 = ProcStats.machineCpuSeconds();
        nanos0 = System.nanoTime();
    }

    /** Starts measuring these sources (CPU seconds so far, e.g. {@link #process}), in this order. */
    static CpuMeter start(Map<String, DoubleSupplier> sources) {
        return new CpuMeter(sources);
    }

    Reading stop() {
        double seconds = (System.nanoTime() - nanos0) / 1e9;
        Map<String, Double> cores = new LinkedHashMap<>();
        sources.forEach((name, source) -> cores.put(name, (source.getAsDouble() - start.get(name)) / seconds));
        double[] machine1 = ProcStats.machineCpuSeconds();
        double busy = (machine1[0] - machine0[0]) / Math.max(1e-9, machine1[1] - machine0[1]);
        return new Reading(seconds, cores, busy);
    }

    /** A process's CPU seconds; 0 once it is gone. */
    static DoubleSupplier process(long pid) {
        return () -> ProcStats.cpuSeconds(pid);
    }

    /** A PostgreSQL server's CPU seconds, all its processes (see {@link ProcStats#postgresCpuSeconds}). */
    static DoubleSupplier postgres(Path dataDir) {
        return () -> ProcStats.postgresCpuSeconds(dataDir);
    }

    /** This JVM's CPU seconds: the publisher and the harness. */
    static double selfSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                        .getProcessCpuTime()
                / 1e9;
    }
}
