package io.cairndb.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Chooses a joining node's tokens so that ownership stays balanced, instead of at random (random
 * tokens leave some nodes owning far more than others).
 *
 * <p>The first node gets evenly spaced tokens. A later node with weight {@code w} (its virtual node
 * count) aims to own {@code w / (sum of weights)} of the ring; each of its tokens takes an equal
 * part of that from the node that is currently most loaded for its weight, cut from that node's
 * largest range. Deterministic: the same ring and request give the same tokens on every member.
 */
public final class TokenAllocator {

    private TokenAllocator() {
    }

    /**
     * @param existing the tokens of every node already in the ring
     * @param weights each existing node's weight (its virtual node count)
     * @param newNode the joining node's id, not already in {@code existing}
     * @param count how many tokens to give it (its virtual node count), at least 1
     * @return the new node's tokens, sorted
     */
    public static long[] allocate(Map<String, long[]> existing, Map<String, Integer> weights,
                                  String newNode, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("token count must be >= 1, was " + count);
        }
        if (existing.containsKey(newNode)) {
            throw new IllegalArgumentException("node " + newNode + " already has tokens");
        }
        TreeMap<Long, String> ring = new TreeMap<>();
        existing.forEach((node, tokens) -> {
            for (long token : tokens) {
                ring.put(token, node);
            }
        });
        if (ring.isEmpty()) {
            return evenlySpaced(count);
        }
        double totalWeight = count;
        for (String node : existing.keySet()) {
            totalWeight += weight(weights, node);
        }
        double perToken = Ring.CIRCLE * (count / totalWeight) / count;
        List<Long> chosen = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long token = nextToken(ring, weights, newNode, perToken);
            ring.put(token, newNode);
            chosen.add(token);
        }
        return chosen.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    private static long[] evenlySpaced(int count) {
        long[] tokens = new long[count];
        // 2^64 / count, computed without overflow; tokens start at Long.MIN_VALUE.
        long step = Long.divideUnsigned(-1L, count);
        for (int i = 0; i < count; i++) {
            tokens[i] = Long.MIN_VALUE + step * i;
        }
        return tokens;
    }

    private static long nextToken(TreeMap<Long, String> ring, Map<String, Integer> weights,
                                  String newNode, double perToken) {
        Map<String, Double> owned = new HashMap<>();
        // Each node's largest range: its start (exclusive) and its length.
        Map<String, long[]> largest = new HashMap<>();
        Long previous = ring.lastKey();
        for (Map.Entry<Long, String> entry : ring.entrySet()) {
            long start = previous;
            long length = ring.size() == 1 ? -1L : entry.getKey() - start;
            previous = entry.getKey();
            String owner = entry.getValue();
            owned.merge(owner, Ring.unsignedToDouble(length), Double::sum);
            long[] best = largest.get(owner);
            if (best == null || Long.compareUnsigned(length, best[1]) > 0) {
                largest.put(owner, new long[] {start, length});
            }
        }
        String victim = null;
        double victimLoad = -1;
        for (Map.Entry<String, Double> entry : owned.entrySet()) {
            String node = entry.getKey();
            if (node.equals(newNode) || Long.compareUnsigned(largest.get(node)[1], 2) < 0) {
                continue;
            }
            double load = entry.getValue() / weight(weights, node);
            if (load > victimLoad || (load == victimLoad && node.compareTo(victim) < 0)) {
                victim = node;
                victimLoad = load;
            }
        }
        if (victim == null) {
            throw new IllegalStateException("the ring has no range left to split");
        }
        long[] range = largest.get(victim);
        long length = range[1];
        long amount = perToken >= 9.2e18 ? Long.MAX_VALUE : Math.max(1L, (long) perToken);
        if (Long.compareUnsigned(amount, length - 1) > 0) {
            amount = length - 1;
        }
        return range[0] + amount;
    }

    private static double weight(Map<String, Integer> weights, String node) {
        Integer weight = weights.get(node);
        return weight == null || weight < 1 ? 1.0 : weight;
    }
}
