package io.cairndb.server;

import io.cairndb.storage.StorageOptions;

/**
 * Storage settings of a node.
 *
 * @param durability "sync" (fsync before acknowledging, group-committed) or "periodic" (fsync every
 *     {@code syncIntervalMillis}; a process crash loses nothing, a machine crash up to one interval)
 * @param syncIntervalMillis the fsync interval under "periodic"
 * @param writerShards single-threaded writers that apply mutations; one (the default) makes the
 *     largest group commits, and RocksDB serialises the writes of several anyway
 * @param walBytesMax write-ahead log kept before the writes in its oldest file are flushed into
 *     table files; it bounds the disk the log takes and what a restart replays
 */
public record StorageSettings(String durability, long syncIntervalMillis, int writerShards,
                              long walBytesMax) {

    /** Less log than this would flush the write buffers long before they fill. */
    public static final long WAL_BYTES_MIN = 16L << 20;

    /** The storage engine's own defaults, so that a node and the engine cannot disagree. */
    public static final StorageSettings DEFAULTS = new StorageSettings(
            StorageOptions.DEFAULTS.durability().wireName(),
            StorageOptions.DEFAULTS.syncInterval().toMillis(),
            StorageOptions.DEFAULTS.writerShards(),
            StorageOptions.DEFAULTS.walBytesMax());
}
