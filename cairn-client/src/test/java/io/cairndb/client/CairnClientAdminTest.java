package io.cairndb.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cairndb.api.ErrorCode;
import io.grpc.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

// Proves every AdminService RPC has a sync and an async client method that sends the request and
// returns the answer as records, refusals as typed exceptions, and that config watches stream
// and cancel, and that migrations are listed and cancelled and a node cleaned up.
class CairnClientAdminTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final ClusterConfig DEFAULTS =
            new ClusterConfig(3, "quorum", "quorum", "level", 150);

    private FakeMigrations migrations;
    private FakeAdmin fake;
    private InProcessCoordinator server;
    private CairnClient client;

    @BeforeEach
    void start() {
        migrations = new FakeMigrations();
        fake = new FakeAdmin(migrations);
        server = new InProcessCoordinator(fake);
        client = server.client();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private static <T> T result(CompletableFuture<T> future) throws Exception {
        return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Throwable failureOf(CompletableFuture<?> future) throws Exception {
        try {
            future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("the future did not fail");
    }

    // ------------------------------------------------------------------------------ config

    @Test
    void getConfigReturnsTheConfigurationAndItsVersion() throws Exception {
        VersionedConfig read = client.getConfig();

        assertThat(read).isEqualTo(new VersionedConfig(DEFAULTS, "2:7"));
        assertThat(read.index()).isEqualTo(7);
        assertThat(fake.lastGetConfig.getMinVersion()).isEmpty();
        assertThat(result(client.getConfigAsync()).config()).isEqualTo(DEFAULTS);
    }

    @Test
    void getConfigWithAMinimumVersionSendsTheToken() throws Exception {
        assertThat(client.getConfig("2:7").version()).isEqualTo("2:7");
        assertThat(fake.lastGetConfig.getMinVersion()).isEqualTo("2:7");

        assertThatThrownBy(() -> client.getConfig("seven"))
                .isExactlyInstanceOf(InvalidRequestException.class)
                .hasMessage("min_version 'seven' is not a version token term:index");
        assertThat(failureOf(client.getConfigAsync("2:99")))
                .isExactlyInstanceOf(QuorumNotReachedException.class)
                .hasMessageContaining("2:99");
    }

    @Test
    void updateConfigSendsOnlyTheGivenSettings() throws Exception {
        VersionedConfig changed = client.updateConfig(ConfigUpdate.NONE
                .withReadConsistency("one").withVirtualNodes(64));

        assertThat(changed).isEqualTo(new VersionedConfig(
                new ClusterConfig(3, "one", "quorum", "level", 64), "2:8"));

        VersionedConfig again = result(client.updateConfigAsync(ConfigUpdate.NONE
                .withReplicationFactor(2).withWriteConsistency("all")
                .withCompactionPolicy("universal")));
        assertThat(again.config()).isEqualTo(new ClusterConfig(2, "one", "all", "universal", 64));
        assertThat(again.version()).isEqualTo("2:9");
    }

    @Test
    void updateConfigRefusalIsAnInvalidRequestNamingTheSetting() throws Exception {
        assertThatThrownBy(() -> client.updateConfig(ConfigUpdate.NONE.withVirtualNodes(0)))
                .isExactlyInstanceOf(InvalidRequestException.class)
                .hasMessage("virtual_nodes is 0; it must be between 1 and 4096");
        assertThat(failureOf(client.updateConfigAsync(ConfigUpdate.NONE)))
                .isExactlyInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("names no setting");
        assertThat(ConfigUpdate.NONE.namesNoSetting()).isTrue();
    }

    // ------------------------------------------------------------------------------- watch

    @Test
    void watchStreamsKnownChangesAndEndsWithTheServer() {
        fake.endWatches();
        client.updateConfig(ConfigUpdate.NONE.withReplicationFactor(5));

        List<ConfigChange> changes;
        try (Stream<ConfigChange> stream = client.watchConfig(0)) {
            changes = stream.toList();
        }

        assertThat(changes).containsExactly(
                new ConfigChange(5, DEFAULTS, Instant.ofEpochMilli(FakeAdmin.NOW_MILLIS - 60_000)),
                new ConfigChange(8, new ClusterConfig(5, "quorum", "quorum", "level", 150),
                        Instant.ofEpochMilli(FakeAdmin.NOW_MILLIS)));
        try (Stream<ConfigChange> stream = client.watchConfig(5)) {
            assertThat(stream.map(ConfigChange::version)).containsExactly(8L);
        }
        assertThat(fake.lastWatch.getFromVersion()).isEqualTo(5);
    }

    @Test
    void closingAWatchStreamCancelsTheWatch() {
        client.updateConfig(ConfigUpdate.NONE.withReplicationFactor(5));

        try (Stream<ConfigChange> stream = client.watchConfig(0)) {
            Iterator<ConfigChange> changes = stream.iterator();
            assertThat(changes.next().version()).isEqualTo(5);
            assertThat(changes.next().version()).isEqualTo(8);
            assertThat(fake.watcherCount()).isEqualTo(1);
        }

        await().atMost(WAIT).until(() -> fake.watcherCount() == 0);
    }

    @Test
    void asyncWatchDeliversLiveChangesUntilCancelled() throws Exception {
        BlockingQueue<ConfigChange> seen = new LinkedBlockingQueue<>();
        CompletableFuture<Void> watch = client.watchConfigAsync(7, seen::add);
        await().atMost(WAIT).until(() -> fake.watcherCount() == 1);

        client.updateConfig(ConfigUpdate.NONE.withCompactionPolicy("universal"));

        ConfigChange live = seen.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(live).isNotNull();
        assertThat(live.version()).isEqualTo(8);
        assertThat(live.config().compactionPolicy()).isEqualTo("universal");

        watch.cancel(true);
        await().atMost(WAIT).until(() -> fake.watcherCount() == 0);
        assertThat(seen).isEmpty();
    }

    @Test
    void watchRefusedByTheServerIsAnInvalidRequest() throws Exception {
        fake.failWatch(Status.INVALID_ARGUMENT.withDescription("from_version is ahead"));
        assertThatThrownBy(() -> {
            try (Stream<ConfigChange> stream = client.watchConfig(1)) {
                stream.toList();
            }
        }).isExactlyInstanceOf(InvalidRequestException.class).hasMessage("from_version is ahead");

        fake.failWatch(Status.UNAVAILABLE.withDescription("shutting down"));
        assertThat(failureOf(client.watchConfigAsync(0, change -> { })))
                .isExactlyInstanceOf(CairnUnavailableException.class);
        assertThatThrownBy(() -> client.watchConfig(-1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------ status and view

    @Test
    void controlStatusDescribesTheGroupAndEveryNodesView() throws Exception {
        ControlStatus status = client.getControlStatus();

        assertThat(status).isEqualTo(new ControlStatus("m2", "m1", 2, 7, 6, "follower",
                List.of(new ControlMember("m1", "10.0.0.1:9000", true),
                        new ControlMember("m2", "10.0.0.2:9000", false),
                        new ControlMember("m3", "10.0.0.3:9000", false)),
                List.of(new ControlStatus.NodeView("n1", 7, true, 7L),
                        new ControlStatus.NodeView("n2", 5, false))));
        assertThat(result(client.getControlStatusAsync())).isEqualTo(status);
    }

    @Test
    void clusterViewListsTheStorageNodes() throws Exception {
        ClusterView view = client.getClusterView();

        assertThat(view).isEqualTo(new ClusterView(7, List.of(
                new ClusterView.Node("n1", "10.0.0.1", 7070, 7071, "active", 150, true),
                new ClusterView.Node("n2", "10.0.0.2", 7070, 7071, "active", 64, false))));
        assertThat(result(client.getClusterViewAsync("2:7")).version()).isEqualTo(7);
        assertThat(fake.lastGetClusterView.getMinVersion()).isEqualTo("2:7");
    }

    // ------------------------------------------------------------------------------- audit

    @Test
    void auditEventsAreFilteredByTheServerAndReturnedAsRecords() throws Exception {
        List<AuditEvent> all = client.listAuditEvents(null, null, 0);

        assertThat(all).extracting(AuditEvent::id).containsExactly("3", "4", "5");
        assertThat(all.get(1)).isEqualTo(new AuditEvent("4", 4,
                (FakeAdmin.NOW_MILLIS - 600_000) << 16,
                Instant.ofEpochMilli(FakeAdmin.NOW_MILLIS - 600_000), "create_tenant", "acme", "",
                "m1", "tenant 'acme' created with replication factor 3"));
        assertThat(fake.lastAudit.getTenantId()).isEmpty();
        assertThat(fake.lastAudit.getSinceMillis()).isZero();

        Instant since = Instant.ofEpochMilli(FakeAdmin.NOW_MILLIS - 700_000);
        List<AuditEvent> recent = result(client.listAuditEventsAsync("acme", since, 10));
        assertThat(recent).extracting(AuditEvent::id).containsExactly("4");
        assertThat(fake.lastAudit.getSinceMillis()).isEqualTo(since.toEpochMilli());
        assertThat(fake.lastAudit.getLimit()).isEqualTo(10);
    }

    // ------------------------------------------------------------------ control membership

    @Test
    void controlMembersAreAddedAndRemoved() throws Exception {
        List<ControlMember> added = client.addControlMember("m4", "10.0.0.4:9000");

        assertThat(added).extracting(ControlMember::memberId)
                .containsExactly("m1", "m2", "m3", "m4");
        assertThat(added.get(3)).isEqualTo(new ControlMember("m4", "10.0.0.4:9000", false));

        assertThat(result(client.removeControlMemberAsync("m2"))).extracting(
                ControlMember::memberId).containsExactly("m1", "m3", "m4");
        assertThatThrownBy(() -> client.removeControlMember("m2"))
                .isExactlyInstanceOf(InvalidRequestException.class)
                .hasMessage("member_id 'm2' is not a member of the control group");
        assertThat(failureOf(client.addControlMemberAsync("m1", "h:1")))
                .isExactlyInstanceOf(InvalidRequestException.class);
    }

    // -------------------------------------------------------------------------- migrations

    @Test
    void migrationsAreListedWithTheirProgressInKeysBytesAndTasks() throws Exception {
        assertThat(client.listMigrations()).isEmpty();
        migrations.start("node_addition", "n4", "");
        migrations.start("replication_change", "", "acme");
        migrations.then("mig-2", "failed", 60, 6_000, "source n2 lost").status("mig-2");

        List<MigrationInfo> listed = client.listMigrations();

        Instant started = Instant.ofEpochMilli(FakeMigrations.STARTED_MILLIS);
        assertThat(listed).containsExactly(
                new MigrationInfo("mig-1", "node_addition", "n4", "", "in_progress", 25, 100,
                        2_500, 10_000, 25.0, started, null, "", 4, 1, 0),
                new MigrationInfo("mig-2", "replication_change", "", "acme", "failed", 60, 100,
                        6_000, 10_000, 60.0, started, started.plusSeconds(60), "source n2 lost",
                        4, 2, 0));
        assertThat(listed).extracting(MigrationInfo::finished).containsExactly(false, true);
        assertThat(result(client.listMigrationsAsync())).isEqualTo(listed);
    }

    @Test
    void cancelReturnsTheCancelledMigrationAndSendsTheReason() throws Exception {
        migrations.start("node_deletion", "n3", "");
        migrations.start("node_addition", "n4", "");

        MigrationInfo cancelled = client.cancelMigration("mig-1", "wrong node");

        assertThat(cancelled.status()).isEqualTo("cancelled");
        assertThat(cancelled.reason()).isEqualTo("wrong node");
        assertThat(cancelled.finished()).isTrue();
        assertThat(fake.lastCancel.getReason()).isEqualTo("wrong node");
        assertThat(result(client.cancelMigrationAsync("mig-2", null)).reason())
                .isEqualTo("cancelled");
        assertThat(fake.lastCancel.getReason()).isEmpty();
    }

    @Test
    void cancelOfAnUnknownOrFinishedMigrationIsRefused() throws Exception {
        migrations.start("node_addition", "n4", "");
        client.cancelMigration("mig-1", "");

        assertThatThrownBy(() -> client.cancelMigration("mig-9", ""))
                .isExactlyInstanceOf(MigrationNotFoundException.class)
                .hasMessage("migration 'mig-9' does not exist")
                .satisfies(e -> assertThat(((CairnException) e).code())
                        .isEqualTo(ErrorCode.MIGRATION_NOT_FOUND));
        assertThat(failureOf(client.cancelMigrationAsync("mig-1", "again")))
                .isExactlyInstanceOf(InvalidRequestException.class)
                .hasMessage("migration 'mig-1' is already cancelled");
        fake.refuseNext(ErrorCode.FORBIDDEN, "admins only");
        assertThatThrownBy(() -> client.listMigrations())
                .satisfies(e -> assertThat(((CairnException) e).code())
                        .isEqualTo(ErrorCode.FORBIDDEN));
    }

    @Test
    void cleanupReportsTheAnsweringNodeAndTheKeysItDeleted() throws Exception {
        assertThat(client.cleanupNode()).isEqualTo(new CleanupResult("n1", FakeAdmin.STRAY_KEYS));
        assertThat(result(client.cleanupNodeAsync())).isEqualTo(new CleanupResult("n1", 0));

        fake.refuseNext(ErrorCode.INVALID_REQUEST, "migrations are running");
        assertThatThrownBy(() -> client.cleanupNode())
                .isExactlyInstanceOf(InvalidRequestException.class)
                .hasMessage("migrations are running");
    }
}
