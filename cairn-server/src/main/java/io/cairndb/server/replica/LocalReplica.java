package io.cairndb.server.replica;

import io.cairndb.core.ApplyResult;
import io.cairndb.core.CairnException;
import io.cairndb.core.ErrorCode;
import io.cairndb.core.KeyScan;
import io.cairndb.core.Mutation;
import io.cairndb.core.Version;
import io.cairndb.storage.DataStore;
import io.cairndb.storage.StorageException;
import java.util.concurrent.CompletableFuture;

/**
 * The replica on this node, called in-process. Mutations go to the data store's writer
 * shards; reads are served on the calling thread, which is not a wait: they touch only local
 * memory and disk.
 */
public final class LocalReplica implements Replica {

    private final String nodeId;
    private final DataStore storage;

    public LocalReplica(String nodeId, DataStore storage) {
        this.nodeId = nodeId;
        this.storage = storage;
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
