package io.cairndb.client;

import io.cairndb.api.ErrorCode;
import io.grpc.Status;
import java.time.Duration;

/** Turns in-band refusals and gRPC failures into the client's typed exceptions. */
final class Errors {

    private Errors() {
    }

    /** The exception for a response with {@code success = false}. */
    static CairnException fromResponse(ErrorCode code, String message) {
        ErrorCode known = code == ErrorCode.UNRECOGNIZED ? ErrorCode.UNKNOWN : code;
        String text = message.isEmpty()
                ? "the server refused the request without a reason" : message;
        switch (known) {
            case INVALID_REQUEST:
                return new InvalidRequestException(text);
            case TENANT_NOT_FOUND:
                return new TenantNotFoundException(text);
            case TENANT_EXISTS:
                return new TenantExistsException(text);
            case KEY_NOT_FOUND:
                return new KeyNotFoundException(text);
            case QUORUM_NOT_REACHED:
                return new QuorumNotReachedException(text);
            case IDEMPOTENCY_KEY_CONFLICT:
                return new IdempotencyKeyConflictException(text);
            case INVALID_REPLICATION_FACTOR:
                return new InvalidReplicationFactorException(text);
            case NODE_IN_USE:
                return new NodeInUseException(text);
            case MIGRATION_NOT_FOUND:
                return new MigrationNotFoundException(text);
            default:
                return new CairnException(known, text);
        }
    }

    /**
     * The exception for a call that failed below the contract: the server was unreachable, too
     * slow, or answered with a gRPC status instead of a response.
     *
     * @param target where the client sends its calls, to name in the message
     * @param deadline the per-call deadline, to name in a timeout's message
     */
    static CairnException fromTransport(Throwable failure, String target, Duration deadline) {
        if (failure instanceof CairnException cairn) {
            return cairn;
        }
        Status status = Status.fromThrowable(failure);
        switch (status.getCode()) {
            case DEADLINE_EXCEEDED:
                return new CairnTimeoutException("CairnDB at " + target + " did not answer within "
                        + describe(deadline) + " (deadline exceeded)", failure);
            case UNAVAILABLE:
                return new CairnUnavailableException("cannot reach CairnDB at " + target + ": "
                        + reason(status), failure);
            case INVALID_ARGUMENT:
                // Streams refuse a bad request with a status: they have no in-band error fields.
                return new InvalidRequestException(reason(status));
            case UNAUTHENTICATED:
                return new CairnException(ErrorCode.UNAUTHORIZED, "CairnDB at " + target
                        + " refused the call as unauthenticated: " + reason(status), failure);
            case PERMISSION_DENIED:
                return new CairnException(ErrorCode.FORBIDDEN, "CairnDB at " + target
                        + " refused the call as forbidden: " + reason(status), failure);
            default:
                return new CairnException(ErrorCode.UNKNOWN, "call to CairnDB at " + target
                        + " failed: " + status.getCode() + ": " + reason(status), failure);
        }
    }

    /**
     * The most specific cause a user can read: the innermost cause's message (for example
     * "Connection refused"), else the status description.
     */
    private static String reason(Status status) {
        String innermost = null;
        for (Throwable cause = status.getCause(); cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
                innermost = cause.getMessage();
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        String text = innermost != null ? innermost : status.getDescription();
        if (text == null || text.isBlank()) {
            return status.getCode().toString();
        }
        // Netty wraps the reason in the failed system call and the address ("finishConnect(..)
        // failed with error(-111): Connection refused: /127.0.0.1:7070"); the message names the
        // target already, and the system call means nothing to a user.
        text = text.replaceFirst(": [^ ]*/[^ ]*:\\d+$", "");
        text = text.replaceFirst("^.*failed with error\\(-?\\d+\\): ", "");
        return text.lines().findFirst().orElse(text).strip();
    }

    static String describe(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }
}
