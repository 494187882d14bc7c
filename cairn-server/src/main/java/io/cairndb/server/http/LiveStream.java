package io.cairndb.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.cairndb.api.admin.ConfigChange;
import io.cairndb.api.admin.WatchConfigRequest;
import io.cairndb.server.control.AdminGrpcService;
import io.cairndb.server.observability.ClusterEvents;
import io.javalin.config.RoutesConfig;
import io.javalin.http.sse.SseClient;
import io.javalin.websocket.WsContext;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;

/**
 * The live streams of the HTTP port. {@code /api/v1/stream} is a WebSocket speaking JSON messages. A client sends
 * {@code {"type":"subscribe","topic":"config","fromVersion":N}} and receives every configuration
 * change after metadata version N, then each new one as it is applied on this node:
 * {@code {"type":"config","change":{"version","config","changedAtMillis"}}}. It may send
 * {@code {"type":"unsubscribe","topic":"config"}} and {@code {"type":"ping"}} (answered
 * {@code pong}); the server also pings every {@link #PING_INTERVAL_SECONDS} s. A client that
 * lets more than {@link #MESSAGES_PENDING_MAX} messages pile up unsent is told
 * ({@code {"type":"overflow"}}) and disconnected, so a slow client cannot make the node buffer
 * without bound. Anything else gets {@code {"type":"error","message"}}.
 *
 * <p>{@code {"type":"subscribe","topic":"cluster"}} subscribes to cluster events (see
 * {@link ClusterEvents}): every node's present state, then each change, as
 * {@code {"type":"cluster","event":{"kind","nodeId","status","alive","atMillis"}}}.
 *
 * <p>{@code /api/v1/events?fromVersion=N&topics=config,cluster} offers the same as server-sent
 * events (for {@code curl -N -H 'Accept: text/event-stream'}); {@code topics} defaults to
 * {@code config}. {@code event: config} has the version as the event id and the change as JSON
 * data; {@code event: cluster} has the cluster event as JSON data. Events are written by a
 * small pool of this class's own, one client at a time, with the same bound per client. Past it
 * the stream ends: a client whose last write is still blocked cannot be told through its full
 * socket, so its connection is closed at once; any other gets {@code event: overflow} first. A
 * write blocked for more than {@link #EVENT_WRITE_MILLIS_MAX} ms also closes the connection, so
 * a client that stops reading holds a writer for at most that long and cannot stall the others.
 *
 * <p>Both transports are metered: clients connected, messages waiting to be written to their
 * sockets (at most {@link #MESSAGES_PENDING_MAX} a client, plus the overflow notice), and
 * clients dropped for falling behind.
 */
final class LiveStream implements AutoCloseable {

    static final String PATH = RestApi.PREFIX + "/stream";
    static final String EVENTS_PATH = RestApi.PREFIX + "/events";
    static final int MESSAGES_PENDING_MAX = 256;
    static final long PING_INTERVAL_SECONDS = 15;
    /** A socket that takes no event for this long is not being read (TCP buffers are large). */
    static final long EVENT_WRITE_MILLIS_MAX = 10_000;
    private static final String WATCH = "cairn.configWatch";
    private static final String CLUSTER = "cairn.clusterEvents";
    private static final String TOPICS = "config, cluster";
    private static final String PENDING = "cairn.pending";

    private final AdminGrpcService admin;
    private final ClusterEvents clusterEvents;
    private final Transport websocket = new Transport("websocket");
    private final Transport events = new Transport("sse");
    /** Writes server-sent events, which block while a client's socket is full. */
    private final ExecutorService writers = Executors.newFixedThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "http-events");
        thread.setDaemon(true);
        return thread;
    });
    /** Closes the connections of clients whose event writes block too long. */
    private final ScheduledExecutorService deadlines = deadlines();

    LiveStream(AdminGrpcService admin, ClusterEvents clusterEvents) {
        this.admin = admin;
        this.clusterEvents = clusterEvents;
    }

    /** What one transport's clients hold, for the meters. */
    static final class Transport {
        final String name;
        final AtomicInteger clients = new AtomicInteger();
        final AtomicLong pending = new AtomicLong();
        final AtomicLong overflows = new AtomicLong();

        Transport(String name) {
            this.name = name;
        }
    }

    private static ScheduledExecutorService deadlines() {
        ScheduledThreadPoolExecutor deadlines = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "http-events-deadlines");
            thread.setDaemon(true);
            return thread;
        });
        // Nearly every deadline is cancelled, its write done; they must not pile up.
        deadlines.setRemoveOnCancelPolicy(true);
        return deadlines;
    }

    @Override
    public void close() {
        writers.shutdownNow();
        deadlines.shutdownNow();
    }

    /** Registers the streams' meters: {@code cairn_stream_*} by {@code transport}. */
    void meter(MeterRegistry registry) {
        for (Transport transport : new Transport[] {websocket, events}) {
            Gauge.builder("cairn.stream.clients", transport.clients, AtomicInteger::get)
                    .description("Clients connected to a live stream")
                    .tag("transport", transport.name).register(registry);
            Gauge.builder("cairn.stream.messages.pending", transport.pending, AtomicLong::get)
                    .description("Stream messages queued for clients and not yet written to "
                            + "their sockets; at most " + MESSAGES_PENDING_MAX + " a client")
                    .tag("transport", transport.name).register(registry);
            FunctionCounter.builder("cairn.stream.overflows", transport.overflows,
                            AtomicLong::get)
                    .description("Stream clients disconnected because more than "
                            + MESSAGES_PENDING_MAX + " messages waited for them")
                    .tag("transport", transport.name).register(registry);
        }
    }

    void register(RoutesConfig routes) {
        routes.ws(PATH, ws -> {
            ws.onConnect(ctx -> {
                websocket.clients.incrementAndGet();
                ctx.attribute(PENDING, new AtomicInteger());
                ctx.enableAutomaticPings(PING_INTERVAL_SECONDS, TimeUnit.SECONDS);
                send(ctx, out -> {
                    out.writeStringField("type", "hello");
                    out.writeStringField("topics", TOPICS);
                });
            });
            ws.onMessage(ctx -> receive(ctx, ctx.message()));
            ws.onClose(ctx -> {
                websocket.clients.decrementAndGet();
                unsubscribe(ctx);
                unsubscribeCluster(ctx);
            });
            ws.onError(ctx -> {
                unsubscribe(ctx);
                unsubscribeCluster(ctx);
            });
        });
        routes.sse(EVENTS_PATH, this::events);
    }

    private void events(SseClient client) {
        EndPoint connection = ServletContextRequest.getServletContextRequest(client.ctx().req())
                .getServletChannel().getEndPoint();
        EventWriter writer = new EventWriter(new EventSink() {
            @Override
            public boolean terminated() {
                return client.terminated();
            }

            @Override
            public void send(String event, String id, String data) {
                if (id == null) {
                    client.sendEvent(event, data);
                } else {
                    client.sendEvent(event, data, id);
                }
            }

            @Override
            public void close() {
                client.close();
            }

            @Override
            public void abort() {
                connection.close();
            }
        }, writers, deadlines, EVENT_WRITE_MILLIS_MAX, events);
        String from = client.ctx().queryParam("fromVersion");
        String topics = client.ctx().queryParam("topics");
        List<String> wanted = Stream.of((topics == null || topics.isBlank() ? "config"
                : topics).split(",")).map(String::trim).toList();
        String unknown = wanted.stream()
                .filter(topic -> !topic.equals("config") && !topic.equals("cluster"))
                .findFirst().orElse(null);
        if (unknown != null) {
            writer.offer("error", null, "topic '" + ApiException.abbreviate(unknown)
                    + "' is unknown; the topics are: " + TOPICS);
            writer.offer("end", null, "");
            return;
        }
        long fromVersion;
        try {
            fromVersion = from == null || from.isEmpty() ? 0 : Long.parseLong(from);
        } catch (NumberFormatException e) {
            writer.offer("error", null, "fromVersion '" + ApiException.abbreviate(from)
                    + "' is not a metadata version, a whole number");
            writer.offer("end", null, "");
            return;
        }
        client.keepAlive();
        events.clients.incrementAndGet();
        Runnable leaveCluster = wanted.contains("cluster")
                ? clusterEvents.subscribe(event -> writer.offer("cluster", null,
                        text(out -> writeClusterEvent(out, event))))
                : () -> { };
        ConfigWatch watch = null;
        if (wanted.contains("config")) {
            watch = new ConfigWatch(change -> writer.offer("config",
                    Long.toString(change.getVersion()), text(out -> ProtoJson.writeMembers(out,
                            change))), problem -> writer.offer("error", null, problem));
        }
        ConfigWatch configWatch = watch;
        writer.onEnd = () -> {
            leaveCluster.run();
            if (configWatch != null) {
                configWatch.cancel();
            }
        };
        client.onClose(() -> {
            events.clients.decrementAndGet();
            writer.onEnd.run();
        });
        if (configWatch != null) {
            admin.watchConfig(WatchConfigRequest.newBuilder().setNodeId("events "
                    + client.ctx().ip()).setFromVersion(fromVersion).build(), configWatch);
        }
    }

    /** A cluster event's members: kind, node, its status, whether it is up, when seen. */
    private static void writeClusterEvent(JsonGenerator out, ClusterEvents.Event event)
            throws IOException {
        out.writeStringField("kind", event.kind());
        out.writeStringField("nodeId", event.nodeId());
        out.writeStringField("status", event.status());
        out.writeBooleanField("alive", event.alive());
        out.writeNumberField("atMillis", event.atMillis());
    }

    /** Where one SSE client's events go: the client's response, which blocks while it is full. */
    interface EventSink {
        boolean terminated();

        /**
         * Writes one event ({@code id} may be null); blocks while the client does not read. A
         * write that fails terminates the client instead of throwing.
         */
        void send(String event, String id, String data);

        /** Ends the stream after what was written. */
        void close();

        /**
         * Closes the client's connection now, from any thread and without blocking: a write
         * blocked on it fails, which terminates the client and frees the writer's thread.
         */
        void abort();
    }

    /** One SSE client's events, written in order on the writer pool, at most the bound queued. */
    static final class EventWriter {
        private final EventSink sink;
        private final Executor writers;
        private final ScheduledExecutorService deadlines;
        private final long writeMillisMax;
        private final Transport transport;
        private final Queue<String[]> queue = new ConcurrentLinkedQueue<>();
        private final AtomicInteger queued = new AtomicInteger();
        private final AtomicBoolean writing = new AtomicBoolean();
        /** Whether a write to the sink is under way, perhaps blocked on a full socket. */
        private volatile boolean sending;
        /** Ends what feeds this client (its config watch, its cluster events) on overflow. */
        volatile Runnable onEnd = () -> { };
        private volatile boolean ended;

        EventWriter(EventSink sink, Executor writers, ScheduledExecutorService deadlines,
                    long writeMillisMax, Transport transport) {
            this.sink = sink;
            this.writers = writers;
            this.deadlines = deadlines;
            this.writeMillisMax = writeMillisMax;
            this.transport = transport;
        }

        void offer(String event, String id, String data) {
            if (ended) {
                return;
            }
            transport.pending.incrementAndGet();
            if (queued.incrementAndGet() > MESSAGES_PENDING_MAX) {
                ended = true;
                transport.overflows.incrementAndGet();
                onEnd.run();
                // The end marker below is one more message than was counted.
                transport.pending.incrementAndGet();
                queued.incrementAndGet();
                queue.add(new String[] {"overflow", null, "more than " + MESSAGES_PENDING_MAX
                        + " events waited to be sent; reconnect with fromVersion set to the last"
                        + " event id received"});
                queue.add(new String[] {"end", null, ""});
                if (sending) {
                    // The notice would wait behind a write that the client is not taking; the
                    // connection ends instead, and the write fails rather than wait for Jetty's
                    // idle timeout with a writer thread held.
                    sink.abort();
                }
            } else {
                queue.add(new String[] {event, id, data});
            }
            if (writing.compareAndSet(false, true)) {
                writers.execute(this::drain);
            }
        }

        private void drain() {
            try {
                for (String[] event = queue.poll(); event != null; event = queue.poll()) {
                    queued.decrementAndGet();
                    transport.pending.decrementAndGet();
                    if (sink.terminated()) {
                        continue;
                    }
                    if (event[0].equals("end")) {
                        sink.close();
                    } else {
                        send(event);
                    }
                }
            } finally {
                writing.set(false);
            }
            if (!queue.isEmpty() && writing.compareAndSet(false, true)) {
                writers.execute(this::drain);
            }
        }

        /** Writes one event; one that blocks past the deadline aborts the connection. */
        private void send(String[] event) {
            ScheduledFuture<?> deadline = deadlines.schedule(sink::abort, writeMillisMax,
                    TimeUnit.MILLISECONDS);
            sending = true;
            try {
                sink.send(event[0], event[1], event[2]);
            } finally {
                sending = false;
            }
            if (!deadline.cancel(false) && !sink.terminated()) {
                // Aborted as the write completed: nothing else would notice the closed socket.
                sink.close();
            }
        }
    }

    private void receive(WsContext ctx, String message) {
        JsonNode parsed;
        try {
            parsed = Envelope.JSON.readTree(message);
        } catch (IOException e) {
            error(ctx, "the message is not JSON; send {\"type\":\"subscribe\",\"topic\":\"config\","
                    + "\"fromVersion\":0}");
            return;
        }
        String type = parsed.path("type").asText("");
        String topic = parsed.path("topic").asText("");
        switch (type) {
            case "ping" -> send(ctx, out -> out.writeStringField("type", "pong"));
            case "subscribe", "unsubscribe" -> {
                if (!topic.equals("config") && !topic.equals("cluster")) {
                    error(ctx, "topic '" + ApiException.abbreviate(topic) + "' is unknown; the "
                            + "topics are: " + TOPICS);
                } else if (topic.equals("cluster")) {
                    unsubscribeCluster(ctx);
                    if (type.equals("subscribe")) {
                        subscribeCluster(ctx);
                    }
                } else if (type.equals("unsubscribe")) {
                    unsubscribe(ctx);
                } else if (!parsed.path("fromVersion").canConvertToLong()
                        && parsed.has("fromVersion")) {
                    error(ctx, "fromVersion must be a metadata version, a whole number");
                } else {
                    subscribe(ctx, parsed.path("fromVersion").asLong(0));
                }
            }
            default -> error(ctx, "type '" + ApiException.abbreviate(type) + "' is unknown; send "
                    + "subscribe, unsubscribe or ping");
        }
    }

    private void subscribe(WsContext ctx, long fromVersion) {
        unsubscribe(ctx);
        ConfigWatch watch = new ConfigWatch(change -> send(ctx, out -> {
            out.writeStringField("type", "config");
            out.writeObjectFieldStart("change");
            ProtoJson.writeMembers(out, change);
            out.writeEndObject();
        }), problem -> error(ctx, problem));
        ctx.attribute(WATCH, watch);
        send(ctx, out -> {
            out.writeStringField("type", "subscribed");
            out.writeStringField("topic", "config");
            out.writeNumberField("fromVersion", fromVersion);
        });
        admin.watchConfig(WatchConfigRequest.newBuilder().setNodeId("websocket "
                + ctx.sessionId()).setFromVersion(fromVersion).build(), watch);
    }

    /** Sends every node's present state, then each cluster event, until unsubscribed. */
    private void subscribeCluster(WsContext ctx) {
        send(ctx, out -> {
            out.writeStringField("type", "subscribed");
            out.writeStringField("topic", "cluster");
        });
        ctx.attribute(CLUSTER, clusterEvents.subscribe(event -> send(ctx, out -> {
            out.writeStringField("type", "cluster");
            out.writeObjectFieldStart("event");
            writeClusterEvent(out, event);
            out.writeEndObject();
        })));
    }

    private void unsubscribeCluster(WsContext ctx) {
        Runnable leave = ctx.attribute(CLUSTER);
        if (leave != null) {
            leave.run();
            ctx.attribute(CLUSTER, null);
        }
    }

    private void unsubscribe(WsContext ctx) {
        ConfigWatch watch = ctx.attribute(WATCH);
        if (watch != null) {
            watch.cancel();
            ctx.attribute(WATCH, null);
        }
    }

    private void error(WsContext ctx, String message) {
        send(ctx, out -> {
            out.writeStringField("type", "error");
            out.writeStringField("message", message);
        });
    }

    /** Sends one message without waiting; past the bound, tells the client and closes. */
    private void send(WsContext ctx, Envelope.Data members) {
        Session session = ctx.session;
        AtomicInteger pending = ctx.attribute(PENDING);
        if (!session.isOpen() || pending == null) {
            return;
        }
        if (pending.incrementAndGet() > MESSAGES_PENDING_MAX) {
            // Nothing more is queued for this client: it is told once, and closed.
            ctx.attribute(PENDING, null);
            websocket.overflows.incrementAndGet();
            unsubscribe(ctx);
            unsubscribeCluster(ctx);
            session.sendText(text(out -> {
                out.writeStringField("type", "overflow");
                out.writeStringField("message", "more than " + MESSAGES_PENDING_MAX
                        + " messages waited to be sent to this client; reconnect and "
                        + "subscribe from the last version received");
            }), Callback.NOOP);
            session.close(StatusCode.POLICY_VIOLATION, "client too slow", Callback.NOOP);
            return;
        }
        websocket.pending.incrementAndGet();
        session.sendText(text(members), Callback.from(() -> {
            pending.decrementAndGet();
            websocket.pending.decrementAndGet();
        }, failure -> {
            pending.decrementAndGet();
            websocket.pending.decrementAndGet();
            unsubscribe(ctx);
            unsubscribeCluster(ctx);
        }));
    }

    private static String text(Envelope.Data members) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator out = Envelope.JSON.createGenerator(bytes)) {
            out.writeStartObject();
            members.write(out);
            out.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a message to memory", e);
        }
        return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
