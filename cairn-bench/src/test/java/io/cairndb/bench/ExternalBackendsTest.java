package io.cairndb.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import picocli.CommandLine;

/**
 * The etcd and Redis backends read what they wrote. Needs running servers, so each test runs only
 * when its variable names one, e.g.
 * {@code CAIRN_BENCH_ETCD=127.0.0.1:2379 CAIRN_BENCH_REDIS=127.0.0.1:6379 mvn -pl cairn-bench test
 * -Dtest=ExternalBackendsTest}; the normal build skips them.
 */
class ExternalBackendsTest {

    private static JsonNode bench(String... args) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = BenchCommand.commandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        int exitCode = command.execute(args);
        assertThat(exitCode).as(err.toString()).isZero();
        return new ObjectMapper().readTree(out.toString());
    }

    @Test
    @EnabledIfEnvironmentVariable(named = "CAIRN_BENCH_ETCD", matches = ".+")
    void etcdServesLinearizableReadsOfPreloadedKeys() throws Exception {
        JsonNode result = bench("--backend", "etcd", "--target",
                System.getenv("CAIRN_BENCH_ETCD"), "--workload", "ycsb-a", "--keys", "200",
                "--preload", "--ops", "500", "--warmup", "0", "--json", "--quiet");

        assertThat(result.get("system").get("consistency").asText()).isEqualTo("linearizable");
        assertThat(result.get("ops").asLong()).isEqualTo(500);
        assertThat(result.get("errorCount").asLong()).isZero();
    }

    @Test
    @EnabledIfEnvironmentVariable(named = "CAIRN_BENCH_REDIS", matches = ".+")
    void redisServesReadsOfPreloadedKeys() throws Exception {
        JsonNode result = bench("--backend", "redis", "--target",
                System.getenv("CAIRN_BENCH_REDIS"), "--workload", "ycsb-b", "--keys", "200",
                "--preload", "--ops", "500", "--warmup", "0", "--json", "--quiet");

        assertThat(result.get("ops").asLong()).isEqualTo(500);
        assertThat(result.get("errorCount").asLong()).isZero();
    }
}
