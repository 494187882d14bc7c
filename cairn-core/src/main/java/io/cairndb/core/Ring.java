package io.cairndb.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The consistent-hash ring: every storage node's tokens in one sorted circle. Token {@code t} of
 * node {@code n} makes {@code n} own the range {@code (previous token, t]}; a key belongs to the
 * owner of the first token at or after its own, wrapping past {@link Long#MAX_VALUE}. A key's
 * replicas are that owner and the next distinct nodes clockwise.
 *
 * <p>Immutable and safe to share. Two rings built from the same tokens place every key the same.
 */
public final class Ring {

    private final long[] tokens;
    private final String[] owners;
    private final List<String> nodes;

    private Ring(long[] tokens, String[] owners, List<String> nodes) {
        this.tokens = tokens;
        this.owners = owners;
        this.nodes = nodes;
    }

    /**
     * Builds a ring from each node's tokens.
     *
     * @throws IllegalArgumentException if two nodes claim the same token
     */
    public static Ring of(Map<String, long[]> tokensByNode) {
        TreeMap<Long, String> sorted = new TreeMap<>();
        for (Map.Entry<String, long[]> entry : tokensByNode.entrySet()) {
            for (long token : entry.getValue()) {
                String previous = sorted.put(token, entry.getKey());
                if (previous != null && !previous.equals(entry.getKey())) {
                    throw new IllegalArgumentException("token " + token + " is claimed by both "
                            + previous + " and " + entry.getKey());
                }
            }
        }
        long[] tokens = new long[sorted.size()];
        String[] owners = new String[sorted.size()];
        int i = 0;
        for (Map.Entry<Long, String> entry : sorted.entrySet()) {
            tokens[i] = entry.getKey();
            owners[i] = entry.getValue();
            i++;
        }
        List<String> nodes = new ArrayList<>(new java.util.TreeSet<>(sorted.values()));
        return new Ring(tokens, owners, Collections.unmodifiableList(nodes));
    }

    public static Ring empty() {
        return new Ring(new long[0], new String[0], List.of());
    }

    /** The nodes that hold at least one token, sorted by id. */
    public List<String> nodes() {
        return nodes;
    }

    public int size() {
        return tokens.length;
    }

    /** Every token on the ring, sorted (signed order); a copy. */
    public long[] tokens() {
        return tokens.clone();
    }

    public boolean isEmpty() {
        return tokens.length == 0;
    }

    /**
     * The replicas of a token: its owner, then the next distinct nodes clockwise, at most
     * {@code replicationFactor} of them (fewer if the ring has fewer nodes). The first is the
     * primary.
     */
    public List<String> replicas(long token, int replicationFactor) {
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replication factor must be >= 1, was "
                    + replicationFactor);
        }
        if (tokens.length == 0) {
            return List.of();
        }
        int wanted = Math.min(replicationFactor, nodes.size());
        Set<String> chosen = new LinkedHashSet<>(wanted * 2);
        int start = firstIndexAtOrAfter(token);
        for (int step = 0; step < tokens.length && chosen.size() < wanted; step++) {
            chosen.add(owners[(start + step) % tokens.length]);
        }
        return List.copyOf(chosen);
    }

    /**
     * The distinct replica sets of the ring's ranges at {@code replicationFactor}: every key's
     * replicas are one of them.
     */
    public Set<List<String>> replicaSets(int replicationFactor) {
        Set<List<String>> sets = new LinkedHashSet<>();
        for (long token : tokens) {
            sets.add(replicas(token, replicationFactor));
        }
        return sets;
    }

    /** Index of the first token >= {@code token}, wrapping to 0 past the last. */
    private int firstIndexAtOrAfter(long token) {
        int index = Arrays.binarySearch(tokens, token);
        if (index < 0) {
            index = -index - 1;
        }
        return index == tokens.length ? 0 : index;
    }

    /**
     * The share of the token space each node owns as a primary, from 0 to 1. Useful for checking
     * balance; computed in one pass over the ring.
     */
    public Map<String, Double> ownership() {
        Map<String, Double> shares = new HashMap<>();
        if (tokens.length == 0) {
            return shares;
        }
        if (tokens.length == 1) {
            shares.put(owners[0], 1.0);
            return shares;
        }
        for (int i = 0; i < tokens.length; i++) {
            long previous = tokens[(i - 1 + tokens.length) % tokens.length];
            double length = unsignedToDouble(tokens[i] - previous);
            shares.merge(owners[i], length / CIRCLE, Double::sum);
        }
        return shares;
    }

    /** The size of the token circle, 2^64, as a double. */
    static final double CIRCLE = 18446744073709551616.0;

    static double unsignedToDouble(long value) {
        double result = (double) (value >>> 1) * 2.0;
        return result + (value & 1L);
    }
}
