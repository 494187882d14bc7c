package io.cairndb.server.replica;

import io.cairndb.core.Mutation;
import java.util.concurrent.CompletableFuture;

/**
 * How a coordinator reaches replicas: the replica on a node (in-process for this node, over the
 * peer protocol for others), whether the node is believed up, and where to keep a hint for it.
 */
public interface ReplicaRouter {

    /** This node's id. */
    String selfNodeId();

    Replica replica(String nodeId);

    /** Whether the failure detector believes {@code nodeId} is up; this node always is. */
    boolean isAlive(String nodeId);

    /** Keeps {@code mutation} for delivery to {@code nodeId} once it is seen alive again. */
    void storeHint(String nodeId, Mutation mutation);

    /**
     * Why this node must not coordinate writes now (its clock is too far from the cluster's),
     * or null when it may.
     */
    default String writeRefusal() {
        return null;
    }

    /** Each peer's clock minus this node's, in milliseconds, for the peers measured so far. */
    default java.util.Map<String, Long> clockOffsets() {
        return java.util.Map.of();
    }

    /** Keys, disk usage and pending hints of a node, as it reports them. */
    CompletableFuture<io.cairndb.api.peer.StatsResponse> stats(String nodeId);
}
