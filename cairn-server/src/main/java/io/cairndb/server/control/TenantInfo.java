package io.cairndb.server.control;

/** A tenant as the metadata holds it. Times are Unix seconds. */
public record TenantInfo(String tenantId, int replicationFactor, long createdAt, long updatedAt) {
}
