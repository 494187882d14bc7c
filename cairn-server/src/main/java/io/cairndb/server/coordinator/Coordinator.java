package io.cairndb.server.coordinator;

import com.google.protobuf.ByteString;
import io.cairndb.api.BatchWriteItem;
import io.cairndb.api.BatchWriteItemResult;
import io.cairndb.api.BatchWriteRequest;
import io.cairndb.api.BatchWriteResponse;
import io.cairndb.api.DeleteKeyValueRequest;
import io.cairndb.api.DeleteKeyValueResponse;
import io.cairndb.api.RangeQueryRequest;
import io.cairndb.api.RangeQueryResponse;
import io.cairndb.api.ReadKeyValueRequest;
import io.cairndb.api.ReadKeyValueResponse;
import io.cairndb.api.WriteKeyValueRequest;
import io.cairndb.api.WriteKeyValueResponse;
import io.cairndb.core.ApplyResult;
import io.cairndb.core.CairnException;
import io.cairndb.core.ConsistencyLevel;
import io.cairndb.core.ErrorCode;
import io.cairndb.core.Failures;
import io.cairndb.core.HybridLogicalClock;
import io.cairndb.core.Idempotency;
import io.cairndb.core.KeyScan;
import io.cairndb.core.Mutation;
import io.cairndb.core.Placement;
import io.cairndb.core.ReadMachine;
import io.cairndb.core.Scheduler;
import io.cairndb.core.Tokens;
import io.cairndb.core.Validation;
import io.cairndb.core.VectorClock;
import io.cairndb.core.Version;
import io.cairndb.core.VersionResolver;
import io.cairndb.core.WriteMachine;
import io.cairndb.server.common.Errors;
import io.cairndb.server.control.ClusterMetadata;
import io.cairndb.server.control.MetadataStore;
import io.cairndb.server.control.TenantInfo;
import io.cairndb.server.replica.ReplicaRouter;
import io.cairndb.server.tracing.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Serves clients' key operations: validates them, finds each key's replicas on the ring, and
 * drives cairn-core's request machines ({@link WriteMachine}, {@link ReadMachine}), which decide
 * what to send, hint and repair and when the consistency level is met. Tenants and storage nodes
 * are {@link ClusterAdministration}'s. Every path is asynchronous; validation errors are thrown as
 * {@link CairnException} before any work starts.
 *
 * <p>When tracing is on, each operation is a coordinator span under the entry span current on
 * the calling thread, and its context goes explicitly with every replica call the machines ask
 * for, whichever thread performs it.
 */
public final class Coordinator {


    private final String nodeId;
    private final MetadataStore metadata;
    private final ReplicaRouter router;
    private final Validation validation;
    private final HybridLogicalClock hlc;
    private final LongSupplier wallMillis;
    private final CoordinatorSettings settings;
    private final NodeStats localStats;
    private final VersionResolver resolver = VersionResolver.DEFAULT;
    private final Scheduler scheduler;
    private final Supplier<RandomGenerator> random;
    private final Tracing tracing;
    /** Writes stamped again because a replica held a version they had not seen. */
    private final LongAdder restamped = new LongAdder();
    /** Read repairs sent that held a client's answer back, and those sent after it. */
    private final LongAdder blockingRepairs = new LongAdder();
    private final LongAdder backgroundRepairs = new LongAdder();

    /** A coordinator with the node's deadline timer and each thread's fast random generator. */
    public Coordinator(MetadataStore metadata, ReplicaRouter router, Validation validation,
                       HybridLogicalClock hlc, LongSupplier wallMillis,
                       CoordinatorSettings settings, NodeStats localStats, Tracing tracing) {
        this(metadata, router, validation, hlc, wallMillis, settings, localStats,
                WheelScheduler.SHARED, ThreadLocalRandom::current, tracing);
    }

    /**
     * @param scheduler runs request deadlines
     * @param random the generator for read-repair chances and generated idempotency keys; it is
     *     asked for on each use, so a thread-local one may be given
     * @param tracing traces each operation and its replica calls
     */
    public Coordinator(MetadataStore metadata, ReplicaRouter router, Validation validation,
                       HybridLogicalClock hlc, LongSupplier wallMillis,
                       CoordinatorSettings settings, NodeStats localStats, Scheduler scheduler,
                       Supplier<RandomGenerator> random, Tracing tracing) {
        this.tracing = tracing;
        this.scheduler = scheduler;
        this.random = random;
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
        TenantInfo tenant = requireTenant(metadata, request.getTenantId());
        byte[] key = validation.key(request.getKey());
        validation.value(request.getValue().toByteArray());
        validation.idempotencyKey("idempotency_key", request.getIdempotencyKey());
        ConsistencyLevel level = writeLevel(request.getConsistency());
        requireClockInBounds();
        byte[] value = request.getValue().toByteArray();
        return mutate(tenant, key, value, level, request.getIdempotencyKey(), "write")
                .thenApply(outcome -> WriteKeyValueResponse.newBuilder()
                        .setSuccess(true)
                        .setKey(request.getKey())
                        .setIdempotencyKey(outcome.idempotencyKey)
                        .setVectorClock(ClientClocks.toProto(outcome.clock))
                        .setReplicaCount(outcome.replicaCount)
                        .setConsistency(level.wireName())
                        .setIsDuplicate(outcome.duplicate)
                        .build());
    }

    public CompletableFuture<DeleteKeyValueResponse> delete(DeleteKeyValueRequest request) {
        TenantInfo tenant = requireTenant(metadata, request.getTenantId());
        byte[] key = validation.key(request.getKey());
        validation.idempotencyKey("idempotency_key", request.getIdempotencyKey());
        ConsistencyLevel level = writeLevel(request.getConsistency());
        requireClockInBounds();
        return mutate(tenant, key, null, level, request.getIdempotencyKey(), "delete")
                .thenApply(outcome -> DeleteKeyValueResponse.newBuilder()
                        .setSuccess(true)
                        .setKey(request.getKey())
                        .setIdempotencyKey(outcome.idempotencyKey)
                        .setVectorClock(ClientClocks.toProto(outcome.clock))
                        .setReplicaCount(outcome.replicaCount)
                        .setConsistency(level.wireName())
                        .setIsDuplicate(outcome.duplicate)
                        .build());
    }

    public CompletableFuture<ReadKeyValueResponse> read(ReadKeyValueRequest request) {
        TenantInfo tenant = requireTenant(metadata, request.getTenantId());
        byte[] key = validation.key(request.getKey());
        ConsistencyLevel level = readLevel(request.getConsistency());
        long token = Tokens.token(tenant.tenantId(), key);
        List<String> targets = replicasFor(tenant, token).natural();
        boolean askAll = level == ConsistencyLevel.ALL
                || random.get().nextDouble() < settings.readRepairChance();
        ReadMachine machine = new ReadMachine(tenant.tenantId(), key, token,
                ReadMachine.order(targets, nodeId, router::isAlive),
                level.required(targets.size()), askAll, level != ConsistencyLevel.ONE,
                settings.requestTimeoutMillis());
        Context trace = operationTrace("read", tenant, level);
        return traced(trace, new ReadDriver(machine, tenant.tenantId(), key, token, trace)
                .start()).thenApply(answer -> {
            Version winner = answer.winner();
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
                    .setVectorClock(ClientClocks.toProto(winner.clock()))
                    .setReplicaCount(answer.replicaCount())
                    .setConsistency(level.wireName())
                    .build();
        });
    }

    /**
     * Runs one {@link ReadMachine}: performs its effects, and feeds it each replica's answer,
     * each repair's end and the deadline, one at a time.
     */
    private final class ReadDriver {
        private final ReadMachine machine;
        private final String tenantId;
        private final byte[] key;
        private final long token;
        private final Context trace;
        private final CompletableFuture<ReadMachine.Answer> answer = new CompletableFuture<>();

        ReadDriver(ReadMachine machine, String tenantId, byte[] key, long token, Context trace) {
            this.trace = trace;
            this.machine = machine;
            this.tenantId = tenantId;
            this.key = key;
            this.token = token;
        }

        CompletableFuture<ReadMachine.Answer> start() {
            List<ReadMachine.Effect> effects;
            synchronized (this) {
                effects = machine.start();
            }
            perform(effects);
            if (!answer.isDone()) {
                Scheduler.Timer timer = scheduler.schedule(() -> perform(step(machine::timedOut)),
                        settings.requestTimeoutMillis());
                answer.whenComplete((result, error) -> timer.cancel());
            }
            return answer;
        }

        private synchronized List<ReadMachine.Effect> step(
                java.util.function.Supplier<List<ReadMachine.Effect>> input) {
            return input.get();
        }

        private void perform(List<ReadMachine.Effect> effects) {
            for (ReadMachine.Effect effect : effects) {
                if (effect instanceof ReadMachine.Read read) {
                    String node = read.node();
                    calling(() -> router.replica(node).read(tenantId, key, token, trace))
                            .whenComplete((version, error) -> perform(error == null
                                    ? step(() -> machine.answered(node, version))
                                    : step(() -> machine.failed(node, Failures.describe(error)))));
                } else if (effect instanceof ReadMachine.Repair repair) {
                    (repair.blocking() ? blockingRepairs : backgroundRepairs).increment();
                    calling(() -> router.replica(repair.node()).apply(repair.mutation(), trace))
                            .whenComplete((result, error) -> perform(
                                    step(() -> machine.repaired(repair, error == null))));
                } else if (effect instanceof ReadMachine.StoreHint hint) {
                    router.storeHint(hint.node(), hint.mutation());
                } else if (effect instanceof ReadMachine.Answer done) {
                    answer.complete(done);
                } else if (effect instanceof ReadMachine.Fail fail) {
                    answer.completeExceptionally(failure(fail.code(), fail.message(),
                            fail.acknowledged()));
                }
            }
        }
    }

    public CompletableFuture<BatchWriteResponse> batchWrite(BatchWriteRequest request) {
        TenantInfo tenant = requireTenant(metadata, request.getTenantId());
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
        // Each item runs its own machine; the first round's sends are grouped by replica, and
        // each replica gets one call for all its items.
        Context trace = operationTrace("batchWrite", tenant, level);
        List<CompletableFuture<WriteOutcome>> outcomes = new ArrayList<>(count);
        Map<String, List<WriteMachine.Send>> sends = new LinkedHashMap<>();
        Map<WriteMachine.Send, WriteDriver> drivers = new java.util.IdentityHashMap<>();
        for (int i = 0; i < count; i++) {
            WriteDriver driver;
            try {
                driver = new WriteDriver(prepareItem(tenant, level, request.getItems(i), i),
                        trace);
            } catch (CairnException e) {
                outcomes.add(CompletableFuture.failedFuture(e));
                continue;
            }
            outcomes.add(driver.outcome);
            for (WriteMachine.Effect effect : driver.start()) {
                if (effect instanceof WriteMachine.Send send) {
                    sends.computeIfAbsent(send.node(), node -> new ArrayList<>()).add(send);
                    drivers.put(send, driver);
                } else {
                    driver.perform(effect);
                }
            }
        }
        sends.forEach((node, group) -> {
            List<Mutation> mutations = new ArrayList<>(group.size());
            group.forEach(send -> mutations.add(send.mutation()));
            List<CompletableFuture<ApplyResult>> answers;
            try {
                answers = router.replica(node).applyAll(mutations, trace);
            } catch (RuntimeException e) {
                answers = new ArrayList<>(group.size());
                for (int k = 0; k < group.size(); k++) {
                    answers.add(CompletableFuture.failedFuture(e));
                }
            }
            for (int k = 0; k < group.size(); k++) {
                WriteMachine.Send send = group.get(k);
                answers.get(k).whenComplete((result, error) -> drivers.get(send)
                        .answered(send, result, error));
            }
        });
        List<CompletableFuture<BatchWriteItemResult>> results = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            results.add(itemResult(request.getItems(i), outcomes.get(i)));
        }
        return traced(trace, CompletableFuture.allOf(results.toArray(new CompletableFuture<?>[0])))
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
                        .setVectorClock(ClientClocks.toProto(result.clock))
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
        TenantInfo tenant = requireTenant(metadata, request.getTenantId());
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
        Context trace = operationTrace("rangeQuery", tenant, level);
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
        return traced(trace, RangeMerge.collect(scans, settings.requestTimeoutMillis()))
                .thenApply(answered ->
                new RangeMerge(tenant, level, limit, validation.limits().scanPageBytesMax(),
                        view.ring(), resolver).page(answered));
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
        Placement.Replicas replicas = replicasFor(tenant, token);
        List<String> targets = replicas.writeTargets();
        long now = wallMillis.getAsLong();
        long stamp = hlc.now(now);
        Version version = value == null ? Version.tombstone(nodeId, stamp)
                : Version.write(value, nodeId, stamp);
        Mutation mutation = new Mutation(tenant.tenantId(), key, token, version,
                new Mutation.IdempotencyRequest(idemKey, Idempotency.requestHash(value), now,
                        settings.idempotencyTtlMillis(), generated));
        return new Prepared(mutation, targets, replicas.writeRequired(level), idemKey,
                value == null ? "delete" : "write");
    }

    /** Writes a value (or, with {@code value} null, a tombstone) to the key's replicas. */
    private CompletableFuture<WriteOutcome> mutate(TenantInfo tenant, byte[] key, byte[] value,
                                                   ConsistencyLevel level, String idempotencyKey,
                                                   String operation) {
        Context trace = operationTrace(operation, tenant, level);
        WriteDriver driver = new WriteDriver(prepare(tenant, key, value, level, idempotencyKey),
                trace);
        driver.perform(driver.start());
        return traced(trace, driver.outcome);
    }

    /**
     * Starts the coordinator span of one operation under the span current on this thread (the
     * entry's), and answers its context for the replica calls; null when tracing is off.
     */
    private Context operationTrace(String operation, TenantInfo tenant, ConsistencyLevel level) {
        if (!tracing.enabled()) {
            return null;
        }
        Context entry = Context.current();
        Span span = tracing.start("coordinator " + operation, SpanKind.INTERNAL, entry);
        span.setAttribute("cairn.operation", operation);
        span.setAttribute("cairn.tenant", tenant.tenantId());
        span.setAttribute("cairn.consistency", level.wireName());
        span.setAttribute("cairn.node", nodeId);
        return entry.with(span);
    }

    /** {@code future}, ending the span of {@code trace} (if traced) when it completes. */
    private static <T> CompletableFuture<T> traced(Context trace, CompletableFuture<T> future) {
        return trace == null ? future : Tracing.endWhenDone(Span.fromContext(trace), future);
    }

    /** The tracing this coordinator's operations are traced with. */
    Tracing tracing() {
        return tracing;
    }

    /**
     * Runs one {@link WriteMachine}: performs its effects (sends, hints, a clock reading, the
     * answer) and feeds it each replica's answer and each deadline, one at a time.
     */
    private final class WriteDriver {
        private final Prepared prepared;
        private final WriteMachine machine;
        private final Context trace;
        /**
         * The gRPC call this write serves, read on the thread that received it; cancelled once
         * its client cancels it or its deadline passes. Other fronts' (REST's) never is.
         */
        private final io.grpc.Context caller = io.grpc.Context.current();
        private final CompletableFuture<WriteOutcome> outcome = new CompletableFuture<>();

        WriteDriver(Prepared prepared, Context trace) {
            this.prepared = prepared;
            this.trace = trace;
            this.machine = new WriteMachine(prepared.mutation(), prepared.targets(),
                    prepared.required(), prepared.what(), prepared.idempotencyKey(),
                    settings.requestTimeoutMillis());
        }

        /** The first round's effects, for the caller to perform (a batch groups its sends). */
        List<WriteMachine.Effect> start() {
            List<WriteMachine.Effect> effects = step(() -> machine.start(router::isAlive));
            deadline(1);
            return effects;
        }

        private void deadline(int round) {
            if (outcome.isDone()) {
                return;
            }
            Scheduler.Timer timer = scheduler.schedule(
                    () -> perform(step(() -> machine.timedOut(round))),
                    settings.requestTimeoutMillis());
            outcome.whenComplete((result, error) -> timer.cancel());
        }

        private synchronized List<WriteMachine.Effect> step(
                java.util.function.Supplier<List<WriteMachine.Effect>> input) {
            return input.get();
        }

        /** Feeds the machine one replica's answer to a send, and performs what follows. */
        void answered(WriteMachine.Send send, ApplyResult result, Throwable error) {
            perform(error == null
                    ? step(() -> machine.applied(send.round(), send.node(), result))
                    : step(() -> machine.failed(send.round(), send.node(),
                            Failures.describe(error))));
        }

        void perform(List<WriteMachine.Effect> effects) {
            for (WriteMachine.Effect effect : effects) {
                perform(effect);
            }
        }

        void perform(WriteMachine.Effect effect) {
            if (effect instanceof WriteMachine.Send send) {
                calling(() -> router.replica(send.node()).apply(send.mutation(), trace))
                        .whenComplete((result, error) -> answered(send, result, error));
            } else if (effect instanceof WriteMachine.StoreHint hint) {
                router.storeHint(hint.node(), hint.mutation());
            } else if (effect instanceof WriteMachine.NeedStamp) {
                if (caller.isCancelled()) {
                    // Its client gave up and may have retried and moved on to a later write,
                    // which a second round stamped now would overtake.
                    perform(step(machine::abandoned));
                    return;
                }
                restamped.increment();
                long reading = hlc.now(wallMillis.getAsLong());
                perform(step(() -> machine.stamped(reading, router::isAlive)));
                deadline(2);
            } else if (effect instanceof WriteMachine.Answer answer) {
                hlc.observe(answer.clock().maxCounter());
                outcome.complete(new WriteOutcome(prepared.idempotencyKey(), answer.clock(),
                        answer.replicaCount(), answer.duplicate()));
            } else if (effect instanceof WriteMachine.Fail fail) {
                outcome.completeExceptionally(failure(fail.code(), fail.message(),
                        fail.acknowledged()));
            }
        }
    }

    /** A machine's failure as the exception the fronts map to an error response. */
    private static CairnException failure(ErrorCode code, String message, int acknowledged) {
        return code == ErrorCode.QUORUM_NOT_REACHED
                ? new QuorumNotReachedException(message, acknowledged)
                : new CairnException(code, message);
    }

    /** A replica call; one that throws before it starts counts as a failed call. */
    private static <T> CompletableFuture<T> calling(
            java.util.function.Supplier<CompletableFuture<T>> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Writes stamped again because a replica held a version they did not know about. */
    public long restampedCount() {
        return restamped.sum();
    }

    /**
     * Read repairs this coordinator has sent to replicas that answered an older version or none:
     * the {@code blocking} ones, sent before the client's answer, or the background ones, sent
     * for answers that came after it.
     */
    public long readRepairsSent(boolean blocking) {
        return (blocking ? blockingRepairs : backgroundRepairs).sum();
    }

    /**
     * A random version-4 UUID. Unguessability buys nothing here (a key only names a retry of one
     * key's write), so it comes from the injected fast generator, not the locked SecureRandom
     * {@link UUID#randomUUID()} shares across every request.
     */
    private String generatedIdempotencyKey() {
        RandomGenerator generator = random.get();
        long high = (generator.nextLong() & ~0xF000L) | 0x4000L;
        long low = (generator.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48);
        return new UUID(high, low).toString();
    }

    /**
     * The key's replicas: its owners and, while a migration moves its range, the nodes that
     * will own it (writes go to both; reads to the owners).
     */
    private Placement.Replicas replicasFor(TenantInfo tenant, long token) {
        Placement.Replicas replicas = metadata.current().placement().replicas(tenant.tenantId(),
                tenant.replicationFactor(), token);
        if (replicas.natural().isEmpty()) {
            throw new CairnException(ErrorCode.QUORUM_NOT_REACHED, "the cluster has no active "
                    + "storage node");
        }
        return replicas;
    }

    /** The tenant named {@code tenantId}; throws TENANT_NOT_FOUND, or naming what is invalid. */
    static TenantInfo requireTenant(MetadataStore metadata, String tenantId) {
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

    private ConsistencyLevel writeLevel(String consistency) {
        return ConsistencyLevel.parse(consistency, ConsistencyLevel.parse(
                metadata.current().config().writeConsistencyDefault(), ConsistencyLevel.QUORUM));
    }

    private ConsistencyLevel readLevel(String consistency) {
        return ConsistencyLevel.parse(consistency, ConsistencyLevel.parse(
                metadata.current().config().readConsistencyDefault(), ConsistencyLevel.QUORUM));
    }
}
