package io.cairndb.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import seedclient.CoordinatorServiceGrpc;
import seedclient.SeedCoordinator.CreateTenantRequest;
import seedclient.SeedCoordinator.CreateTenantResponse;
import seedclient.SeedCoordinator.GetMigrationStatusRequest;
import seedclient.SeedCoordinator.GetTenantRequest;
import seedclient.SeedCoordinator.ListStorageNodesRequest;
import seedclient.SeedCoordinator.ReadKeyValueRequest;
import seedclient.SeedCoordinator.ReadKeyValueResponse;
import seedclient.SeedCoordinator.UpdateReplicationFactorRequest;
import seedclient.SeedCoordinator.WriteKeyValueRequest;
import seedclient.SeedCoordinator.WriteKeyValueResponse;

// Proves a client generated from the seed contract's own text works against a real server process.
class SeedContractIT {

    /** error_code, the field CairnDB adds to every response; a seed client sees it as unknown. */
    private static final int ERROR_CODE_FIELD = 100;

    @TempDir
    Path dir;

    private ServerProcess server;
    private ManagedChannel channel;
    private CoordinatorServiceGrpc.CoordinatorServiceBlockingStub seed;

    @BeforeEach
    void start() throws Exception {
        server = new ServerProcess(dir.resolve("node")).start();
        channel = ManagedChannelBuilder.forTarget(server.target()).usePlaintext().build();
        seed = CoordinatorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30,
                TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow();
        server.close();
    }

    @Test
    void seedClientWritesReadsAndRetries() {
        CreateTenantResponse created = seed.createTenant(CreateTenantRequest.newBuilder()
                .setTenantId("seed").build());
        assertThat(created.getSuccess()).as(created.getErrorMessage()).isTrue();
        assertThat(created.getReplicationFactor()).isEqualTo(1);
        assertThat(seed.getTenant(GetTenantRequest.newBuilder().setTenantId("seed").build())
                .getReplicationFactor()).isEqualTo(1);

        byte[] value = {0, 1, 2, (byte) 0xFF, 'x'};
        WriteKeyValueResponse written = seed.writeKeyValue(WriteKeyValueRequest.newBuilder()
                .setTenantId("seed").setKey("k").setValue(ByteString.copyFrom(value))
                .setConsistency("quorum").setIdempotencyKey("once").build());
        assertThat(written.getSuccess()).isTrue();
        assertThat(written.getReplicaCount()).isEqualTo(1);
        assertThat(written.getConsistency()).isEqualTo("quorum");
        assertThat(written.getIsDuplicate()).isFalse();
        assertThat(written.getVectorClock().getEntries(0).getCoordinatorNodeId())
                .isEqualTo(server.nodeId());

        ReadKeyValueResponse read = seed.readKeyValue(ReadKeyValueRequest.newBuilder()
                .setTenantId("seed").setKey("k").setConsistency("one").build());
        assertThat(read.getSuccess()).isTrue();
        assertThat(read.getValue().toByteArray()).isEqualTo(value);
        assertThat(read.getVectorClock()).isEqualTo(written.getVectorClock());

        WriteKeyValueResponse retry = seed.writeKeyValue(WriteKeyValueRequest.newBuilder()
                .setTenantId("seed").setKey("k").setValue(ByteString.copyFrom(value))
                .setConsistency("quorum").setIdempotencyKey("once").build());
        assertThat(retry.getSuccess()).isTrue();
        assertThat(retry.getIsDuplicate()).isTrue();
        assertThat(retry.getVectorClock().getEntries(0).getLogicalTimestamp())
                .isGreaterThan(written.getVectorClock().getEntries(0).getLogicalTimestamp());

        WriteKeyValueResponse generated = seed.writeKeyValue(WriteKeyValueRequest.newBuilder()
                .setTenantId("seed").setKey("k2").setValue(ByteString.copyFromUtf8("v")).build());
        assertThat(generated.getIdempotencyKey()).isNotEmpty();

        assertThat(seed.updateReplicationFactor(UpdateReplicationFactorRequest.newBuilder()
                .setTenantId("seed").setNewReplicationFactor(1).build()).getSuccess()).isTrue();
        assertThat(seed.listStorageNodes(ListStorageNodesRequest.getDefaultInstance())
                .getNodes(0).getKeysCount()).isEqualTo(2);
    }

    @Test
    void seedClientSeesErrorCodesOnTheWire() {
        seed.createTenant(CreateTenantRequest.newBuilder().setTenantId("seed").build());
        CreateTenantResponse exists = seed.createTenant(CreateTenantRequest.newBuilder()
                .setTenantId("seed").build());
        assertThat(exists.getSuccess()).isFalse();
        assertThat(exists.getErrorMessage()).contains("already exists");
        assertThat(code(exists.getUnknownFields())).isEqualTo(3); // TENANT_EXISTS

        assertThat(code(seed.writeKeyValue(WriteKeyValueRequest.newBuilder().setTenantId("seed")
                .setKey("").build()).getUnknownFields())).isEqualTo(1); // INVALID_REQUEST
        assertThat(code(seed.writeKeyValue(WriteKeyValueRequest.newBuilder().setTenantId("seed")
                .setKey("k".repeat(1025)).build()).getUnknownFields())).isEqualTo(1);
        assertThat(code(seed.writeKeyValue(WriteKeyValueRequest.newBuilder().setTenantId("seed")
                .setKey("k").setValue(ByteString.copyFrom(new byte[1024 * 1024 + 1]))
                .build()).getUnknownFields())).isEqualTo(1);
        assertThat(code(seed.writeKeyValue(WriteKeyValueRequest.newBuilder().setTenantId("Seed!")
                .setKey("k").build()).getUnknownFields())).isEqualTo(1);
        assertThat(code(seed.writeKeyValue(WriteKeyValueRequest.newBuilder().setTenantId("seed")
                .setKey("k").setConsistency("most").build()).getUnknownFields())).isEqualTo(1);
        assertThat(code(seed.writeKeyValue(WriteKeyValueRequest.newBuilder().setTenantId("none")
                .setKey("k").build()).getUnknownFields())).isEqualTo(2); // TENANT_NOT_FOUND
        ReadKeyValueResponse missing = seed.readKeyValue(ReadKeyValueRequest.newBuilder()
                .setTenantId("seed").setKey("missing").build());
        assertThat(missing.getSuccess()).isFalse();
        assertThat(code(missing.getUnknownFields())).isEqualTo(4); // KEY_NOT_FOUND

        seed.writeKeyValue(WriteKeyValueRequest.newBuilder().setTenantId("seed").setKey("k")
                .setValue(ByteString.copyFromUtf8("a")).setIdempotencyKey("i").build());
        assertThat(code(seed.writeKeyValue(WriteKeyValueRequest.newBuilder().setTenantId("seed")
                .setKey("k").setValue(ByteString.copyFromUtf8("b")).setIdempotencyKey("i")
                .build()).getUnknownFields())).isEqualTo(6); // IDEMPOTENCY_KEY_CONFLICT
        assertThat(code(seed.createTenant(CreateTenantRequest.newBuilder().setTenantId("rf")
                .setReplicationFactor(5).build()).getUnknownFields())).isEqualTo(7);
        assertThat(code(seed.getMigrationStatus(GetMigrationStatusRequest.newBuilder()
                .setMigrationId("m").build()).getUnknownFields())).isEqualTo(9);
    }

    private static long code(UnknownFieldSet fields) {
        assertThat(fields.hasField(ERROR_CODE_FIELD)).as("error_code on the wire").isTrue();
        return fields.getField(ERROR_CODE_FIELD).getVarintList().get(0);
    }
}
