package io.cairndb.server.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.cairndb.api.peer.FetchRangeRequest;
import io.cairndb.api.peer.FetchRangeResponse;
import io.cairndb.api.peer.HeartbeatRequest;
import io.cairndb.api.peer.HeartbeatResponse;
import io.cairndb.api.peer.StatsResponse;
import io.cairndb.core.CairnException;
import io.cairndb.core.HybridLogicalClock;
import io.cairndb.server.replica.LocalReplica;
import io.cairndb.server.replica.PeerCodec;
import io.cairndb.server.replica.PeerLink;
import io.cairndb.server.replica.Replica;
import io.cairndb.server.tracing.Tracing;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Membership on links a test controls: heartbeats go out, answers come back when the test says,
 * and time moves when the test moves it. Nothing here opens a socket.
 */
class MembershipTest {

    private static final long INTERVAL_MILLIS = 1_000;
    private static final long MAX_OFFSET_MILLIS = 250;

    private record PeerNode(String nodeId, String host, int peerPort)
            implements NodeDirectory.Node {
    }

    private record Directory(long version, Map<String, PeerNode> nodes)
            implements NodeDirectory {
    }

    /** A link whose heartbeats wait for the test to answer them. */
    private static final class FakeLink implements PeerLink {
        final String nodeId;
        final int peerPort;
        final List<HeartbeatRequest> heartbeats = new ArrayList<>();
        final List<CompletableFuture<HeartbeatResponse>> answers = new ArrayList<>();
        final Replica replica;
        boolean closed;
        boolean closedNow;

        FakeLink(String nodeId, int peerPort) {
            this.nodeId = nodeId;
            this.peerPort = peerPort;
            this.replica = new LocalReplica(nodeId, null, Tracing.disabled());
        }

        @Override
        public Replica replica() {
            return replica;
        }

        @Override
        public CompletableFuture<HeartbeatResponse> heartbeat(HeartbeatRequest request,
                                                              long deadlineMillis) {
            heartbeats.add(request);
            CompletableFuture<HeartbeatResponse> answer = new CompletableFuture<>();
            answers.add(answer);
            return answer;
        }

        @Override
        public CompletableFuture<StatsResponse> stats() {
            return CompletableFuture.completedFuture(StatsResponse.newBuilder()
                    .setKeysCount(peerPort).build());
        }

        @Override
        public CompletableFuture<FetchRangeResponse> fetchRange(FetchRangeRequest request) {
            return CompletableFuture.completedFuture(FetchRangeResponse.getDefaultInstance());
        }

        /** Answers the last heartbeat as a peer at {@code metadataVersion} reading its clock. */
        void answer(long metadataVersion, long peerWallMillis) {
            answers.get(answers.size() - 1).complete(HeartbeatResponse.newBuilder()
                    .setMetadataVersion(metadataVersion).setWallMillis(peerWallMillis).build());
        }

        void fail() {
            answers.get(answers.size() - 1)
                    .completeExceptionally(new IllegalStateException("unreachable"));
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public void closeNow() {
            closedNow = true;
        }
    }

    private final AtomicLong wallMillis = new AtomicLong(1_800_000_000_000L);
    private final List<FakeLink> opened = new ArrayList<>();
    private final List<Long> behind = new ArrayList<>();
    private final List<String> verdicts = new ArrayList<>();
    private volatile Directory view = directory(1, 7001, 7002, 7003);
    private String unreachable = "";
    private final LocalReplica local = new LocalReplica("n1", null, Tracing.disabled());
    private final Membership membership = new Membership("n1", local, new HybridLogicalClock(),
            wallMillis::get, INTERVAL_MILLIS, MAX_OFFSET_MILLIS, () -> view, behind::add,
            (nodeId, host, peerPort) -> {
                if (nodeId.equals(unreachable)) {
                    throw new IllegalArgumentException("no route to " + host);
                }
                FakeLink link = new FakeLink(nodeId, peerPort);
                opened.add(link);
                return link;
            });

    MembershipTest() {
        membership.addVerdictListener((node, up) -> verdicts.add(node + (up ? " up" : " down")));
    }

    @AfterEach
    void close() {
        membership.close();
    }

    private static Directory directory(long version, int... peerPorts) {
        Map<String, PeerNode> nodes = new TreeMap<>();
        for (int i = 0; i < peerPorts.length; i++) {
            String id = "n" + (i + 1);
            nodes.put(id, new PeerNode(id, "10.0.0." + (i + 1), peerPorts[i]));
        }
        return new Directory(version, nodes);
    }

    private FakeLink link(String nodeId) {
        return opened.stream().filter(link -> link.nodeId.equals(nodeId))
                .reduce((first, second) -> second).orElseThrow();
    }

    @Test
    void heartbeatsEveryOtherNodeWithThisNodesViewAndJudgesThoseThatAnswerUp() {
        membership.heartbeatAll();

        assertThat(opened).extracting(link -> link.nodeId).containsExactly("n2", "n3");
        HeartbeatRequest sent = link("n2").heartbeats.get(0);
        assertThat(sent.getSenderNodeId()).isEqualTo("n1");
        assertThat(sent.getMetadataVersion()).isEqualTo(1);
        assertThat(sent.getProtocolVersion()).isEqualTo(PeerCodec.PROTOCOL_VERSION);

        link("n2").answer(1, wallMillis.get());
        link("n3").fail();
        assertThat(membership.isAlive("n2")).isTrue();
        // A node never heard from counts as up until the detector has reason to doubt it.
        assertThat(verdicts).containsExactly("n2 up", "n3 up");
        assertThat(membership.viewVersions()).containsEntry("n1", 1L).containsEntry("n2", 1L)
                .doesNotContainKey("n3");
    }

    @Test
    void aPeerSilentPastTheDetectorsPatienceIsJudgedDownAndUpAgainWhenItAnswers() {
        for (int round = 0; round < 5; round++) {
            membership.heartbeatAll();
            link("n2").answer(1, wallMillis.get());
            link("n3").answer(1, wallMillis.get());
            wallMillis.addAndGet(INTERVAL_MILLIS);
        }
        assertThat(membership.isAlive("n3")).isTrue();

        for (int round = 0; round < 30; round++) {
            membership.heartbeatAll();
            link("n2").answer(1, wallMillis.get());
            link("n3").fail();
            wallMillis.addAndGet(INTERVAL_MILLIS);
        }
        assertThat(membership.isAlive("n3")).isFalse();
        assertThat(membership.isAlive("n2")).isTrue();
        assertThat(membership.phi("n3")).isGreaterThan(membership.phi("n2"));

        membership.heartbeatAll();
        link("n3").answer(1, wallMillis.get());
        assertThat(membership.isAlive("n3")).isTrue();
        assertThat(verdicts).containsSubsequence("n3 up", "n3 down", "n3 up");
    }

    @Test
    void aPeerAheadOnMetadataTellsThisNodeItIsBehind() {
        membership.heartbeatAll();
        link("n2").answer(5, wallMillis.get());
        link("n3").answer(1, wallMillis.get());

        assertThat(behind).containsExactly(5L);
        assertThat(membership.viewVersions()).containsEntry("n2", 5L).containsEntry("n1", 1L);
    }

    @Test
    void peersClocksAreMeasuredFromTheirAnswersAndAClockFarOffStopsWrites() {
        membership.heartbeatAll();
        link("n2").answer(1, wallMillis.get() + 60_000);
        assertThat(membership.clockOffsets().get("n2")).isCloseTo(60_000L, within(1_000L));
        // One peer of three off is the peer's problem, not this node's.
        assertThat(membership.clockVerdict().coordinateWrites()).isTrue();

        link("n3").answer(1, wallMillis.get() + 60_000);
        assertThat(membership.clockVerdict().coordinateWrites()).isFalse();
        assertThat(membership.clockVerdict().reason())
                .contains("node n1's clock is", "behind 2 of its 2 measured peers",
                        "clock.maxOffsetMillis (250 ms)");

        membership.heartbeatAll();
        link("n2").answer(1, wallMillis.get());
        link("n3").answer(1, wallMillis.get());
        assertThat(membership.clockVerdict().coordinateWrites()).isTrue();
    }

    @Test
    void aPeerThatMovesGetsANewLinkAndItsOldOneClosesGracefully() {
        Replica first = membership.replica("n2");
        assertThat(membership.replica("n2")).isSameAs(first);
        assertThat(opened).hasSize(1);

        view = directory(2, 7001, 7102, 7003);
        Replica moved = membership.replica("n2");
        assertThat(moved).isNotSameAs(first);
        assertThat(opened).hasSize(2);
        assertThat(opened.get(0).closed).isTrue();
        assertThat(opened.get(0).closedNow).isFalse();
        assertThat(membership.stats("n2").join().getKeysCount()).isEqualTo(7102);

        membership.close();
        assertThat(opened.get(1).closedNow).isTrue();
    }

    @Test
    void thisNodesOwnReplicaIsInProcessAndNeedsNoLink() {
        assertThat(membership.replica("n1")).isSameAs(local);
        assertThat(membership.isAlive("n1")).isTrue();
        assertThat(membership.phi("n1")).isZero();
        assertThat(opened).isEmpty();
    }

    @Test
    void aNodeOutsideTheViewIsRefusedByName() {
        assertThatThrownBy(() -> membership.replica("n9"))
                .isInstanceOf(CairnException.class)
                .hasMessage("node 'n9' is not in this node's cluster view");
        assertThat(membership.stats("n9")).failsWithin(java.time.Duration.ZERO)
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withMessageContaining("node 'n9' is not in this node's cluster view");
        assertThat(membership.fetchRange("n9", FetchRangeRequest.getDefaultInstance()))
                .isCompletedExceptionally();
    }

    @Test
    void aPeerTheTransportCannotReachDoesNotCostTheOthersTheirHeartbeat() {
        unreachable = "n2";
        membership.heartbeatAll();

        assertThat(opened).extracting(link -> link.nodeId).containsExactly("n3");
        link("n3").answer(1, wallMillis.get());
        assertThat(membership.isAlive("n3")).isTrue();
        assertThat(membership.stats("n2")).isCompletedExceptionally();
    }
}
