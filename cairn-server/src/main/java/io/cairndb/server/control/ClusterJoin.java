package io.cairndb.server.control;

import io.cairndb.api.ErrorCode;
import io.cairndb.api.control.ControlMembersRequest;
import io.cairndb.api.control.ControlMembersResponse;
import io.cairndb.api.control.ControlServiceGrpc;
import io.cairndb.api.control.JoinRequest;
import io.cairndb.api.control.JoinResponse;
import io.cairndb.server.common.ConfigException;
import io.cairndb.server.common.ServerLimits;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The calls a control member makes to join a cluster through another member: learn the control
 * group's members, then ask to be registered and added. Each call is tried again, as
 * {@link JoinWait} says, while the member cannot be reached or answers that it cannot act yet, so
 * nodes may be started in any order and all at once.
 */
public final class ClusterJoin {

    /**
     * Refusals that pass: the member has no majority yet, its group is changing, or it is still
     * starting. Any other refusal names something the operator must fix.
     */
    static final Set<Integer> RETRYABLE_CODES = Set.of(ErrorCode.QUORUM_NOT_REACHED_VALUE,
            ErrorCode.INTERNAL_ERROR_VALUE);

    private ClusterJoin() {
    }

    /** The control group's members (id to Raft address), as {@code target} knows them. */
    public static Map<String, String> controlMembers(String target, long requestTimeoutMillis,
                                                     long joinTimeoutMillis) {
        ControlMembersResponse response = retrying(target, "learn the control group",
                requestTimeoutMillis, joinTimeoutMillis, stub -> {
                    ControlMembersResponse members = stub.controlMembers(
                            ControlMembersRequest.getDefaultInstance());
                    return members.getMembersCount() == 0
                            ? new JoinWait.Attempt.Retry<>("it reports no control group members "
                                    + "yet (is it a node with the control role?)")
                            : new JoinWait.Attempt.Answer<>(members);
                });
        Map<String, String> members = new LinkedHashMap<>();
        response.getMembersList().forEach(member -> members.put(member.getMemberId(),
                member.getRaftAddress()));
        return members;
    }

    /** Registers this node through {@code target}; throws naming the reason if refused. */
    public static void join(String target, JoinRequest request, long requestTimeoutMillis,
                            long joinTimeoutMillis) {
        // A join first brings this member up to date, then changes the group: several requests'
        // worth of time.
        retrying(target, "join the cluster", requestTimeoutMillis * 4, joinTimeoutMillis,
                stub -> answerOrRetry(target, stub.join(request)));
    }

    /** The member's answer to a join: done, worth asking again, or refused for good. */
    static JoinWait.Attempt<JoinResponse> answerOrRetry(String target, JoinResponse response) {
        if (response.getSuccess()) {
            return new JoinWait.Attempt.Answer<>(response);
        }
        if (RETRYABLE_CODES.contains(response.getErrorCodeValue())) {
            return new JoinWait.Attempt.Retry<>(response.getErrorCode() + " "
                    + response.getErrorMessage());
        }
        throw new ConfigException("cannot join the cluster through " + target + ": "
                + response.getErrorMessage());
    }

    /** The reason to try again that a failed call gives. */
    static String unreachable(StatusRuntimeException e) {
        return e.getStatus().getCode() + (e.getStatus().getDescription() == null ? ""
                : " " + e.getStatus().getDescription()) + " (is a node serving there?)";
    }

    private static <T> T retrying(
            String target, String what, long requestTimeoutMillis, long joinTimeoutMillis,
            Function<ControlServiceGrpc.ControlServiceBlockingStub, JoinWait.Attempt<T>> call) {
        ManagedChannel channel = NettyChannelBuilder.forTarget(target).usePlaintext()
                .maxInboundMessageSize(ServerLimits.METADATA_MESSAGE_BYTES_MAX).build();
        try {
            return new JoinWait(target, joinTimeoutMillis).until(what, () -> {
                try {
                    return call.apply(ControlServiceGrpc.newBlockingStub(channel)
                            .withDeadlineAfter(requestTimeoutMillis, TimeUnit.MILLISECONDS));
                } catch (StatusRuntimeException e) {
                    return new JoinWait.Attempt.Retry<>(unreachable(e));
                }
            });
        } finally {
            channel.shutdownNow();
        }
    }
}
