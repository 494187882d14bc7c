package io.cairndb.client;

import io.cairndb.api.ErrorCode;
import java.util.Objects;

/**
 * A failed CairnDB call. Domain errors the server reports in-band ({@code success = false}) carry
 * the server's {@link ErrorCode}; the well-known codes have their own subclasses so callers can
 * catch exactly what they handle. Transport failures are {@link CairnUnavailableException} and
 * {@link CairnTimeoutException}, whose code is {@link ErrorCode#UNKNOWN}.
 *
 * <p>The message is one line a user can act on; it never carries a stack trace.
 */
public class CairnException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public CairnException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public CairnException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** The contract's error code; {@link ErrorCode#UNKNOWN} for transport failures. */
    public ErrorCode code() {
        return code;
    }
}
