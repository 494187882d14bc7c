package io.cairndb.server.control;

import io.cairndb.api.control.ControlMembersRequest;
import io.cairndb.api.control.ControlMembersResponse;
import io.cairndb.api.control.ControlServiceGrpc;
import io.cairndb.api.control.JoinRequest;
import io.cairndb.api.control.JoinResponse;
import io.cairndb.server.ConfigException;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The calls a control member makes to join a cluster through another member: learn the control
 * group's members, then ask to be registered and added. Each call is retried while the member
 * cannot be reached, up to a deadline, so nodes may be started in any order.
 */
public final class ClusterJoin {

    private ClusterJoin() {
    }

    /** The control group's members (id to Raft address), as {@code target} knows them. */
    public static Map<String, String> controlMembers(String target, long requestTimeoutMillis,
                                                     long joinTimeoutMillis) {
        ControlMembersResponse response = retrying(target, requestTimeoutMillis, joinTimeoutMillis,
                stub -> stub.controlMembers(ControlMembersRequest.getDefaultInstance()));
        Map<String, String> members = new LinkedHashMap<>();
        response.getMembersList().forEach(member -> members.put(member.getMemberId(),
                member.getRaftAddress()));
        if (members.isEmpty()) {
            throw new ConfigException("cannot join through " + target + ": it reports no control "
                    + "group members (join through a node that has the control role)");
        }
        return members;
    }

    /** Registers this node through {@code target}; throws naming the reason if refused. */
    public static void join(String target, JoinRequest request, long requestTimeoutMillis,
                            long joinTimeoutMillis) {
        JoinResponse response = retrying(target, requestTimeoutMillis * 4, joinTimeoutMillis,
                stub -> stub.join(request));
        if (!response.getSuccess()) {
            throw new ConfigException("cannot join the cluster through " + target + ": "
                    + response.getErrorMessage());
        }
    }

    private static <T> T retrying(String target, long requestTimeoutMillis, long joinTimeoutMillis,
                                  Function<ControlServiceGrpc.ControlServiceBlockingStub, T> call) {
        ManagedChannel channel = NettyChannelBuilder.forTarget(target).usePlaintext()
                .maxInboundMessageSize(64 * 1024 * 1024).build();
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(joinTimeoutMillis);
            while (true) {
                try {
                    return call.apply(ControlServiceGrpc.newBlockingStub(channel)
                            .withDeadlineAfter(requestTimeoutMillis, TimeUnit.MILLISECONDS));
                } catch (StatusRuntimeException e) {
                    if (System.nanoTime() > deadline) {
                        throw new ConfigException("cannot join the cluster through " + target
                                + ": " + e.getStatus().getCode()
                                + (e.getStatus().getDescription() == null ? ""
                                        : " " + e.getStatus().getDescription())
                                + " (is a node serving there?)");
                    }
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ConfigException("interrupted while joining " + target);
                }
            }
        } finally {
            channel.shutdownNow();
        }
    }
}
