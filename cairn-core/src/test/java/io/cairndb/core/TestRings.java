package io.cairndb.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** Rings and token samples for the placement and migration tests. */
final class TestRings {

    private TestRings() {
    }

    /** {@code tokens} with {@code node} added, its {@code vnodes} tokens chosen as a join does. */
    static Map<String, long[]> grow(Map<String, long[]> tokens, String node, int vnodes) {
        Map<String, long[]> next = new TreeMap<>(tokens);
        Map<String, Integer> weights = new HashMap<>();
        tokens.keySet().forEach(id -> weights.put(id, vnodes));
        next.put(node, TokenAllocator.allocate(tokens, weights, node, vnodes));
        return next;
    }

    /** Nodes n1..n{count}, joined in order. */
    static Map<String, long[]> nodes(int count, int vnodes) {
        Map<String, long[]> tokens = new TreeMap<>();
        for (int i = 1; i <= count; i++) {
            tokens = grow(tokens, "n" + i, vnodes);
        }
        return tokens;
    }

    /**
     * {@code randoms} random tokens, every ring token and its neighbours, and the extremes; each
     * once.
     */
    static long[] samples(Random random, Map<String, long[]> tokens, int randoms) {
        List<Long> samples = new ArrayList<>(List.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L));
        for (int i = 0; i < randoms; i++) {
            samples.add(random.nextLong());
        }
        for (long[] nodeTokens : tokens.values()) {
            for (long token : nodeTokens) {
                samples.add(token);
                samples.add(token + 1);
                samples.add(token - 1);
            }
        }
        return samples.stream().mapToLong(Long::longValue).distinct().toArray();
    }
}
