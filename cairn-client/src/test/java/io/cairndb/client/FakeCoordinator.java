package io.cairndb.client;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Message;
import io.cairndb.api.AddStorageNodeRequest;
import io.cairndb.api.AddStorageNodeResponse;
import io.cairndb.api.BatchWriteItem;
import io.cairndb.api.BatchWriteItemResult;
import io.cairndb.api.BatchWriteRequest;
import io.cairndb.api.BatchWriteResponse;
import io.cairndb.api.CoordinatorServiceGrpc;
import io.cairndb.api.CreateTenantRequest;
import io.cairndb.api.CreateTenantResponse;
import io.cairndb.api.DeleteKeyValueRequest;
import io.cairndb.api.DeleteKeyValueResponse;
import io.cairndb.api.ErrorCode;
import io.cairndb.api.GetMigrationStatusRequest;
import io.cairndb.api.GetMigrationStatusResponse;
import io.cairndb.api.GetTenantRequest;
import io.cairndb.api.GetTenantResponse;
import io.cairndb.api.ListStorageNodesRequest;
import io.cairndb.api.ListStorageNodesResponse;
import io.cairndb.api.PipelineCall;
import io.cairndb.api.PipelineRequest;
import io.cairndb.api.PipelineResponse;
import io.cairndb.api.PipelineResult;
import io.cairndb.api.RangeQueryItem;
import io.cairndb.api.RangeQueryRequest;
import io.cairndb.api.RangeQueryResponse;
import io.cairndb.api.ReadKeyValueRequest;
import io.cairndb.api.ReadKeyValueResponse;
import io.cairndb.api.RemoveStorageNodeRequest;
import io.cairndb.api.RemoveStorageNodeResponse;
import io.cairndb.api.StorageNodeInfo;
import io.cairndb.api.UpdateReplicationFactorRequest;
import io.cairndb.api.UpdateReplicationFactorResponse;
import io.cairndb.api.VectorClock;
import io.cairndb.api.VectorClockEntry;
import io.cairndb.api.WriteKeyValueRequest;
import io.cairndb.api.WriteKeyValueResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * A single-process stand-in for a CairnDB coordinator: tenants and keys in TreeMaps, one clock,
 * the contract's in-band errors for the cases a client meets. Tests can also make the next call
 * fail ({@link #refuseNext}, {@link #failNext}) or make every call hang ({@link #silent}).
 */
public final class FakeCoordinator extends CoordinatorServiceGrpc.CoordinatorServiceImplBase {

    public static final long NOW_SECONDS = 1_700_000_000L;
    public static final int PAGE_ITEMS_DEFAULT = 100;
    public static final int BATCH_ITEMS_MAX = 10;
    private static final Set<String> LEVELS = Set.of("", "one", "quorum", "all");

    private record Tenant(int replicationFactor, long createdAt, long updatedAt) {
    }

    private record Stored(byte[] value, long counter) {
    }

    private record Recorded(byte[] value, WriteKeyValueResponse response) {
    }

    private final Map<String, Tenant> tenants = new HashMap<>();
    private final Map<String, TreeMap<String, Stored>> data = new HashMap<>();
    private final Map<String, Recorded> idempotency = new HashMap<>();
    private final Map<String, StorageNodeInfo> nodes = new LinkedHashMap<>();
    private final FakeMigrations migrations;
    private final AtomicInteger rangeQueryCalls = new AtomicInteger();
    private final AtomicInteger pipelineStreams = new AtomicInteger();
    private final AtomicInteger largestPipelineMessage = new AtomicInteger();
    private final List<Runnable> heldAnswers = new ArrayList<>();
    private boolean holdingAnswers; // guarded by heldAnswers
    private long counter;
    private int generated;
    private volatile boolean silent;
    private volatile boolean pipelineServed = true;
    private ErrorCode refusalCode;
    private String refusalMessage;
    private Status failure;

    public FakeCoordinator() {
        this(new FakeMigrations());
    }

    /** A coordinator whose migrations go into {@code migrations}, shared with a FakeAdmin. */
    public FakeCoordinator(FakeMigrations migrations) {
        this.migrations = migrations;
        for (int i = 1; i <= 3; i++) {
            StorageNodeInfo.Builder node = StorageNodeInfo.newBuilder().setNodeId("n" + i)
                    .setHost("10.0.0." + i).setPort(7070).setStatus("active").setVirtualNodes(150)
                    .setKeysCount(10L * i).setDiskUsagePercent(12.5f * i).setAlive(i != 3)
                    .setHintsPending(i == 1 ? 4 : 0);
            if (i != 3) {
                node.setClockOffsetMillis(i == 1 ? 0 : -12);
            }
            nodes.put("n" + i, node.build());
        }
    }

    public FakeMigrations migrations() {
        return migrations;
    }

    /** The next call answers {@code success = false} with this code and message. */
    public synchronized void refuseNext(ErrorCode code, String message) {
        refusalCode = code;
        refusalMessage = message;
    }

    /** The next call fails with this gRPC status instead of answering. */
    public synchronized void failNext(Status status) {
        failure = status;
    }

    /** From now on no call is ever answered. */
    public void silent() {
        silent = true;
    }

    public int rangeQueryCalls() {
        return rangeQueryCalls.get();
    }

    // ---------------------------------------------------------------------- pipeline

    /**
     * Runs each call through the unary handler of the same name and sends its answer back alone.
     * A call the unary handler fails with a status ({@link #failNext}) ends the whole stream with
     * it, as a broken connection would; {@link #silent} leaves calls unanswered.
     */
    @Override
    public StreamObserver<PipelineRequest> pipeline(StreamObserver<PipelineResponse> out) {
        pipelineStreams.incrementAndGet();
        if (!pipelineServed) {
            return super.pipeline(out);
        }
        return new StreamObserver<>() {
            @Override
            public void onNext(PipelineRequest request) {
                largestPipelineMessage.accumulateAndGet(request.getCallsCount(), Math::max);
                for (PipelineCall call : request.getCallsList()) {
                    PipelineResult.Builder result = PipelineResult.newBuilder()
                            .setId(call.getId());
                    switch (call.getCallCase()) {
                        case WRITE -> writeKeyValue(call.getWrite(),
                                resultOf(out, result, PipelineResult.Builder::setWrite));
                        case READ -> readKeyValue(call.getRead(),
                                resultOf(out, result, PipelineResult.Builder::setRead));
                        case DELETE -> deleteKeyValue(call.getDelete(),
                                resultOf(out, result, PipelineResult.Builder::setDelete));
                        default -> throw new IllegalArgumentException("no operation");
                    }
                }
            }

            @Override
            public void onError(Throwable failure) {
            }

            @Override
            public void onCompleted() {
                out.onCompleted();
            }
        };
    }

    /** From now on the pipeline stream is refused as UNIMPLEMENTED, as an older server does. */
    public void withoutPipeline() {
        pipelineServed = false;
    }

    /** The most calls one pipeline message has carried. */
    public int largestPipelineMessage() {
        return largestPipelineMessage.get();
    }

    /** How many pipeline streams clients have opened. */
    public int pipelineStreams() {
        return pipelineStreams.get();
    }

    /** From now on pipeline answers wait for {@link #releasePipelineAnswers}. */
    public void holdPipelineAnswers() {
        synchronized (heldAnswers) {
            holdingAnswers = true;
        }
    }

    /** Sends the answers held, each alone, on the calling thread, and holds no more. */
    public void releasePipelineAnswers() {
        List<Runnable> sends;
        synchronized (heldAnswers) {
            holdingAnswers = false;
            sends = new ArrayList<>(heldAnswers);
            heldAnswers.clear();
        }
        sends.forEach(Runnable::run);
    }

    private <R> StreamObserver<R> resultOf(StreamObserver<PipelineResponse> out,
            PipelineResult.Builder result, BiConsumer<PipelineResult.Builder, R> set) {
        return new StreamObserver<>() {
            @Override
            public void onNext(R response) {
                set.accept(result, response);
                Runnable send = () -> {
                    synchronized (out) {
                        out.onNext(PipelineResponse.newBuilder().addResults(result).build());
                    }
                };
                synchronized (heldAnswers) {
                    if (holdingAnswers) {
                        heldAnswers.add(send);
                        return;
                    }
                }
                send.run();
            }

            @Override
            public void onError(Throwable failure) {
                synchronized (out) {
                    out.onError(failure);
                }
            }

            @Override
            public void onCompleted() {
            }
        };
    }

    // ---------------------------------------------------------------------- key-value

    @Override
    public synchronized void writeKeyValue(WriteKeyValueRequest request,
            StreamObserver<WriteKeyValueResponse> observer) {
        if (intercepted(WriteKeyValueResponse.newBuilder(), observer)) {
            return;
        }
        WriteKeyValueResponse.Builder response = WriteKeyValueResponse.newBuilder();
        String problem = checkKey(request.getTenantId(), request.getKey(),
                request.getConsistency());
        if (problem != null) {
            answer(observer, refused(response, codeOf(problem), textOf(problem)));
            return;
        }
        String level = level(request.getConsistency());
        byte[] value = request.getValue().toByteArray();
        String idempotencyKey = request.getIdempotencyKey();
        String recordKey = request.getTenantId() + "/" + request.getKey() + "/" + idempotencyKey;
        if (!idempotencyKey.isEmpty() && idempotency.containsKey(recordKey)) {
            Recorded recorded = idempotency.get(recordKey);
            if (!java.util.Arrays.equals(recorded.value, value)) {
                answer(observer, refused(response, ErrorCode.IDEMPOTENCY_KEY_CONFLICT,
                        "idempotency key '" + idempotencyKey + "' was used for another value"));
                return;
            }
            answer(observer, recorded.response.toBuilder().setIsDuplicate(true).build());
            return;
        }
        if (idempotencyKey.isEmpty()) {
            idempotencyKey = "gen-" + (++generated);
        }
        long stamp = ++counter;
        data.get(request.getTenantId()).put(request.getKey(), new Stored(value, stamp));
        WriteKeyValueResponse written = response.setSuccess(true).setKey(request.getKey())
                .setIdempotencyKey(idempotencyKey).setVectorClock(clock(stamp))
                .setReplicaCount(replicas(request.getTenantId(), level)).setConsistency(level)
                .build();
        idempotency.put(request.getTenantId() + "/" + request.getKey() + "/" + idempotencyKey,
                new Recorded(value, written));
        answer(observer, written);
    }

    @Override
    public synchronized void readKeyValue(ReadKeyValueRequest request,
            StreamObserver<ReadKeyValueResponse> observer) {
        if (intercepted(ReadKeyValueResponse.newBuilder(), observer)) {
            return;
        }
        ReadKeyValueResponse.Builder response = ReadKeyValueResponse.newBuilder();
        String problem = checkKey(request.getTenantId(), request.getKey(),
                request.getConsistency());
        if (problem != null) {
            answer(observer, refused(response, codeOf(problem), textOf(problem)));
            return;
        }
        Stored stored = data.get(request.getTenantId()).get(request.getKey());
        if (stored == null) {
            answer(observer, refused(response, ErrorCode.KEY_NOT_FOUND,
                    "key '" + request.getKey() + "' not found"));
            return;
        }
        String level = level(request.getConsistency());
        answer(observer, response.setSuccess(true).setKey(request.getKey())
                .setValue(ByteString.copyFrom(stored.value)).setVectorClock(clock(stored.counter))
                .setReplicaCount(replicas(request.getTenantId(), level)).setConsistency(level)
                .build());
    }

    @Override
    public synchronized void deleteKeyValue(DeleteKeyValueRequest request,
            StreamObserver<DeleteKeyValueResponse> observer) {
        if (intercepted(DeleteKeyValueResponse.newBuilder(), observer)) {
            return;
        }
        DeleteKeyValueResponse.Builder response = DeleteKeyValueResponse.newBuilder();
        String problem = checkKey(request.getTenantId(), request.getKey(),
                request.getConsistency());
        if (problem != null) {
            answer(observer, refused(response, codeOf(problem), textOf(problem)));
            return;
        }
        data.get(request.getTenantId()).remove(request.getKey());
        String level = level(request.getConsistency());
        String idempotencyKey = request.getIdempotencyKey().isEmpty()
                ? "gen-" + (++generated) : request.getIdempotencyKey();
        answer(observer, response.setSuccess(true).setKey(request.getKey())
                .setIdempotencyKey(idempotencyKey).setVectorClock(clock(++counter))
                .setReplicaCount(replicas(request.getTenantId(), level)).setConsistency(level)
                .build());
    }

    @Override
    public synchronized void batchWrite(BatchWriteRequest request,
            StreamObserver<BatchWriteResponse> observer) {
        if (intercepted(BatchWriteResponse.newBuilder(), observer)) {
            return;
        }
        BatchWriteResponse.Builder response = BatchWriteResponse.newBuilder();
        if (!tenants.containsKey(request.getTenantId())) {
            answer(observer, refused(response, ErrorCode.TENANT_NOT_FOUND,
                    "tenant '" + request.getTenantId() + "' does not exist"));
            return;
        }
        if (request.getItemsCount() > BATCH_ITEMS_MAX) {
            answer(observer, refused(response, ErrorCode.INVALID_REQUEST, "a batch holds at most "
                    + BATCH_ITEMS_MAX + " items, this one " + request.getItemsCount()));
            return;
        }
        String level = level(request.getConsistency());
        int succeeded = 0;
        for (BatchWriteItem item : request.getItemsList()) {
            BatchWriteItemResult.Builder result = BatchWriteItemResult.newBuilder()
                    .setKey(item.getKey());
            if (item.getKey().isEmpty()) {
                result.setErrorCode(ErrorCode.INVALID_REQUEST).setErrorMessage("key is empty");
            } else if (item.getDelete() && !item.getValue().isEmpty()) {
                result.setErrorCode(ErrorCode.INVALID_REQUEST)
                        .setErrorMessage("a delete carries no value");
            } else {
                long stamp = ++counter;
                if (item.getDelete()) {
                    data.get(request.getTenantId()).remove(item.getKey());
                } else {
                    data.get(request.getTenantId()).put(item.getKey(),
                            new Stored(item.getValue().toByteArray(), stamp));
                }
                result.setSuccess(true).setVectorClock(clock(stamp))
                        .setReplicaCount(replicas(request.getTenantId(), level))
                        .setIdempotencyKey(item.getIdempotencyKey().isEmpty()
                                ? "gen-" + (++generated) : item.getIdempotencyKey());
                succeeded++;
            }
            response.addResults(result);
        }
        int failed = request.getItemsCount() - succeeded;
        answer(observer, response.setSuccess(failed == 0).setConsistency(level)
                .setSucceededCount(succeeded).setFailedCount(failed).build());
    }

    @Override
    public synchronized void rangeQuery(RangeQueryRequest request,
            StreamObserver<RangeQueryResponse> observer) {
        rangeQueryCalls.incrementAndGet();
        if (intercepted(RangeQueryResponse.newBuilder(), observer)) {
            return;
        }
        RangeQueryResponse.Builder response = RangeQueryResponse.newBuilder();
        TreeMap<String, Stored> keys = data.get(request.getTenantId());
        if (keys == null) {
            answer(observer, refused(response, ErrorCode.TENANT_NOT_FOUND,
                    "tenant '" + request.getTenantId() + "' does not exist"));
            return;
        }
        if (!request.getPageToken().isEmpty() && !request.getPageToken().startsWith("after:")) {
            answer(observer, refused(response, ErrorCode.INVALID_REQUEST, "bad page token"));
            return;
        }
        int limit = request.getLimit() == 0 ? PAGE_ITEMS_DEFAULT : request.getLimit();
        Map<String, Stored> range = request.getPageToken().isEmpty()
                ? keys.tailMap(request.getStartKey(), true)
                : keys.tailMap(request.getPageToken().substring("after:".length()), false);
        String last = null;
        boolean more = false;
        for (Map.Entry<String, Stored> entry : range.entrySet()) {
            if (!request.getEndKey().isEmpty()
                    && entry.getKey().compareTo(request.getEndKey()) >= 0) {
                break;
            }
            if (response.getItemsCount() == limit) {
                more = true;
                break;
            }
            response.addItems(RangeQueryItem.newBuilder().setKey(entry.getKey())
                    .setValue(ByteString.copyFrom(entry.getValue().value))
                    .setVectorClock(clock(entry.getValue().counter)));
            last = entry.getKey();
        }
        answer(observer, response.setSuccess(true).setNextPageToken(more ? "after:" + last : "")
                .build());
    }

    // ------------------------------------------------------------------------ tenants

    @Override
    public synchronized void createTenant(CreateTenantRequest request,
            StreamObserver<CreateTenantResponse> observer) {
        if (intercepted(CreateTenantResponse.newBuilder(), observer)) {
            return;
        }
        CreateTenantResponse.Builder response = CreateTenantResponse.newBuilder();
        String tenant = request.getTenantId();
        if (!tenant.matches("[a-z0-9][a-z0-9_-]{0,62}")) {
            answer(observer, refused(response, ErrorCode.INVALID_REQUEST,
                    "tenant id '" + tenant + "' is not [a-z0-9][a-z0-9_-]{0,62}"));
            return;
        }
        if (tenants.containsKey(tenant)) {
            answer(observer, refused(response, ErrorCode.TENANT_EXISTS,
                    "tenant '" + tenant + "' already exists"));
            return;
        }
        int rf = request.getReplicationFactor() == 0 ? 3 : request.getReplicationFactor();
        if (rf < 1 || rf > nodes.size()) {
            answer(observer, refused(response, ErrorCode.INVALID_REPLICATION_FACTOR,
                    "replication factor " + rf + " is not in 1.." + nodes.size()));
            return;
        }
        tenants.put(tenant, new Tenant(rf, NOW_SECONDS, NOW_SECONDS));
        data.put(tenant, new TreeMap<>());
        answer(observer, response.setSuccess(true).setTenantId(tenant).setReplicationFactor(rf)
                .setCreatedAt(NOW_SECONDS).build());
    }

    @Override
    public synchronized void getTenant(GetTenantRequest request,
            StreamObserver<GetTenantResponse> observer) {
        if (intercepted(GetTenantResponse.newBuilder(), observer)) {
            return;
        }
        GetTenantResponse.Builder response = GetTenantResponse.newBuilder();
        Tenant tenant = tenants.get(request.getTenantId());
        if (tenant == null) {
            answer(observer, refused(response, ErrorCode.TENANT_NOT_FOUND,
                    "tenant '" + request.getTenantId() + "' does not exist"));
            return;
        }
        answer(observer, response.setSuccess(true).setTenantId(request.getTenantId())
                .setReplicationFactor(tenant.replicationFactor).setCreatedAt(tenant.createdAt)
                .setUpdatedAt(tenant.updatedAt).build());
    }

    @Override
    public synchronized void updateReplicationFactor(UpdateReplicationFactorRequest request,
            StreamObserver<UpdateReplicationFactorResponse> observer) {
        if (intercepted(UpdateReplicationFactorResponse.newBuilder(), observer)) {
            return;
        }
        UpdateReplicationFactorResponse.Builder response =
                UpdateReplicationFactorResponse.newBuilder();
        Tenant tenant = tenants.get(request.getTenantId());
        if (tenant == null) {
            answer(observer, refused(response, ErrorCode.TENANT_NOT_FOUND,
                    "tenant '" + request.getTenantId() + "' does not exist"));
            return;
        }
        int rf = request.getNewReplicationFactor();
        if (rf < 1 || rf > nodes.size()) {
            answer(observer, refused(response, ErrorCode.INVALID_REPLICATION_FACTOR,
                    "replication factor " + rf + " is not in 1.." + nodes.size()));
            return;
        }
        long updatedAt = NOW_SECONDS + 60;
        tenants.put(request.getTenantId(), new Tenant(rf, tenant.createdAt, updatedAt));
        String migration = rf == tenant.replicationFactor ? ""
                : migrations.start("replication_change", "", request.getTenantId());
        answer(observer, response.setSuccess(true).setTenantId(request.getTenantId())
                .setOldReplicationFactor(tenant.replicationFactor).setNewReplicationFactor(rf)
                .setMigrationId(migration).setUpdatedAt(updatedAt).build());
    }

    // -------------------------------------------------------------------------- nodes

    @Override
    public synchronized void addStorageNode(AddStorageNodeRequest request,
            StreamObserver<AddStorageNodeResponse> observer) {
        if (intercepted(AddStorageNodeResponse.newBuilder(), observer)) {
            return;
        }
        AddStorageNodeResponse.Builder response = AddStorageNodeResponse.newBuilder();
        if (nodes.containsKey(request.getNodeId())) {
            answer(observer, refused(response, ErrorCode.INVALID_REQUEST,
                    "node '" + request.getNodeId() + "' is already in the cluster"));
            return;
        }
        int vnodes = request.getVirtualNodes() == 0 ? 150 : request.getVirtualNodes();
        nodes.put(request.getNodeId(), StorageNodeInfo.newBuilder().setNodeId(request.getNodeId())
                .setHost(request.getHost()).setPort(request.getPort()).setStatus("active")
                .setVirtualNodes(vnodes).build());
        String migration = migrations.start("node_addition", request.getNodeId(), "");
        answer(observer, response.setSuccess(true).setNodeId(request.getNodeId())
                .setMigrationId(migration).setMessage("node added; streaming its ranges")
                .setEstimatedCompletion(NOW_SECONDS + 300).build());
    }

    @Override
    public synchronized void removeStorageNode(RemoveStorageNodeRequest request,
            StreamObserver<RemoveStorageNodeResponse> observer) {
        if (intercepted(RemoveStorageNodeResponse.newBuilder(), observer)) {
            return;
        }
        RemoveStorageNodeResponse.Builder response = RemoveStorageNodeResponse.newBuilder();
        if (!nodes.containsKey(request.getNodeId())) {
            answer(observer, refused(response, ErrorCode.INVALID_REQUEST,
                    "node '" + request.getNodeId() + "' is not in the cluster"));
            return;
        }
        nodes.remove(request.getNodeId());
        String migration = request.getForce() ? ""
                : migrations.start("node_deletion", request.getNodeId(), "");
        answer(observer, response.setSuccess(true).setNodeId(request.getNodeId())
                .setMigrationId(migration)
                .setMessage(request.getForce() ? "node dropped" : "node draining").build());
    }

    @Override
    public synchronized void getMigrationStatus(GetMigrationStatusRequest request,
            StreamObserver<GetMigrationStatusResponse> observer) {
        if (intercepted(GetMigrationStatusResponse.newBuilder(), observer)) {
            return;
        }
        GetMigrationStatusResponse status = migrations.status(request.getMigrationId());
        if (status == null) {
            answer(observer, refused(GetMigrationStatusResponse.newBuilder(),
                    ErrorCode.MIGRATION_NOT_FOUND,
                    "migration '" + request.getMigrationId() + "' does not exist"));
            return;
        }
        answer(observer, status);
    }

    @Override
    public synchronized void listStorageNodes(ListStorageNodesRequest request,
            StreamObserver<ListStorageNodesResponse> observer) {
        if (intercepted(ListStorageNodesResponse.newBuilder(), observer)) {
            return;
        }
        answer(observer, ListStorageNodesResponse.newBuilder().setSuccess(true)
                .addAllNodes(nodes.values()).build());
    }

    // ------------------------------------------------------------------------ helpers

    /** A problem with a key request as "CODE|message", or null. */
    private String checkKey(String tenant, String key, String consistency) {
        if (!tenants.containsKey(tenant)) {
            return ErrorCode.TENANT_NOT_FOUND + "|tenant '" + tenant + "' does not exist";
        }
        if (key.isEmpty()) {
            return ErrorCode.INVALID_REQUEST + "|key is empty";
        }
        if (!LEVELS.contains(consistency)) {
            return ErrorCode.INVALID_REQUEST + "|consistency must be one, quorum or all, was '"
                    + consistency + "'";
        }
        return null;
    }

    private static ErrorCode codeOf(String problem) {
        return ErrorCode.valueOf(problem.substring(0, problem.indexOf('|')));
    }

    private static String textOf(String problem) {
        return problem.substring(problem.indexOf('|') + 1);
    }

    private static String level(String consistency) {
        return consistency.isEmpty() ? "quorum" : consistency;
    }

    private int replicas(String tenant, String level) {
        int rf = tenants.get(tenant).replicationFactor;
        switch (level) {
            case "one":
                return 1;
            case "all":
                return rf;
            default:
                return rf / 2 + 1;
        }
    }

    private static VectorClock clock(long stamp) {
        return VectorClock.newBuilder().addEntries(VectorClockEntry.newBuilder()
                .setCoordinatorNodeId("n1").setLogicalTimestamp(stamp)).build();
    }

    /** Handles the test's overrides: silence, a refusal, or a gRPC failure. */
    private <R> boolean intercepted(Message.Builder blank, StreamObserver<R> observer) {
        if (silent) {
            return true;
        }
        if (failure != null) {
            Status status = failure;
            failure = null;
            observer.onError(status.asRuntimeException());
            return true;
        }
        if (refusalCode != null) {
            ErrorCode code = refusalCode;
            refusalCode = null;
            answer(observer, refused(blank, code, refusalMessage));
            return true;
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    private static <R> R refused(Message.Builder response, ErrorCode code, String message) {
        Descriptor type = response.getDescriptorForType();
        response.setField(type.findFieldByName("success"), false);
        response.setField(type.findFieldByName("error_message"), message);
        response.setField(type.findFieldByName("error_code"), code.getValueDescriptor());
        return (R) response.build();
    }

    private static <R> void answer(StreamObserver<R> observer, R response) {
        observer.onNext(response);
        observer.onCompleted();
    }
}
