package io.cairndb.server.coordinator;

/** What a node reports about itself in ListStorageNodes. */
public interface NodeStats {

    /** Live keys stored on the node. */
    long keysCount();

    /** Percent of the data directory's file system in use, 0 to 100. */
    float diskUsagePercent();

    /** Hints this node holds for other nodes. */
    long hintsPending();
}
