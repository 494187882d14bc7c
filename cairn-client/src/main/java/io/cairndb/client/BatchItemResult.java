package io.cairndb.client;

import io.cairndb.api.ErrorCode;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of one item of a batch, which succeeds or fails on its own.
 *
 * @param key the item's key
 * @param success whether the item was written at the requested consistency
 * @param idempotencyKey the idempotency key the server recorded for the item
 * @param vectorClock the new version's clock; empty when the item failed
 * @param replicaCount how many replicas acknowledged the item
 * @param duplicate true when the server recognised the item as a retry
 * @param errorCode why the item failed; {@link ErrorCode#UNKNOWN} when it succeeded
 * @param errorMessage why the item failed; empty when it succeeded
 */
public record BatchItemResult(
        String key,
        boolean success,
        String idempotencyKey,
        Map<String, Long> vectorClock,
        int replicaCount,
        boolean duplicate,
        ErrorCode errorCode,
        String errorMessage) {

    public BatchItemResult {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        vectorClock = VectorClocks.copy(vectorClock);
        Objects.requireNonNull(errorCode, "errorCode");
        Objects.requireNonNull(errorMessage, "errorMessage");
    }

    /**
     * The failure as the exception the single-key call would have thrown.
     *
     * @throws IllegalStateException when the item succeeded
     */
    public CairnException error() {
        if (success) {
            throw new IllegalStateException("batch item '" + key + "' succeeded; it has no error");
        }
        return Errors.fromResponse(errorCode, errorMessage);
    }
}
