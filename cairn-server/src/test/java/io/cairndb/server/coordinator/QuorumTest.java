package io.cairndb.server.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

// Proves a quorum completes on enough answers, and otherwise fails at its deadline naming how
// many replicas acknowledged, and that a deadline whose request was answered never fires.
class QuorumTest {

    @Test
    void completesWithTheAnswersOnceEnoughHaveArrived() throws Exception {
        CompletableFuture<String> a = new CompletableFuture<>();
        CompletableFuture<String> b = new CompletableFuture<>();
        CompletableFuture<String> never = new CompletableFuture<>();
        CompletableFuture<List<String>> quorum = Quorum.await(List.of(a, b, never), 2, 60_000,
                "write");
        a.complete("a");
        assertThat(quorum).isNotDone();
        b.complete("b");
        assertThat(quorum.get(1, TimeUnit.SECONDS)).containsExactly("a", "b");
    }

    @Test
    void failsAtItsDeadlineNamingTheReplicasThatAcknowledged() {
        CompletableFuture<String> answered = CompletableFuture.completedFuture("a");
        long start = System.nanoTime();
        CompletableFuture<List<String>> quorum = Quorum.await(
                List.of(answered, new CompletableFuture<String>()), 2, 200, "write");

        assertThat(quorum).failsWithin(10, TimeUnit.SECONDS).withThrowableThat()
                .havingCause().isInstanceOfSatisfying(QuorumNotReachedException.class, e -> {
                    assertThat(e.acknowledged()).isEqualTo(1);
                    assertThat(e.getMessage())
                            .isEqualTo("write reached 1 of 2 required replicas within 200 ms");
                });
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                .as("not before its deadline").isGreaterThanOrEqualTo(200);
    }

    @Test
    void aDeadlineWhoseRequestWasAnsweredDoesNotRun() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        CompletableFuture<Void> answered = new CompletableFuture<>();
        Quorum.schedule(ran::incrementAndGet, 300, answered);
        answered.complete(null);
        // A later deadline on the same timer firing proves the first one's time has passed.
        CompletableFuture<Void> later = new CompletableFuture<>();
        Quorum.schedule(() -> later.complete(null), 600, new CompletableFuture<>());
        later.get(10, TimeUnit.SECONDS);
        assertThat(ran).hasValue(0);
    }
}
