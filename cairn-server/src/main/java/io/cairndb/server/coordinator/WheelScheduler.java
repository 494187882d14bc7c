package io.cairndb.server.coordinator;

import io.cairndb.core.Scheduler;
import io.grpc.netty.shaded.io.netty.util.HashedWheelTimer;
import io.grpc.netty.shaded.io.netty.util.Timeout;
import java.util.concurrent.TimeUnit;

/**
 * The node's {@link Scheduler} for request deadlines: one timer thread checks them every tick.
 *
 * <p>Deadlines are seconds long and nearly every request is answered long before its own, so
 * being woken per deadline is waste: a scheduled executor's queue took a lock twice per request
 * and woke its thread whenever a deadline went to the head of an empty queue, 7% of a node's CPU.
 * A hashed wheel sets and cancels without a lock, and fires up to a tick late.
 */
public final class WheelScheduler implements Scheduler {

    /** How late a deadline may fire. */
    static final long TICK_MILLIS = 10;

    /** Shared by every coordinator of the process; its thread is a daemon. */
    public static final WheelScheduler SHARED = new WheelScheduler();

    private final HashedWheelTimer timer = new HashedWheelTimer(runnable -> {
        Thread thread = new Thread(runnable, "request-deadlines");
        thread.setDaemon(true);
        return thread;
    }, TICK_MILLIS, TimeUnit.MILLISECONDS);

    private WheelScheduler() {
    }

    @Override
    public Timer schedule(Runnable task, long delayMillis) {
        Timeout timeout = timer.newTimeout(ignored -> task.run(), delayMillis,
                TimeUnit.MILLISECONDS);
        return timeout::cancel;
    }
}
