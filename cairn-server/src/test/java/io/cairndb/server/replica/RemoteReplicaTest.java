package io.cairndb.server.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static io.cairndb.server.common.ServerLimits.REPLICA_QUEUED_ITEMS_MAX;
import static io.cairndb.server.common.ServerLimits.REPLICA_READS_IN_FLIGHT_MAX;
import static io.cairndb.server.common.ServerLimits.REPLICA_SENDS_IN_FLIGHT_MAX;
import static org.awaitility.Awaitility.await;

import io.cairndb.api.peer.ApplyBatchRequest;
import io.cairndb.api.peer.ApplyBatchResponse;
import io.cairndb.api.peer.ApplyBatchResult;
import io.cairndb.api.peer.ApplyRequest;
import io.cairndb.api.peer.ApplyResponse;
import io.cairndb.api.peer.PeerServiceGrpc;
import io.cairndb.api.peer.ReadBatchRequest;
import io.cairndb.api.peer.ReadBatchResponse;
import io.cairndb.api.peer.ReadBatchResult;
import io.cairndb.api.peer.ReadRequest;
import io.cairndb.api.peer.ReadResponse;
import io.cairndb.core.CairnException;
import io.cairndb.core.HybridLogicalClock;
import io.cairndb.server.tracing.Tracing;
import io.cairndb.core.Version;
import io.cairndb.core.ApplyResult;
import io.cairndb.core.Mutation;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

// Proves writes and reads to a remote replica coalesce into batch calls while a call is in
// flight, each still gets its own answer, and no caller's gRPC context can cancel a replica call.
class RemoteReplicaTest {

    /** A replica that holds every call until the test answers it. */
    private static final class HeldPeer extends PeerServiceGrpc.PeerServiceImplBase {
        final ConcurrentLinkedQueue<Runnable> held = new ConcurrentLinkedQueue<>();
        final List<Integer> callSizes = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile String failKey = "";

        @Override
        public void apply(ApplyRequest request, StreamObserver<ApplyResponse> observer) {
            callSizes.add(1);
            held.add(() -> {
                observer.onNext(applied());
                observer.onCompleted();
            });
        }

        @Override
        public void applyBatch(ApplyBatchRequest request,
                               StreamObserver<ApplyBatchResponse> observer) {
            callSizes.add(request.getMutationsCount());
            held.add(() -> {
                ApplyBatchResponse.Builder response = ApplyBatchResponse.newBuilder();
                for (ApplyRequest mutation : request.getMutationsList()) {
                    response.addResults(mutation.getKey().toStringUtf8().equals(failKey)
                            ? ApplyBatchResult.newBuilder().setError("disk full").build()
                            : ApplyBatchResult.newBuilder().setResponse(applied()).build());
                }
                observer.onNext(response.build());
                observer.onCompleted();
            });
        }

        @Override
        public void read(ReadRequest request, StreamObserver<ReadResponse> observer) {
            callSizes.add(1);
            held.add(() -> {
                observer.onNext(found(request));
                observer.onCompleted();
            });
        }

        @Override
        public void readBatch(ReadBatchRequest request,
                              StreamObserver<ReadBatchResponse> observer) {
            callSizes.add(request.getReadsCount());
            held.add(() -> {
                ReadBatchResponse.Builder response = ReadBatchResponse.newBuilder();
                for (ReadRequest read : request.getReadsList()) {
                    response.addResults(read.getKey().toStringUtf8().equals(failKey)
                            ? ReadBatchResult.newBuilder().setError("disk gone").build()
                            : ReadBatchResult.newBuilder().setResponse(found(read)).build());
                }
                observer.onNext(response.build());
                observer.onCompleted();
            });
        }

        // Keys starting with "missing" are not stored; every other key holds its own name.
        private static ReadResponse found(ReadRequest request) {
            String key = request.getKey().toStringUtf8();
            return key.startsWith("missing") ? ReadResponse.newBuilder().setFound(false).build()
                    : ReadResponse.newBuilder().setFound(true).setVersion(PeerCodec.toProto(
                            Version.write(request.getKey().toByteArray(), "n1", 3))).build();
        }

        private static ApplyResponse applied() {
            return ApplyResponse.newBuilder().setOutcome(ApplyResponse.Outcome.APPLIED)
                    .addAllClock(PeerCodec.toProto(io.cairndb.core.VectorClock.of("n1", 7)))
                    .setHlc(7).build();
        }

        /** Answers every call held so far. */
        int release() {
            int released = 0;
            Runnable next;
            while ((next = held.poll()) != null) {
                next.run();
                released++;
            }
            return released;
        }
    }

    private final HeldPeer peer = new HeldPeer();
    private Server server;
    private ManagedChannel channel;
    private RemoteReplica replica;

    @BeforeEach
    void start() throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor().addService(peer).build()
                .start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        replica = new RemoteReplica("n1", "self", channel, 10_000, new HybridLogicalClock(),
                Tracing.disabled(), ReplicaCallTimes.NONE);
    }

    @AfterEach
    void stop() throws Exception {
        peer.release();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static Mutation mutation(String key) {
        return new Mutation("t", key.getBytes(StandardCharsets.UTF_8), 1,
                Version.write(new byte[] {1, 2, 3}, "self", 5), null);
    }

    @Test
    void writesQueuedBehindCallsInFlightLeaveTogetherInOneBatch() throws Exception {
        List<CompletableFuture<ApplyResult>> results = new ArrayList<>();
        for (int i = 0; i < REPLICA_SENDS_IN_FLIGHT_MAX + 10; i++) {
            results.add(replica.apply(mutation("k" + i)));
        }
        // The first ones went out alone, at once; the rest wait for a call to finish.
        assertThat(peer.callSizes).hasSize(REPLICA_SENDS_IN_FLIGHT_MAX).containsOnly(1);
        assertThat(results).noneMatch(CompletableFuture::isDone);

        await().atMost(Duration.ofSeconds(10)).until(() -> {
            peer.release();
            return results.stream().allMatch(CompletableFuture::isDone);
        });

        assertThat(peer.callSizes).hasSize(REPLICA_SENDS_IN_FLIGHT_MAX + 1)
                .endsWith(10);
        for (CompletableFuture<ApplyResult> result : results) {
            assertThat(result.get().outcome()).isEqualTo(ApplyResult.Outcome.APPLIED);
            assertThat(result.get().clock().counter(0)).isEqualTo(7);
        }
    }

    @Test
    void aMutationTheReplicaRefusesFailsAloneInItsBatch() throws Exception {
        peer.failKey = "bad";
        CompletableFuture<ApplyResult> first = replica.apply(mutation("a"));
        CompletableFuture<ApplyResult> second = replica.apply(mutation("b"));
        CompletableFuture<ApplyResult> good = replica.apply(mutation("good"));
        CompletableFuture<ApplyResult> bad = replica.apply(mutation("bad"));

        await().atMost(Duration.ofSeconds(10)).until(() -> {
            peer.release();
            return good.isDone() && bad.isDone();
        });

        assertThat(first.get().outcome()).isEqualTo(ApplyResult.Outcome.APPLIED);
        assertThat(second.get().outcome()).isEqualTo(ApplyResult.Outcome.APPLIED);
        assertThat(good.get().outcome()).isEqualTo(ApplyResult.Outcome.APPLIED);
        assertThatThrownBy(bad::get).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(CairnException.class)
                .hasMessage("replica n1: disk full");
    }

    @Test
    void readsQueuedBehindACallInFlightLeaveTogetherAndEachGetsItsOwnAnswer() throws Exception {
        peer.failKey = "broken";
        List<CompletableFuture<Version>> alone = new ArrayList<>();
        for (int i = 0; i < REPLICA_READS_IN_FLIGHT_MAX; i++) {
            alone.add(replica.read("t", bytes("first-" + i), i));
        }
        CompletableFuture<Version> present = replica.read("t", bytes("present"), 2);
        CompletableFuture<Version> missing = replica.read("t", bytes("missing-1"), 3);
        CompletableFuture<Version> broken = replica.read("t", bytes("broken"), 4);
        assertThat(peer.callSizes).hasSize(REPLICA_READS_IN_FLIGHT_MAX).containsOnly(1);

        await().atMost(Duration.ofSeconds(10)).until(() -> {
            peer.release();
            return broken.isDone();
        });

        assertThat(peer.callSizes).hasSize(REPLICA_READS_IN_FLIGHT_MAX + 1).endsWith(3);
        for (int i = 0; i < alone.size(); i++) {
            assertThat(new String(alone.get(i).get().value(), StandardCharsets.UTF_8))
                    .isEqualTo("first-" + i);
        }
        assertThat(new String(present.get().value(), StandardCharsets.UTF_8))
                .isEqualTo("present");
        assertThat(missing.get()).isNull();
        assertThatThrownBy(broken::get).cause().isInstanceOf(CairnException.class)
                .hasMessage("replica n1: disk gone");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aCallOutlivesTheCancelledContextOfTheRequestThatStartedIt() throws Exception {
        Context.CancellableContext request = Context.current().withCancellation();
        CompletableFuture<ApplyResult> result = request.call(() ->
                replica.apply(mutation("k")));
        // The client request is answered (at quorum) before this replica has acknowledged.
        request.cancel(null);
        peer.release();

        assertThat(result.get(10, TimeUnit.SECONDS).outcome())
                .isEqualTo(ApplyResult.Outcome.APPLIED);
    }

    @Test
    void aReplicaThatFallsFarBehindRefusesMoreWritesInsteadOfQueueingThem() {
        for (int i = 0; i < REPLICA_SENDS_IN_FLIGHT_MAX + REPLICA_QUEUED_ITEMS_MAX; i++) {
            replica.apply(mutation("k" + i));
        }

        CompletableFuture<ApplyResult> refused = replica.apply(mutation("one-too-many"));

        assertThatThrownBy(refused::join).cause().isInstanceOf(CairnException.class)
                .hasMessage("replica n1 has " + REPLICA_QUEUED_ITEMS_MAX
                        + " mutations waiting to be sent; not queueing more");
    }
}
