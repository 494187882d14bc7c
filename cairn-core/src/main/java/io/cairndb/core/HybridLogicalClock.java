package io.cairndb.core;

import java.util.function.LongSupplier;

/**
 * A hybrid logical clock: readings are wall-clock milliseconds in the high 48 bits and a logical
 * counter in the low 16, packed into one long. Readings are strictly increasing, stay close to
 * physical time, and catch up with every reading the clock is shown ({@link #observe}), so an event
 * that causally follows another always gets a higher reading, whatever the machines' clocks say.
 *
 * <p>The wall clock comes in as an argument; this class never reads one. Thread-safe.
 */
public final class HybridLogicalClock {

    static final int LOGICAL_BITS = 16;
    private static final long LOGICAL_MASK = (1L << LOGICAL_BITS) - 1;

    private long last;
    /** This node's wall clock, for the bound on readings it adopts; null: no bound. */
    private final LongSupplier wallMillis;
    private final long maxAheadMillis;
    private long refused;

    /** A clock that has seen nothing yet. */
    public HybridLogicalClock() {
        this(0L);
    }

    /** A clock that never goes below {@code floor}, for example a reading persisted before a restart. */
    public HybridLogicalClock(long floor) {
        this(floor, null, 0);
    }

    /**
     * A clock that never goes below {@code floor} and adopts no reading more than
     * {@code maxAheadMillis} ahead of {@code wallMillis} (CockroachDB's rule: a node whose clock
     * runs far ahead must not drag every clock it talks to into the future).
     */
    public HybridLogicalClock(long floor, LongSupplier wallMillis, long maxAheadMillis) {
        if (wallMillis != null && maxAheadMillis < 0) {
            throw new IllegalArgumentException("maxAheadMillis is " + maxAheadMillis);
        }
        this.last = floor;
        this.wallMillis = wallMillis;
        this.maxAheadMillis = maxAheadMillis;
    }

    /** Packs a wall-clock reading (milliseconds) and a logical counter into a reading. */
    public static long pack(long wallMillis, int logical) {
        return (wallMillis << LOGICAL_BITS) | (logical & LOGICAL_MASK);
    }

    /** The wall-clock milliseconds of a reading. */
    public static long wallMillis(long reading) {
        return reading >>> LOGICAL_BITS;
    }

    /** The logical counter of a reading. */
    public static int logical(long reading) {
        return (int) (reading & LOGICAL_MASK);
    }

    /** A new reading, greater than every reading this clock has given or observed. */
    public synchronized long now(long wallMillis) {
        long physical = pack(wallMillis, 0);
        last = physical > last ? physical : last + 1;
        return last;
    }

    /**
     * Shows the clock a reading from elsewhere; later readings will be greater than it. A clock
     * built with a bound ignores a reading further ahead of its wall clock than the bound, and
     * counts it ({@link #refusedCount()}).
     */
    public synchronized void observe(long reading) {
        if (reading <= last) {
            return;
        }
        if (wallMillis != null && wallMillis(reading) > wallMillis.getAsLong() + maxAheadMillis) {
            refused++;
            return;
        }
        last = reading;
    }

    /** How many readings this clock refused to adopt for being too far ahead. */
    public synchronized long refusedCount() {
        return refused;
    }

    /** The greatest reading given or observed so far. */
    public synchronized long last() {
        return last;
    }
}
