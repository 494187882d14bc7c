package io.cairndb.storage;

import java.nio.charset.StandardCharsets;
import java.util.SortedMap;
import java.util.TreeMap;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * Entries a node keeps for itself in the {@code meta} family, under string keys: the metadata
 * log of a control member that keeps it alone, a follower's last view of the cluster. The data
 * store keeps its live-key counters and the clock's high-water mark in the same family.
 */
public final class NodeMetadata {

    private final StorageFiles files;

    NodeMetadata(StorageFiles files) {
        this.files = files;
    }

    /** The entry under {@code key}, or null if there is none. */
    public byte[] get(String key) {
        files.ensureOpen();
        return files.read(files.meta(), key.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes an entry and fsyncs it before returning. */
    public void put(String key, byte[] value) {
        files.ensureOpen();
        try {
            files.db().put(files.meta(), files.syncWriteOptions(),
                    key.getBytes(StandardCharsets.UTF_8), value);
        } catch (RocksDBException e) {
            throw new StorageException("cannot write metadata '" + key + "': " + e.getMessage(), e);
        }
    }

    /** Every entry whose key starts with {@code prefix}, in key order. */
    public SortedMap<String, byte[]> scan(String prefix) {
        files.ensureOpen();
        SortedMap<String, byte[]> result = new TreeMap<>();
        byte[] lower = prefix.getBytes(StandardCharsets.UTF_8);
        try (RocksIterator it = files.db().newIterator(files.meta())) {
            for (it.seek(lower); it.isValid(); it.next()) {
                byte[] key = it.key();
                if (!Codec.startsWith(key, lower)) {
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
}
