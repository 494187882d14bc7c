package io.cairndb.core;

import java.util.Objects;

/**
 * An operating error with a contract {@link ErrorCode}: bad input, a missing tenant, an unreachable
 * quorum. Its message names what was wrong and is shown to clients as it is, so it never carries a
 * stack trace or internal detail a user cannot act on.
 */
public class CairnException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public CairnException(ErrorCode code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    public CairnException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    public ErrorCode code() {
        return code;
    }

    public static CairnException invalid(String message) {
        return new CairnException(ErrorCode.INVALID_REQUEST, message);
    }
}
