package io.cairndb.server.http;

import io.cairndb.api.ErrorCode;

/**
 * How a refusal of the client contract (seed 001 {@link ErrorCode}) is answered over HTTP: the
 * status and the envelope's {@code error.code} (seed 002's names where seed 002 has one). The
 * seed 001 name always travels too, in {@code error.details.errorCode}, so nothing is lost. The
 * README's table is this method, checked by a test.
 */
public final class HttpErrors {

    private HttpErrors() {
    }

    /** An HTTP status and the envelope code that goes with it. */
    public record Status(int http, String code) {
    }

    /** The HTTP answer to a refusal with {@code code}. */
    public static Status of(ErrorCode code) {
        return switch (code) {
            // The request was well formed but a value broke a rule (a tenant id's pattern, a
            // key's length, a consistency word): seed 002's VALIDATION_ERROR. Requests that
            // cannot be read at all (bad JSON, a number that is not one) never get this far and
            // are 400 INVALID_REQUEST.
            case INVALID_REQUEST, INVALID_REPLICATION_FACTOR -> new Status(422, "VALIDATION_ERROR");
            case TENANT_NOT_FOUND, KEY_NOT_FOUND, MIGRATION_NOT_FOUND ->
                    new Status(404, "NOT_FOUND");
            case TENANT_EXISTS, IDEMPOTENCY_KEY_CONFLICT, NODE_IN_USE -> new Status(409, "CONFLICT");
            case QUORUM_NOT_REACHED -> new Status(503, "QUORUM_NOT_REACHED");
            case UNAUTHORIZED -> new Status(401, "AUTHENTICATION_FAILED");
            case FORBIDDEN -> new Status(403, "PERMISSION_DENIED");
            case RATE_LIMIT_EXCEEDED -> new Status(429, "RATE_LIMIT_EXCEEDED");
            case INTERNAL_ERROR, UNKNOWN, UNRECOGNIZED -> new Status(500, "INTERNAL_ERROR");
        };
    }

    /** The envelope code of a refusal made by the HTTP layer itself, before any service ran. */
    public static String codeOfStatus(int http) {
        return switch (http) {
            case 400 -> "INVALID_REQUEST";
            case 404 -> "NOT_FOUND";
            case 405 -> "METHOD_NOT_ALLOWED";
            case 406 -> "NOT_ACCEPTABLE";
            case 408 -> "REQUEST_TIMEOUT";
            case 413 -> "PAYLOAD_TOO_LARGE";
            case 415 -> "UNSUPPORTED_MEDIA_TYPE";
            case 422 -> "VALIDATION_ERROR";
            case 503 -> "SERVICE_UNAVAILABLE";
            default -> http >= 500 ? "INTERNAL_ERROR" : "INVALID_REQUEST";
        };
    }
}
