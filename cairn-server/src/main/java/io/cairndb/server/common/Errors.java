package io.cairndb.server.common;

import io.cairndb.core.CairnException;
import io.cairndb.core.ErrorCode;
import io.cairndb.core.Failures;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one mapping of failures to domain errors that every front shares (client gRPC, admin gRPC,
 * REST). Unexpected failures are logged with a reference and answered as INTERNAL_ERROR without a
 * stack trace.
 */
public final class Errors {

    private static final Logger LOG = LoggerFactory.getLogger(Errors.class);

    private Errors() {
    }

    /** The {@link CairnException} behind a failure, or INTERNAL_ERROR for anything unexpected. */
    public static CairnException unwrap(Throwable error) {
        Throwable cause = Failures.cause(error);
        if (cause instanceof CairnException cairn) {
            return cairn;
        }
        String reference = UUID.randomUUID().toString().substring(0, 8);
        LOG.error("internal error, reference {}", reference, cause);
        return new CairnException(ErrorCode.INTERNAL_ERROR, "internal error (reference "
                + reference + " in the server log): " + cause.getClass().getSimpleName());
    }
}
