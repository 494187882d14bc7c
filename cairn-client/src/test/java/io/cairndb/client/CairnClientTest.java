package io.cairndb.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

// Proves every RPC has a sync and an async method that sends the request and returns the answer.
class CairnClientTest {

    private static final Instant NOW = Instant.ofEpochSecond(FakeCoordinator.NOW_SECONDS);

    private InProcessCoordinator coordinator;
    private CairnClient client;

    @BeforeEach
    void start() {
        coordinator = new InProcessCoordinator();
        client = coordinator.client();
        client.createTenant("acme", 3);
    }

    @AfterEach
    void stop() {
        client.close();
        coordinator.close();
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(5, TimeUnit.SECONDS);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------------- tenants

    @Test
    void createTenantReturnsTheTenantAsCreated() {
        Tenant tenant = client.createTenant("globex", 2);

        assertThat(tenant).isEqualTo(new Tenant("globex", 2, NOW, NOW));
    }

    @Test
    void createTenantWithoutFactorTakesTheServerDefault() throws Exception {
        assertThat(client.createTenant("initech").replicationFactor()).isEqualTo(3);
        assertThat(await(client.createTenantAsync("hooli")).replicationFactor()).isEqualTo(3);
    }

    @Test
    void createTenantAsyncReturnsTheTenantAsCreated() throws Exception {
        assertThat(await(client.createTenantAsync("globex", 1)))
                .isEqualTo(new Tenant("globex", 1, NOW, NOW));
    }

    @Test
    void getTenantDescribesTheTenant() throws Exception {
        Tenant expected = new Tenant("acme", 3, NOW, NOW);

        assertThat(client.getTenant("acme")).isEqualTo(expected);
        assertThat(await(client.getTenantAsync("acme"))).isEqualTo(expected);
    }

    @Test
    void updateReplicationFactorReportsOldAndNewFactorAndTheMigration() throws Exception {
        RfChange change = client.updateReplicationFactor("acme", 2);

        assertThat(change.tenantId()).isEqualTo("acme");
        assertThat(change.oldReplicationFactor()).isEqualTo(3);
        assertThat(change.newReplicationFactor()).isEqualTo(2);
        assertThat(change.migrationStarted()).isTrue();
        assertThat(change.updatedAt()).isEqualTo(NOW.plusSeconds(60));
        assertThat(client.getTenant("acme").replicationFactor()).isEqualTo(2);

        RfChange back = await(client.updateReplicationFactorAsync("acme", 3));
        assertThat(back.oldReplicationFactor()).isEqualTo(2);
        assertThat(back.newReplicationFactor()).isEqualTo(3);
    }

    @Test
    void updateReplicationFactorToTheSameFactorStartsNoMigration() {
        RfChange change = client.updateReplicationFactor("acme", 3);

        assertThat(change.migrationStarted()).isFalse();
        assertThat(change.migrationId()).isEmpty();
    }

    // -------------------------------------------------------------------- key-value

    @Test
    void writeThenReadReturnsTheValueAndItsClock() {
        WriteResult written = client.write("acme", "user:1", utf8("alice"));

        assertThat(written.key()).isEqualTo("user:1");
        assertThat(written.idempotencyKey()).isNotEmpty();
        assertThat(written.vectorClock()).containsExactly(entry("n1", 1L));
        assertThat(written.replicaCount()).isEqualTo(2);
        assertThat(written.consistency()).isEqualTo("quorum");
        assertThat(written.duplicate()).isFalse();

        ReadResult read = client.read("acme", "user:1");
        assertThat(read.key()).isEqualTo("user:1");
        assertThat(read.value()).isEqualTo(utf8("alice"));
        assertThat(read.valueAsString()).isEqualTo("alice");
        assertThat(read.vectorClock()).isEqualTo(written.vectorClock());
        assertThat(read.replicaCount()).isEqualTo(2);
    }

    @Test
    void writeOfAStringStoresItsUtf8Bytes() throws Exception {
        client.write("acme", "greeting", "héllo");
        await(client.writeAsync("acme", "farewell", "adiós"));

        assertThat(client.read("acme", "greeting").value()).isEqualTo(utf8("héllo"));
        assertThat(client.read("acme", "farewell").valueAsString()).isEqualTo("adiós");
    }

    @Test
    void writeSendsTheConsistencyAsEnumOrString() {
        assertThat(client.write("acme", "k", utf8("v"), Consistency.ONE).replicaCount())
                .isEqualTo(1);
        assertThat(client.write("acme", "k", utf8("v"), "all").consistency()).isEqualTo("all");
        assertThat(client.write("acme", "k", utf8("v"), Consistency.ALL, "idem-1").replicaCount())
                .isEqualTo(3);
    }

    @Test
    void writeRetriedWithTheSameIdempotencyKeyIsADuplicate() {
        WriteResult first = client.write("acme", "k", utf8("v"), "quorum", "idem-1");
        WriteResult retry = client.write("acme", "k", utf8("v"), "quorum", "idem-1");

        assertThat(first.idempotencyKey()).isEqualTo("idem-1");
        assertThat(first.duplicate()).isFalse();
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.vectorClock()).isEqualTo(first.vectorClock());
    }

    @Test
    void writeAsyncOverloadsAllReturnTheWrite() throws Exception {
        assertThat(await(client.writeAsync("acme", "a", utf8("1"))).key()).isEqualTo("a");
        assertThat(await(client.writeAsync("acme", "b", utf8("2"), Consistency.ONE))
                .replicaCount()).isEqualTo(1);
        assertThat(await(client.writeAsync("acme", "c", utf8("3"), "all")).consistency())
                .isEqualTo("all");
        assertThat(await(client.writeAsync("acme", "d", utf8("4"), Consistency.QUORUM, "i-4"))
                .idempotencyKey()).isEqualTo("i-4");
        WriteResult retry = await(client.writeAsync("acme", "d", utf8("4"), "quorum", "i-4"));
        assertThat(retry.duplicate()).isTrue();

        assertThat(client.scan("acme").map(KeyValue::key)).containsExactly("a", "b", "c", "d");
    }

    @Test
    void readSendsTheConsistency() throws Exception {
        client.write("acme", "k", utf8("v"));

        assertThat(client.read("acme", "k", Consistency.ONE).replicaCount()).isEqualTo(1);
        assertThat(client.read("acme", "k", "all").consistency()).isEqualTo("all");
        assertThat(await(client.readAsync("acme", "k")).valueAsString()).isEqualTo("v");
        assertThat(await(client.readAsync("acme", "k", Consistency.ALL)).replicaCount())
                .isEqualTo(3);
        assertThat(await(client.readAsync("acme", "k", "one")).consistency()).isEqualTo("one");
    }

    @Test
    void deleteRemovesTheKeyAndReturnsTheTombstoneClock() throws Exception {
        WriteResult written = client.write("acme", "k", utf8("v"));

        WriteResult deleted = client.delete("acme", "k");

        assertThat(deleted.key()).isEqualTo("k");
        assertThat(deleted.vectorClock().get("n1")).isGreaterThan(written.vectorClock().get("n1"));
        assertThat(client.scan("acme")).isEmpty();

        assertThat(client.delete("acme", "k", Consistency.ONE).replicaCount()).isEqualTo(1);
        assertThat(client.delete("acme", "k", "all").consistency()).isEqualTo("all");
        assertThat(client.delete("acme", "k", Consistency.ALL, "del-1").idempotencyKey())
                .isEqualTo("del-1");
        assertThat(client.delete("acme", "k", "one", "del-2").idempotencyKey())
                .isEqualTo("del-2");
    }

    @Test
    void deleteAsyncOverloadsAllDelete() throws Exception {
        assertThat(await(client.deleteAsync("acme", "k")).key()).isEqualTo("k");
        assertThat(await(client.deleteAsync("acme", "k", Consistency.ONE)).replicaCount())
                .isEqualTo(1);
        assertThat(await(client.deleteAsync("acme", "k", "all")).replicaCount()).isEqualTo(3);
        assertThat(await(client.deleteAsync("acme", "k", Consistency.ALL, "d-1"))
                .idempotencyKey()).isEqualTo("d-1");
        assertThat(await(client.deleteAsync("acme", "k", "quorum", "d-2")).idempotencyKey())
                .isEqualTo("d-2");
    }

    @Test
    void batchWriteAppliesEachItemAndReportsEachOutcome() {
        client.write("acme", "gone", utf8("x"));

        BatchResult result = client.batchWrite("acme", List.of(
                BatchItem.put("a", "1"),
                BatchItem.put("b", utf8("2"), "idem-b"),
                BatchItem.delete("gone"),
                BatchItem.put("", "no key")), Consistency.ALL);

        assertThat(result.succeededCount()).isEqualTo(3);
        assertThat(result.failedCount()).isEqualTo(1);
        assertThat(result.allSucceeded()).isFalse();
        assertThat(result.consistency()).isEqualTo("all");
        assertThat(result.results()).extracting(BatchItemResult::key)
                .containsExactly("a", "b", "gone", "");
        assertThat(result.results().get(0).replicaCount()).isEqualTo(3);
        assertThat(result.results().get(1).idempotencyKey()).isEqualTo("idem-b");
        assertThat(result.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.errorCode()).isEqualTo(io.cairndb.api.ErrorCode.INVALID_REQUEST);
            assertThat(failure.errorMessage()).isEqualTo("key is empty");
            assertThat(failure.error()).isInstanceOf(InvalidRequestException.class)
                    .hasMessage("key is empty");
        });
        assertThat(client.scan("acme").map(KeyValue::key)).containsExactly("a", "b");
    }

    @Test
    void batchWriteOverloadsSendTheConsistency() throws Exception {
        List<BatchItem> items = List.of(BatchItem.put("a", "1"), BatchItem.delete("b", "d-b"));

        assertThat(client.batchWrite("acme", items).consistency()).isEqualTo("quorum");
        assertThat(client.batchWrite("acme", items, "one").consistency()).isEqualTo("one");
        assertThat(await(client.batchWriteAsync("acme", items)).allSucceeded()).isTrue();
        assertThat(await(client.batchWriteAsync("acme", items, Consistency.ALL)).consistency())
                .isEqualTo("all");
        assertThat(await(client.batchWriteAsync("acme", items, "one")).results())
                .extracting(BatchItemResult::idempotencyKey).last().isEqualTo("d-b");
    }

    @Test
    void rangeQueryReturnsOnePageAndTheTokenForTheNext() throws Exception {
        for (String key : List.of("a", "b", "c", "d")) {
            client.write("acme", key, key.toUpperCase());
        }

        RangePage first = client.rangeQuery("acme", "b", null, 2, null);
        assertThat(first.items()).extracting(KeyValue::key).containsExactly("b", "c");
        assertThat(first.items().get(0).valueAsString()).isEqualTo("B");
        assertThat(first.items().get(0).vectorClock()).containsOnlyKeys("n1");
        assertThat(first.hasMore()).isTrue();

        RangePage second = client.rangeQuery("acme", "b", null, 2, first.nextPageToken(),
                Consistency.ONE);
        assertThat(second.items()).extracting(KeyValue::key).containsExactly("d");
        assertThat(second.hasMore()).isFalse();

        RangePage bounded = client.rangeQuery("acme", "a", "c", 0, "", "all");
        assertThat(bounded.items()).extracting(KeyValue::key).containsExactly("a", "b");

        assertThat(await(client.rangeQueryAsync("acme", "", "", 3, "")).items()).hasSize(3);
        assertThat(await(client.rangeQueryAsync("acme", "c", "", 0, "", Consistency.ALL))
                .items()).extracting(KeyValue::key).containsExactly("c", "d");
        assertThat(await(client.rangeQueryAsync("acme", "", "b", 0, null, "one")).items())
                .extracting(KeyValue::key).containsExactly("a");
    }

    // ------------------------------------------------------------------------ nodes

    @Test
    void listStorageNodesDescribesEveryNode() throws Exception {
        List<StorageNode> nodes = client.listStorageNodes();

        assertThat(nodes).hasSize(3);
        assertThat(nodes.get(0)).isEqualTo(new StorageNode("n1", "10.0.0.1", 7070, "active", 150,
                10, 12.5, true, 4, 0L));
        assertThat(nodes.get(1).clockOffsetMillis()).isEqualTo(-12);
        assertThat(nodes.get(2).alive()).isFalse();
        assertThat(nodes.get(2).clockOffsetMillis()).isNull();
        assertThat(await(client.listStorageNodesAsync())).isEqualTo(nodes);
    }

    @Test
    void addStorageNodeStartsAMigrationToFollow() throws Exception {
        NodeChange added = client.addStorageNode("n4", "10.0.0.4", 7070, 64);

        assertThat(added.nodeId()).isEqualTo("n4");
        assertThat(added.migrationStarted()).isTrue();
        assertThat(added.message()).isEqualTo("node added; streaming its ranges");
        assertThat(added.estimatedCompletion()).isEqualTo(NOW.plusSeconds(300));
        assertThat(client.listStorageNodes()).extracting(StorageNode::virtualNodes).last()
                .isEqualTo(64);

        MigrationStatus status = client.getMigrationStatus(added.migrationId());
        assertThat(status).isEqualTo(new MigrationStatus(added.migrationId(), "node_addition",
                "n4", "in_progress", 25, 100, 25.0, NOW, NOW.plusSeconds(300)));
        assertThat(await(client.getMigrationStatusAsync(added.migrationId()))).isEqualTo(status);

        assertThat(client.addStorageNode("n5", "10.0.0.5", 7070).nodeId()).isEqualTo("n5");
        assertThat(await(client.addStorageNodeAsync("n6", "10.0.0.6", 7070)).nodeId())
                .isEqualTo("n6");
        assertThat(await(client.addStorageNodeAsync("n7", "10.0.0.7", 7070, 10)).nodeId())
                .isEqualTo("n7");
        assertThat(client.listStorageNodes()).extracting(StorageNode::nodeId)
                .containsExactly("n1", "n2", "n3", "n4", "n5", "n6", "n7");
    }

    @Test
    void removeStorageNodeDrainsOrDropsTheNode() throws Exception {
        NodeChange drained = client.removeStorageNode("n3", false);
        assertThat(drained.migrationStarted()).isTrue();
        assertThat(drained.message()).isEqualTo("node draining");
        assertThat(drained.estimatedCompletion()).isNull();

        NodeChange dropped = await(client.removeStorageNodeAsync("n2", true));
        assertThat(dropped.nodeId()).isEqualTo("n2");
        assertThat(dropped.migrationStarted()).isFalse();

        assertThat(client.listStorageNodes()).extracting(StorageNode::nodeId)
                .containsExactly("n1");
    }

    @Test
    void clientNamesItsTargetAndDeadline() {
        CairnClient named = CairnClient.builder().channel(coordinator.channel)
                .deadline(Duration.ofSeconds(3)).build();

        assertThat(client.target()).isEqualTo("fake:7070");
        assertThat(client.deadline()).isEqualTo(CairnClient.DEADLINE_DEFAULT);
        assertThat(named.target()).isNotBlank();
        assertThat(named.deadline()).isEqualTo(Duration.ofSeconds(3));
    }
}
