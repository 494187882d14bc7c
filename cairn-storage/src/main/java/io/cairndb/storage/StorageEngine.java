package io.cairndb.storage;

import io.cairndb.core.VersionResolver;
import java.nio.file.Path;

/**
 * The node-local storage engine: one RocksDB database ({@link StorageFiles}) and the stores over
 * it, each with its own column families.
 *
 * <ul>
 *   <li>{@link DataStore}: versions of keys, the key-order index, live-key counters, and the group
 *       commit through which every mutation is written;</li>
 *   <li>{@link IdempotencyStore}: the records that tell a retry from a new request, written in
 *       the data store's batches beside the versions they answer for;</li>
 *   <li>{@link HintStore}: mutations kept for replicas that were down;</li>
 *   <li>{@link NodeMetadata}: what the node keeps for itself, such as its metadata log.</li>
 * </ul>
 *
 * <p>The stores share the database, so a mutation's version and its idempotency record commit
 * in one write batch, and one write-ahead log and one fsync serve them all.
 */
public final class StorageEngine implements AutoCloseable {

    private final StorageFiles files;
    private final DataStore data;
    private final IdempotencyStore idempotency;
    private final HintStore hints;
    private final NodeMetadata metadata;
    private final RangeReader ranges;

    private StorageEngine(StorageFiles files, VersionResolver resolver) {
        this.files = files;
        this.metadata = new NodeMetadata(files);
        this.idempotency = new IdempotencyStore(files);
        this.hints = new HintStore(files);
        this.ranges = new RangeReader(files);
        this.data = new DataStore(files, idempotency, metadata, resolver);
    }

    /**
     * Opens (creating if needed) the engine in {@code directory}.
     *
     * @throws StorageException naming the directory and the reason when it cannot be opened
     */
    public static StorageEngine open(Path directory, StorageOptions options,
                                     VersionResolver resolver) {
        StorageFiles files = StorageFiles.open(directory, options);
        try {
            return new StorageEngine(files, resolver);
        } catch (RuntimeException e) {
            files.close();
            throw e;
        }
    }

    public Path directory() {
        return files.directory();
    }

    public StorageOptions options() {
        return files.options();
    }

    /** Versions of keys: what a replica on this node stores and reads. */
    public DataStore data() {
        return data;
    }

    /** Reads token ranges in chunks, for migrations. */
    public RangeReader ranges() {
        return ranges;
    }

    /** Hints this node keeps for replicas that were down. */
    public HintStore hints() {
        return hints;
    }

    /** Entries this node keeps for itself. */
    public NodeMetadata metadata() {
        return metadata;
    }

    /** The idempotency records (tests read and flush them). */
    IdempotencyStore idempotency() {
        return idempotency;
    }

    /** Fsyncs the write-ahead log now. */
    public void syncWal() {
        files.syncWal();
    }

    /** Bytes of this engine's files on disk, as RocksDB reports them. */
    public long diskBytes() {
        return files.diskBytes();
    }

    /** Bytes written but not yet flushed to tables: what the log must keep for a restart. */
    long unflushedBytes() {
        return files.unflushedBytes();
    }

    /**
     * Fsyncs of the write-ahead log since the engine opened: each periodic sync, or each group
     * written under {@link Durability#SYNC} (the write and its fsync together).
     */
    public long walSyncs() {
        return files.walSyncs();
    }

    /** Nanoseconds spent in the fsyncs {@link #walSyncs} counts. */
    public long walSyncNanos() {
        return files.walSyncNanos();
    }

    /** RocksDB's estimate of the bytes compaction must rewrite to settle the tree, all families. */
    public long compactionPendingBytes() {
        return files.compactionPendingBytes();
    }

    /** Compactions running now. */
    public long compactionsRunning() {
        return files.compactionsRunning();
    }

    /** Whether RocksDB is stopping writes now (too many L0 files, memtables or pending bytes). */
    public boolean writesStopped() {
        return files.writesStopped();
    }

    /** Times RocksDB slowed ({@code stops} false) or stopped ({@code stops} true) writes. */
    public long writeStalls(boolean stops) {
        return files.writeStalls(stops);
    }

    /** Microseconds writers waited in write stalls since the engine opened. */
    public long writeStallMicros() {
        return files.writeStallMicros();
    }

    /** Stops accepting mutations, commits those queued, fsyncs, and closes the database. */
    @Override
    public void close() {
        data.stop();
        files.close();
    }
}
