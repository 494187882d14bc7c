package io.cairndb.server.membership;

import io.cairndb.api.peer.StatsResponse;
import io.cairndb.server.replica.Replica;
import io.cairndb.server.replica.ReplicaRouter;
import io.cairndb.core.Mutation;
import java.util.concurrent.CompletableFuture;

/** Routes a coordinator's replica calls through membership, and its hints to hinted handoff. */
public final class ClusterRouter implements ReplicaRouter {

    private final Membership membership;
    private final HintedHandoff hints;

    public ClusterRouter(Membership membership, HintedHandoff hints) {
        this.membership = membership;
        this.hints = hints;
    }

    @Override
    public String selfNodeId() {
        return membership.selfNodeId();
    }

    @Override
    public Replica replica(String nodeId) {
        return membership.replica(nodeId);
    }

    @Override
    public boolean isAlive(String nodeId) {
        return membership.isAlive(nodeId);
    }

    @Override
    public java.util.Map<String, Long> clockOffsets() {
        return membership.clockOffsets();
    }

    @Override
    public String writeRefusal() {
        return membership.clockVerdict().reason();
    }

    @Override
    public void storeHint(String nodeId, Mutation mutation) {
        if (!nodeId.equals(membership.selfNodeId())) {
            hints.store(nodeId, mutation);
        }
    }

    @Override
    public CompletableFuture<StatsResponse> stats(String nodeId) {
        return membership.stats(nodeId);
    }
}
