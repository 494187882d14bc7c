package io.cairndb.server;

// Proves, over real sockets, that a server-sent-events client that stops reading is dropped as
// soon as more than 256 events wait for it, long before the 60 s idle timeout: the node then
// holds nothing for it, its socket ends, and a client that reads keeps receiving events.

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairndb.api.admin.AdminServiceGrpc;
import io.cairndb.api.admin.ConfigUpdate;
import io.cairndb.api.admin.UpdateConfigRequest;
import io.cairndb.api.admin.UpdateConfigResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SseSlowClientTest {

    @RegisterExtension
    // The node's send buffer per HTTP connection: left to the system it grows to megabytes on
    // loopback, and filling it would take over ten thousand changes.
    static final RunningNode NODE = new RunningNode(Map.of("http.socketSendBufferBytes",
            "4096"));

    /** The bound of LiveStream. */
    private static final int PENDING_MAX = 256;
    /** Small, so that the node's writes back up after a few kilobytes. */
    private static final int RECEIVE_BUFFER_BYTES = 4096;
    /** Config changes sent at once; each is one event (about 200 bytes) to every client. */
    private static final int UPDATES_PER_ROUND = 100;
    private static final int UPDATES_MAX = 5_000;
    /** Far below the 60 s idle timeout that alone dropped such a client before. */
    private static final Duration DROPPED_WITHIN = Duration.ofSeconds(10);
    private static final String EVENTS = "/api/v1/events?topics=config";

    private static double sample(Map<String, Double> samples, String name) {
        return samples.getOrDefault(PrometheusText.series(name, Map.of("transport", "sse")), 0.0);
    }

    private static Map<String, Double> scrape() throws Exception {
        return PrometheusText.parse(NODE.rest().get("/metrics").text());
    }

    /** Opens the event stream on a plain socket and reads the response head, nothing more. */
    private static Socket openWithoutReading(int port) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(RECEIVE_BUFFER_BYTES);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(30_000);
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + EVENTS + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String head = RawWebSocket.readHead(socket.getInputStream());
        assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("text/event-stream");
        return socket;
    }

    /** Sets {@code virtualNodes} to each value at once and waits for every change. */
    private static void changeConfig(AdminServiceGrpc.AdminServiceFutureStub admin,
                                     List<Integer> virtualNodes) throws Exception {
        List<Future<UpdateConfigResponse>> answers = new ArrayList<>();
        for (int value : virtualNodes) {
            answers.add(admin.updateConfig(UpdateConfigRequest.newBuilder().setUpdate(
                    ConfigUpdate.newBuilder().setVirtualNodes(value)).build()));
        }
        for (Future<UpdateConfigResponse> pending : answers) {
            UpdateConfigResponse answer = pending.get(30, TimeUnit.SECONDS);
            assertThat(answer.getSuccess()).as(answer.getErrorMessage()).isTrue();
        }
    }

    @Test
    void aClientThatStopsReadingIsDroppedAtOnceWhileAReaderKeepsItsEvents() throws Exception {
        int port = NODE.server().httpPort();
        AdminServiceGrpc.AdminServiceFutureStub admin =
                AdminServiceGrpc.newFutureStub(NODE.node().channel);
        HttpResponse<Stream<String>> reading = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + EVENTS))
                        .header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(reading.statusCode()).isEqualTo(200);
        AtomicInteger readEvents = new AtomicInteger();
        List<String> lastData = new ArrayList<>(List.of(""));
        Thread reader = new Thread(() -> reading.body().forEach(line -> {
            if (line.startsWith("data: ")) {
                readEvents.incrementAndGet();
                synchronized (lastData) {
                    lastData.set(0, line);
                }
            }
        }), "sse-reader");
        reader.setDaemon(true);
        reader.start();
        try (Socket slow = openWithoutReading(port)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> sample(scrape(),
                    "cairn_stream_clients") == 2);

            // Changes go in rounds, each checked against the meters, until the slow client's
            // socket and then its queue are full.
            int sent = 0;
            Map<String, Double> samples = scrape();
            while (sample(samples, "cairn_stream_overflows_total") < 1) {
                assertThat(sent).as("changes sent without an overflow").isLessThan(UPDATES_MAX);
                List<Integer> round = new ArrayList<>();
                for (int i = 0; i < UPDATES_PER_ROUND; i++) {
                    round.add(100 + i % 100);
                }
                changeConfig(admin, round);
                sent += UPDATES_PER_ROUND;
                samples = scrape();
                // Each client holds at most the bound, the one being written and the notice.
                assertThat(sample(samples, "cairn_stream_messages_pending"))
                        .isLessThanOrEqualTo(2 * (PENDING_MAX + 2));
            }

            // Dropped at once: the node holds nothing more for it, and the reader stays.
            await().atMost(DROPPED_WITHIN).until(() -> {
                Map<String, Double> now = scrape();
                return sample(now, "cairn_stream_clients") == 1
                        && sample(now, "cairn_stream_messages_pending") == 0;
            });
            assertThat(sample(scrape(), "cairn_stream_overflows_total"))
                    .as("only the client that stopped reading").isEqualTo(1);
            int readBefore = readEvents.get();
            changeConfig(admin, List.of(300));
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                synchronized (lastData) {
                    return lastData.get(0).contains("\"virtualNodes\":300");
                }
            });
            assertThat(readEvents.get()).isGreaterThan(readBefore);

            // What the socket held, then its end: closed or reset, not a read that waits.
            InputStream in = slow.getInputStream();
            slow.setSoTimeout((int) DROPPED_WITHIN.toMillis());
            try {
                while (in.read(new byte[8192]) >= 0) {
                    // Reading what the socket held until the end.
                }
            } catch (SocketException reset) {
                assertThat(reset.getMessage()).containsIgnoringCase("reset");
            }
        } finally {
            reading.body().close();
        }
    }
}
