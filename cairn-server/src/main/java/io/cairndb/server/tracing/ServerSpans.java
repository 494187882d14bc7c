package io.cairndb.server.tracing;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/**
 * A server span around each gRPC call, the child of the trace context the caller sent if any.
 * The span is current on the thread while the call's handler runs (its listener's callbacks),
 * which is where the handler reads it ({@link Tracing#current}) to pass on explicitly. The span
 * ends when the call closes or is cancelled. Streams get one span for the whole stream.
 */
final class ServerSpans implements ServerInterceptor {

    private final Tracer tracer;
    private final boolean onlyPropagated;

    ServerSpans(Tracer tracer, boolean onlyPropagated) {
        this.tracer = tracer;
        this.onlyPropagated = onlyPropagated;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        Context caller = PeerPropagation.extract(headers);
        if (onlyPropagated && !Span.fromContext(caller).getSpanContext().isValid()) {
            return next.startCall(call, headers);
        }
        MethodDescriptor<Q, R> method = call.getMethodDescriptor();
        Span span = tracer.spanBuilder(method.getFullMethodName())
                .setSpanKind(SpanKind.SERVER)
                .setParent(caller)
                .setAttribute("rpc.system", "grpc")
                .setAttribute("rpc.service", String.valueOf(method.getServiceName()))
                .setAttribute("rpc.method", String.valueOf(method.getBareMethodName()))
                .startSpan();
        Context context = caller.with(span);
        ServerCall<Q, R> ending = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                span.setAttribute("rpc.grpc.status_code", status.getCode().value());
                if (!status.isOk()) {
                    span.setStatus(StatusCode.ERROR, status.getCode() + (status.getDescription()
                            == null ? "" : ": " + status.getDescription()));
                }
                span.end();
                super.close(status, trailers);
            }
        };
        ServerCall.Listener<Q> listener;
        try (Scope ignored = context.makeCurrent()) {
            listener = next.startCall(ending, headers);
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onMessage(Q message) {
                try (Scope ignored = context.makeCurrent()) {
                    super.onMessage(message);
                }
            }

            @Override
            public void onHalfClose() {
                try (Scope ignored = context.makeCurrent()) {
                    super.onHalfClose();
                }
            }

            @Override
            public void onCancel() {
                span.setStatus(StatusCode.ERROR, "cancelled by the caller");
                span.end();
                try (Scope ignored = context.makeCurrent()) {
                    super.onCancel();
                }
            }

            @Override
            public void onComplete() {
                try (Scope ignored = context.makeCurrent()) {
                    super.onComplete();
                }
            }

            @Override
            public void onReady() {
                try (Scope ignored = context.makeCurrent()) {
                    super.onReady();
                }
            }
        };
    }
}
