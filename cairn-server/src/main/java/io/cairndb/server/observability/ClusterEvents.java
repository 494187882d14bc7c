package io.cairndb.server.observability;

import io.cairndb.server.control.ClusterMetadata;
import io.cairndb.server.control.MetadataStore;
import io.cairndb.server.control.NodeInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * What happens to the cluster's nodes, as this node sees it, for the live streams: a node is
 * added to or removed from the metadata, its status (the operator's word: {@code active},
 * {@code draining}, {@code inactive}) changes, or this node's failure detector finds it up or
 * down. Events are live, not kept: a subscriber first gets every node's present state, then each
 * change as it happens.
 *
 * <p>Subscribers are called on the thread that saw the change (the metadata's apply thread, a
 * heartbeat's transport thread) and must not block.
 */
public final class ClusterEvents {

    /** The kinds of event, as the streams name them. */
    public static final String STATE = "node_state";
    public static final String ADDED = "node_added";
    public static final String REMOVED = "node_removed";
    public static final String STATUS = "node_status";
    public static final String UP = "node_up";
    public static final String DOWN = "node_down";

    /**
     * One event: its kind, the node, the node's status in the metadata (empty once removed),
     * whether this node's failure detector holds it up, and when this node saw it.
     */
    public record Event(String kind, String nodeId, String status, boolean alive,
                        long atMillis) {
    }

    private final MetadataStore metadata;
    private final Predicate<String> alive;
    private final LongSupplier wallMillis;
    private final List<Consumer<Event>> subscribers = new CopyOnWriteArrayList<>();
    private final Object diffLock = new Object();
    /** The nodes of the last state diffed; guarded by {@code diffLock}. */
    private Map<String, NodeInfo> nodes;

    /**
     * Follows {@code metadata}'s nodes; verdicts come in through {@link #verdict}.
     *
     * @param alive this node's failure detector's opinion of a node
     */
    public ClusterEvents(MetadataStore metadata, Predicate<String> alive,
                         LongSupplier wallMillis) {
        this.metadata = metadata;
        this.alive = alive;
        this.wallMillis = wallMillis;
        this.nodes = metadata.current().nodes();
        metadata.addListener(this::applied);
    }

    /**
     * Calls {@code subscriber} with a {@link #STATE} event for every node now in the metadata,
     * then with every change until the returned action is run.
     */
    public Runnable subscribe(Consumer<Event> subscriber) {
        long now = wallMillis.getAsLong();
        for (NodeInfo node : metadata.current().nodes().values()) {
            subscriber.accept(new Event(STATE, node.nodeId(), node.status(),
                    alive.test(node.nodeId()), now));
        }
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }

    /** The failure detector changed its mind about {@code nodeId} (or formed its first view). */
    public void verdict(String nodeId, boolean up) {
        NodeInfo node = metadata.current().nodes().get(nodeId);
        publish(new Event(up ? UP : DOWN, nodeId, node == null ? "" : node.status(), up,
                wallMillis.getAsLong()));
    }

    private void applied(ClusterMetadata state) {
        List<Event> events = new ArrayList<>();
        synchronized (diffLock) {
            Map<String, NodeInfo> before = nodes;
            Map<String, NodeInfo> after = state.nodes();
            if (before == after) {
                return;
            }
            long now = wallMillis.getAsLong();
            for (NodeInfo node : after.values()) {
                NodeInfo previous = before.get(node.nodeId());
                if (previous == null) {
                    events.add(new Event(ADDED, node.nodeId(), node.status(),
                            alive.test(node.nodeId()), now));
                } else if (!Objects.equals(previous.status(), node.status())) {
                    events.add(new Event(STATUS, node.nodeId(), node.status(),
                            alive.test(node.nodeId()), now));
                }
            }
            for (NodeInfo node : before.values()) {
                if (!after.containsKey(node.nodeId())) {
                    events.add(new Event(REMOVED, node.nodeId(), "", false, now));
                }
            }
            nodes = after;
        }
        events.forEach(this::publish);
    }

    private void publish(Event event) {
        for (Consumer<Event> subscriber : subscribers) {
            subscriber.accept(event);
        }
    }
}
