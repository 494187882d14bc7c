package io.cairndb.server.http;

// Proves a server-sent-events client that stops reading is bounded: at most 256 events wait for
// it; then its watch ends and its connection is closed at once, freeing its writer, as is one
// whose write blocks past the deadline; a client that merely waited for a writer is told why.

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventWriterTest {

    /** Longer than any test: only an overflow aborts. */
    private static final long WRITE_MILLIS_NEVER = 60_000;

    private final ExecutorService writers = Executors.newSingleThreadExecutor();
    private final ScheduledExecutorService deadlines =
            Executors.newSingleThreadScheduledExecutor();
    private final LiveStream.Transport transport = new LiveStream.Transport("sse");

    /**
     * A client whose socket is full until the test lets it read. Like Javalin's, a write that
     * fails because the connection was aborted terminates the client instead of throwing.
     */
    private static final class StalledClient implements LiveStream.EventSink {
        final CountDownLatch blocked = new CountDownLatch(1);
        final CountDownLatch released = new CountDownLatch(1);
        final List<String> received = new CopyOnWriteArrayList<>();
        volatile boolean aborted;
        volatile boolean closed;

        void read() {
            released.countDown();
        }

        @Override
        public boolean terminated() {
            return closed;
        }

        @Override
        public void send(String event, String id, String data) {
            blocked.countDown();
            try {
                if (!released.await(30, TimeUnit.SECONDS)) {
                    throw new AssertionError("the test never let the client read");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (aborted) {
                closed = true;
                return;
            }
            received.add(event + (id == null ? "" : " " + id));
        }

        @Override
        public void close() {
            received.add("closed");
            closed = true;
        }

        @Override
        public void abort() {
            aborted = true;
            released.countDown();
        }
    }

    @AfterEach
    void stop() {
        writers.shutdownNow();
        deadlines.shutdownNow();
    }

    @Test
    void aClientThatStopsReadingHoldsAtMostTheBoundThenIsCutOffAtOnce() throws Exception {
        StalledClient client = new StalledClient();
        LiveStream.EventWriter writer = new LiveStream.EventWriter(client, writers, deadlines,
                WRITE_MILLIS_NEVER, transport);
        ConfigWatch watch = new ConfigWatch(change -> { }, problem -> { });
        writer.onEnd = watch::cancel;
        writer.offer("config", "1", "{}");
        assertThat(client.blocked.await(10, TimeUnit.SECONDS)).isTrue();
        for (int version = 2; version <= 10 * LiveStream.MESSAGES_PENDING_MAX; version++) {
            writer.offer("config", Integer.toString(version), "{}");
            // The one being written is no longer queued; the rest are, up to the bound.
            assertThat(transport.pending.get())
                    .isLessThanOrEqualTo(LiveStream.MESSAGES_PENDING_MAX + 2L);
        }
        assertThat(transport.overflows.get()).isEqualTo(1);
        assertThat(watch.isCancelled()).as("the watch feeding the client ends").isTrue();
        assertThat(client.aborted).as("the connection is closed by the offer itself").isTrue();

        // The blocked write fails, and nothing queued behind it is written.
        await().atMost(Duration.ofSeconds(10)).until(() -> transport.pending.get() == 0);
        assertThat(client.closed).isTrue();
        assertThat(client.received).isEmpty();
        writer.offer("config", "late", "{}");
        assertThat(transport.pending.get()).isZero();
    }

    @Test
    void aClientThatWaitedForAWriterIsToldWhyItsStreamEnds() {
        StalledClient client = new StalledClient();
        client.read();
        List<Runnable> held = new ArrayList<>();
        LiveStream.EventWriter writer = new LiveStream.EventWriter(client, held::add, deadlines,
                WRITE_MILLIS_NEVER, transport);
        for (int version = 1; version <= LiveStream.MESSAGES_PENDING_MAX + 1; version++) {
            writer.offer("config", Integer.toString(version), "{}");
        }
        assertThat(transport.overflows.get()).isEqualTo(1);
        assertThat(client.aborted).as("no write was blocked").isFalse();

        while (!held.isEmpty()) {
            held.remove(0).run();
        }
        List<String> received = client.received;
        assertThat(received).hasSize(LiveStream.MESSAGES_PENDING_MAX + 2);
        for (int i = 0; i < LiveStream.MESSAGES_PENDING_MAX; i++) {
            assertThat(received.get(i)).isEqualTo("config " + (i + 1));
        }
        assertThat(received.subList(LiveStream.MESSAGES_PENDING_MAX, received.size()))
                .containsExactly("overflow", "closed");
        assertThat(transport.pending.get()).isZero();
    }

    @Test
    void aWriteBlockedPastTheDeadlineFreesItsWriterForTheOthers() {
        StalledClient stuck = new StalledClient();
        StalledClient reading = new StalledClient();
        reading.read();
        long writeMillisMax = 100;
        LiveStream.EventWriter stuckWriter = new LiveStream.EventWriter(stuck, writers,
                deadlines, writeMillisMax, transport);
        LiveStream.EventWriter readingWriter = new LiveStream.EventWriter(reading, writers,
                deadlines, writeMillisMax, transport);
        // One writer thread: the reading client's event waits behind the stuck write.
        stuckWriter.offer("config", "1", "{}");
        readingWriter.offer("config", "1", "{}");

        await().atMost(Duration.ofSeconds(10)).until(() -> reading.received.contains("config 1"));
        assertThat(stuck.aborted).isTrue();
        assertThat(stuck.closed).isTrue();
        assertThat(stuck.received).isEmpty();
        assertThat(transport.overflows.get()).as("not an overflow").isZero();
        assertThat(transport.pending.get()).isZero();
    }

    @Test
    void aClientThatReadsGetsEveryEvent() {
        StalledClient client = new StalledClient();
        client.read();
        LiveStream.EventWriter writer = new LiveStream.EventWriter(client, writers, deadlines,
                WRITE_MILLIS_NEVER, transport);
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
        assertThat(client.aborted).isFalse();
    }
}
