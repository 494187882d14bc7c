package io.cairndb.bench.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cairndb.core.Failures;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * CairnDB through its REST API ({@code /api/v1}) with the JDK's asynchronous HTTP/1.1 client: a
 * write is {@code PUT .../keys/KEY} with the value as the raw body, a read is {@code GET
 * .../keys/KEY} answered with the JSON envelope (value in base64), as a REST client would use
 * it. Each client keeps a pool of keep-alive connections, one per request in flight.
 */
final class HttpBackend implements Backend {

    static final String TARGET_DEFAULT = "127.0.0.1:8080";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Backends.Settings settings;
    private final String base;
    private final String consistency;
    private final List<HttpClient> clients = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private boolean tenantCreated;

    HttpBackend(Backends.Settings settings) {
        this.settings = settings;
        String target = settings.target() != null ? settings.target() : TARGET_DEFAULT;
        this.base = (target.startsWith("http://") ? target : "http://" + target)
                + "/api/v1/tenants/" + settings.tenant();
        this.consistency = settings.consistency() != null ? settings.consistency() : "quorum";
        for (int i = 0; i < settings.connections(); i++) {
            clients.add(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(settings.timeout()).build());
        }
    }

    @Override
    public String name() {
        return "http";
    }

    @Override
    public void prepare() {
        String tenants = base.substring(0, base.lastIndexOf('/'));
        String body = "{\"tenantId\":\"" + settings.tenant() + "\""
                + (settings.replicationFactor() > 0
                ? ",\"replicationFactor\":" + settings.replicationFactor() : "") + "}";
        HttpResponse<byte[]> created = call(HttpRequest.newBuilder(URI.create(tenants))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        if (created.statusCode() == 201) {
            tenantCreated = true;
        } else if (created.statusCode() != 409) {
            throw new IllegalStateException("cannot create tenant '" + settings.tenant()
                    + "' over REST at " + tenants + ": HTTP " + created.statusCode() + " "
                    + new String(created.body(), StandardCharsets.UTF_8));
        }
    }

    private HttpResponse<byte[]> call(HttpRequest.Builder request) {
        try {
            return clients.get(0).send(request.timeout(settings.timeout()).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach CairnDB's REST API at " + base + ": "
                    + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("target", base);
        description.put("tenant", settings.tenant());
        description.put("tenantCreated", tenantCreated);
        description.put("consistency", consistency);
        description.put("clients", clients.size());
        description.put("transport", "HTTP/1.1, JDK HttpClient");
        return description;
    }

    private HttpClient client() {
        if (clients.size() == 1) {
            return clients.get(0);
        }
        return clients.get(Math.floorMod(next.getAndIncrement(), clients.size()));
    }

    private URI uri(String key) {
        return URI.create(base + "/keys/" + URLEncoder.encode(key, StandardCharsets.UTF_8)
                + "?consistency=" + consistency);
    }

    @Override
    public CompletableFuture<?> write(String key, byte[] value) {
        return send(key, HttpRequest.newBuilder(uri(key))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(value)));
    }

    @Override
    public CompletableFuture<?> read(String key) {
        return send(key, HttpRequest.newBuilder(uri(key)).GET());
    }

    private CompletableFuture<byte[]> send(String key, HttpRequest.Builder request) {
        return client().sendAsync(request.timeout(settings.timeout()).build(),
                        HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(response -> {
                    if (response.statusCode() == 200) {
                        return response.body();
                    }
                    String code = errorCode(response.body());
                    if (code.equals(KeyNotFound.CODE)) {
                        throw new KeyNotFound(key);
                    }
                    throw new CompletionException(new RestError(code, response.statusCode()));
                });
    }

    /** The refusal's gRPC error code from its envelope, else its envelope code. */
    private static String errorCode(byte[] body) {
        try {
            JsonNode error = JSON.readTree(body).path("error");
            String code = error.path("details").path("errorCode").asText("");
            return code.isEmpty() ? error.path("code").asText("UNKNOWN") : code;
        } catch (IOException e) {
            return "NOT_AN_ENVELOPE";
        }
    }

    @Override
    public String errorCode(Throwable failure) {
        Throwable cause = Failures.cause(failure);
        if (cause instanceof RestError rest) {
            return rest.code;
        }
        if (cause instanceof HttpTimeoutException) {
            return "TIMEOUT";
        }
        if (cause instanceof ConnectException) {
            return "UNAVAILABLE";
        }
        return cause.getClass().getSimpleName();
    }

    @Override
    public void close() {
        // The JDK's HttpClient (Java 17) has no close; its connections end with the process.
        clients.clear();
    }

    /** A refusal answered with an envelope. */
    private static final class RestError extends RuntimeException {

        private static final long serialVersionUID = 1L;

        private final String code;

        RestError(String code, int status) {
            super("HTTP " + status + " " + code, null, false, false);
            this.code = code;
        }
    }
}
