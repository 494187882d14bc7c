package io.cairndb.storage;

/** The storage engine could not do what was asked: a disk error, corruption, or a closed engine. */
public class StorageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
