package io.cairndb.client;

import io.cairndb.api.ErrorCode;

/**
 * The idempotency key was used before for a different value of the same key ({@code
 * IDEMPOTENCY_KEY_CONFLICT}); nothing was written.
 */
public class IdempotencyKeyConflictException extends CairnException {

    private static final long serialVersionUID = 1L;

    public IdempotencyKeyConflictException(String message) {
        super(ErrorCode.IDEMPOTENCY_KEY_CONFLICT, message);
    }
}
