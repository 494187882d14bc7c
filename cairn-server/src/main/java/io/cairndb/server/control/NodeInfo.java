package io.cairndb.server.control;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.cairndb.server.membership.NodeDirectory;
import java.util.Arrays;
import java.util.Objects;

/**
 * A storage node as the metadata holds it: where it listens, its status (the operator's word:
 * active, draining, inactive), and its ring tokens.
 *
 * @param raftAddress where its member of the control group listens ({@code host:port}); null
 *     for a node that joined without the control role (and in metadata written before nodes
 *     recorded it)
 */
public record NodeInfo(String nodeId, String host, int port, int peerPort, String status,
                       int virtualNodes, long[] tokens,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String raftAddress)
        implements NodeDirectory.Node {

    /** A node without the control role. */
    public NodeInfo(String nodeId, String host, int port, int peerPort, String status,
                    int virtualNodes, long[] tokens) {
        this(nodeId, host, port, peerPort, status, virtualNodes, tokens, null);
    }

    public static final String ACTIVE = "active";
    /** Its ranges are moving to other nodes; it owns them until they flip. */
    public static final String DRAINING = "draining";
    /** Left the ring: it owns no data. */
    public static final String INACTIVE = "inactive";
    /** Receiving its ranges; it owns none until they flip. */
    public static final String JOINING = "joining";
    /** Registered and waiting for an operator to add it (AddStorageNode); owns no data. */
    public static final String STANDBY = "standby";

    /** Whether the node owns ranges now: active, or draining until its data has moved. */
    public boolean ownsData() {
        return ACTIVE.equals(status) || DRAINING.equals(status);
    }

    /** The same node with another status. */
    public NodeInfo withStatus(String newStatus) {
        return new NodeInfo(nodeId, host, port, peerPort, newStatus, virtualNodes, tokens,
                raftAddress);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NodeInfo node && nodeId.equals(node.nodeId)
                && host.equals(node.host) && port == node.port && peerPort == node.peerPort
                && status.equals(node.status) && virtualNodes == node.virtualNodes
                && Arrays.equals(tokens, node.tokens)
                && Objects.equals(raftAddress, node.raftAddress);
    }

    @Override
    public int hashCode() {
        return nodeId.hashCode();
    }

    @Override
    public String toString() {
        return "NodeInfo{" + nodeId + " " + host + ":" + port + " " + status + " vnodes="
                + virtualNodes + "}";
    }
}
