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
import io.cairndb.api.MigrationProgress;
import io.cairndb.api.RemoveStorageNodeRequest;
import io.cairndb.api.RemoveStorageNodeResponse;
import io.cairndb.api.StorageNodeInfo;
import io.cairndb.api.UpdateReplicationFactorRequest;
import io.cairndb.api.UpdateReplicationFactorResponse;
import io.cairndb.core.CairnException;
import io.cairndb.core.ErrorCode;
import io.cairndb.core.Migration;
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
    private final long streamBytesPerSecond;

    public ClusterAdministration(MetadataStore metadata, ReplicaRouter router,
                                 LongSupplier wallMillis, NodeStats localStats,
                                 long streamBytesPerSecond) {
        this.streamBytesPerSecond = streamBytesPerSecond;
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
                    ClusterMetadata state = applied.state();
                    TenantInfo after = state.tenant(before.tenantId());
                    Migration started = state.migration(ClusterMetadata.migrationIdAt(
                            state.version()));
                    UpdateReplicationFactorResponse.Builder response =
                            UpdateReplicationFactorResponse.newBuilder()
                                    .setSuccess(true)
                                    .setTenantId(after.tenantId())
                                    .setOldReplicationFactor(before.replicationFactor())
                                    .setNewReplicationFactor(rf)
                                    .setUpdatedAt(after.updatedAt());
                    if (started != null) {
                        response.setMigrationId(started.id());
                    }
                    return response.build();
                });
    }

    // ----------------------------------------------------------------------- storage nodes

    /**
     * Adds a node that registered with {@code cairn server --join ... --wait-for-operator}. For a
     * node whose addition is under way or done, answers with that migration.
     */
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
        NodeInfo known = metadata.current().nodes().get(node);
        if (known != null && (!known.host().equals(request.getHost())
                || known.port() != request.getPort())) {
            throw new CairnException(ErrorCode.NODE_IN_USE, "node '" + node + "' is already a "
                    + "member of the cluster, at " + known.host() + ":" + known.port() + ", not "
                    + request.getHost() + ":" + request.getPort());
        }
        if (known != null && !NodeInfo.STANDBY.equals(known.status())
                && !NodeInfo.INACTIVE.equals(known.status())) {
            return CompletableFuture.completedFuture(added(metadata.current(), node,
                    "node '" + node + "' is " + known.status()));
        }
        return metadata.submit(new MetadataCommand.AddNode(node, request.getHost(),
                        request.getPort(), wallMillis.getAsLong()))
                .thenApply(applied -> {
                    if (!applied.ok()) {
                        throw applied.error();
                    }
                    return added(applied.state(), node, "node '" + node + "' is joining; its "
                            + "ranges are streaming to it");
                });
    }

    private AddStorageNodeResponse added(ClusterMetadata state, String node, String message) {
        Migration migration = latest(state, Migration.NODE_ADDITION, node);
        AddStorageNodeResponse.Builder response = AddStorageNodeResponse.newBuilder()
                .setSuccess(true).setNodeId(node).setMessage(message);
        if (migration != null) {
            response.setMigrationId(migration.id())
                    .setEstimatedCompletion(estimatedCompletion(state, migration));
        }
        return response.build();
    }

    public CompletableFuture<RemoveStorageNodeResponse> removeStorageNode(
            RemoveStorageNodeRequest request) {
        String node = requireNodeId(request.getNodeId());
        ClusterMetadata state = metadata.current();
        if (!state.nodes().containsKey(node)) {
            throw CairnException.invalid("node '" + node + "' is not a member of the cluster; "
                    + "ListStorageNodes shows the members");
        }
        if (state.storageNodeCount() <= 1 && state.nodes().get(node).ownsData()) {
            throw new CairnException(ErrorCode.NODE_IN_USE, "node '" + node + "' is the only "
                    + "storage node and holds every replica; it cannot be removed"
                    + (request.getForce() ? ", even with force" : ""));
        }
        return metadata.submit(new MetadataCommand.RemoveNode(node, request.getForce(),
                        wallMillis.getAsLong()))
                .thenApply(applied -> {
                    if (!applied.ok()) {
                        throw applied.error();
                    }
                    ClusterMetadata after = applied.state();
                    Migration migration = latest(after, Migration.NODE_DELETION, node);
                    RemoveStorageNodeResponse.Builder response = RemoveStorageNodeResponse
                            .newBuilder().setSuccess(true).setNodeId(node);
                    if (migration == null) {
                        return response.setMessage("node '" + node + "' held no data and is "
                                + "removed").build();
                    }
                    return response.setMigrationId(migration.id())
                            .setMessage("node '" + node + "' is draining; its ranges are "
                                    + "streaming to their new owners")
                            .setEstimatedCompletion(estimatedCompletion(after, migration))
                            .build();
                });
    }

    public CompletableFuture<GetMigrationStatusResponse> getMigrationStatus(
            GetMigrationStatusRequest request) {
        if (request.getMigrationId().isBlank()) {
            throw CairnException.invalid("migration_id is required");
        }
        ClusterMetadata state = metadata.current();
        Migration migration = state.migration(request.getMigrationId());
        if (migration == null) {
            throw new CairnException(ErrorCode.MIGRATION_NOT_FOUND, "no migration with id '"
                    + Validation.printable(request.getMigrationId()) + "' (finished migrations "
                    + "are kept for the newest " + ClusterMetadata.FINISHED_MIGRATIONS_KEPT + ")");
        }
        GetMigrationStatusResponse.Builder response = GetMigrationStatusResponse.newBuilder()
                .setSuccess(true)
                .setMigrationId(migration.id())
                .setType(migration.type())
                .setStatus(migration.status())
                .setProgress(MigrationProgress.newBuilder()
                        .setKeysMigrated(migration.keysMigrated())
                        .setTotalKeys(migration.totalKeys())
                        .setPercentage((float) migration.percentage()))
                .setStartedAt(migration.startedAtMillis() / 1000)
                .setEstimatedCompletion(estimatedCompletion(state, migration));
        String subject = migration.nodeId() != null ? migration.nodeId() : migration.tenantId();
        if (subject != null) {
            response.setNodeId(subject);
        }
        if (migration.reason() != null) {
            response.setErrorMessage(migration.reason());
        }
        return CompletableFuture.completedFuture(response.build());
    }

    /**
     * When {@code migration} should end (Unix seconds): from the rate measured so far, or, before
     * it has moved anything, from the rate of the last completed migration, else the configured
     * stream rate. A finished migration answers its end; one with nothing measured yet, 0.
     */
    long estimatedCompletion(ClusterMetadata state, Migration migration) {
        long now = wallMillis.getAsLong();
        if (migration.finished()) {
            return migration.finishedAtMillis() / 1000;
        }
        long remaining = migration.totalBytes() - migration.bytesMigrated();
        double bytesPerMilli = 0;
        double bytesPerKey = 256;
        long elapsed = now - migration.startedAtMillis();
        if (migration.running() && migration.bytesMigrated() > 0 && elapsed > 0) {
            bytesPerMilli = (double) migration.bytesMigrated() / elapsed;
        } else {
            for (Migration done : state.migrations()) {
                long took = done.finishedAtMillis() - done.startedAtMillis();
                if (Migration.COMPLETED.equals(done.status()) && done.bytesMigrated() > 0
                        && took > 0) {
                    bytesPerMilli = (double) done.bytesMigrated() / took;
                    bytesPerKey = (double) done.bytesMigrated() / Math.max(1,
                            done.keysMigrated());
                }
            }
            if (bytesPerMilli == 0) {
                bytesPerMilli = streamBytesPerSecond / 1000.0;
            }
        }
        if (migration.totalBytes() == 0) {
            // Not measured yet: about one node's share of the data moves.
            remaining = (long) (localStats.keysCount() * bytesPerKey);
        }
        return (now + (long) (Math.max(0, remaining) / bytesPerMilli)) / 1000;
    }

    // The newest migration of {@code type} about {@code node}.
    private static Migration latest(ClusterMetadata state, String type, String node) {
        Migration found = null;
        for (Migration migration : state.migrations()) {
            if (type.equals(migration.type()) && node.equals(migration.nodeId())) {
                found = migration;
            }
        }
        return found;
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
