package io.cairndb.client;

import java.time.Instant;
import java.util.Objects;

/**
 * Where a data migration stands.
 *
 * @param migrationId the migration
 * @param type {@code "node_addition"}, {@code "node_deletion"} or {@code "replication_change"}
 *     (the contract's strings), or another kind the server names
 * @param nodeId the node the migration is about
 * @param status {@code "pending"}, {@code "in_progress"}, {@code "completed"}, {@code "failed"}
 *     or {@code "cancelled"}
 * @param keysMigrated keys moved so far
 * @param totalKeys keys to move in all
 * @param percentage progress from 0 to 100
 * @param startedAt when it started, or null if the server did not say
 * @param estimatedCompletion when it should finish, or null if the server did not say
 */
public record MigrationStatus(
        String migrationId,
        String type,
        String nodeId,
        String status,
        long keysMigrated,
        long totalKeys,
        double percentage,
        Instant startedAt,
        Instant estimatedCompletion) {

    public MigrationStatus {
        Objects.requireNonNull(migrationId, "migrationId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(status, "status");
    }

    /** Whether the migration has ended: completed, failed or cancelled. */
    public boolean finished() {
        return MigrationInfo.FINAL_STATUSES.contains(status);
    }
}
