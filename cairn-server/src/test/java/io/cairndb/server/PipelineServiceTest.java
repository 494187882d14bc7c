package io.cairndb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.cairndb.api.CoordinatorServiceGrpc;
import io.cairndb.api.CreateTenantRequest;
import io.cairndb.api.DeleteKeyValueRequest;
import io.cairndb.api.ErrorCode;
import io.cairndb.api.PipelineCall;
import io.cairndb.api.PipelineRequest;
import io.cairndb.api.PipelineResponse;
import io.cairndb.api.PipelineResult;
import io.cairndb.api.ReadKeyValueRequest;
import io.cairndb.api.WriteKeyValueRequest;
import io.cairndb.server.coordinator.PipelineStream;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves the Pipeline stream answers each call as its unary RPC would, by id, a turn of a long
// message at a time, refuses a call without an operation in-band, keeps up with more calls than
// it runs at once, and ends only after answering everything the client sent.
class PipelineServiceTest {

    @TempDir
    Path dir;

    private TestNode node;
    private StreamObserver<PipelineRequest> requests;
    private final Map<Long, PipelineResult> results = new ConcurrentHashMap<>();
    private final AtomicInteger messages = new AtomicInteger();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    @BeforeEach
    void start() {
        node = new TestNode(dir, Map.of());
        node.stub.createTenant(CreateTenantRequest.newBuilder().setTenantId("acme").build());
        requests = CoordinatorServiceGrpc.newStub(node.channel).pipeline(new StreamObserver<>() {
            @Override
            public void onNext(PipelineResponse response) {
                messages.incrementAndGet();
                for (PipelineResult result : response.getResultsList()) {
                    assertThat(results.put(result.getId(), result)).as("answered twice")
                            .isNull();
                }
            }

            @Override
            public void onError(Throwable error) {
                failure.set(error);
                ended.countDown();
            }

            @Override
            public void onCompleted() {
                ended.countDown();
            }
        });
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private static PipelineCall write(long id, String key, String value) {
        return PipelineCall.newBuilder().setId(id).setWrite(WriteKeyValueRequest.newBuilder()
                .setTenantId("acme").setKey(key).setValue(ByteString.copyFromUtf8(value)))
                .build();
    }

    private static PipelineCall read(long id, String key) {
        return PipelineCall.newBuilder().setId(id).setRead(ReadKeyValueRequest.newBuilder()
                .setTenantId("acme").setKey(key)).build();
    }

    private void send(PipelineCall... calls) {
        requests.onNext(PipelineRequest.newBuilder().addAllCalls(java.util.List.of(calls))
                .build());
    }

    private void awaitAnswers(int count) {
        await().atMost(Duration.ofSeconds(30)).until(() -> results.size() >= count);
    }

    @Test
    void answersEachCallByIdWithItsUnaryResponse() throws Exception {
        send(write(1, "k1", "v1"), write(2, "", "no key"));
        awaitAnswers(2);
        send(read(3, "k1"), read(4, "missing"),
                PipelineCall.newBuilder().setId(5).setDelete(DeleteKeyValueRequest.newBuilder()
                        .setTenantId("acme").setKey("k1")).build(),
                PipelineCall.newBuilder().setId(6).build());
        awaitAnswers(6);

        assertThat(results.get(1L).getWrite().getSuccess()).isTrue();
        assertThat(results.get(1L).getWrite().getKey()).isEqualTo("k1");
        assertThat(results.get(2L).getWrite().getErrorCode()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(results.get(2L).getWrite().getErrorMessage()).contains("key");
        assertThat(results.get(3L).getRead().getValue().toStringUtf8()).isEqualTo("v1");
        assertThat(results.get(4L).getRead().getErrorCode()).isEqualTo(ErrorCode.KEY_NOT_FOUND);
        assertThat(results.get(5L).getDelete().getSuccess()).isTrue();
        assertThat(results.get(6L).getError().getErrorCode()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(results.get(6L).getError().getErrorMessage())
                .isEqualTo("pipeline call 6 names no operation: set one of write, read or delete");

        requests.onCompleted();
        assertThat(ended.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(failure.get()).isNull();
    }

    @Test
    void answersALongMessageATurnAtATimeSoTheFirstAnswersLeaveBeforeTheLastCallsRun() {
        send(write(1, "k", "v"));
        awaitAnswers(1);
        int reads = 2 * PipelineStream.CALLS_PER_TURN + 3;
        PipelineRequest.Builder message = PipelineRequest.newBuilder();
        for (int id = 2; id < 2 + reads; id++) {
            message.addCalls(read(id, "k"));
        }
        int before = messages.get();
        requests.onNext(message.build());
        awaitAnswers(1 + reads);

        for (long id = 2; id < 2 + reads; id++) {
            assertThat(results.get(id).getRead().getValue().toStringUtf8()).isEqualTo("v");
        }
        // A node read answers at once, so each turn's answers are one message of their own.
        assertThat(messages.get() - before).isEqualTo(3);
    }

    @Test
    void answersEveryCallOfABurstBeyondTheInFlightLimitThenEnds() throws Exception {
        int calls = 6_000;
        for (int first = 0; first < calls; first += 500) {
            PipelineRequest.Builder message = PipelineRequest.newBuilder();
            for (int id = first; id < first + 500; id++) {
                message.addCalls(write(id, "k" + (id % 100), "v" + id));
            }
            requests.onNext(message.build());
        }
        requests.onCompleted();

        assertThat(ended.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(failure.get()).isNull();
        assertThat(results).hasSize(calls);
        assertThat(results.values()).allSatisfy(result ->
                assertThat(result.getWrite().getSuccess()).as(result.toString()).isTrue());
        assertThat(messages.get()).as("answers that complete together share a message")
                .isLessThan(calls);
    }
}
