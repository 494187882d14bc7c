package io.cairndb.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairndb.testkit.Property;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

// Proves placement gives pending replicas exactly where a migration changes a key's replica set,
// only to the tenant a replication change is about, and counts each pending one in writes.
class PlacementTest {

    private static final int VNODES = 8;

    private static Map<String, long[]> grow(Map<String, long[]> tokens, String node) {
        return TestRings.grow(tokens, node, VNODES);
    }

    private static Map<String, long[]> nodes(int count) {
        return TestRings.nodes(count, VNODES);
    }

    private static long[] samples(Random random, Map<String, long[]> tokens) {
        return TestRings.samples(random, tokens, 200);
    }

    @Test
    void stablePlacementHasNoPendingReplicas() {
        Ring ring = Ring.of(nodes(4));
        Placement placement = Placement.stable(ring);

        assertThat(placement.moving()).isFalse();
        assertThat(placement.owners()).isSameAs(ring);
        for (long token : samples(new Random(1), nodes(4))) {
            Placement.Replicas replicas = placement.replicas("t", 3, token);
            assertThat(replicas.natural()).isEqualTo(ring.replicas(token, 3));
            assertThat(replicas.pending()).isEmpty();
            assertThat(replicas.writeTargets()).isEqualTo(replicas.natural());
            assertThat(replicas.writeRequired(ConsistencyLevel.QUORUM)).isEqualTo(2);
        }
    }

    @Test
    void emptyRingPlacesNothing() {
        Placement.Replicas replicas = Placement.stable(Ring.empty()).replicas("t", 3, 42);

        assertThat(replicas.natural()).isEmpty();
        assertThat(replicas.pending()).isEmpty();
    }

    @Test
    void addingANodeMakesItPendingExactlyWhereTheReplicaSetChanges() {
        Property.forAll("node addition placement", 20, random -> {
            int rf = 1 + random.nextInt(3);
            Map<String, long[]> before = nodes(1 + random.nextInt(4));
            Map<String, long[]> after = grow(before, "joining");
            Ring beforeRing = Ring.of(before);
            Ring afterRing = Ring.of(after);
            Placement placement = Placement.nodeChange(beforeRing, afterRing);

            assertThat(placement.moving()).isTrue();
            assertThat(placement.owners()).isSameAs(beforeRing);
            int changed = 0;
            for (long token : samples(random, after)) {
                Placement.Replicas replicas = placement.replicas("t", rf, token);
                List<String> natural = beforeRing.replicas(token, rf);
                List<String> future = afterRing.replicas(token, rf);
                assertThat(replicas.natural()).as("token %d", token).isEqualTo(natural);
                if (Set.copyOf(natural).equals(Set.copyOf(future))) {
                    assertThat(replicas.pending()).as("token %d keeps its replicas", token)
                            .isEmpty();
                } else {
                    changed++;
                    assertThat(replicas.pending()).as("token %d moves", token)
                            .containsExactly("joining");
                }
                assertThat(replicas.writeTargets()).containsExactlyInAnyOrderElementsOf(
                        union(natural, future));
            }
            // Sampling every ring token means some key moves to the new node.
            assertThat(changed).isPositive();
        });
    }

    @Test
    void removingANodeMakesItsSuccessorsPendingWhileItStillOwns() {
        Map<String, long[]> before = nodes(4);
        Map<String, long[]> after = new TreeMap<>(before);
        after.remove("n2");
        Placement placement = Placement.nodeChange(Ring.of(before), Ring.of(after));

        for (long token : samples(new Random(2), before)) {
            Placement.Replicas replicas = placement.replicas("t", 2, token);
            assertThat(replicas.natural()).isEqualTo(Ring.of(before).replicas(token, 2));
            assertThat(replicas.pending()).doesNotContain("n2");
            assertThat(replicas.pending()).hasSize(replicas.natural().contains("n2") ? 1 : 0);
        }
    }

    @Test
    void writeRequiredIsTheLevelOnTheNaturalReplicasPlusEveryPendingOne() {
        Placement.Replicas three = new Placement.Replicas(List.of("a", "b", "c"), List.of("d"));
        Placement.Replicas one = new Placement.Replicas(List.of("a"), List.of("b", "c"));

        assertThat(three.writeRequired(ConsistencyLevel.ONE)).isEqualTo(2);
        assertThat(three.writeRequired(ConsistencyLevel.QUORUM)).isEqualTo(3);
        assertThat(three.writeRequired(ConsistencyLevel.ALL)).isEqualTo(4);
        assertThat(one.writeRequired(ConsistencyLevel.ONE)).isEqualTo(3);
        assertThat(one.writeRequired(ConsistencyLevel.QUORUM)).isEqualTo(3);
        assertThat(one.writeRequired(ConsistencyLevel.ALL)).isEqualTo(3);
        assertThat(three.writeTargets()).containsExactly("a", "b", "c", "d");
        for (ConsistencyLevel level : ConsistencyLevel.values()) {
            assertThat(three.writeRequired(level))
                    .isEqualTo(level.required(3) + 1)
                    .isLessThanOrEqualTo(three.writeTargets().size());
        }
    }

    @Test
    void replicationChangeAffectsOnlyItsTenant() {
        Ring ring = Ring.of(nodes(4));
        Placement raise = Placement.replicationChange(ring, "grows", 3);
        Placement lower = Placement.replicationChange(ring, "shrinks", 1);

        assertThat(raise.moving()).isTrue();
        for (long token : samples(new Random(3), nodes(4))) {
            Placement.Replicas grows = raise.replicas("grows", 1, token);
            assertThat(grows.natural()).isEqualTo(ring.replicas(token, 1));
            assertThat(grows.pending()).containsExactlyElementsOf(
                    ring.replicas(token, 3).subList(1, 3));
            assertThat(grows.writeRequired(ConsistencyLevel.ONE)).isEqualTo(3);

            Placement.Replicas other = raise.replicas("other", 1, token);
            assertThat(other.natural()).isEqualTo(ring.replicas(token, 1));
            assertThat(other.pending()).isEmpty();

            // Fewer replicas after: none is new, so none is pending, and reads keep all three.
            Placement.Replicas shrinks = lower.replicas("shrinks", 3, token);
            assertThat(shrinks.natural()).isEqualTo(ring.replicas(token, 3));
            assertThat(shrinks.pending()).isEmpty();
        }
    }

    @Test
    void holdsAreTheNaturalAndPendingReplicasOnly() {
        Map<String, long[]> before = nodes(3);
        Map<String, long[]> after = grow(before, "n4");
        Placement placement = Placement.nodeChange(Ring.of(before), Ring.of(after));
        Placement stable = Placement.stable(Ring.of(before));

        for (long token : samples(new Random(4), after)) {
            Placement.Replicas replicas = placement.replicas("t", 2, token);
            for (String node : List.of("n1", "n2", "n3", "n4", "stranger")) {
                boolean expected = replicas.natural().contains(node)
                        || replicas.pending().contains(node);
                assertThat(placement.holds(node, "t", 2, token)).as("%s at %d", node, token)
                        .isEqualTo(expected);
                assertThat(stable.holds(node, "t", 2, token))
                        .isEqualTo(Ring.of(before).replicas(token, 2).contains(node));
            }
        }
        assertThat(stable.holds("n4", "t", 3, 0)).isFalse();
    }

    private static Set<String> union(List<String> a, List<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return all;
    }
}
