package io.cairndb.client;

import java.time.Instant;
import java.util.Objects;

/**
 * A tenant as the server describes it. The contract's timestamps are Unix seconds.
 *
 * @param tenantId the tenant's id
 * @param replicationFactor how many replicas each of its keys has
 * @param createdAt when it was created, or null if the server did not say
 * @param updatedAt when it last changed, or null if the server did not say; for a tenant just
 *     created, its creation time
 */
public record Tenant(String tenantId, int replicationFactor, Instant createdAt, Instant updatedAt) {

    public Tenant {
        Objects.requireNonNull(tenantId, "tenantId");
    }
}
