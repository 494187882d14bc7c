package io.cairndb.client;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * One live key of a range query.
 *
 * @param key the key
 * @param value the value; a copy on the way in and on every access
 * @param vectorClock the version's clock, node id to counter, in the server's order
 */
public record KeyValue(String key, byte[] value, Map<String, Long> vectorClock) {

    public KeyValue {
        Objects.requireNonNull(key, "key");
        value = value.clone();
        vectorClock = VectorClocks.copy(vectorClock);
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    /** The value decoded as UTF-8; bytes that are not UTF-8 become U+FFFD. */
    public String valueAsString() {
        return new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof KeyValue that
                && key.equals(that.key)
                && Arrays.equals(value, that.value)
                && vectorClock.equals(that.vectorClock);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, Arrays.hashCode(value), vectorClock);
    }

    @Override
    public String toString() {
        return "KeyValue[key=" + key + ", value=" + value.length + " bytes, vectorClock="
                + vectorClock + "]";
    }
}
