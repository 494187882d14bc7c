package io.cairndb.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * This node's clock against its peers' clocks, as heartbeats measure them, and whether it is too
 * far off to coordinate writes.
 *
 * <p>A heartbeat's answer carries the peer's wall clock. Read halfway through the round trip, as
 * NTP does, it gives the peer's offset from this node's clock, give or take half the round trip.
 * A node that finds more than {@code maxOffsetMillis} between its clock and the clocks of a
 * majority of the cluster's nodes is the one that is off (the others agree with each other), and
 * stops coordinating writes until its clock is back: its stamps would otherwise decide which of
 * two writes wins. With two nodes, or with a majority unmeasured, nobody can tell who is off, and
 * nobody stops.
 */
public final class ClockOffsets {

    private ClockOffsets() {
    }

    /**
     * One measurement of a peer's clock.
     *
     * @param offsetMillis the peer's clock minus this node's
     * @param uncertaintyMillis half the round trip: the true offset is within this of the figure
     * @param measuredAtMillis this node's wall clock when the answer arrived
     */
    public record Sample(long offsetMillis, long uncertaintyMillis, long measuredAtMillis) {

        /**
         * The sample from a heartbeat sent at {@code sentAtMillis} (this node's clock) whose
         * answer, carrying the peer's clock {@code peerWallMillis}, came back
         * {@code roundTripMillis} later (measured on a monotonic clock).
         */
        public static Sample measure(long sentAtMillis, long roundTripMillis, long peerWallMillis) {
            long roundTrip = Math.max(0, roundTripMillis);
            return new Sample(peerWallMillis - (sentAtMillis + roundTrip / 2), (roundTrip + 1) / 2,
                    sentAtMillis + roundTrip);
        }

        /** Whether the peer's clock is surely more than {@code maxOffsetMillis} from this one. */
        public boolean beyond(long maxOffsetMillis) {
            return Math.abs(offsetMillis) - uncertaintyMillis > maxOffsetMillis;
        }
    }

    /**
     * Whether this node may coordinate writes.
     *
     * @param reason why not, naming the offset; null when it may
     */
    public record Verdict(boolean coordinateWrites, String reason) {

        static final Verdict IN_BOUNDS = new Verdict(true, null);
    }

    /**
     * Judges this node's clock from {@code samples} (peer id to its latest sample) in a cluster of
     * {@code clusterSize} nodes. Samples older than {@code freshMillis} at {@code nowMillis} are
     * left out (the peer may be down).
     */
    public static Verdict judge(String selfNodeId, Map<String, Sample> samples, int clusterSize,
                                long maxOffsetMillis, long nowMillis, long freshMillis) {
        List<Long> beyond = new ArrayList<>();
        int fresh = 0;
        for (Sample sample : samples.values()) {
            if (nowMillis - sample.measuredAtMillis() > freshMillis) {
                continue;
            }
            fresh++;
            if (sample.beyond(maxOffsetMillis)) {
                beyond.add(sample.offsetMillis());
            }
        }
        if (beyond.size() * 2 <= clusterSize) {
            return Verdict.IN_BOUNDS;
        }
        beyond.sort(Long::compare);
        // This node's own offset is the opposite of its peers' offsets from it.
        long own = -beyond.get(beyond.size() / 2);
        return new Verdict(false, "node " + selfNodeId + "'s clock is " + Math.abs(own) + " ms "
                + (own > 0 ? "ahead of" : "behind") + " " + beyond.size() + " of its " + fresh
                + " measured peers, beyond clock.maxOffsetMillis (" + maxOffsetMillis + " ms); "
                + "it coordinates no writes until its clock is back within bounds (send writes "
                + "to another node)");
    }
}
