package io.cairndb.server.control;

import io.cairndb.core.CairnException;
import io.cairndb.core.ErrorCode;
import io.cairndb.core.Migration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The metadata commands that move data: adding and removing nodes, changing a tenant's
 * replication factor, progress reports, the flip and cancellation. Part of
 * {@link MetadataStateMachine}: pure and deterministic.
 *
 * <p>Migrations run one at a time, in the order they were asked for; the others wait as
 * {@code pending} and start, in the same log entry, when the one before them ends. A migration
 * that has nothing to stream flips as it starts.
 */
final class Migrations {

    private Migrations() {
    }

    static ClusterMetadata addNode(ClusterMetadata state, MetadataCommand.AddNode command,
                                   MetadataStateMachine.Stamp stamp) {
        NodeInfo node = state.nodes().get(command.nodeId());
        if (node == null) {
            throw CairnException.invalid("cannot add storage node '" + command.nodeId()
                    + "': it has not registered; start it first with `cairn server --join "
                    + "<member> --wait-for-operator` (or without --wait-for-operator to have it "
                    + "added at once)");
        }
        if (!node.host().equals(command.host()) || node.port() != command.port()) {
            throw CairnException.invalid("node '" + command.nodeId() + "' registered at "
                    + node.host() + ":" + node.port() + ", not at " + command.host() + ":"
                    + command.port());
        }
        if (!NodeInfo.STANDBY.equals(node.status()) && !NodeInfo.INACTIVE.equals(node.status())) {
            throw new CairnException(ErrorCode.NODE_IN_USE, "node '" + command.nodeId()
                    + "' is already " + node.status());
        }
        Map<String, NodeInfo> nodes = new HashMap<>(state.nodes());
        nodes.put(node.nodeId(), node.withStatus(NodeInfo.JOINING));
        ClusterMetadata joining = state.with(state.tenants(), nodes, stamp.event("add_node", null,
                node.nodeId(), "storage node '" + node.nodeId() + "' joining"));
        return enqueue(joining, Migration.NODE_ADDITION, node.nodeId(), null, 0, false, stamp);
    }

    static ClusterMetadata removeNode(ClusterMetadata state, MetadataCommand.RemoveNode command,
                                      MetadataStateMachine.Stamp stamp) {
        NodeInfo node = state.nodes().get(command.nodeId());
        if (node == null) {
            throw CairnException.invalid("node '" + command.nodeId() + "' is not a member of the "
                    + "cluster; ListStorageNodes shows the members");
        }
        if (NodeInfo.INACTIVE.equals(node.status())) {
            throw CairnException.invalid("node '" + command.nodeId() + "' was removed already");
        }
        Map<String, NodeInfo> nodes = new HashMap<>(state.nodes());
        if (NodeInfo.STANDBY.equals(node.status())) {
            nodes.put(node.nodeId(), node.withStatus(NodeInfo.INACTIVE));
            return state.with(state.tenants(), nodes, stamp.event("remove_node", null,
                    node.nodeId(), "storage node '" + node.nodeId() + "' removed (it held no "
                            + "data)"));
        }
        if (NodeInfo.JOINING.equals(node.status())) {
            throw new CairnException(ErrorCode.NODE_IN_USE, "node '" + node.nodeId()
                    + "' is joining: cancel its migration first (cairn migration cancel "
                    + additionOf(state, node.nodeId()) + ")");
        }
        if (NodeInfo.DRAINING.equals(node.status())) {
            throw new CairnException(ErrorCode.NODE_IN_USE, "node '" + node.nodeId()
                    + "' is being removed already");
        }
        int remaining = (int) state.nodes().values().stream()
                .filter(other -> NodeInfo.ACTIVE.equals(other.status())
                        && !other.nodeId().equals(node.nodeId()))
                .count();
        for (TenantInfo tenant : state.tenants().values()) {
            int rf = Math.max(tenant.replicationFactor(), pendingFactor(state, tenant.tenantId()));
            if (rf > remaining) {
                throw new CairnException(ErrorCode.NODE_IN_USE, "cannot remove node '"
                        + node.nodeId() + "': tenant '" + tenant.tenantId() + "' has replication "
                        + "factor " + rf + " and only " + remaining + " storage node"
                        + (remaining == 1 ? "" : "s") + " would remain");
            }
        }
        List<Migration> migrations = new ArrayList<>(state.migrations());
        if (command.force()) {
            // A node gone for good can no longer send what a running migration needs from it.
            Migration running = state.runningMigration();
            if (running != null && needs(running, node.nodeId())) {
                migrations.set(migrations.indexOf(running), running.finishedAs(Migration.FAILED,
                        command.atMillis(), "node '" + node.nodeId() + "', which it needed, was "
                                + "removed for good"));
                nodes = new HashMap<>(reverted(state, running));
            }
        }
        nodes.put(node.nodeId(), nodes.get(node.nodeId()).withStatus(NodeInfo.DRAINING));
        ClusterMetadata draining = state.with(stamp.index(), state.tenants(), nodes, migrations,
                stamp.event("remove_node", null, node.nodeId(), "storage node '"
                        + node.nodeId() + "' draining" + (command.force() ? " (forced: its "
                        + "ranges are copied from the other replicas)" : "")));
        return enqueue(draining, Migration.NODE_DELETION, node.nodeId(), null, 0,
                command.force(), stamp);
    }

    /** Queues a migration, and starts it if none is running. */
    static ClusterMetadata enqueue(ClusterMetadata state, String type, String nodeId,
                                   String tenantId, int replicationFactorAfter, boolean force,
                                   MetadataStateMachine.Stamp stamp) {
        List<Migration> migrations = new ArrayList<>(state.migrations());
        Migration queued = Migration.pending(ClusterMetadata.migrationIdAt(stamp.index()), type,
                nodeId, tenantId, replicationFactorAfter, force, stamp.atMillis());
        if (force) {
            // A dead node must leave before anything else is planned, or a migration waiting
            // behind it would be planned with the dead node as a target and never finish.
            int first = 0;
            while (first < migrations.size() && !Migration.PENDING.equals(
                    migrations.get(first).status())) {
                first++;
            }
            migrations.add(first, queued);
        } else {
            migrations.add(queued);
        }
        return advance(state.replacing(state.tenants(), state.nodes(), migrations),
                stamp.atMillis());
    }

    static ClusterMetadata changeReplicationFactor(
            ClusterMetadata state, MetadataCommand.UpdateReplicationFactor command,
            MetadataStateMachine.Stamp stamp) {
        TenantInfo tenant = state.tenant(command.tenantId());
        ClusterMetadata logged = state.with(state.tenants(), state.nodes(), stamp.event(
                "update_replication_factor", tenant.tenantId(), null, "tenant '"
                        + tenant.tenantId() + "' moving from replication factor "
                        + tenant.replicationFactor() + " to " + command.replicationFactor()));
        return enqueue(logged, Migration.REPLICATION_CHANGE, null, tenant.tenantId(),
                command.replicationFactor(), false, stamp);
    }

    static ClusterMetadata report(ClusterMetadata state, MetadataCommand.ReportMigration command,
                                  MetadataStateMachine.Stamp stamp) {
        List<Migration> migrations = new ArrayList<>(state.migrations());
        Migration migration = state.migration(command.migrationId());
        AuditEvent flipped = null;
        // A report that arrives after its migration ended changes nothing, but still takes its
        // place in the log. Progress is not audited; the flip it may bring is.
        if (migration != null && migration.running()) {
            Migration progressed = migration.progressed(command.target(), new Migration.Progress(
                    command.keysMoved(), command.bytesMoved(), command.totalKeys(),
                    command.totalBytes()), new HashSet<>(command.doneTasks()));
            migrations.set(migrations.indexOf(migration), progressed);
            if (progressed.allTasksDone()) {
                flipped = stamp.event("migration_completed", progressed.tenantId(),
                        progressed.nodeId(), "migration '" + progressed.id() + "' ("
                                + progressed.type() + ") flipped: " + progressed.keysMigrated()
                                + " keys moved");
            }
        }
        return advance(state.with(stamp.index(), state.tenants(), state.nodes(), migrations,
                flipped), command.atMillis());
    }

    static ClusterMetadata cancel(ClusterMetadata state, MetadataCommand.CancelMigration command,
                                  MetadataStateMachine.Stamp stamp) {
        Migration migration = state.migration(command.migrationId());
        if (migration == null) {
            throw new CairnException(ErrorCode.MIGRATION_NOT_FOUND, "no migration with id '"
                    + command.migrationId() + "'");
        }
        if (migration.finished()) {
            throw CairnException.invalid("migration '" + migration.id() + "' has ended already: "
                    + migration.status());
        }
        String why = command.reason() == null || command.reason().isBlank() ? "cancelled"
                : command.reason();
        List<Migration> migrations = new ArrayList<>(state.migrations());
        migrations.set(migrations.indexOf(migration), migration.finishedAs(Migration.CANCELLED,
                command.atMillis(), why));
        ClusterMetadata cancelled = state.with(stamp.index(), state.tenants(),
                reverted(state, migration), migrations, stamp.event("cancel_migration",
                        migration.tenantId(), migration.nodeId(), "migration '" + migration.id()
                                + "' (" + migration.type() + ") cancelled: " + why));
        return advance(cancelled, command.atMillis());
    }

    /**
     * Flips the running migration if all its tasks are done, then starts the next waiting one,
     * and so on while migrations have nothing to stream.
     */
    static ClusterMetadata advance(ClusterMetadata state, long atMillis) {
        while (true) {
            Migration running = state.runningMigration();
            if (running != null) {
                if (!running.allTasksDone()) {
                    return state;
                }
                state = flip(state, running, atMillis);
                continue;
            }
            Migration next = state.migrations().stream().filter(m -> Migration.PENDING.equals(
                    m.status())).findFirst().orElse(null);
            if (next == null) {
                return state;
            }
            List<Migration> migrations = new ArrayList<>(state.migrations());
            migrations.set(migrations.indexOf(next), next.started(plan(state, next), atMillis,
                    state.version()));
            state = state.replacing(state.tenants(), state.nodes(), migrations);
        }
    }

    private static List<Migration.Task> plan(ClusterMetadata state, Migration migration) {
        Map<String, Integer> factors = new TreeMap<>();
        state.tenants().values().forEach(t -> factors.put(t.tenantId(), t.replicationFactor()));
        Set<String> gone = new HashSet<>();
        state.nodes().values().stream().filter(n -> !n.ownsData()).forEach(n -> gone.add(
                n.nodeId()));
        if (migration.force()) {
            gone.add(migration.nodeId());
        }
        if (Migration.REPLICATION_CHANGE.equals(migration.type())) {
            return Migration.plan(factors, state.ring(), state.ring(), migration.tenantId(),
                    migration.replicationFactorAfter(), gone);
        }
        return Migration.plan(factors, state.ring(), state.futureRing(migration), null, 0, gone);
    }

    /** Every task done: the new owners take over, and the migration completes. */
    private static ClusterMetadata flip(ClusterMetadata state, Migration migration,
                                        long atMillis) {
        Map<String, NodeInfo> nodes = new HashMap<>(state.nodes());
        Map<String, TenantInfo> tenants = new HashMap<>(state.tenants());
        switch (migration.type()) {
            case Migration.NODE_ADDITION -> nodes.computeIfPresent(migration.nodeId(),
                    (id, node) -> node.withStatus(NodeInfo.ACTIVE));
            case Migration.NODE_DELETION -> nodes.computeIfPresent(migration.nodeId(),
                    (id, node) -> node.withStatus(NodeInfo.INACTIVE));
            default -> tenants.computeIfPresent(migration.tenantId(), (id, tenant) ->
                    new TenantInfo(id, migration.replicationFactorAfter(), tenant.createdAt(),
                            atMillis / 1000));
        }
        List<Migration.Task> lost = migration.lostTasks();
        String why = lost.isEmpty() ? null : lost.size() + " task(s) of tenant(s) "
                + lost.stream().map(Migration.Task::tenantId).distinct().toList()
                + " had no replica left to copy from: keys whose only copy was on '"
                + migration.nodeId() + "' are lost";
        List<Migration> migrations = new ArrayList<>(state.migrations());
        migrations.set(migrations.indexOf(migration), migration.finishedAs(Migration.COMPLETED,
                atMillis, why));
        return state.replacing(tenants, nodes, migrations);
    }

    /** Node statuses as they were before {@code migration} began. */
    private static Map<String, NodeInfo> reverted(ClusterMetadata state, Migration migration) {
        Map<String, NodeInfo> nodes = new HashMap<>(state.nodes());
        if (Migration.NODE_ADDITION.equals(migration.type())) {
            nodes.computeIfPresent(migration.nodeId(), (id, node) ->
                    node.withStatus(NodeInfo.STANDBY));
        } else if (Migration.NODE_DELETION.equals(migration.type())) {
            nodes.computeIfPresent(migration.nodeId(), (id, node) ->
                    node.withStatus(NodeInfo.ACTIVE));
        }
        return nodes;
    }

    // Whether the migration streams to or from the node, or is about it: sources are chosen
    // to keep acknowledged writes reachable, so one that is gone cannot be swapped for another.
    static boolean needs(Migration migration, String nodeId) {
        if (nodeId.equals(migration.nodeId())) {
            return true;
        }
        return migration.tasks().stream().anyMatch(task -> !task.done()
                && (task.target().equals(nodeId) || task.sources().contains(nodeId)));
    }

    private static String additionOf(ClusterMetadata state, String nodeId) {
        return state.migrations().stream().filter(m -> !m.finished()
                        && Migration.NODE_ADDITION.equals(m.type()) && nodeId.equals(m.nodeId()))
                .map(Migration::id).findFirst().orElse("?");
    }

    /**
     * The factor {@code tenant} has once its waiting and running replication changes have
     * flipped: the last one asked for, or its factor now if none is queued.
     */
    static int queuedFactor(ClusterMetadata state, TenantInfo tenant) {
        int factor = tenant.replicationFactor();
        for (Migration migration : state.migrations()) {
            if (!migration.finished() && Migration.REPLICATION_CHANGE.equals(migration.type())
                    && tenant.tenantId().equals(migration.tenantId())) {
                factor = migration.replicationFactorAfter();
            }
        }
        return factor;
    }

    // The factor a waiting or running change will give the tenant, or 0.
    private static int pendingFactor(ClusterMetadata state, String tenantId) {
        return state.migrations().stream().filter(m -> !m.finished()
                        && Migration.REPLICATION_CHANGE.equals(m.type())
                        && tenantId.equals(m.tenantId()))
                .mapToInt(Migration::replicationFactorAfter).max().orElse(0);
    }
}
