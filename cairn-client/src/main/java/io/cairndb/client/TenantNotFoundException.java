package io.cairndb.client;

import io.cairndb.api.ErrorCode;

/** The request named a tenant that does not exist ({@code TENANT_NOT_FOUND}). */
public class TenantNotFoundException extends CairnException {

    private static final long serialVersionUID = 1L;

    public TenantNotFoundException(String message) {
        super(ErrorCode.TENANT_NOT_FOUND, message);
    }
}
