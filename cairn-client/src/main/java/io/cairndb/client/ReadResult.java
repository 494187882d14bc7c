package io.cairndb.client;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * The answer to a read: the winning version among the replicas asked.
 *
 * @param key the key read
 * @param value the value; a copy on the way in and on every access
 * @param vectorClock the version's clock, node id to counter, in the server's order
 * @param replicaCount how many replicas' answers the read was resolved from (0 if the server does
 *     not say)
 * @param consistency the level the read was served at, as the server names it ("" if it does not
 *     say)
 */
public record ReadResult(
        String key,
        byte[] value,
        Map<String, Long> vectorClock,
        int replicaCount,
        String consistency) {

    public ReadResult {
        Objects.requireNonNull(key, "key");
        value = value.clone();
        vectorClock = VectorClocks.copy(vectorClock);
        Objects.requireNonNull(consistency, "consistency");
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
        return other instanceof ReadResult that
                && key.equals(that.key)
                && Arrays.equals(value, that.value)
                && vectorClock.equals(that.vectorClock)
                && replicaCount == that.replicaCount
                && consistency.equals(that.consistency);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, Arrays.hashCode(value), vectorClock, replicaCount, consistency);
    }

    @Override
    public String toString() {
        return "ReadResult[key=" + key + ", value=" + value.length + " bytes, vectorClock="
                + vectorClock + ", replicaCount=" + replicaCount + ", consistency=" + consistency
                + "]";
    }
}
