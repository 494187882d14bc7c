package io.cairndb.client;

import io.cairndb.api.ErrorCode;

/** The request named a migration the cluster does not know ({@code MIGRATION_NOT_FOUND}). */
public class MigrationNotFoundException extends CairnException {

    private static final long serialVersionUID = 1L;

    public MigrationNotFoundException(String message) {
        super(ErrorCode.MIGRATION_NOT_FOUND, message);
    }
}
