package io.cairndb.storage;

import io.cairndb.core.CairnException;
import io.cairndb.core.ErrorCode;
import io.cairndb.core.Version;
import io.cairndb.core.VersionResolver;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompactionOptionsFIFO;
import org.rocksdb.CompactionStyle;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.UInt64AddOperator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node-local storage engine: one RocksDB database with a column family for each kind of
 * record.
 *
 * <ul>
 *   <li>{@code data}: {@code tenant 0x00 token key → version}. A tenant's keys in a token range
 *       are one seek and a contiguous run (streaming, Merkle trees).</li>
 *   <li>{@code keys}: {@code tenant 0x00 key → token}, the key-order index. A tenant's keys in key
 *       order are one seek and a contiguous run (RangeQuery).</li>
 *   <li>{@code idempotency}: {@code tenant 0x00 len key idempotency-key → record}. Its files are
 *       dropped whole once their newest record is {@link StorageOptions#idempotencyKeep} old.</li>
 *   <li>{@code hints}: hints for replicas that were down (filled by the replication layer).</li>
 *   <li>{@code meta}: node-local metadata: the metadata log, live-key counters, the clock's
 *       high-water mark.</li>
 * </ul>
 *
 * <p>Reads run on the caller's thread. Mutations are queued to single-threaded writer shards (a
 * key always maps to the same shard), which read the current version, resolve it against the
 * incoming one, and commit a whole group of mutations in one write batch with one fsync under
 * {@link Durability#SYNC}. No locks are needed, and concurrent writers share fsyncs.
 */
public final class StorageEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StorageEngine.class);

    static {
        RocksDB.loadLibrary();
    }

    private static final String CF_DATA = "data";
    private static final String CF_KEYS = "keys";
    private static final String CF_IDEMPOTENCY = "idempotency";
    private static final String CF_HINTS = "hints";
    private static final String CF_META = "meta";

    private static final String META_COUNT_PREFIX = "count/";
    private static final String META_HLC = "hlc";

    /** Bytes of recently written versions the writers remember, shared out among them. */
    private static final long RECENT_VERSIONS_BYTES_MAX = 32L << 20;
    /**
     * Finished log files kept to be written over: an fdatasync of blocks the file already has
     * does not also have to write its new size (the inode, or a journal commit) to disk, which
     * makes a sync write cheaper and quicker.
     */
    private static final int WAL_FILES_RECYCLED = 2;
    /**
     * Where an insert into the data family's memtable starts looking for its place: beside the
     * last insert that shares its first bytes, up to {@link Codec#DATA_KEY_HEAD_BYTES_MAX}. Those
     * always cover the tenant and the token, so the last such insert is the key's previous
     * version, and an overwrite lands next to it instead of searching the skip list from the top
     * (the search was a quarter of a node's CPU under writes to keys written before).
     */
    private static final String DATA_INSERT_HINT =
            "rocksdb.CappedPrefix." + Codec.DATA_KEY_HEAD_BYTES_MAX;

    /** Lifecycle of the engine; every long-lived component has the same one. */
    enum State { RUNNING, CLOSING, CLOSED }

    private final Path directory;
    private final StorageOptions options;
    private final VersionResolver resolver;
    private final DBOptions dbOptions;
    private final List<ColumnFamilyOptions> familyOptions = new ArrayList<>();
    private final CompactionOptionsFIFO fifoOptions = new CompactionOptionsFIFO()
            .setMaxTableFilesSize(Long.MAX_VALUE)
            .setAllowCompaction(true);
    private final List<ColumnFamilyHandle> handles = new ArrayList<>();
    private final RocksDB db;
    private final ColumnFamilyHandle data;
    private final ColumnFamilyHandle keys;
    private final ColumnFamilyHandle idempotency;
    private final ColumnFamilyHandle hints;
    private final ColumnFamilyHandle meta;
    private final WriteOptions groupWriteOptions;
    /** Fsyncs of the write-ahead log: periodic ones, and sync-durability group writes. */
    private final LongAdder walSyncs = new LongAdder();
    private final LongAdder walSyncNanos = new LongAdder();
    private final WriteOptions syncWriteOptions;
    private final WriterShard[] shards;
    private final ScheduledExecutorService syncer;
    private volatile State state = State.RUNNING;

    private StorageEngine(Path directory, StorageOptions options, VersionResolver resolver)
            throws RocksDBException {
        this.directory = directory;
        this.options = options;
        this.resolver = resolver;
        this.dbOptions = new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setKeepLogFileNum(4)
                .setMaxBackgroundJobs(2)
                // RocksDB's default, four times every family's write buffers, let the small
                // families (which seldom fill a buffer) pin every log file: gigabytes of log on a
                // busy node, all replayed by a restart.
                .setMaxTotalWalSize(options.walBytesMax())
                .setRecycleLogFileNum(WAL_FILES_RECYCLED);
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY,
                family(false, null)));
        descriptors.add(descriptor(CF_DATA, family(true, DATA_INSERT_HINT)));
        descriptors.add(descriptor(CF_KEYS, family(false, null)));
        descriptors.add(descriptor(CF_IDEMPOTENCY,
                expiring(family(true, null), options.idempotencyKeep())));
        descriptors.add(descriptor(CF_HINTS, family(false, null)));
        descriptors.add(descriptor(CF_META,
                family(false, null).setMergeOperator(new UInt64AddOperator())));
        this.db = RocksDB.open(dbOptions, directory.toString(), descriptors, handles);
        this.data = handles.get(1);
        this.keys = handles.get(2);
        this.idempotency = handles.get(3);
        this.hints = handles.get(4);
        this.meta = handles.get(5);
        this.groupWriteOptions = new WriteOptions().setSync(options.durability() == Durability.SYNC);
        this.syncWriteOptions = new WriteOptions().setSync(true);
        this.shards = new WriterShard[options.writerShards()];
        for (int i = 0; i < shards.length; i++) {
            shards[i] = new WriterShard(i);
        }
        byte[] hlc = read(meta, META_HLC.getBytes(StandardCharsets.UTF_8));
        this.hlcHighWaterCached = hlc == null ? 0 : Codec.readLong(hlc);
        this.syncer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "storage-wal-sync");
            thread.setDaemon(true);
            return thread;
        });
        if (options.durability() == Durability.PERIODIC) {
            long intervalMillis = options.syncInterval().toMillis();
            syncer.scheduleWithFixedDelay(this::syncWal, intervalMillis, intervalMillis,
                    TimeUnit.MILLISECONDS);
        }
    }

    private static ColumnFamilyDescriptor descriptor(String name, ColumnFamilyOptions options) {
        return new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8), options);
    }

    /**
     * A family's options.
     *
     * @param insertHint the prefix that groups memtable inserts for hints, or null for none
     *     (RocksJava has no setter for it; it is set by its option name)
     */
    private ColumnFamilyOptions family(boolean pointLookups, String insertHint) {
        ColumnFamilyOptions family;
        if (insertHint == null) {
            family = new ColumnFamilyOptions();
        } else {
            Properties props = new Properties();
            props.setProperty("memtable_insert_with_hint_prefix_extractor", insertHint);
            family = ColumnFamilyOptions.getColumnFamilyOptionsFromProps(props);
            if (family == null) {
                throw new IllegalStateException("RocksDB refused the memtable insert hint "
                        + insertHint);
            }
        }
        family.setCompressionType(CompressionType.LZ4_COMPRESSION);
        if (pointLookups) {
            // Point lookups that miss (a new key, an idempotency key not seen before) skip the
            // memtable's skip list and the table files on their bloom filters.
            family.setTableFormatConfig(new BlockBasedTableConfig()
                            .setFilterPolicy(new BloomFilter(10)))
                    .setMemtablePrefixBloomSizeRatio(0.05)
                    .setMemtableWholeKeyFiltering(true);
        }
        familyOptions.add(family);
        return family;
    }

    /**
     * Idempotency records are written once and then only expire, so their family keeps its table
     * files in the order they were written (FIFO compaction) and drops a whole file once the newest
     * record in it is {@code keep} old: no scan for expired records and no tombstones, at any write
     * rate. (A scan that deleted a bounded number per run fell behind any busy node, and its disk
     * use grew without end.) Files are never dropped for size, and small ones, which the log bound
     * flushes early, are merged, so a lookup checks few of them.
     */
    private ColumnFamilyOptions expiring(ColumnFamilyOptions family, Duration keep) {
        return family.setCompactionStyle(CompactionStyle.FIFO)
                .setCompactionOptionsFIFO(fifoOptions)
                .setTtl(keep.toSeconds());
    }

    /**
     * Opens (creating if needed) the engine in {@code directory}.
     *
     * @throws StorageException naming the directory and the reason when it cannot be opened
     */
    public static StorageEngine open(Path directory, StorageOptions options,
                                     VersionResolver resolver) {
        try {
            Files.createDirectories(directory);
            return new StorageEngine(directory, options, resolver);
        } catch (RocksDBException e) {
            throw new StorageException("cannot open storage in " + directory + ": "
                    + e.getMessage(), e);
        } catch (java.io.IOException e) {
            throw new StorageException("cannot create storage directory " + directory + ": "
                    + e.getMessage(), e);
        }
    }

    public Path directory() {
        return directory;
    }

    public StorageOptions options() {
        return options;
    }

    // ------------------------------------------------------------------------------ reads

    /** The stored version of a key (a tombstone included), or null if there is none. */
    public Version get(String tenantId, byte[] key, long token) {
        ensureOpen();
        byte[] stored = read(data, Codec.dataKey(tenantId, token, key));
        return stored == null ? null : Codec.decodeVersion(stored, describe(tenantId, key));
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
        ensureOpen();
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
             RocksIterator it = db.newIterator(keys, readOptions)) {
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
        List<byte[]> values = multiGet(data, dataKeys);
        long bytes = 0;
        byte[] lastExamined = null;
        for (int i = 0; i < scannedKeys.size(); i++) {
            byte[] key = scannedKeys.get(i);
            byte[] stored = values.get(i);
            if (stored != null) {
                Version version = Codec.decodeVersion(stored, describe(tenantId, key));
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
        ensureOpen();
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
             RocksIterator it = db.newIterator(data, readOptions)) {
            for (it.seek(lower); it.isValid(); it.next()) {
                byte[] dataKey = it.key();
                long token = io.cairndb.core.Tokens.readSortable(dataKey, prefix.length);
                byte[] key = Arrays.copyOfRange(dataKey, prefix.length + 8, dataKey.length);
                Version version = Codec.decodeVersion(it.value(), describe(tenantId, key));
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
    public long liveKeys(String tenantId) {
        ensureOpen();
        byte[] stored = read(meta, (META_COUNT_PREFIX + tenantId).getBytes(StandardCharsets.UTF_8));
        return stored == null ? 0 : decodeCounter(stored);
    }

    /** Live keys of every tenant on this node. */
    public long liveKeys() {
        long total = 0;
        for (byte[] value : metaScan(META_COUNT_PREFIX).values()) {
            total += decodeCounter(value);
        }
        return total;
    }

    /** The greatest hybrid-clock reading of any version this engine has stored. */
    public long hlcHighWater() {
        byte[] stored = metaGet(META_HLC);
        return stored == null ? 0 : Codec.readLong(stored);
    }

    // ------------------------------------------------------------------------------- meta

    public byte[] metaGet(String key) {
        ensureOpen();
        return read(meta, key.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes node-local metadata and fsyncs it before returning. */
    public void metaPut(String key, byte[] value) {
        ensureOpen();
        try {
            db.put(meta, syncWriteOptions, key.getBytes(StandardCharsets.UTF_8), value);
        } catch (RocksDBException e) {
            throw new StorageException("cannot write metadata '" + key + "': " + e.getMessage(), e);
        }
    }

    /** Every metadata entry whose key starts with {@code prefix}, in key order. */
    public SortedMap<String, byte[]> metaScan(String prefix) {
        ensureOpen();
        SortedMap<String, byte[]> result = new TreeMap<>();
        byte[] lower = prefix.getBytes(StandardCharsets.UTF_8);
        try (RocksIterator it = db.newIterator(meta)) {
            for (it.seek(lower); it.isValid(); it.next()) {
                byte[] key = it.key();
                if (!startsWith(key, lower)) {
                    break;
                }
                result.put(new String(key, StandardCharsets.UTF_8), it.value());
            }
            it.status();
        } catch (RocksDBException e) {
            throw new StorageException("cannot scan metadata '" + prefix + "': "
                    + e.getMessage(), e);
        }
        return result;
    }

    // --------------------------------------------------------------------------- mutations

    /**
     * Applies a mutation on its key's writer shard. The future completes once the mutation is
     * committed (and fsynced under {@link Durability#SYNC}); it completes exceptionally with
     * {@link CairnException} (INTERNAL_ERROR) if the engine cannot accept or commit it.
     */
    public CompletableFuture<ApplyResult> apply(Mutation mutation) {
        CompletableFuture<ApplyResult> result = new CompletableFuture<>();
        if (state != State.RUNNING) {
            result.completeExceptionally(closedError());
            return result;
        }
        shards[Math.floorMod(Long.hashCode(mutation.token()), shards.length)]
                .submit(new Pending(mutation, result));
        return result;
    }

    // ------------------------------------------------------------------------------- hints

    /**
     * Stores a hint for {@code targetNodeId}. Hints follow the engine's durability setting.
     *
     * @param sequence orders one node's hints; unique per target (a coordinator's HLC reading)
     */
    public void putHint(String targetNodeId, long sequence, long createdAtMillis,
                        Mutation mutation) {
        ensureOpen();
        try {
            db.put(hints, groupWriteOptions, Codec.hintKey(targetNodeId, sequence),
                    Codec.encodeHint(createdAtMillis, mutation));
        } catch (RocksDBException e) {
            throw new StorageException("cannot store hint for " + targetNodeId + ": "
                    + e.getMessage(), e);
        }
    }

    /** Up to {@code max} of the hints held for {@code targetNodeId}, oldest first. */
    public List<Hint> hintsFor(String targetNodeId, int max) {
        ensureOpen();
        List<Hint> found = new ArrayList<>();
        byte[] prefix = Codec.hintPrefix(targetNodeId);
        try (RocksIterator it = db.newIterator(hints)) {
            for (it.seek(prefix); it.isValid() && found.size() < max; it.next()) {
                byte[] id = it.key();
                if (!startsWith(id, prefix)) {
                    break;
                }
                found.add(Codec.decodeHint(id, it.value()));
            }
            it.status();
        } catch (RocksDBException e) {
            throw new StorageException("cannot read hints: " + e.getMessage(), e);
        }
        return found;
    }

    /** Removes a delivered or expired hint. */
    public void deleteHint(Hint hint) {
        ensureOpen();
        try {
            db.delete(hints, groupWriteOptions, hint.id());
        } catch (RocksDBException e) {
            throw new StorageException("cannot delete hint: " + e.getMessage(), e);
        }
    }

    /** The number of hints held, per target node. */
    public Map<String, Long> hintCounts() {
        ensureOpen();
        Map<String, Long> counts = new TreeMap<>();
        try (RocksIterator it = db.newIterator(hints)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] id = it.key();
                int separator = 0;
                while (separator < id.length && id[separator] != 0) {
                    separator++;
                }
                counts.merge(new String(id, 0, separator, StandardCharsets.UTF_8), 1L, Long::sum);
            }
            it.status();
        } catch (RocksDBException e) {
            throw new StorageException("cannot count hints: " + e.getMessage(), e);
        }
        return counts;
    }

    /** Fsyncs the write-ahead log now. */
    public void syncWal() {
        if (state == State.CLOSED) {
            return;
        }
        try {
            long startedNanos = System.nanoTime();
            db.flushWal(true);
            walSynced(startedNanos);
        } catch (RocksDBException e) {
            LOG.error("periodic fsync of the write-ahead log failed: {}", e.getMessage());
        }
    }

    private void walSynced(long startedNanos) {
        walSyncNanos.add(System.nanoTime() - startedNanos);
        walSyncs.increment();
    }

    /**
     * Fsyncs of the write-ahead log since the engine opened: each periodic sync, or each group
     * written under {@link Durability#SYNC} (the write and its fsync together).
     */
    public long walSyncs() {
        return walSyncs.sum();
    }

    /** Nanoseconds spent in the fsyncs {@link #walSyncs} counts. */
    public long walSyncNanos() {
        return walSyncNanos.sum();
    }

    /** RocksDB's estimate of the bytes compaction must rewrite to settle the tree, all families. */
    public long compactionPendingBytes() {
        return sumOverFamilies("rocksdb.estimate-pending-compaction-bytes");
    }

    /** Compactions running now. */
    public long compactionsRunning() {
        return dbProperty("rocksdb.num-running-compactions");
    }

    /** Whether RocksDB is stopping writes now (too many L0 files, memtables or pending bytes). */
    public boolean writesStopped() {
        return dbProperty("rocksdb.is-write-stopped") != 0;
    }

    /**
     * Times RocksDB slowed ({@code stops} false) or stopped ({@code stops} true) writes to let
     * flushes and compaction catch up, all families, since the engine opened.
     */
    public long writeStalls(boolean stops) {
        ensureOpen();
        long total = 0;
        try {
            for (ColumnFamilyHandle handle : handles) {
                String count = db.getMapProperty(handle, "rocksdb.cfstats")
                        .get(stops ? "total-stops" : "total-delays");
                total += count == null ? 0 : (long) Double.parseDouble(count);
            }
        } catch (RocksDBException e) {
            throw new StorageException("cannot read write stalls: " + e.getMessage(), e);
        }
        return total;
    }

    /** Microseconds writers waited in write stalls since the engine opened. */
    public long writeStallMicros() {
        ensureOpen();
        try {
            String micros = db.getMapProperty("rocksdb.dbstats").get("db.user_write_stall_micros");
            return micros == null ? 0 : (long) Double.parseDouble(micros);
        } catch (RocksDBException e) {
            throw new StorageException("cannot read write stalls: " + e.getMessage(), e);
        }
    }

    private long dbProperty(String name) {
        ensureOpen();
        try {
            return db.getLongProperty(name);
        } catch (RocksDBException e) {
            throw new StorageException("cannot read " + name + ": " + e.getMessage(), e);
        }
    }

    private long sumOverFamilies(String name) {
        ensureOpen();
        long total = 0;
        try {
            for (ColumnFamilyHandle handle : handles) {
                total += db.getLongProperty(handle, name);
            }
        } catch (RocksDBException e) {
            throw new StorageException("cannot read " + name + ": " + e.getMessage(), e);
        }
        return total;
    }

    /** Bytes of this engine's files on disk, as RocksDB reports them. */
    public long diskBytes() {
        return sumOverFamilies("rocksdb.total-sst-files-size")
                + sumOverFamilies("rocksdb.cur-size-all-mem-tables");
    }

    private final class WriterShard implements Runnable {

        private final java.util.concurrent.ArrayBlockingQueue<Pending> queue;
        private final RecentVersions recent =
                new RecentVersions(RECENT_VERSIONS_BYTES_MAX / options.writerShards());
        private final Thread thread;

        WriterShard(int index) {
            this.queue = new java.util.concurrent.ArrayBlockingQueue<>(options.writeQueueItemsMax());
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
                        if (state != State.RUNNING) {
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

    private record Pending(Mutation mutation, CompletableFuture<ApplyResult> result) {
    }

    /** Resolves and commits a group of mutations in one write batch. Runs on a writer thread. */
    private void commit(List<Pending> group, RecentVersions recent) {
        // Versions and records written earlier in this group, visible to later mutations in it.
        Map<ByteBuffer, Version> versions = new HashMap<>();
        Map<ByteBuffer, IdempotencyRecord> records = new HashMap<>();
        List<ApplyResult> results = new ArrayList<>(group.size());
        long hlcMax = 0;
        try (WriteBatch batch = new WriteBatch()) {
            for (Pending pending : group) {
                Mutation m = pending.mutation();
                ApplyResult result;
                try {
                    result = resolve(m, batch, versions, records, recent);
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
                batch.put(meta, META_HLC.getBytes(StandardCharsets.UTF_8), Codec.longBytes(
                        Math.max(hlcMax, hlcHighWaterCached)));
                hlcHighWaterCached = Math.max(hlcMax, hlcHighWaterCached);
            }
            if (batch.count() > 0) {
                long startedNanos = System.nanoTime();
                db.write(groupWriteOptions, batch);
                if (options.durability() == Durability.SYNC) {
                    walSynced(startedNanos);
                }
            }
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

    private volatile long hlcHighWaterCached;

    private ApplyResult resolve(Mutation m, WriteBatch batch, Map<ByteBuffer, Version> versions,
                                Map<ByteBuffer, IdempotencyRecord> records,
                                RecentVersions recent)
            throws RocksDBException {
        byte[] dataKey = Codec.dataKey(m.tenantId(), m.token(), m.key());
        ByteBuffer dataId = ByteBuffer.wrap(dataKey);
        byte[] idemKey = null;
        if (m.idempotency() != null) {
            idemKey = Codec.idempotencyKey(m.tenantId(), m.key(),
                    m.idempotency().idempotencyKey());
            IdempotencyRecord existing = records.get(ByteBuffer.wrap(idemKey));
            if (existing == null && !m.idempotency().generated()) {
                byte[] stored = db.get(idempotency, idemKey);
                existing = stored == null ? null
                        : Codec.decodeIdempotency(stored, describe(m.tenantId(), m.key()));
            }
            if (existing != null && !existing.expired(m.idempotency().nowMillis())) {
                boolean same = Arrays.equals(existing.requestHash(), m.idempotency().requestHash());
                return new ApplyResult(same ? ApplyResult.Outcome.DUPLICATE
                        : ApplyResult.Outcome.CONFLICT, null, null, existing);
            }
        }
        // The key's current version: written earlier in this group, else remembered from an
        // earlier group, else stored. (A group never holds a null version for a key.)
        Version previous = versions.get(dataId);
        if (previous == null) {
            previous = recent.get(dataId);
        }
        if (previous == null) {
            previous = decodeOrNull(db.get(data, dataKey), m);
        }
        Version merged = resolver.resolve(previous, m.version());
        if (!merged.equals(previous)) {
            batch.put(data, dataKey, Codec.encodeVersion(merged));
            versions.put(dataId, merged);
            if (previous == null) {
                batch.put(keys, Codec.indexKey(m.tenantId(), m.key()), Codec.longBytes(m.token()));
            }
            boolean wasLive = previous != null && !previous.isTombstone();
            boolean isLive = !merged.isTombstone();
            if (wasLive != isLive) {
                batch.merge(meta, (META_COUNT_PREFIX + m.tenantId()).getBytes(
                        StandardCharsets.UTF_8), encodeCounter(isLive ? 1 : -1));
            }
        }
        if (idemKey != null) {
            Mutation.IdempotencyRequest request = m.idempotency();
            IdempotencyRecord record = new IdempotencyRecord(request.requestHash(),
                    request.nowMillis(), request.nowMillis() + request.ttlMillis(),
                    merged.clock(), merged.hlc(), merged.coordinatorNodeId());
            batch.put(idempotency, idemKey, Codec.encodeIdempotency(record));
            records.put(ByteBuffer.wrap(idemKey), record);
        }
        return new ApplyResult(ApplyResult.Outcome.APPLIED, merged, previous, null);
    }

    private Version decodeOrNull(byte[] stored, Mutation m) {
        return stored == null ? null : Codec.decodeVersion(stored, describe(m.tenantId(), m.key()));
    }

    // ---------------------------------------------------------------------------- lifecycle

    /** Writes the idempotency records in memory to a table file of their own (tests). */
    void flushIdempotencyRecords() {
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            db.flush(flush, idempotency);
        } catch (RocksDBException e) {
            throw new StorageException("flush failed: " + e.getMessage(), e);
        }
    }

    /** Stops accepting mutations, commits those queued, fsyncs, and closes the database. */
    @Override
    public void close() {
        synchronized (this) {
            if (state != State.RUNNING) {
                return;
            }
            state = State.CLOSING;
        }
        try {
            for (WriterShard shard : shards) {
                shard.stop();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        syncer.shutdownNow();
        try {
            db.flushWal(true);
        } catch (RocksDBException e) {
            LOG.error("final fsync of the write-ahead log failed: {}", e.getMessage());
        }
        state = State.CLOSED;
        for (ColumnFamilyHandle handle : handles) {
            handle.close();
        }
        db.close();
        dbOptions.close();
        familyOptions.forEach(ColumnFamilyOptions::close);
        fifoOptions.close();
        groupWriteOptions.close();
        syncWriteOptions.close();
        LOG.info("storage in {} closed", directory);
    }

    // ------------------------------------------------------------------------------ helpers

    private byte[] read(ColumnFamilyHandle family, byte[] key) {
        try {
            return db.get(family, key);
        } catch (RocksDBException e) {
            throw new StorageException("read failed: " + e.getMessage(), e);
        }
    }

    private List<byte[]> multiGet(ColumnFamilyHandle family, List<byte[]> keysToRead) {
        if (keysToRead.isEmpty()) {
            return List.of();
        }
        List<ColumnFamilyHandle> families = new ArrayList<>(keysToRead.size());
        for (int i = 0; i < keysToRead.size(); i++) {
            families.add(family);
        }
        try {
            return db.multiGetAsList(families, keysToRead);
        } catch (RocksDBException e) {
            throw new StorageException("read failed: " + e.getMessage(), e);
        }
    }

    private void ensureOpen() {
        if (state == State.CLOSED) {
            throw new StorageException("storage in " + directory + " is closed");
        }
    }

    private CairnException closedError() {
        return new CairnException(ErrorCode.INTERNAL_ERROR, "storage is shutting down");
    }

    private static CairnException internal(Exception e) {
        return new CairnException(ErrorCode.INTERNAL_ERROR, "storage write failed: "
                + e.getMessage(), e);
    }

    private static String describe(String tenantId, byte[] key) {
        return "tenant '" + tenantId + "' key '" + new String(key, StandardCharsets.UTF_8) + "'";
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        return bytes.length >= prefix.length
                && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static byte[] encodeCounter(long delta) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(delta).array();
    }

    private static long decodeCounter(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }
}
