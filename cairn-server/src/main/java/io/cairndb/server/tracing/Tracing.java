package io.cairndb.server.tracing;

import io.grpc.BindableService;
import io.grpc.CallOptions;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.AbstractStub;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One node's OpenTelemetry tracing: the spans of a request from its entry (gRPC or REST) through
 * the coordinator to each replica and its storage, linked across nodes by W3C trace context on
 * the peer calls.
 *
 * <p>Off unless configured, and then free: {@link #disabled()} installs no interceptor and
 * starts no thread, and every traced path first asks {@link #enabled()} (or finds a null trace
 * context) and does nothing more, so an untraced request allocates nothing for tracing.
 *
 * <p>Each node has its own SDK, never the global one: nodes sharing a JVM in tests keep their
 * spans apart. A trace {@link Context} crosses threads only as an explicit argument; the current
 * context is read only on the thread that set it (an entry span's handler call).
 */
public final class Tracing implements AutoCloseable {

    static final String INSTRUMENTATION = "io.cairndb.server";
    private static final long SHUTDOWN_SECONDS_MAX = 10;
    private static final Tracing DISABLED = new Tracing(null);

    /** The trace context a peer call's span belongs to, for the interceptor to send along. */
    static final CallOptions.Key<Context> PARENT = CallOptions.Key.create("cairn.trace");

    private final SdkTracerProvider provider;
    private final Tracer tracer;

    private Tracing(SdkTracerProvider provider) {
        this.provider = provider;
        this.tracer = provider == null ? null : provider.get(INSTRUMENTATION);
    }

    /** Tracing that records nothing. */
    public static Tracing disabled() {
        return DISABLED;
    }

    /**
     * Tracing as {@code settings} say: spans batched and sent over OTLP/HTTP when an endpoint is
     * set, else {@link #disabled()}.
     */
    public static Tracing start(TracingSettings settings, String nodeId) {
        if (!settings.enabled()) {
            return DISABLED;
        }
        SpanExporter exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(settings.otlpEndpoint()).build();
        return new Tracing(provider(BatchSpanProcessor.builder(exporter).build(),
                settings.samplingRatio(), nodeId));
    }

    /**
     * Tracing that hands each span to {@code exporter} as soon as it ends, on the thread that
     * ends it: for exporters that keep spans in memory, such as a test's.
     */
    public static Tracing exportingTo(SpanExporter exporter, double samplingRatio,
                                      String nodeId) {
        return new Tracing(provider(SimpleSpanProcessor.create(exporter), samplingRatio, nodeId));
    }

    private static SdkTracerProvider provider(SpanProcessor processor, double samplingRatio,
                                              String nodeId) {
        Resource node = Resource.create(Attributes.of(
                AttributeKey.stringKey("service.name"), "cairndb",
                AttributeKey.stringKey("service.instance.id"), nodeId));
        return SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(node))
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(samplingRatio)))
                .addSpanProcessor(processor)
                .build();
    }

    /** Whether spans are recorded; when not, no caller creates one. */
    public boolean enabled() {
        return provider != null;
    }

    /**
     * The trace context of the span now current on this thread, or null when tracing is off. Only
     * for the thread an entry span's handler runs on; pass the result on explicitly.
     */
    public Context current() {
        return provider == null ? null : Context.current();
    }

    /**
     * The trace context a caller sent in W3C {@code traceparent} headers of {@code carrier}, under
     * the root context; the root context itself when it sent none.
     */
    public static <C> Context callerContext(C carrier, TextMapGetter<C> headers) {
        return PeerPropagation.W3C.extract(Context.root(), carrier, headers);
    }

    /** Starts a span under {@code parent}; the caller ends it ({@link #endWhenDone}). */
    public Span start(String name, SpanKind kind, Context parent) {
        return tracer.spanBuilder(name).setSpanKind(kind).setParent(parent).startSpan();
    }

    /** Ends {@code span} when {@code future} completes, marked failed if it fails. */
    public static <T> CompletableFuture<T> endWhenDone(Span span, CompletableFuture<T> future) {
        return future.whenComplete((result, error) -> end(span, error));
    }

    /** Ends {@code span}, marked failed with {@code error}'s message when there is one. */
    public static void end(Span span, Throwable error) {
        if (error != null) {
            span.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
        }
        span.end();
    }

    /**
     * {@code service} with a server span around each call. A client-facing service starts a
     * trace for every call (joining the client's when it sends one); a peer service
     * ({@code peer}) traces only calls that arrive with a trace, so heartbeats and other
     * untraced peer calls make no spans.
     */
    public ServerServiceDefinition serve(ServerServiceDefinition service, boolean peer) {
        return provider == null ? service
                : ServerInterceptors.intercept(service, new ServerSpans(tracer, peer));
    }

    /** As {@link #serve(ServerServiceDefinition, boolean)}, for a service not yet bound. */
    public ServerServiceDefinition serve(BindableService service, boolean peer) {
        return serve(service.bindService(), peer);
    }

    /** {@code stub}, sending the trace context of {@link #withParent} calls to the peer. */
    public <S extends AbstractStub<S>> S propagating(S stub) {
        return provider == null ? stub : stub.withInterceptors(new PeerPropagation());
    }

    /** {@code stub} for one call whose server span is to be a child of {@code trace}. */
    public static <S extends AbstractStub<S>> S withParent(S stub, Context trace) {
        return stub.withOption(PARENT, trace);
    }

    /** Sends the spans not yet exported, then stops; waits for that at most 10 seconds. */
    @Override
    public void close() {
        if (provider != null) {
            provider.shutdown().join(SHUTDOWN_SECONDS_MAX, TimeUnit.SECONDS);
        }
    }
}
