package io.cairndb.client;

import io.cairndb.api.AddStorageNodeResponse;
import io.cairndb.api.BatchWriteItemResult;
import io.cairndb.api.BatchWriteResponse;
import io.cairndb.api.CreateTenantResponse;
import io.cairndb.api.DeleteKeyValueResponse;
import io.cairndb.api.ErrorCode;
import io.cairndb.api.GetMigrationStatusResponse;
import io.cairndb.api.GetTenantResponse;
import io.cairndb.api.ListStorageNodesResponse;
import io.cairndb.api.RangeQueryItem;
import io.cairndb.api.RangeQueryResponse;
import io.cairndb.api.ReadKeyValueResponse;
import io.cairndb.api.RemoveStorageNodeResponse;
import io.cairndb.api.StorageNodeInfo;
import io.cairndb.api.UpdateReplicationFactorResponse;
import io.cairndb.api.WriteKeyValueResponse;
import io.cairndb.api.admin.CancelMigrationResponse;
import io.cairndb.api.admin.CleanupNodeResponse;
import io.cairndb.api.admin.ClusterViewNode;
import io.cairndb.api.admin.ControlMembershipResponse;
import io.cairndb.api.admin.GetClusterViewResponse;
import io.cairndb.api.admin.GetConfigResponse;
import io.cairndb.api.admin.GetControlStatusResponse;
import io.cairndb.api.admin.ListAuditEventsResponse;
import io.cairndb.api.admin.ListMigrationsResponse;
import io.cairndb.api.admin.NodeView;
import io.cairndb.api.admin.UpdateConfigResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Converts the contract's responses into the client's records, throwing the typed exception when
 * the server refused the request.
 */
final class Responses {

    private Responses() {
    }

    static WriteResult write(WriteKeyValueResponse response) {
        refuseUnless(response.getSuccess(), response.getErrorCode(), response.getErrorMessage());
        return new WriteResult(response.getKey(), response.getIdempotencyKey(),
                VectorClocks.fromWire(response.getVectorClock()), response.getReplicaCount(),
                response.getConsistency(), response.getIsDuplicate());
    }

    static WriteResult delete(DeleteKeyValueResponse response) {
        refuseUnless(response.getSuccess(), response.getErrorCode(), response.getErrorMessage());
        return new WriteResult(response.getKey(), response.getIdempotencyKey(),
                VectorClocks.fromWire(response.getVectorClock()), response.getReplicaCount(),
                response.getConsistency(), response.getIsDuplicate());
    }

    static ReadResult read(ReadKeyValueResponse response) {
        refuseUnless(response.getSuccess(), response.getErrorCode(), response.getErrorMessage());
        return new ReadResult(response.getKey(), response.getValue().toByteArray(),
                VectorClocks.fromWire(response.getVectorClock()), response.getReplicaCount(),
                response.getConsistency());
    }

    /**
     * A batch the server refused as a whole (no per-item results) throws; a batch with failed
     * items is returned, each item saying how it fared.
     */
    static BatchResult batch(BatchWriteResponse response) {
        if (!response.getSuccess() && response.getResultsCount() == 0) {
            throw Errors.fromResponse(response.getErrorCode(), response.getErrorMessage());
        }
        List<BatchItemResult> results = new ArrayList<>(response.getResultsCount());
        for (BatchWriteItemResult item : response.getResultsList()) {
            results.add(new BatchItemResult(item.getKey(), item.getSuccess(),
                    item.getIdempotencyKey(), VectorClocks.fromWire(item.getVectorClock()),
                    item.getReplicaCount(), item.getIsDuplicate(), known(item.getErrorCode()),
                    item.getErrorMessage()));
        }
        return new BatchResult(results, response.getConsistency(), response.getSucceededCount(),
                response.getFailedCount());
    }

    static RangePage range(RangeQueryResponse response) {
        refuseUnless(response.getSuccess(), response.getErrorCode(), response.getErrorMessage());
        List<KeyValue> items = new ArrayList<>(response.getItemsCount());
        for (RangeQueryItem item : response.getItemsList()) {
            items.add(new KeyValue(item.getKey(), item.getValue().toByteArray(),
                    VectorClocks.fromWire(item.getVectorClock())));
        }
        return new RangePage(items, response.getNextPageToken());
    }

    static Tenant tenant(CreateTenantResponse response) {
        refuseUnless(response.getSuccess(), response.getErrorCode(), response.getErrorMessage());
        Instant createdAt = instant(response.getCreatedAt());
        return new Tenant(response.getTenantId(), response.getReplicationFactor(), createdAt,
                createdAt);
    }

    static Tenant tenant(GetTenantResponse response) {
        refuseUnless(response.getSuccess(), response.getErrorCode(), response.getErrorMessage());
        return new Tenant(response.getTenantId(), response.getReplicationFactor(),
                instant(response.getCreatedAt()), instant(response.getUpdatedAt()));
    }

    static RfChange rfChange(UpdateReplicationFactorResponse response) {
        refuseUnless(response.getSuccess(), response.getErrorCode(), response.getErrorMessage());
        return new RfChange(response.getTenantId(), response.getOldReplicationFactor(),
                response.getNewReplicationFactor(), response.getMigrationId(),
                instant(response.getUpdatedAt()));
    }

    static NodeChange nodeChange(AddStorageNodeResponse response) {
        refuseUnless(response.getSuccess(), response.getErrorCode(), response.getErrorMessage());
        return new NodeChange(response.getNodeId(), response.getMigrationId(),
                response.getMessage(), instant(response.getEstimatedCompletion()));
    }

    static NodeChange nodeChange(RemoveStorageNodeResponse response) {
        refuseUnless(response.getSuccess(), response.getErrorCode(), response.getErrorMessage());
        return new NodeChange(response.getNodeId(), response.getMigrationId(),
                response.getMessage(), instant(response.getEstimatedCompletion()));
    }

    static MigrationStatus migration(GetMigrationStatusResponse response) {
        refuseUnless(response.getSuccess(), response.getErrorCode(), response.getErrorMessage());
        return new MigrationStatus(response.getMigrationId(), response.getType(),
                response.getNodeId(), response.getStatus(),
                response.getProgress().getKeysMigrated(), response.getProgress().getTotalKeys(),
                decimal(response.getProgress().getPercentage()), instant(response.getStartedAt()),
                instant(response.getEstimatedCompletion()));
    }

    static List<StorageNode> nodes(ListStorageNodesResponse response) {
        refuseUnless(response.getSuccess(), response.getErrorCode(), response.getErrorMessage());
        List<StorageNode> nodes = new ArrayList<>(response.getNodesCount());
        for (StorageNodeInfo node : response.getNodesList()) {
            nodes.add(new StorageNode(node.getNodeId(), node.getHost(), node.getPort(),
                    node.getStatus(), node.getVirtualNodes(), node.getKeysCount(),
                    decimal(node.getDiskUsagePercent()), node.getAlive(),
                    node.getHintsPending(),
                    node.hasClockOffsetMillis() ? node.getClockOffsetMillis() : null));
        }
        return List.copyOf(nodes);
    }

    // ------------------------------------------------------------------------------ admin

    static VersionedConfig config(GetConfigResponse response) {
        refuseUnless(response.getSuccess(), response.getErrorCode(), response.getErrorMessage());
        return new VersionedConfig(config(response.getConfig()), response.getVersion());
    }

    static VersionedConfig config(UpdateConfigResponse response) {
        refuseUnless(response.getSuccess(), response.getErrorCode(), response.getErrorMessage());
        return new VersionedConfig(config(response.getConfig()), response.getVersion());
    }

    static ClusterConfig config(io.cairndb.api.admin.ClusterConfig config) {
        return new ClusterConfig(config.getReplicationFactor(), config.getReadConsistency(),
                config.getWriteConsistency(), config.getCompactionPolicy(),
                config.getVirtualNodes());
    }

    static ConfigChange configChange(io.cairndb.api.admin.ConfigChange change) {
        return new ConfigChange(change.getVersion(), config(change.getConfig()),
                instantMillis(change.getChangedAtMillis()));
    }

    static ClusterView clusterView(GetClusterViewResponse response) {
        refuseUnless(response.getSuccess(), response.getErrorCode(), response.getErrorMessage());
        List<ClusterView.Node> nodes = new ArrayList<>(response.getMembersCount());
        for (ClusterViewNode node : response.getMembersList()) {
            nodes.add(new ClusterView.Node(node.getNodeId(), node.getHost(), node.getPort(),
                    node.getPeerPort(), node.getStatus(), node.getVirtualNodes(),
                    node.getAlive()));
        }
        return new ClusterView(response.getVersion(), nodes);
    }

    static ControlStatus controlStatus(GetControlStatusResponse response) {
        refuseUnless(response.getSuccess(), response.getErrorCode(), response.getErrorMessage());
        List<ControlStatus.NodeView> nodes = new ArrayList<>(response.getNodesCount());
        for (NodeView node : response.getNodesList()) {
            nodes.add(new ControlStatus.NodeView(node.getNodeId(), node.getViewVersion(),
                    node.getAlive(),
                    node.hasClockOffsetMillis() ? node.getClockOffsetMillis() : null));
        }
        return new ControlStatus(response.getMemberId(), response.getLeaderId(),
                response.getTerm(), response.getCommitIndex(), response.getAppliedIndex(),
                response.getRole(), members(response.getMembersList()), nodes,
                response.getNotVotingList(), response.getClockRefusal());
    }

    static List<ControlMember> members(ControlMembershipResponse response) {
        refuseUnless(response.getSuccess(), response.getErrorCode(), response.getErrorMessage());
        return members(response.getMembersList());
    }

    private static List<ControlMember> members(List<io.cairndb.api.admin.ControlMember> wire) {
        List<ControlMember> members = new ArrayList<>(wire.size());
        for (io.cairndb.api.admin.ControlMember member : wire) {
            members.add(new ControlMember(member.getMemberId(), member.getRaftAddress(),
                    member.getLeader()));
        }
        return List.copyOf(members);
    }

    static List<AuditEvent> auditEvents(ListAuditEventsResponse response) {
        refuseUnless(response.getSuccess(), response.getErrorCode(), response.getErrorMessage());
        List<AuditEvent> events = new ArrayList<>(response.getEventsCount());
        for (io.cairndb.api.admin.AuditEvent event : response.getEventsList()) {
            events.add(new AuditEvent(event.getId(), event.getVersion(), event.getHlc(),
                    instantMillis(event.getAtMillis()), event.getAction(), event.getTenantId(),
                    event.getNodeId(), event.getActor(), event.getDetails()));
        }
        return List.copyOf(events);
    }

    static List<MigrationInfo> migrations(ListMigrationsResponse response) {
        refuseUnless(response.getSuccess(), response.getErrorCode(), response.getErrorMessage());
        List<MigrationInfo> migrations = new ArrayList<>(response.getMigrationsCount());
        for (io.cairndb.api.admin.MigrationInfo migration : response.getMigrationsList()) {
            migrations.add(migration(migration));
        }
        return List.copyOf(migrations);
    }

    static MigrationInfo migration(CancelMigrationResponse response) {
        refuseUnless(response.getSuccess(), response.getErrorCode(), response.getErrorMessage());
        return migration(response.getMigration());
    }

    private static MigrationInfo migration(io.cairndb.api.admin.MigrationInfo wire) {
        return new MigrationInfo(wire.getMigrationId(), wire.getType(), wire.getNodeId(),
                wire.getTenantId(), wire.getStatus(), wire.getKeysMigrated(),
                wire.getTotalKeys(), wire.getBytesMigrated(), wire.getTotalBytes(),
                decimal(wire.getPercentage()), instantMillis(wire.getStartedAtMillis()),
                instantMillis(wire.getFinishedAtMillis()), wire.getReason(), wire.getTasks(),
                wire.getTasksDone(), wire.getTasksLost());
    }

    static CleanupResult cleanup(CleanupNodeResponse response) {
        refuseUnless(response.getSuccess(), response.getErrorCode(), response.getErrorMessage());
        return new CleanupResult(response.getNodeId(), response.getKeysDeleted());
    }

    /** The admin contract's timestamps are Unix milliseconds; 0 means the server did not say. */
    private static Instant instantMillis(long unixMillis) {
        return unixMillis == 0 ? null : Instant.ofEpochMilli(unixMillis);
    }

    private static void refuseUnless(boolean success, ErrorCode code, String message) {
        if (!success) {
            throw Errors.fromResponse(code, message);
        }
    }

    private static ErrorCode known(ErrorCode code) {
        return code == ErrorCode.UNRECOGNIZED ? ErrorCode.UNKNOWN : code;
    }

    /** The float's shortest decimal form as a double, so 12.3f reads 12.3 and not 12.30000019. */
    private static double decimal(float value) {
        return Double.parseDouble(Float.toString(value));
    }

    /** The contract's timestamps are Unix seconds; 0 means the server did not say. */
    private static Instant instant(long unixSeconds) {
        return unixSeconds == 0 ? null : Instant.ofEpochSecond(unixSeconds);
    }
}
