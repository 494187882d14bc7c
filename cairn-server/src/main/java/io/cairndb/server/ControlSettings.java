package io.cairndb.server;

/**
 * Settings of this node's member of the Raft control group.
 *
 * @param snapshotThresholdEntries log entries after which the metadata is snapshotted and the log
 *     compacted
 * @param electionTimeoutMinMillis lower bound of the randomised election timeout
 * @param electionTimeoutMaxMillis upper bound of the randomised election timeout
 */
public record ControlSettings(long snapshotThresholdEntries, long electionTimeoutMinMillis,
                              long electionTimeoutMaxMillis) {

    public static final ControlSettings DEFAULTS = new ControlSettings(1000, 1000, 2000);
}
