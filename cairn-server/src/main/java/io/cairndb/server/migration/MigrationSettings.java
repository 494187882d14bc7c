package io.cairndb.server.migration;

import io.cairndb.server.common.ServerLimits;

/**
 * How migrations move data between nodes.
 *
 * @param streamBytesPerSecond the most bytes a node receives per second for migrations, all its
 *     transfers together
 * @param maxConcurrentTransfers how many tasks a node receives at once
 * @param chunkBytes the most key and value bytes one chunk carries
 * @param cleanupGraceMillis how long after a migration ends a node deletes the ranges it no
 *     longer owns; until then reads by nodes with an older view still find them
 * @param reportIntervalMillis how often a receiving node reports its progress to the control
 *     plane
 */
public record MigrationSettings(long streamBytesPerSecond, int maxConcurrentTransfers,
                                int chunkBytes, long cleanupGraceMillis,
                                long reportIntervalMillis) {

    public static final MigrationSettings DEFAULTS = new MigrationSettings(64L << 20, 2,
            1 << 20, 60_000, 1_000);

    /** The first setting out of bounds, as a sentence naming it, or null. */
    public String problem() {
        if (streamBytesPerSecond < 1024) {
            return "migration.streamBytesPerSecond is " + streamBytesPerSecond
                    + "; it must be at least 1024";
        }
        if (maxConcurrentTransfers < 1 || maxConcurrentTransfers > 64) {
            return "migration.maxConcurrentTransfers is " + maxConcurrentTransfers
                    + "; it must be between 1 and 64";
        }
        if (chunkBytes < 4096 || chunkBytes > ServerLimits.MIGRATION_CHUNK_BYTES_MAX) {
            return "migration.chunkBytes is " + chunkBytes + "; it must be between 4096 and "
                    + ServerLimits.MIGRATION_CHUNK_BYTES_MAX;
        }
        if (cleanupGraceMillis < 0) {
            return "migration.cleanupGraceMillis is " + cleanupGraceMillis
                    + "; it must be 0 or more";
        }
        if (reportIntervalMillis < 10) {
            return "migration.reportIntervalMillis is " + reportIntervalMillis
                    + "; it must be at least 10";
        }
        return null;
    }
}
