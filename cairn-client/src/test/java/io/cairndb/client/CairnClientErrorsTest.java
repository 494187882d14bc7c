package io.cairndb.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairndb.api.ErrorCode;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

// Proves in-band refusals and gRPC failures become the same typed exceptions, sync and async.
class CairnClientErrorsTest {

    private InProcessCoordinator coordinator;
    private CairnClient client;

    @BeforeEach
    void start() {
        coordinator = new InProcessCoordinator();
        client = coordinator.client();
        client.createTenant("acme", 3);
    }

    @AfterEach
    void stop() {
        client.close();
        coordinator.close();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The exception an async call's future completed with. */
    private static Throwable failureOf(CompletableFuture<?> future) {
        assertThat(future).failsWithin(Duration.ofSeconds(5));
        try {
            future.get();
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("the future did not fail");
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of(ErrorCode.INVALID_REQUEST, InvalidRequestException.class),
                Arguments.of(ErrorCode.TENANT_NOT_FOUND, TenantNotFoundException.class),
                Arguments.of(ErrorCode.TENANT_EXISTS, TenantExistsException.class),
                Arguments.of(ErrorCode.KEY_NOT_FOUND, KeyNotFoundException.class),
                Arguments.of(ErrorCode.QUORUM_NOT_REACHED, QuorumNotReachedException.class),
                Arguments.of(ErrorCode.IDEMPOTENCY_KEY_CONFLICT,
                        IdempotencyKeyConflictException.class),
                Arguments.of(ErrorCode.INVALID_REPLICATION_FACTOR,
                        InvalidReplicationFactorException.class),
                Arguments.of(ErrorCode.NODE_IN_USE, NodeInUseException.class),
                Arguments.of(ErrorCode.MIGRATION_NOT_FOUND, MigrationNotFoundException.class),
                Arguments.of(ErrorCode.UNAUTHORIZED, CairnException.class),
                Arguments.of(ErrorCode.FORBIDDEN, CairnException.class),
                Arguments.of(ErrorCode.RATE_LIMIT_EXCEEDED, CairnException.class),
                Arguments.of(ErrorCode.INTERNAL_ERROR, CairnException.class),
                Arguments.of(ErrorCode.UNKNOWN, CairnException.class));
    }

    /** Every RPC, sync, as a call that may throw. */
    private List<ThrowableAssert.ThrowingCallable> everySyncCall() {
        return List.of(
                () -> client.write("acme", "k", utf8("v")),
                () -> client.read("acme", "k"),
                () -> client.delete("acme", "k"),
                () -> client.batchWrite("acme", List.of(BatchItem.put("k", "v"))),
                () -> client.rangeQuery("acme", null, null, 0, null),
                () -> client.scan("acme").toList(),
                () -> client.createTenant("globex"),
                () -> client.getTenant("acme"),
                () -> client.updateReplicationFactor("acme", 2),
                () -> client.addStorageNode("n9", "h", 1),
                () -> client.removeStorageNode("n1", false),
                () -> client.getMigrationStatus("mig-1"),
                () -> client.listStorageNodes());
    }

    /** Every RPC, async. */
    private List<Function<CairnClient, CompletableFuture<?>>> everyAsyncCall() {
        return List.of(
                c -> c.writeAsync("acme", "k", utf8("v")),
                c -> c.readAsync("acme", "k"),
                c -> c.deleteAsync("acme", "k"),
                c -> c.batchWriteAsync("acme", List.of(BatchItem.put("k", "v"))),
                c -> c.rangeQueryAsync("acme", null, null, 0, null),
                c -> c.createTenantAsync("globex"),
                c -> c.getTenantAsync("acme"),
                c -> c.updateReplicationFactorAsync("acme", 2),
                c -> c.addStorageNodeAsync("n9", "h", 1),
                c -> c.removeStorageNodeAsync("n1", false),
                c -> c.getMigrationStatusAsync("mig-1"),
                c -> c.listStorageNodesAsync());
    }

    @ParameterizedTest
    @MethodSource("refusals")
    void refusalOfEveryCallThrowsTheExceptionOfItsCode(ErrorCode code,
            Class<? extends CairnException> type) {
        for (ThrowableAssert.ThrowingCallable call : everySyncCall()) {
            coordinator.fake.refuseNext(code, "refused: " + code);

            assertThatThrownBy(call).isExactlyInstanceOf(type).hasMessage("refused: " + code)
                    .satisfies(e -> assertThat(((CairnException) e).code()).isEqualTo(code));
        }
    }

    @ParameterizedTest
    @MethodSource("refusals")
    void refusalOfEveryAsyncCallFailsTheFutureWithTheExceptionOfItsCode(ErrorCode code,
            Class<? extends CairnException> type) {
        for (Function<CairnClient, CompletableFuture<?>> call : everyAsyncCall()) {
            coordinator.fake.refuseNext(code, "refused: " + code);

            Throwable failure = failureOf(call.apply(client));

            assertThat(failure).isExactlyInstanceOf(type).hasMessage("refused: " + code);
            assertThat(((CairnException) failure).code()).isEqualTo(code);
        }
    }

    @Test
    void refusalWithoutAMessageStillSaysSomething() {
        coordinator.fake.refuseNext(ErrorCode.INTERNAL_ERROR, "");

        assertThatThrownBy(() -> client.getTenant("acme")).isExactlyInstanceOf(CairnException.class)
                .hasMessage("the server refused the request without a reason");
    }

    @Test
    void realDomainErrorsMapToTheirExceptions() {
        client.write("acme", "k", utf8("v"), "one", "idem-1");

        assertThatThrownBy(() -> client.read("acme", "missing"))
                .isInstanceOf(KeyNotFoundException.class).hasMessage("key 'missing' not found");
        assertThatThrownBy(() -> client.getTenant("nobody"))
                .isInstanceOf(TenantNotFoundException.class)
                .hasMessage("tenant 'nobody' does not exist");
        assertThatThrownBy(() -> client.createTenant("acme"))
                .isInstanceOf(TenantExistsException.class);
        assertThatThrownBy(() -> client.createTenant("Bad Name"))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> client.write("acme", "k", utf8("v"), "most"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("consistency must be one, quorum or all, was 'most'");
        assertThatThrownBy(() -> client.write("acme", "k", utf8("other"), "one", "idem-1"))
                .isInstanceOf(IdempotencyKeyConflictException.class);
        assertThatThrownBy(() -> client.updateReplicationFactor("acme", 9))
                .isInstanceOf(InvalidReplicationFactorException.class);
        assertThatThrownBy(() -> client.getMigrationStatus("mig-404"))
                .isExactlyInstanceOf(MigrationNotFoundException.class)
                .satisfies(e -> assertThat(((CairnException) e).code())
                        .isEqualTo(ErrorCode.MIGRATION_NOT_FOUND));
    }

    @Test
    void batchRefusedAsAWholeThrows() {
        List<BatchItem> tooMany = Stream.iterate(0, i -> i + 1)
                .limit(FakeCoordinator.BATCH_ITEMS_MAX + 1)
                .map(i -> BatchItem.put("k" + i, "v")).toList();

        assertThatThrownBy(() -> client.batchWrite("acme", tooMany))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("at most " + FakeCoordinator.BATCH_ITEMS_MAX);
        assertThat(failureOf(client.batchWriteAsync("nobody", List.of(BatchItem.put("k", "v")))))
                .isInstanceOf(TenantNotFoundException.class);
    }

    @Test
    void batchWithFailedItemsIsReturnedNotThrown() throws Exception {
        List<BatchItem> items = List.of(BatchItem.put("", "v"), BatchItem.put("ok", "v"));

        BatchResult result = client.batchWrite("acme", items);
        BatchResult async = client.batchWriteAsync("acme", items).get();

        for (BatchResult outcome : List.of(result, async)) {
            assertThat(outcome.failedCount()).isEqualTo(1);
            assertThat(outcome.results().get(0).success()).isFalse();
            assertThat(outcome.results().get(0).errorCode()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(outcome.results().get(1).success()).isTrue();
            assertThat(outcome.results().get(1).errorCode()).isEqualTo(ErrorCode.UNKNOWN);
        }
        assertThatThrownBy(() -> result.results().get(1).error())
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void grpcUnavailableIsCairnUnavailable() {
        coordinator.fake.failNext(Status.UNAVAILABLE.withDescription("shutting down"));

        assertThatThrownBy(() -> client.getTenant("acme"))
                .isExactlyInstanceOf(CairnUnavailableException.class)
                .hasMessage("cannot reach CairnDB at fake:7070: shutting down")
                .satisfies(e -> assertThat(((CairnException) e).code())
                        .isEqualTo(ErrorCode.UNKNOWN));

        coordinator.fake.failNext(Status.UNAVAILABLE.withDescription("shutting down"));
        assertThat(failureOf(client.getTenantAsync("acme")))
                .isExactlyInstanceOf(CairnUnavailableException.class);
    }

    @Test
    void grpcDeadlineExceededFromTheServerIsCairnTimeout() {
        coordinator.fake.failNext(Status.DEADLINE_EXCEEDED);

        assertThatThrownBy(() -> client.listStorageNodes())
                .isExactlyInstanceOf(CairnTimeoutException.class)
                .hasMessage("CairnDB at fake:7070 did not answer within 10s (deadline exceeded)");
    }

    @Test
    void grpcAuthFailuresCarryTheContractsCodes() {
        coordinator.fake.failNext(Status.UNAUTHENTICATED.withDescription("no token"));
        assertThatThrownBy(() -> client.listStorageNodes())
                .satisfies(e -> assertThat(((CairnException) e).code())
                        .isEqualTo(ErrorCode.UNAUTHORIZED))
                .hasMessageEndingWith("no token");

        coordinator.fake.failNext(Status.PERMISSION_DENIED.withDescription("admins only"));
        assertThat(failureOf(client.listStorageNodesAsync()))
                .satisfies(e -> assertThat(((CairnException) e).code())
                        .isEqualTo(ErrorCode.FORBIDDEN));
    }

    @Test
    void otherGrpcFailuresAreCairnExceptionsNamingTheStatus() {
        coordinator.fake.failNext(Status.INTERNAL.withDescription("boom"));

        assertThatThrownBy(() -> client.read("acme", "k"))
                .isExactlyInstanceOf(CairnException.class)
                .hasMessage("call to CairnDB at fake:7070 failed: INTERNAL: boom");
    }
}
