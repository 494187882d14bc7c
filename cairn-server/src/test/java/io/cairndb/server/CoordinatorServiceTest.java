package io.cairndb.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.cairndb.api.AddStorageNodeRequest;
import io.cairndb.api.BatchWriteItem;
import io.cairndb.api.BatchWriteRequest;
import io.cairndb.api.BatchWriteResponse;
import io.cairndb.api.CreateTenantRequest;
import io.cairndb.api.CreateTenantResponse;
import io.cairndb.api.DeleteKeyValueRequest;
import io.cairndb.api.ErrorCode;
import io.cairndb.api.GetMigrationStatusRequest;
import io.cairndb.api.GetTenantRequest;
import io.cairndb.api.ListStorageNodesRequest;
import io.cairndb.api.ListStorageNodesResponse;
import io.cairndb.api.RangeQueryRequest;
import io.cairndb.api.RangeQueryResponse;
import io.cairndb.api.ReadKeyValueRequest;
import io.cairndb.api.ReadKeyValueResponse;
import io.cairndb.api.RemoveStorageNodeRequest;
import io.cairndb.api.UpdateReplicationFactorRequest;
import io.cairndb.api.WriteKeyValueRequest;
import io.cairndb.api.WriteKeyValueResponse;
import io.cairndb.api.admin.AdminServiceGrpc;
import io.cairndb.api.admin.GetControlStatusRequest;
import io.cairndb.api.admin.GetControlStatusResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves every RPC of a single node answers correctly over gRPC, errors included, in-band.
class CoordinatorServiceTest {

    @TempDir
    Path dir;

    private TestNode node;

    @BeforeEach
    void start() {
        node = new TestNode(dir, Map.of("requests.idempotencyTtlMillis", "60000"));
        CreateTenantResponse created = node.stub.createTenant(
                CreateTenantRequest.newBuilder().setTenantId("acme").build());
        assertThat(created.getSuccess()).as(created.getErrorMessage()).isTrue();
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private WriteKeyValueResponse write(String key, String value, String consistency,
                                        String idempotencyKey) {
        return node.stub.writeKeyValue(WriteKeyValueRequest.newBuilder().setTenantId("acme")
                .setKey(key).setValue(ByteString.copyFromUtf8(value)).setConsistency(consistency)
                .setIdempotencyKey(idempotencyKey).build());
    }

    private ReadKeyValueResponse read(String key) {
        return node.stub.readKeyValue(ReadKeyValueRequest.newBuilder().setTenantId("acme")
                .setKey(key).build());
    }

    // ------------------------------------------------------------------------- tenants

    @Test
    void tenantsDefaultToTheReplicationFactorTheClusterCanHold() {
        CreateTenantResponse created = node.stub.createTenant(
                CreateTenantRequest.newBuilder().setTenantId("beta").build());
        assertThat(created.getReplicationFactor()).isEqualTo(1);
        assertThat(created.getCreatedAt()).isEqualTo(node.clock.get() / 1000);
        var fetched = node.stub.getTenant(GetTenantRequest.newBuilder().setTenantId("beta").build());
        assertThat(fetched.getSuccess()).isTrue();
        assertThat(fetched.getReplicationFactor()).isEqualTo(1);
        assertThat(fetched.getCreatedAt()).isEqualTo(created.getCreatedAt());
    }

    @Test
    void tenantErrorsAreInBandWithCodes() {
        assertError(node.stub.createTenant(CreateTenantRequest.newBuilder().setTenantId("acme")
                .build()), ErrorCode.TENANT_EXISTS, "already exists");
        assertError(node.stub.createTenant(CreateTenantRequest.newBuilder().setTenantId("Bad Id")
                .build()), ErrorCode.INVALID_REQUEST, "tenant_id 'Bad Id' is invalid");
        assertError(node.stub.createTenant(CreateTenantRequest.newBuilder().setTenantId("big")
                .setReplicationFactor(3).build()), ErrorCode.INVALID_REPLICATION_FACTOR,
                "replication_factor is 3 but the cluster has 1 storage node");
        assertError(node.stub.createTenant(CreateTenantRequest.newBuilder().setTenantId("neg")
                .setReplicationFactor(-1).build()), ErrorCode.INVALID_REPLICATION_FACTOR,
                "at least 1");
        assertError(node.stub.getTenant(GetTenantRequest.newBuilder().setTenantId("nobody")
                .build()), ErrorCode.TENANT_NOT_FOUND, "tenant 'nobody' does not exist");
    }

    @Test
    void replicationFactorChangesWithinWhatTheClusterHolds() {
        var same = node.stub.updateReplicationFactor(UpdateReplicationFactorRequest.newBuilder()
                .setTenantId("acme").setNewReplicationFactor(1).build());
        assertThat(same.getSuccess()).isTrue();
        assertThat(same.getOldReplicationFactor()).isEqualTo(1);
        assertThat(same.getNewReplicationFactor()).isEqualTo(1);
        assertError(node.stub.updateReplicationFactor(UpdateReplicationFactorRequest.newBuilder()
                        .setTenantId("acme").setNewReplicationFactor(2).build()),
                ErrorCode.INVALID_REPLICATION_FACTOR, "cluster has 1 storage node");
        assertError(node.stub.updateReplicationFactor(UpdateReplicationFactorRequest.newBuilder()
                        .setTenantId("acme").setNewReplicationFactor(0).build()),
                ErrorCode.INVALID_REPLICATION_FACTOR, "at least 1");
        assertError(node.stub.updateReplicationFactor(UpdateReplicationFactorRequest.newBuilder()
                        .setTenantId("ghost").setNewReplicationFactor(1).build()),
                ErrorCode.TENANT_NOT_FOUND, "ghost");
    }

    // ------------------------------------------------------------------------ key-value

    @Test
    void writesAndReadsAtEveryConsistencyLevel() {
        for (String level : List.of("one", "quorum", "all", "QUORUM", "")) {
            WriteKeyValueResponse written = write("k-" + level, "value " + level, level, "");
            assertThat(written.getSuccess()).as(written.getErrorMessage()).isTrue();
            assertThat(written.getReplicaCount()).isEqualTo(1);
            assertThat(written.getConsistency()).isEqualTo(level.isEmpty() ? "quorum"
                    : level.toLowerCase());
            assertThat(written.getIdempotencyKey()).isNotEmpty();
            assertThat(written.getVectorClock().getEntriesCount()).isEqualTo(1);
            ReadKeyValueResponse read = node.stub.readKeyValue(ReadKeyValueRequest.newBuilder()
                    .setTenantId("acme").setKey("k-" + level).setConsistency(level).build());
            assertThat(read.getSuccess()).isTrue();
            assertThat(read.getValue().toStringUtf8()).isEqualTo("value " + level);
            assertThat(read.getVectorClock()).isEqualTo(written.getVectorClock());
        }
    }

    @Test
    void laterWritesWinAndClocksGrow() {
        WriteKeyValueResponse first = write("k", "one", "", "");
        WriteKeyValueResponse second = write("k", "two", "", "");
        long a = first.getVectorClock().getEntries(0).getLogicalTimestamp();
        long b = second.getVectorClock().getEntries(0).getLogicalTimestamp();
        assertThat(b).isGreaterThan(a);
        assertThat(read("k").getValue().toStringUtf8()).isEqualTo("two");
    }

    @Test
    void binaryAndEmptyValuesRoundTrip() {
        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        node.stub.writeKeyValue(WriteKeyValueRequest.newBuilder().setTenantId("acme")
                .setKey("bin").setValue(ByteString.copyFrom(binary)).build());
        assertThat(read("bin").getValue().toByteArray()).isEqualTo(binary);
        write("empty", "", "", "");
        ReadKeyValueResponse empty = read("empty");
        assertThat(empty.getSuccess()).isTrue();
        assertThat(empty.getValue().size()).isZero();
    }

    @Test
    void keyValueErrorsNameTheFieldAndRule() {
        assertError(write("", "v", "", ""), ErrorCode.INVALID_REQUEST, "key is empty");
        assertError(write("k".repeat(1025), "v", "", ""), ErrorCode.INVALID_REQUEST,
                "key is 1025 bytes; the limit is 1024");
        assertError(node.stub.writeKeyValue(WriteKeyValueRequest.newBuilder().setTenantId("acme")
                        .setKey("big").setValue(ByteString.copyFrom(new byte[1024 * 1024 + 1]))
                        .build()),
                ErrorCode.INVALID_REQUEST, "value is 1048577 bytes; the limit is 1048576");
        assertError(write("k", "v", "most", ""), ErrorCode.INVALID_REQUEST,
                "consistency 'most' is not a consistency level");
        assertError(node.stub.writeKeyValue(WriteKeyValueRequest.newBuilder().setTenantId("nope")
                .setKey("k").build()), ErrorCode.TENANT_NOT_FOUND, "tenant 'nope'");
        assertError(node.stub.writeKeyValue(WriteKeyValueRequest.newBuilder().setTenantId("NO!")
                .setKey("k").build()), ErrorCode.INVALID_REQUEST, "tenant_id");
        assertError(read("missing"), ErrorCode.KEY_NOT_FOUND, "key 'missing' not found");
        assertError(node.stub.readKeyValue(ReadKeyValueRequest.newBuilder().setTenantId("acme")
                .setKey("k").setConsistency("two").build()), ErrorCode.INVALID_REQUEST, "'two'");
        assertError(write("k", "v", "", "i".repeat(300)), ErrorCode.INVALID_REQUEST,
                "idempotency_key is 300 bytes");
        // The error echoes the key it was about.
        assertThat(write("k", "v", "most", "").getKey()).isEqualTo("k");
    }

    @Test
    void idempotentRetriesAreDeduplicatedAndConflictsRefused() {
        WriteKeyValueResponse first = write("k", "v1", "", "req-1");
        assertThat(first.getIsDuplicate()).isFalse();
        assertThat(first.getIdempotencyKey()).isEqualTo("req-1");
        WriteKeyValueResponse retry = write("k", "v1", "", "req-1");
        assertThat(retry.getSuccess()).isTrue();
        assertThat(retry.getIsDuplicate()).isTrue();
        // The retry stamps the same value again, above the first attempt, so that no version
        // either attempt left can win over a later write.
        assertThat(retry.getVectorClock().getEntries(0).getLogicalTimestamp())
                .isGreaterThan(first.getVectorClock().getEntries(0).getLogicalTimestamp());
        assertThat(read("k").getVectorClock()).isEqualTo(retry.getVectorClock());
        assertThat(read("k").getValue().toStringUtf8()).isEqualTo("v1");

        assertError(write("k", "other", "", "req-1"), ErrorCode.IDEMPOTENCY_KEY_CONFLICT,
                "idempotency_key 'req-1' was already used");
        assertThat(read("k").getValue().toStringUtf8()).isEqualTo("v1");

        // The server-generated key works for retries too.
        WriteKeyValueResponse generated = write("g", "x", "", "");
        WriteKeyValueResponse again = write("g", "x", "", generated.getIdempotencyKey());
        assertThat(again.getIsDuplicate()).isTrue();

        // After the record expires, the key is free again.
        node.clock.addAndGet(60_001);
        WriteKeyValueResponse afterExpiry = write("k", "other", "", "req-1");
        assertThat(afterExpiry.getSuccess()).isTrue();
        assertThat(afterExpiry.getIsDuplicate()).isFalse();
        assertThat(read("k").getValue().toStringUtf8()).isEqualTo("other");
    }

    @Test
    void aRetryWhoseCallerGaveUpIsNotStampedAgain() throws Exception {
        WriteKeyValueResponse first = write("k", "v1", "", "req-1");
        long restampsBefore = node.server.restampedWrites();
        WriteKeyValueRequest retry = WriteKeyValueRequest.newBuilder().setTenantId("acme")
                .setKey("k").setValue(ByteString.copyFromUtf8("v1")).setIdempotencyKey("req-1")
                .build();
        // The retry's call is cancelled (its client gave up, or its deadline passed) before its
        // replicas answer: it may have been answered through another attempt since, and its
        // client have begun a later write, which a second round would overtake.
        io.grpc.Context.CancellableContext gone = io.grpc.Context.current().withCancellation();
        gone.cancel(null);
        var abandoned = gone.call(() -> node.server.coordinator().write(retry));

        assertThat(abandoned).failsWithin(Duration.ofSeconds(10))
                .withThrowableOfType(ExecutionException.class)
                .withMessageContaining("write was not stamped again: its caller gave up on it; "
                        + "a retry is safe");
        assertThat(node.server.restampedWrites()).isEqualTo(restampsBefore);
        assertThat(read("k").getVectorClock()).isEqualTo(first.getVectorClock());

        // The same retry from a caller still waiting is stamped again, as a duplicate.
        WriteKeyValueResponse waited = node.stub.writeKeyValue(retry);
        assertThat(waited.getIsDuplicate()).isTrue();
        assertThat(node.server.restampedWrites()).isEqualTo(restampsBefore + 1);
    }

    @Test
    void deletesWriteTombstones() {
        write("k", "v", "", "");
        var deleted = node.stub.deleteKeyValue(DeleteKeyValueRequest.newBuilder()
                .setTenantId("acme").setKey("k").setIdempotencyKey("del-1").build());
        assertThat(deleted.getSuccess()).isTrue();
        assertThat(deleted.getReplicaCount()).isEqualTo(1);
        assertError(read("k"), ErrorCode.KEY_NOT_FOUND, "not found");
        var retried = node.stub.deleteKeyValue(DeleteKeyValueRequest.newBuilder()
                .setTenantId("acme").setKey("k").setIdempotencyKey("del-1").build());
        assertThat(retried.getIsDuplicate()).isTrue();
        var never = node.stub.deleteKeyValue(DeleteKeyValueRequest.newBuilder()
                .setTenantId("acme").setKey("never").build());
        assertThat(never.getSuccess()).isTrue();
        assertError(node.stub.deleteKeyValue(DeleteKeyValueRequest.newBuilder()
                .setTenantId("acme").setKey("").build()), ErrorCode.INVALID_REQUEST, "key is empty");
        write("k", "back", "", "");
        assertThat(read("k").getValue().toStringUtf8()).isEqualTo("back");
    }

    @Test
    void batchesReportEachItem() {
        BatchWriteResponse response = node.stub.batchWrite(BatchWriteRequest.newBuilder()
                .setTenantId("acme")
                .addItems(item("a", "1"))
                .addItems(item("", "bad key"))
                .addItems(item("b", "2"))
                .addItems(BatchWriteItem.newBuilder().setKey("a").setDelete(true))
                .addItems(BatchWriteItem.newBuilder().setKey("c").setDelete(true)
                        .setValue(ByteString.copyFromUtf8("x")))
                .build());
        assertThat(response.getSuccess()).isFalse();
        assertThat(response.getSucceededCount()).isEqualTo(3);
        assertThat(response.getFailedCount()).isEqualTo(2);
        assertThat(response.getResultsList()).extracting(r -> r.getSuccess())
                .containsExactly(true, false, true, true, false);
        assertThat(response.getResults(1).getErrorCode()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(response.getResults(1).getErrorMessage()).contains("items[1].key is empty");
        assertThat(response.getResults(4).getErrorMessage())
                .contains("items[4].value must be empty when items[4].delete is true");
        assertThat(read("b").getValue().toStringUtf8()).isEqualTo("2");

        assertError(node.stub.batchWrite(BatchWriteRequest.newBuilder().setTenantId("acme")
                .build()), ErrorCode.INVALID_REQUEST, "items is empty");
        BatchWriteRequest.Builder tooMany = BatchWriteRequest.newBuilder().setTenantId("acme");
        for (int i = 0; i < 1001; i++) {
            tooMany.addItems(item("k" + i, "v"));
        }
        assertError(node.stub.batchWrite(tooMany.build()), ErrorCode.INVALID_REQUEST,
                "items has 1001 entries; the limit is 1000");
        assertError(node.stub.batchWrite(BatchWriteRequest.newBuilder().setTenantId("ghost")
                .addItems(item("k", "v")).build()), ErrorCode.TENANT_NOT_FOUND, "ghost");
    }

    @Test
    void rangeQueriesPageInKeyOrder() {
        BatchWriteRequest.Builder batch = BatchWriteRequest.newBuilder().setTenantId("acme");
        for (int i = 0; i < 25; i++) {
            batch.addItems(item(String.format("user:%03d", i), "v" + i));
        }
        assertThat(node.stub.batchWrite(batch.build()).getSuccess()).isTrue();
        node.stub.deleteKeyValue(DeleteKeyValueRequest.newBuilder().setTenantId("acme")
                .setKey("user:005").build());
        write("zzz", "outside", "", "");

        List<String> keys = new ArrayList<>();
        String token = "";
        int pages = 0;
        do {
            RangeQueryResponse page = node.stub.rangeQuery(RangeQueryRequest.newBuilder()
                    .setTenantId("acme").setStartKey("user:").setEndKey("user;").setLimit(7)
                    .setPageToken(token).build());
            assertThat(page.getSuccess()).as(page.getErrorMessage()).isTrue();
            page.getItemsList().forEach(item -> keys.add(item.getKey()));
            assertThat(page.getItemsList()).allSatisfy(item ->
                    assertThat(item.getVectorClock().getEntriesCount()).isEqualTo(1));
            token = page.getNextPageToken();
            pages++;
        } while (!token.isEmpty());
        assertThat(keys).hasSize(24).isSorted().doesNotContain("user:005", "zzz");
        assertThat(pages).isEqualTo(4);

        RangeQueryResponse all = node.stub.rangeQuery(RangeQueryRequest.newBuilder()
                .setTenantId("acme").build());
        assertThat(all.getItemsCount()).isEqualTo(25);
        assertThat(all.getNextPageToken()).isEmpty();
    }

    @Test
    void rangeQueryErrorsNameTheField() {
        assertError(node.stub.rangeQuery(RangeQueryRequest.newBuilder().setTenantId("acme")
                .setLimit(5000).build()), ErrorCode.INVALID_REQUEST, "limit is 5000");
        assertError(node.stub.rangeQuery(RangeQueryRequest.newBuilder().setTenantId("acme")
                .setLimit(-1).build()), ErrorCode.INVALID_REQUEST, "limit is -1");
        assertError(node.stub.rangeQuery(RangeQueryRequest.newBuilder().setTenantId("acme")
                .setStartKey("b").setEndKey("a").build()), ErrorCode.INVALID_REQUEST,
                "end_key must sort after start_key");
        assertError(node.stub.rangeQuery(RangeQueryRequest.newBuilder().setTenantId("acme")
                .setPageToken("not-a-token").build()), ErrorCode.INVALID_REQUEST,
                "page_token is malformed");
        node.stub.createTenant(CreateTenantRequest.newBuilder().setTenantId("other").build());
        for (int i = 0; i < 3; i++) {
            write("k" + i, "v", "", "");
        }
        String token = node.stub.rangeQuery(RangeQueryRequest.newBuilder().setTenantId("acme")
                .setLimit(1).build()).getNextPageToken();
        assertThat(token).isNotEmpty();
        assertError(node.stub.rangeQuery(RangeQueryRequest.newBuilder().setTenantId("other")
                .setPageToken(token).build()), ErrorCode.INVALID_REQUEST, "another tenant");
        assertError(node.stub.rangeQuery(RangeQueryRequest.newBuilder().setTenantId("ghost")
                .build()), ErrorCode.TENANT_NOT_FOUND, "ghost");
    }

    // ---------------------------------------------------------------------- storage nodes

    @Test
    void listsTheNodeWithRealCounts() {
        for (int i = 0; i < 10; i++) {
            write("k" + i, "v", "", "");
        }
        node.stub.deleteKeyValue(DeleteKeyValueRequest.newBuilder().setTenantId("acme")
                .setKey("k0").build());
        ListStorageNodesResponse nodes = node.stub.listStorageNodes(
                ListStorageNodesRequest.getDefaultInstance());
        assertThat(nodes.getSuccess()).isTrue();
        assertThat(nodes.getNodesList()).singleElement().satisfies(info -> {
            assertThat(info.getNodeId()).isEqualTo(node.server.nodeId());
            assertThat(info.getHost()).isEqualTo("127.0.0.1");
            assertThat(info.getPort()).isEqualTo(node.server.port());
            assertThat(info.getStatus()).isEqualTo("active");
            assertThat(info.getVirtualNodes()).isEqualTo(150);
            assertThat(info.getKeysCount()).isEqualTo(9);
            assertThat(info.getDiskUsagePercent()).isBetween(0.0001f, 100f);
        });
    }

    @Test
    void topologyChangesThatCannotBeMadeAreRefusedClearly() {
        String self = node.server.nodeId();
        assertError(node.stub.addStorageNode(AddStorageNodeRequest.newBuilder().setNodeId("")
                .setHost("h").setPort(1).build()), ErrorCode.INVALID_REQUEST, "node_id is required");
        assertError(node.stub.addStorageNode(AddStorageNodeRequest.newBuilder().setNodeId("n2")
                .setHost("").setPort(1).build()), ErrorCode.INVALID_REQUEST, "host is required");
        assertError(node.stub.addStorageNode(AddStorageNodeRequest.newBuilder().setNodeId("n2")
                .setHost("h").setPort(70000).build()), ErrorCode.INVALID_REQUEST, "port is 70000");
        assertError(node.stub.addStorageNode(AddStorageNodeRequest.newBuilder().setNodeId("n2")
                        .setHost("h").setPort(7).setVirtualNodes(-2).build()),
                ErrorCode.INVALID_REQUEST, "virtual_nodes is -2");
        assertError(node.stub.addStorageNode(AddStorageNodeRequest.newBuilder().setNodeId(self)
                .setHost("h").setPort(7).build()), ErrorCode.NODE_IN_USE, "already a member");
        var refused = node.stub.addStorageNode(AddStorageNodeRequest.newBuilder().setNodeId("n2")
                .setHost("127.0.0.1").setPort(7170).build());
        assertError(refused, ErrorCode.INVALID_REQUEST, "cannot add storage node 'n2': it has "
                + "not registered");
        assertThat(refused.getNodeId()).isEqualTo("n2");

        assertError(node.stub.removeStorageNode(RemoveStorageNodeRequest.newBuilder()
                .setNodeId("n9").build()), ErrorCode.INVALID_REQUEST, "not a member");
        assertError(node.stub.removeStorageNode(RemoveStorageNodeRequest.newBuilder()
                .setNodeId(self).setForce(true).build()), ErrorCode.NODE_IN_USE, "only storage node");
        assertError(node.stub.getMigrationStatus(GetMigrationStatusRequest.newBuilder()
                .setMigrationId("m-1").build()), ErrorCode.MIGRATION_NOT_FOUND, "'m-1'");
        assertError(node.stub.getMigrationStatus(GetMigrationStatusRequest.getDefaultInstance()),
                ErrorCode.INVALID_REQUEST, "migration_id is required");
        assertThat(node.stub.listStorageNodes(ListStorageNodesRequest.getDefaultInstance())
                .getNodesCount()).isEqualTo(1);
    }

    // --------------------------------------------------------------------------- restart

    @Test
    void tenantsDataAndIdentitySurviveARestart() {
        String id = node.server.nodeId();
        WriteKeyValueResponse written = write("k", "kept", "", "idem");
        node.restart();
        // A restarted node serves once its control group has confirmed its metadata: alone in
        // the group, it must have been elected leader first (and so applied all it committed).
        GetControlStatusResponse control = AdminServiceGrpc.newBlockingStub(node.channel)
                .getControlStatus(GetControlStatusRequest.getDefaultInstance());
        assertThat(control.getRole()).isEqualTo("leader");
        assertThat(node.server.nodeId()).isEqualTo(id);
        assertThat(node.stub.getTenant(GetTenantRequest.newBuilder().setTenantId("acme").build())
                .getSuccess()).isTrue();
        ReadKeyValueResponse read = read("k");
        assertThat(read.getValue().toStringUtf8()).isEqualTo("kept");
        assertThat(read.getVectorClock()).isEqualTo(written.getVectorClock());
        assertThat(write("k", "kept", "", "idem").getIsDuplicate()).isTrue();
        // The clock resumes above what was stored, even if the wall clock went back.
        node.clock.addAndGet(-3_600_000);
        node.restart();
        write("k", "newer", "", "");
        assertThat(read("k").getValue().toStringUtf8()).isEqualTo("newer");
    }

    private static BatchWriteItem.Builder item(String key, String value) {
        return BatchWriteItem.newBuilder().setKey(key)
                .setValue(ByteString.copyFrom(value, StandardCharsets.UTF_8));
    }

    private static void assertError(com.google.protobuf.Message response, ErrorCode code,
                                    String messagePart) {
        var type = response.getDescriptorForType();
        assertThat((Boolean) response.getField(type.findFieldByName("success")))
                .as("success of %s", response).isFalse();
        assertThat(((com.google.protobuf.Descriptors.EnumValueDescriptor) response.getField(
                type.findFieldByName("error_code"))).getName()).isEqualTo(code.name());
        assertThat((String) response.getField(type.findFieldByName("error_message")))
                .contains(messagePart);
    }
}
