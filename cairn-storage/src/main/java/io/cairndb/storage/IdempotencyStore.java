package io.cairndb.storage;

import io.cairndb.core.IdempotencyRecord;
import io.cairndb.core.Mutation;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Idempotency records in the {@code idempotency} family, under
 * {@code tenant 0x00 len key idempotency-key}. It reads and encodes records and never writes one
 * on its own: a record goes into the write batch of the mutation it answers for
 * ({@link #put}), so the version and its record land together or not at all. What a record
 * means, and whether a request is new, a duplicate or a conflict, is
 * {@link io.cairndb.core.Idempotency}'s to decide.
 *
 * <p>Records are written once and only expire: the family drops a whole table file once its
 * newest record is {@link StorageOptions#idempotencyKeep} old ({@link StorageFiles}).
 */
final class IdempotencyStore {

    private final StorageFiles files;

    IdempotencyStore(StorageFiles files) {
        this.files = files;
    }

    /** The key of the record of {@code mutation}, which carries an idempotency check. */
    static byte[] recordKey(Mutation mutation) {
        return Codec.idempotencyKey(mutation.tenantId(), mutation.key(),
                mutation.idempotency().idempotencyKey());
    }

    /**
     * The record stored under {@code recordKey} for {@code mutation}, or null. A key the
     * coordinator made up is new by construction, so it is not looked up.
     */
    IdempotencyRecord stored(Mutation mutation, byte[] recordKey) throws RocksDBException {
        if (mutation.idempotency().generated()) {
            return null;
        }
        byte[] stored = files.db().get(files.idempotency(), recordKey);
        return stored == null ? null
                : Codec.decodeIdempotency(stored, Codec.describe(mutation.tenantId(),
                        mutation.key()));
    }

    /** Adds {@code record} under {@code recordKey} to {@code batch}, to land with it. */
    void put(WriteBatch batch, byte[] recordKey, IdempotencyRecord record)
            throws RocksDBException {
        batch.put(files.idempotency(), recordKey, Codec.encodeIdempotency(record));
    }

    /** Writes the records in memory to a table file of their own (tests). */
    void flush() {
        files.flush(files.idempotency());
    }
}
