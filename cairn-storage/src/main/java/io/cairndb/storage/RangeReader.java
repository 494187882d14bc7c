package io.cairndb.storage;

import io.cairndb.core.IdempotencyRecord;
import io.cairndb.core.MigrationPlan.TokenRange;
import io.cairndb.core.MovedKeys;
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

    private final StorageFiles files;

    RangeReader(StorageFiles files) {
        this.files = files;
    }

    /**
     * The chunk of {@code tenantId}'s range after position ({@code afterToken}, {@code afterKey})
     * ({@code afterKey} null: from the range's start), at most {@code itemsMax} entries and
     * {@code bytesMax} bytes (at least one entry if any is left).
     */
    public MovedKeys.Chunk read(String tenantId, TokenRange range, long afterToken, byte[] afterKey,
                      int itemsMax, long bytesMax, long nowMillis) {
        return read(tenantId, List.of(range), 0, afterToken, afterKey, itemsMax, bytesMax,
                nowMillis, true);
    }

    /**
     * The chunk of {@code tenantId}'s {@code ranges}, read in their order, after position
     * ({@code afterToken}, {@code afterKey}) in the range at {@code rangeIndex} ({@code afterKey}
     * null: from that range's start). One chunk may span several ranges, so small ranges cost
     * no more calls than one large one.
     */
    public MovedKeys.Chunk read(String tenantId, List<TokenRange> ranges, int rangeIndex, long afterToken,
                      byte[] afterKey, int itemsMax, long bytesMax, long nowMillis) {
        return read(tenantId, ranges, rangeIndex, afterToken, afterKey, itemsMax, bytesMax,
                nowMillis, true);
    }

    /**
     * As {@link #read}, without idempotency records: what a node holds, for measuring and
     * cleaning up.
     */
    public MovedKeys.Chunk readVersions(String tenantId, TokenRange range, long afterToken,
                              byte[] afterKey, int itemsMax, long bytesMax) {
        return read(tenantId, List.of(range), 0, afterToken, afterKey, itemsMax, bytesMax, 0,
                false);
    }

    private MovedKeys.Chunk read(String tenantId, List<TokenRange> ranges, int rangeIndex,
                       long afterToken, byte[] afterKey, int itemsMax, long bytesMax,
                       long nowMillis, boolean withRecords) {
        files.ensureOpen();
        Filling chunk = new Filling(tenantId, itemsMax, bytesMax, nowMillis, withRecords);
        Snapshot snapshot = files.db().getSnapshot();
        try (ReadOptions recordOptions = new ReadOptions().setSnapshot(snapshot);
             RocksIterator records = files.db().newIterator(files.idempotency(),
                     recordOptions)) {
            for (int r = rangeIndex; r < ranges.size(); r++) {
                boolean resume = r == rangeIndex && afterKey != null;
                if (!chunk.fill(snapshot, records, ranges.get(r), resume ? afterToken : 0,
                        resume ? afterKey : null)) {
                    MovedKeys.Entry last = chunk.entries.get(chunk.entries.size() - 1);
                    return new MovedKeys.Chunk(chunk.entries, r, last.token(), last.key(), false);
                }
            }
        } catch (RocksDBException e) {
            throw new StorageException("reading a token range of tenant '" + tenantId
                    + "' failed: " + e.getMessage(), e);
        } finally {
            files.db().releaseSnapshot(snapshot);
        }
        return new MovedKeys.Chunk(chunk.entries, ranges.size(), 0, null, true);
    }

    /** A chunk being filled, range after range, up to its bounds. */
    private final class Filling {
        final String tenantId;
        final byte[] prefix;
        final int itemsMax;
        final long bytesMax;
        final long nowMillis;
        final boolean withRecords;
        final List<MovedKeys.Entry> entries = new ArrayList<>();
        long bytes;

        Filling(String tenantId, int itemsMax, long bytesMax, long nowMillis,
                boolean withRecords) {
            this.tenantId = tenantId;
            this.prefix = Codec.tenantPrefix(tenantId);
            this.itemsMax = itemsMax;
            this.bytesMax = bytesMax;
            this.nowMillis = nowMillis;
            this.withRecords = withRecords;
        }

        /**
         * Adds the range's entries after ({@code afterToken}, {@code afterKey}) (null: all of
         * them); false once the chunk is full, with the range's rest left out. The position
         * found in none of the range's segments means the range starts afresh.
         */
        boolean fill(Snapshot snapshot, RocksIterator records, TokenRange range,
                     long afterToken, byte[] afterKey) throws RocksDBException {
            List<long[]> segments = range.segments();
            int resumeIn = afterKey == null ? -1 : range.segmentHolding(afterToken);
            for (int i = Math.max(0, resumeIn); i < segments.size(); i++) {
                long[] segment = segments.get(i);
                byte[] lower = i == resumeIn
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
                        byte[] key = Arrays.copyOfRange(dataKey, prefix.length + 8,
                                dataKey.length);
                        Version version = Codec.decodeVersion(it.value(),
                                Codec.describe(tenantId, key));
                        long size = key.length
                                + (version.value() == null ? 0 : version.value().length);
                        if (!entries.isEmpty() && (entries.size() >= itemsMax
                                || bytes + size > bytesMax)) {
                            return false;
                        }
                        entries.add(new MovedKeys.Entry(key, Tokens.readSortable(dataKey,
                                prefix.length), version, withRecords
                                ? records(records, tenantId, key, nowMillis) : List.of()));
                        bytes += size;
                    }
                    it.status();
                }
            }
            return true;
        }
    }

    /** The keys and bytes of {@code tenantId} in {@code range}, tombstones included. */
    public MovedKeys.Size measure(String tenantId, TokenRange range) {
        return measure(tenantId, List.of(range));
    }

    /** The keys and bytes of {@code tenantId} in all of {@code ranges}, tombstones included. */
    public MovedKeys.Size measure(String tenantId, List<TokenRange> ranges) {
        long keys = 0;
        long bytes = 0;
        int rangeIndex = 0;
        long afterToken = 0;
        byte[] afterKey = null;
        while (true) {
            MovedKeys.Chunk chunk = read(tenantId, ranges, rangeIndex, afterToken, afterKey, 4096,
                    Long.MAX_VALUE, 0, false);
            for (MovedKeys.Entry entry : chunk.entries()) {
                keys++;
                bytes += entry.size();
            }
            if (chunk.exhausted()) {
                return new MovedKeys.Size(keys, bytes);
            }
            rangeIndex = chunk.resumeRange();
            afterToken = chunk.resumeToken();
            afterKey = chunk.resumeKey();
        }
    }


    // The smallest key after {@code key}: the key followed by a 0 byte.
    private static byte[] next(byte[] key) {
        return Arrays.copyOf(key, key.length + 1);
    }

    private List<MovedKeys.Record> records(RocksIterator it, String tenantId, byte[] key,
                                      long nowMillis) {
        byte[] prefix = Codec.idempotencyKey(tenantId, key, "");
        it.seek(prefix);
        List<MovedKeys.Record> found = null;
        while (it.isValid() && Codec.startsWith(it.key(), prefix)) {
            byte[] recordKey = it.key();
            IdempotencyRecord record = Codec.decodeIdempotency(it.value(),
                    Codec.describe(tenantId, key));
            if (!record.expired(nowMillis)) {
                if (found == null) {
                    found = new ArrayList<>(1);
                }
                found.add(new MovedKeys.Record(new String(recordKey, prefix.length,
                        recordKey.length - prefix.length, StandardCharsets.UTF_8), record));
            }
            it.next();
        }
        return found == null ? List.of() : found;
    }
}
