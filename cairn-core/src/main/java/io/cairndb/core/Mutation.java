package io.cairndb.core;

import java.util.Objects;

/**
 * One change to one key: a version to merge into what is stored, and optionally the idempotency
 * check that guards it. The engine applies it atomically: the merged version, the key-order index
 * entry and the idempotency record land in one write batch or not at all.
 *
 * @param tenantId the tenant
 * @param key the key's bytes
 * @param token the key's token ({@link Tokens#token})
 * @param version the incoming version (a write or a tombstone)
 * @param idempotency the idempotency check, or null for none
 */
public record Mutation(String tenantId, byte[] key, long token, Version version,
                       IdempotencyRequest idempotency) {

    public Mutation {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(version, "version");
    }

    /**
     * An idempotency check: if a live record exists for this key under {@code idempotencyKey}, the
     * mutation is a duplicate (same {@code requestHash}) or a conflict (different hash) and writes
     * nothing; otherwise the mutation is applied and the record is stored with it.
     *
     * @param generated the coordinator made {@code idempotencyKey} up for this request (a random
     *     UUID), so no record can exist for it yet: the engine stores the record without looking
     *     for one. A sender that is not sure (a client's key, a replayed hint) leaves it false.
     */
    public record IdempotencyRequest(String idempotencyKey, byte[] requestHash, long nowMillis,
                                     long ttlMillis, boolean generated) {

        public IdempotencyRequest {
            Objects.requireNonNull(idempotencyKey, "idempotencyKey");
            Objects.requireNonNull(requestHash, "requestHash");
            if (ttlMillis <= 0) {
                throw new IllegalArgumentException("ttlMillis must be positive, was " + ttlMillis);
            }
        }

        /** A check of a key the caller did not make up, so the engine looks for its record. */
        public IdempotencyRequest(String idempotencyKey, byte[] requestHash, long nowMillis,
                                  long ttlMillis) {
            this(idempotencyKey, requestHash, nowMillis, ttlMillis, false);
        }
    }
}
