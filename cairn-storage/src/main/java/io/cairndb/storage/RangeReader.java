package io.cairndb.storage;

import io.cairndb.core.IdempotencyRecord;
import io.cairndb.core.MigrationPlan.TokenRange;
import io.cairndb.core.Tokens;
import io.cairndb.core.Version;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;

/**
 * Reads a tenant's versions in a token range, in chunks, for a migration: each chunk from one
 * consistent RocksDB snapshot, in the data family's order (token, then key), with each key's
 * unexpired idempotency records, so a retry through the key's new owner is still recognised.
 * A chunk ends at its item or byte bound and says where the next one resumes, so memory stays
 * bounded whatever the range's size, and a transfer can resume from its last chunk.
 */
public final class RangeReader {

    /** One key as stored, with its idempotency records. */
    public record MovedEntry(byte[] key, long token, Version version, List<MovedRecord> records) {

        /** Bytes of the key and value, as transfers count them. */
        public long size() {
            return key.length + (version.value() == null ? 0 : version.value().length);
        }
    }

    /** An idempotency record of a moved key. */
    public record MovedRecord(String idempotencyKey, IdempotencyRecord record) {
    }

    /**
     * One chunk: its entries, and the position after its last (a token and key) or
     * {@code exhausted} when the range holds nothing more.
     */
    public record Chunk(List<MovedEntry> entries, long resumeToken, byte[] resumeKey,
                        boolean exhausted) {
    }

    /** Keys and their bytes (key and value) in a range. */
    public record Size(long keys, long bytes) {
    }

    private final StorageFiles files;

    RangeReader(StorageFiles files) {
        this.files = files;
    }

    /**
     * The chunk of {@code tenantId}'s range after position ({@code afterToken}, {@code afterKey})
     * ({@code afterKey} null: from the range's start), at most {@code itemsMax} entries and
     * {@code bytesMax} bytes (at least one entry if any is left).
     */
    public Chunk read(String tenantId, TokenRange range, long afterToken, byte[] afterKey,
                      int itemsMax, long bytesMax, long nowMillis) {
        files.ensureOpen();
        byte[] prefix = Codec.tenantPrefix(tenantId);
        List<MovedEntry> entries = new ArrayList<>();
        long bytes = 0;
        Snapshot snapshot = files.db().getSnapshot();
        try {
            try (ReadOptions recordOptions = new ReadOptions().setSnapshot(snapshot);
                 RocksIterator records = files.db().newIterator(files.idempotency(),
                         recordOptions)) {
                List<long[]> segments = segments(range);
                int resumeIn = -1;
                for (int i = 0; afterKey != null && i < segments.size(); i++) {
                    if (afterToken >= segments.get(i)[0] && afterToken <= segments.get(i)[1]) {
                        resumeIn = i;
                    }
                }
                for (int i = Math.max(0, resumeIn); i < segments.size(); i++) {
                    long[] segment = segments.get(i);
                    boolean resumesHere = i == resumeIn;
                    byte[] lower = resumesHere
                            ? next(Codec.dataKey(tenantId, afterToken, afterKey))
                            : Codec.dataTokenBound(tenantId, segment[0]);
                    byte[] upper = segment[1] == Long.MAX_VALUE ? Codec.prefixEnd(prefix)
                            : Codec.dataTokenBound(tenantId, segment[1] + 1);
                    try (Slice upperSlice = new Slice(upper);
                         ReadOptions options = new ReadOptions().setSnapshot(snapshot)
                                 .setIterateUpperBound(upperSlice);
                         RocksIterator it = files.db().newIterator(files.data(), options)) {
                        for (it.seek(lower); it.isValid(); it.next()) {
                            byte[] dataKey = it.key();
                            long token = Tokens.readSortable(dataKey, prefix.length);
                            byte[] key = Arrays.copyOfRange(dataKey, prefix.length + 8,
                                    dataKey.length);
                            Version version = Codec.decodeVersion(it.value(),
                                    Codec.describe(tenantId, key));
                            MovedEntry entry = new MovedEntry(key, token, version,
                                    records(records, tenantId, key, nowMillis));
                            if (!entries.isEmpty() && (entries.size() >= itemsMax
                                    || bytes + entry.size() > bytesMax)) {
                                MovedEntry last = entries.get(entries.size() - 1);
                                return new Chunk(entries, last.token(), last.key(), false);
                            }
                            entries.add(entry);
                            bytes += entry.size();
                        }
                        it.status();
                    }
                }
            }
        } catch (RocksDBException e) {
            throw new StorageException("reading a token range of tenant '" + tenantId
                    + "' failed: " + e.getMessage(), e);
        } finally {
            files.db().releaseSnapshot(snapshot);
        }
        return new Chunk(entries, 0, null, true);
    }

    /** The keys and bytes of {@code tenantId} in {@code range}, tombstones included. */
    public Size measure(String tenantId, TokenRange range) {
        long keys = 0;
        long bytes = 0;
        long afterToken = 0;
        byte[] afterKey = null;
        while (true) {
            Chunk chunk = read(tenantId, range, afterToken, afterKey, 4096, Long.MAX_VALUE,
                    Long.MAX_VALUE);
            for (MovedEntry entry : chunk.entries()) {
                keys++;
                bytes += entry.size();
            }
            if (chunk.exhausted()) {
                return new Size(keys, bytes);
            }
            afterToken = chunk.resumeToken();
            afterKey = chunk.resumeKey();
        }
    }

    /**
     * The range as inclusive token segments in data order: {@code (from, to]} is one segment;
     * a range that wraps is {@code (from, MAX]} then {@code [MIN, to]}.
     */
    static List<long[]> segments(TokenRange range) {
        long from = range.fromExclusive();
        long to = range.toInclusive();
        if (from < to) {
            return List.of(new long[] {from + 1, to});
        }
        List<long[]> segments = new ArrayList<>(2);
        if (from != Long.MAX_VALUE) {
            segments.add(new long[] {from + 1, Long.MAX_VALUE});
        }
        segments.add(new long[] {Long.MIN_VALUE, to});
        return segments;
    }

    // The smallest key after {@code key}: the key followed by a 0 byte.
    private static byte[] next(byte[] key) {
        return Arrays.copyOf(key, key.length + 1);
    }

    private List<MovedRecord> records(RocksIterator it, String tenantId, byte[] key,
                                      long nowMillis) {
        byte[] prefix = Codec.idempotencyKey(tenantId, key, "");
        it.seek(prefix);
        List<MovedRecord> found = null;
        while (it.isValid() && Codec.startsWith(it.key(), prefix)) {
            byte[] recordKey = it.key();
            IdempotencyRecord record = Codec.decodeIdempotency(it.value(),
                    Codec.describe(tenantId, key));
            if (!record.expired(nowMillis)) {
                if (found == null) {
                    found = new ArrayList<>(1);
                }
                found.add(new MovedRecord(new String(recordKey, prefix.length,
                        recordKey.length - prefix.length, StandardCharsets.UTF_8), record));
            }
            it.next();
        }
        return found == null ? List.of() : found;
    }
}
