package io.cairndb.client;

import io.cairndb.api.ErrorCode;

/**
 * The call's deadline passed before the server answered (gRPC {@code DEADLINE_EXCEEDED}). Whether
 * a write was applied is unknown; retrying with the same idempotency key is safe.
 */
public class CairnTimeoutException extends CairnException {

    private static final long serialVersionUID = 1L;

    public CairnTimeoutException(String message, Throwable cause) {
        super(ErrorCode.UNKNOWN, message, cause);
    }
}
