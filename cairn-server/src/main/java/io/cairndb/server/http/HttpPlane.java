package io.cairndb.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cairndb.core.CairnException;
import io.cairndb.server.common.ConfigException;
import io.cairndb.server.common.Errors;
import io.cairndb.server.observability.NodeMetrics;
import io.cairndb.server.observability.Readiness;
import io.cairndb.server.observability.RequestMetrics;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The node's HTTP port ({@code --http-port}), served by Javalin on Jetty: REST {@code /api/v1}
 * (see {@link RestApi}) with its documentation, Prometheus {@code /metrics}, and the health
 * endpoints: {@code GET /health} answers while the process
 * serves (liveness); {@code GET /health/ready} answers 200 only when this node can serve (see
 * {@link Readiness}) and 503 with the reasons otherwise.
 *
 * <p>Every request passes one before-handler (it names the request and starts its clock) and
 * one after-handler; concerns that apply to every route (authentication, rate limits) go there.
 * Every refusal, whoever makes it (a route, the router, Jetty's body limit), is a seed 002
 * envelope: never an HTML page, never a stack trace.
 *
 * <p>No handler holds a Jetty thread while it waits: coordinator and admin calls answer futures,
 * and work that blocks (the readiness check asks the control group) runs on its own threads.
 */
public final class HttpPlane implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Jetty's request threads; handlers never wait on them, so a few serve many requests. */
    private static final int REQUEST_THREADS_MAX = 16;
    private static final int REQUEST_THREADS_MIN = 2;
    private static final int IDLE_TIMEOUT_MILLIS = 60_000;

    private final Javalin javalin;
    private final ExecutorService checks;
    private final RestApi api;
    private final LiveStream stream;

    private HttpPlane(Javalin javalin, ExecutorService checks, RestApi api, LiveStream stream) {
        this.javalin = javalin;
        this.checks = checks;
        this.api = api;
        this.stream = stream;
    }

    /**
     * Serves on {@code host:port} (0 picks a free port).
     *
     * @throws ConfigException if the port cannot be bound
     */
    public static HttpPlane start(String host, int port, int socketSendBufferBytes,
                                  String nodeId, Readiness readiness,
                                  RestApi api, NodeMetrics metrics) {
        // Readiness blocks while it asks the control group, and a scrape reads every gauge; two
        // threads keep them from piling up behind one slow call without taking request threads.
        ExecutorService checks = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "http-readiness");
            thread.setDaemon(true);
            return thread;
        });
        ApiDocs docs = ApiDocs.load();
        LiveStream stream = api.stream();
        stream.meter(metrics.registry());
        QueuedThreadPool threads = new QueuedThreadPool(REQUEST_THREADS_MAX, REQUEST_THREADS_MIN,
                IDLE_TIMEOUT_MILLIS);
        threads.setName("http");
        threads.setDaemon(true);
        Javalin javalin = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.jetty.threadPool = threads;
            config.jetty.modifyServer(server -> server.setErrorHandler(
                    new EnvelopeErrorHandler()));
            config.http.prefer405over404 = true;
            config.http.maxRequestSize = api.bodyBytesMax();
            RoutesConfig routes = config.routes;
            routes.before(Envelope::begin);
            routes.after(ctx -> measure(ctx, metrics.requests()));
            routes.get("/metrics", ctx -> ctx.future(() -> CompletableFuture
                    .supplyAsync(metrics::scrape, checks)
                    .thenAccept(text -> ctx.contentType(NodeMetrics.CONTENT_TYPE).result(text))));
            routes.get("/health", ctx -> health(ctx, 200,
                    JSON.createObjectNode().put("status", "ok").put("nodeId", nodeId)));
            routes.get("/health/ready", ctx -> ctx.future(() -> CompletableFuture
                    .supplyAsync(readiness::readiness, checks)
                    .thenAccept(body -> health(ctx, body.get("ready").asBoolean() ? 200 : 503,
                            body))));
            api.register(routes, RequestValidator.of(docs.json()));
            docs.register(routes);
            stream.register(routes);
            routes.exception(ApiException.class, (e, ctx) -> Envelope.error(ctx, e.status(),
                    e.code(), e.getMessage(), e.details()));
            routes.exception(HttpResponseException.class,
                    (e, ctx) -> refuse(e, ctx, api.bodyBytesMax()));
            routes.exception(Exception.class, (e, ctx) -> {
                CairnException failure = Errors.unwrap(e);
                Envelope.error(ctx, 500, "INTERNAL_ERROR", failure.getMessage(),
                        Map.of("errorCode", failure.code().name()));
            });
            for (int status : new int[] {404, 405}) {
                routes.error(status, ctx -> {
                    if (ctx.result() == null || ctx.result().isEmpty()) {
                        unanswered(ctx, status, "");
                    }
                });
            }
        });
        try {
            javalin.start(host, port);
            if (socketSendBufferBytes > 0) {
                // Read for each connection as it is accepted, so setting it now covers them all.
                for (Connector connector : javalin.jettyServer().server().getConnectors()) {
                    if (connector instanceof ServerConnector server) {
                        server.setAcceptedSendBufferSize(socketSendBufferBytes);
                    }
                }
            }
        } catch (RuntimeException e) {
            checks.shutdownNow();
            stream.close();
            throw new ConfigException("cannot listen for HTTP on " + host + ":" + port + ": "
                    + e.getMessage() + (port != 0 ? " (is another process using the port? 0 "
                    + "picks a free one)" : ""), e);
        }
        return new HttpPlane(javalin, checks, api, stream);
    }

    public int port() {
        return javalin.port();
    }

    /** The REST routes served, as "METHOD /path/{param}". */
    public java.util.List<String> restRoutes() {
        return api.routes();
    }

    /** Records a REST request in the request meters: routes of the API and refusals under it. */
    private static void measure(Context ctx, RequestMetrics requests) {
        String operation = Envelope.operation(ctx);
        if (operation == null) {
            if (!ctx.path().startsWith(RestApi.PREFIX + "/") || ctx.statusCode() < 400) {
                return;
            }
            operation = "unmatched";
        }
        requests.record("rest", operation, RestApi.consistency(ctx), Envelope.outcome(ctx),
                Envelope.tenant(ctx), Envelope.elapsedNanos(ctx));
    }

    /** A refusal by Javalin itself (no route, wrong method, body over the limit). */
    private static void refuse(HttpResponseException e, Context ctx, long bodyBytesMax) {
        int status = e.getStatus();
        unanswered(ctx, status, status == 413
                ? "the request body is over the limit of " + bodyBytesMax + " bytes"
                : e.getMessage());
    }

    /**
     * Answers a refusal no handler wrote a body for. The health endpoints keep the answers they
     * always gave; everything else gets the envelope.
     */
    private static void unanswered(Context ctx, int status, String message) {
        if (ctx.path().startsWith("/health") && (status == 404 || status == 405)) {
            health(ctx, status, JSON.createObjectNode().put("error", status == 405
                    ? "only GET is supported"
                    : "no such endpoint: " + ctx.path() + " (try /health or /health/ready)"));
            return;
        }
        String text = switch (status) {
            case 404 -> "no route " + ctx.method() + " " + ctx.path() + "; the API is under "
                    + RestApi.PREFIX + ", health under /health";
            case 405 -> ctx.path() + " does not answer " + ctx.method();
            default -> message;
        };
        Envelope.error(ctx, status, HttpErrors.codeOfStatus(status), text, Map.of());
    }

    private static void health(Context ctx, int status, ObjectNode body) {
        try {
            ctx.status(status).contentType(Envelope.JSON_TYPE)
                    .result(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree: " + body, e);
        }
    }

    @Override
    public void close() {
        javalin.stop();
        checks.shutdownNow();
        stream.close();
    }
}
