package io.cairndb.server.control;

import java.util.List;

/**
 * The settings the whole cluster agrees on (seed 000 {@code ClusterConfig}), held in the metadata.
 *
 * @param replicationFactorDefault a new tenant's replication factor when it names none (capped at
 *     the number of storage nodes)
 * @param readConsistencyDefault consistency of a read that names none
 * @param writeConsistencyDefault consistency of a write that names none
 * @param virtualNodesDefault tokens of a storage node that names no count
 * @param compactionPolicy how storage nodes compact their data: {@code level} or
 *     {@code universal}; absent from metadata written before it existed, which means
 *     {@link #COMPACTION_POLICY_DEFAULT}
 */
public record ClusterConfig(int replicationFactorDefault, String readConsistencyDefault,
                            String writeConsistencyDefault, int virtualNodesDefault,
                            String compactionPolicy) {

    public static final String COMPACTION_POLICY_DEFAULT = "level";
    public static final List<String> CONSISTENCY_LEVELS = List.of("one", "quorum", "all");
    public static final List<String> COMPACTION_POLICIES = List.of("level", "universal");
    public static final int VIRTUAL_NODES_MIN = 1;
    public static final int VIRTUAL_NODES_MAX = 4096;

    public static final ClusterConfig DEFAULTS =
            new ClusterConfig(3, "quorum", "quorum", 150, COMPACTION_POLICY_DEFAULT);

    public ClusterConfig {
        // Metadata (logs, snapshots, cached views) written before the policy existed has none.
        compactionPolicy = compactionPolicy == null ? COMPACTION_POLICY_DEFAULT : compactionPolicy;
    }

    /**
     * The first rule this configuration breaks, as a sentence naming the field by its contract
     * name ({@code replication_factor}, {@code read_consistency}, ...), or null when it keeps
     * them all.
     */
    public String problem() {
        if (replicationFactorDefault < 1) {
            return "replication_factor is " + replicationFactorDefault
                    + "; it must be at least 1";
        }
        if (!CONSISTENCY_LEVELS.contains(readConsistencyDefault)) {
            return "read_consistency is '" + readConsistencyDefault + "'; use one of "
                    + String.join(", ", CONSISTENCY_LEVELS);
        }
        if (!CONSISTENCY_LEVELS.contains(writeConsistencyDefault)) {
            return "write_consistency is '" + writeConsistencyDefault + "'; use one of "
                    + String.join(", ", CONSISTENCY_LEVELS);
        }
        if (virtualNodesDefault < VIRTUAL_NODES_MIN || virtualNodesDefault > VIRTUAL_NODES_MAX) {
            return "virtual_nodes is " + virtualNodesDefault + "; it must be between "
                    + VIRTUAL_NODES_MIN + " and " + VIRTUAL_NODES_MAX;
        }
        if (!COMPACTION_POLICIES.contains(compactionPolicy)) {
            return "compaction_policy is '" + compactionPolicy + "'; use one of "
                    + String.join(", ", COMPACTION_POLICIES);
        }
        return null;
    }
}
