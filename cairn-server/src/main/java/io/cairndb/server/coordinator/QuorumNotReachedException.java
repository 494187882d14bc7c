package io.cairndb.server.coordinator;

import io.cairndb.core.CairnException;
import io.cairndb.core.ErrorCode;

/** Fewer replicas answered than the consistency level needs; carries how many did. */
public final class QuorumNotReachedException extends CairnException {

    private static final long serialVersionUID = 1L;

    private final int acknowledged;

    public QuorumNotReachedException(String message, int acknowledged) {
        super(ErrorCode.QUORUM_NOT_REACHED, message);
        this.acknowledged = acknowledged;
    }

    public int acknowledged() {
        return acknowledged;
    }
}
