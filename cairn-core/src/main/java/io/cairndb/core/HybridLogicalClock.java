package io.cairndb.core;

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

    /** A clock that has seen nothing yet. */
    public HybridLogicalClock() {
        this(0L);
    }

    /** A clock that never goes below {@code floor}, for example a reading persisted before a restart. */
    public HybridLogicalClock(long floor) {
        this.last = floor;
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

    /** Shows the clock a reading from elsewhere; later readings will be greater than it. */
    public synchronized void observe(long reading) {
        if (reading > last) {
            last = reading;
        }
    }

    /** The greatest reading given or observed so far. */
    public synchronized long last() {
        return last;
    }
}
