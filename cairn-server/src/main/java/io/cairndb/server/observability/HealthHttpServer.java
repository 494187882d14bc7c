package io.cairndb.server.observability;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.cairndb.core.ControlGroup;
import io.cairndb.server.ConfigException;
import io.cairndb.server.control.ClusterMetadata;
import io.cairndb.server.control.MetadataStore;
import io.cairndb.server.membership.Membership;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Health endpoints on the HTTP port (seed 004): {@code GET /health} answers while the process
 * serves (liveness); {@code GET /health/ready} answers 200 only when this node reaches a majority
 * of the control group and its cluster view is current (readiness), and 503 with the reasons
 * otherwise. Both answer JSON.
 */
public final class HealthHttpServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor;
    private final String nodeId;
    private final MetadataStore metadata;
    private final Membership membership;
    private final long checkTimeoutMillis;

    private HealthHttpServer(HttpServer server, ExecutorService executor, String nodeId,
                             MetadataStore metadata, Membership membership,
                             long checkTimeoutMillis) {
        this.server = server;
        this.executor = executor;
        this.nodeId = nodeId;
        this.metadata = metadata;
        this.membership = membership;
        this.checkTimeoutMillis = checkTimeoutMillis;
    }

    /**
     * Serves on {@code host:port} (0 picks a free port).
     *
     * @throws ConfigException if the port cannot be bound
     */
    public static HealthHttpServer start(String host, int port, String nodeId,
                                         MetadataStore metadata, Membership membership,
                                         long checkTimeoutMillis) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 64);
        } catch (IOException e) {
            throw new ConfigException("cannot listen for HTTP on " + host + ":" + port + ": "
                    + e.getMessage() + (port != 0 ? " (is another process using the port? 0 "
                    + "picks a free one)" : ""), e);
        }
        ExecutorService executor = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "http");
            thread.setDaemon(true);
            return thread;
        });
        HealthHttpServer health = new HealthHttpServer(server, executor, nodeId, metadata,
                membership, checkTimeoutMillis);
        server.setExecutor(executor);
        server.createContext("/health", health::handle);
        server.start();
        return health;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!exchange.getRequestMethod().equals("GET")) {
                respond(exchange, 405, error("only GET is supported"));
            } else if (path.equals("/health") || path.equals("/health/")) {
                ObjectNode body = JSON.createObjectNode().put("status", "ok").put("nodeId", nodeId);
                respond(exchange, 200, body);
            } else if (path.equals("/health/ready")) {
                ObjectNode body = readiness();
                respond(exchange, body.get("ready").asBoolean() ? 200 : 503, body);
            } else {
                respond(exchange, 404, error("no such endpoint: " + path
                        + " (try /health or /health/ready)"));
            }
        }
    }

    /** Whether this node can serve: a control quorum answers, and its view is not behind. */
    ObjectNode readiness() {
        ObjectNode body = JSON.createObjectNode().put("nodeId", nodeId);
        ObjectNode checks = body.putObject("checks");
        boolean quorum;
        try {
            ClusterMetadata read = metadata.readLinearizable()
                    .get(checkTimeoutMillis, TimeUnit.MILLISECONDS);
            quorum = true;
            checks.putObject("controlQuorum").put("ok", true)
                    .put("detail", "a majority of the control group answered a read at version "
                            + read.version());
        } catch (java.util.concurrent.TimeoutException e) {
            quorum = false;
            checks.putObject("controlQuorum").put("ok", false)
                    .put("detail", "no majority of the control group answered within "
                            + checkTimeoutMillis + " ms");
        } catch (java.util.concurrent.ExecutionException e) {
            quorum = false;
            checks.putObject("controlQuorum").put("ok", false)
                    .put("detail", String.valueOf(e.getCause().getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            quorum = false;
            checks.putObject("controlQuorum").put("ok", false).put("detail", "interrupted");
        }
        long local = metadata.current().version();
        long newest = local;
        for (Map.Entry<String, Long> peer : membership.viewVersions().entrySet()) {
            if (membership.isAlive(peer.getKey())) {
                newest = Math.max(newest, peer.getValue());
            }
        }
        boolean current = local >= newest;
        checks.putObject("viewCurrent").put("ok", current)
                .put("detail", current ? "cluster view version " + local
                        : "cluster view version " + local + " is behind version " + newest
                                + " reported by a peer");
        String clockRefusal = membership.clockVerdict().reason();
        checks.putObject("clockInBounds").put("ok", clockRefusal == null)
                .put("detail", clockRefusal == null ? "this node's clock is within bounds of "
                        + "the cluster's" : clockRefusal);
        body.put("ready", quorum && current && clockRefusal == null);
        body.put("viewVersion", local);
        controlGroup(body);
        return body;
    }

    /**
     * Says who votes in the control group against the nodes that joined with the control role.
     * It does not decide readiness: a member taken out with {@code control remove-member} is
     * meant not to vote, and this node serves either way. But a group smaller than intended
     * tolerates fewer failures, and the body says so instead of hiding it.
     */
    private void controlGroup(ObjectNode body) {
        ControlGroup group = metadata.controlGroup();
        if (group == null) {
            return;
        }
        List<String> controlNodes = metadata.current().controlNodeIds();
        List<String> notVoting = group.notVoting(controlNodes);
        ObjectNode node = body.putObject("controlGroup");
        group.voters().keySet().forEach(node.putArray("voters")::add);
        controlNodes.forEach(node.putArray("controlNodes")::add);
        notVoting.forEach(node.putArray("notVoting")::add);
        if (!notVoting.isEmpty()) {
            body.putArray("warnings").add(ControlGroup.notVotingWarning(
                    group.voters().size(), notVoting));
        }
    }

    private static ObjectNode error(String message) {
        return JSON.createObjectNode().put("error", message);
    }

    private static void respond(HttpExchange exchange, int status, ObjectNode body)
            throws IOException {
        byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
