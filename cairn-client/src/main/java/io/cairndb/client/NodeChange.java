package io.cairndb.client;

import java.time.Instant;
import java.util.Objects;

/**
 * The answer to adding or removing a storage node.
 *
 * @param nodeId the node added or removed
 * @param migrationId the migration that moves its data; empty when none was needed
 * @param message the server's description of what it did
 * @param estimatedCompletion when the migration should finish, or null if the server did not say
 */
public record NodeChange(String nodeId, String migrationId, String message,
        Instant estimatedCompletion) {

    public NodeChange {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(migrationId, "migrationId");
        Objects.requireNonNull(message, "message");
    }

    /** Whether the change started a migration, to follow with getMigrationStatus. */
    public boolean migrationStarted() {
        return !migrationId.isEmpty();
    }
}
