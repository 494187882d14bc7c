package io.cairndb.client;

import io.cairndb.api.ErrorCode;

/** The replication factor is out of range for the cluster ({@code INVALID_REPLICATION_FACTOR}). */
public class InvalidReplicationFactorException extends CairnException {

    private static final long serialVersionUID = 1L;

    public InvalidReplicationFactorException(String message) {
        super(ErrorCode.INVALID_REPLICATION_FACTOR, message);
    }
}
