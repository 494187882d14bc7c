package io.cairndb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.cairndb.api.CoordinatorServiceGrpc;
import io.cairndb.api.CreateTenantRequest;
import io.cairndb.api.ErrorCode;
import io.cairndb.api.GetMigrationStatusRequest;
import io.cairndb.api.GetMigrationStatusResponse;
import io.cairndb.api.ListStorageNodesRequest;
import io.cairndb.api.ReadKeyValueRequest;
import io.cairndb.api.ReadKeyValueResponse;
import io.cairndb.api.RemoveStorageNodeRequest;
import io.cairndb.api.RemoveStorageNodeResponse;
import io.cairndb.api.StorageNodeInfo;
import io.cairndb.api.UpdateReplicationFactorRequest;
import io.cairndb.api.UpdateReplicationFactorResponse;
import io.cairndb.api.WriteKeyValueRequest;
import io.cairndb.api.WriteKeyValueResponse;
import io.cairndb.api.admin.AdminServiceGrpc;
import io.cairndb.api.admin.CleanupNodeRequest;
import io.cairndb.api.admin.CleanupNodeResponse;
import io.cairndb.core.Migration;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves data moves on three nodes in one JVM: a node joining a cluster that holds data is
// streamed its ranges, a removed node's ranges move to their new owners, a raised replication
// factor gets its new replicas, and every key written before reads back at one afterwards, with
// cleanup leaving data only on its owners.
class MigrationTest {

    private static final int KEYS = 400;

    @TempDir
    Path dir;

    private final List<CairnServer> servers = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();

    private CairnServer start(int index, String join) {
        Map<String, String> settings = new HashMap<>(Map.of("port", "0", "peerPort", "0",
                "raftPort", "0", "httpPort", "0",
                "dataDir", dir.resolve("node" + index).toString(),
                "membership.heartbeatIntervalMillis", "200",
                "requests.requestTimeoutMillis", "3000",
                "migration.chunkBytes", "4096",
                "migration.cleanupGraceMillis", "3600000"));
        if (join != null) {
            settings.put("join", join);
            settings.put("roles", "coordinator,storage");
        }
        CairnServer server = CairnServer.start(ConfigLoader.load(null, Map.of(), settings));
        servers.add(server);
        channels.add(ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                .build());
        return server;
    }

    private CoordinatorServiceGrpc.CoordinatorServiceBlockingStub client(int index) {
        return CoordinatorServiceGrpc.newBlockingStub(channels.get(index))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        channels.forEach(ManagedChannel::shutdownNow);
        for (int i = servers.size() - 1; i >= 0; i--) {
            servers.get(i).close();
        }
    }

    private void write(int via, String tenant, int i) {
        WriteKeyValueResponse written = client(via).writeKeyValue(WriteKeyValueRequest
                .newBuilder().setTenantId(tenant).setKey("k" + i)
                .setValue(ByteString.copyFromUtf8(tenant + "-v" + i)).setConsistency("all")
                .setIdempotencyKey(tenant + "-idem-" + i).build());
        assertThat(written.getSuccess()).as(written.getErrorMessage()).isTrue();
    }

    private void everyKeyReadsBackAtOne(int via, String tenant) {
        for (int i = 0; i < KEYS; i++) {
            ReadKeyValueResponse read = client(via).readKeyValue(ReadKeyValueRequest.newBuilder()
                    .setTenantId(tenant).setKey("k" + i).setConsistency("one").build());
            assertThat(read.getSuccess()).as(tenant + " k" + i + ": " + read.getErrorMessage())
                    .isTrue();
            assertThat(read.getValue().toStringUtf8()).isEqualTo(tenant + "-v" + i);
        }
    }

    private GetMigrationStatusResponse awaitCompleted(String migrationId) {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            String status = client(0).getMigrationStatus(GetMigrationStatusRequest.newBuilder()
                    .setMigrationId(migrationId).build()).getStatus();
            assertThat(status).isNotIn(Migration.FAILED, Migration.CANCELLED);
            return Migration.COMPLETED.equals(status);
        });
        return client(0).getMigrationStatus(GetMigrationStatusRequest.newBuilder()
                .setMigrationId(migrationId).build());
    }

    private long keysOn(String nodeId) {
        return client(0).listStorageNodes(ListStorageNodesRequest.getDefaultInstance())
                .getNodesList().stream().filter(node -> node.getNodeId().equals(nodeId))
                .mapToLong(StorageNodeInfo::getKeysCount).sum();
    }

    @Test
    void dataFollowsNodesThatJoinAndLeaveAndReplicationFactorsThatChange() {
        CairnServer seed = start(0, null);
        String join = "127.0.0.1:" + seed.port();
        start(1, join);
        await().atMost(Duration.ofSeconds(30)).until(() ->
                seed.metadata().current().storageNodeCount() == 2);
        for (String tenant : List.of("one", "two")) {
            assertThat(client(0).createTenant(CreateTenantRequest.newBuilder().setTenantId(tenant)
                    .setReplicationFactor(tenant.equals("one") ? 1 : 2).build()).getSuccess())
                    .isTrue();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> servers.stream().allMatch(s ->
                s.metadata().current().tenants().size() == 2));
        for (int i = 0; i < KEYS; i++) {
            write(i % 2, "one", i);
            write(i % 2, "two", i);
        }

        // A third node joins a cluster that holds data: it is added at once, and streamed.
        CairnServer third = start(2, join);
        await().atMost(Duration.ofSeconds(30)).until(() ->
                seed.metadata().current().runningMigration() != null
                        || seed.metadata().current().migrations().size() == 1);
        String addition = seed.metadata().current().migrations().get(0).id();
        GetMigrationStatusResponse added = awaitCompleted(addition);
        assertThat(added.getType()).isEqualTo(Migration.NODE_ADDITION);
        assertThat(added.getNodeId()).isEqualTo(third.nodeId());
        assertThat(added.getProgress().getPercentage()).isEqualTo(100f);
        assertThat(added.getProgress().getKeysMigrated()).isPositive();
        assertThat(keysOn(third.nodeId())).isPositive();
        everyKeyReadsBackAtOne(2, "one");
        everyKeyReadsBackAtOne(1, "two");

        // The seed's data moves to the other two; reads at one still find every key.
        RemoveStorageNodeResponse removed = client(1).removeStorageNode(RemoveStorageNodeRequest
                .newBuilder().setNodeId(seed.nodeId()).build());
        assertThat(removed.getSuccess()).as(removed.getErrorMessage()).isTrue();
        awaitCompleted(removed.getMigrationId());
        await().atMost(Duration.ofSeconds(30)).until(() -> servers.stream().allMatch(s ->
                s.metadata().current().storageNodeCount() == 2));
        everyKeyReadsBackAtOne(1, "one");
        everyKeyReadsBackAtOne(2, "two");

        // Raising RF 1 to 2 on two nodes puts every key on both.
        UpdateReplicationFactorResponse raised = client(0).updateReplicationFactor(
                UpdateReplicationFactorRequest.newBuilder().setTenantId("one")
                        .setNewReplicationFactor(2).build());
        assertThat(raised.getSuccess()).as(raised.getErrorMessage()).isTrue();
        assertThat(raised.getMigrationId()).isNotEmpty();
        awaitCompleted(raised.getMigrationId());
        assertThat(seed.metadata().current().tenant("one").replicationFactor()).isEqualTo(2);
        everyKeyReadsBackAtOne(1, "one");
        everyKeyReadsBackAtOne(2, "one");

        // The removed seed cleans up everything it held; the owners keep every copy.
        CleanupNodeResponse cleaned = AdminServiceGrpc.newBlockingStub(channels.get(0))
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .cleanupNode(CleanupNodeRequest.getDefaultInstance());
        assertThat(cleaned.getSuccess()).as(cleaned.getErrorMessage()).isTrue();
        assertThat(cleaned.getKeysDeleted()).isPositive();
        assertThat(keysOn(seed.nodeId())).isZero();
        assertThat(keysOn(servers.get(1).nodeId()) + keysOn(third.nodeId()))
                .isEqualTo(4L * KEYS);
        // A retry through a new owner of a write made before the move is still a duplicate.
        WriteKeyValueResponse retried = client(2).writeKeyValue(WriteKeyValueRequest.newBuilder()
                .setTenantId("two").setKey("k7").setValue(ByteString.copyFromUtf8("two-v7"))
                .setConsistency("all").setIdempotencyKey("two-idem-7").build());
        assertThat(retried.getSuccess()).isTrue();
        assertThat(retried.getIsDuplicate()).isTrue();
    }

    @Test
    void aRemovalThatWouldLeaveTooFewNodesForATenantIsRefusedNamingIt() {
        CairnServer seed = start(0, null);
        start(1, "127.0.0.1:" + seed.port());
        await().atMost(Duration.ofSeconds(30)).until(() ->
                seed.metadata().current().storageNodeCount() == 2);
        assertThat(client(0).createTenant(CreateTenantRequest.newBuilder().setTenantId("pair")
                .setReplicationFactor(2).build()).getSuccess()).isTrue();
        RemoveStorageNodeResponse refused = client(0).removeStorageNode(RemoveStorageNodeRequest
                .newBuilder().setNodeId(servers.get(1).nodeId()).build());
        assertThat(refused.getSuccess()).isFalse();
        assertThat(refused.getErrorCode()).isEqualTo(ErrorCode.NODE_IN_USE);
        assertThat(refused.getErrorMessage()).contains("tenant 'pair'", "replication factor 2");
        UpdateReplicationFactorResponse tooMany = client(0).updateReplicationFactor(
                UpdateReplicationFactorRequest.newBuilder().setTenantId("pair")
                        .setNewReplicationFactor(3).build());
        assertThat(tooMany.getErrorCode()).isEqualTo(ErrorCode.INVALID_REPLICATION_FACTOR);
    }
}
