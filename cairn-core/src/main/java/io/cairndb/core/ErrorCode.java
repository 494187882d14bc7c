package io.cairndb.core;

/**
 * The error codes of the client contract, mirrored one to one (same names, same numbers) so that
 * pure logic can name an error without depending on generated code.
 */
public enum ErrorCode {
    UNKNOWN(0),
    INVALID_REQUEST(1),
    TENANT_NOT_FOUND(2),
    TENANT_EXISTS(3),
    KEY_NOT_FOUND(4),
    QUORUM_NOT_REACHED(5),
    IDEMPOTENCY_KEY_CONFLICT(6),
    INVALID_REPLICATION_FACTOR(7),
    NODE_IN_USE(8),
    MIGRATION_NOT_FOUND(9),
    UNAUTHORIZED(10),
    FORBIDDEN(11),
    RATE_LIMIT_EXCEEDED(12),
    INTERNAL_ERROR(13);

    private final int number;

    ErrorCode(int number) {
        this.number = number;
    }

    /** The wire number of this code. */
    public int number() {
        return number;
    }
}
