package io.cairndb.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

// Proves a silent server times out and an unreachable one fails fast, both as typed exceptions.
class CairnClientTransportTest {

    private static final Duration SHORT = Duration.ofMillis(200);

    private static Throwable failureOf(CompletableFuture<?> future) throws InterruptedException {
        try {
            future.get();
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("the future did not fail");
    }

    /** A port nothing listens on: bound once by the OS, then released. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void serverThatNeverAnswersTimesOutAtTheDeadline() throws Exception {
        try (InProcessCoordinator coordinator = new InProcessCoordinator();
                CairnClient client = coordinator.client(SHORT)) {
            coordinator.fake.silent();

            long startNanos = System.nanoTime();
            assertThatThrownBy(() -> client.read("acme", "k"))
                    .isExactlyInstanceOf(CairnTimeoutException.class)
                    .hasMessage("CairnDB at fake:7070 did not answer within 200ms"
                            + " (deadline exceeded)");
            assertThat(Duration.ofNanos(System.nanoTime() - startNanos))
                    .isGreaterThanOrEqualTo(SHORT).isLessThan(Duration.ofSeconds(5));

            assertThat(failureOf(client.listStorageNodesAsync()))
                    .isExactlyInstanceOf(CairnTimeoutException.class);
        }
    }

    @Test
    void unreachableServerIsCairnUnavailableWithAOneLineReason() throws Exception {
        String target = "127.0.0.1:" + closedPort();
        try (CairnClient client = CairnClient.connect(target)) {
            assertThatThrownBy(() -> client.getTenant("acme"))
                    .isExactlyInstanceOf(CairnUnavailableException.class)
                    .hasMessage("cannot reach CairnDB at " + target + ": Connection refused");

            assertThat(failureOf(client.writeAsync("acme", "k", "v")))
                    .isExactlyInstanceOf(CairnUnavailableException.class)
                    .hasMessageStartingWith("cannot reach CairnDB at " + target + ": ");
        }
    }

    @Test
    void closeLeavesASuppliedChannelOpen() throws Exception {
        try (InProcessCoordinator coordinator = new InProcessCoordinator()) {
            coordinator.client().close();

            assertThat(coordinator.channel.isShutdown()).isFalse();
            try (CairnClient client = coordinator.client()) {
                assertThat(client.listStorageNodes()).hasSize(3);
            }
        }
    }

    @Test
    void closedClientRefusesCallsAsUnavailable() throws Exception {
        CairnClient client = CairnClient.connect("127.0.0.1:" + closedPort());
        client.close();

        assertThatThrownBy(() -> client.listStorageNodes())
                .isExactlyInstanceOf(CairnUnavailableException.class);
    }

    @Test
    void builderNeedsATargetOrAChannelAndAPositiveDeadline() {
        assertThatThrownBy(() -> CairnClient.builder().build())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> CairnClient.builder().deadline(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
