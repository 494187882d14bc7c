package io.cairndb.server.replica;

import com.google.protobuf.ByteString;
import io.cairndb.api.peer.ApplyBatchRequest;
import io.cairndb.api.peer.ApplyBatchResponse;
import io.cairndb.api.peer.ApplyBatchResult;
import io.cairndb.api.peer.ApplyRequest;
import io.cairndb.api.peer.ApplyResponse;
import io.cairndb.api.peer.FetchRangeRequest;
import io.cairndb.api.peer.FetchRangeResponse;
import io.cairndb.api.peer.HeartbeatRequest;
import io.cairndb.api.peer.HeartbeatResponse;
import io.cairndb.api.peer.PeerServiceGrpc;
import io.cairndb.api.peer.ReadBatchRequest;
import io.cairndb.api.peer.ReadBatchResponse;
import io.cairndb.api.peer.ReadBatchResult;
import io.cairndb.api.peer.ReadRequest;
import io.cairndb.api.peer.ReadResponse;
import io.cairndb.api.peer.ScanEntry;
import io.cairndb.api.peer.ScanRequest;
import io.cairndb.api.peer.ScanResponse;
import io.cairndb.api.peer.StatsRequest;
import io.cairndb.api.peer.StatsResponse;
import io.cairndb.core.ApplyResult;
import io.cairndb.core.CairnException;
import io.cairndb.core.Failures;
import io.cairndb.core.HybridLogicalClock;
import io.cairndb.core.KeyEntry;
import io.cairndb.core.Mutation;
import io.cairndb.core.Version;
import io.cairndb.server.common.TransportThread;
import io.cairndb.server.tracing.Tracing;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.context.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The peer protocol, served by this node's replica. Every version a peer sends moves this node's
 * hybrid clock forward, so writes this node coordinates later are stamped after it. A traced
 * call's storage work is traced under the call's server span ({@link Tracing#serve}).
 */
public final class PeerGrpcService extends PeerServiceGrpc.PeerServiceImplBase {

    /** What a heartbeat does besides answering: feed the failure detector and the view. */
    public interface HeartbeatListener {
        void heartbeatFrom(String nodeId, long metadataVersion);
    }

    private final String nodeId;
    private final LocalReplica replica;
    private final HybridLogicalClock hlc;
    private final java.util.function.LongSupplier wallMillis;
    private final Supplier<Long> metadataVersion;
    private final HeartbeatListener heartbeats;
    private final Supplier<StatsResponse> stats;
    private final RangeSource ranges;
    private final Tracing tracing;

    public PeerGrpcService(String nodeId, LocalReplica replica, HybridLogicalClock hlc,
                           java.util.function.LongSupplier wallMillis,
                           Supplier<Long> metadataVersion, HeartbeatListener heartbeats,
                           Supplier<StatsResponse> stats, RangeSource ranges, Tracing tracing) {
        this.tracing = tracing;
        this.nodeId = nodeId;
        this.wallMillis = wallMillis;
        this.replica = replica;
        this.hlc = hlc;
        this.metadataVersion = metadataVersion;
        this.heartbeats = heartbeats;
        this.stats = stats;
        this.ranges = ranges;
    }

    @Override
    public void apply(ApplyRequest request, StreamObserver<ApplyResponse> observer) {
        if (!supported(request.getProtocolVersion(), observer)) {
            return;
        }
        Mutation mutation;
        try {
            mutation = PeerCodec.fromProto(request);
        } catch (RuntimeException e) {
            observer.onError(Status.INVALID_ARGUMENT.withDescription("malformed mutation: "
                    + e.getMessage()).asRuntimeException());
            return;
        }
        hlc.observe(mutation.version().hlc());
        answer(replica.apply(mutation, tracing.current()), observer, this::toResponse);
    }

    @Override
    public void applyBatch(ApplyBatchRequest request, StreamObserver<ApplyBatchResponse> observer) {
        if (!supported(request.getProtocolVersion(), observer)) {
            return;
        }
        List<CompletableFuture<ApplyBatchResult>> results = new ArrayList<>();
        Context trace = tracing.current();
        for (ApplyRequest item : request.getMutationsList()) {
            CompletableFuture<ApplyResult> applied;
            try {
                Mutation mutation = PeerCodec.fromProto(item);
                hlc.observe(mutation.version().hlc());
                applied = replica.apply(mutation, trace);
            } catch (RuntimeException e) {
                applied = CompletableFuture.failedFuture(e);
            }
            results.add(applied.handle((result, error) -> error == null
                    ? ApplyBatchResult.newBuilder().setResponse(toResponse(result)).build()
                    : ApplyBatchResult.newBuilder().setError(describe(error)).build()));
        }
        answerAll(results, observer, items -> ApplyBatchResponse.newBuilder()
                .addAllResults(items).build());
    }

    private ApplyResponse toResponse(ApplyResult result) {
        ApplyResponse.Outcome outcome = switch (result.outcome()) {
            case APPLIED -> ApplyResponse.Outcome.APPLIED;
            case DUPLICATE -> ApplyResponse.Outcome.DUPLICATE;
            case CONFLICT -> ApplyResponse.Outcome.CONFLICT;
        };
        return ApplyResponse.newBuilder().setOutcome(outcome)
                .addAllClock(PeerCodec.toProto(result.clock()))
                .setHlc(hlc.last()).build();
    }

    private static String describe(Throwable error) {
        Throwable cause = Failures.cause(error);
        return cause instanceof CairnException ? cause.getMessage() : cause.toString();
    }

    @Override
    public void read(ReadRequest request, StreamObserver<ReadResponse> observer) {
        if (!supported(request.getProtocolVersion(), observer)) {
            return;
        }
        answer(read(request, tracing.current()), observer, PeerGrpcService::toResponse);
    }

    @Override
    public void readBatch(ReadBatchRequest request, StreamObserver<ReadBatchResponse> observer) {
        if (!supported(request.getProtocolVersion(), observer)) {
            return;
        }
        List<CompletableFuture<ReadBatchResult>> results =
                new ArrayList<>(request.getReadsCount());
        Context trace = tracing.current();
        for (ReadRequest item : request.getReadsList()) {
            results.add(read(item, trace).handle((version, error) -> error == null
                    ? ReadBatchResult.newBuilder().setResponse(toResponse(version)).build()
                    : ReadBatchResult.newBuilder().setError(describe(error)).build()));
        }
        answerAll(results, observer, items -> ReadBatchResponse.newBuilder()
                .addAllResults(items).build());
    }

    /**
     * Answers a batch once every item has its result. Each item's future already turned its
     * failure into a result of its own, so none of them fails.
     */
    private static <T, R> void answerAll(List<CompletableFuture<T>> results,
                                         StreamObserver<R> observer,
                                         java.util.function.Function<List<T>, R> toResponse) {
        Executor transport = TransportThread.current();
        CompletableFuture.allOf(results.toArray(new CompletableFuture<?>[0])).thenRun(() -> {
            List<T> items = new ArrayList<>(results.size());
            results.forEach(result -> items.add(result.join()));
            R response = toResponse.apply(items);
            TransportThread.send(transport, () -> {
                observer.onNext(response);
                observer.onCompleted();
            });
        });
    }

    private CompletableFuture<Version> read(ReadRequest request, Context trace) {
        try {
            return replica.read(request.getTenantId(), request.getKey().toByteArray(),
                    request.getToken(), trace);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static ReadResponse toResponse(Version version) {
        return version == null ? ReadResponse.newBuilder().setFound(false).build()
                : ReadResponse.newBuilder().setFound(true).setVersion(PeerCodec.toProto(version))
                        .build();
    }

    @Override
    public void scan(ScanRequest request, StreamObserver<ScanResponse> observer) {
        if (!supported(request.getProtocolVersion(), observer)) {
            return;
        }
        if (request.getItemsMax() < 1 || request.getBytesMax() < 1) {
            observer.onError(Status.INVALID_ARGUMENT.withDescription(
                    "items_max and bytes_max must be positive").asRuntimeException());
            return;
        }
        byte[] start = request.getStartKey().isEmpty() ? null : request.getStartKey().toByteArray();
        byte[] end = request.getEndKey().isEmpty() ? null : request.getEndKey().toByteArray();
        answer(replica.scan(request.getTenantId(), start, end, request.getItemsMax(),
                request.getBytesMax()), observer, scan -> {
                    ScanResponse.Builder response = ScanResponse.newBuilder()
                            .setExhausted(scan.exhausted());
                    for (KeyEntry entry : scan.entries()) {
                        response.addEntries(ScanEntry.newBuilder()
                                .setKey(ByteString.copyFrom(entry.key()))
                                .setToken(entry.token())
                                .setVersion(PeerCodec.toProto(entry.version())));
                    }
                    if (!scan.exhausted()) {
                        response.setResumeAfter(ByteString.copyFrom(scan.resumeAfter()));
                    }
                    return response.build();
                });
    }

    @Override
    public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> observer) {
        if (!supported(request.getProtocolVersion(), observer)) {
            return;
        }
        hlc.observe(request.getHlc());
        heartbeats.heartbeatFrom(request.getSenderNodeId(), request.getMetadataVersion());
        observer.onNext(HeartbeatResponse.newBuilder().setNodeId(nodeId)
                .setMetadataVersion(metadataVersion.get()).setHlc(hlc.last())
                .setWallMillis(wallMillis.getAsLong()).build());
        observer.onCompleted();
    }

    @Override
    public void stats(StatsRequest request, StreamObserver<StatsResponse> observer) {
        try {
            observer.onNext(stats.get());
            observer.onCompleted();
        } catch (RuntimeException e) {
            observer.onError(Status.INTERNAL.withDescription(e.getMessage()).asRuntimeException());
        }
    }

    @Override
    public void fetchRange(FetchRangeRequest request,
                           StreamObserver<FetchRangeResponse> observer) {
        if (!supported(request.getProtocolVersion(), observer)) {
            return;
        }
        Executor transport = TransportThread.current();
        ranges.fetch(request).whenComplete((response, error) -> TransportThread.send(transport,
                () -> {
                    if (error == null) {
                        observer.onNext(response);
                        observer.onCompleted();
                    } else {
                        Throwable cause = error instanceof java.util.concurrent.CompletionException
                                && error.getCause() != null ? error.getCause() : error;
                        Status status = cause instanceof IllegalArgumentException
                                ? Status.INVALID_ARGUMENT : Status.INTERNAL;
                        observer.onError(status.withDescription(cause.getMessage())
                                .asRuntimeException());
                    }
                }));
    }

    private static boolean supported(int version, StreamObserver<?> observer) {
        if (version != PeerCodec.PROTOCOL_VERSION) {
            observer.onError(Status.FAILED_PRECONDITION.withDescription("peer protocol version "
                    + version + " is not supported; this node speaks "
                    + PeerCodec.PROTOCOL_VERSION).asRuntimeException());
            return false;
        }
        return true;
    }

    private static <T, R> void answer(CompletableFuture<T> future, StreamObserver<R> observer,
                                      java.util.function.Function<T, R> toResponse) {
        Executor transport = TransportThread.current();
        future.whenComplete((value, error) -> TransportThread.send(transport, () -> {
            if (error != null) {
                observer.onError(Status.INTERNAL.withDescription(describe(error))
                        .asRuntimeException());
                return;
            }
            try {
                observer.onNext(toResponse.apply(value));
                observer.onCompleted();
            } catch (RuntimeException e) {
                observer.onError(Status.INTERNAL.withDescription(e.toString()).asRuntimeException());
            }
        }));
    }

}
