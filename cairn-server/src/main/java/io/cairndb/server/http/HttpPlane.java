package io.cairndb.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cairndb.server.ConfigException;
import io.cairndb.server.observability.Readiness;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The node's HTTP port ({@code --http-port}), served by Javalin on Jetty: {@code GET /health}
 * answers while the process serves (liveness); {@code GET /health/ready} answers 200 only when
 * this node can serve (see {@link Readiness}) and 503 with the reasons otherwise. Both answer JSON.
 *
 * <p>No handler holds a Jetty thread while it waits: work that waits (the readiness check asks
 * the control group) runs on its own threads and its answer is sent when its future completes.
 */
public final class HttpPlane implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Jetty's request threads; handlers never wait on them, so a few serve many requests. */
    private static final int REQUEST_THREADS_MAX = 16;
    private static final int REQUEST_THREADS_MIN = 2;
    private static final int IDLE_TIMEOUT_MILLIS = 60_000;

    private final Javalin javalin;
    private final ExecutorService checks;

    private HttpPlane(Javalin javalin, ExecutorService checks) {
        this.javalin = javalin;
        this.checks = checks;
    }

    /**
     * Serves on {@code host:port} (0 picks a free port).
     *
     * @throws ConfigException if the port cannot be bound
     */
    public static HttpPlane start(String host, int port, String nodeId, Readiness readiness) {
        // Readiness blocks while it asks the control group; two threads keep probes from piling
        // up behind one slow check without letting them take the request threads.
        ExecutorService checks = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "http-readiness");
            thread.setDaemon(true);
            return thread;
        });
        QueuedThreadPool threads = new QueuedThreadPool(REQUEST_THREADS_MAX, REQUEST_THREADS_MIN,
                IDLE_TIMEOUT_MILLIS);
        threads.setName("http");
        threads.setDaemon(true);
        Javalin javalin = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.jetty.threadPool = threads;
            config.http.prefer405over404 = true;
            config.routes.get("/health", ctx -> json(ctx, 200,
                    JSON.createObjectNode().put("status", "ok").put("nodeId", nodeId)));
            config.routes.get("/health/ready", ctx -> ctx.future(() -> CompletableFuture
                    .supplyAsync(readiness::readiness, checks)
                    .thenAccept(body -> json(ctx, body.get("ready").asBoolean() ? 200 : 503,
                            body))));
            config.routes.error(404, ctx -> json(ctx, 404, error("no such endpoint: "
                    + ctx.path() + " (try /health or /health/ready)")));
            config.routes.error(405, ctx -> json(ctx, 405, error("only GET is supported")));
        });
        try {
            javalin.start(host, port);
        } catch (RuntimeException e) {
            checks.shutdownNow();
            throw new ConfigException("cannot listen for HTTP on " + host + ":" + port + ": "
                    + e.getMessage() + (port != 0 ? " (is another process using the port? 0 "
                    + "picks a free one)" : ""), e);
        }
        return new HttpPlane(javalin, checks);
    }

    public int port() {
        return javalin.port();
    }

    private static ObjectNode error(String message) {
        return JSON.createObjectNode().put("error", message);
    }

    private static void json(Context ctx, int status, ObjectNode body) {
        try {
            ctx.status(status).contentType("application/json")
                    .result(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree: " + body, e);
        }
    }

    @Override
    public void close() {
        javalin.stop();
        checks.shutdownNow();
    }
}
