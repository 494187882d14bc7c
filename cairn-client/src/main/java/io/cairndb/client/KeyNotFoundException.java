package io.cairndb.client;

import io.cairndb.api.ErrorCode;

/** A read found no live value for the key ({@code KEY_NOT_FOUND}). */
public class KeyNotFoundException extends CairnException {

    private static final long serialVersionUID = 1L;

    public KeyNotFoundException(String message) {
        super(ErrorCode.KEY_NOT_FOUND, message);
    }
}
