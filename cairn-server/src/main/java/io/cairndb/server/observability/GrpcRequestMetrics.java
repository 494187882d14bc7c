package io.cairndb.server.observability;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Records unary gRPC calls in the {@link RequestMetrics} the REST routes use, with the same
 * labels: the operation is the method name in lower camel case (as the OpenAPI operationIds),
 * the consistency and tenant come from the request, and the outcome is "ok" or the response's
 * in-band {@code error_code}. Streams ({@code Pipeline}, {@code WatchConfig}) are not counted here.
 */
public final class GrpcRequestMetrics implements ServerInterceptor {

    private final RequestMetrics requests;

    public GrpcRequestMetrics(RequestMetrics requests) {
        this.requests = requests;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        if (!call.getMethodDescriptor().getType().clientSendsOneMessage()
                || !call.getMethodDescriptor().getType().serverSendsOneMessage()) {
            return next.startCall(call, headers);
        }
        long startedNanos = System.nanoTime();
        String method = call.getMethodDescriptor().getBareMethodName();
        String operation = method == null ? "unknown"
                : Character.toLowerCase(method.charAt(0)) + method.substring(1);
        Object[] request = new Object[1];
        ServerCall<Q, R> measured = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            private Object response;

            @Override
            public void sendMessage(R message) {
                response = message;
                super.sendMessage(message);
            }

            @Override
            public void close(Status status, Metadata trailers) {
                requests.record("grpc", operation, text(request[0], "consistency"),
                        status.isOk() ? outcome(response) : status.getCode().name(),
                        text(request[0], "tenant_id"), System.nanoTime() - startedNanos);
                super.close(status, trailers);
            }
        };
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
                next.startCall(measured, headers)) {
            @Override
            public void onMessage(Q message) {
                request[0] = message;
                super.onMessage(message);
            }
        };
    }

    private static String text(Object message, String field) {
        if (message instanceof Message proto) {
            FieldDescriptor descriptor = proto.getDescriptorForType().findFieldByName(field);
            if (descriptor != null && descriptor.getJavaType() == FieldDescriptor.JavaType.STRING) {
                return (String) proto.getField(descriptor);
            }
        }
        return null;
    }

    private static String outcome(Object response) {
        if (response instanceof Message proto) {
            var type = proto.getDescriptorForType();
            FieldDescriptor success = type.findFieldByName("success");
            FieldDescriptor code = type.findFieldByName("error_code");
            if (success != null && code != null && !(Boolean) proto.getField(success)) {
                EnumValueDescriptor value = (EnumValueDescriptor) proto.getField(code);
                // A batch with failed items has no code of its own: it was answered.
                return value.getNumber() == 0 ? "ok" : value.getName();
            }
        }
        return "ok";
    }
}
