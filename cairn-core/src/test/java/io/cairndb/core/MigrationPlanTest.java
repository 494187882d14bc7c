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

// Proves the migration planner moves only what must move (about 1/(N+1) of the data when a node
// joins N), and that after any sequence of joins, departures and replication changes, applying
// each plan to who holds what leaves every key with exactly its replicas on the new ring.
class MigrationPlanTest {

    private static final int VNODES = 16;

    private static Map<String, long[]> grow(Map<String, long[]> tokens, String node) {
        return TestRings.grow(tokens, node, VNODES);
    }

    private static Map<String, long[]> nodes(int count) {
        return TestRings.nodes(count, VNODES);
    }

    private static long[] samples(Random random, Map<String, long[]> tokens) {
        return TestRings.samples(random, tokens, 300);
    }

    @Test
    void addingANodeToFourMovesAboutAFifthOfTheData() {
        Map<String, long[]> tokens = new TreeMap<>();
        for (int i = 1; i <= 4; i++) {
            tokens = grow(tokens, "n" + i);
        }
        for (int rf : new int[] {1, 2, 3}) {
            MigrationPlan plan = MigrationPlan.between(Ring.of(tokens), rf,
                    Ring.of(grow(tokens, "n5")), rf);
            assertThat(plan.targets()).as("rf " + rf).containsExactly("n5");
            assertThat(plan.movedShare(rf, 5)).as("rf " + rf).isBetween(0.12, 0.28);
        }
    }

    @Test
    void nothingMovesWhenNothingChanges() {
        Map<String, long[]> tokens = grow(grow(grow(new TreeMap<>(), "a"), "b"), "c");
        assertThat(MigrationPlan.between(Ring.of(tokens), 3, Ring.of(tokens), 3).isEmpty())
                .isTrue();
    }

    @Test
    void raisingTheReplicationFactorAddsOneReplicaToEveryRange() {
        Map<String, long[]> tokens = grow(grow(grow(new TreeMap<>(), "a"), "b"), "c");
        MigrationPlan plan = MigrationPlan.between(Ring.of(tokens), 1, Ring.of(tokens), 2);
        assertThat(plan.movedShare(2, 3)).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
        plan.transfers().forEach(transfer -> {
            assertThat(transfer.targets()).hasSize(1);
            assertThat(transfer.leaving()).isEmpty();
        });
    }

    @Test
    void everyKeyEndsWithExactlyItsReplicasAfterAnySequenceOfPlans() {
        Property.forAll("migration plans", random -> {
            Map<String, long[]> tokens = new TreeMap<>();
            int rf = 1 + random.nextInt(3);
            int nextId = 0;
            for (int i = 0; i < 1 + random.nextInt(3); i++) {
                tokens = grow(tokens, "n" + nextId++);
            }
            long[] samples = samples(random, tokens);
            Map<Long, Set<String>> holders = new HashMap<>();
            Ring ring = Ring.of(tokens);
            for (long token : samples) {
                holders.put(token, new HashSet<>(ring.replicas(token, rf)));
            }
            for (int step = 0; step < 8; step++) {
                Map<String, long[]> nextTokens = new TreeMap<>(tokens);
                int nextRf = rf;
                int roll = random.nextInt(3);
                if (roll == 0 || tokens.size() < 2) {
                    nextTokens = grow(tokens, "n" + nextId++);
                } else if (roll == 1) {
                    List<String> ids = new ArrayList<>(tokens.keySet());
                    nextTokens.remove(ids.get(random.nextInt(ids.size())));
                } else {
                    nextRf = 1 + random.nextInt(3);
                }
                Ring before = Ring.of(tokens);
                Ring after = Ring.of(nextTokens);
                MigrationPlan plan = MigrationPlan.between(before, rf, after, nextRf);
                assertThat(MigrationPlan.between(before, rf, after, nextRf).transfers())
                        .as("deterministic").isEqualTo(plan.transfers());
                for (long token : samples) {
                    Set<String> held = holders.get(token);
                    for (MigrationPlan.Transfer transfer : plan.transfers()) {
                        if (transfer.range().contains(token)) {
                            assertThat(held).as("token %d: sources hold it, step %d, %s",
                                    token, step, transfer).containsAll(transfer.before());
                            held.addAll(transfer.targets());
                            transfer.leaving().forEach(held::remove);
                        }
                    }
                    List<String> expected = after.replicas(token, nextRf);
                    assertThat(expected).as("token %d is owned by someone", token).isNotEmpty();
                    assertThat(expected).hasSize(Math.min(nextRf, nextTokens.size()));
                    assertThat(held).as("token %d after step %d", token, step)
                            .containsExactlyInAnyOrderElementsOf(expected);
                }
                // Each token lies in at most one transfer.
                for (long token : samples) {
                    assertThat(plan.transfers().stream()
                            .filter(transfer -> transfer.range().contains(token)).count())
                            .isLessThanOrEqualTo(1);
                }
                tokens = nextTokens;
                rf = nextRf;
            }
        });
    }
}
