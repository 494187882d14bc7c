package io.cairndb.server;

// Proves a coordinator's /metrics times its calls to each peer's replica by peer and op, and
// counts the read repairs it sends when a read finds a replica that missed a write.

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.cairndb.api.CoordinatorServiceGrpc;
import io.cairndb.api.CreateTenantRequest;
import io.cairndb.api.ListStorageNodesRequest;
import io.cairndb.api.ReadKeyValueRequest;
import io.cairndb.api.ReadKeyValueResponse;
import io.cairndb.api.StorageNodeInfo;
import io.cairndb.api.WriteKeyValueRequest;
import io.cairndb.api.WriteKeyValueResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicaMetricsTest {

    @TempDir
    Path dir;

    private final InJvmNodes nodes = new InJvmNodes();

    private void start(int index, String join) {
        Map<String, String> settings = new HashMap<>(Map.of("port", "0", "peerPort", "0",
                "raftPort", "0", "httpPort", "0", "dataDir", dir.resolve("node" + index).toString(),
                "membership.heartbeatIntervalMillis", "500",
                // Hints wait: the replica that missed a write must still lack it when read.
                "membership.hintDeliveryIntervalMillis", "3600000",
                "requests.requestTimeoutMillis", "3000",
                "requests.readRepairChance", "0"));
        if (join != null) {
            settings.put("join", join);
        }
        if (index == 2) {
            settings.put("roles", "coordinator,storage");
        }
        nodes.start(index, settings);
    }

    private void stop(int index) {
        nodes.stop(index);
    }

    @AfterEach
    void stopCluster() {
        nodes.close();
    }

    private CoordinatorServiceGrpc.CoordinatorServiceBlockingStub client(int index) {
        return nodes.client(index);
    }

    private void awaitAllAlive() {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            List<StorageNodeInfo> nodes = client(0).listStorageNodes(
                    ListStorageNodesRequest.getDefaultInstance()).getNodesList();
            return nodes.size() == 3 && nodes.stream().allMatch(StorageNodeInfo::getAlive);
        });
    }

    private void write(String key, String consistency) {
        WriteKeyValueResponse written = client(0).writeKeyValue(WriteKeyValueRequest.newBuilder()
                .setTenantId("t").setKey(key).setValue(ByteString.copyFromUtf8("v-" + key))
                .setConsistency(consistency).build());
        assertThat(written.getSuccess()).as(written.getErrorMessage()).isTrue();
    }

    private ReadKeyValueResponse read(String key, String consistency) {
        ReadKeyValueResponse read = client(0).readKeyValue(ReadKeyValueRequest.newBuilder()
                .setTenantId("t").setKey(key).setConsistency(consistency).build());
        assertThat(read.getSuccess()).as(read.getErrorMessage()).isTrue();
        return read;
    }

    private Map<String, Double> scrape() throws Exception {
        RestClient.Answer answer = new RestClient(nodes.server(0).httpPort()).get("/metrics");
        assertThat(answer.status()).isEqualTo(200);
        return PrometheusText.parse(answer.text());
    }

    private static double calls(Map<String, Double> samples, String peer, String op) {
        return samples.getOrDefault(PrometheusText.series("cairn_replica_request_seconds_count",
                Map.of("peer", peer, "op", op)), 0.0);
    }

    private static double repairs(Map<String, Double> samples, String kind) {
        return samples.getOrDefault(PrometheusText.series("cairn_read_repairs_total",
                Map.of("kind", kind)), -1.0);
    }

    @Test
    void replicaCallsAreTimedByPeerAndReadRepairsAreCounted() throws Exception {
        start(0, null);
        String join = "127.0.0.1:" + nodes.server(0).port();
        start(1, join);
        start(2, join);
        awaitAllAlive();
        assertThat(client(0).createTenant(CreateTenantRequest.newBuilder().setTenantId("t")
                .setReplicationFactor(3).build()).getSuccess()).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> nodes.servers().stream()
                .allMatch(s -> s.metadata().current().tenant("t") != null));
        List<String> peers = List.of(nodes.server(1).nodeId(), nodes.server(2).nodeId());

        Map<String, Double> before = scrape();
        assertThat(repairs(before, "blocking")).isZero();
        assertThat(repairs(before, "background")).isZero();
        for (int i = 0; i < 20; i++) {
            write("k" + i, "all");
            read("k" + i, "all");
        }
        Map<String, Double> after = scrape();
        for (String peer : peers) {
            for (String op : List.of("write", "read")) {
                assertThat(calls(after, peer, op)).as(peer + " " + op)
                        .isGreaterThan(calls(before, peer, op));
            }
        }
        assertThat(after.get(PrometheusText.series("cairn_replica_request_seconds_sum",
                Map.of("peer", peers.get(0), "op", "write")))).isPositive();
        // Every replica held every key: nothing to repair.
        assertThat(repairs(after, "blocking")).isZero();

        // The third replica misses a write while it is down, keeping its data dir.
        stop(2);
        write("missed", "quorum");
        start(2, join);
        awaitAllAlive();
        assertThat(read("missed", "all").getReplicaCount()).isEqualTo(3);
        // A read at all waits for every replica, so its repair is sent before the answer.
        assertThat(repairs(scrape(), "blocking")).isEqualTo(1.0);
        read("missed", "all");
        Map<String, Double> repaired = scrape();
        assertThat(repairs(repaired, "blocking")).as("the replica agrees now").isEqualTo(1.0);
        assertThat(repairs(repaired, "background")).isZero();
    }
}
