package io.cairndb.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.cairndb.api.CoordinatorServiceGrpc;
import io.cairndb.api.CreateTenantRequest;
import io.cairndb.api.ErrorCode;
import io.cairndb.api.ListStorageNodesRequest;
import io.cairndb.api.ReadKeyValueRequest;
import io.cairndb.api.ReadKeyValueResponse;
import io.cairndb.api.StorageNodeInfo;
import io.cairndb.api.WriteKeyValueRequest;
import io.cairndb.api.WriteKeyValueResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves a three-process cluster keeps acknowledged writes through kill -9 and SIGSTOP, and
// that replicas converge.
class ClusterIT {

    @TempDir
    Path dir;

    private final ServerProcess[] nodes = new ServerProcess[3];
    private final ManagedChannel[] channels = new ManagedChannel[3];

    private ServerProcess node(int index) {
        ServerProcess process = new ServerProcess(dir.resolve("node" + index))
                .env("CAIRN_MEMBERSHIP_HEARTBEAT_INTERVAL_MILLIS", "500")
                .env("CAIRN_MEMBERSHIP_HINT_DELIVERY_INTERVAL_MILLIS", "200")
                .env("CAIRN_REQUESTS_REQUEST_TIMEOUT_MILLIS", "3000")
                .env("CAIRN_REQUESTS_READ_REPAIR_CHANCE", "0");
        if (index > 0) {
            process.env("CAIRN_JOIN", nodes[0].target());
        }
        return process;
    }

    private void start(int index) throws Exception {
        nodes[index] = node(index).start();
        channels[index] = ManagedChannelBuilder.forTarget(nodes[index].target()).usePlaintext()
                .build();
    }

    private void kill(int index) throws Exception {
        channels[index].shutdownNow();
        nodes[index].kill();
    }

    private CoordinatorServiceGrpc.CoordinatorServiceBlockingStub client(int index) {
        return CoordinatorServiceGrpc.newBlockingStub(channels[index])
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @BeforeEach
    void startCluster() throws Exception {
        for (int i = 0; i < 3; i++) {
            start(i);
        }
        awaitAllAlive(0);
        var created = client(0).createTenant(CreateTenantRequest.newBuilder().setTenantId("t")
                .setReplicationFactor(3).build());
        assertThat(created.getSuccess()).as(created.getErrorMessage()).isTrue();
        for (int i = 1; i < 3; i++) {
            int via = i;
            await().atMost(Duration.ofSeconds(30)).until(() -> write(via, "probe", "p", "one")
                    .getSuccess());
        }
    }

    @AfterEach
    void stopCluster() throws Exception {
        for (int i = 0; i < 3; i++) {
            if (channels[i] != null) {
                channels[i].shutdownNow();
            }
            if (nodes[i] != null) {
                nodes[i].close();
            }
        }
    }

    private List<StorageNodeInfo> nodesSeenBy(int via) {
        return client(via).listStorageNodes(ListStorageNodesRequest.getDefaultInstance())
                .getNodesList();
    }

    private void awaitAllAlive(int via) {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            List<StorageNodeInfo> seen = nodesSeenBy(via);
            return seen.size() == 3 && seen.stream().allMatch(StorageNodeInfo::getAlive);
        });
    }

    private void awaitNoHints(int... via) {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            for (int v : via) {
                if (nodesSeenBy(v).stream().mapToLong(StorageNodeInfo::getHintsPending).sum()
                        != 0) {
                    return false;
                }
            }
            return true;
        });
    }

    private WriteKeyValueResponse write(int via, String key, String value, String consistency) {
        return client(via).writeKeyValue(WriteKeyValueRequest.newBuilder().setTenantId("t")
                .setKey(key).setValue(ByteString.copyFromUtf8(value)).setConsistency(consistency)
                .build());
    }

    private ReadKeyValueResponse read(int via, String key, String consistency) {
        return client(via).readKeyValue(ReadKeyValueRequest.newBuilder().setTenantId("t")
                .setKey(key).setConsistency(consistency).build());
    }

    @Test
    void acknowledgedQuorumWritesSurviveKillNineAndTheNodeCatchesUp() throws Exception {
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        for (int i = 0; i < 200; i++) {
            WriteKeyValueResponse written = write(i % 3, "k" + i, "before-" + i, "quorum");
            assertThat(written.getSuccess()).as(written.getErrorMessage()).isTrue();
            acknowledged.put("k" + i, "before-" + i);
        }
        kill(2);
        for (int i = 0; i < 400; i++) {
            String key = "k" + (i % 300);
            WriteKeyValueResponse written = write(i % 2, key, "during-" + i, "quorum");
            assertThat(written.getSuccess()).as(written.getErrorMessage()).isTrue();
            acknowledged.put(key, "during-" + i);
        }
        for (int via = 0; via < 2; via++) {
            for (Map.Entry<String, String> entry : acknowledged.entrySet()) {
                ReadKeyValueResponse read = read(via, entry.getKey(), "quorum");
                assertThat(read.getValue().toStringUtf8()).as(entry.getKey())
                        .isEqualTo(entry.getValue());
            }
        }
        start(2);
        awaitNoHints(0, 1);
        kill(0);
        kill(1);
        for (Map.Entry<String, String> entry : acknowledged.entrySet()) {
            ReadKeyValueResponse read = read(2, entry.getKey(), "one");
            assertThat(read.getSuccess()).as("%s: %s", entry.getKey(), read.getErrorMessage())
                    .isTrue();
            assertThat(read.getValue().toStringUtf8()).isEqualTo(entry.getValue());
        }
    }

    @Test
    void pausedNodeFailsAllButNotQuorumAndConvergesAfterResume() throws Exception {
        nodes[2].signal("STOP");
        try {
            WriteKeyValueResponse all = write(0, "paused", "x", "all");
            assertThat(all.getSuccess()).isFalse();
            assertThat(all.getErrorCode()).isEqualTo(ErrorCode.QUORUM_NOT_REACHED);
            assertThat(all.getReplicaCount()).isEqualTo(2);
            for (int i = 0; i < 100; i++) {
                WriteKeyValueResponse written = write(i % 2, "s" + i, "v" + i, "quorum");
                assertThat(written.getSuccess()).as(written.getErrorMessage()).isTrue();
                assertThat(written.getReplicaCount()).isEqualTo(2);
            }
        } finally {
            nodes[2].signal("CONT");
        }
        awaitAllAlive(0);
        awaitNoHints(0, 1);
        for (int i = 0; i < 100; i++) {
            ReadKeyValueResponse local = read(2, "s" + i, "one");
            assertThat(local.getValue().toStringUtf8()).isEqualTo("v" + i);
            ReadKeyValueResponse all = read(0, "s" + i, "all");
            assertThat(all.getReplicaCount()).isEqualTo(3);
        }
    }

    @Test
    void tenantsOfReplicationFactorOneTwoAndThreeKeepThatManyCopies() {
        // The probe written at "one" may still be on its way to the other replicas: a read at
        // "all" finds it on every one (repairing any that missed it), so the count holds still.
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            ReadKeyValueResponse probe = read(0, "probe", "all");
            return probe.getSuccess() && probe.getReplicaCount() == 3;
        });
        awaitAllAlive(0);
        long before = nodesSeenBy(0).stream().mapToLong(StorageNodeInfo::getKeysCount).sum();
        for (int rf = 1; rf <= 3; rf++) {
            var created = client(rf - 1).createTenant(CreateTenantRequest.newBuilder()
                    .setTenantId("rf" + rf).setReplicationFactor(rf).build());
            assertThat(created.getSuccess()).as(created.getErrorMessage()).isTrue();
        }
        for (int rf = 1; rf <= 3; rf++) {
            String tenant = "rf" + rf;
            int expected = rf;
            for (int i = 0; i < 40; i++) {
                int via = i % 3;
                String key = "k" + i;
                WriteKeyValueResponse written = await().atMost(Duration.ofSeconds(30))
                        .until(() -> client(via).writeKeyValue(WriteKeyValueRequest.newBuilder()
                                .setTenantId(tenant).setKey(key)
                                .setValue(ByteString.copyFromUtf8("v")).setConsistency("all")
                                .build()), WriteKeyValueResponse::getSuccess);
                assertThat(written.getReplicaCount()).isEqualTo(expected);
            }
        }
        // A node whose stats do not come back in time counts no keys: ask again.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(nodesSeenBy(0)
                .stream().mapToLong(StorageNodeInfo::getKeysCount).sum() - before)
                .isEqualTo(40 * (1 + 2 + 3)));
    }

    @Test
    void concurrentWritersThroughDifferentCoordinatorsConverge() throws Exception {
        ExecutorService writers = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < 6; w++) {
                int writer = w;
                done.add(writers.submit(() -> {
                    Random random = new Random(writer);
                    for (int i = 0; i < 150; i++) {
                        write(writer % 3, "hot" + random.nextInt(10), "w" + writer + "-" + i,
                                "one");
                    }
                }));
            }
            for (Future<?> future : done) {
                future.get(2, TimeUnit.MINUTES);
            }
        } finally {
            writers.shutdownNow();
        }
        awaitNoHints(0, 1, 2);
        // Each node's local copy (read at "one" through it) must agree on value and clock.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (int k = 0; k < 10; k++) {
                ReadKeyValueResponse first = read(0, "hot" + k, "one");
                for (int via = 1; via < 3; via++) {
                    ReadKeyValueResponse other = read(via, "hot" + k, "one");
                    assertThat(other.getValue()).isEqualTo(first.getValue());
                    assertThat(other.getVectorClock()).isEqualTo(first.getVectorClock());
                }
            }
        });
    }
}
