package io.cairndb.core;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The idempotency decision, whole: how a request is fingerprinted, how a replica tells a new
 * request from a retry of one it applied (a duplicate) or from another request under the same key
 * (a conflict), and what the client is told of a conflict. A coordinator makes the fingerprint, a
 * replica decides, and the coordinator's {@link WriteMachine} turns the replicas' decisions into
 * the answer; each step calls this class and nothing else decides.
 */
public final class Idempotency {

    /** What a replica makes of a mutation that carries an idempotency check. */
    public enum Decision {
        /** No live record under the key: apply the mutation and store a record of it. */
        NEW,
        /** A live record of the same request: write nothing, answer as the first time. */
        DUPLICATE,
        /** A live record of a different request: write nothing, refuse. */
        CONFLICT
    }

    private static final byte OP_PUT = 1;
    private static final byte OP_DELETE = 2;

    private Idempotency() {
    }

    /**
     * The fingerprint of a write of {@code value}, or of a delete when {@code value} is null: a
     * SHA-256 over the operation and the value, so a retry matches and any other request does not.
     */
    public static byte[] requestHash(byte[] value) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        digest.update(value == null ? OP_DELETE : OP_PUT);
        if (value != null) {
            digest.update(value);
        }
        return digest.digest();
    }

    /**
     * Decides a request against the record a replica holds for its key and idempotency key.
     *
     * @param existing the stored record, or null if there is none
     * @param request the incoming request's check
     */
    public static Decision decide(IdempotencyRecord existing, Mutation.IdempotencyRequest request) {
        if (existing == null || existing.expired(request.nowMillis())) {
            return Decision.NEW;
        }
        return Arrays.equals(existing.requestHash(), request.requestHash()) ? Decision.DUPLICATE
                : Decision.CONFLICT;
    }

    /** The record a replica stores beside a request it applied, answering with {@code stored}. */
    public static IdempotencyRecord record(Mutation.IdempotencyRequest request, Version stored) {
        return new IdempotencyRecord(request.requestHash(), request.nowMillis(),
                request.nowMillis() + request.ttlMillis(), stored.clock(), stored.hlc(),
                stored.coordinatorNodeId());
    }

    /**
     * Applies a mutation to one replica's state of its key: the idempotency decision first, then
     * the version merge. Pure: the caller stores {@link ApplyResult#stored()} when it differs from
     * what it held, and for an APPLIED mutation with a check, {@link #record} beside it.
     *
     * @param previous the version the replica holds, or null
     * @param existing the idempotency record it holds under the mutation's key, or null
     */
    public static ApplyResult apply(Version previous, IdempotencyRecord existing, Mutation mutation,
                                    VersionResolver resolver) {
        if (mutation.idempotency() != null) {
            Decision decision = decide(existing, mutation.idempotency());
            if (decision != Decision.NEW) {
                return new ApplyResult(decision == Decision.DUPLICATE
                        ? ApplyResult.Outcome.DUPLICATE : ApplyResult.Outcome.CONFLICT, null, null,
                        existing);
            }
        }
        return new ApplyResult(ApplyResult.Outcome.APPLIED,
                resolver.resolve(previous, mutation.version()), previous, null);
    }

    /** What a client is told when its idempotency key was used for another request. */
    public static CairnException conflict(String idempotencyKey, String what) {
        return new CairnException(ErrorCode.IDEMPOTENCY_KEY_CONFLICT, "idempotency_key '"
                + Validation.printable(idempotencyKey) + "' was already used for a different "
                + what + " of this key; use a new idempotency key");
    }
}
