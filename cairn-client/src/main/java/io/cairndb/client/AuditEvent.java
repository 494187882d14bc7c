package io.cairndb.client;

import java.time.Instant;
import java.util.Objects;

/**
 * One change of the cluster metadata, as the audit log keeps it.
 *
 * @param id the event's id: its version as text, the same on every node
 * @param version the metadata index of the change
 * @param hlc the hybrid logical clock reading of the change's proposer (0 if unknown)
 * @param at when the change was proposed, or null if unknown
 * @param action what happened: {@code create_tenant}, {@code update_config},
 *     {@code register_node}, ...
 * @param tenantId the tenant concerned, empty if none
 * @param nodeId the storage node concerned, empty if none
 * @param actor the control member that proposed the change, empty if unknown
 * @param details what changed, for a reader
 */
public record AuditEvent(String id, long version, long hlc, Instant at, String action,
        String tenantId, String nodeId, String actor, String details) {

    public AuditEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(details, "details");
    }
}
