package io.cairndb.storage;

import io.cairndb.core.Mutation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * Hints in the {@code hints} family: mutations kept for replicas that did not acknowledge them,
 * under {@code target-node 0x00 sequence}, so one node's hints are one seek, oldest first. Hints
 * follow the engine's durability setting.
 */
public final class HintStore {

    private final StorageFiles files;

    HintStore(StorageFiles files) {
        this.files = files;
    }

    /**
     * Stores a hint for {@code targetNodeId}.
     *
     * @param sequence orders one node's hints; unique per target (a coordinator's HLC reading)
     */
    public void put(String targetNodeId, long sequence, long createdAtMillis, Mutation mutation) {
        files.ensureOpen();
        try {
            files.db().put(files.hints(), files.groupWriteOptions(),
                    Codec.hintKey(targetNodeId, sequence),
                    Codec.encodeHint(createdAtMillis, mutation));
        } catch (RocksDBException e) {
            throw new StorageException("cannot store hint for " + targetNodeId + ": "
                    + e.getMessage(), e);
        }
    }

    /** Up to {@code max} of the hints held for {@code targetNodeId}, oldest first. */
    public List<Hint> hintsFor(String targetNodeId, int max) {
        files.ensureOpen();
        List<Hint> found = new ArrayList<>();
        byte[] prefix = Codec.hintPrefix(targetNodeId);
        try (RocksIterator it = files.db().newIterator(files.hints())) {
            for (it.seek(prefix); it.isValid() && found.size() < max; it.next()) {
                byte[] id = it.key();
                if (!Codec.startsWith(id, prefix)) {
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
    public void delete(Hint hint) {
        files.ensureOpen();
        try {
            files.db().delete(files.hints(), files.groupWriteOptions(), hint.id());
        } catch (RocksDBException e) {
            throw new StorageException("cannot delete hint: " + e.getMessage(), e);
        }
    }

    /** The number of hints held, per target node. */
    public Map<String, Long> counts() {
        files.ensureOpen();
        Map<String, Long> counts = new TreeMap<>();
        try (RocksIterator it = files.db().newIterator(files.hints())) {
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
}
