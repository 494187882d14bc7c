package io.cairndb.core;

/**
 * Runs a task later: a request's deadline, a retry. Injected wherever code waits on time, so a
 * simulation can run the same code on simulated time.
 */
public interface Scheduler {

    /** A task scheduled to run later. */
    interface Timer {
        /** Stops the task from running if it has not started; harmless after it ran. */
        void cancel();
    }

    /**
     * Runs {@code task} once, {@code delayMillis} from now or a little later (an implementation
     * may batch deadlines into ticks); never earlier.
     */
    Timer schedule(Runnable task, long delayMillis);
}
