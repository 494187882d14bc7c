package io.cairndb.server.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairndb.server.common.Components.State;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ComponentsTest {

    private final List<String> log = new ArrayList<>();
    private final Components components = new Components("node-a");

    private String startLogged(String name) {
        return components.start(name, () -> {
            log.add("start " + name);
            return name;
        }, started -> log.add("stop " + started));
    }

    @Test
    void startsInOrderAndClosesInReverse() {
        startLogged("storage");
        startLogged("metadata");
        components.run("background", () -> log.add("start background"),
                () -> log.add("stop background"));
        components.running();

        assertThat(components.state()).isEqualTo(State.RUNNING);
        assertThat(components.states()).containsExactly(Map.entry("storage", State.RUNNING),
                Map.entry("metadata", State.RUNNING), Map.entry("background", State.RUNNING));
        assertThat(components.notRunning()).isEmpty();

        components.close();

        assertThat(log).containsExactly("start storage", "start metadata", "start background",
                "stop background", "stop metadata", "stop storage");
        assertThat(components.state()).isEqualTo(State.CLOSED);
        assertThat(components.states().values()).containsOnly(State.CLOSED);
        assertThat(components.notRunning()).containsExactly("node node-a (closed)",
                "storage (closed)", "metadata (closed)", "background (closed)");
    }

    @Test
    void aNodeStillStartingIsNotRunningAndSaysWhichComponentIsStarting() {
        startLogged("storage");
        List<List<String>> seenWhileStarting = new ArrayList<>();
        components.start("metadata", () -> {
            seenWhileStarting.add(components.notRunning());
            return "joined";
        }, started -> { });

        assertThat(seenWhileStarting).containsExactly(
                List.of("node node-a (starting)", "metadata (starting)"));
        assertThat(components.notRunning()).containsExactly("node node-a (starting)");
        components.running();
        assertThat(components.notRunning()).isEmpty();
    }

    @Test
    void closingReadsAsNotRunningBeforeAnythingStops() {
        List<List<String>> seenWhileClosing = new ArrayList<>();
        startLogged("storage");
        components.start("http", () -> "http",
                started -> seenWhileClosing.add(components.notRunning()));
        components.running();

        components.close();

        assertThat(seenWhileClosing).containsExactly(
                List.of("node node-a (closing)", "http (closing)"));
    }

    @Test
    void aFailedStartClosesWhatStartedBeforeItAndThrowsItsFailure() {
        startLogged("storage");
        startLogged("peer server");

        assertThatThrownBy(() -> components.start("metadata", () -> {
            throw new ConfigException("cannot join the cluster through 127.0.0.1:1");
        }, started -> log.add("stop metadata")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("cannot join the cluster through 127.0.0.1:1");

        assertThat(log).containsExactly("start storage", "start peer server",
                "stop peer server", "stop storage");
        assertThat(components.state()).isEqualTo(State.CLOSED);
        assertThat(components.states()).doesNotContainKey("metadata");
    }

    @Test
    void aStopThatFailsDuringAFailedStartIsAttachedToTheFailure() {
        components.start("storage", () -> "storage", started -> {
            throw new IllegalStateException("lock file held");
        });

        assertThatThrownBy(() -> components.start("metadata", () -> {
            throw new ConfigException("no quorum");
        }, started -> { }))
                .hasMessage("no quorum")
                .satisfies(e -> assertThat(e.getSuppressed()).singleElement()
                        .extracting(Throwable::getMessage).isEqualTo("lock file held"));
    }

    @Test
    void aStopThatFailsDoesNotKeepTheOthersOpen() {
        startLogged("storage");
        components.start("metrics", () -> "metrics", started -> {
            throw new IllegalStateException("meter registry already closed");
        });
        startLogged("http");

        components.close();

        assertThat(log).containsExactly("start storage", "start http", "stop http",
                "stop storage");
        assertThat(components.states().values()).containsOnly(State.CLOSED);
    }

    @Test
    void closingTwiceStopsEachComponentOnce() {
        startLogged("storage");
        components.running();

        components.close();
        components.close();

        assertThat(log).containsExactly("start storage", "stop storage");
    }

    @Test
    void aClosedNodeStartsNothing() {
        startLogged("storage");
        components.close();

        assertThatThrownBy(() -> startLogged("http"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("cannot start http: node-a is closed");
        assertThat(log).containsExactly("start storage", "stop storage");
    }
}
