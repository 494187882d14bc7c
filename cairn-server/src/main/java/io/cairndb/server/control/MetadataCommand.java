package io.cairndb.server.control;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * A change to the cluster metadata, as it is written to the metadata log. Commands carry every
 * input their effect depends on (times included), so applying the same log gives the same state on
 * every member.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = MetadataCommand.CreateTenant.class, name = "create_tenant"),
    @JsonSubTypes.Type(value = MetadataCommand.UpdateReplicationFactor.class,
            name = "update_replication_factor"),
    @JsonSubTypes.Type(value = MetadataCommand.RegisterNode.class, name = "register_node"),
})
public sealed interface MetadataCommand {

    /** Creates a tenant; {@code replicationFactor} 0 means the cluster default. */
    record CreateTenant(String tenantId, int replicationFactor, long atSeconds)
            implements MetadataCommand {
    }

    record UpdateReplicationFactor(String tenantId, int replicationFactor, long atSeconds)
            implements MetadataCommand {
    }

    /**
     * Adds a storage node (tokens are chosen when the command is applied) or, for a node already
     * known, updates where it listens.
     */
    record RegisterNode(String nodeId, String host, int port, int peerPort, int virtualNodes)
            implements MetadataCommand {
    }
}
