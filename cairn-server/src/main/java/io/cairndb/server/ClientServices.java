package io.cairndb.server;

import io.grpc.BindableService;
import io.grpc.HandlerRegistry;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.util.MutableHandlerRegistry;
import java.io.InputStream;

/**
 * The client port's services, added once the node has its metadata. The port is bound before
 * that (joining a cluster announces it), so a client can call in while the node starts: such a
 * call is refused as {@code UNAVAILABLE}, which clients retry, not {@code UNIMPLEMENTED}, which
 * says the method does not exist. Once the node serves, an unknown method is unimplemented.
 */
final class ClientServices extends HandlerRegistry {

    private final String nodeId;
    private final MutableHandlerRegistry services = new MutableHandlerRegistry();
    private volatile boolean serving;

    ClientServices(String nodeId) {
        this.nodeId = nodeId;
    }

    void add(BindableService service) {
        services.addService(service);
    }

    void add(ServerServiceDefinition service) {
        services.addService(service);
    }

    /** Every service is added: from now on an unknown method is one that does not exist. */
    void serving() {
        serving = true;
    }

    @Override
    public ServerMethodDefinition<?, ?> lookupMethod(String methodName, String authority) {
        ServerMethodDefinition<?, ?> method = services.lookupMethod(methodName, authority);
        if (method != null || serving) {
            return method;
        }
        MethodDescriptor<InputStream, InputStream> descriptor = MethodDescriptor
                .newBuilder(RawMarshaller.INSTANCE, RawMarshaller.INSTANCE)
                .setType(MethodDescriptor.MethodType.UNKNOWN)
                .setFullMethodName(methodName)
                .build();
        ServerCallHandler<InputStream, InputStream> starting = (call, headers) -> {
            call.close(Status.UNAVAILABLE.withDescription("node " + nodeId
                    + " is starting and does not serve clients yet; retry shortly"),
                    new Metadata());
            return new ServerCall.Listener<>() {
            };
        };
        return ServerMethodDefinition.create(descriptor, starting);
    }

    /** Leaves a call's messages unread: a call refused at once never parses one. */
    private enum RawMarshaller implements MethodDescriptor.Marshaller<InputStream> {
        INSTANCE;

        @Override
        public InputStream stream(InputStream value) {
            return value;
        }

        @Override
        public InputStream parse(InputStream stream) {
            return stream;
        }
    }
}
