package io.cairndb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairndb.api.CoordinatorServiceGrpc;
import io.cairndb.api.GetTenantRequest;
import io.cairndb.api.GetTenantResponse;
import io.cairndb.api.admin.AdminServiceGrpc;
import io.cairndb.api.admin.GetConfigRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

// Proves a call that arrives while the node starts is refused as UNAVAILABLE (retry), and only
// a method that does not exist is UNIMPLEMENTED once the node serves.
class ClientServicesTest {

    private final ClientServices services = new ClientServices("n1");
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor()
                .fallbackHandlerRegistry(services).build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        server.shutdownNow();
    }

    private GetTenantResponse getTenant() {
        return CoordinatorServiceGrpc.newBlockingStub(channel)
                .getTenant(GetTenantRequest.newBuilder().setTenantId("acme").build());
    }

    @Test
    void callsWhileStartingAreUnavailableThenServed() {
        assertThatThrownBy(this::getTenant)
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(e.getStatus().getDescription()).isEqualTo("node n1 is starting"
                            + " and does not serve clients yet; retry shortly");
                });

        services.add(new CoordinatorServiceGrpc.CoordinatorServiceImplBase() {
            @Override
            public void getTenant(GetTenantRequest request,
                                  StreamObserver<GetTenantResponse> observer) {
                observer.onNext(GetTenantResponse.newBuilder().setSuccess(true)
                        .setTenantId(request.getTenantId()).build());
                observer.onCompleted();
            }
        });
        services.serving();

        assertThat(getTenant().getTenantId()).isEqualTo("acme");
        assertThatThrownBy(() -> AdminServiceGrpc.newBlockingStub(channel)
                .getConfig(GetConfigRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
                        assertThat(e.getStatus().getCode())
                                .isEqualTo(Status.Code.UNIMPLEMENTED));
    }
}
