package io.cairndb.server.control;

import com.fasterxml.jackson.annotation.JsonInclude;
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
    @JsonSubTypes.Type(value = MetadataCommand.UpdateConfig.class, name = "update_config"),
    @JsonSubTypes.Type(value = MetadataCommand.AddNode.class, name = "add_node"),
    @JsonSubTypes.Type(value = MetadataCommand.RemoveNode.class, name = "remove_node"),
    @JsonSubTypes.Type(value = MetadataCommand.ReportMigration.class, name = "report_migration"),
    @JsonSubTypes.Type(value = MetadataCommand.CancelMigration.class, name = "cancel_migration"),
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
     * known, updates where it listens. {@code raftAddress} is where its control member listens,
     * null for a node without the control role.
     */
    record RegisterNode(String nodeId, String host, int port, int peerPort, int virtualNodes,
                        @JsonInclude(JsonInclude.Include.NON_NULL) String raftAddress,
                        @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean standby)
            implements MetadataCommand {

        /** A node without the control role. */
        public RegisterNode(String nodeId, String host, int port, int peerPort, int virtualNodes) {
            this(nodeId, host, port, peerPort, virtualNodes, null, false);
        }

        /** A node that joins as soon as it registers. */
        public RegisterNode(String nodeId, String host, int port, int peerPort, int virtualNodes,
                            String raftAddress) {
            this(nodeId, host, port, peerPort, virtualNodes, raftAddress, false);
        }

        /** Whether {@code known} already records this node as the command would. */
        public boolean isRecordedIn(NodeInfo known) {
            return known != null && known.host().equals(host) && known.port() == port
                    && known.peerPort() == peerPort
                    && java.util.Objects.equals(known.raftAddress(), raftAddress);
        }
    }

    /**
     * Changes the cluster configuration. Partial: a null field keeps its current value. The
     * result must keep every rule of {@link ClusterConfig#problem()}, or nothing changes.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record UpdateConfig(Integer replicationFactorDefault, String readConsistencyDefault,
                        String writeConsistencyDefault, String compactionPolicy,
                        Integer virtualNodesDefault) implements MetadataCommand {

        /** The configuration after this change is made to {@code current}. */
        public ClusterConfig applyTo(ClusterConfig current) {
            return new ClusterConfig(
                    replicationFactorDefault != null ? replicationFactorDefault
                            : current.replicationFactorDefault(),
                    readConsistencyDefault != null ? readConsistencyDefault
                            : current.readConsistencyDefault(),
                    writeConsistencyDefault != null ? writeConsistencyDefault
                            : current.writeConsistencyDefault(),
                    virtualNodesDefault != null ? virtualNodesDefault
                            : current.virtualNodesDefault(),
                    compactionPolicy != null ? compactionPolicy : current.compactionPolicy());
        }

        /**
         * The first rule a field this change names breaks, as a sentence naming the field, or
         * null. Fields it leaves out are not checked.
         */
        public String problem() {
            // The defaults keep every rule, so whatever breaks one came from this change.
            return applyTo(ClusterConfig.DEFAULTS).problem();
        }

        /** Whether the change names no field at all. */
        public boolean namesNoField() {
            return replicationFactorDefault == null && readConsistencyDefault == null
                    && writeConsistencyDefault == null && compactionPolicy == null
                    && virtualNodesDefault == null;
        }
    }

    /**
     * Adds a registered node to the ring (AddStorageNode): it turns joining, and a
     * {@code node_addition} migration streams its ranges to it. {@code host} and {@code port}
     * must be where it registered.
     */
    record AddNode(String nodeId, String host, int port, long atMillis)
            implements MetadataCommand {
    }

    /**
     * Removes a node from the ring (RemoveStorageNode): it turns draining while its ranges stream
     * to their new owners, then inactive. With {@code force} the node is gone for good and is
     * never a source: its ranges are copied from the other replicas.
     */
    record RemoveNode(String nodeId, boolean force, long atMillis) implements MetadataCommand {
    }

    /**
     * A target's progress in a migration: figures that only grow, and the tasks it has finished.
     * The report that finishes the last task flips the migration.
     */
    record ReportMigration(String migrationId, String target, long keysMoved, long bytesMoved,
                           long totalKeys, long totalBytes, java.util.List<Integer> doneTasks,
                           long atMillis) implements MetadataCommand {

        public ReportMigration {
            doneTasks = doneTasks == null ? java.util.List.of() : java.util.List.copyOf(doneTasks);
        }
    }

    /**
     * Cancels a migration: a waiting one is dropped; a running one stops, and its ranges stay
     * with their old owners, which kept every write meanwhile.
     */
    record CancelMigration(String migrationId, String reason, long atMillis)
            implements MetadataCommand {
    }
}
