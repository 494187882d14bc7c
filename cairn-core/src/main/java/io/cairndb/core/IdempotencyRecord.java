package io.cairndb.core;


/**
 * What a replica remembers of a write made with an idempotency key: a hash of the request, when the
 * record expires, and the answer the first request got (the clock and the write's identity).
 */
public record IdempotencyRecord(byte[] requestHash, long createdAtMillis, long expiresAtMillis,
                                VectorClock clock, long hlc, String coordinatorNodeId) {

    public boolean expired(long nowMillis) {
        return nowMillis >= expiresAtMillis;
    }
}
