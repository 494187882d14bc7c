package io.cairndb.server.tracing;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;

/**
 * Carries a trace across a gRPC call as W3C {@code traceparent} (and {@code tracestate})
 * headers. On the calling side it is the interceptor of a peer stub: a call made
 * {@link Tracing#withParent with a parent} sends that parent's context; any other call goes out
 * untouched. The serving side reads the headers back with {@link #extract}.
 */
final class PeerPropagation implements ClientInterceptor {

    static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

    private static final TextMapSetter<Metadata> SETTER = (headers, name, value) ->
            headers.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value);

    private static final TextMapGetter<Metadata> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Metadata headers) {
            return headers.keys();
        }

        @Override
        public String get(Metadata headers, String name) {
            return headers == null ? null
                    : headers.get(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
        }
    };

    /** The trace context {@code headers} carry, under the root context; the root if none. */
    static Context extract(Metadata headers) {
        return Tracing.callerContext(headers, GETTER);
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method,
                                                 CallOptions options, Channel next) {
        Context parent = options.getOption(Tracing.PARENT);
        ClientCall<Q, R> call = next.newCall(method, options);
        if (parent == null) {
            return call;
        }
        return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
                W3C.inject(parent, headers, SETTER);
                super.start(listener, headers);
            }
        };
    }
}
