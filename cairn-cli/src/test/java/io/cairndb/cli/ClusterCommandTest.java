package io.cairndb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cairndb.cli.CliHarness.Result;
import io.cairndb.client.FakeAdmin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

// Proves `cairn cluster status|view`, `cairn audit` and `cairn control add-member|remove-member`
// print the node's answers, pass their filters, and refuse bad input as usage errors.
class ClusterCommandTest {

    private final CliHarness cli = new CliHarness();

    @AfterEach
    void stop() {
        cli.close();
    }

    @Test
    void statusPrintsTheGroupAndEveryNodesView() {
        Result result = cli.run("cluster", "status");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo(""
                + "member         m2\n"
                + "role           follower\n"
                + "leader         m1\n"
                + "term           2\n"
                + "commit index   7\n"
                + "applied index  6\n"
                + "\n"
                + "MEMBER  RAFT ADDRESS   LEADER\n"
                + "m1      10.0.0.1:9000  yes\n"
                + "m2      10.0.0.2:9000  no\n"
                + "m3      10.0.0.3:9000  no\n"
                + "\n"
                + "NODE  VIEW VERSION  UP   CLOCK\n"
                + "n1    7             yes  +7 ms\n"
                + "n2    5             no   -\n");
    }

    @Test
    void statusWarnsOfControlNodesThatDoNotVote() throws Exception {
        cli.admin.notVoting = java.util.List.of("m4");

        Result result = cli.run("cluster", "status");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).endsWith("\n\nWARNING: the control group has 3 voting "
                + "member(s) but 4 node(s) joined with the control role; not voting: m4 "
                + "(expected only after 'cairn control remove-member'; otherwise add each back "
                + "with 'cairn control add-member')\n");
        JsonNode status = Output.JSON.readTree(cli.run("cluster", "status", "--json").out());
        assertThat(status.get("notVoting").get(0).asText()).isEqualTo("m4");
        assertThat(status.get("warnings").get(0).asText()).startsWith("the control group has 3");
        cli.admin.notVoting = java.util.List.of();
        assertThat(cli.run("cluster", "status").out()).doesNotContain("WARNING");
    }

    @Test
    void statusWithJson() throws Exception {
        JsonNode status = Output.JSON.readTree(cli.run("cluster", "status", "--json").out());

        assertThat(status.get("leaderId").asText()).isEqualTo("m1");
        assertThat(status.get("term").asLong()).isEqualTo(2);
        assertThat(status.get("commitIndex").asLong()).isEqualTo(7);
        assertThat(status.get("appliedIndex").asLong()).isEqualTo(6);
        assertThat(status.get("members").get(0)).isEqualTo(Output.JSON.readTree(
                "{\"memberId\":\"m1\",\"raftAddress\":\"10.0.0.1:9000\",\"leader\":true}"));
        assertThat(status.get("nodes").get(1)).isEqualTo(Output.JSON.readTree(
                "{\"nodeId\":\"n2\",\"viewVersion\":5,\"alive\":false,"
                        + "\"clockOffsetMillis\":null}"));
        assertThat(status.get("nodes").get(0).get("clockOffsetMillis").asLong()).isEqualTo(7);
    }

    @Test
    void viewPrintsTheStorageNodes() throws Exception {
        Result result = cli.run("cluster", "view");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo(""
                + "version 7\n"
                + "NODE ID  HOST      PORT  PEER PORT  STATUS  VNODES  UP\n"
                + "n1       10.0.0.1  7070  7071       active  150     yes\n"
                + "n2       10.0.0.2  7070  7071       active  64      no\n");

        JsonNode view = Output.JSON.readTree(cli.run("cluster", "view", "--json",
                "--min-version", "2:7").out());
        assertThat(view.get("version").asLong()).isEqualTo(7);
        assertThat(view.get("nodes").get(1).get("peerPort").asInt()).isEqualTo(7071);
        assertThat(cli.admin.lastGetClusterView.getMinVersion()).isEqualTo("2:7");
    }

    // ------------------------------------------------------------------------------ audit

    @Test
    void auditPrintsEventsOldestFirst() {
        Result result = cli.run("audit");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo(""
                + "ID  TIME                  ACTION         TENANT  NODE  ACTOR  DETAILS\n"
                + "3   2023-11-14T21:13:20Z  register_node  -       n1    m1     storage node "
                + "'n1' added at 10.0.0.1:7070 (peer port 7071) with 150 virtual nodes\n"
                + "4   2023-11-14T22:03:20Z  create_tenant  acme    -     m1     tenant 'acme' "
                + "created with replication factor 3\n"
                + "5   2023-11-14T22:12:20Z  update_config  -       -     m1     "
                + "read_consistency one -> quorum\n");
        assertThat(cli.admin.lastAudit.getLimit()).isEqualTo(100);
    }

    @Test
    void auditPassesTenantSinceAndLimit() throws Exception {
        JsonNode events = Output.JSON.readTree(cli.run("audit", "--tenant", "acme", "--since",
                "15m", "--limit", "5", "--json").out());

        assertThat(cli.admin.lastAudit.getTenantId()).isEqualTo("acme");
        assertThat(cli.admin.lastAudit.getSinceMillis())
                .isEqualTo(FakeAdmin.NOW_MILLIS - 15 * 60_000);
        assertThat(cli.admin.lastAudit.getLimit()).isEqualTo(5);
        assertThat(events.size()).isEqualTo(1);
        assertThat(events.get(0)).isEqualTo(Output.JSON.readTree("{\"id\":\"4\",\"version\":4,"
                + "\"hlc\":" + ((FakeAdmin.NOW_MILLIS - 600_000) << 16) + ","
                + "\"at\":\"2023-11-14T22:03:20Z\",\"action\":\"create_tenant\","
                + "\"tenantId\":\"acme\",\"nodeId\":null,\"actor\":\"m1\","
                + "\"details\":\"tenant 'acme' created with replication factor 3\"}"));
    }

    @Test
    void auditSinceTakesInstantsAndDurations() {
        cli.run("audit", "--since", "2023-11-14T22:00:00Z");
        assertThat(cli.admin.lastAudit.getSinceMillis()).isEqualTo(1_699_999_200_000L);

        cli.run("audit", "--since", "PT1H30M");
        assertThat(cli.admin.lastAudit.getSinceMillis())
                .isEqualTo(FakeAdmin.NOW_MILLIS - 90 * 60_000);

        cli.run("audit", "--since", "2d");
        assertThat(cli.admin.lastAudit.getSinceMillis())
                .isEqualTo(FakeAdmin.NOW_MILLIS - 2 * 86_400_000L);
    }

    @Test
    void auditWithBadOptionsIsAUsageError() {
        for (String[] args : new String[][] {
            {"audit", "--since", "last tuesday"},
            {"audit", "--since", "10y"},
            {"audit", "--limit", "0"},
            {"audit", "--limit", "10001"},
        }) {
            Result result = cli.run(args);

            assertThat(result.exitCode()).as(String.join(" ", args)).isEqualTo(2);
        }
        assertThat(cli.run("audit", "--since", "soon").err()).startsWith("error: --since must be "
                + "an ISO-8601 instant like 2024-05-01T12:00:00Z or a duration like 10m, "
                + "was 'soon'\n");
    }

    // ---------------------------------------------------------------- control membership

    @Test
    void addMemberPrintsTheGroupAfterTheChange() throws Exception {
        Result result = cli.run("control", "add-member", "m4", "10.0.0.4:9000");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo(""
                + "OK member m4 added\n"
                + "MEMBER  RAFT ADDRESS   LEADER\n"
                + "m1      10.0.0.1:9000  yes\n"
                + "m2      10.0.0.2:9000  no\n"
                + "m3      10.0.0.3:9000  no\n"
                + "m4      10.0.0.4:9000  no\n");

        JsonNode removed = Output.JSON.readTree(cli.run("control", "remove-member", "m2",
                "--json").out());
        assertThat(removed.get("members").size()).isEqualTo(3);
        assertThat(removed.get("members").get(1).get("memberId").asText()).isEqualTo("m3");
    }

    @Test
    void membershipRefusalsAndBadAddresses() {
        Result known = cli.run("control", "add-member", "m1", "10.0.0.1:9000");
        assertThat(known.exitCode()).isEqualTo(1);
        assertThat(known.err()).isEqualTo("error: INVALID_REQUEST: member_id 'm1' is already a "
                + "member of the control group\n");

        assertThat(cli.run("control", "remove-member", "m9").exitCode()).isEqualTo(1);
        for (String address : new String[] {"10.0.0.4", "10.0.0.4:", ":9000", "h:port",
            "h:70000"}) {
            assertThat(cli.run("control", "add-member", "m4", address).exitCode())
                    .as(address).isEqualTo(2);
        }
        assertThat(cli.run("control", "add-member", "m4").exitCode()).isEqualTo(2);
    }
}
