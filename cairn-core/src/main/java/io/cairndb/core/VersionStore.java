package io.cairndb.core;

import java.util.concurrent.CompletableFuture;

/**
 * One replica's versions of keys, as the request path needs them. The node's implementation is
 * RocksDB ({@code DataStore} in cairn-storage); {@link MemoryStore} is its in-memory twin for simulations, and
 * the two are tested against each other on random operation sequences.
 */
public interface VersionStore {

    /**
     * Applies a mutation atomically ({@link Idempotency#apply}): the merged version, and for a
     * mutation with an idempotency check its record, land together or not at all. Completes once
     * the change is as durable as the store's durability mode makes it.
     */
    CompletableFuture<ApplyResult> apply(Mutation mutation);

    /** The stored version of a key (a tombstone included), or null if there is none. */
    Version get(String tenantId, byte[] key, long token);

    /**
     * One page of a tenant's keys in key order (bytes unsigned), tombstones included, within
     * {@code [startInclusive, endExclusive)} (either bound may be null for open).
     *
     * @param itemsMax entries to return at most
     * @param bytesMax key and value bytes to return at most (at least one entry is always returned
     *     if one exists)
     * @param examinedMax keys to examine at most, bounding the work of one page
     */
    KeyScan scanKeys(String tenantId, byte[] startInclusive, byte[] endExclusive, int itemsMax,
                     long bytesMax, int examinedMax);

    /** Live (not deleted) keys of one tenant in this store. */
    long liveKeys(String tenantId);
}
