package io.cairndb.server.membership;

import io.cairndb.api.peer.HeartbeatRequest;
import io.cairndb.api.peer.HeartbeatResponse;
import io.cairndb.api.peer.FetchRangeRequest;
import io.cairndb.api.peer.FetchRangeResponse;
import io.cairndb.api.peer.StatsResponse;
import io.cairndb.core.CairnException;
import io.cairndb.core.ClockOffsets;
import io.cairndb.core.ErrorCode;
import io.cairndb.core.HybridLogicalClock;
import io.cairndb.core.PhiAccrualFailureDetector;
import io.cairndb.server.replica.LocalReplica;
import io.cairndb.server.replica.PeerCodec;
import io.cairndb.server.replica.PeerConnector;
import io.cairndb.server.replica.PeerLink;
import io.cairndb.server.replica.Peers;
import io.cairndb.server.replica.Replica;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's view of its peers: a link per node (from a {@link PeerConnector}, so that tests
 * run it without sockets), heartbeats to every
 * other node on an interval, and a phi-accrual failure detector fed by every heartbeat sent or
 * received. The verdict is this node's own opinion (up or down), separate from the status an
 * operator sets in the metadata.
 */
public final class Membership implements Peers, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Membership.class);

    private record Peer(String address, PeerLink link) {
    }

    private final String selfNodeId;
    private final LocalReplica local;
    private final HybridLogicalClock hlc;
    private final LongSupplier wallMillis;
    private final long heartbeatIntervalMillis;
    private final Supplier<? extends NodeDirectory> directory;
    private final LongConsumer metadataBehind;
    private final PeerConnector connector;
    private final PhiAccrualFailureDetector detector;
    private final Map<String, Peer> peers = new ConcurrentHashMap<>();
    private final Map<String, Boolean> lastVerdict = new ConcurrentHashMap<>();
    private final Map<String, Long> viewVersions = new ConcurrentHashMap<>();
    private final long maxClockOffsetMillis;
    private final Map<String, ClockOffsets.Sample> clockSamples = new ConcurrentHashMap<>();
    private volatile ClockOffsets.Verdict clockVerdict =
            new ClockOffsets.Verdict(true, null);
    private final List<BiConsumer<String, Boolean>> verdictListeners =
            new CopyOnWriteArrayList<>();

    /**
     * @param directory the current cluster view; read on every use, so that peers follow it
     * @param metadataBehind called with a peer's metadata version when it is ahead of this node's
     * @param connector opens the link to each peer, again when its address changes
     */
    public Membership(String selfNodeId, LocalReplica local, HybridLogicalClock hlc,
                      LongSupplier wallMillis, long heartbeatIntervalMillis,
                      long maxClockOffsetMillis, Supplier<? extends NodeDirectory> directory,
                      LongConsumer metadataBehind, PeerConnector connector) {
        this.maxClockOffsetMillis = maxClockOffsetMillis;
        this.selfNodeId = selfNodeId;
        this.local = local;
        this.hlc = hlc;
        this.wallMillis = wallMillis;
        this.heartbeatIntervalMillis = heartbeatIntervalMillis;
        this.directory = directory;
        this.metadataBehind = metadataBehind;
        this.connector = connector;
        this.detector = PhiAccrualFailureDetector.forInterval(heartbeatIntervalMillis);
    }

    /** Starts heartbeating on {@code scheduler}. */
    public void start(ScheduledExecutorService scheduler) {
        scheduler.scheduleWithFixedDelay(this::heartbeatAll, 0, heartbeatIntervalMillis,
                TimeUnit.MILLISECONDS);
    }

    @Override
    public String selfNodeId() {
        return selfNodeId;
    }

    @Override
    public Replica replica(String nodeId) {
        if (nodeId.equals(selfNodeId)) {
            return local;
        }
        return peer(nodeId).link().replica();
    }

    /**
     * Calls {@code listener} with a peer and its new verdict (true: up) each time the failure
     * detector changes its mind, and with its first verdict; on the heartbeat's thread, so the
     * listener must not block.
     */
    public void addVerdictListener(BiConsumer<String, Boolean> listener) {
        verdictListeners.add(listener);
    }

    /** The failure detector's suspicion of {@code nodeId} now; 0 for this node or one unheard. */
    public double phi(String nodeId) {
        return nodeId.equals(selfNodeId) ? 0 : detector.phi(nodeId, wallMillis.getAsLong());
    }

    @Override
    public boolean isAlive(String nodeId) {
        return nodeId.equals(selfNodeId) || detector.isAvailable(nodeId, wallMillis.getAsLong());
    }

    /** Called when a peer's heartbeat arrives (the peer service receives it). */
    public void heartbeatFrom(String nodeId, long peerMetadataVersion) {
        detector.heartbeat(nodeId, wallMillis.getAsLong());
        viewVersions.merge(nodeId, peerMetadataVersion, Math::max);
        noteVerdict(nodeId);
        if (peerMetadataVersion > directory.get().version()) {
            metadataBehind.accept(peerMetadataVersion);
        }
    }

    /**
     * The metadata version each peer last reported in a heartbeat (this node's own included), so
     * an operator can see who is behind.
     */
    public Map<String, Long> viewVersions() {
        Map<String, Long> versions = new java.util.TreeMap<>(viewVersions);
        versions.put(selfNodeId, directory.get().version());
        return versions;
    }

    @Override
    public CompletableFuture<StatsResponse> stats(String nodeId) {
        try {
            return peer(nodeId).link().stats();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** One FetchRange call to {@code nodeId}, for a migration. */
    public CompletableFuture<FetchRangeResponse> fetchRange(String nodeId,
                                                            FetchRangeRequest request) {
        try {
            return peer(nodeId).link().fetchRange(request);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** One round of heartbeats, to every other node in the view. */
    void heartbeatAll() {
        NodeDirectory view = directory.get();
        for (NodeDirectory.Node node : view.nodes().values()) {
            if (node.nodeId().equals(selfNodeId)) {
                continue;
            }
            try {
                heartbeat(node.nodeId(), view.version());
            } catch (RuntimeException e) {
                // One peer the transport cannot reach now does not cost the others theirs.
                LOG.warn("heartbeat to {} failed: {}", node.nodeId(), e.toString());
                noteVerdict(node.nodeId());
            }
        }
    }

    private void heartbeat(String nodeId, long metadataVersion) {
        long sentAtMillis = wallMillis.getAsLong();
        long sentAtNanos = System.nanoTime();
        CompletableFuture<HeartbeatResponse> answer = peer(nodeId).link().heartbeat(
                HeartbeatRequest.newBuilder()
                        .setProtocolVersion(PeerCodec.PROTOCOL_VERSION)
                        .setSenderNodeId(selfNodeId)
                        .setMetadataVersion(metadataVersion)
                        .setHlc(hlc.last()).build(),
                Math.max(1_000, 2 * heartbeatIntervalMillis));
        answer.whenComplete((response, error) -> {
            if (error == null) {
                if (response.getWallMillis() != 0) {
                    clockSamples.put(nodeId, ClockOffsets.Sample.measure(sentAtMillis,
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentAtNanos),
                            response.getWallMillis()));
                    judgeClock();
                }
                hlc.observe(response.getHlc());
                heartbeatFrom(nodeId, response.getMetadataVersion());
            } else {
                noteVerdict(nodeId);
            }
        });
    }

    /**
     * Each peer's clock minus this node's, as the last heartbeat to it measured, in
     * milliseconds; peers not measured yet are absent.
     */
    @Override
    public Map<String, Long> clockOffsets() {
        Map<String, Long> offsets = new java.util.TreeMap<>();
        clockSamples.forEach((node, sample) -> offsets.put(node, sample.offsetMillis()));
        return offsets;
    }

    /** Whether this node's clock is close enough to the cluster's to coordinate writes. */
    @Override
    public ClockOffsets.Verdict clockVerdict() {
        return clockVerdict;
    }

    private void judgeClock() {
        ClockOffsets.Verdict verdict = ClockOffsets.judge(selfNodeId, clockSamples,
                directory.get().nodes().size(), maxClockOffsetMillis, wallMillis.getAsLong(),
                Math.max(10_000, 10 * heartbeatIntervalMillis));
        ClockOffsets.Verdict previous = clockVerdict;
        clockVerdict = verdict;
        if (previous.coordinateWrites() && !verdict.coordinateWrites()) {
            LOG.warn("refusing to coordinate writes: {}", verdict.reason());
        } else if (!previous.coordinateWrites() && verdict.coordinateWrites()) {
            LOG.info("this node's clock is back within {} ms of the cluster's; coordinating "
                    + "writes again", maxClockOffsetMillis);
        }
    }

    private void noteVerdict(String nodeId) {
        boolean alive = isAlive(nodeId);
        Boolean previous = lastVerdict.put(nodeId, alive);
        if (previous == null || previous != alive) {
            LOG.info("node {} is {}", nodeId, alive ? "up" : "down");
            verdictListeners.forEach(listener -> listener.accept(nodeId, alive));
        }
    }

    private Peer peer(String nodeId) {
        NodeDirectory.Node node = directory.get().nodes().get(nodeId);
        if (node == null) {
            throw new CairnException(ErrorCode.INTERNAL_ERROR, "node '" + nodeId
                    + "' is not in this node's cluster view");
        }
        String address = node.host() + ":" + node.peerPort();
        Peer current = peers.get(nodeId);
        if (current != null && current.address().equals(address)) {
            return current;
        }
        synchronized (this) {
            current = peers.get(nodeId);
            if (current != null && current.address().equals(address)) {
                return current;
            }
            Peer created = new Peer(address, connector.connect(nodeId, node.host(),
                    node.peerPort()));
            peers.put(nodeId, created);
            if (current != null) {
                current.link().close();
            }
            return created;
        }
    }

    @Override
    public void close() {
        for (Peer peer : peers.values()) {
            peer.link().closeNow();
        }
        peers.clear();
    }
}
