package io.cairndb.core;

import java.util.Arrays;

/**
 * Decides which of two versions of a key survives.
 *
 * <p>If one clock dominates, its version wins. If the clocks are equal or concurrent, the write
 * with the higher {@code (hlc, coordinatorNodeId)} wins (last writer wins, so one of two truly
 * concurrent writes is lost) and the survivor's clock becomes the pointwise maximum of both, pruned
 * to {@code clockEntriesMax}.
 *
 * <p>Because a write's clock entry is its own hybrid-clock reading and hybrid clocks catch up with
 * every clock they see, a dominating clock always carries the higher {@code (hlc, node)}; the rule
 * therefore equals "keep the greatest write, join the clocks", which is commutative, associative
 * and idempotent. Replicas converge whatever order versions reach them in.
 */
public final class VersionResolver {

    /** Default bound on a clock's entries. */
    public static final int CLOCK_ENTRIES_MAX = 16;

    /** The resolver every node uses, keeping {@link #CLOCK_ENTRIES_MAX} clock entries. */
    public static final VersionResolver DEFAULT = new VersionResolver();

    private final int clockEntriesMax;

    public VersionResolver() {
        this(CLOCK_ENTRIES_MAX);
    }

    public VersionResolver(int clockEntriesMax) {
        if (clockEntriesMax < 1) {
            throw new IllegalArgumentException("clockEntriesMax must be >= 1, was "
                    + clockEntriesMax);
        }
        this.clockEntriesMax = clockEntriesMax;
    }

    /** The surviving version; either argument may be null (absent), not both. */
    public Version resolve(Version a, Version b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        switch (a.clock().compare(b.clock())) {
            case AFTER:
                return a;
            case BEFORE:
                return b;
            default:
                Version winner = compareWrites(a, b) >= 0 ? a : b;
                VectorClock joined = a.clock().merge(b.clock()).pruned(clockEntriesMax);
                return winner.clock().equals(joined) ? winner : winner.withClock(joined);
        }
    }

    /** Orders two writes by (hlc, node id), then by content so that the order is total. */
    static int compareWrites(Version a, Version b) {
        int byHlc = Long.compare(a.hlc(), b.hlc());
        if (byHlc != 0) {
            return byHlc;
        }
        int byNode = a.coordinatorNodeId().compareTo(b.coordinatorNodeId());
        if (byNode != 0) {
            return byNode;
        }
        if (a.value() == null || b.value() == null) {
            // A tombstone sorts below any value written at the same instant.
            return a.value() == null ? (b.value() == null ? 0 : -1) : 1;
        }
        return Arrays.compareUnsigned(a.value(), b.value());
    }
}
