package io.cairndb.server.replica;

import io.cairndb.api.peer.FetchRangeRequest;
import io.cairndb.api.peer.FetchRangeResponse;
import io.cairndb.api.peer.HeartbeatRequest;
import io.cairndb.api.peer.HeartbeatResponse;
import io.cairndb.api.peer.StatsResponse;
import java.util.concurrent.CompletableFuture;

/**
 * This node's connection to one peer: the peer's replica, and the calls membership and
 * migrations make to it. Every answer completes its future on the transport's thread.
 */
public interface PeerLink {

    /** The peer's replica, over this link. */
    Replica replica();

    /** One heartbeat, answered within {@code deadlineMillis} or failed. */
    CompletableFuture<HeartbeatResponse> heartbeat(HeartbeatRequest request, long deadlineMillis);

    /** The peer's keys, disk usage and pending hints. */
    CompletableFuture<StatsResponse> stats();

    /** One page of a range the peer holds, for a migration. */
    CompletableFuture<FetchRangeResponse> fetchRange(FetchRangeRequest request);

    /** Lets calls in flight finish, then closes: the peer moved to another address. */
    void close();

    /** Closes at once, failing calls in flight: this node is stopping. */
    void closeNow();
}
