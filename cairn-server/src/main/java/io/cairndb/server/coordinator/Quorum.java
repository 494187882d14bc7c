package io.cairndb.server.coordinator;

import io.cairndb.core.CairnException;
import io.cairndb.core.Failures;
import io.cairndb.core.QuorumTracker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Waits, without blocking a thread, for {@code required} of several replica calls to succeed.
 * Completes with the answers received so far as soon as enough have arrived (a write at "one"
 * answers on the first acknowledgement). Once too many have failed it still waits for the calls
 * in flight (or the timeout), so that the {@link QuorumNotReachedException} reports how many
 * replicas really acknowledged.
 */
final class Quorum {

    /** One timer thread for every request's deadline; cancelled timers leave the queue at once. */
    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private Quorum() {
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "request-deadlines");
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    static <T> CompletableFuture<List<T>> await(List<CompletableFuture<T>> calls, int required,
                                                long timeoutMillis, String what) {
        CompletableFuture<List<T>> done = new CompletableFuture<>();
        QuorumTracker tracker = new QuorumTracker(required, calls.size());
        List<T> answers = new ArrayList<>(calls.size());
        List<String> failures = new ArrayList<>();
        for (CompletableFuture<T> call : calls) {
            call.whenComplete((answer, error) -> {
                synchronized (tracker) {
                    if (done.isDone()) {
                        return;
                    }
                    try {
                        QuorumTracker.Outcome outcome;
                        if (error == null) {
                            answers.add(answer);
                            outcome = tracker.acknowledge();
                        } else {
                            failures.add(describe(error));
                            outcome = tracker.fail();
                        }
                        if (outcome == QuorumTracker.Outcome.SUCCEEDED) {
                            // Answers may be null (a replica without the key): no List.copyOf.
                            done.complete(Collections.unmodifiableList(new ArrayList<>(answers)));
                        } else if (outcome == QuorumTracker.Outcome.FAILED && tracker.complete()) {
                            done.completeExceptionally(new QuorumNotReachedException(what
                                    + " reached " + tracker.acknowledged() + " of " + required
                                    + " required replicas: " + String.join("; ", failures),
                                    tracker.acknowledged()));
                        }
                    } catch (RuntimeException e) {
                        done.completeExceptionally(e);
                    }
                }
            });
        }
        schedule(() -> {
            synchronized (tracker) {
                if (!done.isDone()) {
                    done.completeExceptionally(new QuorumNotReachedException(what + " reached "
                            + tracker.acknowledged() + " of " + required
                            + " required replicas within " + timeoutMillis + " ms"
                            + (failures.isEmpty() ? "" : ": " + String.join("; ", failures)),
                            tracker.acknowledged()));
                }
            }
        }, timeoutMillis, done);
        return done;
    }

    /** Runs {@code task} after {@code delayMillis} unless {@code until} completes first. */
    static void schedule(Runnable task, long delayMillis, CompletableFuture<?> until) {
        if (until.isDone()) {
            // Already answered (every replica was this node's own): a timer set and cancelled
            // now would only wake the timer thread.
            return;
        }
        ScheduledFuture<?> timer = TIMER.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        until.whenComplete((result, error) -> timer.cancel(false));
    }

    static String describe(Throwable error) {
        Throwable cause = Failures.cause(error);
        return cause instanceof CairnException ? cause.getMessage()
                : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
