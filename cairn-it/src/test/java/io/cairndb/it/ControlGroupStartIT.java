package io.cairndb.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cairndb.api.admin.AddControlMemberRequest;
import io.cairndb.api.admin.AdminServiceGrpc;
import io.cairndb.api.admin.ControlMembershipResponse;
import io.cairndb.api.admin.GetControlStatusRequest;
import io.cairndb.api.admin.RemoveControlMemberRequest;
import io.cairndb.api.control.ControlMembersRequest;
import io.cairndb.api.control.ControlMembersResponse;
import io.cairndb.api.control.ControlServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import seedclient.CoordinatorServiceGrpc;
import seedclient.SeedCoordinator.CreateTenantRequest;
import seedclient.SeedCoordinator.CreateTenantResponse;
import seedclient.SeedCoordinator.GetTenantRequest;
import seedclient.SeedCoordinator.ListStorageNodesRequest;

// Proves nodes started as an orchestrator starts them (all at once, or in any order a second
// apart) form one cluster in which every control member votes, so losing any one member to
// kill -9 leaves the metadata writable within 5 s, and the member catches up when restarted.
class ControlGroupStartIT {

    /** kill -9 of any one member to a successful CreateTenant through a survivor, at most. */
    private static final Duration FAILOVER_MAX = Duration.ofSeconds(5);
    /** A restarted member serves every tenant created while it was down within this. */
    private static final Duration CATCH_UP_MAX = Duration.ofSeconds(30);
    /** Generous: several JVMs start at once on a small machine. */
    private static final Duration START_MAX = Duration.ofSeconds(120);

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final List<Node> nodes = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private final long seed = Long.getLong("test.seed", System.nanoTime());
    private final Random random = new Random(seed);

    /** One node with ports fixed before any starts, so every joiner can name the first. */
    private final class Node {
        final int index;
        final int port = ServerProcess.freePort();
        final int httpPort = ServerProcess.freePort();
        final int raftPort;
        final ServerProcess process;
        ManagedChannel channel;

        Node(int index, int peerPort, int raftPort, String join) {
            this.index = index;
            this.raftPort = raftPort;
            process = new ServerProcess(dir.resolve("n" + index), "--node-id", "n" + index)
                    .ports(port, peerPort, raftPort, httpPort);
            if (join != null) {
                process.env("CAIRN_JOIN", join);
            }
        }

        String target() {
            return "127.0.0.1:" + port;
        }

        void ready() {
            process.awaitReady();
            channel = ManagedChannelBuilder.forTarget(target()).usePlaintext().build();
        }

        void kill() throws InterruptedException {
            channel.shutdownNow();
            process.kill();
        }

        void restart() throws Exception {
            process.start();
            channel = ManagedChannelBuilder.forTarget(target()).usePlaintext().build();
        }

        CoordinatorServiceGrpc.CoordinatorServiceBlockingStub seed(Duration deadline) {
            return CoordinatorServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
        }

        AdminServiceGrpc.AdminServiceBlockingStub admin() {
            return AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60,
                    TimeUnit.SECONDS);
        }

        ControlMembersResponse controlMembers() {
            return ControlServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .controlMembers(ControlMembersRequest.getDefaultInstance());
        }

        boolean serves(String tenant) {
            try {
                return seed(Duration.ofSeconds(5)).getTenant(GetTenantRequest.newBuilder()
                        .setTenantId(tenant).build()).getSuccess();
            } catch (StatusRuntimeException e) {
                return false;
            }
        }

        JsonNode readiness() throws Exception {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + httpPort + "/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body());
        }
    }

    /**
     * Starts {@code size} nodes: n0 plain, every other with {@code --join} naming n0, launched in
     * {@code order} with {@code gap} between launches (zero: all at the same instant).
     */
    private void startCluster(int size, List<Integer> order, Duration gap) throws Exception {
        int[] peerPorts = IntStream.range(0, size).map(i -> ServerProcess.freePort()).toArray();
        int[] raftPorts = IntStream.range(0, size).map(i -> ServerProcess.freePort()).toArray();
        for (int i = 0; i < size; i++) {
            nodes.add(new Node(i, peerPorts[i], raftPorts[i],
                    i == 0 ? null : nodes.get(0).target()));
        }
        System.out.println("starting " + size + " nodes in order " + order + ", " + gap.toMillis()
                + " ms apart (-Dtest.seed=" + seed + ")");
        long previous = 0;
        for (int index : order) {
            if (!gap.isZero() && previous != 0) {
                long due = previous + gap.toNanos();
                // Launches are spaced on the wall clock like an operator's, not by test waits.
                await().atMost(gap.multipliedBy(2)).pollInterval(Duration.ofMillis(10))
                        .until(() -> System.nanoTime() >= due);
            }
            previous = System.nanoTime();
            nodes.get(index).process.launch();
        }
        for (Node node : nodes) {
            node.ready();
        }
    }

    private void assertEveryMemberVotes() throws Exception {
        List<String> ids = nodes.stream().map(node -> "n" + node.index).toList();
        for (Node node : nodes) {
            await().atMost(START_MAX).untilAsserted(() -> {
                ControlMembersResponse members = node.controlMembers();
                assertThat(members.getMembersList()).extracting(member -> member.getMemberId())
                        .as("voters as n%d sees them", node.index)
                        .containsExactlyInAnyOrderElementsOf(ids);
                assertThat(members.getLeaderId()).isNotEmpty();
            });
            assertThat(node.seed(Duration.ofSeconds(10)).listStorageNodes(
                    ListStorageNodesRequest.getDefaultInstance()).getNodesCount())
                    .isEqualTo(nodes.size());
            JsonNode ready = node.readiness();
            assertThat(ready.path("controlGroup").path("voters")).hasSize(nodes.size());
            assertThat(ready.path("controlGroup").path("notVoting")).isEmpty();
            assertThat(ready.has("warnings")).as(ready.toString()).isFalse();
        }
    }

    /**
     * Kills {@code victim} with -9, creates a tenant through a survivor within
     * {@link #FAILOVER_MAX}, then restarts the victim and waits for it to serve every tenant in
     * {@code created} (the new one added).
     */
    private void killCreateAndCatchUp(Node victim, List<String> created) throws Exception {
        Node survivor = nodes.get((victim.index + 1 + random.nextInt(nodes.size() - 1))
                % nodes.size());
        String tenant = "after-kill-of-n" + victim.index + "-" + created.size();
        long killedAt = System.nanoTime();
        victim.kill();
        await().atMost(FAILOVER_MAX.plusSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    try {
                        CreateTenantResponse response = survivor.seed(Duration.ofSeconds(2))
                                .createTenant(CreateTenantRequest.newBuilder().setTenantId(tenant)
                                        .build());
                        // A try that timed out may have committed: the retry then finds it.
                        return response.getSuccess()
                                || response.getErrorMessage().contains("already exists");
                    } catch (StatusRuntimeException e) {
                        return false;
                    }
                });
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        System.out.println("kill -9 of n" + victim.index + ": CreateTenant through n"
                + survivor.index + " succeeded after " + tookMillis + " ms");
        assertThat(tookMillis).as("metadata writable again after kill -9 of n%d", victim.index)
                .isLessThanOrEqualTo(FAILOVER_MAX.toMillis());
        created.add(tenant);

        victim.restart();
        await().atMost(CATCH_UP_MAX).untilAsserted(() -> {
            for (String name : created) {
                assertThat(victim.serves(name)).as("n%d serves %s", victim.index, name).isTrue();
            }
        });
    }

    @AfterEach
    void stopAll() throws Exception {
        for (Node node : nodes) {
            if (node.channel != null) {
                node.channel.shutdownNow();
            }
            node.process.close();
        }
    }

    @Test
    void threeNodesStartedAtTheSameInstantAllVoteAndSurviveLosingEachMember() throws Exception {
        List<Integer> order = new ArrayList<>(List.of(0, 1, 2));
        Collections.shuffle(order, random);
        startCluster(3, order, Duration.ZERO);
        assertEveryMemberVotes();

        List<String> created = new ArrayList<>();
        for (Node victim : List.copyOf(nodes)) {
            killCreateAndCatchUp(victim, created);
        }
        assertEveryMemberVotes();
    }

    @Test
    void threeNodesStartedInShuffledOrderASecondApartAllVote() throws Exception {
        // The joiners often start before the node they join: they wait for it.
        List<Integer> order = new ArrayList<>(List.of(0, 1, 2));
        do {
            Collections.shuffle(order, random);
        } while (order.get(0) == 0);
        startCluster(3, order, Duration.ofSeconds(1));
        assertEveryMemberVotes();
        assertThat(nodes.get(order.get(0)).process.log()).contains("waiting for 127.0.0.1:"
                + nodes.get(0).port);

        List<String> created = new ArrayList<>();
        for (int index : order) {
            killCreateAndCatchUp(nodes.get(index), created);
        }
    }

    @Test
    void threeNodesStartedAtTheSameInstantFormOneGroupRoundAfterRound() throws Exception {
        for (int round = 0; round < 3; round++) {
            List<Integer> order = new ArrayList<>(List.of(0, 1, 2));
            Collections.shuffle(order, random);
            dir = dir.resolve("round" + round);
            startCluster(3, order, Duration.ZERO);
            assertEveryMemberVotes();
            stopAll();
            nodes.clear();
        }
    }

    @Test
    void aJoinerKilledBeforeItJoinedAsksToJoinAgainOnRestart() throws Exception {
        startCluster(3, List.of(0, 1, 2), Duration.ZERO);
        assertEveryMemberVotes();
        // Without a majority, n0 cannot record a fourth node: the joiner has started its Raft
        // storage and waits to be let in when it is killed.
        nodes.get(1).process.signal("STOP");
        nodes.get(2).process.signal("STOP");
        Node joiner = new Node(3, ServerProcess.freePort(), ServerProcess.freePort(),
                nodes.get(0).target());
        nodes.add(joiner);
        try {
            joiner.process.launch();
            await().atMost(START_MAX).until(() -> joiner.process.log()
                    .contains("to join the cluster"));
        } finally {
            nodes.get(1).process.signal("CONT");
            nodes.get(2).process.signal("CONT");
        }
        joiner.process.kill();

        // Restarted, it must not take its storage for a group of its own.
        joiner.restart();
        assertEveryMemberVotes();
        List<String> created = new ArrayList<>();
        killCreateAndCatchUp(joiner, created);
    }

    @Test
    void fiveNodesStartedAtTheSameInstantAllVote() throws Exception {
        List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3, 4));
        Collections.shuffle(order, random);
        startCluster(5, order, Duration.ZERO);
        assertEveryMemberVotes();

        // A member taken out of the vote is reported, by readiness and by the status, until it
        // is added back.
        Node member = nodes.get(4);
        ControlMembershipResponse removed = nodes.get(0).admin().removeControlMember(
                RemoveControlMemberRequest.newBuilder().setMemberId("n4").build());
        assertThat(removed.getSuccess()).as(removed.getErrorMessage()).isTrue();
        for (Node node : nodes.subList(0, 4)) {
            await().atMost(START_MAX).untilAsserted(() -> {
                JsonNode ready = node.readiness();
                assertThat(ready.path("controlGroup").path("notVoting").toString())
                        .isEqualTo("[\"n4\"]");
                assertThat(ready.path("warnings").path(0).asText())
                        .contains("4 voting member(s) but 5 node(s)");
            });
            assertThat(node.admin().getControlStatus(GetControlStatusRequest.getDefaultInstance())
                    .getNotVotingList()).containsExactly("n4");
        }
        ControlMembershipResponse added = nodes.get(1).admin().addControlMember(
                AddControlMemberRequest.newBuilder().setMemberId("n4")
                        .setRaftAddress("127.0.0.1:" + member.raftPort).build());
        assertThat(added.getSuccess()).as(added.getErrorMessage()).isTrue();
        assertEveryMemberVotes();

        List<String> created = new ArrayList<>();
        killCreateAndCatchUp(nodes.get(random.nextInt(5)), created);
    }
}
