package io.cairndb.storage;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
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
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.UInt64AddOperator;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one RocksDB database of a node and its column families, shared by the stores over it: it
 * opens the database with each family's options, hands out the families and the write options,
 * fsyncs the write-ahead log, and closes everything. It knows nothing of what the stores keep
 * in the families; the stores know nothing of the database's options.
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
 * <p>The stores must stop writing before {@link #close}: a RocksDB handle used after it is closed
 * may crash the process rather than throw. {@link StorageEngine} closes them in that order.
 */
final class StorageFiles implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StorageFiles.class);

    static {
        RocksDB.loadLibrary();
    }

    private static final String CF_DATA = "data";
    private static final String CF_KEYS = "keys";
    private static final String CF_IDEMPOTENCY = "idempotency";
    private static final String CF_HINTS = "hints";
    private static final String CF_META = "meta";

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

    /** Lifecycle of the database and of each store over it; every long-lived component has it. */
    enum State { RUNNING, CLOSING, CLOSED }

    private final Path directory;
    private final StorageOptions options;
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
    private final WriteOptions syncWriteOptions;
    private final ScheduledExecutorService syncer;
    /** Fsyncs of the write-ahead log: periodic ones, and sync-durability group writes. */
    private final LongAdder walSyncs = new LongAdder();
    private final LongAdder walSyncNanos = new LongAdder();
    private volatile State state = State.RUNNING;

    private StorageFiles(Path directory, StorageOptions options) throws RocksDBException {
        this.directory = directory;
        this.options = options;
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
     * Opens (creating if needed) the database in {@code directory}.
     *
     * @throws StorageException naming the directory and the reason when it cannot be opened
     */
    static StorageFiles open(Path directory, StorageOptions options) {
        try {
            Files.createDirectories(directory);
            return new StorageFiles(directory, options);
        } catch (RocksDBException e) {
            throw new StorageException("cannot open storage in " + directory + ": "
                    + e.getMessage(), e);
        } catch (java.io.IOException e) {
            throw new StorageException("cannot create storage directory " + directory + ": "
                    + e.getMessage(), e);
        }
    }

    Path directory() {
        return directory;
    }

    StorageOptions options() {
        return options;
    }

    RocksDB db() {
        return db;
    }

    ColumnFamilyHandle data() {
        return data;
    }

    ColumnFamilyHandle keys() {
        return keys;
    }

    ColumnFamilyHandle idempotency() {
        return idempotency;
    }

    ColumnFamilyHandle hints() {
        return hints;
    }

    ColumnFamilyHandle meta() {
        return meta;
    }

    /** Writes that follow the durability setting: fsynced before they return under SYNC. */
    WriteOptions groupWriteOptions() {
        return groupWriteOptions;
    }

    /** Writes fsynced before they return, whatever the durability setting. */
    WriteOptions syncWriteOptions() {
        return syncWriteOptions;
    }

    /** The stored value under {@code key} in {@code family}, or null. */
    byte[] read(ColumnFamilyHandle family, byte[] key) {
        try {
            return db.get(family, key);
        } catch (RocksDBException e) {
            throw new StorageException("read failed: " + e.getMessage(), e);
        }
    }

    /** The stored values under {@code keysToRead} in {@code family}, null where there is none. */
    List<byte[]> multiGet(ColumnFamilyHandle family, List<byte[]> keysToRead) {
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

    /** Writes what {@code family} holds in memory to a table file of its own (tests). */
    void flush(ColumnFamilyHandle family) {
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            db.flush(flush, family);
        } catch (RocksDBException e) {
            throw new StorageException("flush failed: " + e.getMessage(), e);
        }
    }

    /** @throws StorageException once the database is closed */
    void ensureOpen() {
        if (state == State.CLOSED) {
            throw new StorageException("storage in " + directory + " is closed");
        }
    }

    /** Fsyncs the write-ahead log now. */
    void syncWal() {
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

    /** Counts one fsync of the write-ahead log that began at {@code startedNanos}. */
    void walSynced(long startedNanos) {
        walSyncNanos.add(System.nanoTime() - startedNanos);
        walSyncs.increment();
    }

    /**
     * Fsyncs of the write-ahead log since the database opened: each periodic sync, or each group
     * written under {@link Durability#SYNC} (the write and its fsync together).
     */
    long walSyncs() {
        return walSyncs.sum();
    }

    /** Nanoseconds spent in the fsyncs {@link #walSyncs} counts. */
    long walSyncNanos() {
        return walSyncNanos.sum();
    }

    /** RocksDB's estimate of the bytes compaction must rewrite to settle the tree, all families. */
    long compactionPendingBytes() {
        return sumOverFamilies("rocksdb.estimate-pending-compaction-bytes");
    }

    /** Compactions running now. */
    long compactionsRunning() {
        return dbProperty("rocksdb.num-running-compactions");
    }

    /** Whether RocksDB is stopping writes now (too many L0 files, memtables or pending bytes). */
    boolean writesStopped() {
        return dbProperty("rocksdb.is-write-stopped") != 0;
    }

    /**
     * Times RocksDB slowed ({@code stops} false) or stopped ({@code stops} true) writes to let
     * flushes and compaction catch up, all families, since the database opened.
     */
    long writeStalls(boolean stops) {
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

    /** Microseconds writers waited in write stalls since the database opened. */
    long writeStallMicros() {
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

    /** Bytes of the database's files on disk, as RocksDB reports them. */
    long diskBytes() {
        return sumOverFamilies("rocksdb.total-sst-files-size") + unflushedBytes();
    }

    /**
     * Bytes in write buffers not yet flushed to tables, all families: what the write-ahead log
     * must still hold, and what a restart replays.
     */
    long unflushedBytes() {
        return sumOverFamilies("rocksdb.cur-size-all-mem-tables");
    }

    /** Fsyncs the log and closes the database; the stores over it have stopped writing. */
    @Override
    public void close() {
        synchronized (this) {
            if (state != State.RUNNING) {
                return;
            }
            state = State.CLOSING;
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
}
