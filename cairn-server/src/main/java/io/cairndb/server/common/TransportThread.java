package io.cairndb.server.common;

import io.grpc.netty.shaded.io.netty.util.concurrent.EventExecutor;
import io.grpc.netty.shaded.io.netty.util.internal.ThreadExecutorMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Sends answers from the transport thread of the call they answer.
 *
 * <p>The servers run their handlers on the transport threads (a direct executor), so a handler
 * starts on its connection's Netty event loop, but its answer is often ready on another thread:
 * the storage writer that committed it, or the peer channel that brought the replicas' answers.
 * Sending from there costs that thread the message framing and a wake-up of the event loop per
 * answer; the storage writer would do it for every write of a group commit before starting the
 * next. Handing the send to the event loop keeps that work off the writer and lets the loop
 * flush many answers at once.
 */
public final class TransportThread {

    private TransportThread() {
    }

    /** The event loop the calling thread runs, or null when it runs none (in-process calls). */
    public static Executor current() {
        return ThreadExecutorMap.currentExecutor();
    }

    /**
     * Runs {@code send} on {@code loop}: at once if the caller already is that loop or there is
     * none, else as a task ({@link #later}).
     */
    public static void send(Executor loop, Runnable send) {
        if (loop == null || (loop instanceof EventExecutor events && events.inEventLoop())) {
            send.run();
        } else {
            later(loop, send);
        }
    }

    /**
     * Runs {@code send} on {@code loop} as a task, after what the loop is doing now (even when
     * the caller is the loop), or at once when there is no loop.
     *
     * @return false if the loop refused the task because it is shutting down; the call it would
     *     have answered is ending with its server anyway
     */
    public static boolean later(Executor loop, Runnable send) {
        if (loop == null) {
            send.run();
            return true;
        }
        try {
            loop.execute(send);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }
}
