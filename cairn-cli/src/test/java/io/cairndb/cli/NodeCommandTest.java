package io.cairndb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cairndb.cli.CliHarness.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

// Proves `cairn node list|add|remove|cleanup` and `cairn migration status` print the cluster's
// answers.
class NodeCommandTest {

    private final CliHarness cli = new CliHarness();

    @AfterEach
    void stop() {
        cli.close();
    }

    @Test
    void listPrintsATableOfNodes() {
        Result result = cli.run("node", "list");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo(""
                + "NODE ID  HOST      PORT  STATUS  UP   VNODES  KEYS  DISK%  HINTS  CLOCK\n"
                + "n1       10.0.0.1  7070  active  yes  150     10    12.5   4      0 ms\n"
                + "n2       10.0.0.2  7070  active  yes  150     20    25.0   0      -12 ms\n"
                + "n3       10.0.0.3  7070  active  no   150     30    37.5   0      -\n");
    }

    @Test
    void listWithJsonPrintsAnArray() throws Exception {
        JsonNode nodes = Output.JSON.readTree(cli.run("node", "list", "--json").out());

        assertThat(nodes.size()).isEqualTo(3);
        assertThat(nodes.get(0)).isEqualTo(Output.JSON.readTree("{\"nodeId\":\"n1\","
                + "\"host\":\"10.0.0.1\",\"port\":7070,\"status\":\"active\",\"virtualNodes\":150,"
                + "\"keyCount\":10,\"diskUsagePercent\":12.5,\"alive\":true,"
                + "\"hintsPending\":4,\"clockOffsetMillis\":0}"));
    }

    @Test
    void addStartsAMigrationThatStatusFollows() throws Exception {
        Result added = cli.run("node", "add", "n4", "10.0.0.4", "7070", "--vnodes", "64");

        assertThat(added.exitCode()).isZero();
        assertThat(added.out()).isEqualTo("OK node=n4 migration=mig-1 eta=2023-11-14T22:18:20Z"
                + " (node added; streaming its ranges)\n");
        assertThat(cli.run("node", "list").out()).contains("n4       10.0.0.4  7070  active  no   64");

        assertThat(cli.run("migration", "status", "mig-1").out()).isEqualTo(""
                + "migration  mig-1\n"
                + "type       node_addition\n"
                + "node       n4\n"
                + "status     in_progress\n"
                + "progress   25/100 keys (25.0%)\n"
                + "started    2023-11-14T22:13:20Z\n"
                + "eta        2023-11-14T22:18:20Z\n");
        JsonNode status = Output.JSON.readTree(cli.run("migration", "status", "mig-1", "--json")
                .out());
        assertThat(status.get("percentage").asDouble()).isEqualTo(25.0);
        assertThat(status.get("totalKeys").asLong()).isEqualTo(100);
        assertThat(status.get("startedAt").asText()).isEqualTo("2023-11-14T22:13:20Z");
    }

    @Test
    void addWithJsonPrintsTheChange() throws Exception {
        JsonNode change = Output.JSON.readTree(cli.run("node", "add", "n4", "h", "1", "--json")
                .out());

        assertThat(change.get("nodeId").asText()).isEqualTo("n4");
        assertThat(change.get("migrationId").asText()).isEqualTo("mig-1");
        assertThat(change.get("estimatedCompletion").asText()).isEqualTo("2023-11-14T22:18:20Z");
    }

    @Test
    void addWithABadPortIsAUsageError() {
        assertThat(cli.run("node", "add", "n4", "h", "70000").exitCode()).isEqualTo(2);
        assertThat(cli.run("node", "add", "n4", "h", "http").exitCode()).isEqualTo(2);
    }

    @Test
    void addOfAKnownNodeIsAServerError() {
        Result result = cli.run("node", "add", "n1", "h", "1");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err())
                .isEqualTo("error: INVALID_REQUEST: node 'n1' is already in the cluster\n");
    }

    @Test
    void removeDrainsOrForces() throws Exception {
        assertThat(cli.run("node", "remove", "n3").out())
                .isEqualTo("OK node=n3 migration=mig-1 (node draining)\n");
        assertThat(cli.run("node", "remove", "n2", "--force").out())
                .isEqualTo("OK node=n2 (node dropped)\n");
        JsonNode forced = Output.JSON.readTree(cli.run("node", "remove", "n1", "--force",
                "--json").out());
        assertThat(forced.get("migrationId").isNull()).isTrue();
        assertThat(cli.run("node", "list").out().lines()).hasSize(1);
    }

    @Test
    void statusOfAMissingMigrationIsAServerError() {
        Result result = cli.run("migration", "status", "mig-9");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err())
                .isEqualTo("error: MIGRATION_NOT_FOUND: migration 'mig-9' does not exist\n");
    }

    @Test
    void cleanupReportsTheTargetNodeAndTheKeysItDeleted() throws Exception {
        Result first = cli.run("node", "cleanup", "--target", "10.0.0.1:7070");

        assertThat(first.exitCode()).isZero();
        assertThat(first.out()).isEqualTo("OK node=n1 keys_deleted=42\n");
        assertThat(cli.targets).containsExactly("10.0.0.1:7070");
        JsonNode again = Output.JSON.readTree(cli.run("node", "cleanup", "--json").out());
        assertThat(again).isEqualTo(Output.JSON.readTree("{\"nodeId\":\"n1\","
                + "\"keysDeleted\":0}"));
    }

    @Test
    void cleanupRefusedByTheNodeIsAServerError() {
        cli.admin.refuseNext(io.cairndb.api.ErrorCode.INVALID_REQUEST,
                "migrations into this node are running");

        Result result = cli.run("node", "cleanup");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).isEqualTo(
                "error: INVALID_REQUEST: migrations into this node are running\n");
    }

    @Test
    void removeOfTheLastReplicaHolderIsAServerErrorNamingTheCode() {
        cli.fake.refuseNext(io.cairndb.api.ErrorCode.NODE_IN_USE,
                "node 'n1' is the only storage node");

        Result result = cli.run("node", "remove", "n1");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err())
                .isEqualTo("error: NODE_IN_USE: node 'n1' is the only storage node\n");
    }
}
