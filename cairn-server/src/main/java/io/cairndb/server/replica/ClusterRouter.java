package io.cairndb.server.replica;

import io.cairndb.api.peer.StatsResponse;
import io.cairndb.core.Mutation;
import java.util.concurrent.CompletableFuture;

/** Routes a coordinator's replica calls to this node's peers, and its hints to hinted handoff. */
public final class ClusterRouter implements ReplicaRouter {

    private final Peers peers;
    private final HintedHandoff hints;

    public ClusterRouter(Peers peers, HintedHandoff hints) {
        this.peers = peers;
        this.hints = hints;
    }

    @Override
    public String selfNodeId() {
        return peers.selfNodeId();
    }

    @Override
    public Replica replica(String nodeId) {
        return peers.replica(nodeId);
    }

    @Override
    public boolean isAlive(String nodeId) {
        return peers.isAlive(nodeId);
    }

    @Override
    public java.util.Map<String, Long> clockOffsets() {
        return peers.clockOffsets();
    }

    @Override
    public String writeRefusal() {
        return peers.clockVerdict().reason();
    }

    @Override
    public void storeHint(String nodeId, Mutation mutation) {
        if (!nodeId.equals(peers.selfNodeId())) {
            hints.store(nodeId, mutation);
        }
    }

    @Override
    public CompletableFuture<StatsResponse> stats(String nodeId) {
        return peers.stats(nodeId);
    }
}
