package io.cairndb.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cairndb.server.CairnServer;
import io.cairndb.server.ConfigLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The load driver runs every workload against a real node and reports what it measured. */
class BenchCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;

    private static CairnServer server;
    private static String target;

    @BeforeAll
    static void startNode() {
        server = CairnServer.start(ConfigLoader.load(null, Map.of(), Map.of(
                "port", "0", "peerPort", "0", "raftPort", "0", "httpPort", "0",
                "dataDir", dataDir.toString())));
        target = server.host() + ":" + server.port();
    }

    @AfterAll
    static void stopNode() {
        server.close();
    }

    /** What one in-process run printed and returned. */
    record Outcome(int exitCode, String out, String err) {

        JsonNode json() throws Exception {
            return JSON.readTree(out);
        }
    }

    private static Outcome bench(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = BenchCommand.commandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        int exitCode = command.execute(args);
        return new Outcome(exitCode, out.toString(), err.toString());
    }

    private static String[] args(String... extra) {
        List<String> all = new ArrayList<>(List.of("--backend", "cairn", "--target", target,
                "--keys", "200", "--rf", "1"));
        all.addAll(List.of(extra));
        return all.toArray(String[]::new);
    }

    @Test
    void ycsbAMixReadsAndWritesPreloadedKeysWithoutErrors() throws Exception {
        Outcome run = bench(args("--tenant", "mix", "--workload", "ycsb-a", "--preload",
                "--distribution", "zipfian", "--concurrency", "8", "--warmup", "300ms",
                "--duration", "1s", "--json", "--server-pids",
                Long.toString(ProcessHandle.current().pid())));

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode result = run.json();
        assertThat(result.get("backend").asText()).isEqualTo("cairn");
        assertThat(result.get("system").get("replicationFactor").asInt()).isEqualTo(1);
        assertThat(result.get("ops").asLong()).isPositive();
        assertThat(result.get("errorCount").asLong()).isZero();
        JsonNode latency = result.get("latencyMillis");
        assertThat(latency.has("read")).isTrue();
        assertThat(latency.has("write")).isTrue();
        JsonNode all = latency.get("all");
        assertThat(all.get("p50").asDouble()).isLessThanOrEqualTo(all.get("p99").asDouble());
        assertThat(all.get("p99").asDouble()).isLessThanOrEqualTo(all.get("max").asDouble());
        assertThat(all.get("count").asLong()).isEqualTo(result.get("ops").asLong());
        assertThat(result.get("serverCpuSeconds").asDouble()).isPositive();
        assertThat(run.err()).contains("measure");
    }

    @Test
    void opCountEndsTheRunAfterExactlyThatManyOperations() throws Exception {
        Outcome run = bench(args("--tenant", "count", "--workload", "write-only", "--ops",
                "500", "--concurrency", "16", "--warmup", "0", "--json", "--quiet"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode result = run.json();
        assertThat(result.get("ops").asLong() + result.get("errorCount").asLong())
                .isEqualTo(500);
        assertThat(run.err()).doesNotContain("ops/s");
        assertThat(result.get("system").get("transport").asText()).isEqualTo("pipeline");
    }

    @Test
    void httpRunsGoThroughTheRestApi() throws Exception {
        Outcome run = bench("--backend", "http", "--target", server.host() + ":"
                        + server.httpPort(), "--keys", "200", "--rf", "1", "--tenant", "rest",
                "--workload", "ycsb-a", "--preload", "--ops", "300", "--concurrency", "8",
                "--warmup", "0", "--json", "--quiet");

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode result = run.json();
        assertThat(result.get("backend").asText()).isEqualTo("http");
        assertThat(result.get("system").get("tenantCreated").asBoolean()).isTrue();
        assertThat(result.get("ops").asLong()).isEqualTo(300);
        assertThat(result.get("errorCount").asLong()).isZero();
    }

    @Test
    void unaryRunsSendEachOperationAsItsOwnRpc() throws Exception {
        Outcome run = bench(args("--tenant", "unary", "--workload", "ycsb-a", "--preload",
                "--ops", "300", "--concurrency", "8", "--warmup", "0", "--unary", "--json",
                "--quiet"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode result = run.json();
        assertThat(result.get("system").get("transport").asText()).isEqualTo("unary");
        assertThat(result.get("ops").asLong()).isEqualTo(300);
        assertThat(result.get("errorCount").asLong()).isZero();
    }

    @Test
    void readsOfKeysNeverWrittenAreCountedAsKeyNotFound() throws Exception {
        Outcome run = bench(args("--tenant", "empty", "--workload", "read-only", "--ops", "50",
                "--concurrency", "4", "--warmup", "0", "--json", "--quiet"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.json().get("errors").get("KEY_NOT_FOUND").asLong()).isEqualTo(50);
        assertThat(run.err()).contains("no --preload");
    }

    @Test
    void listsOfWorkloadsAndConcurrenciesRunEveryPairInOneProcess(@TempDir Path out)
            throws Exception {
        Path hgrm = out.resolve("runs.hgrm");
        Outcome run = bench(args("--tenant", "lists", "--label", "lists-node",
                "--workload", "write-only,read-only",
                "--concurrency", "1,4", "--preload", "--initial-warmup", "200ms", "--warmup",
                "0", "--ops", "100", "--json", "--quiet", "--hgrm", hgrm.toString()));

        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(4);
        List<String> pairs = new ArrayList<>();
        for (String line : lines) {
            JsonNode result = JSON.readTree(line);
            assertThat(result.get("errorCount").asLong()).isZero();
            pairs.add(result.get("run").get("workload").asText() + "/"
                    + result.get("run").get("concurrency").asInt());
        }
        assertThat(pairs).containsExactly("write-only/1", "write-only/4", "read-only/1",
                "read-only/4");
        assertThat(out.resolve("runs-read-only-c4.hgrm")).exists();

        Path results = out.resolve("results.jsonl");
        Files.writeString(results, run.out());
        Outcome table = bench("table", "--baseline", "lists-node", results.toString());
        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.out()).contains("| workload | conc. | system |",
                "| read-only | 4 | lists-node |", "1.00×");
    }

    @Test
    void tableAndPercentileFileDescribeTheMeasuredPhase(@TempDir Path out) throws Exception {
        Path hgrm = out.resolve("run.hgrm");
        Outcome run = bench(args("--tenant", "table", "--workload", "ycsb-b", "--preload",
                "--ops", "300", "--warmup", "0", "--hgrm", hgrm.toString()));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("backend=cairn", "workload=ycsb-b", "p99.9 ms", "all");
        assertThat(Files.readString(hgrm)).contains("Value", "Percentile", "#[Max");
    }

    @Test
    void preloadOnlyWritesEveryKeyAndStops() throws Exception {
        Outcome run = bench(args("--tenant", "loaded", "--preload-only", "--json", "--quiet"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode result = run.json();
        assertThat(result.get("run").get("workload").asText()).isEqualTo("preload");
        assertThat(result.get("ops").asLong()).isEqualTo(200);
    }

    @Test
    void usageErrorsExitWithTwoAndSayWhatIsWrong() {
        Outcome badWorkload = bench(args("--workload", "ycsb-z"));
        Outcome shortKeys = bench("--keys", "1000000", "--key-size", "4");
        Outcome both = bench("--duration", "1s", "--ops", "10");
        Outcome redisLevel = bench("--backend", "redis", "--consistency", "quorum");
        Outcome etcdUnary = bench("--backend", "etcd", "--unary");

        assertThat(badWorkload.exitCode()).isEqualTo(2);
        assertThat(badWorkload.err()).contains("workload must be one of");
        assertThat(shortKeys.exitCode()).isEqualTo(2);
        assertThat(shortKeys.err()).contains("--key-size must be at least 7");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(redisLevel.exitCode()).isEqualTo(2);
        assertThat(redisLevel.err()).contains("no consistency levels");
        assertThat(etcdUnary.exitCode()).isEqualTo(2);
        assertThat(etcdUnary.err()).contains("--unary applies only to the cairn backend");
    }

    @Test
    void unreachableServerExitsWithThree() {
        Outcome run = bench("--target", "127.0.0.1:1", "--timeout", "2s", "--ops", "1");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(3);
    }

    @Test
    void helpExplainsEveryOption() {
        Outcome help = bench("--help");

        assertThat(help.exitCode()).isZero();
        for (String option : List.of("--backend", "--workload", "--keys", "--key-size",
                "--value-size", "--distribution", "--preload", "--concurrency", "--duration",
                "--ops", "--warmup", "--consistency", "--rf", "--target", "--tenant", "--json",
                "--hgrm", "--server-pids", "--initial-warmup", "--label", "--connections",
                "--timeout", "--unary", "--preload-only", "--preload-concurrency", "--quiet", "jmh",
                "table")) {
            assertThat(help.out()).contains(option);
        }
    }
}
