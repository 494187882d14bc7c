package io.cairndb.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairndb.api.CoordinatorServiceGrpc;
import io.cairndb.api.ErrorCode;
import io.cairndb.api.RangeQueryRequest;
import io.cairndb.api.RangeQueryResponse;
import io.grpc.stub.StreamObserver;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

// Proves scan follows page tokens across pages, fetching each page only when it is needed.
class ScanTest {

    private InProcessCoordinator coordinator;
    private CairnClient client;

    @BeforeEach
    void start() {
        coordinator = new InProcessCoordinator();
        client = coordinator.client();
        client.createTenant("acme", 1);
        for (int i = 0; i < 7; i++) {
            client.write("acme", "k" + i, "v" + i);
        }
    }

    @AfterEach
    void stop() {
        client.close();
        coordinator.close();
    }

    @Test
    void scanReturnsEveryKeyInOrderAcrossPages() {
        List<KeyValue> items = client.scan("acme", null, null, 3, Consistency.ONE).toList();

        assertThat(items).extracting(KeyValue::key)
                .containsExactly("k0", "k1", "k2", "k3", "k4", "k5", "k6");
        assertThat(items).extracting(KeyValue::valueAsString)
                .containsExactly("v0", "v1", "v2", "v3", "v4", "v5", "v6");
        assertThat(coordinator.fake.rangeQueryCalls()).isEqualTo(3);
    }

    @Test
    void scanFetchesNothingUntilConsumedAndOnlyThePagesConsumed() {
        Stream<KeyValue> scan = client.scan("acme", "", "", 3, (String) null);
        assertThat(coordinator.fake.rangeQueryCalls()).isZero();

        assertThat(scan.limit(4).map(KeyValue::key)).containsExactly("k0", "k1", "k2", "k3");
        assertThat(coordinator.fake.rangeQueryCalls()).isEqualTo(2);
    }

    @Test
    void scanKeepsToTheRangeAcrossPages() {
        assertThat(client.scan("acme", "k2", "k6", 2, "one").map(KeyValue::key))
                .containsExactly("k2", "k3", "k4", "k5");
        assertThat(client.scan("acme", "k5", null).map(KeyValue::key))
                .containsExactly("k5", "k6");
    }

    @Test
    void scanOfAnEmptyRangeIsEmpty() {
        assertThat(client.scan("acme", "x", null)).isEmpty();
        client.createTenant("empty");
        assertThat(client.scan("empty")).isEmpty();
    }

    @Test
    void scanWithAnExactMultipleOfThePageSizeEndsCleanly() {
        assertThat(client.scan("acme", "k1", null, 3, "one").map(KeyValue::key))
                .containsExactly("k1", "k2", "k3", "k4", "k5", "k6");
    }

    @Test
    void pageThatFailsMidScanThrowsFromTheStream() {
        Iterator<KeyValue> scan = client.scan("acme", null, null, 3, "one").iterator();
        for (int i = 0; i < 3; i++) {
            scan.next();
        }
        coordinator.fake.refuseNext(ErrorCode.QUORUM_NOT_REACHED, "1 of 1 replicas is down");

        assertThatThrownBy(scan::hasNext).isInstanceOf(QuorumNotReachedException.class)
                .hasMessage("1 of 1 replicas is down");
    }

    @Test
    void scanOfAMissingTenantThrows() {
        assertThatThrownBy(() -> client.scan("nobody").toList())
                .isInstanceOf(TenantNotFoundException.class);
    }

    @Test
    void serverRepeatingAPageTokenEndsTheScanWithAnError() throws Exception {
        CoordinatorServiceGrpc.CoordinatorServiceImplBase stuck =
                new CoordinatorServiceGrpc.CoordinatorServiceImplBase() {
                    @Override
                    public void rangeQuery(RangeQueryRequest request,
                            StreamObserver<RangeQueryResponse> observer) {
                        observer.onNext(RangeQueryResponse.newBuilder().setSuccess(true)
                                .setNextPageToken("same").build());
                        observer.onCompleted();
                    }
                };
        try (InProcessCoordinator server = new InProcessCoordinator(stuck);
                CairnClient stuckClient = server.client()) {
            assertThatThrownBy(() -> stuckClient.scan("acme").toList())
                    .isInstanceOf(CairnException.class)
                    .hasMessageContaining("returned the same page token twice");
        }
    }

    @Test
    void scanOfManyPagesSeesEveryKey() {
        IntStream.range(0, 250).forEach(i -> client.write("acme", String.format("m%03d", i), "x"));

        assertThat(client.scan("acme", "m", "n", 7, "one").count()).isEqualTo(250);
        assertThat(client.scan("acme", "m", "n").count()).isEqualTo(250);
    }
}
