package io.cairndb.storage;

import io.cairndb.core.Version;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The versions a writer shard committed most recently, by data key, least recently used
 * dropped first once their keys and values pass a byte budget. A writer resolves each mutation
 * against its key's current version; for a key written a moment ago this answers without a
 * lookup in the memtable's skip list. It is exact, not a guess: a writer shard is the only thing
 * that writes its keys' data, and it records a version only after its batch has committed.
 *
 * <p>Confined to its writer's thread.
 */
final class RecentVersions {

    /** Bookkeeping per entry besides its key and value bytes: map node, buffer, version. */
    private static final int ENTRY_OVERHEAD_BYTES = 160;

    private final long bytesMax;
    private final LinkedHashMap<ByteBuffer, Version> versions =
            new LinkedHashMap<>(1024, 0.75f, true);
    private long bytes;

    RecentVersions(long bytesMax) {
        this.bytesMax = bytesMax;
    }

    /** The version last committed for {@code dataKey}, or null if it is not remembered. */
    Version get(ByteBuffer dataKey) {
        return versions.get(dataKey);
    }

    /** Remembers the versions of a batch that has committed. */
    void committed(Map<ByteBuffer, Version> batch) {
        for (Map.Entry<ByteBuffer, Version> entry : batch.entrySet()) {
            Version old = versions.put(entry.getKey(), entry.getValue());
            if (old != null) {
                bytes -= size(entry.getKey(), old);
            }
            bytes += size(entry.getKey(), entry.getValue());
        }
        var eldest = versions.entrySet().iterator();
        while (bytes > bytesMax && eldest.hasNext()) {
            Map.Entry<ByteBuffer, Version> entry = eldest.next();
            bytes -= size(entry.getKey(), entry.getValue());
            eldest.remove();
        }
    }

    /** Forgets a key whose data was deleted. */
    void forget(ByteBuffer dataKey) {
        Version old = versions.remove(dataKey);
        if (old != null) {
            bytes -= size(dataKey, old);
        }
    }

    int size() {
        return versions.size();
    }

    long bytes() {
        return bytes;
    }

    private static long size(ByteBuffer key, Version version) {
        return ENTRY_OVERHEAD_BYTES + key.remaining()
                + (version.value() == null ? 0 : version.value().length);
    }
}
