package io.cairndb.server.control;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One change to the cluster metadata, as the audit log keeps it. Produced by
 * {@link MetadataStateMachine} for every command it applies, from the log entry alone, so every
 * member holds the same events and replaying the log (or restoring a snapshot) gives the same
 * list again.
 *
 * @param version the metadata log index of the change; also the event's id, so a replay can never
 *     add it twice
 * @param hlc the proposing member's hybrid logical clock reading when it submitted the command;
 *     0 for commands logged before entries carried one
 * @param atMillis the proposing member's wall clock (Unix milliseconds) at submission; 0 when
 *     unknown, as for {@code hlc}
 * @param action what happened, in the command's log name: {@code create_tenant},
 *     {@code update_config}, {@code register_node}, ...
 * @param tenantId the tenant the change concerns, or null
 * @param nodeId the storage node the change concerns, or null
 * @param actor who proposed the change (a control member id), or null when unknown
 * @param details what changed, as a sentence for an operator
 * @param config the whole configuration after the change, for {@code update_config} events only
 *     (null otherwise): the history that {@code WatchConfig} replays
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AuditEvent(long version, long hlc, long atMillis, String action, String tenantId,
                         String nodeId, String actor, String details, ClusterConfig config) {

    /** Events kept in the metadata; older ones are dropped as new ones arrive. */
    public static final int EVENTS_MAX = 10_000;

    public static final String UPDATE_CONFIG = "update_config";

    /** The event's id: its version as text. */
    public String id() {
        return Long.toString(version);
    }

    /** Whether this event changed the configuration (and so carries it). */
    public boolean changesConfig() {
        return UPDATE_CONFIG.equals(action) && config != null;
    }
}
