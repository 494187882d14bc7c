package io.cairndb.server.coordinator;

/**
 * Settings of the request path.
 *
 * @param requestTimeoutMillis how long a request waits for its replicas before it fails with
 *     QUORUM_NOT_REACHED
 * @param idempotencyTtlMillis how long a replica remembers an idempotency key
 * @param readRepairChance the share of reads at "one" and "quorum" that ask every live replica
 *     instead of just enough, so that stale replicas are found and repaired
 * @param hintWindowMillis how long a hint for a down replica is kept
 * @param hintsPerNodeMax most hints kept for one replica
 */
public record CoordinatorSettings(long requestTimeoutMillis, long idempotencyTtlMillis,
                                  double readRepairChance, long hintWindowMillis,
                                  long hintsPerNodeMax) {

    public static final CoordinatorSettings DEFAULTS = new CoordinatorSettings(5_000,
            24L * 60 * 60 * 1000, 0.1, 3L * 60 * 60 * 1000, 1_000_000);

    public CoordinatorSettings {
        if (requestTimeoutMillis <= 0 || idempotencyTtlMillis <= 0 || hintWindowMillis <= 0
                || hintsPerNodeMax < 0) {
            throw new IllegalArgumentException("requests.requestTimeoutMillis, "
                    + "idempotencyTtlMillis and hintWindowMillis must be positive");
        }
        if (readRepairChance < 0 || readRepairChance > 1) {
            throw new IllegalArgumentException("requests.readRepairChance must be between 0 and 1, "
                    + "was " + readRepairChance);
        }
    }
}
