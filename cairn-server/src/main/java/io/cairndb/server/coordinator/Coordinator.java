package io.cairndb.server.coordinator;

import com.google.protobuf.ByteString;
import io.cairndb.api.AddStorageNodeRequest;
import io.cairndb.api.AddStorageNodeResponse;
import io.cairndb.api.BatchWriteItem;
import io.cairndb.api.BatchWriteItemResult;
import io.cairndb.api.BatchWriteRequest;
import io.cairndb.api.BatchWriteResponse;
import io.cairndb.api.CreateTenantRequest;
import io.cairndb.api.CreateTenantResponse;
import io.cairndb.api.DeleteKeyValueRequest;
import io.cairndb.api.DeleteKeyValueResponse;
import io.cairndb.api.GetMigrationStatusRequest;
import io.cairndb.api.GetMigrationStatusResponse;
import io.cairndb.api.GetTenantRequest;
import io.cairndb.api.GetTenantResponse;
import io.cairndb.api.ListStorageNodesRequest;
import io.cairndb.api.ListStorageNodesResponse;
import io.cairndb.api.RangeQueryRequest;
import io.cairndb.api.RangeQueryResponse;
import io.cairndb.api.ReadKeyValueRequest;
import io.cairndb.api.ReadKeyValueResponse;
import io.cairndb.api.RemoveStorageNodeRequest;
import io.cairndb.api.RemoveStorageNodeResponse;
import io.cairndb.api.StorageNodeInfo;
import io.cairndb.api.UpdateReplicationFactorRequest;
import io.cairndb.api.UpdateReplicationFactorResponse;
import io.cairndb.api.VectorClockEntry;
import io.cairndb.api.WriteKeyValueRequest;
import io.cairndb.api.WriteKeyValueResponse;
import io.cairndb.core.CairnException;
import io.cairndb.core.ConsistencyLevel;
import io.cairndb.core.ErrorCode;
import io.cairndb.core.HybridLogicalClock;
import io.cairndb.core.SequentialWrites;
import io.cairndb.core.Tokens;
import io.cairndb.core.Validation;
import io.cairndb.core.VectorClock;
import io.cairndb.core.Version;
import io.cairndb.core.VersionResolver;
import io.cairndb.server.common.Errors;
import io.cairndb.server.control.ClusterMetadata;
import io.cairndb.server.control.MetadataCommand;
import io.cairndb.server.control.MetadataStore;
import io.cairndb.server.control.NodeInfo;
import io.cairndb.server.control.TenantInfo;
import io.cairndb.server.replica.ReplicaRouter;
import io.cairndb.storage.ApplyResult;
import io.cairndb.storage.KeyScan;
import io.cairndb.storage.Mutation;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Serves client requests: validates them, finds each key's replicas on the ring, sends the work
 * to them, and answers once the consistency level is met. Every path is asynchronous; validation
 * errors are thrown as {@link CairnException} before any work starts.
 */
public final class Coordinator {

    private static final Pattern NODE_ID = Validation.NODE_ID;
    private static final int VIRTUAL_NODES_MAX = 4096;
    private static final byte OP_PUT = 1;
    private static final byte OP_DELETE = 2;

    private final String nodeId;
    private final MetadataStore metadata;
    private final ReplicaRouter router;
    private final Validation validation;
    private final HybridLogicalClock hlc;
    private final LongSupplier wallMillis;
    private final CoordinatorSettings settings;
    private final NodeStats localStats;
    private final VersionResolver resolver = new VersionResolver();
    /** Writes stamped again because a replica held a version they had not seen. */
    private final LongAdder restamped = new LongAdder();

    public Coordinator(MetadataStore metadata, ReplicaRouter router, Validation validation,
                       HybridLogicalClock hlc, LongSupplier wallMillis,
                       CoordinatorSettings settings, NodeStats localStats) {
        this.nodeId = router.selfNodeId();
        this.metadata = metadata;
        this.router = router;
        this.validation = validation;
        this.hlc = hlc;
        this.wallMillis = wallMillis;
        this.settings = settings;
        this.localStats = localStats;
    }

    // -------------------------------------------------------------------------- key-value

    public CompletableFuture<WriteKeyValueResponse> write(WriteKeyValueRequest request) {
        TenantInfo tenant = requireTenant(request.getTenantId());
        byte[] key = validation.key(request.getKey());
        validation.value(request.getValue().toByteArray());
        validation.idempotencyKey("idempotency_key", request.getIdempotencyKey());
        ConsistencyLevel level = writeLevel(request.getConsistency());
        requireClockInBounds();
        byte[] value = request.getValue().toByteArray();
        return mutate(tenant, key, value, level, request.getIdempotencyKey())
                .thenApply(outcome -> WriteKeyValueResponse.newBuilder()
                        .setSuccess(true)
                        .setKey(request.getKey())
                        .setIdempotencyKey(outcome.idempotencyKey)
                        .setVectorClock(toProto(outcome.clock))
                        .setReplicaCount(outcome.replicaCount)
                        .setConsistency(level.wireName())
                        .setIsDuplicate(outcome.duplicate)
                        .build());
    }

    public CompletableFuture<DeleteKeyValueResponse> delete(DeleteKeyValueRequest request) {
        TenantInfo tenant = requireTenant(request.getTenantId());
        byte[] key = validation.key(request.getKey());
        validation.idempotencyKey("idempotency_key", request.getIdempotencyKey());
        ConsistencyLevel level = writeLevel(request.getConsistency());
        requireClockInBounds();
        return mutate(tenant, key, null, level, request.getIdempotencyKey())
                .thenApply(outcome -> DeleteKeyValueResponse.newBuilder()
                        .setSuccess(true)
                        .setKey(request.getKey())
                        .setIdempotencyKey(outcome.idempotencyKey)
                        .setVectorClock(toProto(outcome.clock))
                        .setReplicaCount(outcome.replicaCount)
                        .setConsistency(level.wireName())
                        .setIsDuplicate(outcome.duplicate)
                        .build());
    }

    public CompletableFuture<ReadKeyValueResponse> read(ReadKeyValueRequest request) {
        TenantInfo tenant = requireTenant(request.getTenantId());
        byte[] key = validation.key(request.getKey());
        ConsistencyLevel level = readLevel(request.getConsistency());
        long token = Tokens.token(tenant.tenantId(), key);
        List<String> targets = replicasFor(tenant, token);
        int required = level.required(targets.size());
        boolean askAll = level == ConsistencyLevel.ALL
                || ThreadLocalRandom.current().nextDouble() < settings.readRepairChance();
        ReadRound round = new ReadRound(tenant.tenantId(), key, token, orderForReads(targets),
                required, askAll);
        return round.run().thenCompose(answers -> {
            Version winner = resolveAll(answers.values());
            CompletableFuture<Void> repaired = level == ConsistencyLevel.ONE
                    ? CompletableFuture.completedFuture(null)
                    : repair(tenant.tenantId(), key, token, winner, answers);
            // Answers that arrive after the level was met are repaired in the background; the
            // early ones too at "one", or if the late answers changed the winner.
            round.allAnswers().thenAccept(all -> {
                Version latest = resolveAll(all.values());
                Map<String, Version> unrepaired = new LinkedHashMap<>(all);
                if (level != ConsistencyLevel.ONE && java.util.Objects.equals(latest, winner)) {
                    unrepaired.keySet().removeAll(answers.keySet());
                }
                repair(tenant.tenantId(), key, token, latest, unrepaired);
            });
            return repaired.thenApply(ignored -> {
                if (winner == null || winner.isTombstone()) {
                    throw new CairnException(ErrorCode.KEY_NOT_FOUND, "key '"
                            + Validation.printable(request.getKey()) + "' not found in tenant '"
                            + tenant.tenantId() + "'");
                }
                hlc.observe(winner.hlc());
                return ReadKeyValueResponse.newBuilder()
                        .setSuccess(true)
                        .setKey(request.getKey())
                        .setValue(ByteString.copyFrom(winner.value()))
                        .setVectorClock(toProto(winner.clock()))
                        .setReplicaCount(answers.size())
                        .setConsistency(level.wireName())
                        .build();
            });
        });
    }

    /**
     * One read across replicas: asks {@code required} of them (all live ones when
     * {@code askAll}), falls back to the next replica when one fails, and completes once
     * {@code required} have answered. Answers map node to version (null: the replica has none).
     */
    private final class ReadRound {
        private final String tenantId;
        private final byte[] key;
        private final long token;
        private final List<String> order;
        private final int required;
        private final boolean askAll;
        private final Map<String, Version> answers = new LinkedHashMap<>();
        private final List<String> failures = new ArrayList<>();
        private final CompletableFuture<Map<String, Version>> done = new CompletableFuture<>();
        private final CompletableFuture<Map<String, Version>> all = new CompletableFuture<>();
        private int next;
        private int inFlight;

        ReadRound(String tenantId, byte[] key, long token, List<String> order, int required,
                  boolean askAll) {
            this.tenantId = tenantId;
            this.key = key;
            this.token = token;
            this.order = order;
            this.required = required;
            this.askAll = askAll;
        }

        CompletableFuture<Map<String, Version>> run() {
            int initial = askAll ? order.size() : required;
            synchronized (this) {
                for (int i = 0; i < initial; i++) {
                    launchNext();
                }
            }
            Quorum.schedule(() -> {
                synchronized (this) {
                    done.completeExceptionally(new QuorumNotReachedException("read reached "
                            + answers.size() + " of " + required + " required replicas within "
                            + settings.requestTimeoutMillis() + " ms"
                            + (failures.isEmpty() ? "" : ": " + String.join("; ", failures)),
                            answers.size()));
                }
            }, settings.requestTimeoutMillis(), done);
            return done;
        }

        /** Every answer, once no call is in flight. */
        CompletableFuture<Map<String, Version>> allAnswers() {
            return all;
        }

        private void launchNext() {
            if (next >= order.size()) {
                return;
            }
            String node = order.get(next++);
            inFlight++;
            CompletableFuture<Version> call;
            try {
                call = router.replica(node).read(tenantId, key, token);
            } catch (RuntimeException e) {
                call = CompletableFuture.failedFuture(e);
            }
            call.whenComplete((version, error) -> answered(node, version, error));
        }

        private synchronized void answered(String node, Version version, Throwable error) {
            inFlight--;
            if (error == null) {
                answers.put(node, version);
                if (answers.size() >= required) {
                    done.complete(Collections.unmodifiableMap(new LinkedHashMap<>(answers)));
                }
            } else {
                failures.add(Quorum.describe(error));
                launchNext();
                if (answers.size() + inFlight < required) {
                    done.completeExceptionally(new QuorumNotReachedException("read reached "
                            + answers.size() + " of " + required + " required replicas: "
                            + String.join("; ", failures), answers.size()));
                }
            }
            if (inFlight == 0) {
                all.complete(Collections.unmodifiableMap(new LinkedHashMap<>(answers)));
            }
        }
    }

    private Version resolveAll(java.util.Collection<Version> versions) {
        Version winner = null;
        for (Version version : versions) {
            winner = version == null ? winner : resolver.resolve(winner, version);
        }
        return winner;
    }

    /** Sends {@code winner} to every replica whose answer differs from it; completes when done. */
    private CompletableFuture<Void> repair(String tenantId, byte[] key, long token, Version winner,
                                           Map<String, Version> answers) {
        if (winner == null) {
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<?>> repairs = new ArrayList<>();
        for (Map.Entry<String, Version> answer : answers.entrySet()) {
            if (!winner.equals(answer.getValue())) {
                Mutation mutation = new Mutation(tenantId, key, token, winner, null);
                repairs.add(router.replica(answer.getKey()).apply(mutation)
                        .exceptionally(error -> {
                            router.storeHint(answer.getKey(), mutation);
                            return null;
                        }));
            }
        }
        return CompletableFuture.allOf(repairs.toArray(new CompletableFuture<?>[0]));
    }

    /** Replicas in the order reads try them: this node, other live ones, then the rest. */
    private List<String> orderForReads(List<String> targets) {
        List<String> order = new ArrayList<>(targets.size());
        if (targets.contains(nodeId)) {
            order.add(nodeId);
        }
        for (String node : targets) {
            if (!node.equals(nodeId) && router.isAlive(node)) {
                order.add(node);
            }
        }
        for (String node : targets) {
            if (!order.contains(node)) {
                order.add(node);
            }
        }
        return order;
    }

    public CompletableFuture<BatchWriteResponse> batchWrite(BatchWriteRequest request) {
        TenantInfo tenant = requireTenant(request.getTenantId());
        ConsistencyLevel level = writeLevel(request.getConsistency());
        int count = request.getItemsCount();
        if (count == 0) {
            throw CairnException.invalid("items is empty: a batch needs at least one item");
        }
        requireClockInBounds();
        if (count > validation.limits().batchItemsMax()) {
            throw CairnException.invalid("items has " + count + " entries; the limit is "
                    + validation.limits().batchItemsMax());
        }
        long bytes = 0;
        for (BatchWriteItem item : request.getItemsList()) {
            bytes += item.getKey().length() + item.getValue().size();
        }
        if (bytes > validation.limits().batchSizeBytesMax()) {
            throw CairnException.invalid("items hold " + bytes + " bytes of keys and values; the "
                    + "limit is " + validation.limits().batchSizeBytesMax() + " bytes");
        }
        // Items are grouped by replica set, and each replica gets one call per group.
        List<CompletableFuture<WriteOutcome>> outcomes = new ArrayList<>(count);
        List<Prepared> prepared = new ArrayList<>(count);
        Map<List<String>, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            try {
                Prepared item = prepareItem(tenant, level, request.getItems(i), i);
                prepared.add(item);
                groups.computeIfAbsent(item.targets(), targets -> new ArrayList<>()).add(i);
                outcomes.add(null);
            } catch (CairnException e) {
                prepared.add(null);
                outcomes.add(CompletableFuture.failedFuture(e));
            }
        }
        List<List<CompletableFuture<ApplyResult>>> calls = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            calls.add(new ArrayList<>());
        }
        groups.forEach((targets, items) -> {
            List<Mutation> mutations = new ArrayList<>(items.size());
            items.forEach(i -> mutations.add(prepared.get(i).mutation()));
            for (String node : targets) {
                List<CompletableFuture<ApplyResult>> answers = applyAllOrHint(node, mutations);
                for (int j = 0; j < items.size(); j++) {
                    calls.get(items.get(j)).add(answers.get(j));
                }
            }
        });
        List<CompletableFuture<BatchWriteItemResult>> results = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            CompletableFuture<WriteOutcome> outcome = outcomes.get(i) != null ? outcomes.get(i)
                    : settle(prepared.get(i), calls.get(i));
            results.add(itemResult(request.getItems(i), outcome));
        }
        return CompletableFuture.allOf(results.toArray(new CompletableFuture<?>[0]))
                .thenApply(ignored -> {
                    BatchWriteResponse.Builder response = BatchWriteResponse.newBuilder()
                            .setConsistency(level.wireName());
                    int succeeded = 0;
                    for (CompletableFuture<BatchWriteItemResult> result : results) {
                        BatchWriteItemResult item = result.join();
                        succeeded += item.getSuccess() ? 1 : 0;
                        response.addResults(item);
                    }
                    return response.setSuccess(succeeded == count)
                            .setSucceededCount(succeeded)
                            .setFailedCount(count - succeeded)
                            .build();
                });
    }

    /** Validates one batch item and prepares its mutation; throws naming the item. */
    private Prepared prepareItem(TenantInfo tenant, ConsistencyLevel level, BatchWriteItem item,
                                 int index) {
        String field = "items[" + index + "]";
        byte[] key = validation.key(field + ".key", item.getKey());
        validation.idempotencyKey(field + ".idempotency_key", item.getIdempotencyKey());
        byte[] value = item.getValue().toByteArray();
        if (item.getDelete() && value.length > 0) {
            throw CairnException.invalid(field + ".value must be empty when " + field
                    + ".delete is true");
        }
        validation.value(field + ".value", value);
        return prepare(tenant, key, item.getDelete() ? null : value, level,
                item.getIdempotencyKey());
    }

    private static CompletableFuture<BatchWriteItemResult> itemResult(
            BatchWriteItem item, CompletableFuture<WriteOutcome> outcome) {
        return outcome.handle((result, error) -> {
            BatchWriteItemResult.Builder builder = BatchWriteItemResult.newBuilder()
                    .setKey(item.getKey());
            if (error == null) {
                return builder.setSuccess(true)
                        .setIdempotencyKey(result.idempotencyKey)
                        .setVectorClock(toProto(result.clock))
                        .setReplicaCount(result.replicaCount)
                        .setIsDuplicate(result.duplicate)
                        .build();
            }
            CairnException failure = Errors.unwrap(error);
            builder.setSuccess(false)
                    .setErrorMessage(failure.getMessage())
                    .setErrorCodeValue(failure.code().number());
            if (failure instanceof QuorumNotReachedException quorum) {
                builder.setReplicaCount(quorum.acknowledged());
            }
            return builder.build();
        });
    }

    public CompletableFuture<RangeQueryResponse> rangeQuery(RangeQueryRequest request) {
        TenantInfo tenant = requireTenant(request.getTenantId());
        byte[] start = request.getStartKey().isEmpty() ? null
                : validation.key("start_key", request.getStartKey());
        byte[] end = request.getEndKey().isEmpty() ? null
                : validation.key("end_key", request.getEndKey());
        if (start != null && end != null && Arrays.compareUnsigned(start, end) >= 0) {
            throw CairnException.invalid("end_key must sort after start_key (the range is "
                    + "[start_key, end_key))");
        }
        int limit = validation.scanLimit(request.getLimit());
        ConsistencyLevel level = readLevel(request.getConsistency());
        if (!request.getPageToken().isEmpty()) {
            byte[] resumeAfter = PageTokens.decode(request.getPageToken(), tenant.tenantId());
            // The smallest key greater than resumeAfter is resumeAfter followed by a 0 byte.
            byte[] next = Arrays.copyOf(resumeAfter, resumeAfter.length + 1);
            if (start == null || Arrays.compareUnsigned(next, start) > 0) {
                start = next;
            }
        }
        if (start != null && end != null && Arrays.compareUnsigned(start, end) >= 0) {
            return CompletableFuture.completedFuture(
                    RangeQueryResponse.newBuilder().setSuccess(true).build());
        }
        // Every storage node holds a share of the tenant's keys: scan them all, merge by key.
        ClusterMetadata view = metadata.current();
        List<String> nodes = view.ring().nodes();
        Map<String, CompletableFuture<KeyScan>> scans = new LinkedHashMap<>();
        for (String node : nodes) {
            if (router.isAlive(node)) {
                try {
                    scans.put(node, router.replica(node).scan(tenant.tenantId(), start, end, limit,
                            validation.limits().scanPageBytesMax()));
                } catch (RuntimeException e) {
                    scans.put(node, CompletableFuture.failedFuture(e));
                }
            }
        }
        return RangeMerge.collect(scans, settings.requestTimeoutMillis()).thenApply(answered ->
                new RangeMerge(tenant, level, limit, validation.limits().scanPageBytesMax(),
                        view.ring(), resolver).page(answered));
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
        TenantInfo tenant = requireTenant(request.getTenantId());
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
        TenantInfo before = requireTenant(request.getTenantId());
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
        if (request.getVirtualNodes() < 0 || request.getVirtualNodes() > VIRTUAL_NODES_MAX) {
            throw CairnException.invalid("virtual_nodes is " + request.getVirtualNodes()
                    + "; it must be between 0 (the default, "
                    + metadata.current().config().virtualNodesDefault() + ") and "
                    + VIRTUAL_NODES_MAX);
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

    // ----------------------------------------------------------------------------- helpers

    /** The result of a write or delete once its consistency level is met. */
    private record WriteOutcome(String idempotencyKey, VectorClock clock, int replicaCount,
                                boolean duplicate) {
    }

    /** A write or delete ready to send: its mutation, replicas and consistency. */
    private record Prepared(Mutation mutation, List<String> targets, int required,
                            String idempotencyKey, String what) {
    }

    /**
     * Refuses to stamp writes while this node's clock is too far from the cluster's: its stamps
     * decide which of two writes wins.
     */
    private void requireClockInBounds() {
        String refusal = router.writeRefusal();
        if (refusal != null) {
            throw new CairnException(ErrorCode.QUORUM_NOT_REACHED, refusal);
        }
    }

    /** Stamps a write (or, with {@code value} null, a tombstone) for the key's replicas. */
    private Prepared prepare(TenantInfo tenant, byte[] key, byte[] value, ConsistencyLevel level,
                             String idempotencyKey) {
        boolean generated = idempotencyKey.isEmpty();
        String idemKey = generated ? generatedIdempotencyKey() : idempotencyKey;
        long token = Tokens.token(tenant.tenantId(), key);
        List<String> targets = replicasFor(tenant, token);
        long now = wallMillis.getAsLong();
        long stamp = hlc.now(now);
        Version version = value == null ? Version.tombstone(nodeId, stamp)
                : Version.write(value, nodeId, stamp);
        Mutation mutation = new Mutation(tenant.tenantId(), key, token, version,
                new Mutation.IdempotencyRequest(idemKey, requestHash(value), now,
                        settings.idempotencyTtlMillis(), generated));
        return new Prepared(mutation, targets, level.required(targets.size()), idemKey,
                value == null ? "delete" : "write");
    }

    /** Writes a value (or, with {@code value} null, a tombstone) to the key's replicas. */
    private CompletableFuture<WriteOutcome> mutate(TenantInfo tenant, byte[] key, byte[] value,
                                                   ConsistencyLevel level, String idempotencyKey) {
        Prepared prepared = prepare(tenant, key, value, level, idempotencyKey);
        List<CompletableFuture<ApplyResult>> calls = new ArrayList<>(prepared.targets().size());
        for (String node : prepared.targets()) {
            calls.add(applyOrHint(node, prepared.mutation()));
        }
        return settle(prepared, calls);
    }

    /**
     * Answers a write once its replicas' answers meet its consistency level. When an answer shows
     * that a replica kept a version the write did not know about and could not beat (an earlier
     * write stamped by a clock running ahead), the write is stamped again above it first
     * ({@link SequentialWrites}), so that a write acknowledged before this one began never wins
     * over it.
     */
    private CompletableFuture<WriteOutcome> settle(Prepared prepared,
                                                   List<CompletableFuture<ApplyResult>> calls) {
        return Quorum.await(calls, prepared.required(), settings.requestTimeoutMillis(),
                        prepared.what())
                .thenCompose(answers -> {
                    WriteOutcome outcome = outcome(prepared, answers);
                    if (outcome.duplicate()) {
                        return CompletableFuture.completedFuture(outcome);
                    }
                    Version written = prepared.mutation().version();
                    for (ApplyResult answer : answers) {
                        if (answer.outcome() == ApplyResult.Outcome.APPLIED
                                && SequentialWrites.isOvertaken(written, answer.clock())) {
                            return restamp(prepared, appliedClocks(answers));
                        }
                    }
                    return CompletableFuture.completedFuture(outcome);
                });
    }

    /** The clocks of what the replicas that applied the write now store. */
    private static List<VectorClock> appliedClocks(List<ApplyResult> answers) {
        List<VectorClock> clocks = new ArrayList<>(answers.size());
        for (ApplyResult answer : answers) {
            if (answer.outcome() == ApplyResult.Outcome.APPLIED) {
                clocks.add(answer.clock());
            }
        }
        return clocks;
    }

    /** Writes {@code prepared}'s value again, stamped above every clock in {@code stored}. */
    private CompletableFuture<WriteOutcome> restamp(Prepared prepared, List<VectorClock> stored) {
        Mutation first = prepared.mutation();
        long stamp = SequentialWrites.restampReading(first.version(),
                hlc.now(wallMillis.getAsLong()), stored);
        Version again = SequentialWrites.restamped(first.version(), stored, stamp);
        // No idempotency check: the first round stored the record, and this round must apply
        // even where it did. A retry of the request still finds that record.
        Mutation mutation = new Mutation(first.tenantId(), first.key(), first.token(), again,
                null);
        List<CompletableFuture<ApplyResult>> calls = new ArrayList<>(prepared.targets().size());
        for (String node : prepared.targets()) {
            calls.add(applyOrHint(node, mutation));
        }
        restamped.increment();
        return Quorum.await(calls, prepared.required(), settings.requestTimeoutMillis(),
                        prepared.what())
                .thenApply(answers -> outcome(prepared, answers));
    }

    /** The write's outcome from answers that met its level; throws on a conflict. */
    private WriteOutcome outcome(Prepared prepared, List<ApplyResult> answers) {
        VectorClock clock = VectorClock.empty();
        boolean allDuplicates = true;
        for (ApplyResult answer : answers) {
            if (answer.outcome() == ApplyResult.Outcome.CONFLICT) {
                throw new CairnException(ErrorCode.IDEMPOTENCY_KEY_CONFLICT, "idempotency_key '"
                        + Validation.printable(prepared.idempotencyKey())
                        + "' was already used for a different " + prepared.what()
                        + " of this key; use a new idempotency key");
            }
            allDuplicates &= answer.outcome() == ApplyResult.Outcome.DUPLICATE;
            clock = clock.merge(answer.clock());
        }
        hlc.observe(clock.maxCounter());
        return new WriteOutcome(prepared.idempotencyKey(), clock, answers.size(),
                allDuplicates);
    }

    /** Writes stamped again because a replica held a version they did not know about. */
    public long restampedCount() {
        return restamped.sum();
    }

    /**
     * A random version-4 UUID. Unguessability buys nothing here (a key only names a retry of one
     * key's write), so it comes from the thread's fast generator, not the locked SecureRandom
     * {@link UUID#randomUUID()} shares across every request.
     */
    private static String generatedIdempotencyKey() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48);
        return new UUID(high, low).toString();
    }

    private static byte[] requestHash(byte[] value) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(value == null ? OP_DELETE : OP_PUT);
            if (value != null) {
                digest.update(value);
            }
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * Sends a mutation to one replica. A replica believed down is not waited on: it gets a hint
     * at once and counts as a failure. A replica that fails or times out gets a hint too.
     */
    private CompletableFuture<ApplyResult> applyOrHint(String node, Mutation mutation) {
        if (!router.isAlive(node)) {
            router.storeHint(node, mutation);
            return CompletableFuture.failedFuture(new CairnException(ErrorCode.QUORUM_NOT_REACHED,
                    "replica " + node + " is believed down (hinted)"));
        }
        CompletableFuture<ApplyResult> call;
        try {
            call = router.replica(node).apply(mutation);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        call.whenComplete((result, error) -> {
            if (error != null) {
                router.storeHint(node, mutation);
            }
        });
        return call;
    }

    /** {@link #applyOrHint} for many mutations bound for one replica, in one call. */
    private List<CompletableFuture<ApplyResult>> applyAllOrHint(String node,
                                                                List<Mutation> mutations) {
        if (mutations.size() == 1) {
            return List.of(applyOrHint(node, mutations.get(0)));
        }
        List<CompletableFuture<ApplyResult>> calls;
        if (!router.isAlive(node)) {
            calls = new ArrayList<>(mutations.size());
            for (Mutation mutation : mutations) {
                calls.add(applyOrHint(node, mutation));
            }
            return calls;
        }
        try {
            calls = router.replica(node).applyAll(mutations);
        } catch (RuntimeException e) {
            calls = new ArrayList<>(mutations.size());
            for (int i = 0; i < mutations.size(); i++) {
                calls.add(CompletableFuture.failedFuture(e));
            }
        }
        for (int i = 0; i < mutations.size(); i++) {
            Mutation mutation = mutations.get(i);
            calls.get(i).whenComplete((result, error) -> {
                if (error != null) {
                    router.storeHint(node, mutation);
                }
            });
        }
        return calls;
    }

    private List<String> replicasFor(TenantInfo tenant, long token) {
        List<String> nodes = metadata.current().ring().replicas(token, tenant.replicationFactor());
        if (nodes.isEmpty()) {
            throw new CairnException(ErrorCode.QUORUM_NOT_REACHED, "the cluster has no active "
                    + "storage node");
        }
        return nodes;
    }

    private TenantInfo requireTenant(String tenantId) {
        // A tenant that exists has a valid id (it was checked when the tenant was created), so
        // only an unknown id is checked, to say what is wrong with it if anything is.
        TenantInfo tenant = metadata.current().tenant(tenantId);
        if (tenant == null) {
            Validation.tenantId(tenantId);
            throw new CairnException(ErrorCode.TENANT_NOT_FOUND, "tenant '" + tenantId
                    + "' does not exist; create it first (CreateTenant)");
        }
        return tenant;
    }

    private static String requireNodeId(String node) {
        if (node.isEmpty()) {
            throw CairnException.invalid("node_id is required");
        }
        if (!NODE_ID.matcher(node).matches()) {
            throw CairnException.invalid("node_id '" + Validation.printable(node) + "' is "
                    + "invalid: it must be 1-64 characters of letters, digits, '_', '.' or '-', "
                    + "starting with a letter or digit");
        }
        return node;
    }

    private ConsistencyLevel writeLevel(String consistency) {
        return ConsistencyLevel.parse(consistency, ConsistencyLevel.parse(
                metadata.current().config().writeConsistencyDefault(), ConsistencyLevel.QUORUM));
    }

    private ConsistencyLevel readLevel(String consistency) {
        return ConsistencyLevel.parse(consistency, ConsistencyLevel.parse(
                metadata.current().config().readConsistencyDefault(), ConsistencyLevel.QUORUM));
    }

    private long nowSeconds() {
        return wallMillis.getAsLong() / 1000;
    }

    static io.cairndb.api.VectorClock toProto(VectorClock clock) {
        io.cairndb.api.VectorClock.Builder builder = io.cairndb.api.VectorClock.newBuilder();
        for (int i = 0; i < clock.size(); i++) {
            builder.addEntries(VectorClockEntry.newBuilder()
                    .setCoordinatorNodeId(clock.node(i))
                    .setLogicalTimestamp(clock.counter(i)));
        }
        return builder.build();
    }
}
