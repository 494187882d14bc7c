package io.cairndb.core;

import java.util.Collection;

/**
 * Keeps a write that begins after another write of the same key was acknowledged newer than it,
 * whatever the coordinators' clocks say.
 *
 * <p>A write's clock names only its own coordinator, so against a version from another coordinator
 * that it has not seen it is concurrent, and the higher hybrid-clock reading wins. When the earlier
 * write's coordinator runs ahead (20 ms of skew is enough), the earlier write would win and the
 * later one be lost. The replicas' answers show it: a replica whose stored version now carries a
 * reading at or above the write's own, from another coordinator, kept something the write did not
 * know about. The coordinator then writes the value again, stamped above every reading those
 * answers showed and with a clock that dominates all of theirs, before it acknowledges. A write
 * acknowledged at {@code quorum} or {@code all} reached a majority, and so did the next one, so
 * at least one replica shows the next coordinator the earlier write: one extra round suffices.
 * Writes that overlap in time are concurrent, and either may still win, as documented.
 */
public final class SequentialWrites {

    private SequentialWrites() {
    }

    /**
     * Whether {@code written} did not come out newest on a replica that answered with
     * {@code storedClock}, the clock of what it stores after applying the write: another
     * coordinator's entry reaches the write's own reading (a tie may go either way, so it
     * counts), or the write's own coordinator's entry is above it (an earlier write of the same
     * node, stamped before a restart by a clock that has since gone back).
     */
    public static boolean isOvertaken(Version written, VectorClock storedClock) {
        for (int i = 0; i < storedClock.size(); i++) {
            boolean own = storedClock.node(i).equals(written.coordinatorNodeId());
            if (own ? storedClock.counter(i) > written.hlc()
                    : storedClock.counter(i) >= written.hlc()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The reading to stamp {@code written} again with: {@code now}, a fresh reading of the
     * coordinator's clock, unless the write or a stored clock holds a reading at or above it (a
     * clock the coordinator would not adopt, being too far ahead), then just above that.
     */
    public static long restampReading(Version written, long now,
                                      Collection<VectorClock> storedClocks) {
        long stamp = Math.max(now, written.hlc() + 1);
        for (VectorClock clock : storedClocks) {
            if (clock.maxCounter() >= stamp) {
                stamp = clock.maxCounter() + 1;
            }
        }
        return stamp;
    }

    /**
     * {@code written} stamped again at {@code stamp}: the same value (or tombstone), a clock that
     * is the join of {@code written}'s and every one of {@code storedClocks} with the
     * coordinator's entry raised to {@code stamp}, so it dominates each of them.
     *
     * @throws IllegalArgumentException if {@code stamp} is not above every counter involved
     */
    public static Version restamped(Version written, Collection<VectorClock> storedClocks,
                                    long stamp) {
        VectorClock joined = written.clock();
        for (VectorClock clock : storedClocks) {
            joined = joined.merge(clock);
        }
        if (stamp <= joined.maxCounter()) {
            throw new IllegalArgumentException("stamp " + stamp + " is not above the clocks' "
                    + "greatest reading " + joined.maxCounter());
        }
        VectorClock clock = joined.merge(VectorClock.of(written.coordinatorNodeId(), stamp))
                .pruned(VersionResolver.CLOCK_ENTRIES_MAX);
        return new Version(written.value(), clock, stamp, written.coordinatorNodeId());
    }
}
