package io.cairndb.server.observability;

// Proves cluster events are the differences between successive metadata states and the failure
// detector's changes of mind, after a snapshot of every node.

import static org.assertj.core.api.Assertions.assertThat;

import io.cairndb.server.control.ClusterConfig;
import io.cairndb.server.control.ClusterMetadata;
import io.cairndb.server.control.MetadataCommand;
import io.cairndb.server.control.MetadataEntry;
import io.cairndb.server.control.MetadataStateMachine;
import io.cairndb.server.control.MetadataStore;
import io.cairndb.server.control.NodeInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ClusterEventsTest {

    /** A metadata store whose states the test sets, one after another, or commands change. */
    private static final class SteppedStore implements MetadataStore {
        private final List<Consumer<ClusterMetadata>> listeners = new ArrayList<>();
        private ClusterMetadata state = ClusterMetadata.empty(ClusterConfig.DEFAULTS);

        void step(NodeInfo... nodes) {
            Map<String, NodeInfo> byId = new LinkedHashMap<>();
            for (NodeInfo node : nodes) {
                byId.put(node.nodeId(), node);
            }
            state = new ClusterMetadata(state.version() + 1, ClusterConfig.DEFAULTS, Map.of(),
                    byId);
            listeners.forEach(listener -> listener.accept(state));
        }

        @Override
        public ClusterMetadata current() {
            return state;
        }

        /** Applies a command as the next log entry, through the real state machine. */
        @Override
        public CompletableFuture<MetadataStateMachine.Applied> submit(MetadataCommand command) {
            MetadataStateMachine.Applied applied = MetadataStateMachine.apply(state,
                    MetadataEntry.unstamped(command), state.version() + 1);
            if (applied.ok()) {
                state = applied.state();
                listeners.forEach(listener -> listener.accept(state));
            }
            return CompletableFuture.completedFuture(applied);
        }

        @Override
        public void addListener(Consumer<ClusterMetadata> listener) {
            listeners.add(listener);
        }

        @Override
        public void close() {
        }
    }

    private static NodeInfo node(String id, String status) {
        return new NodeInfo(id, "127.0.0.1", 7000, 7001, status, 8, new long[0]);
    }

    private static String describe(ClusterEvents.Event event) {
        return event.kind() + " " + event.nodeId() + " " + event.status() + " "
                + (event.alive() ? "up" : "down") + " @" + event.atMillis();
    }

    @Test
    void aSubscriberGetsEveryNodesStateThenEachChange() {
        SteppedStore store = new SteppedStore();
        store.step(node("a", NodeInfo.ACTIVE));
        Set<String> up = new java.util.HashSet<>(Set.of("a"));
        ClusterEvents events = new ClusterEvents(store, up::contains, () -> 42);
        List<String> seen = new ArrayList<>();
        Runnable leave = events.subscribe(event -> seen.add(describe(event)));

        store.step(node("a", NodeInfo.ACTIVE), node("b", NodeInfo.ACTIVE));
        up.add("b");
        events.verdict("b", true);
        store.step(node("a", NodeInfo.ACTIVE), node("b", NodeInfo.DRAINING));
        store.step(node("a", NodeInfo.ACTIVE), node("b", NodeInfo.DRAINING));
        up.remove("b");
        events.verdict("b", false);
        store.step(node("a", NodeInfo.ACTIVE));
        leave.run();
        store.step(node("a", NodeInfo.INACTIVE));

        assertThat(seen).containsExactly(
                "node_state a active up @42",
                "node_added b active down @42",
                "node_up b active up @42",
                "node_status b draining up @42",
                "node_down b draining down @42",
                "node_removed b  down @42");
    }

    @Test
    void aNodeRegisteredThroughTheMetadataLogIsAnnounced() {
        SteppedStore store = new SteppedStore();
        ClusterEvents events = new ClusterEvents(store, node -> false, () -> 7);
        List<String> seen = new ArrayList<>();
        events.subscribe(event -> seen.add(describe(event)));

        assertThat(store.submit(new MetadataCommand.RegisterNode("c", "127.0.0.1", 7000, 7001, 8,
                null)).join().ok()).isTrue();

        assertThat(seen).containsExactly("node_added c active down @7");
    }
}
