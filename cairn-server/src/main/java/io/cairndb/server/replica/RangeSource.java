package io.cairndb.server.replica;

import io.cairndb.api.peer.FetchRangeRequest;
import io.cairndb.api.peer.FetchRangeResponse;
import java.util.concurrent.CompletableFuture;

/** Serves a migration's target the chunks of a range this node holds. */
public interface RangeSource {

    /**
     * One chunk of the requested range, or its size; completes exceptionally with
     * {@link IllegalArgumentException} for a request that names something invalid.
     */
    CompletableFuture<FetchRangeResponse> fetch(FetchRangeRequest request);
}
