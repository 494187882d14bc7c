package io.cairndb.server.http;

// Proves a server-sent-events client that stops reading is bounded: while its writes block, at
// most 256 events wait for it; then its watch ends, it is told, and its stream closes.

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventWriterTest {

    /** A client whose socket is full until the test lets it read. */
    private static final class StalledClient implements LiveStream.EventSink {
        final CountDownLatch reading = new CountDownLatch(1);
        final List<String> received = new CopyOnWriteArrayList<>();
        volatile boolean closed;

        @Override
        public boolean terminated() {
            return closed;
        }

        @Override
        public void send(String event, String id, String data) {
            try {
                if (!reading.await(30, TimeUnit.SECONDS)) {
                    throw new AssertionError("the test never let the client read");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            received.add(event + (id == null ? "" : " " + id));
        }

        @Override
        public void close() {
            received.add("closed");
            closed = true;
        }
    }

    @Test
    void aClientThatStopsReadingHoldsAtMostTheBoundThenIsToldAndClosed() throws Exception {
        ExecutorService writers = Executors.newSingleThreadExecutor();
        try {
            LiveStream.Transport transport = new LiveStream.Transport("sse");
            StalledClient client = new StalledClient();
            LiveStream.EventWriter writer = new LiveStream.EventWriter(client, writers,
                    transport);
            ConfigWatch watch = new ConfigWatch(change -> { }, problem -> { });
            writer.onEnd = watch::cancel;
            int offered = 10 * LiveStream.MESSAGES_PENDING_MAX;
            for (int version = 1; version <= offered; version++) {
                writer.offer("config", Integer.toString(version), "{}");
                // The one being written is no longer queued; the rest are, up to the bound.
                assertThat(transport.pending.get())
                        .isLessThanOrEqualTo(LiveStream.MESSAGES_PENDING_MAX + 2L);
            }
            assertThat(transport.overflows.get()).isEqualTo(1);
            assertThat(watch.isCancelled()).as("the watch feeding the client ends").isTrue();

            client.reading.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> client.closed);
            List<String> received = client.received;
            assertThat(received.get(received.size() - 1)).isEqualTo("closed");
            assertThat(received.get(received.size() - 2)).isEqualTo("overflow");
            // In order, from the first, and no more than the bound and the one being written.
            List<String> events = received.subList(0, received.size() - 2);
            assertThat(events).hasSizeLessThanOrEqualTo(LiveStream.MESSAGES_PENDING_MAX + 1);
            for (int i = 0; i < events.size(); i++) {
                assertThat(events.get(i)).isEqualTo("config " + (i + 1));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> transport.pending.get() == 0);
            writer.offer("config", "late", "{}");
            assertThat(transport.pending.get()).isZero();
        } finally {
            writers.shutdownNow();
        }
    }

    @Test
    void aClientThatReadsGetsEveryEvent() {
        ExecutorService writers = Executors.newSingleThreadExecutor();
        try {
            LiveStream.Transport transport = new LiveStream.Transport("sse");
            StalledClient client = new StalledClient();
            client.reading.countDown();
            LiveStream.EventWriter writer = new LiveStream.EventWriter(client, writers,
                    transport);
            for (int version = 1; version <= 3 * LiveStream.MESSAGES_PENDING_MAX; version++) {
                writer.offer("config", Integer.toString(version), "{}");
                // Offered no faster than it is written, nothing piles up.
                int expected = version;
                await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                        .atMost(Duration.ofSeconds(10))
                        .until(() -> client.received.size() == expected);
            }
            assertThat(transport.overflows.get()).isZero();
            assertThat(transport.pending.get()).isZero();
        } finally {
            writers.shutdownNow();
        }
    }
}
