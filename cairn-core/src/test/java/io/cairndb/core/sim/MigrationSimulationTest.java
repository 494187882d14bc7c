package io.cairndb.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

// Proves, in seeded simulations of a five-node cluster that adds and removes nodes (gracefully
// and by force), changes tenants' replication factors and cancels migrations while clients
// write and read, with the production placement and migration planning, chunked pulls with
// checkpoints, a control plane that loses its leader, and crashes of sources, targets and
// coordinators, that no acknowledged write is lost, quorum reads see quorum writes across every
// flip, and cleanup leaves data only on its owners. -Dsim.seed=N replays one seed.
class MigrationSimulationTest {

    private static final int SEEDS = Integer.getInteger("sim.seeds", 300);

    @Test
    void noInvariantBreaksWhileDataMovesWithSyncDurability() {
        SimCluster.Stats stats = SimCluster.runSeeds(SimCluster.Settings.migrating(), SEEDS);
        System.out.println(stats.summary("MigrationSimulationTest (sync)"));
        assertThat(stats.violations).as("replay one with -Dsim.seed=N").isEmpty();
        if (System.getProperty("sim.seed") != null) {
            return;
        }
        assertThat(stats.migrations.completed).isPositive();
        assertThat(stats.migrations.cancelled).isPositive();
        assertThat(stats.migrations.chunks).isPositive();
        assertThat(stats.migrations.midChunkCrashes).isPositive();
        assertThat(stats.migrations.lostKeys).isPositive();
    }

    @Test
    void noInvariantBreaksWhileDataMovesWithPeriodicDurability() {
        SimCluster.Stats stats = SimCluster.runSeeds(
                SimCluster.Settings.migrating().periodicDurability(),
                Math.max(1, SEEDS / 3));
        System.out.println(stats.summary("MigrationSimulationTest (periodic)"));
        assertThat(stats.violations).as("replay one with -Dsim.seed=N").isEmpty();
    }

    @Test
    void oneSeedReplaysExactly() {
        SimCluster.Stats first = new SimCluster(7, SimCluster.Settings.migrating(),
                new SimCluster.Stats()).run();
        SimCluster.Stats second = new SimCluster(7, SimCluster.Settings.migrating(),
                new SimCluster.Stats()).run();
        assertThat(second.traceHash).isEqualTo(first.traceHash);
        assertThat(second.events).isEqualTo(first.events);
        assertThat(second.migrations.toString()).isEqualTo(first.migrations.toString());
    }
}
