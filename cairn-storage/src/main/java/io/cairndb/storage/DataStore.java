package io.cairndb.storage;

import io.cairndb.core.ApplyResult;
import io.cairndb.core.CairnException;
import io.cairndb.core.ErrorCode;
import io.cairndb.core.Idempotency;
import io.cairndb.core.IdempotencyRecord;
import io.cairndb.core.KeyEntry;
import io.cairndb.core.KeyScan;
import io.cairndb.core.MovedKeys;
import io.cairndb.core.Mutation;
import io.cairndb.core.Tokens;
import io.cairndb.core.Version;
import io.cairndb.core.VersionResolver;
import io.cairndb.core.VersionStore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The versions of keys on this node: the {@code data} family with its key-order index
 * ({@code keys}), the live-key counters and the clock's high-water mark (in {@code meta}), and
 * the group commit that writes them.
 *
 * <p>Reads run on the caller's thread. Mutations are queued to single-threaded writer shards (a
 * key always maps to the same shard), which read the current version and the idempotency record,
 * resolve them against the incoming mutation ({@link Idempotency#apply}), and commit a whole
 * group of mutations, versions and records alike, in one write batch with one fsync under
 * {@link Durability#SYNC}. No locks are needed, and concurrent writers share fsyncs.
 */
public final class DataStore implements VersionStore {

    private static final Logger LOG = LoggerFactory.getLogger(DataStore.class);

    private static final String META_COUNT_PREFIX = "count/";
    private static final String META_HLC = "hlc";

    /** Bytes of recently written versions the writers remember, shared out among them. */
    private static final long RECENT_VERSIONS_BYTES_MAX = 32L << 20;

    private final StorageFiles files;
    private final IdempotencyStore records;
    private final NodeMetadata metadata;
    private final VersionResolver resolver;
    private final StorageOptions options;
    private final WriterShard[] shards;
    private volatile StorageFiles.State state = StorageFiles.State.RUNNING;
    private volatile long hlcHighWaterCached;

    /** Starts the writer shards over {@code files}; {@link #stop} ends them. */
    DataStore(StorageFiles files, IdempotencyStore records, NodeMetadata metadata,
              VersionResolver resolver) {
        this.files = files;
        this.records = records;
        this.metadata = metadata;
        this.resolver = resolver;
        this.options = files.options();
        this.hlcHighWaterCached = hlcHighWater();
        this.shards = new WriterShard[options.writerShards()];
        for (int i = 0; i < shards.length; i++) {
            shards[i] = new WriterShard(i);
        }
    }

    // ------------------------------------------------------------------------------ reads

    /** The stored version of a key (a tombstone included), or null if there is none. */
    @Override
    public Version get(String tenantId, byte[] key, long token) {
        files.ensureOpen();
        byte[] stored = files.read(files.data(), Codec.dataKey(tenantId, token, key));
        return stored == null ? null
                : Codec.decodeVersion(stored, Codec.describe(tenantId, key));
    }

    /**
     * One page of a tenant's keys in key order, tombstones included, within
     * {@code [startInclusive, endExclusive)} (either bound may be null for open).
     *
     * @param itemsMax entries to return at most
     * @param bytesMax key and value bytes to return at most (at least one entry is always returned
     *     if one exists)
     * @param examinedMax index entries to examine at most, bounding the work of one page
     */
    public KeyScan scanKeys(String tenantId, byte[] startInclusive, byte[] endExclusive,
                            int itemsMax, long bytesMax, int examinedMax) {
        files.ensureOpen();
        byte[] prefix = Codec.tenantPrefix(tenantId);
        byte[] lower = startInclusive == null ? prefix : Codec.indexKey(tenantId, startInclusive);
        byte[] upper = endExclusive == null ? Codec.prefixEnd(prefix)
                : Codec.indexKey(tenantId, endExclusive);
        List<byte[]> scannedKeys = new ArrayList<>();
        List<byte[]> dataKeys = new ArrayList<>();
        List<Long> tokens = new ArrayList<>();
        boolean more;
        try (Slice upperSlice = new Slice(upper);
             ReadOptions readOptions = new ReadOptions().setIterateUpperBound(upperSlice);
             RocksIterator it = files.db().newIterator(files.keys(), readOptions)) {
            it.seek(lower);
            while (it.isValid() && scannedKeys.size() < Math.min(itemsMax, examinedMax)) {
                byte[] indexKey = it.key();
                byte[] key = Arrays.copyOfRange(indexKey, prefix.length, indexKey.length);
                long token = Codec.readLong(it.value());
                scannedKeys.add(key);
                tokens.add(token);
                dataKeys.add(Codec.dataKey(tenantId, token, key));
                it.next();
            }
            it.status();
            more = it.isValid();
        } catch (RocksDBException e) {
            throw new StorageException("scan of tenant '" + tenantId + "' failed: "
                    + e.getMessage(), e);
        }
        List<KeyEntry> entries = new ArrayList<>(scannedKeys.size());
        List<byte[]> values = files.multiGet(files.data(), dataKeys);
        long bytes = 0;
        byte[] lastExamined = null;
        for (int i = 0; i < scannedKeys.size(); i++) {
            byte[] key = scannedKeys.get(i);
            byte[] stored = values.get(i);
            if (stored != null) {
                Version version = Codec.decodeVersion(stored, Codec.describe(tenantId, key));
                long size = key.length + (version.value() == null ? 0 : version.value().length);
                if (!entries.isEmpty() && bytes + size > bytesMax) {
                    more = true;
                    break;
                }
                bytes += size;
                entries.add(new KeyEntry(key, tokens.get(i), version));
            }
            lastExamined = key;
        }
        return new KeyScan(entries, more ? lastExamined : null);
    }

    /**
     * Visits a tenant's keys whose tokens lie in {@code (fromExclusive, toInclusive]}, in token
     * order, until the visitor returns false. {@code fromExclusive < toInclusive}; a range that
     * wraps around the ring is two calls.
     */
    public void scanTokenRange(String tenantId, long fromExclusive, long toInclusive,
                               Predicate<KeyEntry> visitor) {
        files.ensureOpen();
        if (fromExclusive >= toInclusive) {
            throw new IllegalArgumentException("token range (" + fromExclusive + ", "
                    + toInclusive + "] is empty or wraps; split it");
        }
        byte[] prefix = Codec.tenantPrefix(tenantId);
        byte[] lower = Codec.dataTokenBound(tenantId, fromExclusive + 1);
        byte[] upper = toInclusive == Long.MAX_VALUE ? Codec.prefixEnd(prefix)
                : Codec.dataTokenBound(tenantId, toInclusive + 1);
        try (Slice upperSlice = new Slice(upper);
             ReadOptions readOptions = new ReadOptions().setIterateUpperBound(upperSlice);
             RocksIterator it = files.db().newIterator(files.data(), readOptions)) {
            for (it.seek(lower); it.isValid(); it.next()) {
                byte[] dataKey = it.key();
                long token = Tokens.readSortable(dataKey, prefix.length);
                byte[] key = Arrays.copyOfRange(dataKey, prefix.length + 8, dataKey.length);
                Version version = Codec.decodeVersion(it.value(), Codec.describe(tenantId, key));
                if (!visitor.test(new KeyEntry(key, token, version))) {
                    return;
                }
            }
            it.status();
        } catch (RocksDBException e) {
            throw new StorageException("token scan of tenant '" + tenantId + "' failed: "
                    + e.getMessage(), e);
        }
    }

    /** Live (not deleted) keys of one tenant on this node. */
    @Override
    public long liveKeys(String tenantId) {
        byte[] stored = metadata.get(META_COUNT_PREFIX + tenantId);
        return stored == null ? 0 : decodeCounter(stored);
    }

    /** Live keys of every tenant on this node. */
    public long liveKeys() {
        long total = 0;
        for (byte[] value : metadata.scan(META_COUNT_PREFIX).values()) {
            total += decodeCounter(value);
        }
        return total;
    }

    /** The greatest hybrid-clock reading of any version this store has stored. */
    public long hlcHighWater() {
        byte[] stored = metadata.get(META_HLC);
        return stored == null ? 0 : Codec.readLong(stored);
    }

    // --------------------------------------------------------------------------- mutations

    /**
     * Applies a mutation on its key's writer shard. The future completes once the mutation is
     * committed (and fsynced under {@link Durability#SYNC}); it completes exceptionally with
     * {@link CairnException} (INTERNAL_ERROR) if the store cannot accept or commit it.
     */
    @Override
    public CompletableFuture<ApplyResult> apply(Mutation mutation) {
        CompletableFuture<ApplyResult> result = new CompletableFuture<>();
        if (state != StorageFiles.State.RUNNING) {
            result.completeExceptionally(new CairnException(ErrorCode.INTERNAL_ERROR,
                    "storage is shutting down"));
            return result;
        }
        shards[Math.floorMod(Long.hashCode(mutation.token()), shards.length)]
                .submit(new Pending(mutation, List.of(), false, result));
        return result;
    }

    /**
     * Merges a version moved from another replica, with its idempotency records, as a replica
     * write would merge it: whatever arrived first, replicas converge. A record is kept only if
     * none is stored under its idempotency key, so the first answer stays the answer.
     */
    public CompletableFuture<ApplyResult> adopt(String tenantId, MovedKeys.Entry entry) {
        return submit(new Mutation(tenantId, entry.key(), entry.token(), entry.version(), null),
                entry.records(), false);
    }

    /**
     * Deletes a key's version outright (no tombstone): cleanup of data this node no longer owns.
     */
    public CompletableFuture<ApplyResult> purge(String tenantId, byte[] key, long token,
                                                Version stored) {
        return submit(new Mutation(tenantId, key, token, stored, null), List.of(), true);
    }

    private CompletableFuture<ApplyResult> submit(Mutation mutation,
                                                  List<MovedKeys.Record> records,
                                                  boolean purge) {
        CompletableFuture<ApplyResult> result = new CompletableFuture<>();
        if (state != StorageFiles.State.RUNNING) {
            result.completeExceptionally(new CairnException(ErrorCode.INTERNAL_ERROR,
                    "storage is shutting down"));
            return result;
        }
        shards[Math.floorMod(Long.hashCode(mutation.token()), shards.length)]
                .submit(new Pending(mutation, records, purge, result));
        return result;
    }

    private final class WriterShard implements Runnable {

        private final ArrayBlockingQueue<Pending> queue;
        private final RecentVersions recent =
                new RecentVersions(RECENT_VERSIONS_BYTES_MAX / options.writerShards());
        private final Thread thread;

        WriterShard(int index) {
            this.queue = new ArrayBlockingQueue<>(options.writeQueueItemsMax());
            this.thread = new Thread(this, "storage-writer-" + index);
            this.thread.setDaemon(true);
            this.thread.start();
        }

        void submit(Pending pending) {
            if (!queue.offer(pending)) {
                pending.result.completeExceptionally(new CairnException(ErrorCode.INTERNAL_ERROR,
                        "storage is overloaded: " + options.writeQueueItemsMax()
                                + " writes are already queued; retry later"));
            }
        }

        @Override
        public void run() {
            List<Pending> group = new ArrayList<>(options.writeGroupItemsMax());
            while (true) {
                try {
                    Pending first = queue.poll(50, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        if (state != StorageFiles.State.RUNNING) {
                            return;
                        }
                        continue;
                    }
                    group.add(first);
                    queue.drainTo(group, options.writeGroupItemsMax() - 1);
                    commit(group, recent);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (RuntimeException e) {
                    LOG.error("storage writer failed", e);
                    for (Pending pending : group) {
                        pending.result.completeExceptionally(internal(e));
                    }
                } finally {
                    group.clear();
                }
            }
        }

        void stop() throws InterruptedException {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    /**
     * A mutation waiting for its shard; {@code adopted} are moved idempotency records to keep
     * with it, and {@code purge} deletes the key instead.
     */
    private record Pending(Mutation mutation, List<MovedKeys.Record> adopted,
                           boolean purge, CompletableFuture<ApplyResult> result) {
    }

    /**
     * Resolves and commits a group of mutations in one write batch: each mutation's version, key
     * index entry, live-key count and idempotency record, and the clock's high-water mark, land
     * together or not at all. Runs on a writer thread.
     */
    private void commit(List<Pending> group, RecentVersions recent) {
        // Versions and records written earlier in this group, visible to later mutations in it.
        Map<ByteBuffer, Version> versions = new HashMap<>();
        Map<ByteBuffer, IdempotencyRecord> written = new HashMap<>();
        List<ApplyResult> results = new ArrayList<>(group.size());
        // Keys purged earlier in this group: later mutations in it must find them absent.
        Set<ByteBuffer> purged = new HashSet<>();
        long hlcMax = 0;
        try (WriteBatch batch = new WriteBatch()) {
            for (Pending pending : group) {
                Mutation m = pending.mutation();
                ApplyResult result;
                try {
                    if (pending.purge()) {
                        result = purge(m, batch, versions, recent, purged);
                    } else {
                        result = resolve(m, batch, versions, written, recent, purged);
                        adoptRecords(m, pending.adopted(), batch, written);
                    }
                } catch (StorageException | RocksDBException e) {
                    result = null;
                    pending.result.completeExceptionally(internal(e));
                }
                results.add(result);
                if (result != null && result.outcome() == ApplyResult.Outcome.APPLIED) {
                    hlcMax = Math.max(hlcMax, result.stored().hlc());
                }
            }
            if (hlcMax > 0) {
                batch.put(files.meta(), META_HLC.getBytes(StandardCharsets.UTF_8),
                        Codec.longBytes(Math.max(hlcMax, hlcHighWaterCached)));
                hlcHighWaterCached = Math.max(hlcMax, hlcHighWaterCached);
            }
            if (batch.count() > 0) {
                long startedNanos = System.nanoTime();
                files.db().write(files.groupWriteOptions(), batch);
                if (options.durability() == Durability.SYNC) {
                    files.walSynced(startedNanos);
                }
            }
            // A key purged and then written again in this group is remembered as written.
            purged.forEach(recent::forget);
            recent.committed(versions);
        } catch (RocksDBException e) {
            for (Pending pending : group) {
                pending.result.completeExceptionally(internal(e));
            }
            return;
        }
        for (int i = 0; i < group.size(); i++) {
            if (results.get(i) != null) {
                group.get(i).result.complete(results.get(i));
            }
        }
    }

    private ApplyResult resolve(Mutation m, WriteBatch batch, Map<ByteBuffer, Version> versions,
                                Map<ByteBuffer, IdempotencyRecord> written,
                                RecentVersions recent, Set<ByteBuffer> purged)
            throws RocksDBException {
        byte[] dataKey = Codec.dataKey(m.tenantId(), m.token(), m.key());
        ByteBuffer dataId = ByteBuffer.wrap(dataKey);
        byte[] recordKey = null;
        IdempotencyRecord existing = null;
        if (m.idempotency() != null) {
            recordKey = IdempotencyStore.recordKey(m);
            existing = written.get(ByteBuffer.wrap(recordKey));
            if (existing == null) {
                existing = records.stored(m, recordKey);
            }
            if (existing != null && Idempotency.decide(existing, m.idempotency())
                    != Idempotency.Decision.NEW) {
                return Idempotency.apply(null, existing, m, resolver);
            }
        }
        // The key's current version: written earlier in this group, else none if purged
        // earlier in it, else remembered from an earlier group, else stored.
        Version previous = versions.get(dataId);
        if (previous == null && !purged.contains(dataId)) {
            previous = recent.get(dataId);
            if (previous == null) {
                byte[] stored = files.db().get(files.data(), dataKey);
                previous = stored == null ? null
                        : Codec.decodeVersion(stored, Codec.describe(m.tenantId(), m.key()));
            }
        }
        ApplyResult result = Idempotency.apply(previous, existing, m, resolver);
        Version merged = result.stored();
        if (!merged.equals(previous)) {
            batch.put(files.data(), dataKey, Codec.encodeVersion(merged));
            versions.put(dataId, merged);
            if (previous == null) {
                batch.put(files.keys(), Codec.indexKey(m.tenantId(), m.key()),
                        Codec.longBytes(m.token()));
            }
            boolean wasLive = previous != null && !previous.isTombstone();
            boolean isLive = !merged.isTombstone();
            if (wasLive != isLive) {
                batch.merge(files.meta(), (META_COUNT_PREFIX + m.tenantId()).getBytes(
                        StandardCharsets.UTF_8), encodeCounter(isLive ? 1 : -1));
            }
        }
        if (recordKey != null) {
            IdempotencyRecord record = Idempotency.record(m.idempotency(), merged);
            records.put(batch, recordKey, record);
            written.put(ByteBuffer.wrap(recordKey), record);
        }
        return result;
    }

    private void adoptRecords(Mutation m, List<MovedKeys.Record> adopted, WriteBatch batch,
                              Map<ByteBuffer, IdempotencyRecord> written)
            throws RocksDBException {
        for (MovedKeys.Record moved : adopted) {
            byte[] recordKey = Codec.idempotencyKey(m.tenantId(), m.key(),
                    moved.idempotencyKey());
            ByteBuffer id = ByteBuffer.wrap(recordKey);
            if (!written.containsKey(id)
                    && files.db().get(files.idempotency(), recordKey) == null) {
                records.put(batch, recordKey, moved.record());
                written.put(id, moved.record());
            }
        }
    }

    // Deletes the key if its stored version is still the one the cleanup saw: a version written
    // since then is kept.
    private ApplyResult purge(Mutation m, WriteBatch batch, Map<ByteBuffer, Version> versions,
                              RecentVersions recent, Set<ByteBuffer> purged)
            throws RocksDBException {
        byte[] dataKey = Codec.dataKey(m.tenantId(), m.token(), m.key());
        ByteBuffer dataId = ByteBuffer.wrap(dataKey);
        if (purged.contains(dataId)) {
            // Purged already in this group, and written since if it is in versions: either way
            // there is nothing left of what the cleanup saw.
            return new ApplyResult(ApplyResult.Outcome.APPLIED, m.version(),
                    versions.get(dataId), null);
        }
        Version previous = versions.get(dataId);
        if (previous == null) {
            previous = recent.get(dataId);
        }
        if (previous == null) {
            byte[] stored = files.db().get(files.data(), dataKey);
            previous = stored == null ? null
                    : Codec.decodeVersion(stored, Codec.describe(m.tenantId(), m.key()));
        }
        if (previous == null || !previous.equals(m.version()) || versions.containsKey(dataId)) {
            return new ApplyResult(ApplyResult.Outcome.APPLIED, m.version(), previous, null);
        }
        batch.delete(files.data(), dataKey);
        batch.delete(files.keys(), Codec.indexKey(m.tenantId(), m.key()));
        if (!previous.isTombstone()) {
            batch.merge(files.meta(), (META_COUNT_PREFIX + m.tenantId()).getBytes(
                    StandardCharsets.UTF_8), encodeCounter(-1));
        }
        purged.add(dataId);
        return new ApplyResult(ApplyResult.Outcome.APPLIED, m.version(), previous, null);
    }

    // ---------------------------------------------------------------------------- lifecycle

    /** Stops accepting mutations and commits those queued. The database stays open. */
    void stop() {
        synchronized (this) {
            if (state != StorageFiles.State.RUNNING) {
                return;
            }
            state = StorageFiles.State.CLOSING;
        }
        try {
            for (WriterShard shard : shards) {
                shard.stop();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        state = StorageFiles.State.CLOSED;
    }

    // ------------------------------------------------------------------------------ helpers

    private static CairnException internal(Exception e) {
        return new CairnException(ErrorCode.INTERNAL_ERROR, "storage write failed: "
                + e.getMessage(), e);
    }

    private static byte[] encodeCounter(long delta) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(delta).array();
    }

    private static long decodeCounter(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }
}
