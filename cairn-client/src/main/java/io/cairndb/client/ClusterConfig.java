package io.cairndb.client;

import java.util.Objects;

/**
 * The settings the whole cluster agrees on.
 *
 * @param replicationFactor a new tenant's replication factor when it names none
 * @param readConsistency the level of a read that names none: {@code one}, {@code quorum} or
 *     {@code all}
 * @param writeConsistency the level of a write that names none
 * @param compactionPolicy how storage nodes compact their data: {@code level} or
 *     {@code universal}
 * @param virtualNodes ring tokens of a new storage node that names no count
 */
public record ClusterConfig(int replicationFactor, String readConsistency,
        String writeConsistency, String compactionPolicy, int virtualNodes) {

    public ClusterConfig {
        Objects.requireNonNull(readConsistency, "readConsistency");
        Objects.requireNonNull(writeConsistency, "writeConsistency");
        Objects.requireNonNull(compactionPolicy, "compactionPolicy");
    }
}
