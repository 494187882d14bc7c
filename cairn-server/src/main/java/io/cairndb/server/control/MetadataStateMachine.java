package io.cairndb.server.control;

import io.cairndb.core.CairnException;
import io.cairndb.core.ErrorCode;
import io.cairndb.core.TokenAllocator;
import java.util.HashMap;
import java.util.Map;

/**
 * Applies metadata commands to a state. Deterministic and free of I/O: the same state and command
 * give the same result on every member, so any log of commands (local today, replicated by Raft
 * later) can drive it. A command that breaks a rule leaves the state as it was and reports why.
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

    public static Applied apply(ClusterMetadata state, MetadataCommand command, long index) {
        try {
            ClusterMetadata next;
            if (command instanceof MetadataCommand.CreateTenant create) {
                next = createTenant(state, create, index);
            } else if (command instanceof MetadataCommand.UpdateReplicationFactor update) {
                next = updateRf(state, update, index);
            } else if (command instanceof MetadataCommand.RegisterNode register) {
                next = registerNode(state, register, index);
            } else {
                throw new IllegalStateException("unknown metadata command " + command);
            }
            return new Applied(next, null);
        } catch (CairnException e) {
            return new Applied(state, e);
        }
    }

    private static ClusterMetadata createTenant(ClusterMetadata state,
                                                MetadataCommand.CreateTenant command, long index) {
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
        return state.with(index, tenants, state.nodes());
    }

    private static ClusterMetadata updateRf(ClusterMetadata state,
                                            MetadataCommand.UpdateReplicationFactor command,
                                            long index) {
        TenantInfo tenant = state.tenant(command.tenantId());
        if (tenant == null) {
            throw new CairnException(ErrorCode.TENANT_NOT_FOUND, "tenant '" + command.tenantId()
                    + "' does not exist");
        }
        checkReplicationFactor("new_replication_factor", command.replicationFactor(), state);
        if (command.replicationFactor() == tenant.replicationFactor()) {
            return state.with(index, state.tenants(), state.nodes());
        }
        // Within what the cluster can hold, a change of replication factor moves data: new
        // replicas must be streamed their ranges before reads may count on them.
        throw new CairnException(ErrorCode.INVALID_REPLICATION_FACTOR, "changing tenant '"
                + command.tenantId() + "' from replication factor " + tenant.replicationFactor()
                + " to " + command.replicationFactor() + " needs data movement between nodes, "
                + "which this cluster cannot do yet");
    }

    private static void checkReplicationFactor(String field, int rf, ClusterMetadata state) {
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
                                                MetadataCommand.RegisterNode command, long index) {
        Map<String, NodeInfo> nodes = new HashMap<>(state.nodes());
        NodeInfo known = nodes.get(command.nodeId());
        if (known != null) {
            nodes.put(command.nodeId(), new NodeInfo(known.nodeId(), command.host(),
                    command.port(), command.peerPort(), known.status(), known.virtualNodes(),
                    known.tokens()));
            return state.with(index, state.tenants(), nodes);
        }
        if (!state.tenants().isEmpty() && !nodes.isEmpty()) {
            throw new CairnException(ErrorCode.INVALID_REQUEST, "cannot add storage node '"
                    + command.nodeId() + "': the cluster already holds tenant data, and moving "
                    + "data to a new node is not available yet");
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
        nodes.put(command.nodeId(), new NodeInfo(command.nodeId(), command.host(), command.port(),
                command.peerPort(), NodeInfo.ACTIVE, vnodes, tokens));
        return state.with(index, state.tenants(), nodes);
    }
}
