package io.cairndb.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

// Proves, in seeded simulations of a five-node cluster running the production request machines
// under lost, duplicated and reordered messages, cut links, partitions, crashes, pauses and
// clocks skewed from milliseconds to minutes, that no named invariant is ever violated; and that
// one seed replays one run exactly. -Dsim.seed=N replays one seed, -Dsim.seeds=N runs a soak.
class ClusterSimulationTest {

    private static final int SEEDS = Integer.getInteger("sim.seeds", 2_000);

    @Test
    void noInvariantBreaksUnderFaultsSkewAndCrashesWithSyncDurability() {
        SimCluster.Stats stats = SimCluster.runSeeds(SimCluster.Settings.standard(), SEEDS);
        System.out.println(stats.summary("ClusterSimulationTest (sync)"));
        assertThat(stats.violations).as("replay one with -Dsim.seed=N").isEmpty();
        if (System.getProperty("sim.seed") != null) {
            return;
        }
        assertThat(stats.faults.keySet()).containsExactlyInAnyOrder(SimCluster.Fault.values());
        assertThat(stats.readsChecked).isPositive();
        assertThat(stats.scanPagesFollowed).as("scans read page by page").isPositive();
        assertThat(stats.restamps).as("runs in which skew made a write lose at first")
                .isPositive();
    }

    @Test
    void noInvariantBreaksWithPeriodicDurability() {
        SimCluster.Stats stats = SimCluster.runSeeds(
                SimCluster.Settings.standard().periodicDurability(),
                Math.max(1, SEEDS / 3));
        System.out.println(stats.summary("ClusterSimulationTest (periodic)"));
        assertThat(stats.violations).as("replay one with -Dsim.seed=N").isEmpty();
        if (System.getProperty("sim.seed") == null) {
            assertThat(stats.faults).containsKey(SimCluster.Fault.CRASH);
        }
    }

    @Test
    void oneSeedReplaysExactly() {
        SimCluster.Stats first = new SimCluster(42, SimCluster.Settings.standard(),
                new SimCluster.Stats()).run();
        SimCluster.Stats second = new SimCluster(42, SimCluster.Settings.standard(),
                new SimCluster.Stats()).run();
        assertThat(second.traceHash).isEqualTo(first.traceHash);
        assertThat(second.events).isEqualTo(first.events);
        assertThat(second.faults).isEqualTo(first.faults);
    }
}
