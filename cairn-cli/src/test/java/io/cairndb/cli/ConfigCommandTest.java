package io.cairndb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cairndb.cli.CliHarness.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

// Proves `cairn config get|set|watch` print the configuration, send only the settings named, turn
// bad input into usage errors (exit 2) and server refusals into exit 1.
class ConfigCommandTest {

    private final CliHarness cli = new CliHarness();

    @AfterEach
    void stop() {
        cli.close();
    }

    @Test
    void getPrintsEverySettingAndTheVersion() {
        Result result = cli.run("config", "get");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo(""
                + "replication-factor  3\n"
                + "read-consistency    quorum\n"
                + "write-consistency   quorum\n"
                + "compaction-policy   level\n"
                + "virtual-nodes       150\n"
                + "version             2:7\n");
        assertThat(cli.admin.lastGetConfig.getMinVersion()).isEmpty();
    }

    @Test
    void getWithJsonAndAMinimumVersion() throws Exception {
        JsonNode config = Output.JSON.readTree(cli.run("config", "get", "--json",
                "--min-version", "2:6").out());

        assertThat(config).isEqualTo(Output.JSON.readTree("{\"replicationFactor\":3,"
                + "\"readConsistency\":\"quorum\",\"writeConsistency\":\"quorum\","
                + "\"compactionPolicy\":\"level\",\"virtualNodes\":150,\"version\":\"2:7\"}"));
        assertThat(cli.admin.lastGetConfig.getMinVersion()).isEqualTo("2:6");
    }

    @Test
    void getWithAVersionTheNodeHasNotReachedIsAServerError() {
        Result result = cli.run("config", "get", "--min-version", "2:99");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("error: QUORUM_NOT_REACHED: version 2:99 did not "
                + "arrive within 10000 ms\n");
    }

    @Test
    void setChangesTheNamedSettingsAndPrintsTheResult() throws Exception {
        Result result = cli.run("config", "set", "read-consistency=one", "virtual-nodes=64");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo("OK version=2:8 replication-factor=3 "
                + "read-consistency=one write-consistency=quorum compaction-policy=level "
                + "virtual-nodes=64\n");

        JsonNode json = Output.JSON.readTree(cli.run("config", "set",
                "compaction-policy=universal", "replication-factor=2", "write-consistency=all",
                "--json").out());
        assertThat(json.get("compactionPolicy").asText()).isEqualTo("universal");
        assertThat(json.get("replicationFactor").asInt()).isEqualTo(2);
        assertThat(json.get("writeConsistency").asText()).isEqualTo("all");
        assertThat(json.get("version").asText()).isEqualTo("2:9");
    }

    @Test
    void setWithBadInputIsAUsageError() {
        String[][] bad = {
            {"config", "set"},
            {"config", "set", "replication-factor"},
            {"config", "set", "=3"},
            {"config", "set", "colour=blue"},
            {"config", "set", "replication-factor=three"},
            {"config", "set", "virtual-nodes="},
            {"config", "set", "virtual-nodes=8", "virtual-nodes=9"},
        };
        for (String[] args : bad) {
            Result result = cli.run(args);

            assertThat(result.exitCode()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(result.err()).startsWith("error: ");
        }
        assertThat(cli.run("config", "set", "colour=blue").err()).startsWith("error: unknown "
                + "key 'colour'; keys: replication-factor, read-consistency, write-consistency, "
                + "compaction-policy, virtual-nodes\n");
    }

    @Test
    void setRefusedByTheServerIsAServerErrorNamingTheSetting() {
        Result result = cli.run("config", "set", "compaction-policy=tiered");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("error: INVALID_REQUEST: compaction_policy is "
                + "'tiered'; use one of level, universal\n");
    }

    @Test
    void watchWithoutFromPrintsTheCurrentConfigurationThenChanges() {
        cli.admin.endWatches();

        Result result = cli.run("config", "watch");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("version=7 current replication-factor=3 "
                + "read-consistency=quorum write-consistency=quorum compaction-policy=level "
                + "virtual-nodes=150\n");
        assertThat(cli.admin.lastWatch.getFromVersion()).isEqualTo(7);
    }

    @Test
    void watchFromAVersionPrintsEachKnownChangeAsALine() throws Exception {
        cli.run("config", "set", "replication-factor=5");
        cli.admin.endWatches();

        Result result = cli.run("config", "watch", "--from", "0");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo(""
                + "version=5 changed=2023-11-14T22:12:20Z replication-factor=3 "
                + "read-consistency=quorum write-consistency=quorum compaction-policy=level "
                + "virtual-nodes=150\n"
                + "version=8 changed=2023-11-14T22:13:20Z replication-factor=5 "
                + "read-consistency=quorum write-consistency=quorum compaction-policy=level "
                + "virtual-nodes=150\n");

        JsonNode line = Output.JSON.readTree(cli.run("config", "watch", "--from", "2:5",
                "--json").out());
        assertThat(cli.admin.lastWatch.getFromVersion()).isEqualTo(5);
        assertThat(line.get("version").asLong()).isEqualTo(8);
        assertThat(line.get("current").asBoolean()).isFalse();
        assertThat(line.get("changedAt").asText()).isEqualTo("2023-11-14T22:13:20Z");
        assertThat(line.get("config").get("replicationFactor").asInt()).isEqualTo(5);
    }

    @Test
    void watchFromAnInvalidVersionIsAUsageError() {
        Result result = cli.run("config", "watch", "--from", "yesterday");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("error: --from must be a metadata version");
    }
}
