package io.cairndb.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cairn bench table FILE...}: one side-by-side table from the JSON Lines that runs with
 * {@code --json} printed, the systems of each (workload, concurrency) in adjacent rows. This is
 * how {@code bench/compare.sh} prints its result without needing anything but Java.
 */
@Command(name = "table",
        version = "cairn bench 0.1.0",
        sortOptions = false,
        usageHelpWidth = 100,
        mixinStandardHelpOptions = true,
        description = {
            "Prints one side-by-side Markdown table from results written with --json (JSON"
                + " Lines; other lines are skipped): for each workload and concurrency, one row"
                + " per system (its --label) with throughput, p50, p99, server CPU seconds per"
                + " 10k operations and errors."})
final class TableCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Files of --json results.")
    List<Path> files;

    @Option(names = "--baseline", paramLabel = "LABEL",
            description = "Add a column with each system's throughput as a multiple of this"
                    + " system's, in the same workload and concurrency.")
    String baseline;

    @Option(names = "--order", paramLabel = "LABEL", split = ",",
            description = "The order of systems within each workload and concurrency; systems"
                    + " not named follow in the order they appear.")
    List<String> order = List.of();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<JsonNode> results = new ArrayList<>();
        for (Path file : files) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file);
            } catch (IOException e) {
                err.println("cairn bench table: cannot read " + file + ": " + e.getMessage());
                return BenchCommand.EXIT_USAGE;
            }
            for (String line : lines) {
                if (!line.startsWith("{")) {
                    continue;
                }
                try {
                    JsonNode result = JSON.readTree(line);
                    if (result.has("latencyMillis") && !"preload".equals(
                            result.path("run").path("workload").asText())) {
                        results.add(result);
                    }
                } catch (IOException e) {
                    err.println("cairn bench table: skipping a line of " + file
                            + " that is not JSON");
                }
            }
        }
        print(results, out);
        out.flush();
        return BenchCommand.EXIT_OK;
    }

    /**
     * Prints the rows grouped by (workload, concurrency), groups in order of first appearance. A
     * later result for the same system, workload and concurrency replaces an earlier one, so a
     * system run again into the same results file shows only its latest figures.
     */
    void print(List<JsonNode> results, PrintWriter out) {
        Map<String, Map<String, JsonNode>> groups = new LinkedHashMap<>();
        for (JsonNode result : results) {
            String group = result.path("run").path("workload").asText() + " "
                    + result.path("run").path("concurrency").asInt();
            groups.computeIfAbsent(group, g -> new LinkedHashMap<>()).put(label(result), result);
        }
        boolean withBaseline = baseline != null;
        out.print("| workload | conc. | system | ops/s | p50 ms | p99 ms | server CPU s / 10k ops"
                + " | errors |");
        out.println(withBaseline ? " ops/s vs " + baseline + " |" : "");
        out.print("|---|--:|---|--:|--:|--:|--:|--:|");
        out.println(withBaseline ? "--:|" : "");
        for (Map<String, JsonNode> rows : groups.values()) {
            List<JsonNode> group = new ArrayList<>(rows.values());
            group.sort(Comparator.comparingInt(result -> {
                int index = order.indexOf(label(result));
                return index < 0 ? order.size() : index;
            }));
            Double baselineRate = null;
            for (JsonNode result : group) {
                if (result.path("label").asText().equals(baseline)) {
                    baselineRate = result.path("throughputOpsPerSecond").asDouble();
                }
            }
            for (JsonNode result : group) {
                JsonNode all = result.path("latencyMillis").path("all");
                double rate = result.path("throughputOpsPerSecond").asDouble();
                JsonNode cpu = result.path("serverCpuSecondsPer10kOps");
                out.printf(Locale.ROOT, "| %s | %d | %s | %,.0f | %.2f | %.2f | %s | %s |",
                        result.path("run").path("workload").asText(),
                        result.path("run").path("concurrency").asInt(),
                        label(result), rate,
                        all.path("p50").asDouble(), all.path("p99").asDouble(),
                        cpu.isNumber() ? String.format(Locale.ROOT, "%.2f", cpu.asDouble()) : "-",
                        errors(result));
                if (withBaseline) {
                    out.print(baselineRate == null || baselineRate == 0 ? " - |"
                            : String.format(Locale.ROOT, " %.2f× |", rate / baselineRate));
                }
                out.println();
            }
        }
    }

    private static String label(JsonNode result) {
        return result.path("label").asText(result.path("backend").asText());
    }

    private static String errors(JsonNode result) {
        long count = result.path("errorCount").asLong();
        if (count == 0) {
            return "0";
        }
        List<String> codes = new ArrayList<>();
        result.path("errors").properties().forEach(entry ->
                codes.add(entry.getKey() + " " + entry.getValue().asLong()));
        return count + " (" + String.join(", ", codes) + ")";
    }
}
