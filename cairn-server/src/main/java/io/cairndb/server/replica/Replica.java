package io.cairndb.server.replica;

import io.cairndb.core.ApplyResult;
import io.cairndb.core.KeyScan;
import io.cairndb.core.Mutation;
import io.cairndb.core.Version;
import io.opentelemetry.context.Context;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One node's copy of the data, as a coordinator sees it. The coordinator's own node is called
 * in-process; other nodes will be reached over the peer protocol through the same interface.
 * Every call is asynchronous: a coordinator never blocks a thread waiting for a replica.
 *
 * <p>The calls that take a {@code trace} record their work as spans under that trace context
 * (see {@code Tracing}); a null {@code trace} means untraced, the same as the plain call.
 */
public interface Replica {

    /** The node this replica lives on. */
    String nodeId();

    /** Merges a mutation into the stored version of its key. */
    CompletableFuture<ApplyResult> apply(Mutation mutation);

    /**
     * Merges several mutations; the list holds one future per mutation, in order, each
     * completing on its own. A replica may send them together (one peer call for a batch).
     */
    default List<CompletableFuture<ApplyResult>> applyAll(List<Mutation> mutations) {
        List<CompletableFuture<ApplyResult>> results = new java.util.ArrayList<>();
        for (Mutation mutation : mutations) {
            results.add(apply(mutation));
        }
        return results;
    }

    /** {@link #apply(Mutation)}, traced under {@code trace} (null: untraced). */
    default CompletableFuture<ApplyResult> apply(Mutation mutation, Context trace) {
        return apply(mutation);
    }

    /** {@link #applyAll(List)}, traced under {@code trace} (null: untraced). */
    default List<CompletableFuture<ApplyResult>> applyAll(List<Mutation> mutations,
                                                          Context trace) {
        return applyAll(mutations);
    }

    /** The stored version of a key, tombstones included; completes with null if there is none. */
    CompletableFuture<Version> read(String tenantId, byte[] key, long token);

    /** {@link #read(String, byte[], long)}, traced under {@code trace} (null: untraced). */
    default CompletableFuture<Version> read(String tenantId, byte[] key, long token,
                                            Context trace) {
        return read(tenantId, key, token);
    }

    /** One page of the tenant's keys in key order, as {@code DataStore.scanKeys} defines it. */
    CompletableFuture<KeyScan> scan(String tenantId, byte[] startInclusive, byte[] endExclusive,
                                    int itemsMax, long bytesMax);
}
