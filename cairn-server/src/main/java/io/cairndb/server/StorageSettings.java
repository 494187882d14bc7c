package io.cairndb.server;

/**
 * Storage settings of a node.
 *
 * @param durability "sync" (fsync before acknowledging, group-committed) or "periodic" (fsync every
 *     {@code syncIntervalMillis}; a process crash loses nothing, a machine crash up to one interval)
 * @param syncIntervalMillis the fsync interval under "periodic"
 * @param writerShards single-threaded writers that apply mutations; one (the default) makes the
 *     largest group commits, and RocksDB serialises the writes of several anyway
 */
public record StorageSettings(String durability, long syncIntervalMillis, int writerShards) {

    public static final StorageSettings DEFAULTS = new StorageSettings("periodic", 1000, 1);
}
