package io.cairndb.server.http;

import java.util.Map;

/**
 * A request the HTTP layer refuses before any service sees it (its body is not JSON, a
 * parameter is not a number, ...): the status, the envelope code, a message naming what was
 * wrong, and details (field names to values) for programs.
 */
final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final transient Map<String, String> details;

    ApiException(int status, String message, Map<String, String> details) {
        super(message, null, false, false);
        this.status = status;
        this.code = HttpErrors.codeOfStatus(status);
        this.details = details;
    }

    /** A 400 INVALID_REQUEST naming {@code field}. */
    static ApiException invalid(String field, String message) {
        return new ApiException(400, message, Map.of("field", field));
    }

    /** A client's text, cut short for a message. */
    static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    Map<String, String> details() {
        return details;
    }
}
