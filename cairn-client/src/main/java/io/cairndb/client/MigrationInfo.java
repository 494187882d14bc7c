package io.cairndb.client;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * A data migration as the cluster's migration list keeps it: what it is about, how far it has
 * come in keys, bytes and tasks, and why it ended if it failed or was cancelled.
 *
 * @param migrationId the migration
 * @param type {@code "node_addition"}, {@code "node_deletion"} or {@code "replication_change"},
 *     or another kind the server names
 * @param nodeId the node the migration is about, empty for a replication change
 * @param tenantId the tenant a replication change is about, empty for a node change
 * @param status {@code "pending"}, {@code "in_progress"}, {@code "completed"}, {@code "failed"}
 *     or {@code "cancelled"}
 * @param keysMigrated keys moved so far
 * @param totalKeys keys to move in all
 * @param bytesMigrated bytes moved so far
 * @param totalBytes bytes to move in all
 * @param percentage progress from 0 to 100
 * @param startedAt when it started, or null if the server did not say
 * @param finishedAt when it ended, or null while it runs
 * @param reason why it failed or was cancelled; empty otherwise
 * @param tasks the range transfers it is made of
 * @param tasksDone transfers finished
 * @param tasksLost transfers whose source was lost, so their data came from elsewhere or not at
 *     all
 */
public record MigrationInfo(
        String migrationId,
        String type,
        String nodeId,
        String tenantId,
        String status,
        long keysMigrated,
        long totalKeys,
        long bytesMigrated,
        long totalBytes,
        double percentage,
        Instant startedAt,
        Instant finishedAt,
        String reason,
        int tasks,
        int tasksDone,
        int tasksLost) {

    /** The statuses after which a migration never changes again. */
    static final Set<String> FINAL_STATUSES = Set.of("completed", "failed", "cancelled");

    public MigrationInfo {
        Objects.requireNonNull(migrationId, "migrationId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(reason, "reason");
    }

    /** Whether the migration has ended: completed, failed or cancelled. */
    public boolean finished() {
        return FINAL_STATUSES.contains(status);
    }
}
