package io.cairndb.client;

import java.util.Objects;

/**
 * A storage node as the cluster lists it.
 *
 * @param nodeId the node's id
 * @param host the address it serves on
 * @param port the port it serves on
 * @param status {@code "active"}, {@code "draining"} or {@code "inactive"}
 * @param virtualNodes how many ring tokens it owns, a capacity weight
 * @param keyCount how many keys it holds
 * @param diskUsagePercent how full its disk is, from 0 to 100
 * @param alive whether the answering node's failure detector believes this node is up
 * @param hintsPending writes this node holds for replicas that were down
 * @param clockOffsetMillis this node's clock minus the answering node's, in milliseconds, as
 *     heartbeats measure it; null while not measured
 */
public record StorageNode(
        String nodeId,
        String host,
        int port,
        String status,
        int virtualNodes,
        long keyCount,
        double diskUsagePercent,
        boolean alive,
        long hintsPending,
        Long clockOffsetMillis) {

    /** A node whose clock offset is not known. */
    public StorageNode(String nodeId, String host, int port, String status, int virtualNodes,
                       long keyCount, double diskUsagePercent, boolean alive, long hintsPending) {
        this(nodeId, host, port, status, virtualNodes, keyCount, diskUsagePercent, alive,
                hintsPending, null);
    }

    public StorageNode {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(status, "status");
    }
}
