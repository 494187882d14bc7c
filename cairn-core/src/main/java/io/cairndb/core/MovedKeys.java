package io.cairndb.core;

import java.util.List;

/**
 * What a migration moves between replicas: keys exactly as stored, with their idempotency
 * records, in chunks read from a store range by range. The RocksDB store's range reader and its
 * in-memory twin both answer in these forms.
 */
public final class MovedKeys {

    private MovedKeys() {
    }

    /** One key as stored, with its unexpired idempotency records. */
    public record Entry(byte[] key, long token, Version version, List<Record> records) {

        public Entry {
            records = List.copyOf(records);
        }

        /** Bytes of the key and value, as transfers count them. */
        public long size() {
            return key.length + (version.value() == null ? 0 : version.value().length);
        }
    }

    /** An idempotency record of a moved key, under its idempotency key. */
    public record Record(String idempotencyKey, IdempotencyRecord record) {
    }

    /**
     * One chunk: its entries, and the position after its last (the index of its range among
     * those asked for, a token and a key), or {@code exhausted} when the ranges hold nothing
     * more (then the range index is the number of ranges, the token 0 and the key null).
     */
    public record Chunk(List<Entry> entries, int resumeRange, long resumeToken, byte[] resumeKey,
                        boolean exhausted) {
    }

    /** Keys, tombstones included, and their key and value bytes. */
    public record Size(long keys, long bytes) {
    }
}
