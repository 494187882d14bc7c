package io.cairndb.server.tracing;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Where a node sends its trace spans, and how many requests it traces. Tracing is off until an
 * endpoint is given.
 *
 * @param otlpEndpoint the OTLP/HTTP (protobuf) traces URL of a collector, e.g.
 *     {@code http://localhost:4318/v1/traces}; empty: tracing is off
 * @param samplingRatio the share of requests traced, from 0 to 1, when the caller sent no trace
 *     of its own; a request that arrives with a trace keeps its caller's decision
 */
public record TracingSettings(String otlpEndpoint, double samplingRatio) {

    public static final TracingSettings DEFAULTS = new TracingSettings("", 1.0);

    /** Whether spans are recorded and sent at all. */
    public boolean enabled() {
        return otlpEndpoint != null && !otlpEndpoint.isBlank();
    }

    /** The first setting out of bounds, as a sentence naming it, or null. */
    public String problem() {
        if (otlpEndpoint == null) {
            return "tracing.otlpEndpoint must be a URL or empty (tracing off)";
        }
        if (!(samplingRatio >= 0 && samplingRatio <= 1)) {
            return "tracing.samplingRatio is " + samplingRatio + "; it must be between 0 and 1";
        }
        if (!enabled()) {
            return null;
        }
        String problem = "tracing.otlpEndpoint is '" + otlpEndpoint + "'; it must be an http or "
                + "https URL of an OTLP/HTTP collector, e.g. http://localhost:4318/v1/traces";
        try {
            URI uri = new URI(otlpEndpoint);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
                    || uri.getHost() == null) {
                return problem;
            }
        } catch (URISyntaxException e) {
            return problem;
        }
        return null;
    }
}
