package io.cairndb.storage;

/** A stored record failed its checksum or could not be decoded. Never returned as data. */
public final class StorageCorruptionException extends StorageException {

    private static final long serialVersionUID = 1L;

    public StorageCorruptionException(String message) {
        super(message);
    }

    public StorageCorruptionException(String message, Throwable cause) {
        super(message, cause);
    }
}
