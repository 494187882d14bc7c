package io.cairndb.server.control;

import com.google.protobuf.ByteString;
import io.cairndb.api.ErrorCode;
import io.cairndb.api.control.ControlMember;
import io.cairndb.api.control.ControlMembersRequest;
import io.cairndb.api.control.ControlMembersResponse;
import io.cairndb.api.control.ControlServiceGrpc;
import io.cairndb.api.control.JoinRequest;
import io.cairndb.api.control.JoinResponse;
import io.cairndb.api.control.MetadataUpdate;
import io.cairndb.api.control.SubmitRequest;
import io.cairndb.api.control.SubmitResponse;
import io.cairndb.api.control.WatchMetadataRequest;
import io.cairndb.core.CairnException;
import io.cairndb.core.ControlGroup;
import io.cairndb.core.Failures;
import io.cairndb.core.Validation;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Membership and metadata for other nodes: joins, commands forwarded to the metadata log, and a
 * stream of every new metadata state. Served by every node from its own metadata store, so a node
 * can join through any member.
 */
public final class ControlGrpcService extends ControlServiceGrpc.ControlServiceImplBase {


    private final MetadataStore metadata;
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();

    /** One watch stream; updates go out one at a time, in version order. */
    private static final class Subscriber {
        final ServerCallStreamObserver<MetadataUpdate> stream;
        long sentVersion;

        Subscriber(ServerCallStreamObserver<MetadataUpdate> stream, long sentVersion) {
            this.stream = stream;
            this.sentVersion = sentVersion;
        }

        synchronized void send(ClusterMetadata state) {
            if (state.version() <= sentVersion || stream.isCancelled()) {
                return;
            }
            try {
                stream.onNext(MetadataUpdate.newBuilder().setVersion(state.version())
                        .setMetadata(ByteString.copyFrom(MetadataCodec.encodeState(state)))
                        .build());
                sentVersion = state.version();
            } catch (RuntimeException e) {
                // The stream is gone; the cancellation handler removes it.
            }
        }
    }

    public ControlGrpcService(MetadataStore metadata) {
        this.metadata = metadata;
        metadata.addListener(state -> subscribers.forEach(subscriber -> subscriber.send(state)));
    }

    @Override
    public void join(JoinRequest request, StreamObserver<JoinResponse> observer) {
        String problem = null;
        if (!Validation.NODE_ID.matcher(request.getNodeId()).matches()) {
            problem = "node_id '" + request.getNodeId() + "' is invalid";
        } else if (request.getHost().isBlank()) {
            problem = "host is required";
        } else if (request.getPort() < 1 || request.getPort() > 65535
                || request.getPeerPort() < 1 || request.getPeerPort() > 65535) {
            problem = "port and peer_port must be between 1 and 65535";
        }
        if (problem != null) {
            observer.onNext(JoinResponse.newBuilder().setSuccess(false).setErrorMessage(problem)
                    .setErrorCode(ErrorCode.INVALID_REQUEST).build());
            observer.onCompleted();
            return;
        }
        submit(new MetadataCommand.RegisterNode(request.getNodeId(), request.getHost(),
                request.getPort(), request.getPeerPort(), request.getVirtualNodes(),
                request.getRaftAddress().isEmpty() ? null : request.getRaftAddress(),
                request.getWaitForOperator()))
                .thenCompose(applied -> request.getRaftAddress().isEmpty() || !applied.ok()
                        ? CompletableFuture.completedFuture(applied)
                        : addControlMember(request.getNodeId(), request.getRaftAddress())
                                .thenApply(ignored -> new MetadataStateMachine.Applied(
                                        metadata.current(), null)))
                .whenComplete((applied, error) -> {
                    JoinResponse.Builder response = JoinResponse.newBuilder();
                    CairnException failure = failure(applied, error);
                    if (failure != null) {
                        response.setSuccess(false).setErrorMessage(failure.getMessage())
                                .setErrorCodeValue(failure.code().number());
                    } else {
                        response.setSuccess(true).setMetadata(ByteString.copyFrom(
                                MetadataCodec.encodeState(applied.state())));
                    }
                    observer.onNext(response.build());
                    observer.onCompleted();
                });
    }

    /** Makes the joiner a voting member of the control group, unless it is one already. */
    private CompletableFuture<ControlGroup> addControlMember(String memberId, String raftAddress) {
        return metadata.changeControlGroup(ControlGroup.addVoter(memberId, raftAddress));
    }

    @Override
    public void controlMembers(ControlMembersRequest request,
                               StreamObserver<ControlMembersResponse> observer) {
        MetadataStore.ControlStatus status = metadata.status();
        ControlMembersResponse.Builder response = ControlMembersResponse.newBuilder();
        if (status.leaderId() != null) {
            response.setLeaderId(status.leaderId());
        }
        for (MetadataStore.ControlStatus.Member member : status.members()) {
            response.addMembers(ControlMember.newBuilder().setMemberId(member.memberId())
                    .setRaftAddress(member.address()));
        }
        observer.onNext(response.build());
        observer.onCompleted();
    }

    @Override
    public void submit(SubmitRequest request, StreamObserver<SubmitResponse> observer) {
        MetadataCommand command;
        try {
            command = MetadataCodec.decodeCommand(request.getCommand().toByteArray());
        } catch (IllegalArgumentException e) {
            observer.onNext(SubmitResponse.newBuilder().setSuccess(false)
                    .setErrorCode(ErrorCode.INVALID_REQUEST).setErrorMessage(e.getMessage())
                    .build());
            observer.onCompleted();
            return;
        }
        submit(command).whenComplete((applied, error) -> {
            SubmitResponse.Builder response = SubmitResponse.newBuilder();
            CairnException failure = failure(applied, error);
            if (failure != null) {
                response.setSuccess(false).setErrorMessage(failure.getMessage())
                        .setErrorCodeValue(failure.code().number());
            } else {
                response.setSuccess(true);
            }
            if (applied != null) {
                response.setMetadata(ByteString.copyFrom(MetadataCodec.encodeState(
                        applied.state())));
            }
            observer.onNext(response.build());
            observer.onCompleted();
        });
    }

    @Override
    public void watchMetadata(WatchMetadataRequest request,
                              StreamObserver<MetadataUpdate> observer) {
        ServerCallStreamObserver<MetadataUpdate> stream =
                (ServerCallStreamObserver<MetadataUpdate>) observer;
        Subscriber subscriber = new Subscriber(stream, request.getFromVersion());
        stream.setOnCancelHandler(() -> subscribers.remove(subscriber));
        subscribers.add(subscriber);
        subscriber.send(metadata.current());
    }

    private CompletableFuture<MetadataStateMachine.Applied> submit(MetadataCommand command) {
        try {
            return metadata.submit(command);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static CairnException failure(MetadataStateMachine.Applied applied, Throwable error) {
        if (error != null) {
            Throwable cause = Failures.cause(error);
            return cause instanceof CairnException cairn ? cairn
                    : new CairnException(io.cairndb.core.ErrorCode.INTERNAL_ERROR,
                            "metadata command failed: " + cause);
        }
        return applied.ok() ? null : applied.error();
    }
}
