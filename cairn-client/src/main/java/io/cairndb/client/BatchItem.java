package io.cairndb.client;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One write or delete of a batch. Build with {@link #put} or {@link #delete}.
 *
 * @param key the key
 * @param value the value to write; empty for a delete; a copy on the way in and on every access
 * @param delete true to write a tombstone instead of a value
 * @param idempotencyKey the caller's idempotency key, or null to let the server generate one
 */
public record BatchItem(String key, byte[] value, boolean delete, String idempotencyKey) {

    public BatchItem {
        Objects.requireNonNull(key, "key");
        value = value == null ? new byte[0] : value.clone();
        if (delete && value.length > 0) {
            throw new IllegalArgumentException("a delete of key '" + key + "' carries a value of "
                    + value.length + " bytes; a delete must carry none");
        }
    }

    public static BatchItem put(String key, byte[] value) {
        return new BatchItem(key, Objects.requireNonNull(value, "value"), false, null);
    }

    public static BatchItem put(String key, String value) {
        return put(key, value.getBytes(StandardCharsets.UTF_8));
    }

    public static BatchItem put(String key, byte[] value, String idempotencyKey) {
        return new BatchItem(key, Objects.requireNonNull(value, "value"), false, idempotencyKey);
    }

    public static BatchItem delete(String key) {
        return new BatchItem(key, null, true, null);
    }

    public static BatchItem delete(String key, String idempotencyKey) {
        return new BatchItem(key, null, true, idempotencyKey);
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof BatchItem that
                && key.equals(that.key)
                && Arrays.equals(value, that.value)
                && delete == that.delete
                && Objects.equals(idempotencyKey, that.idempotencyKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, Arrays.hashCode(value), delete, idempotencyKey);
    }

    @Override
    public String toString() {
        return "BatchItem[key=" + key + (delete ? ", delete" : ", value=" + value.length + " bytes")
                + ", idempotencyKey=" + idempotencyKey + "]";
    }
}
