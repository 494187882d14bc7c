package io.cairndb.bench;

import java.util.EnumMap;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One stretch of a run (preload, warm-up or measurement) and everything it observed. Operations
 * belong to the phase in which they were issued. Completions record into lock-free {@link
 * Recorder}s from any thread; only the controlling thread drains them (each second for the progress
 * line, and once at the end), adding every interval into the phase's totals.
 *
 * <p>Latencies are recorded in microseconds, from the moment the operation was issued to the moment
 * its future completed, and only for successful operations; failures are counted by error code.
 */
final class Phase {

    /** The greatest latency a histogram tracks: one hour, in microseconds; larger ones clamp. */
    static final long LATENCY_MICROS_MAX = TimeUnit.HOURS.toMicros(1);
    static final int SIGNIFICANT_DIGITS = 3;

    final String name;
    /** Operations to issue at most; {@link Long#MAX_VALUE} when the phase ends by time. */
    final long opsMax;
    final AtomicLong issued = new AtomicLong();
    final CountDownLatch lanesDone;
    volatile boolean stopping;

    private final Map<OpKind, Recorder> recorders = new EnumMap<>(OpKind.class);
    private final Map<OpKind, Histogram> totals = new EnumMap<>(OpKind.class);
    private final Map<OpKind, Histogram> intervals = new EnumMap<>(OpKind.class);
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final LongAdder errorCount = new LongAdder();
    private final LongAdder completed = new LongAdder();
    /** Key indexes whose operation failed, kept only when asked for (preloads retry them). */
    private final Queue<Long> failedKeys;
    private long startNanos;
    private long endNanos;

    Phase(String name, long opsMax, int lanes) {
        this(name, opsMax, lanes, false);
    }

    Phase(String name, long opsMax, int lanes, boolean keepFailedKeys) {
        this.failedKeys = keepFailedKeys ? new ConcurrentLinkedQueue<>() : null;
        this.name = name;
        this.opsMax = opsMax;
        this.lanesDone = new CountDownLatch(lanes);
        for (OpKind kind : OpKind.values()) {
            recorders.put(kind, new Recorder(LATENCY_MICROS_MAX, SIGNIFICANT_DIGITS));
            totals.put(kind, new Histogram(LATENCY_MICROS_MAX, SIGNIFICANT_DIGITS));
        }
    }

    void markStart(long nanos) {
        startNanos = nanos;
    }

    void markEnd(long nanos) {
        endNanos = nanos;
    }

    long startNanos() {
        return startNanos;
    }

    /** Nanoseconds from the start to the last completion (or to now, while running). */
    long elapsedNanos(long nowNanos) {
        return (endNanos != 0 ? endNanos : nowNanos) - startNanos;
    }

    void recordSuccess(OpKind kind, long latencyNanos) {
        long micros = Math.max(0, (latencyNanos + 500) / 1000);
        recorders.get(kind).recordValue(Math.min(micros, LATENCY_MICROS_MAX));
        completed.increment();
    }

    void recordFailure(String code, long keyIndex) {
        if (failedKeys != null) {
            failedKeys.add(keyIndex);
        }
        errors.computeIfAbsent(code, c -> new LongAdder()).increment();
        errorCount.increment();
        completed.increment();
    }

    /** The key indexes whose operation failed, sorted; empty unless the phase kept them. */
    long[] failedKeys() {
        return failedKeys == null ? new long[0]
                : failedKeys.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    /** Operations finished so far, successful or not. */
    long completed() {
        return completed.sum();
    }

    long errorCount() {
        return errorCount.sum();
    }

    /** Failures by error code, sorted by code. */
    Map<String, Long> errors() {
        Map<String, Long> sorted = new TreeMap<>();
        errors.forEach((code, count) -> sorted.put(code, count.sum()));
        return sorted;
    }

    /**
     * Moves what the recorders saw since the last drain into the totals and returns it, all kinds
     * together. Only the controlling thread calls this.
     */
    Histogram drainInterval() {
        Histogram interval = new Histogram(LATENCY_MICROS_MAX, SIGNIFICANT_DIGITS);
        for (OpKind kind : OpKind.values()) {
            Histogram recycled = intervals.get(kind);
            Histogram latest = recorders.get(kind).getIntervalHistogram(recycled);
            intervals.put(kind, latest);
            totals.get(kind).add(latest);
            interval.add(latest);
        }
        return interval;
    }

    /** The phase's latencies of one kind; complete once the phase has been drained at its end. */
    Histogram total(OpKind kind) {
        return totals.get(kind);
    }

    /** The phase's latencies of every kind together. */
    Histogram totalAll() {
        Histogram all = new Histogram(LATENCY_MICROS_MAX, SIGNIFICANT_DIGITS);
        for (Histogram histogram : totals.values()) {
            all.add(histogram);
        }
        return all;
    }
}
