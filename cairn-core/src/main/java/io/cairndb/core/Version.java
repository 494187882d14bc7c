package io.cairndb.core;

import java.util.Arrays;
import java.util.Objects;

/**
 * One stored version of a key: a value or a tombstone, the vector clock of its history, and the
 * identity of the write that produced its value (the coordinator's hybrid-clock reading and node
 * id). {@code value} is null exactly for a tombstone.
 *
 * <p>Invariant kept by the write path: the write's own clock entry is {@code (coordinatorNodeId,
 * hlc)}, so {@code hlc} is the clock's greatest counter. Treat {@code value} as read-only.
 */
public record Version(byte[] value, VectorClock clock, long hlc, String coordinatorNodeId) {

    public Version {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(coordinatorNodeId, "coordinatorNodeId");
    }

    /** The version a coordinator writes: its clock has the one entry {@code (node, hlc)}. */
    public static Version write(byte[] value, String coordinatorNodeId, long hlc) {
        return new Version(Objects.requireNonNull(value, "value"),
                VectorClock.of(coordinatorNodeId, hlc), hlc, coordinatorNodeId);
    }

    /** The tombstone a coordinator writes for a delete. */
    public static Version tombstone(String coordinatorNodeId, long hlc) {
        return new Version(null, VectorClock.of(coordinatorNodeId, hlc), hlc, coordinatorNodeId);
    }

    public boolean isTombstone() {
        return value == null;
    }

    /** This version with another clock. */
    public Version withClock(VectorClock newClock) {
        return new Version(value, newClock, hlc, coordinatorNodeId);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Version version && hlc == version.hlc
                && coordinatorNodeId.equals(version.coordinatorNodeId)
                && clock.equals(version.clock) && Arrays.equals(value, version.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(clock, hlc, coordinatorNodeId) * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "Version{" + (value == null ? "tombstone" : value.length + " bytes") + ", clock="
                + clock + ", hlc=" + hlc + ", by=" + coordinatorNodeId + "}";
    }
}
