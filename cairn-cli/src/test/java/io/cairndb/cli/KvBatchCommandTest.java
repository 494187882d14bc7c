package io.cairndb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cairndb.cli.CliHarness.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves `cairn kv batch` reads items from arguments, a file or stdin, and reports every item.
class KvBatchCommandTest {

    private final CliHarness cli = new CliHarness();

    @TempDir
    Path directory;

    @BeforeEach
    void createTenant() {
        assertThat(cli.run("tenant", "create", "acme").exitCode()).isZero();
    }

    @AfterEach
    void stop() {
        cli.close();
    }

    private String scan() {
        return cli.run("kv", "scan", "acme").out();
    }

    @Test
    void batchFromArgumentsWritesEveryItem() {
        Result result = cli.run("kv", "batch", "acme", "a=1", "b=x=y", "-c", "one");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo(""
                + "OK key=a replicas=1 clock={n1=1}\n"
                + "OK key=b replicas=1 clock={n1=2}\n"
                + "2 succeeded, 0 failed\n");
        assertThat(scan()).isEqualTo("a\t1\nb\tx=y\n");
    }

    @Test
    void batchFromAFileWritesAndDeletes() throws Exception {
        cli.run("kv", "put", "acme", "old", "x");
        Path file = directory.resolve("items.jsonl");
        Files.writeString(file, ""
                + "{\"key\":\"a\",\"value\":\"1\"}\n"
                + "\n"
                + "{\"key\":\"bin\",\"valueBase64\":\"AAE=\",\"idempotencyKey\":\"i-bin\"}\n"
                + "{\"key\":\"old\",\"delete\":true}\n");

        Result result = cli.run("kv", "batch", "acme", "--file", file.toString());

        assertThat(result.exitCode()).isZero();
        assertThat(result.out().lines()).containsExactly(
                "OK key=a replicas=2 clock={n1=2}",
                "OK key=bin replicas=2 clock={n1=3}",
                "OK deleted key=old replicas=2 clock={n1=4}",
                "3 succeeded, 0 failed");
        assertThat(cli.run("kv", "get", "acme", "bin", "--json").out()).contains("\"AAE=\"");
        assertThat(cli.run("kv", "get", "acme", "old").exitCode()).isEqualTo(1);
    }

    @Test
    void batchFromStdin() {
        Result result = cli.runWithStdin("{\"key\":\"s\",\"value\":\"from stdin\"}\n",
                "kv", "batch", "acme", "--stdin");

        assertThat(result.exitCode()).isZero();
        assertThat(scan()).isEqualTo("s\tfrom stdin\n");
    }

    @Test
    void batchWithAFailedItemReportsItAndExitsOne() {
        Result result = cli.runWithStdin("{\"key\":\"a\",\"value\":\"1\"}\n"
                + "{\"key\":\"\",\"value\":\"2\"}\n", "kv", "batch", "acme", "--stdin");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out().lines()).containsExactly(
                "OK key=a replicas=2 clock={n1=1}",
                "FAILED key= INVALID_REQUEST: key is empty",
                "1 succeeded, 1 failed");
        assertThat(result.err()).isEqualTo("error: 1 of 2 batch items failed\n");
    }

    @Test
    void batchWithJsonPrintsTheWholeResult() throws Exception {
        Result result = cli.run("kv", "batch", "acme", "a=1", "=oops", "--json");

        assertThat(result.exitCode()).isEqualTo(2);

        result = cli.runWithStdin("{\"key\":\"a\",\"value\":\"1\"}\n{\"key\":\"\",\"value\":\"2\"}",
                "kv", "batch", "acme", "--stdin", "--json");
        JsonNode json = Output.JSON.readTree(result.out());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(json.get("success").asBoolean()).isFalse();
        assertThat(json.get("succeededCount").asInt()).isEqualTo(1);
        assertThat(json.get("failedCount").asInt()).isEqualTo(1);
        assertThat(json.get("consistency").asText()).isEqualTo("quorum");
        assertThat(json.get("results").get(0).get("errorCode").isNull()).isTrue();
        assertThat(json.get("results").get(0).get("vectorClock").get("n1").asLong())
                .isEqualTo(1);
        assertThat(json.get("results").get(1).get("errorCode").asText())
                .isEqualTo("INVALID_REQUEST");
        assertThat(json.get("results").get(1).get("errorMessage").asText())
                .isEqualTo("key is empty");
    }

    @Test
    void batchRefusedAsAWholeIsAServerError() {
        Result result = cli.run("kv", "batch", "nobody", "a=1");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err())
                .isEqualTo("error: TENANT_NOT_FOUND: tenant 'nobody' does not exist\n");
    }

    @Test
    void batchNeedsExactlyOneSource() throws Exception {
        Path file = directory.resolve("items.jsonl");
        Files.writeString(file, "{\"key\":\"a\",\"value\":\"1\"}\n");

        Result none = cli.run("kv", "batch", "acme");
        Result two = cli.run("kv", "batch", "acme", "a=1", "--file", file.toString());
        Result empty = cli.runWithStdin("\n\n", "kv", "batch", "acme", "--stdin");

        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).startsWith("error: no items");
        assertThat(two.exitCode()).isEqualTo(2);
        assertThat(two.err()).startsWith("error: items from more than one source");
        assertThat(empty.exitCode()).isEqualTo(2);
        assertThat(empty.err()).startsWith("error: no items in standard input");
    }

    @Test
    void badInputLinesAreUsageErrorsNamingTheLine() {
        String[][] cases = {
            {"not json", "standard input line 1: not JSON"},
            {"[1]", "line 1: expected a JSON object"},
            {"{\"value\":\"v\"}", "line 1: \"key\" must be a string"},
            {"{\"key\":\"k\"}", "give exactly one of \"value\", \"valueBase64\""},
            {"{\"key\":\"k\",\"value\":\"v\",\"valueBase64\":\"dg==\"}", "give exactly one"},
            {"{\"key\":\"k\",\"delete\":true,\"value\":\"v\"}", "a delete carries no value"},
            {"{\"key\":\"k\",\"delete\":\"yes\"}", "\"delete\" must be true or false"},
            {"{\"key\":\"k\",\"valueBase64\":\"***\"}", "\"valueBase64\" is not base64"},
            {"{\"key\":\"k\",\"vaule\":\"v\"}", "unknown field 'vaule'"},
            {"{\"key\":\"k\",\"value\":1}", "\"value\" must be a string"},
        };
        for (String[] c : cases) {
            Result result = cli.runWithStdin("\n" + c[0] + "\n", "kv", "batch", "acme", "--stdin");

            assertThat(result.exitCode()).as(c[0]).isEqualTo(2);
            assertThat(result.err()).as(c[0]).startsWith("error: ")
                    .contains(c[1].replace("line 1", "line 2"));
        }
        assertThat(scan()).isEmpty();
    }

    @Test
    void batchFromAMissingFileIsAUsageError() {
        Result result = cli.run("kv", "batch", "acme", "--file",
                directory.resolve("absent.jsonl").toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("no such file");
    }
}
