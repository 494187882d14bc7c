package io.cairndb.server.common;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts a node is built from, each with the one lifecycle they share:
 * {@code NEW → STARTING → RUNNING → CLOSING → CLOSED}. The node is started component by
 * component, in the order it is built; it closes in the reverse order, so nothing is closed while
 * a component started after it may still call it. Readiness is read from here: a node serves
 * only while it and every component are running (see {@link #notRunning()}).
 *
 * <p>A component that fails to start closes the ones started before it, in reverse, and the
 * failure is thrown to the caller with theirs attached: a node that cannot start leaves no port
 * bound and no file locked.
 */
public final class Components implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Components.class);

    /** Where a component, or the node as a whole, is in its life. */
    public enum State { NEW, STARTING, RUNNING, CLOSING, CLOSED }

    /** Makes a component run; it may throw, having released what it took itself. */
    @FunctionalInterface
    public interface Start<T> {
        T start();
    }

    /** Stops what {@link Start} made. */
    @FunctionalInterface
    public interface Stop<T> {
        void stop(T component) throws Exception;
    }

    private static final class Component<T> {
        final String name;
        final Stop<? super T> stop;
        volatile State state = State.NEW;
        T started;

        Component(String name, Stop<? super T> stop) {
            this.name = name;
            this.stop = stop;
        }

        void close() throws Exception {
            state = State.CLOSING;
            try {
                stop.stop(started);
            } finally {
                state = State.CLOSED;
            }
        }
    }

    private final String owner;
    private final List<Component<?>> components = new ArrayList<>();
    private volatile State state = State.NEW;

    /** Components of {@code owner} (a node id, for log lines). */
    public Components(String owner) {
        this.owner = owner;
    }

    /**
     * Starts one component and records it; it is stopped with {@code stop} when the node closes.
     *
     * @throws RuntimeException what {@code start} threw, once the components started before it
     *     are closed
     */
    public <T> T start(String name, Start<T> start, Stop<? super T> stop) {
        Component<T> component = new Component<>(name, stop);
        synchronized (this) {
            if (state == State.CLOSING || state == State.CLOSED) {
                throw new IllegalStateException("cannot start " + name + ": " + owner
                        + " is " + state.name().toLowerCase(java.util.Locale.ROOT));
            }
            state = State.STARTING;
            components.add(component);
        }
        component.state = State.STARTING;
        try {
            component.started = start.start();
            component.state = State.RUNNING;
            return component.started;
        } catch (RuntimeException e) {
            component.state = State.CLOSED;
            synchronized (this) {
                components.remove(component);
            }
            closeAll(e);
            throw e;
        }
    }

    /** Starts a component that is an action, such as scheduling a node's background work. */
    public void run(String name, Runnable start, Runnable stop) {
        start(name, () -> {
            start.run();
            return start;
        }, ignored -> stop.run());
    }

    /** Every component has started: the node runs. */
    public synchronized void running() {
        if (state == State.STARTING || state == State.NEW) {
            state = State.RUNNING;
        }
    }

    /** The node's own state. */
    public State state() {
        return state;
    }

    /** Each component's state, in start order. */
    public synchronized Map<String, State> states() {
        Map<String, State> states = new LinkedHashMap<>();
        for (Component<?> component : components) {
            states.put(component.name, component.state);
        }
        return states;
    }

    /**
     * Why this node does not run yet or any more, as "name (state)" for the node and each
     * component that is not running; empty while everything runs.
     */
    public synchronized List<String> notRunning() {
        List<String> notRunning = new ArrayList<>();
        if (state != State.RUNNING) {
            notRunning.add("node " + owner + " (" + describe(state) + ")");
        }
        for (Component<?> component : components) {
            if (component.state != State.RUNNING) {
                notRunning.add(component.name + " (" + describe(component.state) + ")");
            }
        }
        return notRunning;
    }

    private static String describe(State state) {
        return state.name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Closes every component, newest first. The node reads as closing from the first moment, so
     * readiness turns false before anything stops. A component that fails to close is logged
     * and the others still close. Closing twice does nothing.
     */
    @Override
    public void close() {
        closeAll(null);
    }

    private void closeAll(RuntimeException cause) {
        List<Component<?>> toClose;
        synchronized (this) {
            if (cause == null && (state == State.CLOSING || state == State.CLOSED)) {
                return;
            }
            state = State.CLOSING;
            toClose = new ArrayList<>(components);
        }
        for (int i = toClose.size() - 1; i >= 0; i--) {
            Component<?> component = toClose.get(i);
            try {
                component.close();
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                if (cause != null) {
                    cause.addSuppressed(e);
                } else {
                    LOG.warn("{} of node {} did not close cleanly: {}", component.name, owner,
                            String.valueOf(e.getMessage()), e);
                }
            }
        }
        state = State.CLOSED;
    }
}
