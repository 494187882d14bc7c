package io.cairndb.client;

/**
 * A partial change to the {@link ClusterConfig}: only the settings given (not null) change. Start
 * from {@link #NONE} and add settings with the {@code with} methods.
 *
 * @param replicationFactor the new default replication factor, at least 1
 * @param readConsistency the new default read level: {@code one}, {@code quorum} or {@code all}
 * @param writeConsistency the new default write level
 * @param compactionPolicy {@code level} or {@code universal}
 * @param virtualNodes the new default ring tokens of a storage node, 1 to 4096
 */
public record ConfigUpdate(Integer replicationFactor, String readConsistency,
        String writeConsistency, String compactionPolicy, Integer virtualNodes) {

    /** A change of nothing, to add settings to. */
    public static final ConfigUpdate NONE = new ConfigUpdate(null, null, null, null, null);

    public ConfigUpdate withReplicationFactor(int value) {
        return new ConfigUpdate(value, readConsistency, writeConsistency, compactionPolicy,
                virtualNodes);
    }

    public ConfigUpdate withReadConsistency(String value) {
        return new ConfigUpdate(replicationFactor, value, writeConsistency, compactionPolicy,
                virtualNodes);
    }

    public ConfigUpdate withWriteConsistency(String value) {
        return new ConfigUpdate(replicationFactor, readConsistency, value, compactionPolicy,
                virtualNodes);
    }

    public ConfigUpdate withCompactionPolicy(String value) {
        return new ConfigUpdate(replicationFactor, readConsistency, writeConsistency, value,
                virtualNodes);
    }

    public ConfigUpdate withVirtualNodes(int value) {
        return new ConfigUpdate(replicationFactor, readConsistency, writeConsistency,
                compactionPolicy, value);
    }

    /** Whether no setting is given. */
    public boolean namesNoSetting() {
        return replicationFactor == null && readConsistency == null && writeConsistency == null
                && compactionPolicy == null && virtualNodes == null;
    }
}
