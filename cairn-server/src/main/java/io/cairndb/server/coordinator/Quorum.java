package io.cairndb.server.coordinator;

import io.cairndb.core.CairnException;
import io.cairndb.core.Failures;
import io.cairndb.core.QuorumTracker;
import io.grpc.netty.shaded.io.netty.util.HashedWheelTimer;
import io.grpc.netty.shaded.io.netty.util.Timeout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Waits, without blocking a thread, for {@code required} of several replica calls to succeed.
 * Completes with the answers received so far as soon as enough have arrived (a write at "one"
 * answers on the first acknowledgement). Once too many have failed it still waits for the calls
 * in flight (or the timeout), so that the {@link QuorumNotReachedException} reports how many
 * replicas really acknowledged.
 */
final class Quorum {

    /**
     * How late a deadline may fire. Requests' deadlines are seconds long, and nearly every
     * request is answered long before its own, so one thread checks them every tick rather than
     * being woken for each: a scheduled executor's queue took a lock twice per request and woke
     * its thread whenever a deadline went to the head of an empty queue, 7% of a node's CPU.
     */
    private static final long TICK_MILLIS = 10;

    /** One timer thread for every request's deadline; setting and cancelling take no lock. */
    private static final HashedWheelTimer TIMER = new HashedWheelTimer(runnable -> {
        Thread thread = new Thread(runnable, "request-deadlines");
        thread.setDaemon(true);
        return thread;
    }, TICK_MILLIS, TimeUnit.MILLISECONDS);

    private Quorum() {
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

    /**
     * Runs {@code task} after {@code delayMillis} (up to {@link #TICK_MILLIS} later) unless
     * {@code until} completes first.
     */
    static void schedule(Runnable task, long delayMillis, CompletableFuture<?> until) {
        if (until.isDone()) {
            // Already answered (every replica was this node's own): a timer set and cancelled
            // now would only wake the timer thread.
            return;
        }
        Timeout timer = TIMER.newTimeout(ignored -> task.run(), delayMillis, TimeUnit.MILLISECONDS);
        until.whenComplete((result, error) -> timer.cancel());
    }

    static String describe(Throwable error) {
        Throwable cause = Failures.cause(error);
        return cause instanceof CairnException ? cause.getMessage()
                : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
