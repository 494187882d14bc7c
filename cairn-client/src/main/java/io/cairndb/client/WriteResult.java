package io.cairndb.client;

import java.util.Map;
import java.util.Objects;

/**
 * The answer to a write or a delete (a delete writes a tombstone).
 *
 * @param key the key written
 * @param idempotencyKey the idempotency key the server recorded: the caller's, or one it generated
 * @param vectorClock the new version's clock, node id to counter, in the server's order
 * @param replicaCount how many replicas acknowledged before the server answered
 * @param consistency the level the write was served at, as the server names it
 * @param duplicate true when the server recognised a retry and returned the first answer
 */
public record WriteResult(
        String key,
        String idempotencyKey,
        Map<String, Long> vectorClock,
        int replicaCount,
        String consistency,
        boolean duplicate) {

    public WriteResult {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        vectorClock = VectorClocks.copy(vectorClock);
        Objects.requireNonNull(consistency, "consistency");
    }
}
