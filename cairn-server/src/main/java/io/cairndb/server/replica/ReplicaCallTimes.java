package io.cairndb.server.replica;

import java.util.function.LongConsumer;

/**
 * Where a {@link RemoteReplica} reports how long each of its calls took, by peer and kind of
 * call. A replica asks for its recorders once, when it is made, so a call pays for no lookup and
 * allocates nothing to be timed: it hands its elapsed nanoseconds to a recorder it already holds.
 */
@FunctionalInterface
public interface ReplicaCallTimes {

    /** Calls that write: one mutation or a batch of them. */
    String WRITE = "write";
    /** Calls that read: one key or a batch of keys. */
    String READ = "read";
    /** Calls that scan a range of keys. */
    String SCAN = "scan";

    /** Records nothing, for a replica no node's meters watch. */
    ReplicaCallTimes NONE = (peer, op) -> elapsedNanos -> { };

    /**
     * The recorder of {@code op} calls to {@code peer}; it takes each call's elapsed nanoseconds,
     * from the call's start to its answer or failure.
     */
    LongConsumer recorder(String peer, String op);
}
