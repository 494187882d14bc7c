package io.cairndb.client;

import io.cairndb.api.ErrorCode;

/**
 * The node cannot be added or removed as asked: it is already a member, the only one left, or
 * still holds replicas ({@code NODE_IN_USE}).
 */
public class NodeInUseException extends CairnException {

    private static final long serialVersionUID = 1L;

    public NodeInUseException(String message) {
        super(ErrorCode.NODE_IN_USE, message);
    }
}
