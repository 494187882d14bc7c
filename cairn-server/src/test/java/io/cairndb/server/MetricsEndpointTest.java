package io.cairndb.server;

// Proves /metrics is valid Prometheus text carrying the node's meters, and that its request
// counters rise with REST and gRPC traffic.

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairndb.api.ReadKeyValueRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MetricsEndpointTest {

    @RegisterExtension
    static final RunningNode NODE = new RunningNode();


    @BeforeAll
    static void start() throws Exception {
        assertThat(NODE.rest().json("POST", "/api/v1/tenants", "{\"tenantId\":\"metrics\"}").status())
                .isEqualTo(201);
    }

    private static Map<String, Double> scrape() throws Exception {
        RestClient.Answer answer = NODE.rest().get("/metrics");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("Content-Type")).startsWith("text/plain")
                .contains("version=0.0.4");
        return PrometheusText.parse(answer.text());
    }

    private static double requests(Map<String, Double> samples, String api, String operation,
                                   String outcome) {
        return samples.getOrDefault(PrometheusText.series("cairn_requests_seconds_count",
                Map.of("api", api, "operation", operation, "consistency", "default",
                        "outcome", outcome)), 0.0);
    }

    @Test
    void aScrapeIsPrometheusTextWithTheNodesMeters() throws Exception {
        Map<String, Double> samples = scrape();
        assertThat(samples.get("cairn_raft_term{}")).isPositive();
        assertThat(samples.get("cairn_raft_commit_index{}")).isPositive();
        assertThat(samples.get("cairn_raft_leader{}")).isEqualTo(1.0);
        assertThat(samples.get("cairn_membership_nodes{state=\"up\",}")).isEqualTo(1.0);
        assertThat(samples.get("cairn_membership_nodes{state=\"down\",}")).isEqualTo(0.0);
        assertThat(samples).containsKeys("cairn_hints_pending{}", "cairn_hints_delivered_total{}",
                "cairn_storage_size_bytes{}", "cairn_storage_live_keys{}",
                "process_cpu_usage{}", "process_uptime_seconds{}", "jvm_threads_live_threads{}");
        assertThat(samples.keySet()).anyMatch(series -> series.startsWith(
                "jvm_memory_used_bytes{"));
        assertThat(samples.keySet()).anyMatch(series -> series.startsWith("jvm_gc_"));
    }

    @Test
    void theStorageRaftHintAndStreamMetersAreScraped() throws Exception {
        Map<String, Double> samples = scrape();
        // A one-member group elects itself once.
        assertThat(samples.get("cairn_raft_leader_changes_total{}")).isGreaterThanOrEqualTo(1.0);
        assertThat(samples).containsKeys("cairn_hints_stored_total{}",
                "cairn_hints_dropped_total{}", "cairn_storage_compaction_pending_bytes{}",
                "cairn_storage_compactions_running{}", "cairn_storage_writes_stopped{}",
                "cairn_storage_write_stalls_total{kind=\"delay\",}",
                "cairn_storage_write_stalls_total{kind=\"stop\",}",
                "cairn_storage_write_stall_seconds_total{}",
                "cairn_stream_clients{transport=\"websocket\",}",
                "cairn_stream_messages_pending{transport=\"sse\",}",
                "cairn_stream_overflows_total{transport=\"sse\",}");
        assertThat(samples.get("cairn_storage_writes_stopped{}")).isZero();
        // No migration runs on a lone node: the migration meters read zero.
        assertThat(samples).containsEntry("cairn_migrations_running{}", 0.0)
                .containsEntry("cairn_migrations_pending{}", 0.0)
                .containsEntry("cairn_migration_keys_moved{}", 0.0)
                .containsEntry("cairn_migration_keys_to_move{}", 0.0)
                .containsEntry("cairn_migration_moved_bytes{}", 0.0)
                .containsEntry("cairn_migration_progress_percent{}", 0.0);
        // The write-ahead log is fsynced every storage.syncIntervalMillis (1 s by default).
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Map<String, Double> later = scrape();
            assertThat(later.get("cairn_storage_wal_sync_seconds_count{}")).isPositive();
            assertThat(later.get("cairn_storage_wal_sync_seconds_sum{}")).isPositive();
        });
    }

    @Test
    void requestCountersRiseWithRestAndGrpcTraffic() throws Exception {
        Map<String, Double> before = scrape();
        for (int i = 0; i < 3; i++) {
            assertThat(NODE.rest().send("PUT", "/api/v1/tenants/metrics/keys/k" + i, "text/plain",
                    "v".getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(200);
        }
        assertThat(NODE.rest().get("/api/v1/tenants/metrics/keys/absent").status()).isEqualTo(404);
        NODE.node().stub.readKeyValue(ReadKeyValueRequest.newBuilder().setTenantId("metrics")
                .setKey("k0").build());
        NODE.node().stub.readKeyValue(ReadKeyValueRequest.newBuilder().setTenantId("metrics")
                .setKey("absent").build());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Map<String, Double> after = scrape();
            assertThat(requests(after, "rest", "writeKeyValue", "ok")
                    - requests(before, "rest", "writeKeyValue", "ok")).isEqualTo(3.0);
            assertThat(requests(after, "rest", "readKeyValue", "KEY_NOT_FOUND")
                    - requests(before, "rest", "readKeyValue", "KEY_NOT_FOUND")).isEqualTo(1.0);
            assertThat(requests(after, "grpc", "readKeyValue", "ok")
                    - requests(before, "grpc", "readKeyValue", "ok")).isEqualTo(1.0);
            assertThat(requests(after, "grpc", "readKeyValue", "KEY_NOT_FOUND")
                    - requests(before, "grpc", "readKeyValue", "KEY_NOT_FOUND")).isEqualTo(1.0);
            assertThat(after.get("cairn_tenant_requests_total{tenant=\"metrics\",}")
                    - before.getOrDefault("cairn_tenant_requests_total{tenant=\"metrics\",}", 0.0))
                    .isEqualTo(6.0);
            assertThat(after.get("cairn_storage_live_keys{}")).isGreaterThanOrEqualTo(3.0);
        });
        assertThat(scrape().keySet()).anyMatch(series -> series.startsWith(
                "cairn_requests_seconds_bucket{") && series.contains("le=\"+Inf\""));
    }

    @Test
    void theParserRefusesWhatIsNotPrometheusText() {
        for (String bad : new String[] {"metric 1", "# TYPE m counter\nm{a=b} 1",
                "# TYPE m gauge\nm one"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> PrometheusText.parse(bad))
                    .as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
