package io.cairndb.server.control;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The cluster metadata: a state changed only by commands appended to a log and applied in log
 * order. Callers see immutable snapshots and never learn how the log is kept (locally on one node
 * today, replicated by Raft tomorrow).
 */
public interface MetadataStore extends AutoCloseable {

    /** The latest applied state. Cheap; call it per request. */
    ClusterMetadata current();

    /**
     * Appends a command and applies it. The future completes after the command is durable and
     * applied, with the outcome; a command that breaks a rule completes normally with
     * {@link MetadataStateMachine.Applied#error()} set and changes nothing.
     */
    CompletableFuture<MetadataStateMachine.Applied> submit(MetadataCommand command);

    /** Calls {@code listener} with every new state, in order, after it is applied. */
    void addListener(Consumer<ClusterMetadata> listener);

    @Override
    void close();
}
