package io.cairndb.client;

import io.cairndb.api.ErrorCode;

/** The server refused the request as malformed or over a limit ({@code INVALID_REQUEST}). */
public class InvalidRequestException extends CairnException {

    private static final long serialVersionUID = 1L;

    public InvalidRequestException(String message) {
        super(ErrorCode.INVALID_REQUEST, message);
    }
}
