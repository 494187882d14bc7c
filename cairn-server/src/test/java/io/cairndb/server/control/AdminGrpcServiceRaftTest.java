package io.cairndb.server.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairndb.api.ErrorCode;
import io.cairndb.api.admin.AdminServiceGrpc;
import io.cairndb.api.admin.ConfigUpdate;
import io.cairndb.api.admin.GetConfigRequest;
import io.cairndb.api.admin.GetConfigResponse;
import io.cairndb.api.admin.GetControlStatusRequest;
import io.cairndb.api.admin.GetControlStatusResponse;
import io.cairndb.api.admin.ListAuditEventsRequest;
import io.cairndb.api.admin.RemoveControlMemberRequest;
import io.cairndb.api.admin.UpdateConfigRequest;
import io.cairndb.api.admin.UpdateConfigResponse;
import io.cairndb.core.HybridLogicalClock;
import io.cairndb.server.control.raft.RaftMetadataStore;
import io.cairndb.server.control.raft.RaftSettings;
import io.cairndb.server.membership.Membership;
import io.cairndb.server.tracing.Tracing;
import io.cairndb.server.replica.GrpcPeerConnector;
import io.cairndb.server.replica.ReplicaCallTimes;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves the admin RPCs on a one-member Raft control group: status names the member and its term,
// version tokens carry that term, audit events name the proposing member and survive a restart.
class AdminGrpcServiceRaftTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private RaftMetadataStore store;
    private Server server;
    private ManagedChannel channel;
    private AdminServiceGrpc.AdminServiceBlockingStub admin;

    /** The stub with a fresh deadline: a hang fails the call instead of the build. */
    private AdminServiceGrpc.AdminServiceBlockingStub admin() {
        return admin.withDeadlineAfter(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void start() throws Exception {
        store = RaftMetadataStore.start(RaftSettings.of("m1", "127.0.0.1", 0, dir.resolve("m1"),
                Map.of("m1", "127.0.0.1:0")));
        await().atMost(WAIT).until(() -> store.status().isLeader());
        Membership membership = new Membership("n1", null, new HybridLogicalClock(),
                System::currentTimeMillis, 1_000, 500, store::current, version -> { },
                new GrpcPeerConnector("n1", () -> null, 1_000, new HybridLogicalClock(),
                        Tracing.disabled(), ReplicaCallTimes.NONE));
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor()
                .addService(new AdminGrpcService(store, membership,
                () -> CompletableFuture.completedFuture(0L))).build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        admin = AdminServiceGrpc.newBlockingStub(channel);
    }

    private void stop() throws Exception {
        channel.shutdownNow();
        server.shutdownNow();
        channel.awaitTermination(5, TimeUnit.SECONDS);
        server.awaitTermination(5, TimeUnit.SECONDS);
        store.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        if (store != null) {
            stop();
        }
    }

    @Test
    void oneMemberGroupServesStatusConfigAndAuditAcrossARestart() throws Exception {
        start();

        GetControlStatusResponse status = admin().getControlStatus(
                GetControlStatusRequest.getDefaultInstance());
        assertThat(status.getSuccess()).isTrue();
        assertThat(status.getMemberId()).isEqualTo("m1");
        assertThat(status.getLeaderId()).isEqualTo("m1");
        assertThat(status.getRole()).isEqualTo("leader");
        assertThat(status.getTerm()).isPositive();
        assertThat(status.getMembersList()).singleElement().satisfies(member -> {
            assertThat(member.getRaftAddress()).isEqualTo(store.address());
            assertThat(member.getLeader()).isTrue();
        });

        UpdateConfigResponse updated = admin().updateConfig(UpdateConfigRequest.newBuilder()
                .setUpdate(ConfigUpdate.newBuilder().setWriteConsistency("all")).build());
        assertThat(updated.getSuccess()).as(updated.getErrorMessage()).isTrue();
        long index = store.current().version();
        assertThat(updated.getVersion()).isEqualTo(store.status().term() + ":" + index);

        GetConfigResponse read = admin().getConfig(GetConfigRequest.newBuilder()
                .setMinVersion(updated.getVersion()).build());
        assertThat(read.getConfig().getWriteConsistency()).isEqualTo("all");
        assertThat(admin().getConfig(GetConfigRequest.getDefaultInstance()).getConfig()
                .getWriteConsistency()).isEqualTo("all");

        var events = admin().listAuditEvents(ListAuditEventsRequest.getDefaultInstance())
                .getEventsList();
        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.getAction()).isEqualTo("update_config");
            assertThat(event.getActor()).isEqualTo("m1");
            assertThat(event.getVersion()).isEqualTo(index);
            assertThat(HybridLogicalClock.wallMillis(event.getHlc()))
                    .isEqualTo(event.getAtMillis());
        });

        var onlyMember = admin().removeControlMember(RemoveControlMemberRequest.newBuilder()
                .setMemberId("m1").build());
        assertThat(onlyMember.getErrorCode()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(onlyMember.getErrorMessage()).contains("only member");

        byte[] before = MetadataCodec.encodeState(store.current());
        stop();
        start();
        await().atMost(WAIT).until(() -> store.current().version() >= index);

        assertThat(MetadataCodec.encodeState(store.current())).isEqualTo(before);
    }
}
