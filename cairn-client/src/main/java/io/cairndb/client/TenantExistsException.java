package io.cairndb.client;

import io.cairndb.api.ErrorCode;

/** CreateTenant named a tenant that already exists ({@code TENANT_EXISTS}). */
public class TenantExistsException extends CairnException {

    private static final long serialVersionUID = 1L;

    public TenantExistsException(String message) {
        super(ErrorCode.TENANT_EXISTS, message);
    }
}
