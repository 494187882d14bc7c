package io.cairndb.server.replica;

import io.cairndb.api.peer.FetchRangeRequest;
import io.cairndb.api.peer.FetchRangeResponse;
import io.cairndb.api.peer.HeartbeatRequest;
import io.cairndb.api.peer.HeartbeatResponse;
import io.cairndb.api.peer.PeerServiceGrpc;
import io.cairndb.api.peer.StatsRequest;
import io.cairndb.api.peer.StatsResponse;
import io.cairndb.core.HybridLogicalClock;
import io.cairndb.server.common.ServerLimits;
import io.cairndb.server.common.UnaryCalls;
import io.cairndb.server.tracing.Tracing;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Links to peers over gRPC: one channel per peer, carrying its replica and every other call. */
public final class GrpcPeerConnector implements PeerConnector {

    private final String selfNodeId;
    private final Supplier<String> ownHost;
    private final long requestTimeoutMillis;
    private final HybridLogicalClock hlc;
    private final Tracing tracing;
    private final ReplicaCallTimes replicaCallTimes;

    /**
     * @param ownHost the address this node serves on, read at each connection; null while unknown
     * @param requestTimeoutMillis a replica call's deadline; stats and range pages derive theirs
     * @param tracing traces the replica calls
     * @param replicaCallTimes where each peer's replica reports how long its calls took
     */
    public GrpcPeerConnector(String selfNodeId, Supplier<String> ownHost,
                             long requestTimeoutMillis, HybridLogicalClock hlc, Tracing tracing,
                             ReplicaCallTimes replicaCallTimes) {
        this.selfNodeId = selfNodeId;
        this.ownHost = ownHost;
        this.requestTimeoutMillis = requestTimeoutMillis;
        this.hlc = hlc;
        this.tracing = tracing;
        this.replicaCallTimes = replicaCallTimes;
    }

    @Override
    public PeerLink connect(String nodeId, String host, int peerPort) {
        // Answers are handled on the transport's own thread: their callbacks only complete
        // futures and start the next send, so a hop to another thread would cost more than it
        // spares. Peer calls are never retried by gRPC: a failed write gets a hint.
        ManagedChannel channel = NettyChannelBuilder.forAddress(host, peerPort)
                .localSocketPicker(new OwnAddress())
                .usePlaintext()
                .maxInboundMessageSize(ServerLimits.MESSAGE_BYTES_MAX)
                .directExecutor()
                .disableRetry()
                .build();
        return new GrpcPeerLink(channel, new RemoteReplica(nodeId, selfNodeId, channel,
                requestTimeoutMillis, hlc, tracing, replicaCallTimes));
    }

    private final class GrpcPeerLink implements PeerLink {

        private final ManagedChannel channel;
        private final RemoteReplica replica;
        private final PeerServiceGrpc.PeerServiceStub stub;

        GrpcPeerLink(ManagedChannel channel, RemoteReplica replica) {
            this.channel = channel;
            this.replica = replica;
            this.stub = PeerServiceGrpc.newStub(channel);
        }

        @Override
        public Replica replica() {
            return replica;
        }

        @Override
        public CompletableFuture<HeartbeatResponse> heartbeat(HeartbeatRequest request,
                                                              long deadlineMillis) {
            return UnaryCalls.call(answer -> stub
                    .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)
                    .heartbeat(request, answer));
        }

        @Override
        public CompletableFuture<StatsResponse> stats() {
            long deadlineMillis = Math.min(ServerLimits.PROBE_TIMEOUT_MILLIS_MAX,
                    requestTimeoutMillis);
            return UnaryCalls.call(answer -> stub
                    .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)
                    .stats(StatsRequest.getDefaultInstance(), answer));
        }

        @Override
        public CompletableFuture<FetchRangeResponse> fetchRange(FetchRangeRequest request) {
            // A page is read and encoded on the peer before it leaves: more work than a write.
            long deadlineMillis = requestTimeoutMillis * 4;
            return UnaryCalls.call(answer -> stub
                    .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)
                    .fetchRange(request, answer));
        }

        @Override
        public void close() {
            channel.shutdown();
        }

        @Override
        public void closeNow() {
            channel.shutdownNow();
        }
    }

    /**
     * Peer connections leave from the address this node serves on (its {@code --host}), not from
     * whatever address the kernel would pick (127.0.0.1 for every loopback address), so that a
     * firewall rule naming two nodes' addresses matches their traffic both ways.
     */
    private final class OwnAddress extends NettyChannelBuilder.LocalSocketPicker {

        @Override
        public SocketAddress createSocketAddress(SocketAddress remote,
                                                 io.grpc.Attributes attributes) {
            String host = ownHost.get();
            if (host == null) {
                return null;
            }
            try {
                InetAddress own = InetAddress.getByName(host);
                return own.isAnyLocalAddress() ? null : new InetSocketAddress(own, 0);
            } catch (UnknownHostException e) {
                return null;
            }
        }
    }
}
