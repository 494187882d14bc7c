package io.cairndb.client;

import java.util.Objects;

/**
 * What a node deleted when asked to clean up: the keys it held but no longer owns, left behind
 * by migrations that moved their ranges elsewhere.
 *
 * @param nodeId the node that answered, the one the client targets
 * @param keysDeleted how many keys it deleted
 */
public record CleanupResult(String nodeId, long keysDeleted) {

    public CleanupResult {
        Objects.requireNonNull(nodeId, "nodeId");
    }
}
