package io.cairndb.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairndb.testkit.Property;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

// Proves the ring places keys exactly as a plain sorted-list walk does, and deterministically.
class RingTest {

    static Map<String, long[]> randomTokens(Random random) {
        int nodes = 1 + random.nextInt(7);
        Map<String, long[]> tokens = new LinkedHashMap<>();
        Set<Long> used = new HashSet<>();
        for (int n = 0; n < nodes; n++) {
            long[] own = new long[1 + random.nextInt(20)];
            for (int i = 0; i < own.length; i++) {
                long token;
                do {
                    token = random.nextInt(4) == 0 ? random.nextInt(100) - 50 : random.nextLong();
                } while (!used.add(token));
                own[i] = token;
            }
            tokens.put("n" + n, own);
        }
        return tokens;
    }

    /** The simple twin: walk every token in sorted order from the key's token. */
    static List<String> walk(Map<String, long[]> tokens, long token, int rf) {
        TreeMap<Long, String> sorted = new TreeMap<>();
        tokens.forEach((node, own) -> {
            for (long t : own) {
                sorted.put(t, node);
            }
        });
        List<Map.Entry<Long, String>> order = new ArrayList<>(sorted.tailMap(token, true)
                .entrySet());
        order.addAll(sorted.headMap(token, false).entrySet());
        Set<String> chosen = new LinkedHashSet<>();
        for (Map.Entry<Long, String> entry : order) {
            if (chosen.size() == rf) {
                break;
            }
            chosen.add(entry.getValue());
        }
        return new ArrayList<>(chosen);
    }

    @Test
    void placementMatchesASortedWalk() {
        Property.forAll("ring vs sorted walk", random -> {
            Map<String, long[]> tokens = randomTokens(random);
            Ring ring = Ring.of(tokens);
            for (int i = 0; i < 50; i++) {
                long token = random.nextInt(3) == 0 ? random.nextInt(100) - 50 : random.nextLong();
                int rf = 1 + random.nextInt(5);
                List<String> replicas = ring.replicas(token, rf);
                assertThat(replicas).isEqualTo(walk(tokens, token, rf));
                assertThat(replicas).doesNotHaveDuplicates()
                        .hasSize(Math.min(rf, tokens.size()));
            }
        });
    }

    @Test
    void placementIsDeterministicWhateverTheInputOrder() {
        Property.forAll("deterministic placement", random -> {
            Map<String, long[]> tokens = randomTokens(random);
            List<String> names = new ArrayList<>(tokens.keySet());
            Collections.shuffle(names, random);
            Map<String, long[]> shuffled = new LinkedHashMap<>();
            for (String name : names) {
                shuffled.put(name, tokens.get(name));
            }
            Ring a = Ring.of(tokens);
            Ring b = Ring.of(shuffled);
            for (int i = 0; i < 50; i++) {
                String key = "key-" + random.nextInt(1_000_000);
                long token = Tokens.token("tenant", key);
                assertThat(a.replicas(token, 3)).isEqualTo(b.replicas(token, 3));
            }
        });
    }

    @Test
    void ownershipSumsToOne() {
        Property.forAll("ownership sums to one", random -> {
            Ring ring = Ring.of(randomTokens(random));
            double total = ring.ownership().values().stream().mapToDouble(d -> d).sum();
            assertThat(total).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
        });
    }

    @Test
    void rejectsATokenClaimedTwice() {
        assertThatThrownBy(() -> Ring.of(Map.of("a", new long[] {5}, "b", new long[] {5})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token 5");
    }

    @Test
    void emptyRingPlacesNothing() {
        assertThat(Ring.empty().replicas(42, 3)).isEmpty();
    }
}
