package io.cairndb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.cairndb.api.BatchWriteItem;
import io.cairndb.api.BatchWriteRequest;
import io.cairndb.api.BatchWriteResponse;
import io.cairndb.api.CoordinatorServiceGrpc;
import io.cairndb.api.CreateTenantRequest;
import io.cairndb.api.ErrorCode;
import io.cairndb.api.ListStorageNodesRequest;
import io.cairndb.api.RangeQueryRequest;
import io.cairndb.api.RangeQueryResponse;
import io.cairndb.api.ReadKeyValueRequest;
import io.cairndb.api.ReadKeyValueResponse;
import io.cairndb.api.StorageNodeInfo;
import io.cairndb.api.WriteKeyValueRequest;
import io.cairndb.api.WriteKeyValueResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves three nodes in one JVM (two control members, one following the metadata stream)
// replicate at every level, place by RF, hint and merge scans.
class ClusterTest {

    @TempDir
    Path dir;

    private final InJvmNodes nodes = new InJvmNodes();

    private static Map<String, String> settings(Path data, String join) {
        Map<String, String> settings = new HashMap<>(Map.of("port", "0", "peerPort", "0",
                "raftPort", "0", "httpPort", "0",
                "dataDir", data.toString(), "membership.heartbeatIntervalMillis", "500",
                "membership.hintDeliveryIntervalMillis", "100",
                "requests.requestTimeoutMillis", "3000"));
        if (join != null) {
            settings.put("join", join);
        }
        return settings;
    }

    private CairnServer start(int index, String join) {
        Map<String, String> settings = settings(dir.resolve("node" + index), join);
        if (index == 2) {
            settings.put("roles", "coordinator,storage");
        }
        return nodes.start(index, settings);
    }

    private CoordinatorServiceGrpc.CoordinatorServiceBlockingStub client(int index) {
        return nodes.client(index);
    }

    private void stop(int index) {
        nodes.stop(index);
    }

    @BeforeEach
    void startCluster() {
        CairnServer seed = start(0, null);
        String join = "127.0.0.1:" + seed.port();
        start(1, join);
        start(2, join);
        await().atMost(Duration.ofSeconds(30)).until(() -> nodes.servers().stream()
                .allMatch(s -> s.metadata().current().storageNodeCount() == 3));
        await().atMost(Duration.ofSeconds(30)).until(() -> client(0).listStorageNodes(
                        ListStorageNodesRequest.getDefaultInstance()).getNodesList().stream()
                .allMatch(StorageNodeInfo::getAlive));
    }

    @AfterEach
    void stopCluster() {
        nodes.close();
    }

    private WriteKeyValueResponse write(int via, String tenant, String key, String value,
                                        String consistency) {
        return client(via).writeKeyValue(WriteKeyValueRequest.newBuilder().setTenantId(tenant)
                .setKey(key).setValue(ByteString.copyFromUtf8(value)).setConsistency(consistency)
                .build());
    }

    private ReadKeyValueResponse read(int via, String tenant, String key, String consistency) {
        return client(via).readKeyValue(ReadKeyValueRequest.newBuilder().setTenantId(tenant)
                .setKey(key).setConsistency(consistency).build());
    }

    private long totalKeys() {
        return client(0).listStorageNodes(ListStorageNodesRequest.getDefaultInstance())
                .getNodesList().stream().mapToLong(StorageNodeInfo::getKeysCount).sum();
    }

    @Test
    void everyNodeCoordinatesAndReplicasFollowTheTenantsReplicationFactor() {
        for (int rf = 1; rf <= 3; rf++) {
            var created = client(0).createTenant(CreateTenantRequest.newBuilder()
                    .setTenantId("rf" + rf).setReplicationFactor(rf).build());
            assertThat(created.getSuccess()).as(created.getErrorMessage()).isTrue();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> nodes.servers().stream().allMatch(s ->
                s.metadata().current().tenants().size() == 3));
        long before = totalKeys();
        for (int rf = 1; rf <= 3; rf++) {
            for (int i = 0; i < 30; i++) {
                WriteKeyValueResponse written = write(i % 3, "rf" + rf, "k" + i, "v" + i, "all");
                assertThat(written.getSuccess()).as(written.getErrorMessage()).isTrue();
                assertThat(written.getReplicaCount()).isEqualTo(rf);
            }
        }
        // 30 keys at RF 1, 2 and 3: 180 copies in all, each key on exactly RF nodes.
        // (A node whose stats do not come back in time counts no keys: ask again.)
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(totalKeys() - before).isEqualTo(30 * (1 + 2 + 3)));
        for (int rf = 1; rf <= 3; rf++) {
            for (int via = 0; via < 3; via++) {
                ReadKeyValueResponse read = read(via, "rf" + rf, "k7", "all");
                assertThat(read.getValue().toStringUtf8()).isEqualTo("v7");
                assertThat(read.getReplicaCount()).isEqualTo(rf);
            }
        }
        var tooMany = client(1).createTenant(CreateTenantRequest.newBuilder().setTenantId("rf4")
                .setReplicationFactor(4).build());
        assertThat(tooMany.getErrorCode()).isEqualTo(ErrorCode.INVALID_REPLICATION_FACTOR);
        var defaulted = client(2).createTenant(CreateTenantRequest.newBuilder()
                .setTenantId("default").build());
        assertThat(defaulted.getReplicationFactor()).isEqualTo(3);
    }

    @Test
    void writesMissedByAStoppedNodeReachItThroughHints() {
        client(0).createTenant(CreateTenantRequest.newBuilder().setTenantId("t")
                .setReplicationFactor(3).build());
        await().atMost(Duration.ofSeconds(30)).until(() -> nodes.servers().stream().allMatch(s ->
                s.metadata().current().tenant("t") != null));
        String stoppedId = nodes.server(2).nodeId();
        stop(2);
        for (int i = 0; i < 50; i++) {
            WriteKeyValueResponse written = write(i % 2, "t", "k" + i, "v" + i, "quorum");
            assertThat(written.getSuccess()).as(written.getErrorMessage()).isTrue();
            assertThat(written.getReplicaCount()).isEqualTo(2);
        }
        BatchWriteRequest.Builder batch = BatchWriteRequest.newBuilder().setTenantId("t")
                .setConsistency("quorum");
        for (int i = 0; i < 50; i++) {
            batch.addItems(BatchWriteItem.newBuilder().setKey("b" + i)
                    .setValue(ByteString.copyFromUtf8("batched" + i)));
        }
        BatchWriteResponse batched = client(1).batchWrite(batch.build());
        assertThat(batched.getSuccess()).isTrue();
        assertThat(batched.getResultsList()).allSatisfy(item ->
                assertThat(item.getReplicaCount()).isEqualTo(2));
        WriteKeyValueResponse all = write(0, "t", "all", "x", "all");
        assertThat(all.getSuccess()).isFalse();
        assertThat(all.getErrorCode()).isEqualTo(ErrorCode.QUORUM_NOT_REACHED);
        assertThat(all.getReplicaCount()).isEqualTo(2);
        assertThat(all.getErrorMessage()).contains(stoppedId);

        start(2, "127.0.0.1:" + nodes.server(0).port());
        // A node whose stats do not come back counts as down with no hints: wait for all
        // three to answer, and none to hold a hint.
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            List<StorageNodeInfo> nodes = client(0).listStorageNodes(
                    ListStorageNodesRequest.getDefaultInstance()).getNodesList();
            return nodes.size() == 3 && nodes.stream().allMatch(StorageNodeInfo::getAlive)
                    && nodes.stream().mapToLong(StorageNodeInfo::getHintsPending).sum() == 0;
        });
        // The restarted node alone holds every write it missed.
        stop(0);
        stop(1);
        for (int i = 0; i < 50; i++) {
            ReadKeyValueResponse read = read(2, "t", "k" + i, "one");
            assertThat(read.getSuccess()).as("k%d: %s", i, read.getErrorMessage()).isTrue();
            assertThat(read.getValue().toStringUtf8()).isEqualTo("v" + i);
            assertThat(read(2, "t", "b" + i, "one").getValue().toStringUtf8())
                    .isEqualTo("batched" + i);
        }
    }

    @Test
    void rangeQueriesMergeEveryNodesKeysInOrder() {
        client(0).createTenant(CreateTenantRequest.newBuilder().setTenantId("scan")
                .setReplicationFactor(2).build());
        await().atMost(Duration.ofSeconds(30)).until(() -> nodes.servers().stream().allMatch(s ->
                s.metadata().current().tenant("scan") != null));
        for (int i = 0; i < 120; i++) {
            WriteKeyValueResponse written =
                    write(i % 3, "scan", String.format("key-%04d", i), "v" + i, "all");
            assertThat(written.getSuccess()).as(written.getErrorMessage()).isTrue();
        }
        List<String> keys = new ArrayList<>();
        String token = "";
        do {
            RangeQueryResponse page = client(1).rangeQuery(RangeQueryRequest.newBuilder()
                    .setTenantId("scan").setLimit(25).setPageToken(token)
                    .setConsistency("quorum").build());
            assertThat(page.getSuccess()).as(page.getErrorMessage()).isTrue();
            page.getItemsList().forEach(item -> keys.add(item.getKey()));
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        assertThat(keys).hasSize(120).isSorted().doesNotHaveDuplicates();
        stop(2);
        await().atMost(Duration.ofSeconds(30)).until(() -> !client(0).listStorageNodes(
                        ListStorageNodesRequest.getDefaultInstance()).getNodesList().stream()
                .allMatch(StorageNodeInfo::getAlive));
        RangeQueryResponse one = client(0).rangeQuery(RangeQueryRequest.newBuilder()
                .setTenantId("scan").setLimit(1000).setConsistency("one").build());
        assertThat(one.getItemsCount()).isEqualTo(120);
        RangeQueryResponse allLevel = client(0).rangeQuery(RangeQueryRequest.newBuilder()
                .setTenantId("scan").setConsistency("all").build());
        assertThat(allLevel.getErrorCode()).isEqualTo(ErrorCode.QUORUM_NOT_REACHED);
    }
}
