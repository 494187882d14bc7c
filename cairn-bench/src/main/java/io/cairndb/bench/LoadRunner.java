package io.cairndb.bench;

import io.cairndb.bench.backend.Backend;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;

/**
 * Keeps a fixed number of operations in flight against a backend, using its async calls: each of
 * {@code concurrency} lanes issues one operation, and the completion of that operation issues the
 * lane's next one. No thread blocks per request, so 64 in flight costs 64 futures, not 64 threads.
 *
 * <p>This is a closed loop: a slow answer delays the lane's next request, so under saturation the
 * latencies understate what an open-loop (fixed arrival rate) client would see.
 */
final class LoadRunner {

    /** How long a phase may take to drain its in-flight operations after it stops issuing. */
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

    /** Chooses each operation of a phase from the sequence number of its issue. */
    @FunctionalInterface
    interface OpSource {
        /** Fills {@code op} for the operation issued {@code sequence}-th in the phase (from 0). */
        void next(long sequence, ThreadLocalRandom random, Op op);
    }

    /** One operation: what to do to which key. Reused by a lane's own thread only. */
    static final class Op {
        OpKind kind;
        long keyIndex;
    }

    private final Backend backend;
    private final KeySpace keySpace;
    private final PrintWriter progress;
    private final boolean showProgress;

    LoadRunner(Backend backend, KeySpace keySpace, PrintWriter progress, boolean showProgress) {
        this.backend = backend;
        this.keySpace = keySpace;
        this.progress = progress;
        this.showProgress = showProgress;
    }

    /** An op source that reads with probability {@code readShare}, picking keys by {@code keys}. */
    static OpSource mix(double readShare, KeyDistribution keys) {
        return (sequence, random, op) -> {
            op.kind = readShare >= 1.0 || (readShare > 0 && random.nextDouble() < readShare)
                    ? OpKind.READ : OpKind.WRITE;
            op.keyIndex = keys.next(random);
        };
    }

    /** An op source that writes every key once, in index order. */
    static OpSource preload() {
        return (sequence, random, op) -> {
            op.kind = OpKind.WRITE;
            op.keyIndex = sequence;
        };
    }

    /** An op source that writes the listed keys once each, in the order given. */
    static OpSource rewrite(long[] keyIndexes) {
        return (sequence, random, op) -> {
            op.kind = OpKind.WRITE;
            op.keyIndex = keyIndexes[(int) sequence];
        };
    }

    /**
     * Writes every key once with {@code concurrency} in flight, then writes again the keys whose
     * write failed, up to {@code rounds} more times, so that reads find every key.
     *
     * @return the phases run, the first one writing every key
     */
    List<Phase> preload(int concurrency, int rounds) throws InterruptedException {
        List<Phase> phases = new ArrayList<>();
        Phase phase = run("preload", preload(), concurrency, null, keySpace.keys(), true);
        phases.add(phase);
        for (int round = 1; round <= rounds && phase.failedKeys().length > 0; round++) {
            long[] failed = phase.failedKeys();
            progress.println("cairn bench: preload: " + failed.length + " writes failed "
                    + phase.errors() + "; writing those keys again");
            phase = run("preload retry " + round, rewrite(failed), concurrency, null,
                    failed.length, true);
            phases.add(phase);
        }
        return phases;
    }

    /**
     * Runs one phase to its end: {@code duration} has passed (if not null) or {@code opsMax}
     * operations were issued, and every issued operation has completed (or {@link #DRAIN_TIMEOUT}
     * ran out). Prints a progress line to the progress stream each second.
     */
    Phase run(String name, OpSource source, int concurrency, Duration duration, long opsMax)
            throws InterruptedException {
        return run(name, source, concurrency, duration, opsMax, false);
    }

    private Phase run(String name, OpSource source, int concurrency, Duration duration,
            long opsMax, boolean keepFailedKeys) throws InterruptedException {
        int lanes = (int) Math.min(concurrency, opsMax);
        Phase phase = new Phase(name, opsMax, Math.max(lanes, 0), keepFailedKeys);
        long start = System.nanoTime();
        phase.markStart(start);
        long deadline = duration == null ? Long.MAX_VALUE : start + duration.toNanos();
        for (int i = 0; i < lanes; i++) {
            lane(phase, source);
        }
        long tick = start;
        long lastCompleted = 0;
        while (true) {
            long now = System.nanoTime();
            long wakeAt = Math.min(deadline, tick + TimeUnit.SECONDS.toNanos(1));
            if (phase.lanesDone.await(Math.max(0, wakeAt - now), TimeUnit.NANOSECONDS)) {
                break;
            }
            now = System.nanoTime();
            if (now - tick >= TimeUnit.SECONDS.toNanos(1)) {
                Histogram interval = phase.drainInterval();
                long completed = phase.completed();
                if (showProgress) {
                    progress.println(progressLine(phase, interval, completed - lastCompleted,
                            now - tick, now));
                }
                lastCompleted = completed;
                tick = now;
            }
            if (now >= deadline) {
                phase.stopping = true;
                if (!phase.lanesDone.await(DRAIN_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)) {
                    progress.println("cairn bench: " + phase.lanesDone.getCount()
                            + " lanes still have an operation in flight "
                            + DRAIN_TIMEOUT.toSeconds() + " s after the " + name
                            + " phase ended; not waiting for them");
                }
                break;
            }
        }
        phase.markEnd(System.nanoTime());
        phase.drainInterval();
        return phase;
    }

    private String progressLine(Phase phase, Histogram interval, long completedInInterval,
            long intervalNanos, long now) {
        double seconds = phase.elapsedNanos(now) / 1e9;
        double rate = completedInInterval / (intervalNanos / 1e9);
        StringBuilder line = new StringBuilder();
        line.append(String.format(Locale.ROOT, "[%5.0fs] %-8s %,10.0f ops/s", seconds,
                phase.name, rate));
        if (interval.getTotalCount() > 0) {
            line.append(String.format(Locale.ROOT, "  p50 %7.3f ms  p99 %7.3f ms  max %7.3f ms",
                    interval.getValueAtPercentile(50) / 1000.0,
                    interval.getValueAtPercentile(99) / 1000.0,
                    interval.getMaxValue() / 1000.0));
        }
        line.append(String.format(Locale.ROOT, "  ops %,d  errors %,d", phase.completed(),
                phase.errorCount()));
        if (phase.opsMax != Long.MAX_VALUE) {
            line.append(String.format(Locale.ROOT, " of %,d", phase.opsMax));
        }
        return line.toString();
    }

    /**
     * Issues a lane's operations until the phase stops. An operation that completes while it is
     * being issued (on this thread, or on another before this one finished) is followed by a loop
     * turn here rather than by a nested call, so a run of fast completions cannot grow the stack.
     */
    private void lane(Phase phase, OpSource source) {
        Op op = new Op();
        while (true) {
            long sequence = phase.issued.getAndIncrement();
            if (phase.stopping || sequence >= phase.opsMax) {
                phase.lanesDone.countDown();
                return;
            }
            source.next(sequence, ThreadLocalRandom.current(), op);
            OpKind kind = op.kind;
            long keyIndex = op.keyIndex;
            String key = keySpace.key(keyIndex);
            long start = System.nanoTime();
            CompletableFuture<?> call;
            try {
                call = kind == OpKind.READ ? backend.read(key)
                        : backend.write(key, keySpace.value(sequence));
            } catch (RuntimeException e) {
                call = CompletableFuture.failedFuture(e);
            }
            // 0: neither side done; 1: this thread has returned, the callback continues the lane;
            // 2: the callback ran first, this thread continues the lane.
            AtomicInteger handOff = new AtomicInteger();
            call.whenComplete((result, failure) -> {
                long latency = System.nanoTime() - start;
                if (failure == null) {
                    phase.recordSuccess(kind, latency);
                } else {
                    phase.recordFailure(backend.errorCode(failure), keyIndex);
                }
                if (!handOff.compareAndSet(0, 2)) {
                    lane(phase, source);
                }
            });
            if (handOff.compareAndSet(0, 1)) {
                return;
            }
        }
    }
}
