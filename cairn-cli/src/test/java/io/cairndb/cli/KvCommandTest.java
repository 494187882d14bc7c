package io.cairndb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cairndb.api.ErrorCode;
import io.cairndb.cli.CliHarness.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves `cairn kv put|get|del|scan` take values from each source and print text and JSON.
class KvCommandTest {

    private static final byte[] BINARY = {(byte) 0xff, 0x00, (byte) 0xfe, 0x41};

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

    private static JsonNode json(String text) throws Exception {
        return Output.JSON.readTree(text);
    }

    private String get(String key) {
        Result result = cli.run("kv", "get", "acme", key);
        assertThat(result.exitCode()).as(result.err()).isZero();
        return result.out();
    }

    // --------------------------------------------------------------------------- put

    @Test
    void putFromTheArgumentPrintsTheWrite() {
        Result result = cli.run("kv", "put", "acme", "user:1", "alice");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("OK key=user:1 replicas=2 clock={n1=1}\n");
        assertThat(result.err()).isEmpty();
        assertThat(get("user:1")).isEqualTo("alice\n");
    }

    @Test
    void putSendsTheConsistency() {
        assertThat(cli.run("kv", "put", "acme", "k", "v", "-c", "one").out())
                .contains(" replicas=1 ");
        assertThat(cli.run("kv", "put", "acme", "k", "v", "--consistency", "ALL").out())
                .contains(" replicas=3 ");
    }

    @Test
    void putFromAFileSendsItsBytes() throws Exception {
        Path file = directory.resolve("value.bin");
        Files.write(file, BINARY);

        Result result = cli.run("kv", "put", "acme", "blob", "--file", file.toString());

        assertThat(result.exitCode()).isZero();
        assertThat(json(cli.run("kv", "get", "acme", "blob", "--json").out())
                .get("valueBase64").asText()).isEqualTo(Base64.getEncoder().encodeToString(BINARY));
    }

    @Test
    void putFromStdinWithDashOrFlag() {
        assertThat(cli.runWithStdin("from stdin\n", "kv", "put", "acme", "a", "-").exitCode())
                .isZero();
        assertThat(cli.runWithStdin("flagged", "kv", "put", "acme", "b", "--stdin").exitCode())
                .isZero();

        assertThat(get("a")).isEqualTo("from stdin\n\n");
        assertThat(get("b")).isEqualTo("flagged\n");
    }

    @Test
    void putWithoutAValueOrWithTwoIsAUsageError() throws Exception {
        Path file = directory.resolve("v");
        Files.writeString(file, "x");

        Result none = cli.run("kv", "put", "acme", "k");
        Result two = cli.run("kv", "put", "acme", "k", "v", "--file", file.toString());
        Result three = cli.run("kv", "put", "acme", "k", "-", "--file", file.toString());

        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).startsWith("error: no value: give VALUE, --file PATH, or --stdin");
        assertThat(two.exitCode()).isEqualTo(2);
        assertThat(two.err()).startsWith("error: more than one value");
        assertThat(three.exitCode()).isEqualTo(2);
        assertThat(cli.targets).hasSize(1);
    }

    @Test
    void putFromAMissingFileIsAUsageError() {
        Result result = cli.run("kv", "put", "acme", "k", "--file",
                directory.resolve("absent").toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("error: cannot read --file ")
                .contains("absent: no such file");
    }

    @Test
    void putRetriedWithTheSameIdempotencyKeyIsMarkedDuplicate() {
        cli.run("kv", "put", "acme", "k", "v", "--idempotency-key", "idem-1");

        Result retry = cli.run("kv", "put", "acme", "k", "v", "--idempotency-key", "idem-1");
        Result conflict = cli.run("kv", "put", "acme", "k", "w", "--idempotency-key", "idem-1");

        assertThat(retry.out()).isEqualTo("OK key=k replicas=2 clock={n1=1} (duplicate)\n");
        assertThat(conflict.exitCode()).isEqualTo(1);
        assertThat(conflict.err()).startsWith("error: IDEMPOTENCY_KEY_CONFLICT: ");
    }

    @Test
    void putWithJsonPrintsTheWriteAsJson() throws Exception {
        Result result = cli.run("kv", "put", "acme", "k", "v", "--json", "--idempotency-key", "i");

        assertThat(json(result.out())).isEqualTo(json("{\"key\":\"k\",\"idempotencyKey\":\"i\","
                + "\"vectorClock\":{\"n1\":1},\"replicaCount\":2,\"consistency\":\"quorum\","
                + "\"duplicate\":false}"));
    }

    @Test
    void putToAMissingTenantIsAServerError() {
        Result result = cli.run("kv", "put", "nobody", "k", "v");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err())
                .isEqualTo("error: TENANT_NOT_FOUND: tenant 'nobody' does not exist\n");
    }

    @Test
    void putWithAnUnknownConsistencyIsAUsageError() {
        Result result = cli.run("kv", "put", "acme", "k", "v", "-c", "most");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("'most' is not one, quorum or all");
    }

    // --------------------------------------------------------------------------- get

    @Test
    void getPrintsTextAsItIs() {
        cli.run("kv", "put", "acme", "greeting", "héllo wörld");

        Result result = cli.run("kv", "get", "acme", "greeting", "-c", "all");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("héllo wörld\n");
        assertThat(result.err()).isEmpty();
    }

    @Test
    void getPrintsBinaryAsBase64AndSaysSo() {
        cli.run(BINARY, "kv", "put", "acme", "blob", "--stdin");

        Result result = cli.run("kv", "get", "acme", "blob");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo(Base64.getEncoder().encodeToString(BINARY) + "\n");
        assertThat(result.err()).contains("not UTF-8").contains("base64");
    }

    @Test
    void getWithJsonPrintsValueBase64ClockAndReplicas() throws Exception {
        cli.run("kv", "put", "acme", "k", "v");
        cli.run(BINARY, "kv", "put", "acme", "blob", "-");

        assertThat(json(cli.run("kv", "get", "acme", "k", "--json", "-c", "one").out()))
                .isEqualTo(json("{\"key\":\"k\",\"value\":\"v\",\"valueBase64\":\"dg==\","
                        + "\"vectorClock\":{\"n1\":1},\"replicaCount\":1}"));
        JsonNode blob = json(cli.run("kv", "get", "acme", "blob", "--json").out());
        assertThat(blob.get("value").isNull()).isTrue();
        assertThat(blob.get("valueBase64").asText())
                .isEqualTo(Base64.getEncoder().encodeToString(BINARY));
    }

    @Test
    void getOfAMissingKeyIsAServerError() {
        Result result = cli.run("kv", "get", "acme", "nope");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).isEqualTo("error: KEY_NOT_FOUND: key 'nope' not found\n");
    }

    // --------------------------------------------------------------------------- del

    @Test
    void delDeletesTheKey() {
        cli.run("kv", "put", "acme", "k", "v");

        Result result = cli.run("kv", "del", "acme", "k", "-c", "one");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("OK deleted key=k replicas=1 clock={n1=2}\n");
        assertThat(cli.run("kv", "get", "acme", "k").exitCode()).isEqualTo(1);
    }

    @Test
    void delWithJsonAndIdempotencyKey() throws Exception {
        JsonNode deleted = json(cli.run("kv", "delete", "acme", "k", "--json",
                "--idempotency-key", "del-1").out());

        assertThat(deleted.get("key").asText()).isEqualTo("k");
        assertThat(deleted.get("idempotencyKey").asText()).isEqualTo("del-1");
    }

    @Test
    void delRefusedByTheServerIsAServerError() {
        cli.fake.refuseNext(ErrorCode.QUORUM_NOT_REACHED, "1 of 2 replicas answered");

        Result result = cli.run("kv", "del", "acme", "k");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err())
                .isEqualTo("error: QUORUM_NOT_REACHED: 1 of 2 replicas answered\n");
    }

    // -------------------------------------------------------------------------- scan

    private void putKeys(int count) {
        for (int i = 0; i < count; i++) {
            assertThat(cli.run("kv", "put", "acme", "k" + i, "v" + i).exitCode()).isZero();
        }
    }

    @Test
    void scanPrintsEveryKeyAndValueFollowingPageTokens() {
        putKeys(5);

        Result result = cli.run("kv", "scan", "acme", "--page-size", "2");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("k0\tv0\nk1\tv1\nk2\tv2\nk3\tv3\nk4\tv4\n");
        assertThat(cli.fake.rangeQueryCalls()).isEqualTo(3);
    }

    @Test
    void scanKeepsToStartAndEnd() {
        putKeys(5);

        assertThat(cli.run("kv", "scan", "acme", "--start", "k1", "--end", "k3").out())
                .isEqualTo("k1\tv1\nk2\tv2\n");
    }

    @Test
    void scanLimitStopsPrintingAndFetching() {
        putKeys(5);

        Result small = cli.run("kv", "scan", "acme", "--limit", "3", "--page-size", "2");
        assertThat(small.out().lines()).containsExactly("k0\tv0", "k1\tv1", "k2\tv2");
        assertThat(cli.fake.rangeQueryCalls()).isEqualTo(2);

        Result unpaged = cli.run("kv", "scan", "acme", "--limit", "2");
        assertThat(unpaged.out().lines()).hasSize(2);
        assertThat(cli.fake.rangeQueryCalls()).isEqualTo(3);
    }

    @Test
    void scanWithJsonPrintsOneObjectPerLine() throws Exception {
        putKeys(2);

        Result result = cli.run("kv", "scan", "acme", "--json", "-c", "one");

        assertThat(result.out().lines()).hasSize(2);
        assertThat(json(result.out().lines().findFirst().orElseThrow())).isEqualTo(json(
                "{\"key\":\"k0\",\"value\":\"v0\",\"valueBase64\":\"djA=\","
                        + "\"vectorClock\":{\"n1\":1}}"));
    }

    @Test
    void scanPrintsBinaryValuesAsBase64WithOneNote() {
        cli.run(BINARY, "kv", "put", "acme", "a", "--stdin");
        cli.run(BINARY, "kv", "put", "acme", "b", "--stdin");

        Result result = cli.run("kv", "scan", "acme");

        String encoded = Base64.getEncoder().encodeToString(BINARY);
        assertThat(result.out()).isEqualTo("a\t" + encoded + "\nb\t" + encoded + "\n");
        assertThat(result.err().lines()).singleElement().asString().contains("base64");
    }

    @Test
    void scanOfAnEmptyTenantPrintsNothing() {
        Result result = cli.run("kv", "scan", "acme");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEmpty();
    }

    @Test
    void scanWithANonPositiveLimitIsAUsageError() {
        assertThat(cli.run("kv", "scan", "acme", "--limit", "0").exitCode()).isEqualTo(2);
        assertThat(cli.run("kv", "scan", "acme", "--page-size", "-5").exitCode()).isEqualTo(2);
    }

    @Test
    void scanOfAMissingTenantIsAServerError() {
        Result result = cli.run("kv", "scan", "nobody");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).startsWith("error: TENANT_NOT_FOUND: ");
    }

    @Test
    void valueWithMultibyteTextSurvivesTheRoundTrip() {
        String text = "日本語 ✓";
        cli.runWithStdin(text, "kv", "put", "acme", "k", "-");

        assertThat(cli.run("kv", "get", "acme", "k").out().getBytes(StandardCharsets.UTF_8))
                .isEqualTo((text + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
