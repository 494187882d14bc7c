package io.cairndb.server.control;

import static io.cairndb.server.control.Entries.registerNode;
import static io.cairndb.server.control.Entries.stamped;
import static org.assertj.core.api.Assertions.assertThat;

import io.cairndb.core.CairnException;
import io.cairndb.core.ErrorCode;
import io.cairndb.core.Migration;
import io.cairndb.core.Placement;
import io.cairndb.server.control.MetadataStateMachine.Applied;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

// Proves the metadata state machine runs migrations one at a time: nodes join, leave and change
// status through them, each command that cannot be done is refused naming why, reports flip a
// migration once its tasks are done, cancelling puts nodes back, and the state round-trips.
class MetadataMigrationsTest {

    private ClusterMetadata state = ClusterMetadata.empty(ClusterConfig.DEFAULTS);
    private long index;

    // ------------------------------------------------------------------------ joining

    @Test
    void nodeRegisteringIntoAClusterWithTenantsJoinsThroughAMigration() {
        cluster(3, Map.of("acme", 2));

        ok(registerNode("n4"));

        assertThat(status("n4")).isEqualTo(NodeInfo.JOINING);
        assertThat(state.ring().nodes()).doesNotContain("n4");
        Migration addition = state.runningMigration();
        assertThat(addition.id()).isEqualTo(ClusterMetadata.migrationIdAt(index));
        assertThat(addition.type()).isEqualTo(Migration.NODE_ADDITION);
        assertThat(addition.nodeId()).isEqualTo("n4");
        assertThat(addition.status()).isEqualTo(Migration.IN_PROGRESS);
        assertThat(addition.tasks()).isNotEmpty().allSatisfy(task -> {
            assertThat(task.target()).isEqualTo("n4");
            assertThat(task.tenantId()).isEqualTo("acme");
            assertThat(task.sources()).isNotEmpty().doesNotContain("n4");
        });
    }

    @Test
    void nodesRegisteringIntoAClusterWithoutTenantsAreActiveAtOnce() {
        cluster(3, Map.of());

        assertThat(state.nodes().values()).extracting(NodeInfo::status)
                .containsOnly(NodeInfo.ACTIVE);
        assertThat(state.migrations()).isEmpty();
    }

    @Test
    void standbyNodeWaitsForAnOperatorWithoutAMigration() {
        cluster(3, Map.of("acme", 2));

        ok(standby("n4"));

        assertThat(status("n4")).isEqualTo(NodeInfo.STANDBY);
        assertThat(state.migrations()).isEmpty();
        assertThat(state.auditEvents().get(state.auditEvents().size() - 1).details())
                .contains("registered, waiting to be added,");
    }

    @Test
    void addNodeRefusesAnotherAddressAndUnknownNodesAndNodesInUse() {
        cluster(3, Map.of("acme", 2));
        ok(standby("n4"));

        CairnException wrongHost = refused(new MetadataCommand.AddNode("n4", "10.9.9.9", 7070,
                at()));
        assertThat(wrongHost.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(wrongHost.getMessage()).isEqualTo("node 'n4' registered at 10.0.0.4:7070, "
                + "not at 10.9.9.9:7070");
        assertThat(refused(new MetadataCommand.AddNode("n4", "10.0.0.4", 9999, at()))
                .getMessage()).contains("registered at 10.0.0.4:7070");

        CairnException unknown = refused(new MetadataCommand.AddNode("n9", "10.0.0.9", 7070,
                at()));
        assertThat(unknown.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(unknown.getMessage()).contains("'n9'", "has not registered",
                "cairn server --join");

        CairnException active = refused(new MetadataCommand.AddNode("n1", "10.0.0.1", 7070,
                at()));
        assertThat(active.code()).isEqualTo(ErrorCode.NODE_IN_USE);
        assertThat(active.getMessage()).isEqualTo("node 'n1' is already active");

        ok(new MetadataCommand.AddNode("n4", "10.0.0.4", 7070, at()));
        assertThat(status("n4")).isEqualTo(NodeInfo.JOINING);
        assertThat(state.runningMigration().nodeId()).isEqualTo("n4");
        assertThat(refused(new MetadataCommand.AddNode("n4", "10.0.0.4", 7070, at()))
                .getMessage()).isEqualTo("node 'n4' is already joining");
    }

    // ------------------------------------------------------------------------ removing

    @Test
    void removeNodeRefusesWhatItCannotRemove() {
        cluster(3, Map.of("acme", 2));
        ok(standby("n4"));
        ok(standby("n5"));

        CairnException unknown = refused(remove("n9", false));
        assertThat(unknown.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(unknown.getMessage()).contains("'n9' is not a member");

        // A standby node holds no data: it is removed at once.
        ok(remove("n5", false));
        assertThat(status("n5")).isEqualTo(NodeInfo.INACTIVE);
        assertThat(state.migrations()).isEmpty();
        assertThat(refused(remove("n5", false)).getMessage())
                .isEqualTo("node 'n5' was removed already");

        ok(new MetadataCommand.AddNode("n4", "10.0.0.4", 7070, at()));
        String addition = state.runningMigration().id();
        CairnException joining = refused(remove("n4", false));
        assertThat(joining.code()).isEqualTo(ErrorCode.NODE_IN_USE);
        assertThat(joining.getMessage()).contains("'n4' is joining",
                "cairn migration cancel " + addition);

        ok(remove("n3", false));
        assertThat(status("n3")).isEqualTo(NodeInfo.DRAINING);
        CairnException draining = refused(remove("n3", false));
        assertThat(draining.code()).isEqualTo(ErrorCode.NODE_IN_USE);
        assertThat(draining.getMessage()).isEqualTo("node 'n3' is being removed already");
    }

    @Test
    void removeNodeRefusesToLeaveFewerNodesThanATenantsReplicationFactor() {
        cluster(3, new TreeMap<>(Map.of("big", 3, "small", 1)));

        CairnException refused = refused(remove("n2", false));

        assertThat(refused.code()).isEqualTo(ErrorCode.NODE_IN_USE);
        assertThat(refused.getMessage()).isEqualTo("cannot remove node 'n2': tenant 'big' has "
                + "replication factor 3 and only 2 storage nodes would remain");
        assertThat(refused(remove("n2", true)).getMessage()).contains("tenant 'big'");
    }

    @Test
    void removeNodeCountsTheFactorAQueuedChangeWillGive() {
        cluster(3, Map.of("acme", 1));
        ok(registerNode("n4"));
        ok(new MetadataCommand.UpdateReplicationFactor("acme", 3, 1));
        assertThat(state.migrations()).extracting(Migration::status)
                .containsExactly(Migration.IN_PROGRESS, Migration.PENDING);

        // Three active nodes now, and acme will need three.
        assertThat(refused(remove("n1", false)).getMessage()).isEqualTo("cannot remove node "
                + "'n1': tenant 'acme' has replication factor 3 and only 2 storage nodes would "
                + "remain");
    }

    // ------------------------------------------------------------------------ queueing and flips

    @Test
    void migrationsWaitTheirTurnAndTheNextStartsInTheEntryThatEndsTheOne() {
        cluster(4, Map.of("acme", 2));
        ok(registerNode("n5"));
        Migration addition = state.runningMigration();
        ok(new MetadataCommand.UpdateReplicationFactor("acme", 3, 1));
        Migration change = state.migrations().get(1);

        assertThat(change.status()).isEqualTo(Migration.PENDING);
        assertThat(change.tasks()).isEmpty();
        assertThat(change.id()).isEqualTo(ClusterMetadata.migrationIdAt(index));
        assertThat(state.tenant("acme").replicationFactor()).isEqualTo(2);
        assertThat(state.runningMigration().id()).isEqualTo(addition.id());

        finishAll(addition);

        Migration flipped = state.migration(addition.id());
        assertThat(flipped.status()).isEqualTo(Migration.COMPLETED);
        assertThat(flipped.percentage()).isEqualTo(100);
        assertThat(flipped.finishedAtMillis()).isEqualTo(lastAt());
        assertThat(status("n5")).isEqualTo(NodeInfo.ACTIVE);
        assertThat(state.ring().nodes()).contains("n5");
        Migration started = state.migration(change.id());
        assertThat(started.status()).isEqualTo(Migration.IN_PROGRESS);
        assertThat(started.startedAtMillis()).isEqualTo(lastAt());
        assertThat(started.tasks()).isNotEmpty()
                .allSatisfy(task -> assertThat(task.tenantId()).isEqualTo("acme"));

        finishAll(started);

        assertThat(state.tenant("acme").replicationFactor()).isEqualTo(3);
        assertThat(state.migration(change.id()).status()).isEqualTo(Migration.COMPLETED);
        assertThat(state.migration(change.id()).percentage()).isEqualTo(100);
        assertThat(state.runningMigration()).isNull();
        assertThat(state.placement().moving()).isFalse();
    }

    @Test
    void reportsProgressWithoutFlippingUntilEveryTaskIsDone() {
        cluster(3, Map.of("acme", 2));
        ok(registerNode("n4"));
        Migration addition = state.runningMigration();
        int events = state.auditEvents().size();

        ok(report(addition.id(), "n4", 10, List.of(addition.tasks().get(0).index())));

        Migration progressed = state.migration(addition.id());
        assertThat(progressed.running()).isTrue();
        assertThat(progressed.keysMigrated()).isEqualTo(10);
        assertThat(progressed.percentage()).isBetween(0.0, 99.9);
        assertThat(status("n4")).isEqualTo(NodeInfo.JOINING);
        // Progress reports are not audited.
        assertThat(state.auditEvents()).hasSize(events);
        assertThat(state.version()).isEqualTo(index);
    }

    @Test
    void removalFlipsTheDrainingNodeToInactive() {
        cluster(3, Map.of("acme", 2));
        ok(remove("n2", false));
        Migration deletion = state.runningMigration();
        assertThat(deletion.type()).isEqualTo(Migration.NODE_DELETION);
        assertThat(deletion.tasks()).isNotEmpty()
                .allSatisfy(task -> assertThat(task.target()).isNotEqualTo("n2"));

        finishAll(deletion);

        assertThat(status("n2")).isEqualTo(NodeInfo.INACTIVE);
        assertThat(state.ring().nodes()).containsExactly("n1", "n3");
        assertThat(state.migration(deletion.id()).status()).isEqualTo(Migration.COMPLETED);
    }

    @Test
    void reportsForFinishedOrUnknownMigrationsChangeNothingButTheVersion() {
        cluster(3, Map.of("acme", 2));
        ok(registerNode("n4"));
        Migration addition = state.runningMigration();
        finishAll(addition);
        ClusterMetadata before = state;

        ok(report(addition.id(), "n4", 1_000_000, List.of(0)));
        assertSameButVersion(before, state);
        ClusterMetadata afterLate = state;

        ok(report("m-404", "n4", 5, List.of(0)));
        assertSameButVersion(afterLate, state);
    }

    @Test
    void loweringTheReplicationFactorFlipsOnceTheStayingReplicasHaveWhatTheLeavingOnesHold() {
        cluster(3, Map.of("acme", 3));

        ok(new MetadataCommand.UpdateReplicationFactor("acme", 1, 1));

        // The factor stays 3 while each staying replica takes in what the two leaving hold.
        assertThat(state.tenant("acme").replicationFactor()).isEqualTo(3);
        Migration change = state.runningMigration();
        assertThat(change.type()).isEqualTo(Migration.REPLICATION_CHANGE);
        assertThat(change.tasks()).isNotEmpty().allSatisfy(task ->
                assertThat(task.sources()).hasSize(1).doesNotContain(task.target()));
        finishAll(change);
        assertThat(state.tenant("acme").replicationFactor()).isEqualTo(1);
        assertThat(state.migration(change.id()).status()).isEqualTo(Migration.COMPLETED);
        assertThat(state.migration(change.id()).percentage()).isEqualTo(100);
        assertThat(state.runningMigration()).isNull();
    }

    @Test
    void theLastReplicationFactorAskedForIsTheOneATenantEndsWith() {
        cluster(3, Map.of("acme", 2));
        ok(registerNode("n4"));
        Migration addition = state.runningMigration();
        ok(new MetadataCommand.UpdateReplicationFactor("acme", 3, 1));

        // Back to the factor the tenant has now: the queued change to 3 must not win.
        ok(new MetadataCommand.UpdateReplicationFactor("acme", 2, 1));
        finishAll(addition);
        while (state.runningMigration() != null) {
            finishAll(state.runningMigration());
        }

        assertThat(state.tenant("acme").replicationFactor()).isEqualTo(2);
        // Asking again for the factor the queue ends with changes nothing.
        ok(new MetadataCommand.UpdateReplicationFactor("acme", 2, 1));
        assertThat(state.runningMigration()).isNull();
        assertThat(state.auditEvents().get(state.auditEvents().size() - 1).details())
                .isEqualTo("tenant 'acme' keeps replication factor 2");
    }

    // ------------------------------------------------------------------------ cancelling

    @Test
    void cancelRefusesUnknownAndFinishedMigrations() {
        cluster(3, Map.of("acme", 3));
        ok(new MetadataCommand.UpdateReplicationFactor("acme", 1, 1));
        finishAll(state.runningMigration());
        String finished = state.migrations().get(0).id();

        CairnException unknown = refused(cancel("m-404"));
        assertThat(unknown.code()).isEqualTo(ErrorCode.MIGRATION_NOT_FOUND);
        assertThat(unknown.getMessage()).isEqualTo("no migration with id 'm-404'");

        CairnException ended = refused(cancel(finished));
        assertThat(ended.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(ended.getMessage()).isEqualTo("migration '" + finished
                + "' has ended already: completed");
    }

    @Test
    void cancellingARunningAdditionPutsTheNodeBackOnStandby() {
        cluster(3, Map.of("acme", 2));
        ok(registerNode("n4"));
        Migration addition = state.runningMigration();

        ok(new MetadataCommand.CancelMigration(addition.id(), "wrong node", at()));

        Migration cancelled = state.migration(addition.id());
        assertThat(cancelled.status()).isEqualTo(Migration.CANCELLED);
        assertThat(cancelled.reason()).isEqualTo("wrong node");
        assertThat(cancelled.percentage()).isLessThan(100);
        assertThat(status("n4")).isEqualTo(NodeInfo.STANDBY);
        assertThat(state.placement().moving()).isFalse();
        // Reports that arrive afterwards change nothing.
        ClusterMetadata before = state;
        ok(report(addition.id(), "n4", 5, taskIndexes(addition)));
        assertSameButVersion(before, state);
        assertThat(status("n4")).isEqualTo(NodeInfo.STANDBY);
    }

    @Test
    void cancellingARunningRemovalKeepsTheNodeActiveAndStartsTheNextOne() {
        cluster(3, Map.of("acme", 2));
        ok(remove("n2", false));
        Migration deletion = state.runningMigration();
        ok(new MetadataCommand.UpdateReplicationFactor("acme", 3, 1));
        String change = state.migrations().get(1).id();

        ok(cancel(deletion.id()));

        assertThat(state.migration(deletion.id()).status()).isEqualTo(Migration.CANCELLED);
        assertThat(state.migration(deletion.id()).reason()).isEqualTo("cancelled");
        assertThat(status("n2")).isEqualTo(NodeInfo.ACTIVE);
        assertThat(state.ring().nodes()).containsExactly("n1", "n2", "n3");
        assertThat(state.runningMigration().id()).isEqualTo(change);
    }

    @Test
    void cancellingAWaitingMigrationLeavesTheRunningOne() {
        cluster(3, Map.of("acme", 2));
        ok(registerNode("n4"));
        String addition = state.runningMigration().id();
        ok(new MetadataCommand.UpdateReplicationFactor("acme", 3, 1));
        String change = state.migrations().get(1).id();

        ok(cancel(change));

        assertThat(state.migration(change).status()).isEqualTo(Migration.CANCELLED);
        assertThat(state.runningMigration().id()).isEqualTo(addition);
        assertThat(status("n4")).isEqualTo(NodeInfo.JOINING);
    }

    // ------------------------------------------------------------------------ forced removal

    @Test
    void forcedRemovalOfTheOnlySourceOfARunningMigrationFailsIt() {
        cluster(3, Map.of("acme", 1));
        ok(registerNode("n4"));
        Migration addition = state.runningMigration();
        assertThat(addition.tasks()).anySatisfy(task ->
                assertThat(task.sources()).containsExactly("n1"));

        ok(remove("n1", true));

        Migration failed = state.migration(addition.id());
        assertThat(failed.status()).isEqualTo(Migration.FAILED);
        assertThat(failed.reason()).contains("'n1'");
        assertThat(failed.finishedAtMillis()).isEqualTo(lastAt());
        assertThat(status("n4")).isEqualTo(NodeInfo.STANDBY);
        // At replication factor 1 nothing else holds n1's keys: the removal's tasks are lost,
        // so it flips at once, naming the loss.
        Migration deletion = state.migrations().get(1);
        assertThat(deletion.type()).isEqualTo(Migration.NODE_DELETION);
        assertThat(deletion.force()).isTrue();
        assertThat(deletion.tasks()).isNotEmpty().allSatisfy(task -> {
            assertThat(task.lost()).isTrue();
            assertThat(task.sources()).isEmpty();
        });
        assertThat(deletion.status()).isEqualTo(Migration.COMPLETED);
        assertThat(deletion.reason()).contains("'n1'", "lost");
        assertThat(status("n1")).isEqualTo(NodeInfo.INACTIVE);
    }

    @Test
    void forcedRemovalNeverUsesTheGoneNodeAsASource() {
        cluster(4, Map.of("acme", 2));

        ok(remove("n1", true));

        Migration deletion = state.runningMigration();
        assertThat(deletion.force()).isTrue();
        assertThat(deletion.tasks()).isNotEmpty().allSatisfy(task -> {
            assertThat(task.sources()).hasSize(1).doesNotContain("n1");
            assertThat(task.lost()).isFalse();
        });
        assertThat(status("n1")).isEqualTo(NodeInfo.DRAINING);
    }

    // ------------------------------------------------------------------------ placement, codec

    @Test
    void placementDuringARunningAdditionGivesPendingReplicasToTheJoiningNode() {
        cluster(3, Map.of("acme", 2));
        ok(registerNode("n4"));
        Placement placement = state.placement();

        assertThat(placement.moving()).isTrue();
        Random random = new Random(7);
        int pending = 0;
        for (int i = 0; i < 2_000; i++) {
            Placement.Replicas replicas = placement.replicas("acme", 2, random.nextLong());
            assertThat(replicas.natural()).hasSize(2).doesNotContain("n4");
            assertThat(replicas.pending()).isSubsetOf("n4");
            pending += replicas.pending().size();
        }
        assertThat(pending).isPositive();

        finishAll(state.runningMigration());
        assertThat(state.placement().moving()).isFalse();
        assertThat(state.placement().owners().nodes()).contains("n4");
    }

    @Test
    void stateWithMigrationsRoundTripsThroughTheCodec() {
        cluster(3, Map.of("acme", 3, "beta", 1));
        ok(new MetadataCommand.UpdateReplicationFactor("acme", 2, 1));
        finishAll(state.runningMigration());
        ok(registerNode("n4"));
        Migration addition = state.runningMigration();
        ok(report(addition.id(), "n4", 12, List.of(addition.tasks().get(0).index())));
        ok(new MetadataCommand.UpdateReplicationFactor("beta", 2, 1));
        ok(remove("n2", true));
        assertThat(state.migrations()).extracting(Migration::status).containsExactly(
                Migration.COMPLETED, Migration.FAILED, Migration.IN_PROGRESS, Migration.PENDING);

        byte[] bytes = MetadataCodec.encodeState(state);
        ClusterMetadata decoded = MetadataCodec.decodeState(bytes);

        assertThat(decoded.migrations()).isEqualTo(state.migrations());
        assertThat(decoded.runningMigration()).isEqualTo(state.runningMigration());
        assertThat(MetadataCodec.encodeState(decoded)).isEqualTo(bytes);
    }

    // ------------------------------------------------------------------------ helpers

    /** Registers n1..nN, then creates each tenant at its factor. */
    private void cluster(int nodes, Map<String, Integer> tenants) {
        for (int i = 1; i <= nodes; i++) {
            ok(registerNode("n" + i));
        }
        new TreeMap<>(tenants).forEach((tenant, rf) ->
                ok(new MetadataCommand.CreateTenant(tenant, rf, 1_700_000_000L)));
    }

    private void ok(MetadataCommand command) {
        index++;
        Applied applied = MetadataStateMachine.apply(state, stamped(command, index), index);
        assertThat(applied.ok()).as("%s: %s", command, applied.error()).isTrue();
        assertThat(applied.state().version()).isEqualTo(index);
        state = applied.state();
    }

    private CairnException refused(MetadataCommand command) {
        Applied applied = MetadataStateMachine.apply(state, stamped(command, index + 1),
                index + 1);
        assertThat(applied.ok()).as("%s", command).isFalse();
        assertThat(applied.state()).isSameAs(state);
        return applied.error();
    }

    /** The wall clock a new command carries: its entry's, as its proposer stamps both. */
    private long at() {
        return Entries.MILLIS_BASE + index + 1;
    }

    /** When the last applied entry was proposed. */
    private long lastAt() {
        return Entries.MILLIS_BASE + index;
    }

    private static MetadataCommand.RegisterNode standby(String nodeId) {
        return new MetadataCommand.RegisterNode(nodeId, "10.0.0." + nodeId.substring(1), 7070,
                7071, 8, null, true);
    }

    private MetadataCommand.RemoveNode remove(String nodeId, boolean force) {
        return new MetadataCommand.RemoveNode(nodeId, force, at());
    }

    private MetadataCommand.CancelMigration cancel(String migrationId) {
        return new MetadataCommand.CancelMigration(migrationId, null, at());
    }

    private MetadataCommand.ReportMigration report(String migrationId, String target, long keys,
                                                   List<Integer> doneTasks) {
        return new MetadataCommand.ReportMigration(migrationId, target, keys, keys * 10,
                keys * 2, keys * 20, doneTasks, at());
    }

    /** Each target reports all its tasks done; the last report flips the migration. */
    private void finishAll(Migration migration) {
        Map<String, List<Integer>> byTarget = migration.tasks().stream().collect(
                Collectors.groupingBy(Migration.Task::target, TreeMap::new,
                        Collectors.mapping(Migration.Task::index, Collectors.toList())));
        byTarget.forEach((target, tasks) -> ok(report(migration.id(), target, 10, tasks)));
    }

    private static List<Integer> taskIndexes(Migration migration) {
        return migration.tasks().stream().map(Migration.Task::index).toList();
    }

    private String status(String nodeId) {
        return state.nodes().get(nodeId).status();
    }

    private static void assertSameButVersion(ClusterMetadata before, ClusterMetadata after) {
        assertThat(after.version()).isGreaterThan(before.version());
        assertThat(after.migrations()).isEqualTo(before.migrations());
        assertThat(after.nodes()).isEqualTo(before.nodes());
        assertThat(after.tenants()).isEqualTo(before.tenants());
        assertThat(after.auditEvents()).isEqualTo(before.auditEvents());
    }
}
