package io.cairndb.server;

import io.cairndb.server.migration.MigrationSettings;
import io.cairndb.core.Limits;
import io.cairndb.server.common.ConfigException;
import io.cairndb.server.common.ServerLimits;
import io.cairndb.server.control.ClusterConfig;
import io.cairndb.server.coordinator.CoordinatorSettings;
import io.cairndb.server.tracing.TracingSettings;
import java.util.List;
import java.util.Set;

/**
 * Everything a node is configured with, as one typed tree. Each setting has a default that works
 * on one machine; {@link ConfigLoader} overlays a YAML file, then {@code CAIRN_*} environment
 * variables, then command-line flags.
 *
 * @param nodeId this node's id; empty: generated once and kept in the data directory
 * @param host the address to bind and advertise
 * @param port client gRPC port (0 picks a free one)
 * @param peerPort node-to-node gRPC port
 * @param raftPort control-group Raft port
 * @param httpPort HTTP port
 * @param dataDir where the node keeps its data
 * @param roles any of control, coordinator, storage
 * @param join a control member's client address to join; empty: start a new cluster
 * @param storage storage engine settings
 * @param cluster cluster-wide defaults, used when this node starts a new cluster
 * @param requests request-path settings
 * @param limits bounds enforced on client input
 * @param membership heartbeats, joining and hint delivery
 * @param control this node's member of the Raft control group
 * @param clock how far apart the nodes' clocks may be
 * @param migration how migrations move data
 * @param tracing where spans go, if anywhere (off by default)
 * @param http the HTTP port's socket settings
 */
public record ServerConfig(String nodeId, String host, int port, int peerPort, int raftPort,
                           int httpPort, String dataDir, List<String> roles, String join,
                           StorageSettings storage, ClusterConfig cluster,
                           CoordinatorSettings requests, Limits limits,
                           MembershipSettings membership, ControlSettings control,
                           ClockSettings clock, MigrationSettings migration,
                           TracingSettings tracing, HttpSettings http) {

    public static final List<String> ALL_ROLES = List.of("control", "coordinator", "storage");

    public static final ServerConfig DEFAULTS = new ServerConfig("", "127.0.0.1", 7070, 7071,
            7072, 8080, "cairn-data", ALL_ROLES, "", StorageSettings.DEFAULTS,
            ClusterConfig.DEFAULTS, CoordinatorSettings.DEFAULTS, Limits.DEFAULTS,
            MembershipSettings.DEFAULTS, ControlSettings.DEFAULTS, ClockSettings.DEFAULTS,
            MigrationSettings.DEFAULTS, TracingSettings.DEFAULTS, HttpSettings.DEFAULTS);

    /** Checks relationships a single field's type cannot express; throws naming the setting. */
    void validate() {
        for (var port : List.of(List.of("port", this.port), List.of("peerPort", peerPort),
                List.of("raftPort", raftPort), List.of("httpPort", httpPort))) {
            int value = (Integer) port.get(1);
            if (value < 0 || value > 65535) {
                throw new ConfigException(port.get(0) + " is " + value
                        + "; it must be between 0 (pick a free port) and 65535");
            }
        }
        if (host == null || host.isBlank()) {
            throw new ConfigException("host is empty: give the address to bind, e.g. 127.0.0.1");
        }
        if (dataDir == null || dataDir.isBlank()) {
            throw new ConfigException("dataDir is empty: give a directory for the node's data");
        }
        if (roles == null || roles.isEmpty() || !Set.copyOf(ALL_ROLES).containsAll(roles)) {
            throw new ConfigException("roles is " + roles + "; each role must be one of "
                    + ALL_ROLES);
        }
        if (!roles.contains("coordinator") || !roles.contains("storage")) {
            throw new ConfigException("roles is " + roles + ": every node currently serves "
                    + "clients and stores data, so coordinator and storage are required");
        }
        if (join == null) {
            throw new ConfigException("join must be a host:port or empty");
        }
        if (!roles.contains("control") && join.isBlank()) {
            throw new ConfigException("roles is " + roles + " without control: such a node "
                    + "must join a cluster (--join host:port)");
        }
        if (!join.isBlank() && !join.matches("[^\\s:]+:\\d{1,5}")) {
            throw new ConfigException("join is '" + join + "'; it must be host:port, the client "
                    + "address of a node of the cluster to join");
        }
        if (membership.heartbeatIntervalMillis() < 10 || membership.joinTimeoutMillis() < 0
                || membership.hintDeliveryIntervalMillis() < 10) {
            throw new ConfigException("membership.heartbeatIntervalMillis and "
                    + "hintDeliveryIntervalMillis must be at least 10, and joinTimeoutMillis at least 0 "
                    + "(0 waits without limit)");
        }
        try {
            io.cairndb.storage.Durability.parse(storage.durability());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("storage." + e.getMessage());
        }
        if (storage.syncIntervalMillis() <= 0) {
            throw new ConfigException("storage.syncIntervalMillis is "
                    + storage.syncIntervalMillis() + "; it must be positive");
        }
        if (storage.writerShards() < 1 || storage.writerShards() > 64) {
            throw new ConfigException("storage.writerShards is " + storage.writerShards()
                    + "; it must be between 1 and 64");
        }
        if (storage.walBytesMax() < StorageSettings.WAL_BYTES_MIN) {
            throw new ConfigException("storage.walBytesMax is " + storage.walBytesMax()
                    + "; it must be at least " + StorageSettings.WAL_BYTES_MIN + " (16 MiB)");
        }
        if (cluster.replicationFactorDefault() < 1) {
            throw new ConfigException("cluster.replicationFactorDefault is "
                    + cluster.replicationFactorDefault() + "; it must be at least 1");
        }
        if (cluster.virtualNodesDefault() < ClusterConfig.VIRTUAL_NODES_MIN
                || cluster.virtualNodesDefault() > ClusterConfig.VIRTUAL_NODES_MAX) {
            throw new ConfigException("cluster.virtualNodesDefault is "
                    + cluster.virtualNodesDefault() + "; it must be between "
                    + ClusterConfig.VIRTUAL_NODES_MIN + " and " + ClusterConfig.VIRTUAL_NODES_MAX);
        }
        for (var level : List.of(List.of("cluster.readConsistencyDefault",
                        cluster.readConsistencyDefault()),
                List.of("cluster.writeConsistencyDefault", cluster.writeConsistencyDefault()))) {
            String value = String.valueOf(level.get(1));
            if (!List.of("one", "quorum", "all").contains(value)) {
                throw new ConfigException(level.get(0) + " is '" + value
                        + "'; it must be one of one, quorum, all");
            }
        }
        if (!ClusterConfig.COMPACTION_POLICIES.contains(cluster.compactionPolicy())) {
            throw new ConfigException("cluster.compactionPolicy is '" + cluster.compactionPolicy()
                    + "'; it must be one of " + String.join(", ",
                    ClusterConfig.COMPACTION_POLICIES));
        }
        // A BatchWrite travels in one gRPC message: a larger bound would be refused by the
        // transport with a bare RESOURCE_EXHAUSTED instead of the batch limit's own error.
        if (limits.batchSizeBytesMax() >= ServerLimits.MESSAGE_BYTES_MAX) {
            throw new ConfigException("limits.batchSizeBytesMax is " + limits.batchSizeBytesMax()
                    + "; a batch must fit in one message, so it must be below "
                    + ServerLimits.MESSAGE_BYTES_MAX);
        }
        if (migration.problem() != null) {
            throw new ConfigException(migration.problem());
        }
        if (tracing.problem() != null) {
            throw new ConfigException(tracing.problem());
        }
        if (http.socketSendBufferBytes() < 0) {
            throw new ConfigException("http.socketSendBufferBytes is "
                    + http.socketSendBufferBytes() + "; it must be 0 (the system's) or more");
        }
        if (clock.maxOffsetMillis() < 1) {
            throw new ConfigException("clock.maxOffsetMillis is " + clock.maxOffsetMillis()
                    + "; it must be at least 1");
        }
        if (control.snapshotThresholdEntries() < 1 || control.electionTimeoutMinMillis() < 50
                || control.electionTimeoutMaxMillis() <= control.electionTimeoutMinMillis()) {
            throw new ConfigException("control.snapshotThresholdEntries must be at least 1, and "
                    + "control.electionTimeoutMinMillis at least 50 and below "
                    + "control.electionTimeoutMaxMillis");
        }
    }
}
