package io.cairndb.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairndb.testkit.Property;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

// Proves allocated tokens are distinct, deterministic, and keep ownership balanced by weight.
class TokenAllocatorTest {

    private static Map<String, long[]> grow(int nodes, int[] weights) {
        Map<String, long[]> ring = new HashMap<>();
        Map<String, Integer> weightOf = new HashMap<>();
        for (int n = 0; n < nodes; n++) {
            String node = "node-" + n;
            ring.put(node, TokenAllocator.allocate(ring, weightOf, node, weights[n]));
            weightOf.put(node, weights[n]);
        }
        return ring;
    }

    @Test
    void equalNodesOwnNearlyEqualShares() {
        for (int nodes = 1; nodes <= 10; nodes++) {
            int[] weights = new int[nodes];
            Arrays.fill(weights, 150);
            Map<String, Double> shares = Ring.of(grow(nodes, weights)).ownership();
            double fair = 1.0 / nodes;
            for (double share : shares.values()) {
                assertThat(share).as("share of one of %d nodes", nodes)
                        .isBetween(fair * 0.85, fair * 1.15);
            }
        }
    }

    @Test
    void sharesFollowWeights() {
        Map<String, Double> shares = Ring.of(grow(3, new int[] {100, 100, 200})).ownership();
        assertThat(shares.get("node-2")).isBetween(0.42, 0.58);
    }

    @Test
    void tokensAreDistinctAndDeterministic() {
        Property.forAll("distinct, deterministic tokens", 30, random -> {
            int nodes = 1 + random.nextInt(6);
            int[] weights = new int[nodes];
            for (int i = 0; i < nodes; i++) {
                weights[i] = 1 + random.nextInt(200);
            }
            Map<String, long[]> first = grow(nodes, weights);
            Map<String, long[]> second = grow(nodes, weights);
            Set<Long> seen = new HashSet<>();
            for (String node : first.keySet()) {
                assertThat(first.get(node)).isEqualTo(second.get(node));
                assertThat(first.get(node)).hasSize(weights[Integer.parseInt(node.substring(5))]);
                for (long token : first.get(node)) {
                    assertThat(seen.add(token)).as("token %d is unique", token).isTrue();
                }
            }
        });
    }
}
