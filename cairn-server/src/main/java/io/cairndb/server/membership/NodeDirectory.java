package io.cairndb.server.membership;

import java.util.Map;

/**
 * The nodes of the cluster as one version of the cluster view lists them: all that membership
 * needs to know to find its peers. The control plane's metadata implements it, so membership
 * reads the view without depending on the control plane. An instance is an immutable snapshot.
 */
public interface NodeDirectory {

    /** A node as membership needs it: its id and where its peer service listens. */
    interface Node {

        String nodeId();

        /** The address the node serves on, and that its peer connections leave from. */
        String host();

        int peerPort();
    }

    /** The version of the cluster view this directory is a snapshot of. */
    long version();

    /** Every node of the view by id, this node's own included. */
    Map<String, ? extends Node> nodes();
}
