package io.cairndb.client;

import io.cairndb.api.ErrorCode;

/**
 * The server could not be reached or refused the connection (gRPC {@code UNAVAILABLE}). Whether a
 * write was applied is unknown; retrying with the same idempotency key is safe.
 */
public class CairnUnavailableException extends CairnException {

    private static final long serialVersionUID = 1L;

    public CairnUnavailableException(String message, Throwable cause) {
        super(ErrorCode.UNKNOWN, message, cause);
    }
}
