package io.cairndb.server.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairndb.api.ErrorCode;
import io.cairndb.api.admin.AddControlMemberRequest;
import io.cairndb.api.admin.AdminServiceGrpc;
import io.cairndb.api.admin.ConfigChange;
import io.cairndb.api.admin.ConfigUpdate;
import io.cairndb.api.admin.ControlMembershipResponse;
import io.cairndb.api.admin.GetClusterViewRequest;
import io.cairndb.api.admin.GetClusterViewResponse;
import io.cairndb.api.admin.GetConfigRequest;
import io.cairndb.api.admin.GetConfigResponse;
import io.cairndb.api.admin.GetControlStatusRequest;
import io.cairndb.api.admin.GetControlStatusResponse;
import io.cairndb.api.admin.ListAuditEventsRequest;
import io.cairndb.api.admin.ListAuditEventsResponse;
import io.cairndb.api.admin.NodeView;
import io.cairndb.api.admin.RemoveControlMemberRequest;
import io.cairndb.api.admin.UpdateConfigRequest;
import io.cairndb.api.admin.UpdateConfigResponse;
import io.cairndb.api.admin.WatchConfigRequest;
import io.cairndb.core.HybridLogicalClock;
import io.cairndb.core.VersionResolver;
import io.cairndb.server.membership.Membership;
import io.cairndb.server.tracing.Tracing;
import io.cairndb.server.replica.GrpcPeerConnector;
import io.cairndb.server.replica.ReplicaCallTimes;
import io.cairndb.storage.StorageEngine;
import io.cairndb.storage.StorageOptions;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves every AdminService RPC over in-process gRPC on a node that keeps its metadata in a local
// log: answers, in-band refusals naming the field, follower-read tokens, and config watches that
// replay history, stream new changes and stop on cancellation.
class AdminGrpcServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final AtomicLong wallMillis = new AtomicLong(1_800_000_000_000L);
    private StorageEngine storage;
    private LocalMetadataLog metadata;
    private Membership membership;
    private AdminGrpcService service;
    private Server server;
    private ManagedChannel channel;
    private AdminServiceGrpc.AdminServiceBlockingStub admin;

    @BeforeEach
    void start() throws Exception {
        storage = StorageEngine.open(dir, StorageOptions.DEFAULTS, new VersionResolver());
        metadata = new LocalMetadataLog(storage.metadata(), ClusterConfig.DEFAULTS,
                wallMillis::get);
        serve(metadata);
    }

    private void serve(MetadataStore store) throws Exception {
        membership = new Membership("n1", null, new HybridLogicalClock(), wallMillis::get, 1_000,
                500, store::current, version -> { }, new GrpcPeerConnector("n1", () -> null,
                1_000, new HybridLogicalClock(), Tracing.disabled(), ReplicaCallTimes.NONE));
        service = new AdminGrpcService(store, membership,
                () -> CompletableFuture.completedFuture(0L));
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor().addService(service)
                .build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        // Every test is short; a hang fails its calls rather than the build.
        admin = AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(WAIT.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow();
        server.shutdownNow();
        channel.awaitTermination(5, TimeUnit.SECONDS);
        server.awaitTermination(5, TimeUnit.SECONDS);
        metadata.close();
        storage.close();
    }

    private void submit(MetadataCommand command) throws Exception {
        assertThat(metadata.submit(command).get().ok()).isTrue();
    }

    private UpdateConfigResponse update(ConfigUpdate update) {
        return admin.updateConfig(UpdateConfigRequest.newBuilder().setUpdate(update).build());
    }

    // -------------------------------------------------------------------------------- config

    @Test
    void getConfigReadsTheConfigurationAndItsVersion() throws Exception {
        submit(Entries.registerNode("n1"));

        GetConfigResponse response = admin.getConfig(GetConfigRequest.getDefaultInstance());

        assertThat(response.getSuccess()).isTrue();
        assertThat(response.getConfig()).isEqualTo(io.cairndb.api.admin.ClusterConfig.newBuilder()
                .setReplicationFactor(3).setReadConsistency("quorum")
                .setWriteConsistency("quorum").setCompactionPolicy("level").setVirtualNodes(150)
                .build());
        assertThat(response.getVersion()).isEqualTo("1:1");
    }

    @Test
    void updateConfigChangesOnlyTheGivenSettings() {
        UpdateConfigResponse response = update(ConfigUpdate.newBuilder()
                .setReadConsistency(" ONE ").setCompactionPolicy("universal").build());

        assertThat(response.getSuccess()).as(response.getErrorMessage()).isTrue();
        assertThat(response.getVersion()).isEqualTo("1:1");
        assertThat(response.getConfig().getReadConsistency()).isEqualTo("one");
        assertThat(response.getConfig().getCompactionPolicy()).isEqualTo("universal");
        assertThat(response.getConfig().getWriteConsistency()).isEqualTo("quorum");
        assertThat(metadata.current().config())
                .isEqualTo(new ClusterConfig(3, "one", "quorum", 150, "universal"));
    }

    @Test
    void updateConfigRefusesInBandNamingTheField() {
        Map<ConfigUpdate, String> refused = Map.of(
                ConfigUpdate.newBuilder().setReplicationFactor(0).build(), "replication_factor",
                ConfigUpdate.newBuilder().setReadConsistency("most").build(), "read_consistency",
                ConfigUpdate.newBuilder().setWriteConsistency("").build(), "write_consistency",
                ConfigUpdate.newBuilder().setCompactionPolicy("tiered").build(),
                "compaction_policy",
                ConfigUpdate.newBuilder().setVirtualNodes(5000).build(), "virtual_nodes",
                ConfigUpdate.getDefaultInstance(), "names no setting");
        refused.forEach((update, field) -> {
            UpdateConfigResponse response = update(update);

            assertThat(response.getSuccess()).isFalse();
            assertThat(response.getErrorCode()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(response.getErrorMessage()).contains(field);
        });
        assertThat(metadata.current().version()).isZero();
    }

    @Test
    void minVersionTokenIsAFollowerReadOfAtLeastThatVersion() throws Exception {
        String version = update(ConfigUpdate.newBuilder().setVirtualNodes(64).build())
                .getVersion();

        GetConfigResponse read = admin.getConfig(GetConfigRequest.newBuilder()
                .setMinVersion(version).build());

        assertThat(read.getSuccess()).isTrue();
        assertThat(read.getConfig().getVirtualNodes()).isEqualTo(64);
        assertThat(read.getVersion()).isEqualTo(version);

        GetConfigResponse ahead = admin.getConfig(GetConfigRequest.newBuilder()
                .setMinVersion("1:99").build());
        assertThat(ahead.getSuccess()).isFalse();
        assertThat(ahead.getErrorCode()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(ahead.getErrorMessage()).contains("metadata version 99 is newer");

        for (String malformed : List.of("12", "a:b", "1:2:3", "-1:4", " 1:2")) {
            GetConfigResponse response = admin.getConfig(GetConfigRequest.newBuilder()
                    .setMinVersion(malformed).build());
            assertThat(response.getSuccess()).as(malformed).isFalse();
            assertThat(response.getErrorCode()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(response.getErrorMessage()).startsWith("min_version '" + malformed
                    + "' is not a version token term:index");
        }
    }

    // --------------------------------------------------------------------------------- watch

    /** A watch whose changes land in a queue; cancel it with {@link #cancel}. */
    private static final class Watch implements StreamObserver<ConfigChange> {
        final BlockingQueue<ConfigChange> changes = new LinkedBlockingQueue<>();
        final CompletableFuture<Status> ended = new CompletableFuture<>();
        Context.CancellableContext context;

        ConfigChange next() throws InterruptedException {
            ConfigChange change = changes.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(change).as("a config change within %s", WAIT).isNotNull();
            return change;
        }

        void cancel() {
            context.cancel(null);
        }

        @Override
        public void onNext(ConfigChange change) {
            changes.add(change);
        }

        @Override
        public void onError(Throwable error) {
            ended.complete(Status.fromThrowable(error));
        }

        @Override
        public void onCompleted() {
            ended.complete(Status.OK);
        }
    }

    private Watch watch(long fromVersion) {
        Watch watch = new Watch();
        watch.context = Context.current().withCancellation();
        watch.context.run(() -> AdminServiceGrpc.newStub(channel).watchConfig(
                WatchConfigRequest.newBuilder().setNodeId("n9").setFromVersion(fromVersion)
                        .build(), watch));
        return watch;
    }

    @Test
    void watchReplaysKnownChangesThenStreamsNewOnesUntilCancelled() throws Exception {
        submit(Entries.registerNode("n1"));
        wallMillis.set(1_800_000_000_100L);
        update(ConfigUpdate.newBuilder().setReplicationFactor(2).build());
        submit(Entries.createTenant("acme"));
        update(ConfigUpdate.newBuilder().setReadConsistency("one").build());
        // Same values: audited, but not a change a watcher hears of.
        update(ConfigUpdate.newBuilder().setReadConsistency("one").build());

        Watch fromStart = watch(0);
        Watch fromSecond = watch(2);

        ConfigChange first = fromStart.next();
        assertThat(first.getVersion()).isEqualTo(2);
        assertThat(first.getConfig().getReplicationFactor()).isEqualTo(2);
        assertThat(first.getChangedAtMillis()).isEqualTo(1_800_000_000_100L);
        assertThat(fromStart.next().getVersion()).isEqualTo(4);
        assertThat(fromSecond.next().getVersion()).isEqualTo(4);
        assertThat(fromStart.changes).isEmpty();

        update(ConfigUpdate.newBuilder().setVirtualNodes(32).build());

        for (Watch watch : List.of(fromStart, fromSecond)) {
            ConfigChange live = watch.next();
            assertThat(live.getVersion()).isEqualTo(6);
            assertThat(live.getConfig().getVirtualNodes()).isEqualTo(32);
            assertThat(live.getConfig().getReadConsistency()).isEqualTo("one");
        }

        fromStart.cancel();
        fromSecond.cancel();
        await().atMost(WAIT).until(() -> service.configWatchCount() == 0);
        update(ConfigUpdate.newBuilder().setVirtualNodes(16).build());
        assertThat(fromStart.changes).isEmpty();
    }

    @Test
    void watchWithANegativeVersionIsRefused() throws Exception {
        Watch watch = watch(-1);

        Status status = watch.ended.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(status.getDescription()).startsWith("from_version is -1");
    }

    @Test
    void watchAfterHistoryWasDroppedStartsFromTheCurrentConfiguration() throws Exception {
        channel.shutdownNow();
        server.shutdownNow();
        ClusterConfig config = new ClusterConfig(2, "all", "one", 99, "universal");
        // The change at version 5 has left the audit log, which now starts at 10.
        ClusterMetadata trimmed = new ClusterMetadata(12, config, 5, 1_800_000_000_005L,
                Map.of(), Map.of(), List.of(new AuditEvent(10, 1, 2, "register_node", null, "n1",
                        "m1", "again", null)));
        FixedMetadataStore store = new FixedMetadataStore(trimmed);
        serve(store);

        Watch watch = watch(3);

        ConfigChange change = watch.next();
        assertThat(change.getVersion()).isEqualTo(5);
        assertThat(change.getConfig().getVirtualNodes()).isEqualTo(99);
        assertThat(change.getChangedAtMillis()).isEqualTo(1_800_000_000_005L);
        watch.cancel();
        Watch upToDate = watch(5);
        store.publish(trimmed);
        assertThat(upToDate.changes).isEmpty();
        upToDate.cancel();
    }

    /** A store that holds a given state and publishes what the test hands it. */
    private static final class FixedMetadataStore implements MetadataStore {
        private final List<java.util.function.Consumer<ClusterMetadata>> listeners =
                new java.util.concurrent.CopyOnWriteArrayList<>();
        private volatile ClusterMetadata state;

        FixedMetadataStore(ClusterMetadata state) {
            this.state = state;
        }

        void publish(ClusterMetadata next) {
            state = next;
            listeners.forEach(listener -> listener.accept(next));
        }

        @Override
        public ClusterMetadata current() {
            return state;
        }

        @Override
        public CompletableFuture<MetadataStateMachine.Applied> submit(MetadataCommand command) {
            return CompletableFuture.failedFuture(new IllegalStateException("read only"));
        }

        @Override
        public void addListener(java.util.function.Consumer<ClusterMetadata> listener) {
            listeners.add(listener);
        }

        @Override
        public void close() {
        }
    }

    // ------------------------------------------------------------------- view and status

    @Test
    void clusterViewListsNodesWithThisNodesVerdict() throws Exception {
        submit(Entries.registerNode("n1"));
        submit(Entries.registerNode("n2"));
        submit(Entries.registerNode("n3"));
        membership.heartbeatFrom("n2", 3);
        membership.heartbeatFrom("n3", 2);
        wallMillis.addAndGet(60_000);
        membership.heartbeatFrom("n2", 3);

        GetClusterViewResponse view = admin.getClusterView(
                GetClusterViewRequest.getDefaultInstance());

        assertThat(view.getSuccess()).isTrue();
        assertThat(view.getVersion()).isEqualTo(3);
        assertThat(view.getMembersList()).extracting(node -> node.getNodeId() + "@"
                + node.getHost() + ":" + node.getPort() + "/" + node.getPeerPort() + " "
                + node.getStatus() + " " + node.getVirtualNodes() + " " + node.getAlive())
                .containsExactly("n1@10.0.0.1:7070/7071 active 8 true",
                        "n2@10.0.0.2:7070/7071 active 8 true",
                        "n3@10.0.0.3:7070/7071 active 8 false");
        assertThat(admin.getClusterView(GetClusterViewRequest.newBuilder()
                .setMinVersion("x").build()).getErrorCode()).isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    void controlStatusOfALocalLogShowsOneLeaderAndEveryNodesViewVersion() throws Exception {
        submit(Entries.registerNode("n1"));
        submit(Entries.registerNode("n2"));
        membership.heartbeatFrom("n2", 1);

        GetControlStatusResponse status = admin.getControlStatus(
                GetControlStatusRequest.getDefaultInstance());

        assertThat(status.getSuccess()).isTrue();
        assertThat(status.getMemberId()).isEqualTo("local");
        assertThat(status.getLeaderId()).isEqualTo("local");
        assertThat(status.getRole()).isEqualTo("leader");
        assertThat(status.getTerm()).isEqualTo(1);
        assertThat(status.getCommitIndex()).isEqualTo(2);
        assertThat(status.getAppliedIndex()).isEqualTo(2);
        assertThat(status.getMembersList()).singleElement().satisfies(member -> {
            assertThat(member.getMemberId()).isEqualTo("local");
            assertThat(member.getRaftAddress()).isEmpty();
            assertThat(member.getLeader()).isTrue();
        });
        assertThat(status.getNodesList()).containsExactly(
                NodeView.newBuilder().setNodeId("n1").setViewVersion(2).setAlive(true)
                        .setClockOffsetMillis(0).build(),
                NodeView.newBuilder().setNodeId("n2").setViewVersion(1).setAlive(true).build());
    }

    @Test
    void localLogRefusesControlMembershipChangesClearly() {
        ControlMembershipResponse added = admin.addControlMember(AddControlMemberRequest
                .newBuilder().setMemberId("m2").setRaftAddress("10.0.0.2:9000").build());

        assertThat(added.getSuccess()).isFalse();
        assertThat(added.getErrorCode()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(added.getErrorMessage()).contains("local log")
                .contains("no control group whose members could change");

        ControlMembershipResponse removed = admin.removeControlMember(RemoveControlMemberRequest
                .newBuilder().setMemberId("local").build());
        assertThat(removed.getErrorCode()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(removed.getErrorMessage()).contains("only member");
    }

    @Test
    void membershipChangesCheckTheirFields() {
        assertThat(admin.addControlMember(AddControlMemberRequest.newBuilder()
                .setMemberId("bad id").setRaftAddress("h:1").build()).getErrorMessage())
                .startsWith("member_id 'bad id' is not a member id");
        assertThat(admin.addControlMember(AddControlMemberRequest.newBuilder()
                .setMemberId("m2").setRaftAddress("h").build()).getErrorMessage())
                .isEqualTo("raft_address 'h' is not host:port");
        assertThat(admin.addControlMember(AddControlMemberRequest.newBuilder()
                .setMemberId("m2").setRaftAddress("h:70000").build()).getErrorMessage())
                .startsWith("raft_address 'h:70000' has port 70000");
        assertThat(admin.addControlMember(AddControlMemberRequest.newBuilder()
                .setMemberId("local").setRaftAddress("h:1").build()).getErrorMessage())
                .startsWith("member_id 'local' is already a member");
        assertThat(admin.removeControlMember(RemoveControlMemberRequest.newBuilder()
                .setMemberId("m7").build()).getErrorMessage())
                .startsWith("member_id 'm7' is not a member");
    }

    // ----------------------------------------------------------------------------- audit

    @Test
    void auditListsTheNewestMatchingEventsOldestFirst() throws Exception {
        submit(Entries.registerNode("n1"));
        wallMillis.addAndGet(1_000);
        submit(Entries.createTenant("acme"));
        wallMillis.addAndGet(1_000);
        submit(Entries.createTenant("globex"));
        wallMillis.addAndGet(1_000);
        update(ConfigUpdate.newBuilder().setVirtualNodes(8).build());

        ListAuditEventsResponse all = admin.listAuditEvents(
                ListAuditEventsRequest.getDefaultInstance());
        assertThat(all.getSuccess()).isTrue();
        assertThat(all.getEventsList()).extracting(event -> event.getId() + " "
                + event.getAction() + " " + event.getTenantId() + " " + event.getActor())
                .containsExactly("1 register_node  local", "2 create_tenant acme local",
                        "3 create_tenant globex local", "4 update_config  local");
        assertThat(all.getEvents(3).getDetails()).isEqualTo("virtual_nodes 150 -> 8");
        assertThat(all.getEvents(3).getVersion()).isEqualTo(4);
        assertThat(all.getEvents(3).getAtMillis()).isEqualTo(1_800_000_003_000L);
        assertThat(all.getEvents(3).getHlc())
                .isGreaterThan(all.getEvents(2).getHlc());

        assertThat(admin.listAuditEvents(ListAuditEventsRequest.newBuilder()
                .setTenantId("acme").build()).getEventsList())
                .extracting(io.cairndb.api.admin.AuditEvent::getId).containsExactly("2");
        assertThat(admin.listAuditEvents(ListAuditEventsRequest.newBuilder()
                .setSinceMillis(1_800_000_002_000L).build()).getEventsList())
                .extracting(io.cairndb.api.admin.AuditEvent::getId).containsExactly("3", "4");
        assertThat(admin.listAuditEvents(ListAuditEventsRequest.newBuilder()
                .setLimit(2).build()).getEventsList())
                .extracting(io.cairndb.api.admin.AuditEvent::getId).containsExactly("3", "4");
    }

    @Test
    void auditRefusesLimitsOutOfRange() {
        for (int limit : new int[] {-1, AuditEvent.EVENTS_MAX + 1}) {
            ListAuditEventsResponse response = admin.listAuditEvents(
                    ListAuditEventsRequest.newBuilder().setLimit(limit).build());
            assertThat(response.getSuccess()).isFalse();
            assertThat(response.getErrorCode()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(response.getErrorMessage()).startsWith("limit is " + limit);
        }
    }

    @Test
    void unexpectedFailureIsAnInternalErrorWithoutAStackTrace() throws Exception {
        channel.shutdownNow();
        server.shutdownNow();
        serve(new FixedMetadataStore(ClusterMetadata.empty(ClusterConfig.DEFAULTS)));

        UpdateConfigResponse response = update(ConfigUpdate.newBuilder().setVirtualNodes(8)
                .build());

        assertThat(response.getSuccess()).isFalse();
        assertThat(response.getErrorCode()).isEqualTo(ErrorCode.INTERNAL_ERROR);
        assertThat(response.getErrorMessage()).startsWith("internal error (reference ")
                .doesNotContain("\tat ");
    }
}
