package io.cairndb.server.coordinator;

import io.cairndb.api.AddStorageNodeRequest;
import io.cairndb.api.AddStorageNodeResponse;
import io.cairndb.api.CreateTenantRequest;
import io.cairndb.api.CreateTenantResponse;
import io.cairndb.api.GetMigrationStatusRequest;
import io.cairndb.api.GetMigrationStatusResponse;
import io.cairndb.api.GetTenantRequest;
import io.cairndb.api.GetTenantResponse;
import io.cairndb.api.ListStorageNodesRequest;
import io.cairndb.api.ListStorageNodesResponse;
import io.cairndb.api.RemoveStorageNodeRequest;
import io.cairndb.api.RemoveStorageNodeResponse;
import io.cairndb.api.StorageNodeInfo;
import io.cairndb.api.UpdateReplicationFactorRequest;
import io.cairndb.api.UpdateReplicationFactorResponse;
import io.cairndb.core.CairnException;
import io.cairndb.core.ErrorCode;
import io.cairndb.core.Validation;
import io.cairndb.server.control.ClusterConfig;
import io.cairndb.server.control.ClusterMetadata;
import io.cairndb.server.control.MetadataCommand;
import io.cairndb.server.control.MetadataStore;
import io.cairndb.server.control.NodeInfo;
import io.cairndb.server.control.TenantInfo;
import io.cairndb.server.replica.ReplicaRouter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Serves the seed contract's tenant and storage-node requests: tenants are created and changed
 * through the control plane's metadata log; storage nodes are listed with what each reports of
 * itself. Key operations are {@link Coordinator}'s.
 */
public final class ClusterAdministration {

    private final String nodeId;
    private final MetadataStore metadata;
    private final ReplicaRouter router;
    private final LongSupplier wallMillis;
    private final NodeStats localStats;

    public ClusterAdministration(MetadataStore metadata, ReplicaRouter router,
                                 LongSupplier wallMillis, NodeStats localStats) {
        this.nodeId = router.selfNodeId();
        this.metadata = metadata;
        this.router = router;
        this.wallMillis = wallMillis;
        this.localStats = localStats;
    }

    // ----------------------------------------------------------------------------- tenants

    public CompletableFuture<CreateTenantResponse> createTenant(CreateTenantRequest request) {
        String tenantId = Validation.tenantId(request.getTenantId());
        Validation.replicationFactor("replication_factor", request.getReplicationFactor());
        return metadata.submit(new MetadataCommand.CreateTenant(tenantId,
                        request.getReplicationFactor(), nowSeconds()))
                .thenApply(applied -> {
                    if (!applied.ok()) {
                        throw applied.error();
                    }
                    TenantInfo tenant = applied.state().tenant(tenantId);
                    return CreateTenantResponse.newBuilder()
                            .setSuccess(true)
                            .setTenantId(tenantId)
                            .setReplicationFactor(tenant.replicationFactor())
                            .setCreatedAt(tenant.createdAt())
                            .build();
                });
    }

    public CompletableFuture<GetTenantResponse> getTenant(GetTenantRequest request) {
        TenantInfo tenant = Coordinator.requireTenant(metadata, request.getTenantId());
        return CompletableFuture.completedFuture(GetTenantResponse.newBuilder()
                .setSuccess(true)
                .setTenantId(tenant.tenantId())
                .setReplicationFactor(tenant.replicationFactor())
                .setCreatedAt(tenant.createdAt())
                .setUpdatedAt(tenant.updatedAt())
                .build());
    }

    public CompletableFuture<UpdateReplicationFactorResponse> updateReplicationFactor(
            UpdateReplicationFactorRequest request) {
        TenantInfo before = Coordinator.requireTenant(metadata, request.getTenantId());
        int rf = request.getNewReplicationFactor();
        if (rf < 1) {
            throw new CairnException(ErrorCode.INVALID_REPLICATION_FACTOR,
                    "new_replication_factor is " + rf + "; it must be at least 1");
        }
        return metadata.submit(new MetadataCommand.UpdateReplicationFactor(before.tenantId(), rf,
                        nowSeconds()))
                .thenApply(applied -> {
                    if (!applied.ok()) {
                        throw applied.error();
                    }
                    TenantInfo after = applied.state().tenant(before.tenantId());
                    return UpdateReplicationFactorResponse.newBuilder()
                            .setSuccess(true)
                            .setTenantId(after.tenantId())
                            .setOldReplicationFactor(before.replicationFactor())
                            .setNewReplicationFactor(after.replicationFactor())
                            .setUpdatedAt(after.updatedAt())
                            .build();
                });
    }

    // ----------------------------------------------------------------------- storage nodes

    public CompletableFuture<AddStorageNodeResponse> addStorageNode(AddStorageNodeRequest request) {
        String node = requireNodeId(request.getNodeId());
        if (request.getHost().isBlank()) {
            throw CairnException.invalid("host is required: the address the node listens on");
        }
        if (request.getPort() < 1 || request.getPort() > 65535) {
            throw CairnException.invalid("port is " + request.getPort()
                    + "; it must be between 1 and 65535");
        }
        if (request.getVirtualNodes() < 0 || request.getVirtualNodes() > ClusterConfig.VIRTUAL_NODES_MAX) {
            throw CairnException.invalid("virtual_nodes is " + request.getVirtualNodes()
                    + "; it must be between 0 (the default, "
                    + metadata.current().config().virtualNodesDefault() + ") and "
                    + ClusterConfig.VIRTUAL_NODES_MAX);
        }
        if (metadata.current().nodes().containsKey(node)) {
            throw new CairnException(ErrorCode.NODE_IN_USE, "node '" + node
                    + "' is already a member of the cluster");
        }
        throw CairnException.invalid("cannot add storage node '" + node + "' at "
                + request.getHost() + ":" + request.getPort() + ": this cluster runs on a single "
                + "node, and adding storage nodes is not available yet");
    }

    public CompletableFuture<RemoveStorageNodeResponse> removeStorageNode(
            RemoveStorageNodeRequest request) {
        String node = requireNodeId(request.getNodeId());
        ClusterMetadata state = metadata.current();
        if (!state.nodes().containsKey(node)) {
            throw CairnException.invalid("node '" + node + "' is not a member of the cluster; "
                    + "ListStorageNodes shows the members");
        }
        if (state.storageNodeCount() <= 1) {
            throw new CairnException(ErrorCode.NODE_IN_USE, "node '" + node + "' is the only "
                    + "storage node and holds every replica; it cannot be removed"
                    + (request.getForce() ? ", even with force" : ""));
        }
        throw new CairnException(ErrorCode.NODE_IN_USE, "node '" + node + "' holds replicas, "
                + "and draining a node is not available yet");
    }

    public CompletableFuture<GetMigrationStatusResponse> getMigrationStatus(
            GetMigrationStatusRequest request) {
        if (request.getMigrationId().isBlank()) {
            throw CairnException.invalid("migration_id is required");
        }
        throw new CairnException(ErrorCode.MIGRATION_NOT_FOUND, "no migration with id '"
                + Validation.printable(request.getMigrationId()) + "'");
    }

    public CompletableFuture<ListStorageNodesResponse> listStorageNodes(
            ListStorageNodesRequest request) {
        List<NodeInfo> nodes = List.copyOf(metadata.current().nodes().values());
        List<CompletableFuture<StorageNodeInfo>> infos = new ArrayList<>(nodes.size());
        Map<String, Long> offsets = router.clockOffsets();
        for (NodeInfo node : nodes) {
            StorageNodeInfo.Builder info = StorageNodeInfo.newBuilder()
                    .setNodeId(node.nodeId())
                    .setHost(node.host())
                    .setPort(node.port())
                    .setStatus(node.status())
                    .setVirtualNodes(node.virtualNodes())
                    .setAlive(router.isAlive(node.nodeId()));
            Long offset = node.nodeId().equals(nodeId) ? Long.valueOf(0)
                    : offsets.get(node.nodeId());
            if (offset != null) {
                info.setClockOffsetMillis(offset);
            }
            if (node.nodeId().equals(nodeId)) {
                infos.add(CompletableFuture.completedFuture(info
                        .setKeysCount(localStats.keysCount())
                        .setDiskUsagePercent(localStats.diskUsagePercent())
                        .setHintsPending(localStats.hintsPending())
                        .build()));
            } else {
                infos.add(router.stats(node.nodeId()).handle((stats, error) -> error != null
                        ? info.setAlive(false).build()
                        : info.setKeysCount(stats.getKeysCount())
                                .setDiskUsagePercent(stats.getDiskUsagePercent())
                                .setHintsPending(stats.getHintsPending()).build()));
            }
        }
        return CompletableFuture.allOf(infos.toArray(new CompletableFuture<?>[0]))
                .thenApply(ignored -> {
                    ListStorageNodesResponse.Builder response = ListStorageNodesResponse
                            .newBuilder().setSuccess(true);
                    infos.forEach(info -> response.addNodes(info.join()));
                    return response.build();
                });
    }

    private static String requireNodeId(String node) {
        if (node.isEmpty()) {
            throw CairnException.invalid("node_id is required");
        }
        if (!Validation.NODE_ID.matcher(node).matches()) {
            throw CairnException.invalid("node_id '" + Validation.printable(node) + "' is "
                    + "invalid: it must be 1-64 characters of letters, digits, '_', '.' or '-', "
                    + "starting with a letter or digit");
        }
        return node;
    }

    private long nowSeconds() {
        return wallMillis.getAsLong() / 1000;
    }
}
