package io.cairndb.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Seed 002's JSON envelopes. Success: {@code {"success":true,"data":...,"meta":{...}}}; error:
 * {@code {"success":false,"error":{"code","message","details"},"meta":{...}}}. The meta names
 * the request ({@code requestId}, also sent as {@code X-Request-Id}), when it was answered
 * ({@code timestamp}, ISO-8601 UTC) and how long it took ({@code duration}, milliseconds).
 */
final class Envelope {

    static final String REQUEST_ID_HEADER = "X-Request-Id";
    static final String JSON_TYPE = "application/json";
    static final ObjectMapper JSON = new ObjectMapper();

    private static final String REQUEST_ID = "cairn.requestId";
    private static final String STARTED_NANOS = "cairn.startedNanos";
    private static final String OPERATION = "cairn.operation";
    private static final String TENANT = "cairn.tenant";
    private static final String OUTCOME = "cairn.outcome";
    /** A client's request id is echoed only if it is short and printable. */
    private static final Pattern CLIENT_REQUEST_ID = Pattern.compile("[\\x21-\\x7e]{1,128}");

    /** Writes the {@code data} member's value. */
    @FunctionalInterface
    interface Data {
        void write(JsonGenerator out) throws IOException;
    }

    private Envelope() {
    }

    /** Names the request (echoing the client's id if usable) and starts its clock. */
    static void begin(Context ctx) {
        String id = requestId(ctx.header(REQUEST_ID_HEADER));
        ctx.attribute(REQUEST_ID, id);
        ctx.attribute(STARTED_NANOS, System.nanoTime());
        ctx.header(REQUEST_ID_HEADER, id);
    }

    /** The client's request id if it is usable, else a new one. */
    static String requestId(String fromClient) {
        if (fromClient != null && CLIENT_REQUEST_ID.matcher(fromClient).matches()) {
            return fromClient;
        }
        return Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    }

    static String requestId(Context ctx) {
        String id = ctx.attribute(REQUEST_ID);
        return id == null ? "" : id;
    }

    /** Nanoseconds since {@link #begin}, or 0 if the request was not begun. */
    static long elapsedNanos(Context ctx) {
        Long started = ctx.attribute(STARTED_NANOS);
        return started == null ? 0 : System.nanoTime() - started;
    }

    /** Names the operation a route serves, and its tenant if any, for the request's meters. */
    static void operation(Context ctx, String operation, String tenant) {
        ctx.attribute(OPERATION, operation);
        if (tenant != null) {
            ctx.attribute(TENANT, tenant);
        }
    }

    /** The operation of the route that served the request, or null if none did. */
    static String operation(Context ctx) {
        return ctx.attribute(OPERATION);
    }

    static String tenant(Context ctx) {
        return ctx.attribute(TENANT);
    }

    /** "ok", or the refusal's gRPC error code, or (for refusals of the HTTP layer) its code. */
    static String outcome(Context ctx) {
        String outcome = ctx.attribute(OUTCOME);
        return outcome == null ? "ok" : outcome;
    }

    static void success(Context ctx, int status, Data data) {
        send(ctx, status, out -> {
            out.writeBooleanField("success", true);
            out.writeFieldName("data");
            data.write(out);
        });
    }

    static void error(Context ctx, int status, String code, String message,
                      Map<String, String> details) {
        ctx.attribute(OUTCOME, details.getOrDefault("errorCode", code));
        ctx.status(status).contentType(JSON_TYPE).result(render(requestId(ctx),
                elapsedNanos(ctx), errorMembers(code, message, details)));
    }

    /** An error envelope for a request no route saw (Jetty refused it while reading it). */
    static byte[] error(String requestId, String code, String message) {
        return render(requestId, 0, errorMembers(code, message, Map.of()));
    }

    private static Data errorMembers(String code, String message, Map<String, String> details) {
        return out -> {
            out.writeBooleanField("success", false);
            out.writeObjectFieldStart("error");
            out.writeStringField("code", code);
            out.writeStringField("message", message);
            out.writeObjectFieldStart("details");
            for (Map.Entry<String, String> detail : details.entrySet()) {
                out.writeStringField(detail.getKey(), detail.getValue());
            }
            out.writeEndObject();
            out.writeEndObject();
        };
    }

    private static void send(Context ctx, int status, Data members) {
        ctx.status(status).contentType(JSON_TYPE)
                .result(render(requestId(ctx), elapsedNanos(ctx), members));
    }

    private static byte[] render(String requestId, long elapsedNanos, Data members) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator out = JSON.createGenerator(bytes)) {
            out.writeStartObject();
            members.write(out);
            out.writeObjectFieldStart("meta");
            out.writeStringField("requestId", requestId);
            out.writeStringField("timestamp", Instant.now().toString());
            out.writeNumberField("duration", Math.round(elapsedNanos / 1e3) / 1e3);
            out.writeEndObject();
            out.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write an envelope to memory", e);
        }
        return bytes.toByteArray();
    }
}
