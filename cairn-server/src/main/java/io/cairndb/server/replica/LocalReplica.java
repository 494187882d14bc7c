package io.cairndb.server.replica;

import io.cairndb.core.ApplyResult;
import io.cairndb.core.CairnException;
import io.cairndb.core.ErrorCode;
import io.cairndb.core.KeyScan;
import io.cairndb.core.Mutation;
import io.cairndb.core.Version;
import io.cairndb.storage.DataStore;
import io.cairndb.storage.StorageException;
import io.cairndb.server.tracing.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import java.util.concurrent.CompletableFuture;

/**
 * The replica on this node, called in-process. Mutations go to the data store's writer
 * shards; reads are served on the calling thread, which is not a wait: they touch only local
 * memory and disk. A traced call is a storage span, the child of the coordinator's span or, on a
 * peer's behalf, of the peer call's server span.
 */
public final class LocalReplica implements Replica {

    private final String nodeId;
    private final DataStore storage;
    private final Tracing tracing;

    public LocalReplica(String nodeId, DataStore storage, Tracing tracing) {
        this.nodeId = nodeId;
        this.storage = storage;
        this.tracing = tracing;
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public CompletableFuture<ApplyResult> apply(Mutation mutation) {
        return storage.apply(mutation);
    }

    @Override
    public CompletableFuture<ApplyResult> apply(Mutation mutation, Context trace) {
        if (trace == null) {
            return apply(mutation);
        }
        return Tracing.endWhenDone(storageSpan("storage.apply", mutation.tenantId(), trace),
                apply(mutation));
    }

    @Override
    public CompletableFuture<Version> read(String tenantId, byte[] key, long token,
                                           Context trace) {
        if (trace == null) {
            return read(tenantId, key, token);
        }
        return Tracing.endWhenDone(storageSpan("storage.read", tenantId, trace),
                read(tenantId, key, token));
    }

    private Span storageSpan(String name, String tenantId, Context trace) {
        Span span = tracing.start(name, SpanKind.INTERNAL, trace);
        span.setAttribute("cairn.node", nodeId);
        span.setAttribute("cairn.tenant", tenantId);
        return span;
    }

    @Override
    public CompletableFuture<Version> read(String tenantId, byte[] key, long token) {
        try {
            return CompletableFuture.completedFuture(storage.get(tenantId, key, token));
        } catch (StorageException e) {
            return CompletableFuture.failedFuture(storageError(e));
        }
    }

    @Override
    public CompletableFuture<KeyScan> scan(String tenantId, byte[] startInclusive,
                                           byte[] endExclusive, int itemsMax, long bytesMax) {
        try {
            return CompletableFuture.completedFuture(storage.scanKeys(tenantId, startInclusive,
                    endExclusive, itemsMax, bytesMax, itemsMax));
        } catch (StorageException e) {
            return CompletableFuture.failedFuture(storageError(e));
        }
    }

    private CairnException storageError(StorageException e) {
        return new CairnException(ErrorCode.INTERNAL_ERROR, "replica " + nodeId + ": "
                + e.getMessage(), e);
    }
}
