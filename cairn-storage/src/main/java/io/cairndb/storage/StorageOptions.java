package io.cairndb.storage;

import java.time.Duration;

/**
 * Settings of the storage engine.
 *
 * @param durability when acknowledged writes are fsynced
 * @param syncInterval how often the log is fsynced under {@link Durability#PERIODIC}
 * @param writerShards single-threaded writers; a key always goes to the same one
 * @param writeQueueItemsMax pending mutations per writer before new ones are refused
 * @param writeGroupItemsMax mutations committed together with one fsync
 * @param walBytesMax write-ahead log kept before the oldest file's data is flushed to tables
 * @param idempotencyKeep how long idempotency records stay on disk: a table file of them is
 *     dropped once its newest record is this old (a record's own expiry decides what it answers)
 */
public record StorageOptions(Durability durability, Duration syncInterval, int writerShards,
                             int writeQueueItemsMax, int writeGroupItemsMax, long walBytesMax,
                             Duration idempotencyKeep) {

    /** Room left for coordinators' clocks ahead of this node's when records are dropped. */
    public static final Duration IDEMPOTENCY_CLOCK_SLACK = Duration.ofHours(1);

    /**
     * 256 MiB of log: a restart replays at most that, and it holds several full write buffers
     * (64 MiB each), so the log rarely forces a flush of the busy families before they fill.
     * Idempotency records are kept a day, their default expiry, and the clock slack.
     */
    public static final StorageOptions DEFAULTS = new StorageOptions(Durability.PERIODIC,
            Duration.ofSeconds(1), 1, 65_536, 512, 256L << 20,
            Duration.ofDays(1).plus(IDEMPOTENCY_CLOCK_SLACK));

    public StorageOptions {
        if (syncInterval.isNegative() || syncInterval.isZero()) {
            throw new IllegalArgumentException("syncInterval must be positive, was " + syncInterval);
        }
        if (writerShards < 1 || writerShards > 64) {
            throw new IllegalArgumentException("writerShards must be 1..64, was " + writerShards);
        }
        if (writeQueueItemsMax < 1 || writeGroupItemsMax < 1) {
            throw new IllegalArgumentException("write queue and group sizes must be positive");
        }
        if (walBytesMax < 1) {
            throw new IllegalArgumentException("walBytesMax must be positive, was " + walBytesMax);
        }
        if (idempotencyKeep.toSeconds() < 1) {
            throw new IllegalArgumentException("idempotencyKeep must be at least a second, was "
                    + idempotencyKeep);
        }
    }

    public StorageOptions withDurability(Durability newDurability) {
        return new StorageOptions(newDurability, syncInterval, writerShards, writeQueueItemsMax,
                writeGroupItemsMax, walBytesMax, idempotencyKeep);
    }

    public StorageOptions withWalBytesMax(long newWalBytesMax) {
        return new StorageOptions(durability, syncInterval, writerShards, writeQueueItemsMax,
                writeGroupItemsMax, newWalBytesMax, idempotencyKeep);
    }

    public StorageOptions withIdempotencyKeep(Duration keep) {
        return new StorageOptions(durability, syncInterval, writerShards, writeQueueItemsMax,
                writeGroupItemsMax, walBytesMax, keep);
    }
}
