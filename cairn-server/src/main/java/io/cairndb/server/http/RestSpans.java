package io.cairndb.server.http;

import io.cairndb.server.tracing.Tracing;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A server span per REST route call, the child of the trace the client sent in
 * {@code traceparent}, if any. It starts before the route's handler and ends in the
 * after-handler, once the answer is written. Javalin calls a route's future supplier after the
 * handler has returned, so the coordinator's work runs {@link #within} the span explicitly.
 * Installed only when tracing is on.
 */
final class RestSpans {

    /** The request attribute holding the span's trace context. */
    private static final String TRACE = "cairn.trace";

    private static final TextMapGetter<Context> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Context ctx) {
            return ctx.headerMap().keySet();
        }

        @Override
        public String get(Context ctx, String name) {
            return ctx == null ? null : ctx.header(name);
        }
    };

    private RestSpans() {
    }

    /** {@code handler} inside a new server span named after the route ("/a/{b}"). */
    static Handler around(Tracing tracing, HandlerType method, String route, Handler handler) {
        String name = method.name() + " " + route;
        return ctx -> {
            io.opentelemetry.context.Context caller = Tracing.callerContext(ctx, HEADERS);
            Span span = tracing.start(name, SpanKind.SERVER, caller);
            span.setAttribute("http.request.method", method.name());
            span.setAttribute("http.route", route);
            io.opentelemetry.context.Context trace = caller.with(span);
            ctx.attribute(TRACE, trace);
            try (Scope ignored = trace.makeCurrent()) {
                handler.handle(ctx);
            }
        };
    }

    /** {@code work}, run under the request's span when it has one. */
    static Supplier<CompletableFuture<?>> within(Context ctx,
                                                 Supplier<CompletableFuture<?>> work) {
        return () -> {
            io.opentelemetry.context.Context trace = ctx.attribute(TRACE);
            if (trace == null) {
                return work.get();
            }
            try (Scope ignored = trace.makeCurrent()) {
                return work.get();
            }
        };
    }

    /** The after-handler: ends the request's span with the answer's status. */
    static void end(Context ctx) {
        io.opentelemetry.context.Context trace = ctx.attribute(TRACE);
        if (trace == null) {
            return;
        }
        Span span = Span.fromContext(trace);
        int status = ctx.statusCode();
        span.setAttribute("http.response.status_code", status);
        if (status >= 500) {
            span.setStatus(StatusCode.ERROR);
        }
        span.end();
    }
}
