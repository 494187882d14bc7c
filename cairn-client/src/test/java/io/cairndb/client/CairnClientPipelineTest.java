package io.cairndb.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairndb.api.ErrorCode;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

// Proves the async single-key calls travel on one pipeline stream with the unary calls' answers
// and failures, and fall back to unary RPCs on a server without the stream.
class CairnClientPipelineTest {

    private static Throwable failureOf(CompletableFuture<?> future) throws InterruptedException {
        try {
            future.get();
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("the future did not fail");
    }

    @Test
    void asyncCallsShareOneStreamAndGetTheUnaryAnswers() throws Exception {
        try (InProcessCoordinator coordinator = new InProcessCoordinator();
                CairnClient client = coordinator.client()) {
            client.createTenant("acme");
            List<CompletableFuture<WriteResult>> writes = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                writes.add(client.writeAsync("acme", "k" + i, "v" + i));
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get();

            assertThat(writes.get(7).get().key()).isEqualTo("k7");
            assertThat(new String(client.readAsync("acme", "k7").get().value(),
                    StandardCharsets.UTF_8)).isEqualTo("v7");
            assertThat(client.deleteAsync("acme", "k7").get().key()).isEqualTo("k7");
            assertThat(failureOf(client.readAsync("acme", "k7")))
                    .isExactlyInstanceOf(KeyNotFoundException.class);
            assertThat(failureOf(client.writeAsync("nobody", "k", "v")))
                    .isExactlyInstanceOf(TenantNotFoundException.class)
                    .hasMessageContaining("nobody");
            coordinator.fake.refuseNext(ErrorCode.QUORUM_NOT_REACHED, "1 of 2 replicas");
            assertThat(failureOf(client.writeAsync("acme", "k", "v")))
                    .isExactlyInstanceOf(QuorumNotReachedException.class)
                    .hasMessage("1 of 2 replicas");
            assertThat(coordinator.fake.pipelineStreams()).isEqualTo(1);
        }
    }

    @Test
    void callsFromManyThreadsAtOnceEachGetTheirOwnAnswer() throws Exception {
        try (InProcessCoordinator coordinator = new InProcessCoordinator();
                CairnClient client = coordinator.client()) {
            client.createTenant("acme");
            int threads = 8;
            int perThread = 250;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<List<CompletableFuture<WriteResult>>>> submitted = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    submitted.add(pool.submit(() -> {
                        List<CompletableFuture<WriteResult>> writes = new ArrayList<>();
                        for (int i = 0; i < perThread; i++) {
                            writes.add(client.writeAsync("acme", "t" + thread + "-" + i, "v"));
                        }
                        return writes;
                    }));
                }
                for (int t = 0; t < threads; t++) {
                    List<CompletableFuture<WriteResult>> writes = submitted.get(t).get();
                    for (int i = 0; i < perThread; i++) {
                        assertThat(writes.get(i).get().key()).isEqualTo("t" + t + "-" + i);
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(coordinator.fake.pipelineStreams()).isEqualTo(1);
        }
    }

    @Test
    void callsMadeByAnswersCallbacksLeaveTogether() throws Exception {
        try (InProcessCoordinator coordinator = new InProcessCoordinator();
                CairnClient client = coordinator.client()) {
            client.createTenant("acme");
            coordinator.fake.holdPipelineAnswers();
            List<CompletableFuture<ReadResult>> reads = new ArrayList<>();
            CompletableFuture<Void> readsIssued = client.writeAsync("acme", "k", "v")
                    .thenAccept(written -> {
                        for (int i = 0; i < 10; i++) {
                            reads.add(client.readAsync("acme", "k"));
                        }
                    });
            coordinator.fake.releasePipelineAnswers();
            readsIssued.get();

            for (CompletableFuture<ReadResult> read : reads) {
                assertThat(read.get().value()).isEqualTo("v".getBytes(StandardCharsets.UTF_8));
            }
            assertThat(reads).hasSize(10);
            assertThat(coordinator.fake.largestPipelineMessage()).isEqualTo(10);
        }
    }

    @Test
    void silentServerTimesOutEachCallAtTheDeadline() throws Exception {
        Duration deadline = Duration.ofMillis(200);
        try (InProcessCoordinator coordinator = new InProcessCoordinator();
                CairnClient setup = coordinator.client();
                CairnClient client = coordinator.client(deadline)) {
            // Set up with a patient client: a cold JVM's first call may take longer than 200 ms.
            setup.createTenant("acme");
            coordinator.fake.silent();

            long startNanos = System.nanoTime();
            assertThat(failureOf(client.writeAsync("acme", "k", "v")))
                    .isExactlyInstanceOf(CairnTimeoutException.class)
                    .hasMessage("CairnDB at fake:7070 did not answer within 200ms"
                            + " (deadline exceeded)");
            assertThat(Duration.ofNanos(System.nanoTime() - startNanos))
                    .isGreaterThanOrEqualTo(deadline).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void brokenStreamFailsItsCallsAndTheNextCallOpensAnother() throws Exception {
        try (InProcessCoordinator coordinator = new InProcessCoordinator();
                CairnClient client = coordinator.client()) {
            client.createTenant("acme");
            coordinator.fake.failNext(Status.UNAVAILABLE.withDescription("connection reset"));

            assertThat(failureOf(client.writeAsync("acme", "k", "v")))
                    .isExactlyInstanceOf(CairnUnavailableException.class)
                    .hasMessage("cannot reach CairnDB at fake:7070: connection reset");
            assertThat(client.writeAsync("acme", "k", "v").get().key()).isEqualTo("k");
            assertThat(coordinator.fake.pipelineStreams()).isEqualTo(2);
        }
    }

    @Test
    void serverWithoutTheStreamGetsUnaryCalls() throws Exception {
        try (InProcessCoordinator coordinator = new InProcessCoordinator();
                CairnClient client = coordinator.client()) {
            client.createTenant("acme");
            coordinator.fake.withoutPipeline();

            assertThat(client.writeAsync("acme", "k", "v").get().key()).isEqualTo("k");
            assertThat(client.readAsync("acme", "k").get().value())
                    .isEqualTo("v".getBytes(StandardCharsets.UTF_8));
            assertThat(failureOf(client.readAsync("acme", "missing")))
                    .isExactlyInstanceOf(KeyNotFoundException.class);
            assertThat(coordinator.fake.pipelineStreams()).isEqualTo(1);
        }
    }

    @Test
    void withoutPipeliningEveryCallIsUnary() throws Exception {
        try (InProcessCoordinator coordinator = new InProcessCoordinator();
                CairnClient client = CairnClient.builder().channel(coordinator.channel)
                        .pipelining(false).build()) {
            client.createTenant("acme");
            assertThat(client.writeAsync("acme", "k", "v").get().key()).isEqualTo("k");
            assertThat(coordinator.fake.pipelineStreams()).isZero();
        }
    }

    @Test
    void closedClientRefusesPipelinedCalls() throws Exception {
        try (InProcessCoordinator coordinator = new InProcessCoordinator()) {
            CairnClient client = coordinator.client();
            client.createTenant("acme");
            CompletableFuture<WriteResult> before = client.writeAsync("acme", "k", "v");
            client.close();

            assertThat(before.get().key()).isEqualTo("k");
            assertThat(failureOf(client.writeAsync("acme", "k", "v")))
                    .isInstanceOf(CairnException.class)
                    .hasMessage("the client of CairnDB at fake:7070 is closed");
        }
    }
}
