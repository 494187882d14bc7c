package io.cairndb.core;

import io.cairndb.core.MigrationPlan.TokenRange;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The in-memory twin of the node's RocksDB store: the same {@link VersionStore} contract over
 * sorted maps, for the cluster simulator. Applies complete at once. Not thread-safe: a simulation
 * runs on one thread.
 */
public final class MemoryStore implements VersionStore {

    /**
     * A stored key: tenant, then token and key bytes, as the RocksDB data family orders them
     * (tenant bytes, the token signed, the key's bytes unsigned, a prefix first).
     */
    private record StoredKey(String tenantId, long token, ByteBuffer key)
            implements Comparable<StoredKey> {

        @Override
        public int compareTo(StoredKey other) {
            if (!tenantId.equals(other.tenantId)) {
                return Arrays.compareUnsigned(tenantId.getBytes(StandardCharsets.UTF_8),
                        other.tenantId.getBytes(StandardCharsets.UTF_8));
            }
            int byToken = Long.compare(token, other.token);
            return byToken != 0 ? byToken : compareUnsigned(key, other.key);
        }
    }

    /** An idempotency record's key: ordered as the RocksDB family orders it within a key. */
    private record RecordKey(String tenantId, ByteBuffer key, String idempotencyKey)
            implements Comparable<RecordKey> {

        @Override
        public int compareTo(RecordKey other) {
            int byKey = new StoredKey(tenantId, 0, key).compareTo(
                    new StoredKey(other.tenantId, 0, other.key));
            return byKey != 0 ? byKey : Arrays.compareUnsigned(
                    idempotencyKey.getBytes(StandardCharsets.UTF_8),
                    other.idempotencyKey.getBytes(StandardCharsets.UTF_8));
        }
    }

    private final VersionResolver resolver;
    private final TreeMap<StoredKey, Version> versions = new TreeMap<>();
    private final TreeMap<RecordKey, IdempotencyRecord> records = new TreeMap<>();

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
    public KeyScan scanKeys(String tenantId, byte[] startInclusive, byte[] endExclusive,
                            int itemsMax, long bytesMax, int examinedMax) {
        TreeMap<byte[], KeyEntry> inRange = new TreeMap<>(Arrays::compareUnsigned);
        for (Map.Entry<StoredKey, Version> stored : versions.entrySet()) {
            if (!stored.getKey().tenantId().equals(tenantId)) {
                continue;
            }
            byte[] key = bytes(stored.getKey().key());
            if ((startInclusive == null || Arrays.compareUnsigned(key, startInclusive) >= 0)
                    && (endExclusive == null || Arrays.compareUnsigned(key, endExclusive) < 0)) {
                inRange.put(key, new KeyEntry(key, stored.getKey().token(), stored.getValue()));
            }
        }
        List<KeyEntry> entries = new ArrayList<>();
        int examineMax = Math.min(itemsMax, examinedMax);
        long bytes = 0;
        byte[] lastExamined = null;
        for (KeyEntry entry : inRange.values()) {
            Version version = entry.version();
            long size = entry.key().length + (version.value() == null ? 0 : version.value().length);
            if (entries.size() == examineMax || (!entries.isEmpty() && bytes + size > bytesMax)) {
                return new KeyScan(entries, lastExamined);
            }
            bytes += size;
            entries.add(entry);
            lastExamined = entry.key();
        }
        return new KeyScan(entries, null);
    }

    @Override
    public long liveKeys(String tenantId) {
        return versions.entrySet().stream()
                .filter(entry -> entry.getKey().tenantId().equals(tenantId))
                .filter(entry -> !entry.getValue().isTombstone()).count();
    }

    /**
     * The chunk of {@code tenantId}'s {@code range} after position ({@code afterToken},
     * {@code afterKey}) ({@code afterKey} null: from the range's start), at most {@code itemsMax}
     * entries and {@code bytesMax} bytes, at least one entry if any is left: the twin of the
     * RocksDB store's {@code RangeReader.read}. A range that wraps is read as
     * {@code (from, MAX]} then {@code [MIN, to]}; a position in neither segment reads the range
     * from its start. Records expired at {@code nowMillis} are left behind.
     */
    public MovedKeys.Chunk readRange(String tenantId, TokenRange range, long afterToken, byte[] afterKey,
                           int itemsMax, long bytesMax, long nowMillis) {
        List<long[]> segments = range.segments();
        int resumeIn = afterKey == null ? -1 : range.segmentHolding(afterToken);
        List<MovedKeys.Entry> entries = new ArrayList<>();
        long bytes = 0;
        for (int i = Math.max(0, resumeIn); i < segments.size(); i++) {
            long[] segment = segments.get(i);
            StoredKey low = i == resumeIn
                    ? new StoredKey(tenantId, afterToken, ByteBuffer.wrap(afterKey.clone()))
                    : new StoredKey(tenantId, segment[0], ByteBuffer.wrap(new byte[0]));
            NavigableMap<StoredKey, Version> tail = versions.tailMap(low, i != resumeIn);
            for (Map.Entry<StoredKey, Version> stored : tail.entrySet()) {
                StoredKey at = stored.getKey();
                if (!at.tenantId().equals(tenantId) || at.token() > segment[1]) {
                    break;
                }
                byte[] key = bytes(at.key());
                MovedKeys.Entry entry = new MovedKeys.Entry(key, at.token(), stored.getValue(),
                        recordsOf(tenantId, at.key(), nowMillis));
                if (!entries.isEmpty() && (entries.size() >= itemsMax
                        || bytes + entry.size() > bytesMax)) {
                    MovedKeys.Entry last = entries.get(entries.size() - 1);
                    return new MovedKeys.Chunk(entries, 0, last.token(), last.key(), false);
                }
                entries.add(entry);
                bytes += entry.size();
            }
        }
        return new MovedKeys.Chunk(entries, 1, 0, null, true);
    }

    /**
     * Merges a version moved from another replica, with its idempotency records, as a replica
     * write merges it (no idempotency check); a record is kept only if none is stored under its
     * idempotency key. The twin of the RocksDB store's {@code DataStore.adopt}.
     */
    public ApplyResult adopt(String tenantId, MovedKeys.Entry entry) {
        StoredKey stored = new StoredKey(tenantId, entry.token(),
                ByteBuffer.wrap(entry.key().clone()));
        Version previous = versions.get(stored);
        ApplyResult result = Idempotency.apply(previous, null,
                new Mutation(tenantId, entry.key(), entry.token(), entry.version(), null),
                resolver);
        if (!result.stored().equals(previous)) {
            versions.put(stored, result.stored());
        }
        for (MovedKeys.Record moved : entry.records()) {
            records.putIfAbsent(new RecordKey(tenantId, stored.key(), moved.idempotencyKey()),
                    moved.record());
        }
        return result;
    }

    /**
     * Deletes a key's version outright (no tombstone), only if the stored version is still
     * {@code seen}: a version written since it was read is kept. Idempotency records stay, as
     * they do in the RocksDB store. The twin of {@code DataStore.purge}: the answer is APPLIED
     * either way, with the version found as {@code previous}.
     */
    public ApplyResult purge(String tenantId, byte[] key, long token, Version seen) {
        StoredKey stored = new StoredKey(tenantId, token, ByteBuffer.wrap(key.clone()));
        Version previous = versions.get(stored);
        if (previous != null && previous.equals(seen)) {
            versions.remove(stored);
        }
        return new ApplyResult(ApplyResult.Outcome.APPLIED, seen, previous, null);
    }

    /** Keys (tombstones included) and their key and value bytes in a range of a tenant. */
    public MovedKeys.Size measure(String tenantId, TokenRange range) {
        long keys = 0;
        long bytes = 0;
        long afterToken = 0;
        byte[] afterKey = null;
        while (true) {
            MovedKeys.Chunk chunk = readRange(tenantId, range, afterToken, afterKey, 4096, Long.MAX_VALUE,
                    Long.MAX_VALUE);
            for (MovedKeys.Entry entry : chunk.entries()) {
                keys++;
                bytes += entry.size();
            }
            if (chunk.exhausted()) {
                return new MovedKeys.Size(keys, bytes);
            }
            afterToken = chunk.resumeToken();
            afterKey = chunk.resumeKey();
        }
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


    private List<MovedKeys.Record> recordsOf(String tenantId, ByteBuffer key, long nowMillis) {
        List<MovedKeys.Record> found = new ArrayList<>(0);
        for (Map.Entry<RecordKey, IdempotencyRecord> record : records.tailMap(
                new RecordKey(tenantId, key, ""), true).entrySet()) {
            RecordKey at = record.getKey();
            if (!at.tenantId().equals(tenantId) || !at.key().equals(key)) {
                break;
            }
            if (!record.getValue().expired(nowMillis)) {
                found.add(new MovedKeys.Record(at.idempotencyKey(), record.getValue()));
            }
        }
        return found;
    }

    // Byte by byte, unsigned, a prefix first: RocksDB's bytewise order.
    private static int compareUnsigned(ByteBuffer a, ByteBuffer b) {
        int length = Math.min(a.remaining(), b.remaining());
        for (int i = 0; i < length; i++) {
            int byByte = Integer.compare(Byte.toUnsignedInt(a.get(a.position() + i)),
                    Byte.toUnsignedInt(b.get(b.position() + i)));
            if (byByte != 0) {
                return byByte;
            }
        }
        return Integer.compare(a.remaining(), b.remaining());
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
