package io.cairndb.client;

import com.google.protobuf.ByteString;
import io.cairndb.api.AddStorageNodeRequest;
import io.cairndb.api.BatchWriteItem;
import io.cairndb.api.BatchWriteRequest;
import io.cairndb.api.CoordinatorServiceGrpc;
import io.cairndb.api.CoordinatorServiceGrpc.CoordinatorServiceBlockingStub;
import io.cairndb.api.CoordinatorServiceGrpc.CoordinatorServiceStub;
import io.cairndb.api.CreateTenantRequest;
import io.cairndb.api.DeleteKeyValueRequest;
import io.cairndb.api.ErrorCode;
import io.cairndb.api.GetMigrationStatusRequest;
import io.cairndb.api.GetTenantRequest;
import io.cairndb.api.ListStorageNodesRequest;
import io.cairndb.api.RangeQueryRequest;
import io.cairndb.api.ReadKeyValueRequest;
import io.cairndb.api.RemoveStorageNodeRequest;
import io.cairndb.api.UpdateReplicationFactorRequest;
import io.cairndb.api.WriteKeyValueRequest;
import io.cairndb.api.admin.AddControlMemberRequest;
import io.cairndb.api.admin.AdminServiceGrpc;
import io.cairndb.api.admin.AdminServiceGrpc.AdminServiceBlockingStub;
import io.cairndb.api.admin.AdminServiceGrpc.AdminServiceStub;
import io.cairndb.api.admin.CancelMigrationRequest;
import io.cairndb.api.admin.CleanupNodeRequest;
import io.cairndb.api.admin.GetClusterViewRequest;
import io.cairndb.api.admin.GetConfigRequest;
import io.cairndb.api.admin.GetControlStatusRequest;
import io.cairndb.api.admin.ListAuditEventsRequest;
import io.cairndb.api.admin.ListMigrationsRequest;
import io.cairndb.api.admin.RemoveControlMemberRequest;
import io.cairndb.api.admin.UpdateConfigRequest;
import io.cairndb.api.admin.WatchConfigRequest;
import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The Java client of CairnDB's {@code CoordinatorService} and {@code AdminService}: a sync and an
 * async method for every RPC, each call bounded by the client's deadline (a config watch, which
 * lasts until cancelled, excepted).
 *
 * <p>Domain errors the server reports in-band become {@link CairnException} subclasses named after
 * their {@link io.cairndb.api.ErrorCode}; an unreachable server is {@link
 * CairnUnavailableException} and a missed deadline {@link CairnTimeoutException}. Sync methods
 * throw them; async methods complete their future exceptionally with the same exceptions.
 *
 * <p>A consistency given as null, and an idempotency key given as null, mean "the server's
 * choice": its default level, and a key it generates. Async futures complete on a gRPC thread, so
 * dependent stages that block should name their own executor.
 *
 * <p>A client is thread-safe and meant to be shared; {@link #close} releases the channel it
 * opened (a channel passed to the builder stays open, it belongs to the caller).
 */
public final class CairnClient implements AutoCloseable {

    /** How long a call may take when the builder names no deadline. */
    public static final Duration DEADLINE_DEFAULT = Duration.ofSeconds(10);

    /** The largest message the client sends or accepts: the contract's ceiling on a value. */
    public static final int MESSAGE_SIZE_BYTES_MAX = 64 * 1024 * 1024;

    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final ManagedChannel channel;
    private final boolean channelOwned;
    private final String target;
    private final Duration deadline;
    private final CoordinatorServiceStub asyncStub;
    private final CoordinatorServiceBlockingStub blockingStub;
    private final AdminServiceStub adminAsyncStub;
    private final AdminServiceBlockingStub adminBlockingStub;
    private final Pipeline pipeline;

    private CairnClient(ManagedChannel channel, boolean channelOwned, String target,
            Duration deadline, boolean pipelining) {
        this.channel = channel;
        this.channelOwned = channelOwned;
        this.target = target;
        this.deadline = deadline;
        this.asyncStub = CoordinatorServiceGrpc.newStub(channel)
                .withMaxInboundMessageSize(MESSAGE_SIZE_BYTES_MAX)
                .withMaxOutboundMessageSize(MESSAGE_SIZE_BYTES_MAX);
        this.blockingStub = CoordinatorServiceGrpc.newBlockingStub(channel)
                .withMaxInboundMessageSize(MESSAGE_SIZE_BYTES_MAX)
                .withMaxOutboundMessageSize(MESSAGE_SIZE_BYTES_MAX);
        this.adminAsyncStub = AdminServiceGrpc.newStub(channel)
                .withMaxInboundMessageSize(MESSAGE_SIZE_BYTES_MAX);
        this.adminBlockingStub = AdminServiceGrpc.newBlockingStub(channel)
                .withMaxInboundMessageSize(MESSAGE_SIZE_BYTES_MAX);
        this.pipeline = pipelining ? new Pipeline(asyncStub, target, deadline) : null;
    }

    /** A client of the server at {@code host:port}, over plaintext, with the default deadline. */
    public static CairnClient connect(String target) {
        return builder().target(target).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Where calls go: the target given, or the supplied channel's authority. */
    public String target() {
        return target;
    }

    /** How long each call may take. */
    public Duration deadline() {
        return deadline;
    }

    // ------------------------------------------------------------------------------ write

    public WriteResult write(String tenant, String key, byte[] value) {
        return write(tenant, key, value, (String) null, null);
    }

    /** Writes the string's UTF-8 bytes. */
    public WriteResult write(String tenant, String key, String value) {
        return write(tenant, key, utf8(value), (String) null, null);
    }

    public WriteResult write(String tenant, String key, byte[] value, Consistency consistency) {
        return write(tenant, key, value, wire(consistency), null);
    }

    public WriteResult write(String tenant, String key, byte[] value, String consistency) {
        return write(tenant, key, value, consistency, null);
    }

    public WriteResult write(String tenant, String key, byte[] value, Consistency consistency,
            String idempotencyKey) {
        return write(tenant, key, value, wire(consistency), idempotencyKey);
    }

    /**
     * Writes a value. A retry with the same idempotency key and value returns the first answer
     * with {@link WriteResult#duplicate()} set; the same key with another value throws {@link
     * IdempotencyKeyConflictException}.
     */
    public WriteResult write(String tenant, String key, byte[] value, String consistency,
            String idempotencyKey) {
        WriteKeyValueRequest request = writeRequest(tenant, key, value, consistency,
                idempotencyKey);
        return callSync(stub -> stub.writeKeyValue(request), Responses::write);
    }

    public CompletableFuture<WriteResult> writeAsync(String tenant, String key, byte[] value) {
        return writeAsync(tenant, key, value, (String) null, null);
    }

    public CompletableFuture<WriteResult> writeAsync(String tenant, String key, String value) {
        return writeAsync(tenant, key, utf8(value), (String) null, null);
    }

    public CompletableFuture<WriteResult> writeAsync(String tenant, String key, byte[] value,
            Consistency consistency) {
        return writeAsync(tenant, key, value, wire(consistency), null);
    }

    public CompletableFuture<WriteResult> writeAsync(String tenant, String key, byte[] value,
            String consistency) {
        return writeAsync(tenant, key, value, consistency, null);
    }

    public CompletableFuture<WriteResult> writeAsync(String tenant, String key, byte[] value,
            Consistency consistency, String idempotencyKey) {
        return writeAsync(tenant, key, value, wire(consistency), idempotencyKey);
    }

    public CompletableFuture<WriteResult> writeAsync(String tenant, String key, byte[] value,
            String consistency, String idempotencyKey) {
        WriteKeyValueRequest request = writeRequest(tenant, key, value, consistency,
                idempotencyKey);
        if (pipeline != null) {
            return pipeline.call(call -> call.setWrite(request),
                    result -> Responses.write(result.getWrite()),
                    () -> callAsync(request, CoordinatorServiceStub::writeKeyValue,
                            Responses::write));
        }
        return callAsync(request, CoordinatorServiceStub::writeKeyValue, Responses::write);
    }

    private static WriteKeyValueRequest writeRequest(String tenant, String key, byte[] value,
            String consistency, String idempotencyKey) {
        return WriteKeyValueRequest.newBuilder()
                .setTenantId(Objects.requireNonNull(tenant, "tenant"))
                .setKey(Objects.requireNonNull(key, "key"))
                .setValue(ByteString.copyFrom(Objects.requireNonNull(value, "value")))
                .setConsistency(orEmpty(consistency))
                .setIdempotencyKey(orEmpty(idempotencyKey))
                .build();
    }

    // ------------------------------------------------------------------------------- read

    /**
     * Reads a key's value.
     *
     * @throws KeyNotFoundException when the key holds no live value
     */
    public ReadResult read(String tenant, String key) {
        return read(tenant, key, (String) null);
    }

    public ReadResult read(String tenant, String key, Consistency consistency) {
        return read(tenant, key, wire(consistency));
    }

    public ReadResult read(String tenant, String key, String consistency) {
        ReadKeyValueRequest request = readRequest(tenant, key, consistency);
        return callSync(stub -> stub.readKeyValue(request), Responses::read);
    }

    public CompletableFuture<ReadResult> readAsync(String tenant, String key) {
        return readAsync(tenant, key, (String) null);
    }

    public CompletableFuture<ReadResult> readAsync(String tenant, String key,
            Consistency consistency) {
        return readAsync(tenant, key, wire(consistency));
    }

    public CompletableFuture<ReadResult> readAsync(String tenant, String key, String consistency) {
        ReadKeyValueRequest request = readRequest(tenant, key, consistency);
        if (pipeline != null) {
            return pipeline.call(call -> call.setRead(request),
                    result -> Responses.read(result.getRead()),
                    () -> callAsync(request, CoordinatorServiceStub::readKeyValue,
                            Responses::read));
        }
        return callAsync(request, CoordinatorServiceStub::readKeyValue, Responses::read);
    }

    private static ReadKeyValueRequest readRequest(String tenant, String key, String consistency) {
        return ReadKeyValueRequest.newBuilder()
                .setTenantId(Objects.requireNonNull(tenant, "tenant"))
                .setKey(Objects.requireNonNull(key, "key"))
                .setConsistency(orEmpty(consistency))
                .build();
    }

    // ----------------------------------------------------------------------------- delete

    /** Deletes a key by writing a tombstone; succeeds whether or not the key held a value. */
    public WriteResult delete(String tenant, String key) {
        return delete(tenant, key, (String) null, null);
    }

    public WriteResult delete(String tenant, String key, Consistency consistency) {
        return delete(tenant, key, wire(consistency), null);
    }

    public WriteResult delete(String tenant, String key, String consistency) {
        return delete(tenant, key, consistency, null);
    }

    public WriteResult delete(String tenant, String key, Consistency consistency,
            String idempotencyKey) {
        return delete(tenant, key, wire(consistency), idempotencyKey);
    }

    public WriteResult delete(String tenant, String key, String consistency,
            String idempotencyKey) {
        DeleteKeyValueRequest request = deleteRequest(tenant, key, consistency, idempotencyKey);
        return callSync(stub -> stub.deleteKeyValue(request), Responses::delete);
    }

    public CompletableFuture<WriteResult> deleteAsync(String tenant, String key) {
        return deleteAsync(tenant, key, (String) null, null);
    }

    public CompletableFuture<WriteResult> deleteAsync(String tenant, String key,
            Consistency consistency) {
        return deleteAsync(tenant, key, wire(consistency), null);
    }

    public CompletableFuture<WriteResult> deleteAsync(String tenant, String key,
            String consistency) {
        return deleteAsync(tenant, key, consistency, null);
    }

    public CompletableFuture<WriteResult> deleteAsync(String tenant, String key,
            Consistency consistency, String idempotencyKey) {
        return deleteAsync(tenant, key, wire(consistency), idempotencyKey);
    }

    public CompletableFuture<WriteResult> deleteAsync(String tenant, String key,
            String consistency, String idempotencyKey) {
        DeleteKeyValueRequest request = deleteRequest(tenant, key, consistency, idempotencyKey);
        if (pipeline != null) {
            return pipeline.call(call -> call.setDelete(request),
                    result -> Responses.delete(result.getDelete()),
                    () -> callAsync(request, CoordinatorServiceStub::deleteKeyValue,
                            Responses::delete));
        }
        return callAsync(request, CoordinatorServiceStub::deleteKeyValue, Responses::delete);
    }

    private static DeleteKeyValueRequest deleteRequest(String tenant, String key,
            String consistency, String idempotencyKey) {
        return DeleteKeyValueRequest.newBuilder()
                .setTenantId(Objects.requireNonNull(tenant, "tenant"))
                .setKey(Objects.requireNonNull(key, "key"))
                .setConsistency(orEmpty(consistency))
                .setIdempotencyKey(orEmpty(idempotencyKey))
                .build();
    }

    // ------------------------------------------------------------------------------ batch

    public BatchResult batchWrite(String tenant, List<BatchItem> items) {
        return batchWrite(tenant, items, (String) null);
    }

    public BatchResult batchWrite(String tenant, List<BatchItem> items, Consistency consistency) {
        return batchWrite(tenant, items, wire(consistency));
    }

    /**
     * Writes or deletes many keys of one tenant; each item succeeds or fails on its own and says
     * so in the result.
     *
     * @throws CairnException when the server refuses the batch as a whole (too many items, an
     *     unknown tenant, ...)
     */
    public BatchResult batchWrite(String tenant, List<BatchItem> items, String consistency) {
        BatchWriteRequest request = batchRequest(tenant, items, consistency);
        return callSync(stub -> stub.batchWrite(request), Responses::batch);
    }

    public CompletableFuture<BatchResult> batchWriteAsync(String tenant, List<BatchItem> items) {
        return batchWriteAsync(tenant, items, (String) null);
    }

    public CompletableFuture<BatchResult> batchWriteAsync(String tenant, List<BatchItem> items,
            Consistency consistency) {
        return batchWriteAsync(tenant, items, wire(consistency));
    }

    public CompletableFuture<BatchResult> batchWriteAsync(String tenant, List<BatchItem> items,
            String consistency) {
        BatchWriteRequest request = batchRequest(tenant, items, consistency);
        return callAsync(request, CoordinatorServiceStub::batchWrite, Responses::batch);
    }

    private static BatchWriteRequest batchRequest(String tenant, List<BatchItem> items,
            String consistency) {
        BatchWriteRequest.Builder request = BatchWriteRequest.newBuilder()
                .setTenantId(Objects.requireNonNull(tenant, "tenant"))
                .setConsistency(orEmpty(consistency));
        for (BatchItem item : items) {
            request.addItems(BatchWriteItem.newBuilder()
                    .setKey(item.key())
                    .setValue(ByteString.copyFrom(item.value()))
                    .setDelete(item.delete())
                    .setIdempotencyKey(orEmpty(item.idempotencyKey())));
        }
        return request.build();
    }

    // ------------------------------------------------------------------------------ range

    public RangePage rangeQuery(String tenant, String startKey, String endKey, int limit,
            String pageToken) {
        return rangeQuery(tenant, startKey, endKey, limit, pageToken, (String) null);
    }

    public RangePage rangeQuery(String tenant, String startKey, String endKey, int limit,
            String pageToken, Consistency consistency) {
        return rangeQuery(tenant, startKey, endKey, limit, pageToken, wire(consistency));
    }

    /**
     * One page of a tenant's live keys in key order, within {@code [startKey, endKey)}.
     *
     * @param startKey inclusive; null or empty from the tenant's first key
     * @param endKey exclusive; null or empty to the tenant's last key
     * @param limit items per page; 0 for the server's default
     * @param pageToken the previous page's {@link RangePage#nextPageToken()}; null or empty for
     *     the first page
     */
    public RangePage rangeQuery(String tenant, String startKey, String endKey, int limit,
            String pageToken, String consistency) {
        RangeQueryRequest request = rangeRequest(tenant, startKey, endKey, limit, pageToken,
                consistency);
        return callSync(stub -> stub.rangeQuery(request), Responses::range);
    }

    public CompletableFuture<RangePage> rangeQueryAsync(String tenant, String startKey,
            String endKey, int limit, String pageToken) {
        return rangeQueryAsync(tenant, startKey, endKey, limit, pageToken, (String) null);
    }

    public CompletableFuture<RangePage> rangeQueryAsync(String tenant, String startKey,
            String endKey, int limit, String pageToken, Consistency consistency) {
        return rangeQueryAsync(tenant, startKey, endKey, limit, pageToken, wire(consistency));
    }

    public CompletableFuture<RangePage> rangeQueryAsync(String tenant, String startKey,
            String endKey, int limit, String pageToken, String consistency) {
        RangeQueryRequest request = rangeRequest(tenant, startKey, endKey, limit, pageToken,
                consistency);
        return callAsync(request, CoordinatorServiceStub::rangeQuery, Responses::range);
    }

    /** Every live key of the tenant, in key order, fetched a page at a time as it is consumed. */
    public Stream<KeyValue> scan(String tenant) {
        return scan(tenant, null, null, 0, (String) null);
    }

    /** The tenant's live keys in {@code [startKey, endKey)}, fetched lazily. */
    public Stream<KeyValue> scan(String tenant, String startKey, String endKey) {
        return scan(tenant, startKey, endKey, 0, (String) null);
    }

    public Stream<KeyValue> scan(String tenant, String startKey, String endKey, int pageSize,
            Consistency consistency) {
        return scan(tenant, startKey, endKey, pageSize, wire(consistency));
    }

    /**
     * The tenant's live keys in {@code [startKey, endKey)}, in key order. Pages are fetched only
     * as the stream is consumed, each call with its own deadline; a failed page throws from the
     * stream's terminal operation. Pages are read at different times, so a scan is not a
     * snapshot.
     *
     * @param pageSize items per page; 0 for the server's default
     */
    public Stream<KeyValue> scan(String tenant, String startKey, String endKey, int pageSize,
            String consistency) {
        Objects.requireNonNull(tenant, "tenant");
        Iterator<KeyValue> items = new ScanIterator(tenant, startKey, endKey, pageSize,
                consistency);
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(items,
                Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    private static RangeQueryRequest rangeRequest(String tenant, String startKey, String endKey,
            int limit, String pageToken, String consistency) {
        return RangeQueryRequest.newBuilder()
                .setTenantId(Objects.requireNonNull(tenant, "tenant"))
                .setStartKey(orEmpty(startKey))
                .setEndKey(orEmpty(endKey))
                .setLimit(limit)
                .setPageToken(orEmpty(pageToken))
                .setConsistency(orEmpty(consistency))
                .build();
    }

    /** Walks the pages of one range, asking for the next page only when the last is used up. */
    private final class ScanIterator implements Iterator<KeyValue> {

        private final String tenant;
        private final String startKey;
        private final String endKey;
        private final int pageSize;
        private final String consistency;
        private Iterator<KeyValue> page = Collections.emptyIterator();
        private String pageToken = "";
        private boolean exhausted;

        ScanIterator(String tenant, String startKey, String endKey, int pageSize,
                String consistency) {
            this.tenant = tenant;
            this.startKey = startKey;
            this.endKey = endKey;
            this.pageSize = pageSize;
            this.consistency = consistency;
        }

        @Override
        public boolean hasNext() {
            while (!page.hasNext() && !exhausted) {
                RangePage next = rangeQuery(tenant, startKey, endKey, pageSize, pageToken,
                        consistency);
                // A server that hands back the token it was given would keep the scan going
                // forever.
                if (next.hasMore() && next.nextPageToken().equals(pageToken)) {
                    throw new CairnException(ErrorCode.INTERNAL_ERROR,
                            "CairnDB at " + target + " returned the same page token twice for a"
                                    + " scan of tenant '" + tenant + "'");
                }
                pageToken = next.nextPageToken();
                exhausted = !next.hasMore();
                page = next.items().iterator();
            }
            return page.hasNext();
        }

        @Override
        public KeyValue next() {
            if (!hasNext()) {
                throw new NoSuchElementException("the scan of tenant '" + tenant
                        + "' has no more keys");
            }
            return page.next();
        }
    }

    // ---------------------------------------------------------------------------- tenants

    /** Creates a tenant with the server's default replication factor. */
    public Tenant createTenant(String tenant) {
        return createTenant(tenant, 0);
    }

    /**
     * Creates a tenant.
     *
     * @param replicationFactor replicas per key; 0 for the server's default
     * @throws TenantExistsException when the tenant exists already
     */
    public Tenant createTenant(String tenant, int replicationFactor) {
        CreateTenantRequest request = createTenantRequest(tenant, replicationFactor);
        return callSync(stub -> stub.createTenant(request), Responses::tenant);
    }

    public CompletableFuture<Tenant> createTenantAsync(String tenant) {
        return createTenantAsync(tenant, 0);
    }

    public CompletableFuture<Tenant> createTenantAsync(String tenant, int replicationFactor) {
        CreateTenantRequest request = createTenantRequest(tenant, replicationFactor);
        return callAsync(request, CoordinatorServiceStub::createTenant, Responses::tenant);
    }

    private static CreateTenantRequest createTenantRequest(String tenant, int replicationFactor) {
        return CreateTenantRequest.newBuilder()
                .setTenantId(Objects.requireNonNull(tenant, "tenant"))
                .setReplicationFactor(replicationFactor)
                .build();
    }

    /**
     * Describes a tenant.
     *
     * @throws TenantNotFoundException when there is no such tenant
     */
    public Tenant getTenant(String tenant) {
        GetTenantRequest request = getTenantRequest(tenant);
        return callSync(stub -> stub.getTenant(request), Responses::tenant);
    }

    public CompletableFuture<Tenant> getTenantAsync(String tenant) {
        GetTenantRequest request = getTenantRequest(tenant);
        return callAsync(request, CoordinatorServiceStub::getTenant, Responses::tenant);
    }

    private static GetTenantRequest getTenantRequest(String tenant) {
        return GetTenantRequest.newBuilder()
                .setTenantId(Objects.requireNonNull(tenant, "tenant"))
                .build();
    }

    /**
     * Changes a tenant's replication factor; the data moves in a migration the result names.
     *
     * @throws InvalidReplicationFactorException when the factor is out of range for the cluster
     */
    public RfChange updateReplicationFactor(String tenant, int replicationFactor) {
        UpdateReplicationFactorRequest request = rfRequest(tenant, replicationFactor);
        return callSync(stub -> stub.updateReplicationFactor(request), Responses::rfChange);
    }

    public CompletableFuture<RfChange> updateReplicationFactorAsync(String tenant,
            int replicationFactor) {
        UpdateReplicationFactorRequest request = rfRequest(tenant, replicationFactor);
        return callAsync(request, CoordinatorServiceStub::updateReplicationFactor,
                Responses::rfChange);
    }

    private static UpdateReplicationFactorRequest rfRequest(String tenant, int replicationFactor) {
        return UpdateReplicationFactorRequest.newBuilder()
                .setTenantId(Objects.requireNonNull(tenant, "tenant"))
                .setNewReplicationFactor(replicationFactor)
                .build();
    }

    // ------------------------------------------------------------------------------ nodes

    /** Adds a storage node with the server's default number of virtual nodes. */
    public NodeChange addStorageNode(String nodeId, String host, int port) {
        return addStorageNode(nodeId, host, port, 0);
    }

    /**
     * Adds a storage node; the ranges it gains move to it in a migration the result names.
     *
     * @param virtualNodes ring tokens for the node, a capacity weight; 0 for the server's default
     */
    public NodeChange addStorageNode(String nodeId, String host, int port, int virtualNodes) {
        AddStorageNodeRequest request = addNodeRequest(nodeId, host, port, virtualNodes);
        return callSync(stub -> stub.addStorageNode(request), Responses::nodeChange);
    }

    public CompletableFuture<NodeChange> addStorageNodeAsync(String nodeId, String host,
            int port) {
        return addStorageNodeAsync(nodeId, host, port, 0);
    }

    public CompletableFuture<NodeChange> addStorageNodeAsync(String nodeId, String host, int port,
            int virtualNodes) {
        AddStorageNodeRequest request = addNodeRequest(nodeId, host, port, virtualNodes);
        return callAsync(request, CoordinatorServiceStub::addStorageNode, Responses::nodeChange);
    }

    private static AddStorageNodeRequest addNodeRequest(String nodeId, String host, int port,
            int virtualNodes) {
        return AddStorageNodeRequest.newBuilder()
                .setNodeId(Objects.requireNonNull(nodeId, "nodeId"))
                .setHost(Objects.requireNonNull(host, "host"))
                .setPort(port)
                .setVirtualNodes(virtualNodes)
                .build();
    }

    /**
     * Removes a storage node, draining its data to the remaining replicas first.
     *
     * @param force drop the node at once and let repair restore the replica count
     */
    public NodeChange removeStorageNode(String nodeId, boolean force) {
        RemoveStorageNodeRequest request = removeNodeRequest(nodeId, force);
        return callSync(stub -> stub.removeStorageNode(request), Responses::nodeChange);
    }

    public CompletableFuture<NodeChange> removeStorageNodeAsync(String nodeId, boolean force) {
        RemoveStorageNodeRequest request = removeNodeRequest(nodeId, force);
        return callAsync(request, CoordinatorServiceStub::removeStorageNode,
                Responses::nodeChange);
    }

    private static RemoveStorageNodeRequest removeNodeRequest(String nodeId, boolean force) {
        return RemoveStorageNodeRequest.newBuilder()
                .setNodeId(Objects.requireNonNull(nodeId, "nodeId"))
                .setForce(force)
                .build();
    }

    /**
     * Where a migration stands, in keys.
     *
     * @throws MigrationNotFoundException when no migration has this id
     */
    public MigrationStatus getMigrationStatus(String migrationId) {
        GetMigrationStatusRequest request = migrationRequest(migrationId);
        return callSync(stub -> stub.getMigrationStatus(request), Responses::migration);
    }

    public CompletableFuture<MigrationStatus> getMigrationStatusAsync(String migrationId) {
        GetMigrationStatusRequest request = migrationRequest(migrationId);
        return callAsync(request, CoordinatorServiceStub::getMigrationStatus,
                Responses::migration);
    }

    private static GetMigrationStatusRequest migrationRequest(String migrationId) {
        return GetMigrationStatusRequest.newBuilder()
                .setMigrationId(Objects.requireNonNull(migrationId, "migrationId"))
                .build();
    }

    public List<StorageNode> listStorageNodes() {
        ListStorageNodesRequest request = ListStorageNodesRequest.getDefaultInstance();
        return callSync(stub -> stub.listStorageNodes(request), Responses::nodes);
    }

    public CompletableFuture<List<StorageNode>> listStorageNodesAsync() {
        return callAsync(ListStorageNodesRequest.getDefaultInstance(),
                CoordinatorServiceStub::listStorageNodes, Responses::nodes);
    }

    // ---------------------------------------------------------------------- cluster admin

    /** The cluster's storage nodes, read linearizably. */
    public ClusterView getClusterView() {
        return getClusterView(null);
    }

    /**
     * The cluster's storage nodes.
     *
     * @param minVersion a version token {@code term:index} from an earlier answer: the answering
     *     node waits until its metadata is at least that new; null or empty for a linearizable
     *     read
     */
    public ClusterView getClusterView(String minVersion) {
        GetClusterViewRequest request = GetClusterViewRequest.newBuilder()
                .setMinVersion(orEmpty(minVersion)).build();
        return adminSync(stub -> stub.getClusterView(request), Responses::clusterView);
    }

    public CompletableFuture<ClusterView> getClusterViewAsync() {
        return getClusterViewAsync(null);
    }

    public CompletableFuture<ClusterView> getClusterViewAsync(String minVersion) {
        GetClusterViewRequest request = GetClusterViewRequest.newBuilder()
                .setMinVersion(orEmpty(minVersion)).build();
        return adminAsync(request, AdminServiceStub::getClusterView, Responses::clusterView);
    }

    /** The cluster configuration, read linearizably, and the version it was read at. */
    public VersionedConfig getConfig() {
        return getConfig(null);
    }

    /**
     * The cluster configuration.
     *
     * @param minVersion as for {@link #getClusterView(String)}
     * @throws InvalidRequestException when {@code minVersion} is not a version token
     * @throws QuorumNotReachedException when the answering node cannot confirm the read, or has
     *     not reached {@code minVersion} in time
     */
    public VersionedConfig getConfig(String minVersion) {
        GetConfigRequest request = GetConfigRequest.newBuilder()
                .setMinVersion(orEmpty(minVersion)).build();
        return adminSync(stub -> stub.getConfig(request), Responses::config);
    }

    public CompletableFuture<VersionedConfig> getConfigAsync() {
        return getConfigAsync(null);
    }

    public CompletableFuture<VersionedConfig> getConfigAsync(String minVersion) {
        GetConfigRequest request = GetConfigRequest.newBuilder()
                .setMinVersion(orEmpty(minVersion)).build();
        return adminAsync(request, AdminServiceStub::getConfig, Responses::config);
    }

    /**
     * Changes the settings {@code update} gives and returns the whole configuration after the
     * change, with the version that holds it.
     *
     * @throws InvalidRequestException naming the setting when a value is out of range or unknown,
     *     or when the update gives no setting
     */
    public VersionedConfig updateConfig(ConfigUpdate update) {
        UpdateConfigRequest request = updateConfigRequest(update);
        return adminSync(stub -> stub.updateConfig(request), Responses::config);
    }

    public CompletableFuture<VersionedConfig> updateConfigAsync(ConfigUpdate update) {
        UpdateConfigRequest request = updateConfigRequest(update);
        return adminAsync(request, AdminServiceStub::updateConfig, Responses::config);
    }

    private static UpdateConfigRequest updateConfigRequest(ConfigUpdate update) {
        Objects.requireNonNull(update, "update");
        io.cairndb.api.admin.ConfigUpdate.Builder wire =
                io.cairndb.api.admin.ConfigUpdate.newBuilder();
        if (update.replicationFactor() != null) {
            wire.setReplicationFactor(update.replicationFactor());
        }
        if (update.readConsistency() != null) {
            wire.setReadConsistency(update.readConsistency());
        }
        if (update.writeConsistency() != null) {
            wire.setWriteConsistency(update.writeConsistency());
        }
        if (update.compactionPolicy() != null) {
            wire.setCompactionPolicy(update.compactionPolicy());
        }
        if (update.virtualNodes() != null) {
            wire.setVirtualNodes(update.virtualNodes());
        }
        return UpdateConfigRequest.newBuilder().setUpdate(wire).build();
    }

    /**
     * Every configuration change after metadata index {@code fromVersion}, as the server sends
     * them: first the changes it still knows, then each new one as it commits. The stream blocks
     * for the next change and has no deadline; it ends when the server ends the watch, and
     * closing it cancels the watch. A failure (the server unreachable, or gone mid-watch) throws
     * from the stream's terminal operation as a {@link CairnException}.
     *
     * @param fromVersion a metadata index, for example {@link VersionedConfig#index()} or the
     *     last {@link ConfigChange#version()} seen; 0 for every change the server knows
     */
    public Stream<ConfigChange> watchConfig(long fromVersion) {
        WatchConfigRequest request = watchRequest(fromVersion);
        Context.CancellableContext call = Context.current().withCancellation();
        Iterator<io.cairndb.api.admin.ConfigChange> changes;
        Context previous = call.attach();
        try {
            changes = adminBlockingStub.watchConfig(request);
        } finally {
            call.detach(previous);
        }
        Iterator<ConfigChange> converted = new Iterator<>() {
            @Override
            public boolean hasNext() {
                try {
                    return changes.hasNext();
                } catch (StatusRuntimeException e) {
                    if (call.isCancelled() && e.getStatus().getCode() == Status.Code.CANCELLED) {
                        return false;
                    }
                    throw Errors.fromTransport(e, target, deadline);
                }
            }

            @Override
            public ConfigChange next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("the config watch has ended");
                }
                return Responses.configChange(changes.next());
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(converted,
                Spliterator.ORDERED | Spliterator.NONNULL), false)
                .onClose(() -> call.cancel(null));
    }

    /**
     * Watches configuration changes as {@link #watchConfig(long)} does, calling {@code onChange}
     * with each on a gRPC thread. The future completes when the server ends the watch and fails
     * with a {@link CairnException} when the watch breaks; cancelling it cancels the watch.
     */
    public CompletableFuture<Void> watchConfigAsync(long fromVersion,
            Consumer<ConfigChange> onChange) {
        Objects.requireNonNull(onChange, "onChange");
        WatchConfigRequest request = watchRequest(fromVersion);
        CompletableFuture<Void> done = new CompletableFuture<>();
        adminAsyncStub.watchConfig(request, new ClientResponseObserver<WatchConfigRequest,
                io.cairndb.api.admin.ConfigChange>() {
                    private ClientCallStreamObserver<WatchConfigRequest> call;

                    @Override
                    public void beforeStart(ClientCallStreamObserver<WatchConfigRequest> call) {
                        this.call = call;
                        done.whenComplete((ignored, failure) -> {
                            if (done.isCancelled()) {
                                call.cancel("cancelled by the caller", null);
                            }
                        });
                    }

                    @Override
                    public void onNext(io.cairndb.api.admin.ConfigChange change) {
                        if (done.isDone()) {
                            return;
                        }
                        try {
                            onChange.accept(Responses.configChange(change));
                        } catch (RuntimeException e) {
                            // The caller's consumer failed: the watch ends with its failure.
                            done.completeExceptionally(e);
                            call.cancel("the change consumer failed", e);
                        }
                    }

                    @Override
                    public void onError(Throwable failure) {
                        done.completeExceptionally(Errors.fromTransport(failure, target,
                                deadline));
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(null);
                    }
                });
        return done;
    }

    private static WatchConfigRequest watchRequest(long fromVersion) {
        if (fromVersion < 0) {
            throw new IllegalArgumentException("fromVersion must be 0 or more, was "
                    + fromVersion);
        }
        return WatchConfigRequest.newBuilder().setFromVersion(fromVersion).build();
    }

    /** The control group's leader, term, indexes and members, and each node's view version. */
    public ControlStatus getControlStatus() {
        GetControlStatusRequest request = GetControlStatusRequest.getDefaultInstance();
        return adminSync(stub -> stub.getControlStatus(request), Responses::controlStatus);
    }

    public CompletableFuture<ControlStatus> getControlStatusAsync() {
        return adminAsync(GetControlStatusRequest.getDefaultInstance(),
                AdminServiceStub::getControlStatus, Responses::controlStatus);
    }

    /**
     * The newest metadata changes that match, oldest first.
     *
     * @param tenant only changes of this tenant; null or empty for all
     * @param since only changes proposed at or after this time; null for every change kept
     * @param limit at most this many (the newest matches); 0 for the server's default, 100
     */
    public List<AuditEvent> listAuditEvents(String tenant, Instant since, int limit) {
        ListAuditEventsRequest request = auditRequest(tenant, since, limit);
        return adminSync(stub -> stub.listAuditEvents(request), Responses::auditEvents);
    }

    public CompletableFuture<List<AuditEvent>> listAuditEventsAsync(String tenant, Instant since,
            int limit) {
        ListAuditEventsRequest request = auditRequest(tenant, since, limit);
        return adminAsync(request, AdminServiceStub::listAuditEvents, Responses::auditEvents);
    }

    private static ListAuditEventsRequest auditRequest(String tenant, Instant since, int limit) {
        return ListAuditEventsRequest.newBuilder()
                .setTenantId(orEmpty(tenant))
                .setSinceMillis(since == null ? 0 : since.toEpochMilli())
                .setLimit(limit)
                .build();
    }

    /**
     * Adds a member to the control group through Raft reconfiguration. The new member must be
     * running already, started as a joiner.
     *
     * @param raftAddress the {@code host:port} of the new member's Raft server
     * @return the members after the change
     */
    public List<ControlMember> addControlMember(String memberId, String raftAddress) {
        AddControlMemberRequest request = addMemberRequest(memberId, raftAddress);
        return adminSync(stub -> stub.addControlMember(request), Responses::members);
    }

    public CompletableFuture<List<ControlMember>> addControlMemberAsync(String memberId,
            String raftAddress) {
        AddControlMemberRequest request = addMemberRequest(memberId, raftAddress);
        return adminAsync(request, AdminServiceStub::addControlMember, Responses::members);
    }

    private static AddControlMemberRequest addMemberRequest(String memberId, String raftAddress) {
        return AddControlMemberRequest.newBuilder()
                .setMemberId(Objects.requireNonNull(memberId, "memberId"))
                .setRaftAddress(Objects.requireNonNull(raftAddress, "raftAddress"))
                .build();
    }

    /** Removes a member from the control group; returns the members after the change. */
    public List<ControlMember> removeControlMember(String memberId) {
        RemoveControlMemberRequest request = removeMemberRequest(memberId);
        return adminSync(stub -> stub.removeControlMember(request), Responses::members);
    }

    public CompletableFuture<List<ControlMember>> removeControlMemberAsync(String memberId) {
        RemoveControlMemberRequest request = removeMemberRequest(memberId);
        return adminAsync(request, AdminServiceStub::removeControlMember, Responses::members);
    }

    private static RemoveControlMemberRequest removeMemberRequest(String memberId) {
        return RemoveControlMemberRequest.newBuilder()
                .setMemberId(Objects.requireNonNull(memberId, "memberId"))
                .build();
    }

    // ------------------------------------------------------------------------- migrations

    /**
     * Every migration the cluster keeps, running and finished, with its progress in keys, bytes
     * and tasks; {@link #getMigrationStatus} follows one.
     */
    public List<MigrationInfo> listMigrations() {
        ListMigrationsRequest request = ListMigrationsRequest.getDefaultInstance();
        return adminSync(stub -> stub.listMigrations(request), Responses::migrations);
    }

    public CompletableFuture<List<MigrationInfo>> listMigrationsAsync() {
        return adminAsync(ListMigrationsRequest.getDefaultInstance(),
                AdminServiceStub::listMigrations, Responses::migrations);
    }

    /**
     * Cancels a pending or running migration; the data it moved stays where it is.
     *
     * @param reason why, kept with the migration and in the audit log; null or empty for none
     * @return the migration after the cancellation
     * @throws MigrationNotFoundException when no migration has this id
     */
    public MigrationInfo cancelMigration(String migrationId, String reason) {
        CancelMigrationRequest request = cancelRequest(migrationId, reason);
        return adminSync(stub -> stub.cancelMigration(request), Responses::migration);
    }

    public CompletableFuture<MigrationInfo> cancelMigrationAsync(String migrationId,
            String reason) {
        CancelMigrationRequest request = cancelRequest(migrationId, reason);
        return adminAsync(request, AdminServiceStub::cancelMigration, Responses::migration);
    }

    private static CancelMigrationRequest cancelRequest(String migrationId, String reason) {
        return CancelMigrationRequest.newBuilder()
                .setMigrationId(Objects.requireNonNull(migrationId, "migrationId"))
                .setReason(orEmpty(reason))
                .build();
    }

    /**
     * Deletes the keys the node this client talks to holds but no longer owns: the copies that
     * finished migrations moved elsewhere. It runs on that node only, so a cluster-wide cleanup
     * is one call per node.
     */
    public CleanupResult cleanupNode() {
        CleanupNodeRequest request = CleanupNodeRequest.getDefaultInstance();
        return adminSync(stub -> stub.cleanupNode(request), Responses::cleanup);
    }

    public CompletableFuture<CleanupResult> cleanupNodeAsync() {
        return adminAsync(CleanupNodeRequest.getDefaultInstance(),
                AdminServiceStub::cleanupNode, Responses::cleanup);
    }

    // ---------------------------------------------------------------------------- calling

    private <R, T> T callSync(Function<CoordinatorServiceBlockingStub, R> rpc,
            Function<R, T> convert) {
        return call(blockingStub, rpc, convert);
    }

    private <R, T> T adminSync(Function<AdminServiceBlockingStub, R> rpc,
            Function<R, T> convert) {
        return call(adminBlockingStub, rpc, convert);
    }

    private <S extends AbstractStub<S>, R, T> T call(S stub, Function<S, R> rpc,
            Function<R, T> convert) {
        R response;
        try {
            response = rpc.apply(stub.withDeadlineAfter(deadline.toNanos(),
                    TimeUnit.NANOSECONDS));
        } catch (StatusRuntimeException e) {
            throw Errors.fromTransport(e, target, deadline);
        }
        return convert.apply(response);
    }

    /** An async stub method: {@code stub.rpc(request, observer)}. */
    @FunctionalInterface
    private interface AsyncRpc<S, Q, R> {
        void call(S stub, Q request, StreamObserver<R> observer);
    }

    private <Q, R, T> CompletableFuture<T> callAsync(Q request,
            AsyncRpc<CoordinatorServiceStub, Q, R> rpc, Function<R, T> convert) {
        return call(asyncStub, request, rpc, convert);
    }

    private <Q, R, T> CompletableFuture<T> adminAsync(Q request,
            AsyncRpc<AdminServiceStub, Q, R> rpc, Function<R, T> convert) {
        return call(adminAsyncStub, request, rpc, convert);
    }

    private <S extends AbstractStub<S>, Q, R, T> CompletableFuture<T> call(S stub, Q request,
            AsyncRpc<S, Q, R> rpc, Function<R, T> convert) {
        CompletableFuture<T> result = new CompletableFuture<>();
        rpc.call(stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS), request,
                new FutureObserver<>(result, convert));
        return result;
    }

    /**
     * Completes a future with a unary call's converted response, or with the typed exception;
     * cancelling the future cancels the call.
     */
    private final class FutureObserver<Q, R, T> implements ClientResponseObserver<Q, R> {

        private final CompletableFuture<T> result;
        private final Function<R, T> convert;
        private R response;

        FutureObserver(CompletableFuture<T> result, Function<R, T> convert) {
            this.result = result;
            this.convert = convert;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<Q> call) {
            result.whenComplete((value, failure) -> {
                if (result.isCancelled()) {
                    call.cancel("cancelled by the caller", null);
                }
            });
        }

        @Override
        public void onNext(R value) {
            response = value;
        }

        @Override
        public void onError(Throwable failure) {
            result.completeExceptionally(Errors.fromTransport(failure, target, deadline));
        }

        @Override
        public void onCompleted() {
            if (response == null) {
                result.completeExceptionally(new CairnException(ErrorCode.UNKNOWN,
                        "CairnDB at " + target + " ended the call without a response"));
                return;
            }
            try {
                result.complete(convert.apply(response));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        }
    }

    private static String wire(Consistency consistency) {
        return consistency == null ? null : consistency.wireName();
    }

    private static String orEmpty(String text) {
        return text == null ? "" : text;
    }

    private static byte[] utf8(String value) {
        return Objects.requireNonNull(value, "value").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Releases the channel the client opened, waiting briefly for calls in flight. A channel the
     * caller supplied stays open.
     */
    @Override
    public void close() {
        if (pipeline != null) {
            pipeline.close(CLOSE_WAIT);
        }
        if (!channelOwned) {
            return;
        }
        channel.shutdown();
        try {
            if (!channel.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "CairnClient[target=" + target + ", deadline=" + deadline + "]";
    }

    /** Builds a {@link CairnClient}; a target or a channel is required. */
    public static final class Builder {

        private String target;
        private ManagedChannel channel;
        private Duration deadline = DEADLINE_DEFAULT;
        private boolean pipelining = true;

        private Builder() {
        }

        /** The server's {@code host:port}; the client opens a plaintext channel to it. */
        public Builder target(String target) {
            this.target = Objects.requireNonNull(target, "target");
            return this;
        }

        /**
         * A channel to use instead of opening one, for example an in-process channel in tests.
         * The caller owns it: {@link CairnClient#close} leaves it open. If a target is given too,
         * it only names the server in error messages.
         */
        public Builder channel(ManagedChannel channel) {
            this.channel = Objects.requireNonNull(channel, "channel");
            return this;
        }

        /** How long each call may take; {@link #DEADLINE_DEFAULT} unless set. */
        public Builder deadline(Duration deadline) {
            Objects.requireNonNull(deadline, "deadline");
            if (deadline.isNegative() || deadline.isZero()) {
                throw new IllegalArgumentException("deadline must be positive, was " + deadline);
            }
            this.deadline = deadline;
            return this;
        }

        /**
         * Whether the async single-key calls ({@code writeAsync}, {@code readAsync},
         * {@code deleteAsync}) share one {@code Pipeline} stream, several to a message, instead of
         * one RPC each. On by default: it costs the client and the server far less per call when
         * many are in flight. A server without the stream gets unary RPCs. The blocking calls
         * are always unary.
         */
        public Builder pipelining(boolean pipelining) {
            this.pipelining = pipelining;
            return this;
        }

        public CairnClient build() {
            if (channel != null) {
                String name = target != null ? target : channel.authority();
                return new CairnClient(channel, false, name, deadline, pipelining);
            }
            if (target == null || target.isBlank()) {
                throw new IllegalStateException("a CairnClient needs a target (host:port) or a"
                        + " channel");
            }
            ManagedChannel opened = Grpc.newChannelBuilder(target,
                            InsecureChannelCredentials.create())
                    .maxInboundMessageSize(MESSAGE_SIZE_BYTES_MAX)
                    .build();
            return new CairnClient(opened, true, target, deadline, pipelining);
        }
    }
}
