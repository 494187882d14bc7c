package io.cairndb.core;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The phi-accrual failure detector (Hayashibara et al.), as Cassandra and Akka use it. For each
 * node it keeps a window of heartbeat inter-arrival times and computes phi, the suspicion that the
 * node is down: {@code -log10} of the probability that a heartbeat is still to come this late,
 * under a normal distribution fitted to the window. A node is believed down when phi exceeds the
 * threshold, so the verdict adapts to how regular each node's heartbeats have been.
 *
 * <p>Time comes in as an argument. Thread-safe.
 */
public final class PhiAccrualFailureDetector {

    private final double threshold;
    private final int windowSize;
    private final long minStdDevMillis;
    private final long acceptablePauseMillis;
    private final long firstIntervalMillis;
    private final Map<String, History> histories = new HashMap<>();

    /**
     * @param threshold phi above which a node is believed down (8 is a common choice)
     * @param windowSize inter-arrival times remembered per node
     * @param minStdDevMillis floor on the deviation, so very regular heartbeats do not make the
     *     detector jumpy
     * @param acceptablePauseMillis extra delay tolerated before suspicion grows (GC pauses)
     * @param firstIntervalMillis the expected interval before any has been measured
     */
    public PhiAccrualFailureDetector(double threshold, int windowSize, long minStdDevMillis,
                                     long acceptablePauseMillis, long firstIntervalMillis) {
        if (threshold <= 0 || windowSize < 2 || minStdDevMillis <= 0 || firstIntervalMillis <= 0
                || acceptablePauseMillis < 0) {
            throw new IllegalArgumentException("invalid failure detector settings");
        }
        this.threshold = threshold;
        this.windowSize = windowSize;
        this.minStdDevMillis = minStdDevMillis;
        this.acceptablePauseMillis = acceptablePauseMillis;
        this.firstIntervalMillis = firstIntervalMillis;
    }

    /**
     * The settings a node runs with for heartbeats every {@code intervalMillis}: threshold 8,
     * the last 100 intervals, a deviation of at least half an interval (and 100 ms), and a
     * pause of two intervals tolerated.
     */
    public static PhiAccrualFailureDetector forInterval(long intervalMillis) {
        return new PhiAccrualFailureDetector(8.0, 100, Math.max(100, intervalMillis / 2),
                2 * intervalMillis, intervalMillis);
    }

    private static final class History {
        final ArrayDeque<Long> intervals = new ArrayDeque<>();
        long last = -1;
        double sum;
        double sumOfSquares;
    }

    /** Records a heartbeat from {@code node} received at {@code nowMillis}. */
    public synchronized void heartbeat(String node, long nowMillis) {
        History history = histories.computeIfAbsent(node, n -> new History());
        if (history.last >= 0) {
            long interval = Math.max(0, nowMillis - history.last);
            history.intervals.addLast(interval);
            history.sum += interval;
            history.sumOfSquares += (double) interval * interval;
            if (history.intervals.size() > windowSize) {
                long dropped = history.intervals.removeFirst();
                history.sum -= dropped;
                history.sumOfSquares -= (double) dropped * dropped;
            }
        } else {
            // Seed the window so that the first verdicts are neither hasty nor blind.
            history.intervals.addLast(firstIntervalMillis);
            history.sum += firstIntervalMillis;
            history.sumOfSquares += (double) firstIntervalMillis * firstIntervalMillis;
        }
        history.last = nowMillis;
    }

    /** The suspicion level of {@code node} at {@code nowMillis}; 0 for a node never heard from. */
    public synchronized double phi(String node, long nowMillis) {
        History history = histories.get(node);
        if (history == null || history.last < 0) {
            return 0.0;
        }
        int n = history.intervals.size();
        double mean = history.sum / n + acceptablePauseMillis;
        double variance = Math.max(0, history.sumOfSquares / n
                - (history.sum / n) * (history.sum / n));
        double stdDev = Math.max(Math.sqrt(variance), minStdDevMillis);
        double elapsed = nowMillis - history.last;
        // Logistic approximation of the normal tail (as Akka's detector uses).
        double y = (elapsed - mean) / stdDev;
        double e = Math.exp(-y * (1.5976 + 0.070566 * y * y));
        if (elapsed > mean) {
            return -Math.log10(e / (1.0 + e));
        }
        return -Math.log10(1.0 - 1.0 / (1.0 + e));
    }

    /**
     * Whether {@code node} is believed up at {@code nowMillis}. A node never heard from counts as
     * up, so that a fresh node is tried rather than written off.
     */
    public boolean isAvailable(String node, long nowMillis) {
        return phi(node, nowMillis) < threshold;
    }

    /** Forgets a node (it left the cluster). */
    public synchronized void remove(String node) {
        histories.remove(node);
    }
}
