package io.cairndb.server.control.raft;

import io.cairndb.server.control.ClusterConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How one control member takes part in the Raft group that keeps the cluster metadata.
 *
 * @param memberId this member's id in the group; stable across restarts
 * @param host the address the Raft service binds to
 * @param port the Raft port; 0 picks a free port at start ({@link RaftMetadataStore#port()})
 * @param storageDir where this member keeps its Raft log, metadata and snapshots (Ratis would
 *     otherwise write under /tmp)
 * @param members the group a fresh member starts with: member id to {@code host:port}. This
 *     member's own entry may give port 0, meaning {@code host} and the port it binds. A member that
 *     leaves itself out starts as a joiner: it holds no election and waits for a
 *     {@link RaftMetadataStore#setMembers} that names it. Once the storage holds a log, the group
 *     recorded there wins.
 * @param clusterConfig the settings of the initial, empty metadata
 * @param snapshotThresholdEntries log entries applied since the last snapshot that trigger the
 *     next one; the log is purged up to each snapshot
 * @param logSegmentSizeBytesMax the size at which a log segment is closed; only closed segments
 *     can be purged
 * @param requestTimeout how long a write or a linearizable read may take before it fails with
 *     QUORUM_NOT_REACHED
 * @param electionTimeoutMin the least time a follower waits for the leader before it stands
 * @param electionTimeoutMax the most time a follower waits for the leader before it stands
 */
public record RaftSettings(String memberId, String host, int port, Path storageDir,
                           Map<String, String> members, ClusterConfig clusterConfig,
                           long snapshotThresholdEntries, long logSegmentSizeBytesMax,
                           Duration requestTimeout, Duration electionTimeoutMin,
                           Duration electionTimeoutMax) {

    public static final long SNAPSHOT_THRESHOLD_ENTRIES_DEFAULT = 1000;
    public static final long LOG_SEGMENT_SIZE_BYTES_MAX_DEFAULT = 8L * 1024 * 1024;
    /** Smaller segments would close after a handful of entries. */
    public static final long LOG_SEGMENT_SIZE_BYTES_MIN = 16L * 1024;
    public static final Duration REQUEST_TIMEOUT_DEFAULT = Duration.ofSeconds(5);
    // Wide enough that a loaded two-core machine, where a GC pause or a busy neighbour delays a
    // heartbeat by a few hundred milliseconds, does not depose a healthy leader.
    public static final Duration ELECTION_TIMEOUT_MIN_DEFAULT = Duration.ofMillis(1000);
    public static final Duration ELECTION_TIMEOUT_MAX_DEFAULT = Duration.ofMillis(2000);

    public RaftSettings {
        Objects.requireNonNull(memberId, "memberId");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(storageDir, "storageDir");
        Objects.requireNonNull(members, "members");
        Objects.requireNonNull(clusterConfig, "clusterConfig");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(electionTimeoutMin, "electionTimeoutMin");
        Objects.requireNonNull(electionTimeoutMax, "electionTimeoutMax");
        if (memberId.isBlank()) {
            throw new IllegalArgumentException("memberId is blank");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not in [0, 65535]");
        }
        for (Map.Entry<String, String> member : members.entrySet()) {
            parsePort(member.getKey(), member.getValue());
        }
        if (members.isEmpty()) {
            throw new IllegalArgumentException("members is empty: name at least this member ('"
                    + memberId + "') or the group it joins");
        }
        String own = members.get(memberId);
        if (own != null && parsePort(memberId, own) == 0 && isWildcard(host)) {
            throw new IllegalArgumentException("member '" + memberId + "' gives port 0 in "
                    + "members and binds to " + host + ", so no address to advertise can be "
                    + "derived; name its address in members");
        }
        if (snapshotThresholdEntries < 1) {
            throw new IllegalArgumentException("snapshotThresholdEntries is "
                    + snapshotThresholdEntries + "; it must be at least 1");
        }
        if (logSegmentSizeBytesMax < LOG_SEGMENT_SIZE_BYTES_MIN) {
            throw new IllegalArgumentException("logSegmentSizeBytesMax is "
                    + logSegmentSizeBytesMax + "; it must be at least "
                    + LOG_SEGMENT_SIZE_BYTES_MIN);
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout is " + requestTimeout
                    + "; it must be positive");
        }
        if (electionTimeoutMin.isNegative() || electionTimeoutMin.isZero()
                || electionTimeoutMax.compareTo(electionTimeoutMin) < 0) {
            throw new IllegalArgumentException("election timeouts [" + electionTimeoutMin + ", "
                    + electionTimeoutMax + "] must be positive with min <= max");
        }
        members = Collections.unmodifiableMap(new LinkedHashMap<>(members));
    }

    /** Settings with every default, for a member of the group {@code members}. */
    public static RaftSettings of(String memberId, String host, int port, Path storageDir,
                                  Map<String, String> members) {
        return new RaftSettings(memberId, host, port, storageDir, members, ClusterConfig.DEFAULTS,
                SNAPSHOT_THRESHOLD_ENTRIES_DEFAULT, LOG_SEGMENT_SIZE_BYTES_MAX_DEFAULT,
                REQUEST_TIMEOUT_DEFAULT, ELECTION_TIMEOUT_MIN_DEFAULT,
                ELECTION_TIMEOUT_MAX_DEFAULT);
    }

    public RaftSettings withPort(int newPort) {
        return new RaftSettings(memberId, host, newPort, storageDir, members, clusterConfig,
                snapshotThresholdEntries, logSegmentSizeBytesMax, requestTimeout,
                electionTimeoutMin, electionTimeoutMax);
    }

    public RaftSettings withMembers(Map<String, String> newMembers) {
        return new RaftSettings(memberId, host, port, storageDir, newMembers, clusterConfig,
                snapshotThresholdEntries, logSegmentSizeBytesMax, requestTimeout,
                electionTimeoutMin, electionTimeoutMax);
    }

    public RaftSettings withClusterConfig(ClusterConfig newConfig) {
        return new RaftSettings(memberId, host, port, storageDir, members, newConfig,
                snapshotThresholdEntries, logSegmentSizeBytesMax, requestTimeout,
                electionTimeoutMin, electionTimeoutMax);
    }

    public RaftSettings withSnapshots(long newThresholdEntries, long newSegmentSizeBytesMax) {
        return new RaftSettings(memberId, host, port, storageDir, members, clusterConfig,
                newThresholdEntries, newSegmentSizeBytesMax, requestTimeout, electionTimeoutMin,
                electionTimeoutMax);
    }

    public RaftSettings withRequestTimeout(Duration newTimeout) {
        return new RaftSettings(memberId, host, port, storageDir, members, clusterConfig,
                snapshotThresholdEntries, logSegmentSizeBytesMax, newTimeout, electionTimeoutMin,
                electionTimeoutMax);
    }

    public RaftSettings withElectionTimeout(Duration newMin, Duration newMax) {
        return new RaftSettings(memberId, host, port, storageDir, members, clusterConfig,
                snapshotThresholdEntries, logSegmentSizeBytesMax, requestTimeout, newMin, newMax);
    }

    /** The port of a {@code host:port} address. */
    static int parsePort(String memberId, String address) {
        Objects.requireNonNull(address, () -> "address of member '" + memberId + "'");
        int colon = address.lastIndexOf(':');
        if (memberId == null || memberId.isBlank() || colon <= 0) {
            throw new IllegalArgumentException("member '" + memberId + "' has address '"
                    + address + "'; expected a member id and host:port");
        }
        int parsed;
        try {
            parsed = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            parsed = -1;
        }
        if (parsed < 0 || parsed > 65535) {
            throw new IllegalArgumentException("member '" + memberId + "' has address '"
                    + address + "' whose port is not in [0, 65535]");
        }
        return parsed;
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    }
}
