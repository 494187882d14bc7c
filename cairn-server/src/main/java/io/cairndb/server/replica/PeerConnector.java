package io.cairndb.server.replica;

/**
 * Opens links to peers. The node's is {@link GrpcPeerConnector}; a test passes its own, so that
 * membership runs without sockets.
 */
@FunctionalInterface
public interface PeerConnector {

    /** A new link to {@code nodeId}, which serves the peer protocol at {@code host:peerPort}. */
    PeerLink connect(String nodeId, String host, int peerPort);
}
