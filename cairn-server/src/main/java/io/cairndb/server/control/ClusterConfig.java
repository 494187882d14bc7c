package io.cairndb.server.control;

/**
 * The settings the whole cluster agrees on (seed 000 {@code ClusterConfig}), held in the metadata.
 *
 * @param replicationFactorDefault a new tenant's replication factor when it names none (capped at
 *     the number of storage nodes)
 * @param readConsistencyDefault consistency of a read that names none
 * @param writeConsistencyDefault consistency of a write that names none
 * @param virtualNodesDefault tokens of a storage node that names no count
 */
public record ClusterConfig(int replicationFactorDefault, String readConsistencyDefault,
                            String writeConsistencyDefault, int virtualNodesDefault) {

    public static final ClusterConfig DEFAULTS = new ClusterConfig(3, "quorum", "quorum", 150);
}
