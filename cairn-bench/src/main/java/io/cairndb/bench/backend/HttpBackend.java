package io.cairndb.bench.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cairndb.core.Failures;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpMethod;

/**
 * CairnDB through its REST API ({@code /api/v1}) with Jetty's asynchronous HTTP/1.1 client: a
 * write is {@code PUT .../keys/KEY} with the value as the raw body, a read is {@code GET
 * .../keys/KEY} answered with the JSON envelope (value in base64), as a REST client would use
 * it. The client keeps a pool of keep-alive connections, one per request in flight. (The JDK's
 * own HttpClient was tried first: it spent some 600 µs of CPU per request, more than the server,
 * on the same two cores, so it measured itself more than the server.)
 */
final class HttpBackend implements Backend {

    static final String TARGET_DEFAULT = "127.0.0.1:8080";
    /** Enough connections for every request in flight; the driver bounds those itself. */
    private static final int CONNECTIONS_MAX = 1024;
    private static final int REQUESTS_QUEUED_MAX = 65_536;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Backends.Settings settings;
    private final String base;
    private final String consistency;
    private final HttpClient client = new HttpClient();
    private boolean tenantCreated;

    HttpBackend(Backends.Settings settings) {
        this.settings = settings;
        String target = settings.target() != null ? settings.target() : TARGET_DEFAULT;
        this.base = (target.startsWith("http://") ? target : "http://" + target)
                + "/api/v1/tenants/" + settings.tenant();
        this.consistency = settings.consistency() != null ? settings.consistency() : "quorum";
        client.setConnectTimeout(settings.timeout().toMillis());
        client.setMaxConnectionsPerDestination(CONNECTIONS_MAX);
        client.setMaxRequestsQueuedPerDestination(REQUESTS_QUEUED_MAX);
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the HTTP client: " + e, e);
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
        ContentResponse created;
        try {
            created = request(URI.create(tenants)).method(HttpMethod.POST)
                    .body(new StringRequestContent("application/json", body)).send();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (TimeoutException | ExecutionException e) {
            throw new IllegalStateException("cannot reach CairnDB's REST API at " + tenants
                    + ": " + Failures.cause(e), e);
        }
        if (created.getStatus() == 201) {
            tenantCreated = true;
        } else if (created.getStatus() != 409) {
            throw new IllegalStateException("cannot create tenant '" + settings.tenant()
                    + "' over REST at " + tenants + ": HTTP " + created.getStatus() + " "
                    + created.getContentAsString());
        }
    }

    private Request request(URI uri) {
        return client.newRequest(uri).timeout(settings.timeout().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("target", base);
        description.put("tenant", settings.tenant());
        description.put("tenantCreated", tenantCreated);
        description.put("consistency", consistency);
        description.put("transport", "HTTP/1.1, Jetty HttpClient");
        return description;
    }

    private URI uri(String key) {
        return URI.create(base + "/keys/" + URLEncoder.encode(key, StandardCharsets.UTF_8)
                + "?consistency=" + consistency);
    }

    @Override
    public CompletableFuture<?> write(String key, byte[] value) {
        return send(key, request(uri(key)).method(HttpMethod.PUT)
                .body(new BytesRequestContent("application/octet-stream", value)));
    }

    @Override
    public CompletableFuture<?> read(String key) {
        return send(key, request(uri(key)).method(HttpMethod.GET));
    }

    private CompletableFuture<byte[]> send(String key, Request request) {
        return new CompletableResponseListener(request).send().thenApply(response -> {
            if (response.getStatus() == 200) {
                return response.getContent();
            }
            String code = errorCode(response.getContent());
            if (code.equals(KeyNotFound.CODE)) {
                throw new KeyNotFound(key);
            }
            throw new CompletionException(new RestError(code, response.getStatus()));
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
        if (cause instanceof TimeoutException) {
            return "TIMEOUT";
        }
        if (cause instanceof ConnectException) {
            return "UNAVAILABLE";
        }
        return cause.getClass().getSimpleName();
    }

    @Override
    public void close() {
        try {
            client.stop();
        } catch (Exception e) {
            // Closing at the end of a run; nothing is waiting on the client any more.
        }
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
