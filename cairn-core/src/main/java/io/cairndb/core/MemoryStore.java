package io.cairndb.core;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The in-memory twin of the node's RocksDB store: the same {@link VersionStore} contract over
 * sorted maps, for the cluster simulator. Applies complete at once. Not thread-safe: a simulation
 * runs on one thread.
 */
public final class MemoryStore implements VersionStore {

    /** A stored key: tenant, then token and key bytes, as the RocksDB store orders them. */
    private record StoredKey(String tenantId, long token, ByteBuffer key)
            implements Comparable<StoredKey> {

        @Override
        public int compareTo(StoredKey other) {
            int byTenant = tenantId.compareTo(other.tenantId);
            if (byTenant != 0) {
                return byTenant;
            }
            int byToken = Long.compareUnsigned(token, other.token);
            return byToken != 0 ? byToken : key.compareTo(other.key);
        }
    }

    private record RecordKey(String tenantId, ByteBuffer key, String idempotencyKey) {
    }

    private final VersionResolver resolver;
    private final TreeMap<StoredKey, Version> versions = new TreeMap<>();
    private final Map<RecordKey, IdempotencyRecord> records = new HashMap<>();

    public MemoryStore(VersionResolver resolver) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    private MemoryStore(MemoryStore source) {
        this.resolver = source.resolver;
        this.versions.putAll(source.versions);
        this.records.putAll(source.records);
    }

    /** A copy of this store as it is now: what a sync makes durable. */
    public MemoryStore copy() {
        return new MemoryStore(this);
    }

    @Override
    public CompletableFuture<ApplyResult> apply(Mutation mutation) {
        return CompletableFuture.completedFuture(applyNow(mutation));
    }

    /** {@link #apply}, answered directly. */
    public ApplyResult applyNow(Mutation mutation) {
        StoredKey stored = new StoredKey(mutation.tenantId(), mutation.token(),
                ByteBuffer.wrap(mutation.key().clone()));
        RecordKey recordKey = mutation.idempotency() == null ? null
                : new RecordKey(mutation.tenantId(), stored.key(),
                        mutation.idempotency().idempotencyKey());
        IdempotencyRecord existing = recordKey == null ? null : records.get(recordKey);
        Version previous = versions.get(stored);
        ApplyResult result = Idempotency.apply(previous, existing, mutation, resolver);
        if (result.outcome() == ApplyResult.Outcome.APPLIED) {
            versions.put(stored, result.stored());
            if (recordKey != null) {
                records.put(recordKey, Idempotency.record(mutation.idempotency(),
                        result.stored()));
            }
        }
        return result;
    }

    @Override
    public Version get(String tenantId, byte[] key, long token) {
        return versions.get(new StoredKey(tenantId, token, ByteBuffer.wrap(key)));
    }

    @Override
    public long liveKeys(String tenantId) {
        return versions.entrySet().stream()
                .filter(entry -> entry.getKey().tenantId().equals(tenantId))
                .filter(entry -> !entry.getValue().isTombstone()).count();
    }

    /** Every stored version, tombstones included, in store order: tenant, token, key. */
    public void forEach(Visitor visitor) {
        versions.forEach((key, version) -> {
            byte[] bytes = new byte[key.key().remaining()];
            key.key().duplicate().get(bytes);
            visitor.visit(key.tenantId(), bytes, key.token(), version);
        });
    }

    /** Receives stored versions from {@link #forEach}. */
    @FunctionalInterface
    public interface Visitor {
        void visit(String tenantId, byte[] key, long token, Version version);
    }
}
