package io.cairndb.core;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An immutable vector clock: one counter per coordinator node, sorted by node id.
 *
 * <p>In CairnDB a counter is the hybrid-logical-clock reading of that coordinator's latest write
 * in the version's history, so counters are comparable across nodes and "oldest entry" means the
 * smallest counter. {@link #pruned} drops the oldest entries to keep a clock bounded.
 */
public final class VectorClock {

    /** How two clocks relate. */
    public enum Order {
        EQUAL,
        /** This clock happened before the other: the other dominates it. */
        BEFORE,
        /** This clock dominates the other. */
        AFTER,
        CONCURRENT
    }

    private static final VectorClock EMPTY = new VectorClock(new String[0], new long[0]);

    private final String[] nodes;
    private final long[] counters;

    private VectorClock(String[] nodes, long[] counters) {
        this.nodes = nodes;
        this.counters = counters;
    }

    public static VectorClock empty() {
        return EMPTY;
    }

    /** A clock with one entry. */
    public static VectorClock of(String node, long counter) {
        return new VectorClock(new String[] {node}, new long[] {counter});
    }

    /** A clock from entries; a node listed twice keeps its greatest counter. */
    public static VectorClock of(Map<String, Long> entries) {
        TreeMap<String, Long> sorted = new TreeMap<>();
        entries.forEach((node, counter) -> sorted.merge(Objects.requireNonNull(node, "node"),
                counter, Math::max));
        String[] nodes = new String[sorted.size()];
        long[] counters = new long[sorted.size()];
        int i = 0;
        for (Map.Entry<String, Long> entry : sorted.entrySet()) {
            nodes[i] = entry.getKey();
            counters[i] = entry.getValue();
            i++;
        }
        return new VectorClock(nodes, counters);
    }

    public int size() {
        return nodes.length;
    }

    public String node(int index) {
        return nodes[index];
    }

    public long counter(int index) {
        return counters[index];
    }

    /** The counter of {@code node}, or 0 if the clock has no entry for it. */
    public long get(String node) {
        int index = Arrays.binarySearch(nodes, node);
        return index >= 0 ? counters[index] : 0L;
    }

    /** The greatest counter, or 0 for the empty clock. */
    public long maxCounter() {
        long max = 0;
        for (long counter : counters) {
            max = Math.max(max, counter);
        }
        return max;
    }

    /** Entries in node order. */
    public Map<String, Long> asMap() {
        Map<String, Long> map = new LinkedHashMap<>();
        for (int i = 0; i < nodes.length; i++) {
            map.put(nodes[i], counters[i]);
        }
        return Collections.unmodifiableMap(map);
    }

    /** The pointwise maximum of this clock and {@code other}. */
    public VectorClock merge(VectorClock other) {
        if (other.nodes.length == 0 || this == other) {
            return this;
        }
        if (nodes.length == 0) {
            return other;
        }
        String[] mergedNodes = new String[nodes.length + other.nodes.length];
        long[] mergedCounters = new long[mergedNodes.length];
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < nodes.length || j < other.nodes.length) {
            int cmp = i == nodes.length ? 1 : j == other.nodes.length ? -1
                    : nodes[i].compareTo(other.nodes[j]);
            if (cmp < 0) {
                mergedNodes[n] = nodes[i];
                mergedCounters[n++] = counters[i++];
            } else if (cmp > 0) {
                mergedNodes[n] = other.nodes[j];
                mergedCounters[n++] = other.counters[j++];
            } else {
                mergedNodes[n] = nodes[i];
                mergedCounters[n++] = Math.max(counters[i++], other.counters[j++]);
            }
        }
        return new VectorClock(Arrays.copyOf(mergedNodes, n), Arrays.copyOf(mergedCounters, n));
    }

    /** How this clock relates to {@code other}. */
    public Order compare(VectorClock other) {
        boolean greater = false;
        boolean less = false;
        int i = 0;
        int j = 0;
        while (i < nodes.length || j < other.nodes.length) {
            int cmp = i == nodes.length ? 1 : j == other.nodes.length ? -1
                    : nodes[i].compareTo(other.nodes[j]);
            long mine;
            long theirs;
            if (cmp < 0) {
                mine = counters[i++];
                theirs = 0;
            } else if (cmp > 0) {
                mine = 0;
                theirs = other.counters[j++];
            } else {
                mine = counters[i++];
                theirs = other.counters[j++];
            }
            greater |= mine > theirs;
            less |= mine < theirs;
            if (greater && less) {
                return Order.CONCURRENT;
            }
        }
        if (greater) {
            return Order.AFTER;
        }
        return less ? Order.BEFORE : Order.EQUAL;
    }

    /**
     * This clock with at most {@code maxEntries} entries: the greatest counters stay (ties broken
     * by node id, greater id first), the oldest go. Dropping entries is safe because version
     * resolution falls back to hybrid-clock order when clocks no longer show dominance.
     */
    public VectorClock pruned(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be >= 1, was " + maxEntries);
        }
        if (nodes.length <= maxEntries) {
            return this;
        }
        Integer[] order = new Integer[nodes.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> {
            int byCounter = Long.compare(counters[b], counters[a]);
            return byCounter != 0 ? byCounter : nodes[b].compareTo(nodes[a]);
        });
        TreeMap<String, Long> kept = new TreeMap<>();
        for (int i = 0; i < maxEntries; i++) {
            kept.put(nodes[order[i]], counters[order[i]]);
        }
        return of(kept);
    }

    /** This clock without the entries of {@code removedNode} (a coordinator that left the cluster). */
    public VectorClock without(String removedNode) {
        int index = Arrays.binarySearch(nodes, removedNode);
        if (index < 0) {
            return this;
        }
        String[] keptNodes = new String[nodes.length - 1];
        long[] keptCounters = new long[nodes.length - 1];
        System.arraycopy(nodes, 0, keptNodes, 0, index);
        System.arraycopy(counters, 0, keptCounters, 0, index);
        System.arraycopy(nodes, index + 1, keptNodes, index, nodes.length - index - 1);
        System.arraycopy(counters, index + 1, keptCounters, index, nodes.length - index - 1);
        return new VectorClock(keptNodes, keptCounters);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof VectorClock clock && Arrays.equals(nodes, clock.nodes)
                && Arrays.equals(counters, clock.counters);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(nodes) + Arrays.hashCode(counters);
    }

    @Override
    public String toString() {
        return asMap().toString();
    }
}
