package io.cairndb.server.replica;

import io.cairndb.api.peer.StatsResponse;
import io.cairndb.core.ClockOffsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * This node's peers as the data plane needs them: a replica handle per node, whether the
 * failure detector believes a node is up, and how far the peers' clocks are from this node's.
 * Membership implements it; the data plane reads it without depending on membership.
 */
public interface Peers {

    /** This node's id. */
    String selfNodeId();

    /** The replica on {@code nodeId}: in-process for this node, over the peer protocol else. */
    Replica replica(String nodeId);

    /** Whether the failure detector believes {@code nodeId} is up; this node always is. */
    boolean isAlive(String nodeId);

    /** Each peer's clock minus this node's, in milliseconds, for the peers measured so far. */
    Map<String, Long> clockOffsets();

    /** Whether this node's clock is close enough to the cluster's to coordinate writes. */
    ClockOffsets.Verdict clockVerdict();

    /** Keys, disk usage and pending hints of a node, as it reports them. */
    CompletableFuture<StatsResponse> stats(String nodeId);
}
