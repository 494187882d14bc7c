package io.cairndb.server.coordinator;

/**
 * Settings of the request path.
 *
 * @param requestTimeoutMillis how long a request waits for its replicas before it fails with
 *     QUORUM_NOT_REACHED
 * @param idempotencyTtlMillis how long a replica remembers an idempotency key
 */
public record CoordinatorSettings(long requestTimeoutMillis, long idempotencyTtlMillis) {

    public static final CoordinatorSettings DEFAULTS =
            new CoordinatorSettings(10_000, 24L * 60 * 60 * 1000);

    public CoordinatorSettings {
        if (requestTimeoutMillis <= 0 || idempotencyTtlMillis <= 0) {
            throw new IllegalArgumentException("request timeout and idempotency TTL must be "
                    + "positive");
        }
    }
}
