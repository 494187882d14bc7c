package io.cairndb.server.replica;

import static io.cairndb.server.common.ServerLimits.REPLICA_BATCH_BYTES_MAX;
import static io.cairndb.server.common.ServerLimits.REPLICA_BATCH_ITEMS_MAX;
import static io.cairndb.server.common.ServerLimits.REPLICA_QUEUED_ITEMS_MAX;
import static io.cairndb.server.common.ServerLimits.REPLICA_READS_IN_FLIGHT_MAX;
import static io.cairndb.server.common.ServerLimits.REPLICA_SENDS_IN_FLIGHT_MAX;

import com.google.protobuf.ByteString;
import io.cairndb.api.peer.ApplyBatchRequest;
import io.cairndb.api.peer.ApplyBatchResponse;
import io.cairndb.api.peer.ApplyBatchResult;
import io.cairndb.api.peer.ApplyResponse;
import io.cairndb.api.peer.PeerServiceGrpc;
import io.cairndb.api.peer.ReadBatchRequest;
import io.cairndb.api.peer.ReadBatchResponse;
import io.cairndb.api.peer.ReadBatchResult;
import io.cairndb.api.peer.ReadRequest;
import io.cairndb.api.peer.ReadResponse;
import io.cairndb.api.peer.ScanEntry;
import io.cairndb.api.peer.ScanRequest;
import io.cairndb.api.peer.ScanResponse;
import io.cairndb.core.ApplyResult;
import io.cairndb.core.CairnException;
import io.cairndb.core.ErrorCode;
import io.cairndb.core.Failures;
import io.cairndb.core.HybridLogicalClock;
import io.cairndb.core.IdempotencyRecord;
import io.cairndb.core.KeyEntry;
import io.cairndb.core.KeyScan;
import io.cairndb.core.Mutation;
import io.cairndb.core.Version;
import io.cairndb.server.common.ServerLimits;
import io.cairndb.server.tracing.Tracing;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.ToLongFunction;

/**
 * A replica on another node, reached over the peer protocol. Calls are asynchronous and carry a
 * deadline; a failure completes the future with a {@link CairnException} naming the node. Each
 * call's time, to its answer or failure, goes to {@link ReplicaCallTimes}.
 *
 * <p>A traced call is a client span whose context travels to the peer in the call's headers,
 * so the peer's server span is its child. Calls that leave together carry one span: the child
 * of the first traced request's context, linked to the others'.
 */
public final class RemoteReplica implements Replica {

    private final String nodeId;
    private final String selfNodeId;
    private final PeerServiceGrpc.PeerServiceStub stub;
    private final long deadlineMillis;
    private final HybridLogicalClock hlc;
    private final Tracing tracing;
    private final LongConsumer writeTimes;
    private final LongConsumer readTimes;
    private final LongConsumer scanTimes;

    public RemoteReplica(String nodeId, String selfNodeId, ManagedChannel channel,
                         long deadlineMillis, HybridLogicalClock hlc, Tracing tracing,
                         ReplicaCallTimes times) {
        this.nodeId = nodeId;
        this.selfNodeId = selfNodeId;
        this.stub = tracing.propagating(PeerServiceGrpc.newStub(channel));
        this.deadlineMillis = deadlineMillis;
        this.hlc = hlc;
        this.tracing = tracing;
        this.writeTimes = times.recorder(nodeId, ReplicaCallTimes.WRITE);
        this.readTimes = times.recorder(nodeId, ReplicaCallTimes.READ);
        this.scanTimes = times.recorder(nodeId, ReplicaCallTimes.SCAN);
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    /**
     * Sends {@code mutation} at once when fewer than
     * {@link ServerLimits#REPLICA_SENDS_IN_FLIGHT_MAX} calls to this replica are in flight;
     * otherwise it waits for one of them to finish and leaves with every mutation queued
     * meanwhile, in one {@code ApplyBatch} call. Under load a call then carries
     * many mutations, and the per-call cost (HTTP/2 frames, headers, thread wake-ups on both
     * sides) is paid once for all of them; a lone write still goes out immediately.
     */
    @Override
    public CompletableFuture<ApplyResult> apply(Mutation mutation) {
        return writes.submit(mutation, null);
    }

    @Override
    public CompletableFuture<ApplyResult> apply(Mutation mutation, Context trace) {
        return writes.submit(mutation, trace);
    }

    private final Coalescer<Mutation, ApplyResult> writes = new Coalescer<>("mutations",
            REPLICA_SENDS_IN_FLIGHT_MAX, RemoteReplica::sizeBytes,
            (batch, traces) -> batch.size() == 1 ? List.of(applyOne(batch.get(0), traces))
                    : applyAll(batch, traces));

    private final Coalescer<ReadRequest, Version> reads = new Coalescer<>("reads",
            REPLICA_READS_IN_FLIGHT_MAX, request -> request.getKey().size(),
            (batch, traces) -> batch.size() == 1 ? List.of(readOne(batch.get(0), traces))
                    : readAll(batch, traces));

    private static long sizeBytes(Mutation mutation) {
        byte[] value = mutation.version().value();
        return mutation.key().length + (value == null ? 0 : value.length);
    }

    /**
     * Requests of one kind to this replica: sent at once while fewer than {@code inFlightMax}
     * calls are in flight, else queued and sent together, in one call, when one finishes. Each
     * request keeps its trace context while it waits; a call gets the traced requests' contexts
     * (null when none is traced).
     */
    private final class Coalescer<I, O> {

        private final String what;
        private final int inFlightMax;
        private final ToLongFunction<I> sizeBytes;
        private final BiFunction<List<I>, List<Context>, List<CompletableFuture<O>>> sendAll;
        /** Requests waiting for a call, oldest first. Guarded by itself. */
        private final ArrayDeque<Queued<I, O>> queue = new ArrayDeque<>();
        /** Calls now in flight. Guarded by {@link #queue}. */
        private int sendsInFlight;

        Coalescer(String what, int inFlightMax, ToLongFunction<I> sizeBytes,
                  BiFunction<List<I>, List<Context>, List<CompletableFuture<O>>> sendAll) {
            this.what = what;
            this.inFlightMax = inFlightMax;
            this.sizeBytes = sizeBytes;
            this.sendAll = sendAll;
        }

        CompletableFuture<O> submit(I item, Context trace) {
            CompletableFuture<O> result = new CompletableFuture<>();
            List<Queued<I, O>> batch;
            synchronized (queue) {
                if (queue.size() >= REPLICA_QUEUED_ITEMS_MAX) {
                    result.completeExceptionally(new CairnException(ErrorCode.INTERNAL_ERROR,
                            "replica " + nodeId + " has " + queue.size() + " " + what
                            + " waiting to be sent; not queueing more"));
                    return result;
                }
                queue.add(new Queued<>(item, result, trace));
                batch = takeBatch();
            }
            if (batch != null) {
                send(batch);
            }
            return result;
        }

        // Holding the queue's lock: the next batch to send, if a call may start now.
        private List<Queued<I, O>> takeBatch() {
            if (queue.isEmpty() || sendsInFlight >= inFlightMax) {
                return null;
            }
            List<Queued<I, O>> batch = new ArrayList<>(
                    Math.min(queue.size(), REPLICA_BATCH_ITEMS_MAX));
            long bytes = 0;
            while (!queue.isEmpty() && batch.size() < REPLICA_BATCH_ITEMS_MAX) {
                long size = sizeBytes.applyAsLong(queue.peek().item());
                if (!batch.isEmpty() && bytes + size > REPLICA_BATCH_BYTES_MAX) {
                    break;
                }
                batch.add(queue.poll());
                bytes += size;
            }
            sendsInFlight++;
            return batch;
        }

        private void send(List<Queued<I, O>> batch) {
            List<I> items = new ArrayList<>(batch.size());
            List<Context> traces = null;
            for (Queued<I, O> queued : batch) {
                items.add(queued.item());
                if (queued.trace() != null) {
                    if (traces == null) {
                        traces = new ArrayList<>(1);
                    }
                    traces.add(queued.trace());
                }
            }
            List<CompletableFuture<O>> answers;
            try {
                answers = sendAll.apply(items, traces);
            } catch (RuntimeException e) {
                answers = new ArrayList<>(items.size());
                for (int i = 0; i < items.size(); i++) {
                    answers.add(CompletableFuture.failedFuture(failure(e)));
                }
            }
            CompletableFuture<?>[] all = new CompletableFuture<?>[answers.size()];
            for (int i = 0; i < answers.size(); i++) {
                CompletableFuture<O> target = batch.get(i).result();
                all[i] = answers.get(i).whenComplete((answer, error) -> {
                    if (error != null) {
                        target.completeExceptionally(Failures.cause(error));
                    } else {
                        target.complete(answer);
                    }
                });
            }
            // Every answer of one call arrives together: the call is over.
            CompletableFuture.allOf(all).whenComplete((ignored, error) -> {
                List<Queued<I, O>> next;
                synchronized (queue) {
                    sendsInFlight--;
                    next = takeBatch();
                }
                if (next != null) {
                    send(next);
                }
            });
        }
    }

    /** A request waiting for a call, with its trace context (null: untraced). */
    private record Queued<I, O>(I item, CompletableFuture<O> result, Context trace) {
    }

    private CompletableFuture<ApplyResult> applyOne(Mutation mutation, List<Context> traces) {
        return this.<ApplyResponse>call("Apply", writeTimes, traces, (stub, observer) -> stub.apply(
                PeerCodec.toProto(mutation, selfNodeId),
                observer)).thenApply(this::toResult);
    }

    @Override
    public List<CompletableFuture<ApplyResult>> applyAll(List<Mutation> mutations) {
        return applyAll(mutations, (List<Context>) null);
    }

    @Override
    public List<CompletableFuture<ApplyResult>> applyAll(List<Mutation> mutations,
                                                         Context trace) {
        return applyAll(mutations, trace == null ? null : List.of(trace));
    }

    private List<CompletableFuture<ApplyResult>> applyAll(List<Mutation> mutations,
                                                          List<Context> traces) {
        ApplyBatchRequest.Builder request = ApplyBatchRequest.newBuilder()
                .setProtocolVersion(PeerCodec.PROTOCOL_VERSION);
        for (Mutation mutation : mutations) {
            request.addMutations(PeerCodec.toProto(mutation, selfNodeId));
        }
        CompletableFuture<ApplyBatchResponse> batch = this.<ApplyBatchResponse>call("ApplyBatch",
                writeTimes, traces, (stub, observer) -> stub.applyBatch(request.build(), observer));
        return perItem(batch, mutations.size(), "mutations", ApplyBatchResponse::getResultsList,
                ApplyBatchResult::getError, result -> toResult(result.getResponse()));
    }

    /**
     * One future per item of a batch call, from its answer's per-item results: an item the
     * replica reports failed fails alone; a call that fails, or answers with the wrong number of
     * results, fails every item.
     */
    private <B, R, O> List<CompletableFuture<O>> perItem(
            CompletableFuture<B> batch, int count, String what, Function<B, List<R>> results,
            Function<R, String> error, Function<R, O> answer) {
        CompletableFuture<List<R>> checked = batch.thenApply(response -> {
            List<R> items = results.apply(response);
            if (items.size() != count) {
                throw new CairnException(ErrorCode.INTERNAL_ERROR, "replica " + nodeId
                        + " answered " + items.size() + " of " + count + " " + what);
            }
            return items;
        });
        List<CompletableFuture<O>> futures = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int index = i;
            futures.add(checked.thenApply(items -> {
                R item = items.get(index);
                String failed = error.apply(item);
                if (!failed.isEmpty()) {
                    throw new CairnException(ErrorCode.INTERNAL_ERROR, "replica " + nodeId
                            + ": " + failed);
                }
                return answer.apply(item);
            }));
        }
        return futures;
    }

    private ApplyResult toResult(ApplyResponse response) {
        hlc.observe(response.getHlc());
        var clock = PeerCodec.fromProto(response.getClockList());
        return switch (response.getOutcome()) {
            case DUPLICATE, CONFLICT -> new ApplyResult(
                    response.getOutcome() == ApplyResponse.Outcome.DUPLICATE
                            ? ApplyResult.Outcome.DUPLICATE : ApplyResult.Outcome.CONFLICT,
                    null, null, new IdempotencyRecord(new byte[0], 0, 0, clock, 0, ""));
            default -> new ApplyResult(ApplyResult.Outcome.APPLIED,
                    new Version(null, clock, clock.maxCounter(), nodeId), null, null);
        };
    }

    /** Reads leave together under load, as {@link #apply} writes do. */
    @Override
    public CompletableFuture<Version> read(String tenantId, byte[] key, long token) {
        return read(tenantId, key, token, null);
    }

    @Override
    public CompletableFuture<Version> read(String tenantId, byte[] key, long token,
                                           Context trace) {
        return reads.submit(ReadRequest.newBuilder()
                .setProtocolVersion(PeerCodec.PROTOCOL_VERSION)
                .setTenantId(tenantId).setKey(ByteString.copyFrom(key)).setToken(token).build(),
                trace);
    }

    private CompletableFuture<Version> readOne(ReadRequest request, List<Context> traces) {
        return this.<ReadResponse>call("Read", readTimes, traces,
                (stub, observer) -> stub.read(request, observer))
                .thenApply(RemoteReplica::toVersion);
    }

    private List<CompletableFuture<Version>> readAll(List<ReadRequest> requests,
                                                     List<Context> traces) {
        ReadBatchRequest request = ReadBatchRequest.newBuilder()
                .setProtocolVersion(PeerCodec.PROTOCOL_VERSION).addAllReads(requests).build();
        CompletableFuture<ReadBatchResponse> batch = this.<ReadBatchResponse>call("ReadBatch",
                readTimes, traces, (stub, observer) -> stub.readBatch(request, observer));
        return perItem(batch, requests.size(), "reads", ReadBatchResponse::getResultsList,
                ReadBatchResult::getError, result -> toVersion(result.getResponse()));
    }

    private static Version toVersion(ReadResponse response) {
        return response.getFound() ? PeerCodec.fromProto(response.getVersion()) : null;
    }

    @Override
    public CompletableFuture<KeyScan> scan(String tenantId, byte[] startInclusive,
                                           byte[] endExclusive, int itemsMax, long bytesMax) {
        ScanRequest.Builder request = ScanRequest.newBuilder()
                .setProtocolVersion(PeerCodec.PROTOCOL_VERSION)
                .setTenantId(tenantId).setItemsMax(itemsMax).setBytesMax(bytesMax);
        if (startInclusive != null) {
            request.setStartKey(ByteString.copyFrom(startInclusive));
        }
        if (endExclusive != null) {
            request.setEndKey(ByteString.copyFrom(endExclusive));
        }
        return this.<ScanResponse>call("Scan", scanTimes, null,
                        (stub, observer) -> stub.scan(request.build(), observer))
                .thenApply(response -> {
                    List<KeyEntry> entries = new ArrayList<>(response.getEntriesCount());
                    for (ScanEntry entry : response.getEntriesList()) {
                        entries.add(new KeyEntry(entry.getKey().toByteArray(), entry.getToken(),
                                PeerCodec.fromProto(entry.getVersion())));
                    }
                    return new KeyScan(entries, response.getExhausted() ? null
                            : response.getResumeAfter().toByteArray());
                });
    }

    /**
     * Makes one call of {@code method} with the deadline. With {@code traces} (null: untraced) it
     * is a client span under the first context, linked to the others, whose context the call
     * carries to the peer.
     */
    private <T> CompletableFuture<T> call(
            String method, LongConsumer times, List<Context> traces,
            BiConsumer<PeerServiceGrpc.PeerServiceStub, StreamObserver<T>> invocation) {
        PeerServiceGrpc.PeerServiceStub deadline = stub.withDeadlineAfter(deadlineMillis,
                TimeUnit.MILLISECONDS);
        if (traces == null) {
            return call(deadline, times, invocation);
        }
        Span span = tracing.start(PeerServiceGrpc.SERVICE_NAME + "/" + method, SpanKind.CLIENT,
                traces.get(0));
        span.setAttribute("rpc.system", "grpc");
        span.setAttribute("cairn.node", nodeId);
        for (int i = 1; i < traces.size(); i++) {
            span.addLink(Span.fromContext(traces.get(i)).getSpanContext());
        }
        return Tracing.endWhenDone(span, call(Tracing.withParent(deadline,
                traces.get(0).with(span)), times, invocation));
    }

    private <T> CompletableFuture<T> call(
            PeerServiceGrpc.PeerServiceStub stub, LongConsumer times,
            BiConsumer<PeerServiceGrpc.PeerServiceStub, StreamObserver<T>> invocation) {
        CompletableFuture<T> result = new CompletableFuture<>();
        long startedNanos = System.nanoTime();
        // Outside the caller's gRPC context: a call made while serving a client request would
        // otherwise be cancelled the moment that request is answered, which at quorum is before
        // the slowest replica has its copy, and a batch may carry other requests' writes.
        io.grpc.Context previous = io.grpc.Context.ROOT.attach();
        try {
            invocation.accept(stub, new StreamObserver<>() {
                @Override
                public void onNext(T value) {
                    times.accept(System.nanoTime() - startedNanos);
                    result.complete(value);
                }

                @Override
                public void onError(Throwable error) {
                    times.accept(System.nanoTime() - startedNanos);
                    result.completeExceptionally(failure(error));
                }

                @Override
                public void onCompleted() {
                    if (!result.isDone()) {
                        result.completeExceptionally(new CairnException(ErrorCode.INTERNAL_ERROR,
                                "replica " + nodeId + " sent no answer"));
                    }
                }
            });
        } catch (RuntimeException e) {
            result.completeExceptionally(failure(e));
        } finally {
            io.grpc.Context.ROOT.detach(previous);
        }
        return result;
    }

    private CairnException failure(Throwable error) {
        Status status = error instanceof StatusRuntimeException sre ? sre.getStatus()
                : Status.fromThrowable(error);
        String reason = switch (status.getCode()) {
            case DEADLINE_EXCEEDED -> "did not answer within " + deadlineMillis + " ms";
            case UNAVAILABLE -> "is unreachable"
                    + (status.getDescription() == null ? "" : " (" + status.getDescription() + ")");
            default -> "failed: " + status.getCode()
                    + (status.getDescription() == null ? "" : " " + status.getDescription());
        };
        return new CairnException(ErrorCode.INTERNAL_ERROR, "replica " + nodeId + " " + reason,
                error);
    }
}
