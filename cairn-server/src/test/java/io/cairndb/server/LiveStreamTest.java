package io.cairndb.server;

// Proves a WebSocket client subscribed to config changes sees a change within a second, and that
// the stream answers bad messages with an error instead of closing.

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LiveStreamTest {

    @RegisterExtension
    static final RunningNode NODE = new RunningNode();


    private static WebSocket connect(WsMessages collector) {
        return HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + NODE.server().httpPort()
                        + "/api/v1/stream"), collector).join();
    }

    @Test
    void aSubscriberSeesAConfigChangeWithinASecond() throws Exception {
        WsMessages collector = new WsMessages();
        WebSocket socket = connect(collector);
        socket.sendText("{\"type\":\"subscribe\",\"topic\":\"config\",\"fromVersion\":0}", true)
                .join();
        // A fresh cluster's configuration has no change after version 0 to send yet.
        await().atMost(Duration.ofSeconds(5)).until(() -> collector.saw("subscribed"));
        RestClient.Answer changed = NODE.rest().json("PATCH", "/api/v1/config",
                "{\"virtualNodes\":151}");
        assertThat(changed.status()).as(changed.text()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(1)).until(() -> collector.messages.stream().anyMatch(
                m -> m.at("/change/config/virtualNodes").asInt() == 151));
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
    }

    @Test
    void serverSentEventsCarryTheSameChanges() throws Exception {
        HttpResponse<java.util.stream.Stream<String>> events = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + NODE.server().httpPort()
                        + "/api/v1/events?fromVersion=0"))
                        .header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(events.statusCode()).isEqualTo(200);
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> events.body().forEach(lines::add), "sse-reader");
        reader.setDaemon(true);
        reader.start();
        RestClient.Answer changed = NODE.rest().json("PATCH", "/api/v1/config",
                "{\"compactionPolicy\":\"universal\"}");
        assertThat(changed.status()).as(changed.text()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(1)).until(() -> lines.contains("event: config")
                && lines.stream().anyMatch(line -> line.startsWith("data: ")
                        && line.contains("\"compactionPolicy\":\"universal\"")));
        events.body().close();
    }

    @Test
    void badMessagesAreAnsweredWithAnError() {
        WsMessages collector = new WsMessages();
        WebSocket socket = connect(collector);
        socket.sendText("not json", true).join();
        socket.sendText("{\"type\":\"subscribe\",\"topic\":\"weather\"}", true).join();
        socket.sendText("{\"type\":\"ping\"}", true).join();
        await().atMost(Duration.ofSeconds(5)).until(() -> collector.saw("pong"));
        assertThat(collector.messages.stream().filter(m -> m.path("type").asText()
                .equals("error")).map(m -> m.get("message").asText()))
                .hasSize(2).anyMatch(message -> message.contains("not JSON"))
                .anyMatch(message -> message.contains("weather"));
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
    }
}
