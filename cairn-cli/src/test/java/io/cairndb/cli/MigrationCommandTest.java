package io.cairndb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cairndb.cli.CliHarness.Result;
import io.grpc.Status;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

// Proves `cairn migration list|status --watch|cancel` show, follow and stop the cluster's
// migrations, with the exit codes scripts rely on; time moves only with the watch's pauses.
class MigrationCommandTest {

    private static final String HALF = "mig-1 in_progress [##########..........]  50.0%"
            + "  50/100 keys  4.9 KiB/9.8 KiB  - keys/s  eta 5m00s";
    private static final String THREE_QUARTERS = "mig-1 in_progress [###############.....]"
            + "  75.0%  75/100 keys  7.3 KiB/9.8 KiB  50 keys/s  eta 1s";
    private static final String DONE = "mig-1 completed [####################] 100.0%"
            + "  100/100 keys  9.8 KiB/9.8 KiB  50 keys/s  eta -";

    private final CliHarness cli = new CliHarness();

    @BeforeEach
    void startANodeAddition() {
        assertThat(cli.run("node", "add", "n4", "10.0.0.4", "7070").exitCode()).isZero();
    }

    @AfterEach
    void stop() {
        cli.close();
    }

    private void walkToCompletion() {
        cli.migrations.then("mig-1", "in_progress", 50, 5_000, "")
                .then("mig-1", "in_progress", 75, 7_500, "")
                .then("mig-1", "completed", 100, 10_000, "");
    }

    // ------------------------------------------------------------------------------- list

    @Test
    void listShowsEachMigrationsSubjectStatusAndProgress() {
        cli.run("tenant", "create", "acme", "--rf", "3");
        cli.run("tenant", "set-rf", "acme", "2");
        cli.run("migration", "cancel", "mig-1");

        Result result = cli.run("migration", "list");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo(""
                + "MIGRATION  TYPE                SUBJECT      STATUS       DONE   KEYS\n"
                + "mig-1      node_addition       node=n4      cancelled    25.0%  25/100\n"
                + "mig-2      replication_change  tenant=acme  in_progress  25.0%  25/100\n");
    }

    @Test
    void listWithJsonPrintsEveryField() throws Exception {
        JsonNode list = Output.JSON.readTree(cli.run("migration", "list", "--json").out());

        assertThat(list.size()).isEqualTo(1);
        assertThat(list.get(0)).isEqualTo(Output.JSON.readTree("{\"migrationId\":\"mig-1\","
                + "\"type\":\"node_addition\",\"nodeId\":\"n4\",\"tenantId\":null,"
                + "\"status\":\"in_progress\",\"percentage\":25.0,\"keysMigrated\":25,"
                + "\"totalKeys\":100,\"bytesMigrated\":2500,\"totalBytes\":10000,\"tasks\":4,"
                + "\"tasksDone\":1,\"tasksLost\":0,\"startedAt\":\"2023-11-14T22:13:20Z\","
                + "\"finishedAt\":null,\"reason\":null}"));
    }

    // ----------------------------------------------------------------------------- cancel

    @Test
    void cancelPrintsTheCancelledMigrationAndSendsTheReason() throws Exception {
        Result result = cli.run("migration", "cancel", "mig-1", "--reason", "wrong node");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("OK migration=mig-1 status=cancelled (wrong node)\n");
        assertThat(cli.admin.lastCancel.getReason()).isEqualTo("wrong node");
        assertThat(cli.run("migration", "list").out()).contains("cancelled");
    }

    @Test
    void cancelWithJsonPrintsTheMigration() throws Exception {
        JsonNode cancelled = Output.JSON.readTree(cli.run("migration", "cancel", "mig-1",
                "--json").out());

        assertThat(cancelled.get("status").asText()).isEqualTo("cancelled");
        assertThat(cancelled.get("reason").asText()).isEqualTo("cancelled");
        assertThat(cancelled.get("finishedAt").asText()).isEqualTo("2023-11-14T22:14:20Z");
        assertThat(cli.admin.lastCancel.getReason()).isEmpty();
    }

    @Test
    void cancelOfAnUnknownMigrationIsAServerError() {
        Result result = cli.run("migration", "cancel", "mig-9");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err())
                .isEqualTo("error: MIGRATION_NOT_FOUND: migration 'mig-9' does not exist\n");
    }

    @Test
    void cancelOfAFinishedMigrationIsAServerError() {
        cli.run("migration", "cancel", "mig-1");

        Result again = cli.run("migration", "cancel", "mig-1");

        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err())
                .isEqualTo("error: INVALID_REQUEST: migration 'mig-1' is already cancelled\n");
    }

    // ------------------------------------------------------------------------------ watch

    @Test
    void watchPrintsALinePerPollUntilTheMigrationCompletes() {
        walkToCompletion();

        Result result = cli.run("migration", "status", "mig-1", "--watch");

        assertThat(result.exitCode()).isZero();
        assertThat(result.err()).isEmpty();
        assertThat(result.out()).isEqualTo(HALF + "\n" + THREE_QUARTERS + "\n" + DONE + "\n");
        assertThat(cli.pauses).containsExactly(Duration.ofMillis(500), Duration.ofMillis(500));
    }

    @Test
    void watchOnATerminalRedrawsOneLine() {
        walkToCompletion();
        cli.terminal = true;

        Result result = cli.run("migration", "status", "mig-1", "--watch");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("\r").endsWith("\n");
        assertThat(result.out().indexOf('\n')).isEqualTo(result.out().length() - 1);
        List<String> draws = Arrays.asList(result.out().substring(1).split("\r"));
        assertThat(draws).extracting(String::stripTrailing)
                .containsExactly(HALF, THREE_QUARTERS, DONE);
        // Each draw is at least as long as the longest before it, so nothing of it is left.
        assertThat(draws.get(1).length()).isEqualTo(HALF.length());
    }

    @Test
    void watchWithJsonPrintsJsonLinesEvenOnATerminal() throws Exception {
        walkToCompletion();
        cli.terminal = true;

        Result result = cli.run("migration", "status", "mig-1", "--watch", "--json");

        assertThat(result.exitCode()).isZero();
        List<String> lines = result.out().lines().toList();
        assertThat(lines).hasSize(3);
        JsonNode first = Output.JSON.readTree(lines.get(0));
        assertThat(first).isEqualTo(Output.JSON.readTree("{\"at\":\"2023-11-14T22:13:20Z\","
                + "\"migrationId\":\"mig-1\",\"type\":\"node_addition\",\"nodeId\":\"n4\","
                + "\"tenantId\":null,\"status\":\"in_progress\",\"percentage\":50.0,"
                + "\"keysMigrated\":50,\"totalKeys\":100,\"bytesMigrated\":5000,"
                + "\"totalBytes\":10000,\"keysPerSecond\":null,\"etaSeconds\":300,"
                + "\"reason\":null}"));
        JsonNode second = Output.JSON.readTree(lines.get(1));
        assertThat(second.get("at").asText()).isEqualTo("2023-11-14T22:13:20.500Z");
        assertThat(second.get("keysPerSecond").asDouble()).isEqualTo(50.0);
        assertThat(second.get("etaSeconds").asLong()).isEqualTo(1);
        JsonNode last = Output.JSON.readTree(lines.get(2));
        assertThat(last.get("status").asText()).isEqualTo("completed");
        assertThat(last.get("etaSeconds").isNull()).isTrue();
    }

    @Test
    void watchOfAFailedMigrationExitsOneWithTheReason() {
        cli.migrations.then("mig-1", "in_progress", 50, 5_000, "")
                .then("mig-1", "failed", 60, 6_000, "source n2 lost");

        Result result = cli.run("migration", "status", "mig-1", "--watch");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out().lines()).hasSize(2).last().asString()
                .startsWith("mig-1 failed [############........]  60.0%");
        assertThat(result.err()).isEqualTo("error: migration mig-1 failed: source n2 lost\n");
    }

    @Test
    void watchOfAMigrationCancelledMeanwhileExitsOne() {
        cli.terminal = true;
        cli.onPause = () -> cli.run("migration", "cancel", "mig-1", "--reason", "maintenance");

        Result result = cli.run("migration", "status", "mig-1", "--watch");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).endsWith("\n");
        assertThat(Arrays.asList(result.out().split("\r"))).last().asString()
                .startsWith("mig-1 cancelled [#####...............]");
        assertThat(result.err()).isEqualTo("error: migration mig-1 cancelled: maintenance\n");
    }

    @Test
    void watchGoesOnWithoutBytesWhenTheServerCannotListMigrations() {
        walkToCompletion();
        cli.admin.failNext(Status.UNIMPLEMENTED.withDescription("ListMigrations"));

        Result result = cli.run("migration", "status", "mig-1", "--watch");

        assertThat(result.exitCode()).isZero();
        // Once refused, the list is not asked for again: no line shows bytes.
        assertThat(result.out().lines()).hasSize(3).noneMatch(line -> line.contains("KiB"));
        assertThat(result.out().lines().findFirst()).hasValue("mig-1 in_progress"
                + " [##########..........]  50.0%  50/100 keys  - keys/s  eta 5m00s");
    }

    @Test
    void watchOfAnUnknownMigrationIsAServerError() {
        Result result = cli.run("migration", "status", "mig-9", "--watch");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err())
                .isEqualTo("error: MIGRATION_NOT_FOUND: migration 'mig-9' does not exist\n");
    }

    @Test
    void watchThatLosesTheServerEndsItsLineAndExitsThree() {
        cli.terminal = true;
        cli.onPause = () -> cli.fake.failNext(Status.UNAVAILABLE.withDescription("gone"));

        Result result = cli.run("migration", "status", "mig-1", "--watch");

        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.out()).startsWith("\rmig-1 in_progress").endsWith("\n");
        assertThat(result.err()).isEqualTo("error: cannot reach CairnDB at 127.0.0.1:7070: gone\n");
    }

    @Test
    void helpDescribesTheWatchAndItsExitCodes() {
        Result result = cli.run("migration", "status", "--help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("--watch").contains("Exits 0 when");
        assertThat(cli.run("migration", "--help").out()).contains("list", "status", "cancel");
    }
}
