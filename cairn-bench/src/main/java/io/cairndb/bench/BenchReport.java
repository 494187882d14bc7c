package io.cairndb.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The result of a measured phase, as a JSON document for scripts ({@link #json}) and as a table
 * for people ({@link #text}). Latencies are milliseconds; throughput counts successful operations
 * per second of the phase, from its first issue to its last completion.
 */
final class BenchReport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Object> document;
    private final Phase measured;

    private BenchReport(Map<String, Object> document, Phase measured) {
        this.document = document;
        this.measured = measured;
    }

    /**
     * @param label the name of the system in comparisons
     * @param run the run's settings, as given
     * @param backend the backend's own description (target, consistency, ...)
     * @param serverCpuSeconds CPU the named server processes used during the phase, or null
     * @param clientCpuSeconds CPU this process used during the phase, or null
     */
    static BenchReport of(String backendName, String label, Map<String, Object> run,
            Map<String, Object> backend, Phase measured, Double serverCpuSeconds,
            Double clientCpuSeconds) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("label", label);
        document.put("backend", backendName);
        document.put("system", backend);
        document.put("run", run);
        double seconds = measured.elapsedNanos(System.nanoTime()) / 1e9;
        Histogram all = measured.totalAll();
        long ok = all.getTotalCount();
        document.put("elapsedSeconds", round(seconds, 3));
        document.put("ops", ok);
        document.put("errorCount", measured.errorCount());
        document.put("errors", measured.errors());
        document.put("throughputOpsPerSecond", round(seconds > 0 ? ok / seconds : 0, 1));
        Map<String, Object> latency = new LinkedHashMap<>();
        latency.put("all", latency(all));
        for (OpKind kind : OpKind.values()) {
            Histogram histogram = measured.total(kind);
            if (histogram.getTotalCount() > 0) {
                latency.put(kind.reportName(), latency(histogram));
            }
        }
        document.put("latencyMillis", latency);
        if (serverCpuSeconds != null) {
            document.put("serverCpuSeconds", round(serverCpuSeconds, 3));
            document.put("serverCpuSecondsPer10kOps",
                    ok > 0 ? round(serverCpuSeconds * 10_000 / ok, 4) : null);
        }
        if (clientCpuSeconds != null) {
            document.put("clientCpuSeconds", round(clientCpuSeconds, 3));
            document.put("clientCpuSecondsPer10kOps",
                    ok > 0 ? round(clientCpuSeconds * 10_000 / ok, 4) : null);
        }
        return new BenchReport(document, measured);
    }

    private static Map<String, Object> latency(Histogram histogram) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("count", histogram.getTotalCount());
        summary.put("mean", round(histogram.getMean() / 1000.0, 3));
        summary.put("p50", millis(histogram, 50));
        summary.put("p90", millis(histogram, 90));
        summary.put("p99", millis(histogram, 99));
        summary.put("p999", millis(histogram, 99.9));
        summary.put("max", round(histogram.getMaxValue() / 1000.0, 3));
        return summary;
    }

    private static double millis(Histogram histogram, double percentile) {
        return round(histogram.getValueAtPercentile(percentile) / 1000.0, 3);
    }

    private static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }

    Map<String, Object> document() {
        return document;
    }

    String json() {
        try {
            return JSON.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the report as JSON: " + e.getMessage(),
                    e);
        }
    }

    @SuppressWarnings("unchecked")
    void text(PrintWriter out) {
        Map<String, Object> run = (Map<String, Object>) document.get("run");
        out.printf(Locale.ROOT, "cairn bench  backend=%s  workload=%s  concurrency=%s%n",
                document.get("backend"), run.get("workload"), run.get("concurrency"));
        out.println("  system: " + document.get("system"));
        out.printf(Locale.ROOT, "  keys=%s  key=%s B  value=%s B  distribution=%s%n",
                run.get("keys"), run.get("keySizeBytes"), run.get("valueSizeBytes"),
                run.get("distribution"));
        out.printf(Locale.ROOT, "%nmeasured %.2f s: %,d ops, %,.1f ops/s, %,d errors%n",
                (Double) document.get("elapsedSeconds"), (Long) document.get("ops"),
                (Double) document.get("throughputOpsPerSecond"),
                (Long) document.get("errorCount"));
        out.printf(Locale.ROOT, "%n%-6s %12s %9s %9s %9s %9s %9s %9s%n", "op", "count",
                "mean ms", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms");
        Map<String, Object> latency = (Map<String, Object>) document.get("latencyMillis");
        for (Map.Entry<String, Object> row : latency.entrySet()) {
            Map<String, Object> summary = (Map<String, Object>) row.getValue();
            out.printf(Locale.ROOT, "%-6s %,12d %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f%n",
                    row.getKey(), (Long) summary.get("count"), (Double) summary.get("mean"),
                    (Double) summary.get("p50"), (Double) summary.get("p90"),
                    (Double) summary.get("p99"), (Double) summary.get("p999"),
                    (Double) summary.get("max"));
        }
        Map<String, Long> errors = (Map<String, Long>) document.get("errors");
        if (!errors.isEmpty()) {
            out.println();
            out.println("errors by code:");
            errors.forEach((code, count) -> out.printf(Locale.ROOT, "  %-28s %,d%n", code, count));
        }
        if (document.containsKey("serverCpuSeconds")) {
            out.printf(Locale.ROOT, "%nserver CPU: %.2f s, %s s per 10k ops%n",
                    (Double) document.get("serverCpuSeconds"),
                    document.get("serverCpuSecondsPer10kOps"));
        }
        if (document.containsKey("clientCpuSeconds")) {
            out.printf(Locale.ROOT, "client CPU: %.2f s, %s s per 10k ops%n",
                    (Double) document.get("clientCpuSeconds"),
                    document.get("clientCpuSecondsPer10kOps"));
        }
    }

    /** One line per run: the figures a comparison needs, for a series of runs. */
    @SuppressWarnings("unchecked")
    static void summary(java.util.List<BenchReport> reports, PrintWriter out) {
        out.printf(Locale.ROOT, "%n%-11s %5s %12s %9s %9s %9s %8s %12s%n", "workload", "conc",
                "ops/s", "p50 ms", "p99 ms", "max ms", "errors", "srv cpu/10k");
        for (BenchReport report : reports) {
            Map<String, Object> document = report.document;
            Map<String, Object> run = (Map<String, Object>) document.get("run");
            Map<String, Object> all = (Map<String, Object>) ((Map<String, Object>)
                    document.get("latencyMillis")).get("all");
            Object cpu = document.get("serverCpuSecondsPer10kOps");
            out.printf(Locale.ROOT, "%-11s %5s %,12.1f %9.3f %9.3f %9.3f %,8d %12s%n",
                    run.get("workload"), run.get("concurrency"),
                    (Double) document.get("throughputOpsPerSecond"), (Double) all.get("p50"),
                    (Double) all.get("p99"), (Double) all.get("max"),
                    (Long) document.get("errorCount"), cpu == null ? "-" : cpu + " s");
        }
    }

    /**
     * Writes the phase's latency distribution, all operations together, in HdrHistogram's
     * percentile format (values in milliseconds), readable by its plotter.
     */
    void writeHgrm(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (PrintStream out = new PrintStream(Files.newOutputStream(file), false,
                java.nio.charset.StandardCharsets.UTF_8)) {
            measured.totalAll().outputPercentileDistribution(out, 1000.0);
        }
    }
}
