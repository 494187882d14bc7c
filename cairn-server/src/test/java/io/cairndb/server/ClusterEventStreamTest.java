package io.cairndb.server;

// Proves the live streams carry cluster events from real nodes: a node joining is added and
// comes up, and a node stopping goes down, on the WebSocket and as server-sent events.

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterEventStreamTest {

    @TempDir
    Path dir;

    /** The cluster events a WebSocket received, as "kind node status up|down". */
    private static List<String> clusterEvents(WsMessages socket) {
        return socket.messages.stream().filter(m -> m.path("type").asText().equals("cluster"))
                .map(m -> m.get("event"))
                .map(event -> event.get("kind").asText() + " " + event.get("nodeId").asText()
                        + " " + event.get("status").asText() + " "
                        + (event.get("alive").asBoolean() ? "up" : "down"))
                .toList();
    }

    /** The seed's metered phi for {@code peer}. */
    private static double phi(CairnServer seed, String peer) throws Exception {
        Map<String, Double> samples = PrometheusText.parse(new RestClient(seed.httpPort())
                .get("/metrics").text());
        Double phi = samples.get(PrometheusText.series("cairn_membership_phi",
                Map.of("peer", peer)));
        assertThat(phi).as("cairn_membership_phi of " + peer).isNotNull();
        return phi;
    }

    private static Map<String, String> settings(Path data, String join) {
        Map<String, String> settings = new HashMap<>(Map.of("port", "0", "peerPort", "0",
                "raftPort", "0", "httpPort", "0", "dataDir", data.toString(),
                "membership.heartbeatIntervalMillis", "200"));
        if (join != null) {
            settings.put("join", join);
            settings.put("roles", "coordinator,storage");
        }
        return settings;
    }

    @Test
    void aJoiningNodeIsAddedAndComesUpThenGoesDownWhenItStops() throws Exception {
        try (CairnServer seed = CairnServer.start(ConfigLoader.load(null, Map.of(),
                settings(dir.resolve("seed"), null)))) {
            String self = seed.nodeId();
            WsMessages socket = new WsMessages();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + seed.httpPort()
                            + "/api/v1/stream"), socket).join();
            ws.sendText("{\"type\":\"subscribe\",\"topic\":\"cluster\"}", true).join();
            HttpResponse<Stream<String>> sse = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + seed.httpPort()
                                    + "/api/v1/events?topics=cluster"))
                            .header("Accept", "text/event-stream").build(),
                    HttpResponse.BodyHandlers.ofLines());
            assertThat(sse.statusCode()).isEqualTo(200);
            List<String> lines = new CopyOnWriteArrayList<>();
            Thread reader = new Thread(() -> {
                try {
                    sse.body().forEach(lines::add);
                } catch (java.io.UncheckedIOException closed) {
                    // The test closed the stream.
                }
            }, "sse-reader");
            reader.setDaemon(true);
            reader.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> clusterEvents(socket).contains(
                    "node_state " + self + " active up"));

            String joined;
            try (CairnServer member = CairnServer.start(ConfigLoader.load(null, Map.of(),
                    settings(dir.resolve("member"), "127.0.0.1:" + seed.port())))) {
                joined = member.nodeId();
                await().atMost(Duration.ofSeconds(30)).until(() -> clusterEvents(socket).contains(
                        "node_added " + joined + " active down")
                        || clusterEvents(socket).contains("node_added " + joined + " active up"));
                await().atMost(Duration.ofSeconds(30)).until(() -> clusterEvents(socket).contains(
                        "node_up " + joined + " active up"));
                assertThat(phi(seed, joined)).isLessThan(8.0);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> clusterEvents(socket).contains(
                    "node_down " + joined + " active down"));
            assertThat(phi(seed, joined)).isGreaterThanOrEqualTo(8.0);
            List<String> seen = clusterEvents(socket);
            assertThat(seen.indexOf("node_up " + joined + " active up"))
                    .isLessThan(seen.indexOf("node_down " + joined + " active down"));

            await().atMost(Duration.ofSeconds(5)).until(() -> lines.contains("event: cluster")
                    && Stream.of("node_state", "node_added", "node_up", "node_down").allMatch(
                            kind -> lines.stream().anyMatch(line -> line.startsWith("data: ")
                                    && line.contains("\"kind\":\"" + kind + "\""))));
            assertThat(lines).noneMatch(line -> line.equals("event: config"));
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
            sse.body().close();
        }
    }
}
