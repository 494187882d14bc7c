package io.cairndb.server.control;

import io.cairndb.core.CairnException;
import io.cairndb.core.ErrorCode;
import io.cairndb.core.Migration;
import io.cairndb.core.TokenAllocator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies metadata log entries to a state. Deterministic and free of I/O (no clock is read: times
 * come from the entry, stamped by its proposer): the same state and entry give the same result on
 * every member, so any log of entries (local, or replicated by Raft) can drive it, and replaying
 * it gives the same state, audit log included. A command that breaks a rule leaves the state as
 * it was and reports why; it adds no audit event.
 */
public final class MetadataStateMachine {

    /** The state after a command, and the command's outcome. */
    public record Applied(ClusterMetadata state, CairnException error) {

        public boolean ok() {
            return error == null;
        }
    }

    private MetadataStateMachine() {
    }

    /**
     * Applies the command of {@code entry} as the log entry at {@code index}. A command that
     * succeeds gives a state at version {@code index} whose audit log ends with one event for it,
     * stamped with the entry's proposer times; a refused one gives back {@code state} unchanged.
     */
    public static Applied apply(ClusterMetadata state, MetadataEntry entry, long index) {
        if (index <= state.version()) {
            throw new IllegalStateException("metadata log index " + index
                    + " does not follow version " + state.version());
        }
        MetadataCommand command = entry.command();
        try {
            ClusterMetadata next;
            if (command instanceof MetadataCommand.CreateTenant create) {
                next = createTenant(state, create, stamp(entry, index));
            } else if (command instanceof MetadataCommand.UpdateReplicationFactor update) {
                next = updateRf(state, update, stamp(entry, index));
            } else if (command instanceof MetadataCommand.RegisterNode register) {
                next = registerNode(state, register, stamp(entry, index));
            } else if (command instanceof MetadataCommand.UpdateConfig update) {
                next = updateConfig(state, update, stamp(entry, index));
            } else if (command instanceof MetadataCommand.AddNode add) {
                next = Migrations.addNode(state, add, stamp(entry, index));
            } else if (command instanceof MetadataCommand.RemoveNode remove) {
                next = Migrations.removeNode(state, remove, stamp(entry, index));
            } else if (command instanceof MetadataCommand.ReportMigration report) {
                next = Migrations.report(state, report, stamp(entry, index));
            } else if (command instanceof MetadataCommand.CancelMigration cancel) {
                next = Migrations.cancel(state, cancel, stamp(entry, index));
            } else {
                throw new IllegalStateException("unknown metadata command " + command);
            }
            return new Applied(next, null);
        } catch (CairnException e) {
            return new Applied(state, e);
        }
    }

    /** The parts of an audit event that come from the log entry rather than the command. */
    record Stamp(long index, long hlc, long atMillis, String actor) {

        AuditEvent event(String action, String tenantId, String nodeId, String details) {
            return new AuditEvent(index, hlc, atMillis, action, tenantId, nodeId, actor, details,
                    null);
        }

        AuditEvent configEvent(String details, ClusterConfig config) {
            return new AuditEvent(index, hlc, atMillis, AuditEvent.UPDATE_CONFIG, null, null,
                    actor, details, config);
        }
    }

    private static Stamp stamp(MetadataEntry entry, long index) {
        return new Stamp(index, entry.hlc(), entry.atMillis(), entry.actor());
    }

    private static ClusterMetadata createTenant(ClusterMetadata state,
                                                MetadataCommand.CreateTenant command,
                                                Stamp stamp) {
        if (state.tenants().containsKey(command.tenantId())) {
            throw new CairnException(ErrorCode.TENANT_EXISTS, "tenant '" + command.tenantId()
                    + "' already exists");
        }
        int rf = command.replicationFactor();
        if (rf == 0) {
            rf = Math.min(state.config().replicationFactorDefault(),
                    Math.max(1, state.storageNodeCount()));
        }
        checkReplicationFactor("replication_factor", rf, state);
        Map<String, TenantInfo> tenants = new HashMap<>(state.tenants());
        tenants.put(command.tenantId(), new TenantInfo(command.tenantId(), rf, command.atSeconds(),
                command.atSeconds()));
        return state.with(tenants, state.nodes(), stamp.event("create_tenant",
                command.tenantId(), null, "tenant '" + command.tenantId()
                        + "' created with replication factor " + rf));
    }

    private static ClusterMetadata updateRf(ClusterMetadata state,
                                            MetadataCommand.UpdateReplicationFactor command,
                                            Stamp stamp) {
        TenantInfo tenant = state.tenant(command.tenantId());
        if (tenant == null) {
            throw new CairnException(ErrorCode.TENANT_NOT_FOUND, "tenant '" + command.tenantId()
                    + "' does not exist");
        }
        checkReplicationFactor("new_replication_factor", command.replicationFactor(), state);
        // Compared with the factor the changes already queued will leave, so that the last one
        // asked for is the one the tenant ends with.
        int queued = Migrations.queuedFactor(state, tenant);
        if (command.replicationFactor() == queued) {
            return state.with(state.tenants(), state.nodes(), stamp.event(
                    "update_replication_factor", command.tenantId(), null, "tenant '"
                            + command.tenantId() + "' keeps replication factor " + queued));
        }
        // A change of replication factor moves data: new replicas are streamed their ranges
        // before reads count on them, and the tenant keeps its factor until the migration flips.
        return Migrations.changeReplicationFactor(state, command, stamp);
    }

    static void checkReplicationFactor(String field, int rf, ClusterMetadata state) {
        if (rf < 1) {
            throw new CairnException(ErrorCode.INVALID_REPLICATION_FACTOR, field + " is " + rf
                    + "; it must be at least 1");
        }
        int nodes = state.storageNodeCount();
        if (rf > nodes) {
            throw new CairnException(ErrorCode.INVALID_REPLICATION_FACTOR, field + " is " + rf
                    + " but the cluster has " + nodes + " storage node" + (nodes == 1 ? "" : "s")
                    + "; a key cannot have more replicas than there are nodes");
        }
    }

    private static ClusterMetadata registerNode(ClusterMetadata state,
                                                MetadataCommand.RegisterNode command,
                                                Stamp stamp) {
        Map<String, NodeInfo> nodes = new HashMap<>(state.nodes());
        NodeInfo known = nodes.get(command.nodeId());
        if (known != null) {
            nodes.put(command.nodeId(), new NodeInfo(known.nodeId(), command.host(),
                    command.port(), command.peerPort(), known.status(), known.virtualNodes(),
                    known.tokens(), command.raftAddress()));
            String details = known.host().equals(command.host()) && known.port() == command.port()
                    && known.peerPort() == command.peerPort()
                    ? "storage node '" + command.nodeId() + "' registered again at "
                            + address(command)
                    : "storage node '" + command.nodeId() + "' moved from " + known.host() + ":"
                            + known.port() + " (peer port " + known.peerPort() + ") to "
                            + address(command);
            return state.with(state.tenants(), nodes, stamp.event("register_node", null,
                    command.nodeId(), details));
        }
        int vnodes = command.virtualNodes() == 0 ? state.config().virtualNodesDefault()
                : command.virtualNodes();
        Map<String, long[]> existing = new HashMap<>();
        Map<String, Integer> weights = new HashMap<>();
        for (NodeInfo node : nodes.values()) {
            existing.put(node.nodeId(), node.tokens());
            weights.put(node.nodeId(), node.virtualNodes());
        }
        long[] tokens = TokenAllocator.allocate(existing, weights, command.nodeId(), vnodes);
        // A cluster without tenants holds no data: a node owns its ranges at once. Otherwise it
        // joins through a migration that streams them to it, or waits for an operator.
        boolean holdsData = !state.tenants().isEmpty() && state.storageNodeCount() > 0;
        String status = !holdsData ? NodeInfo.ACTIVE
                : command.standby() ? NodeInfo.STANDBY : NodeInfo.JOINING;
        nodes.put(command.nodeId(), new NodeInfo(command.nodeId(), command.host(), command.port(),
                command.peerPort(), status, vnodes, tokens, command.raftAddress()));
        ClusterMetadata registered = state.with(state.tenants(), nodes, stamp.event(
                "register_node", null, command.nodeId(), "storage node '" + command.nodeId()
                        + "' " + (NodeInfo.STANDBY.equals(status) ? "registered, waiting to be "
                        + "added," : NodeInfo.JOINING.equals(status) ? "joining" : "added")
                        + " at " + address(command) + " with " + vnodes + " virtual nodes"));
        return NodeInfo.JOINING.equals(status)
                ? Migrations.enqueue(registered, Migration.NODE_ADDITION, command.nodeId(), null,
                        0, false, stamp)
                : registered;
    }

    private static String address(MetadataCommand.RegisterNode command) {
        return command.host() + ":" + command.port() + " (peer port " + command.peerPort() + ")";
    }

    private static ClusterMetadata updateConfig(ClusterMetadata state,
                                                MetadataCommand.UpdateConfig command,
                                                Stamp stamp) {
        if (command.namesNoField()) {
            throw CairnException.invalid("update names no setting to change: set at least one of "
                    + "replication_factor, read_consistency, write_consistency, "
                    + "compaction_policy, virtual_nodes");
        }
        String problem = command.problem();
        if (problem != null) {
            throw CairnException.invalid(problem);
        }
        ClusterConfig before = state.config();
        ClusterConfig after = command.applyTo(before);
        List<String> changes = new ArrayList<>();
        change(changes, "replication_factor", before.replicationFactorDefault(),
                after.replicationFactorDefault());
        change(changes, "read_consistency", before.readConsistencyDefault(),
                after.readConsistencyDefault());
        change(changes, "write_consistency", before.writeConsistencyDefault(),
                after.writeConsistencyDefault());
        change(changes, "compaction_policy", before.compactionPolicy(),
                after.compactionPolicy());
        change(changes, "virtual_nodes", before.virtualNodesDefault(),
                after.virtualNodesDefault());
        if (changes.isEmpty()) {
            // Logged and audited, but not a configuration change: watchers hear nothing.
            return state.with(state.tenants(), state.nodes(), stamp.event(
                    AuditEvent.UPDATE_CONFIG, null, null, "configuration unchanged"));
        }
        return state.withConfig(after, stamp.configEvent(String.join(", ", changes), after));
    }

    private static void change(List<String> changes, String field, Object before, Object after) {
        if (!before.equals(after)) {
            changes.add(field + " " + before + " -> " + after);
        }
    }
}
