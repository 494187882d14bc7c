package io.cairndb.server;

// Proves a WebSocket client that stops reading is bounded: the node queues at most 256 messages
// for it and drops it, and its meters show it. (Server-sent events: SseSlowClientTest.)

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class StreamBoundsTest {

    @RegisterExtension
    static final RunningNode NODE = new RunningNode();

    /** The bound of LiveStream. */
    private static final int PENDING_MAX = 256;
    /** Small, so that the node's writes back up after a few kilobytes. */
    private static final int RECEIVE_BUFFER_BYTES = 4096;
    private static final int PINGS_PER_WRITE = 200;
    private static final int PINGS_MAX = 4_000_000;

    private static double sample(Map<String, Double> samples, String name, String transport) {
        return samples.getOrDefault(PrometheusText.series(name, Map.of("transport", transport)),
                0.0);
    }

    private static Map<String, Double> scrape() throws Exception {
        return PrometheusText.parse(NODE.rest().get("/metrics").text());
    }

    @Test
    void aWebSocketClientThatStopsReadingIsToldAndDropped() throws Exception {
        int port = NODE.server().httpPort();
        try (RawWebSocket slow = RawWebSocket.connect(port, "/api/v1/stream",
                RECEIVE_BUFFER_BYTES)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> sample(scrape(),
                    "cairn_stream_clients", "websocket") == 1);
            // Every ping is answered with a pong the client never reads: the node's writes to
            // it back up while it keeps reading the client's pings.
            byte[] ping = RawWebSocket.textFrame("{\"type\":\"ping\"}");
            byte[] pings = new byte[PINGS_PER_WRITE * ping.length];
            for (int i = 0; i < PINGS_PER_WRITE; i++) {
                System.arraycopy(ping, 0, pings, i * ping.length, ping.length);
            }
            // Pings go in bursts, each checked against the meters, so that the client stops
            // sending once it is dropped and the node has read every ping it was sent.
            long sent = 0;
            List<Double> pendingSeen = new ArrayList<>();
            Map<String, Double> samples = scrape();
            while (sample(samples, "cairn_stream_overflows_total", "websocket") < 1) {
                assertThat(sent).as("pings sent without an overflow").isLessThan(PINGS_MAX);
                slow.write(pings);
                sent += PINGS_PER_WRITE;
                samples = scrape();
                pendingSeen.add(sample(samples, "cairn_stream_messages_pending", "websocket"));
            }
            assertThat(pendingSeen).allSatisfy(pending -> assertThat(pending)
                    .isLessThanOrEqualTo(PENDING_MAX));

            // Reading now finds what the socket held, then the notice and the close, unless
            // the node reset the connection first because pings it had not read were still
            // arriving (the kernel then drops what the client had not read). Either way the
            // client got far fewer answers than it asked for, and then nothing more.
            List<RawWebSocket.Frame> texts = new ArrayList<>();
            RawWebSocket.Frame close = null;
            try {
                for (RawWebSocket.Frame frame = slow.read(); close == null; frame = slow.read()) {
                    if (frame.opcode() == 1) {
                        texts.add(frame);
                    } else if (frame.opcode() == 8) {
                        close = frame;
                    }
                }
            } catch (IOException reset) {
                assertThat(reset).isInstanceOf(java.net.SocketException.class);
            }
            assertThat(texts.get(0).text()).contains("\"type\":\"hello\"");
            if (close != null) {
                assertThat(close.closeCode()).isEqualTo(1008);
                assertThat(texts.get(texts.size() - 1).text()).contains("\"type\":\"overflow\"");
                texts = texts.subList(0, texts.size() - 1);
            }
            assertThat(texts.subList(1, texts.size()))
                    .allSatisfy(pong -> assertThat(pong.text()).isEqualTo("{\"type\":\"pong\"}"));
            assertThat((long) texts.size()).isLessThan(sent);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Map<String, Double> samples = scrape();
            return sample(samples, "cairn_stream_clients", "websocket") == 0
                    && sample(samples, "cairn_stream_messages_pending", "websocket") == 0;
        });
    }
}
