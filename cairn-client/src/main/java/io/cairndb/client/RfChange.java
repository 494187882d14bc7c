package io.cairndb.client;

import java.time.Instant;
import java.util.Objects;

/**
 * The answer to a replication-factor change.
 *
 * @param tenantId the tenant changed
 * @param oldReplicationFactor the factor before the change
 * @param newReplicationFactor the factor after the change
 * @param migrationId the migration that moves the data; empty when none was needed
 * @param updatedAt when the change was made, or null if the server did not say
 */
public record RfChange(
        String tenantId,
        int oldReplicationFactor,
        int newReplicationFactor,
        String migrationId,
        Instant updatedAt) {

    public RfChange {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(migrationId, "migrationId");
    }

    /** Whether the change started a migration, to follow with getMigrationStatus. */
    public boolean migrationStarted() {
        return !migrationId.isEmpty();
    }
}
