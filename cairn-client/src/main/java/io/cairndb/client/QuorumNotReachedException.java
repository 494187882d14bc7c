package io.cairndb.client;

import io.cairndb.api.ErrorCode;

/**
 * Too few replicas answered in time for the requested consistency ({@code QUORUM_NOT_REACHED}); a
 * write may still have been applied on some replicas.
 */
public class QuorumNotReachedException extends CairnException {

    private static final long serialVersionUID = 1L;

    public QuorumNotReachedException(String message) {
        super(ErrorCode.QUORUM_NOT_REACHED, message);
    }
}
