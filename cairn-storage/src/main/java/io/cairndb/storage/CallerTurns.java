package io.cairndb.storage;

import java.util.concurrent.Executor;

/**
 * Tells the engine whether the thread calling it runs an event loop, whose tasks run one after
 * another: the node's transport threads do. Under {@link Durability#PERIODIC} the engine commits
 * the mutations such a thread applies during one task itself, once that task is done, rather
 * than handing each to a writer thread and waiting to be woken with the result.
 */
@FunctionalInterface
public interface CallerTurns {

    /** No thread runs an event loop: every mutation goes to a writer thread. */
    CallerTurns NONE = () -> null;

    /**
     * The event loop the calling thread runs, or null when it runs none. A task given to it runs
     * on the calling thread after the task running now.
     */
    Executor current();
}
