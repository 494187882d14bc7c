package io.cairndb.server.coordinator;

import com.google.protobuf.Message;
import io.cairndb.api.AddStorageNodeRequest;
import io.cairndb.api.AddStorageNodeResponse;
import io.cairndb.api.BatchWriteRequest;
import io.cairndb.api.BatchWriteResponse;
import io.cairndb.api.CoordinatorServiceGrpc;
import io.cairndb.api.CreateTenantRequest;
import io.cairndb.api.CreateTenantResponse;
import io.cairndb.api.DeleteKeyValueRequest;
import io.cairndb.api.DeleteKeyValueResponse;
import io.cairndb.api.GetMigrationStatusRequest;
import io.cairndb.api.GetMigrationStatusResponse;
import io.cairndb.api.GetTenantRequest;
import io.cairndb.api.GetTenantResponse;
import io.cairndb.api.ListStorageNodesRequest;
import io.cairndb.api.ListStorageNodesResponse;
import io.cairndb.api.PipelineRequest;
import io.cairndb.api.PipelineResponse;
import io.cairndb.api.RangeQueryRequest;
import io.cairndb.api.RangeQueryResponse;
import io.cairndb.api.ReadKeyValueRequest;
import io.cairndb.api.ReadKeyValueResponse;
import io.cairndb.api.RemoveStorageNodeRequest;
import io.cairndb.api.RemoveStorageNodeResponse;
import io.cairndb.api.UpdateReplicationFactorRequest;
import io.cairndb.api.UpdateReplicationFactorResponse;
import io.cairndb.api.WriteKeyValueRequest;
import io.cairndb.api.WriteKeyValueResponse;
import io.cairndb.server.common.TransportThread;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The gRPC face of the {@link Coordinator}: each RPC calls it and answers when its future
 * completes. Domain errors, whether thrown at validation or raised later, go back in-band.
 */
public final class CoordinatorGrpcService extends CoordinatorServiceGrpc.CoordinatorServiceImplBase {

    private final Coordinator coordinator;
    private final ClusterAdministration administration;

    public CoordinatorGrpcService(Coordinator coordinator, ClusterAdministration administration) {
        this.coordinator = coordinator;
        this.administration = administration;
    }

    private static <Q extends Message, R extends Message> void serve(
            Q request, StreamObserver<R> observer, R prototype,
            Function<Q, CompletableFuture<R>> call) {
        Executor transport = TransportThread.current();
        Answers.answer(request, prototype, call).thenAccept(response ->
                TransportThread.send(transport, () -> {
                    observer.onNext(response);
                    observer.onCompleted();
                }));
    }

    @Override
    public void writeKeyValue(WriteKeyValueRequest request,
                              StreamObserver<WriteKeyValueResponse> observer) {
        serve(request, observer, WriteKeyValueResponse.getDefaultInstance(), coordinator::write);
    }

    @Override
    public void readKeyValue(ReadKeyValueRequest request,
                             StreamObserver<ReadKeyValueResponse> observer) {
        serve(request, observer, ReadKeyValueResponse.getDefaultInstance(), coordinator::read);
    }

    @Override
    public void deleteKeyValue(DeleteKeyValueRequest request,
                               StreamObserver<DeleteKeyValueResponse> observer) {
        serve(request, observer, DeleteKeyValueResponse.getDefaultInstance(), coordinator::delete);
    }

    @Override
    public StreamObserver<PipelineRequest> pipeline(StreamObserver<PipelineResponse> observer) {
        return new PipelineStream(coordinator, observer);
    }

    @Override
    public void batchWrite(BatchWriteRequest request, StreamObserver<BatchWriteResponse> observer) {
        serve(request, observer, BatchWriteResponse.getDefaultInstance(), coordinator::batchWrite);
    }

    @Override
    public void rangeQuery(RangeQueryRequest request, StreamObserver<RangeQueryResponse> observer) {
        serve(request, observer, RangeQueryResponse.getDefaultInstance(), coordinator::rangeQuery);
    }

    @Override
    public void createTenant(CreateTenantRequest request,
                             StreamObserver<CreateTenantResponse> observer) {
        serve(request, observer, CreateTenantResponse.getDefaultInstance(),
                administration::createTenant);
    }

    @Override
    public void getTenant(GetTenantRequest request, StreamObserver<GetTenantResponse> observer) {
        serve(request, observer, GetTenantResponse.getDefaultInstance(), administration::getTenant);
    }

    @Override
    public void updateReplicationFactor(UpdateReplicationFactorRequest request,
                                        StreamObserver<UpdateReplicationFactorResponse> observer) {
        serve(request, observer, UpdateReplicationFactorResponse.getDefaultInstance(),
                administration::updateReplicationFactor);
    }

    @Override
    public void addStorageNode(AddStorageNodeRequest request,
                               StreamObserver<AddStorageNodeResponse> observer) {
        serve(request, observer, AddStorageNodeResponse.getDefaultInstance(),
                administration::addStorageNode);
    }

    @Override
    public void removeStorageNode(RemoveStorageNodeRequest request,
                                  StreamObserver<RemoveStorageNodeResponse> observer) {
        serve(request, observer, RemoveStorageNodeResponse.getDefaultInstance(),
                administration::removeStorageNode);
    }

    @Override
    public void getMigrationStatus(GetMigrationStatusRequest request,
                                   StreamObserver<GetMigrationStatusResponse> observer) {
        serve(request, observer, GetMigrationStatusResponse.getDefaultInstance(),
                administration::getMigrationStatus);
    }

    @Override
    public void listStorageNodes(ListStorageNodesRequest request,
                                 StreamObserver<ListStorageNodesResponse> observer) {
        serve(request, observer, ListStorageNodesResponse.getDefaultInstance(),
                administration::listStorageNodes);
    }
}
