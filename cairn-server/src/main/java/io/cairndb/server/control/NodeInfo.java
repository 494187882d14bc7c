package io.cairndb.server.control;

import java.util.Arrays;

/**
 * A storage node as the metadata holds it: where it listens, its status (the operator's word:
 * active, draining, inactive), and its ring tokens.
 */
public record NodeInfo(String nodeId, String host, int port, int peerPort, String status,
                       int virtualNodes, long[] tokens) {

    public static final String ACTIVE = "active";
    public static final String DRAINING = "draining";
    public static final String INACTIVE = "inactive";

    @Override
    public boolean equals(Object other) {
        return other instanceof NodeInfo node && nodeId.equals(node.nodeId)
                && host.equals(node.host) && port == node.port && peerPort == node.peerPort
                && status.equals(node.status) && virtualNodes == node.virtualNodes
                && Arrays.equals(tokens, node.tokens);
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
