package io.cairndb.core;

/**
 * What a replica remembers of a write made with an idempotency key: a hash of the request, when the
 * record expires, the answer the first request got ({@code clock}, of what the replica held after
 * applying it), and the first request's own stamp ({@code hlc} and {@code coordinatorNodeId}).
 * Records written before the stamp was kept hold the stored version's instead, which reads as a
 * first attempt that came out newest.
 */
public record IdempotencyRecord(byte[] requestHash, long createdAtMillis, long expiresAtMillis,
                                VectorClock clock, long hlc, String coordinatorNodeId) {

    public boolean expired(long nowMillis) {
        return nowMillis >= expiresAtMillis;
    }
}
