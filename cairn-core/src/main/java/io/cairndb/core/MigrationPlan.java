package io.cairndb.core;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which data must move when the ring or a replication factor changes: for every token range whose
 * replica set is not the same before and after, the replicas before, the replicas after, and so the
 * nodes that must receive the range (targets) and the nodes that may drop it once the range has
 * flipped (leaving). Ranges whose replica set does not change are not in the plan, so adding one
 * node to N moves about 1/(N+1) of the data.
 *
 * <p>Pure and deterministic: the same rings and factors give the same plan, in token order.
 */
public final class MigrationPlan {

    /**
     * The tokens {@code (fromExclusive, toInclusive]} in the ring's (signed) order; the range wraps
     * past {@link Long#MAX_VALUE} when {@code fromExclusive >= toInclusive}, and is the whole
     * circle when they are equal.
     */
    public record TokenRange(long fromExclusive, long toInclusive) {

        public boolean contains(long token) {
            if (fromExclusive < toInclusive) {
                return token > fromExclusive && token <= toInclusive;
            }
            return token > fromExclusive || token <= toInclusive;
        }

        /**
         * The range as inclusive token segments in data order (signed token order):
         * {@code (from, to]} is one segment; a range that wraps is {@code (from, MAX]} then
         * {@code [MIN, to]}.
         */
        public List<long[]> segments() {
            if (fromExclusive < toInclusive) {
                return List.of(new long[] {fromExclusive + 1, toInclusive});
            }
            List<long[]> segments = new ArrayList<>(2);
            if (fromExclusive != Long.MAX_VALUE) {
                segments.add(new long[] {fromExclusive + 1, Long.MAX_VALUE});
            }
            segments.add(new long[] {Long.MIN_VALUE, toInclusive});
            return segments;
        }

        /** The index of the segment ({@link #segments}) that holds {@code token}, or -1. */
        public int segmentHolding(long token) {
            List<long[]> segments = segments();
            for (int i = 0; i < segments.size(); i++) {
                if (token >= segments.get(i)[0] && token <= segments.get(i)[1]) {
                    return i;
                }
            }
            return -1;
        }

        /** The share of the token circle this range covers, from 0 (exclusive) to 1. */
        public double share() {
            if (fromExclusive == toInclusive) {
                return 1.0;
            }
            return Ring.unsignedToDouble(toInclusive - fromExclusive) / Ring.CIRCLE;
        }
    }

    /** One range whose replica set changes. */
    public record Transfer(TokenRange range, List<String> before, List<String> after) {

        public Transfer {
            before = List.copyOf(before);
            after = List.copyOf(after);
        }

        /** Nodes that must receive the range: replicas after that were not before, in order. */
        public List<String> targets() {
            List<String> targets = new ArrayList<>(after);
            targets.removeAll(before);
            return targets;
        }

        /** Nodes that hold the range now and no longer will once it flips. */
        public List<String> leaving() {
            List<String> leaving = new ArrayList<>(before);
            leaving.removeAll(after);
            return leaving;
        }
    }

    private final List<Transfer> transfers;

    private MigrationPlan(List<Transfer> transfers) {
        this.transfers = List.copyOf(transfers);
    }

    /** The transfers, in token order of their ranges' ends. */
    public List<Transfer> transfers() {
        return transfers;
    }

    public boolean isEmpty() {
        return transfers.isEmpty();
    }

    /**
     * Copies of ranges to send, as a share of all copies the new placement holds: 1/(N+1) or so
     * for a node added to N at any replication factor.
     */
    public double movedShare(int replicationFactorAfter, int nodesAfter) {
        double moved = 0;
        for (Transfer transfer : transfers) {
            moved += transfer.range().share() * transfer.targets().size();
        }
        return moved / Math.min(replicationFactorAfter, nodesAfter);
    }

    /**
     * The plan from {@code before} at {@code replicationFactorBefore} to {@code after} at
     * {@code replicationFactorAfter}. Either ring may be empty.
     */
    public static MigrationPlan between(Ring before, int replicationFactorBefore, Ring after,
                                        int replicationFactorAfter) {
        TreeSet<Long> boundaries = new TreeSet<>();
        for (long token : before.tokens()) {
            boundaries.add(token);
        }
        for (long token : after.tokens()) {
            boundaries.add(token);
        }
        List<Transfer> transfers = new ArrayList<>();
        if (boundaries.isEmpty()) {
            return new MigrationPlan(transfers);
        }
        // Every range between two consecutive boundaries has one replica set in each ring. Those
        // whose sets differ are planned; neighbours with the same change are merged.
        long previous = boundaries.last();
        for (long boundary : boundaries) {
            List<String> from = replicas(before, boundary, replicationFactorBefore);
            List<String> to = replicas(after, boundary, replicationFactorAfter);
            if (!Set.copyOf(from).equals(Set.copyOf(to))) {
                Transfer last = transfers.isEmpty() ? null : transfers.get(transfers.size() - 1);
                if (last != null && last.range().toInclusive() == previous
                        && last.before().equals(from) && last.after().equals(to)) {
                    transfers.set(transfers.size() - 1, new Transfer(new TokenRange(
                            last.range().fromExclusive(), boundary), from, to));
                } else {
                    transfers.add(new Transfer(new TokenRange(previous, boundary), from, to));
                }
            }
            previous = boundary;
        }
        // The first range wraps from the last boundary; merge it with the last if they match.
        if (transfers.size() > 1) {
            Transfer first = transfers.get(0);
            Transfer last = transfers.get(transfers.size() - 1);
            if (first.range().fromExclusive() == last.range().toInclusive()
                    && first.before().equals(last.before()) && first.after().equals(last.after())) {
                transfers.set(0, new Transfer(new TokenRange(last.range().fromExclusive(),
                        first.range().toInclusive()), first.before(), first.after()));
                transfers.remove(transfers.size() - 1);
            }
        }
        return new MigrationPlan(transfers);
    }

    private static List<String> replicas(Ring ring, long token, int replicationFactor) {
        return ring.isEmpty() ? List.of() : ring.replicas(token, replicationFactor);
    }

    /** The nodes that must receive data in this plan, in first-seen order. */
    public Set<String> targets() {
        Set<String> targets = new LinkedHashSet<>();
        transfers.forEach(transfer -> targets.addAll(transfer.targets()));
        return targets;
    }

    @Override
    public String toString() {
        return "MigrationPlan{" + transfers.size() + " transfers, targets " + targets() + "}";
    }
}
