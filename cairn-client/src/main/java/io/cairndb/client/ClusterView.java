package io.cairndb.client;

import java.util.List;
import java.util.Objects;

/**
 * The storage nodes of the cluster as its metadata lists them, with the answering node's opinion
 * of which are up.
 *
 * @param version the metadata index the view was read at
 * @param nodes the storage nodes, by id
 */
public record ClusterView(long version, List<Node> nodes) {

    public ClusterView {
        nodes = List.copyOf(nodes);
    }

    /**
     * One storage node.
     *
     * @param nodeId the node's id
     * @param host where it serves
     * @param port its client port
     * @param peerPort its port for other nodes
     * @param status {@code active}, {@code draining} or {@code inactive}
     * @param virtualNodes its ring tokens
     * @param alive whether the answering node's failure detector believes it is up
     */
    public record Node(String nodeId, String host, int port, int peerPort, String status,
            int virtualNodes, boolean alive) {

        public Node {
            Objects.requireNonNull(nodeId, "nodeId");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(status, "status");
        }
    }
}
