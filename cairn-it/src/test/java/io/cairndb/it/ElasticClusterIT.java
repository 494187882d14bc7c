package io.cairndb.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import seedclient.CoordinatorServiceGrpc;
import seedclient.SeedCoordinator.AddStorageNodeRequest;
import seedclient.SeedCoordinator.AddStorageNodeResponse;
import seedclient.SeedCoordinator.CreateTenantRequest;
import seedclient.SeedCoordinator.GetMigrationStatusRequest;
import seedclient.SeedCoordinator.GetMigrationStatusResponse;
import seedclient.SeedCoordinator.ListStorageNodesRequest;
import seedclient.SeedCoordinator.ReadKeyValueRequest;
import seedclient.SeedCoordinator.ReadKeyValueResponse;
import seedclient.SeedCoordinator.RemoveStorageNodeRequest;
import seedclient.SeedCoordinator.RemoveStorageNodeResponse;
import seedclient.SeedCoordinator.StorageNodeInfo;
import seedclient.SeedCoordinator.UpdateReplicationFactorRequest;
import seedclient.SeedCoordinator.UpdateReplicationFactorResponse;
import seedclient.SeedCoordinator.WriteKeyValueRequest;
import seedclient.SeedCoordinator.WriteKeyValueResponse;

// Proves, against real processes started at once and a client generated from the seed text, that
// a cluster holding data grows, shrinks and raises a tenant's replication factor under quorum
// writes without losing an acknowledged write, and that a migration survives kill -9 of its
// target, of a source and of the control group's leader mid-transfer, resuming where it was.
class ElasticClusterIT {

    private static final int KEYS = 20_000;
    private static final int HOT_KEYS = 400;
    private static final int VALUE_BYTES = 256;

    @TempDir
    Path dir;

    private final ServerProcess[] nodes = new ServerProcess[4];
    private final int[][] ports = new int[4][];
    private final ManagedChannel[] channels = new ManagedChannel[4];
    /** Per hot key: the newest acknowledged value number, and the newest attempted. */
    private final Map<String, long[]> hot = new ConcurrentHashMap<>();
    private final AtomicBoolean writing = new AtomicBoolean();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicReference<String> writerFailure = new AtomicReference<>();
    private ExecutorService writers;

    private ServerProcess node(int index, String streamRate) {
        ServerProcess process = new ServerProcess(dir.resolve("n" + index), "--node-id",
                "n" + index)
                .ports(ports[index][0], ports[index][1], ports[index][2], ports[index][3])
                .env("CAIRN_MEMBERSHIP_HEARTBEAT_INTERVAL_MILLIS", "300")
                .env("CAIRN_MEMBERSHIP_HINT_DELIVERY_INTERVAL_MILLIS", "200")
                .env("CAIRN_REQUESTS_REQUEST_TIMEOUT_MILLIS", "3000")
                .env("CAIRN_MIGRATION_STREAM_BYTES_PER_SECOND", streamRate)
                .env("CAIRN_MIGRATION_CHUNK_BYTES", "65536");
        if (index > 0) {
            process.env("CAIRN_JOIN", "127.0.0.1:" + ports[0][0]);
        }
        if (index == 3) {
            process.env("CAIRN_ROLES", "coordinator,storage");
        }
        return process;
    }

    private void launchAtOnce(int count, String streamRate) throws Exception {
        for (int i = 0; i < 4; i++) {
            ports[i] = new int[] {ServerProcess.freePort(), ServerProcess.freePort(),
                ServerProcess.freePort(), ServerProcess.freePort()};
        }
        for (int i = 0; i < count; i++) {
            nodes[i] = node(i, streamRate).launch();
        }
        for (int i = 0; i < count; i++) {
            nodes[i].awaitReady();
            open(i);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> active(0) == count);
    }

    private void open(int index) {
        if (channels[index] != null) {
            channels[index].shutdownNow();
        }
        channels[index] = ManagedChannelBuilder.forTarget(nodes[index].target()).usePlaintext()
                .build();
    }

    private CoordinatorServiceGrpc.CoordinatorServiceBlockingStub seed(int index) {
        return CoordinatorServiceGrpc.newBlockingStub(channels[index])
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    /** Active nodes {@code via} believes up (CairnDB's own stub: the seed has no liveness). */
    private long active(int via) {
        return io.cairndb.api.CoordinatorServiceGrpc.newBlockingStub(channels[via])
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .listStorageNodes(io.cairndb.api.ListStorageNodesRequest.getDefaultInstance())
                .getNodesList().stream().filter(node -> node.getStatus().equals("active")
                        && node.getAlive()).count();
    }

    @AfterEach
    void stop() throws Exception {
        writing.set(false);
        if (writers != null) {
            writers.shutdownNow();
            writers.awaitTermination(30, TimeUnit.SECONDS);
        }
        for (int i = 0; i < 4; i++) {
            if (channels[i] != null) {
                channels[i].shutdownNow();
            }
            if (nodes[i] != null) {
                nodes[i].close();
            }
        }
    }

    private static String value(String tenant, String key, long version) {
        String head = tenant + "/" + key + "/" + version + "/";
        return head + "x".repeat(Math.max(0, VALUE_BYTES - head.length()));
    }

    private void createTenant(String tenant, int rf) {
        assertThat(seed(0).createTenant(CreateTenantRequest.newBuilder().setTenantId(tenant)
                .setReplicationFactor(rf).build()).getSuccess()).isTrue();
    }

    /**
     * Writes KEYS keys to {@code tenant} at quorum, through every given node in turn, in batches
     * of 200 (CairnDB's own BatchWrite: the seed has none; the checks use the seed's calls).
     */
    private void load(String tenant, int... via) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> batches = new ArrayList<>();
            for (int first = 0; first < KEYS; first += 200) {
                int from = first;
                int node = via[(first / 200) % via.length];
                batches.add(pool.submit(() -> {
                    io.cairndb.api.BatchWriteRequest.Builder batch =
                            io.cairndb.api.BatchWriteRequest.newBuilder().setTenantId(tenant)
                                    .setConsistency("quorum");
                    for (int i = from; i < Math.min(KEYS, from + 200); i++) {
                        batch.addItems(io.cairndb.api.BatchWriteItem.newBuilder()
                                .setKey("k" + i).setValue(ByteString.copyFromUtf8(
                                        value(tenant, "k" + i, 0))));
                    }
                    io.cairndb.api.BatchWriteResponse written =
                            io.cairndb.api.CoordinatorServiceGrpc.newBlockingStub(channels[node])
                                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                                    .batchWrite(batch.build());
                    assertThat(written.getSuccess()).as(written.getErrorMessage()).isTrue();
                    return null;
                }));
            }
            for (Future<?> batch : batches) {
                batch.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Quorum writes to HOT_KEYS keys of {@code tenant}, spread over {@code via}, until stopped;
     * every answer is recorded, failures as attempts that may or may not have landed.
     */
    private void startWriters(String tenant, int... via) {
        writing.set(true);
        writers = Executors.newFixedThreadPool(2);
        for (int w = 0; w < 2; w++) {
            int writer = w;
            writers.submit(() -> {
                long version = 1;
                int turn = 0;
                while (writing.get()) {
                    for (int i = writer; i < HOT_KEYS && writing.get(); i += 2) {
                        String key = "hot" + i;
                        long[] state = hot.computeIfAbsent(key, k -> new long[] {0, 0});
                        state[1] = version;
                        int node = via[turn++ % via.length];
                        try {
                            WriteKeyValueResponse written = seed(node).writeKeyValue(
                                    WriteKeyValueRequest.newBuilder().setTenantId(tenant)
                                            .setKey(key).setValue(ByteString.copyFromUtf8(
                                                    value(tenant, key, version)))
                                            .setConsistency("quorum").build());
                            if (written.getSuccess()) {
                                state[0] = version;
                                acknowledged.incrementAndGet();
                            }
                        } catch (RuntimeException e) {
                            // Unanswered: it may have landed; the check allows either.
                        }
                    }
                    version++;
                }
                return null;
            });
        }
    }

    private void stopWriters() throws Exception {
        writing.set(false);
        writers.shutdown();
        assertThat(writers.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        assertThat(writerFailure.get()).isNull();
    }

    /**
     * Follows a migration to completed through GetMigrationStatus, checking that keys_migrated,
     * total_keys and percentage never go backwards; returns the last answer.
     */
    private GetMigrationStatusResponse follow(String migrationId, int via,
                                              java.util.function.Predicate<
                                                      GetMigrationStatusResponse> until) {
        AtomicReference<GetMigrationStatusResponse> last = new AtomicReference<>();
        await("migration " + migrationId).atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
                    GetMigrationStatusResponse status = seed(via).getMigrationStatus(
                            GetMigrationStatusRequest.newBuilder().setMigrationId(migrationId)
                                    .build());
                    assertThat(status.getSuccess()).as(status.getErrorMessage()).isTrue();
                    assertThat(status.getStatus()).as(status.getErrorMessage())
                            .isIn("pending", "in_progress", "completed");
                    GetMigrationStatusResponse previous = last.getAndSet(status);
                    if (previous != null) {
                        assertThat(status.getProgress().getKeysMigrated())
                                .isGreaterThanOrEqualTo(previous.getProgress().getKeysMigrated());
                        assertThat(status.getProgress().getTotalKeys())
                                .isGreaterThanOrEqualTo(previous.getProgress().getTotalKeys());
                        assertThat(status.getProgress().getPercentage())
                                .isGreaterThanOrEqualTo(previous.getProgress().getPercentage());
                    }
                    return until.test(status);
                });
        return last.get();
    }

    private static boolean completed(GetMigrationStatusResponse status) {
        return status.getStatus().equals("completed");
    }

    /** Every loaded key, and every hot key's newest acknowledged value, reads back at one. */
    private void everyAcknowledgedWriteReadsBack(String[] tenants, String hotTenant, int... via)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        Semaphore inFlight = new Semaphore(64);
        List<String> wrong = new java.util.concurrent.CopyOnWriteArrayList<>();
        try {
            List<Future<?>> reads = new ArrayList<>();
            int turn = 0;
            for (String tenant : tenants) {
                for (int i = 0; i < KEYS; i++) {
                    String key = "k" + i;
                    int node = via[turn++ % via.length];
                    inFlight.acquire();
                    reads.add(pool.submit(() -> {
                        try {
                            String got = readAtOne(node, tenant, key);
                            if (!value(tenant, key, 0).equals(got)) {
                                wrong.add(tenant + "/" + key + " read " + got);
                            }
                        } finally {
                            inFlight.release();
                        }
                        return null;
                    }));
                }
            }
            for (Map.Entry<String, long[]> entry : hot.entrySet()) {
                String got = readAtOne(via[turn++ % via.length], hotTenant, entry.getKey());
                long[] state = entry.getValue();
                boolean allowed = false;
                for (long v = state[0]; v <= state[1]; v++) {
                    allowed |= value(hotTenant, entry.getKey(), v).equals(got)
                            || (v == 0 && got == null);
                }
                if (!allowed) {
                    wrong.add(hotTenant + "/" + entry.getKey() + " acknowledged " + state[0]
                            + " attempted up to " + state[1] + " but read " + got);
                }
            }
            for (Future<?> read : reads) {
                read.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(wrong).as("acknowledged writes that do not read back").isEmpty();
    }

    private String readAtOne(int node, String tenant, String key) {
        ReadKeyValueResponse read = seed(node).readKeyValue(ReadKeyValueRequest.newBuilder()
                .setTenantId(tenant).setKey(key).setConsistency("one").build());
        return read.getSuccess() ? read.getValue().toStringUtf8() : null;
    }

    /** The index of the node that leads the control group now (CairnDB's own admin stub). */
    private int controlLeader() {
        String leader = io.cairndb.api.admin.AdminServiceGrpc.newBlockingStub(channels[0])
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .getControlStatus(io.cairndb.api.admin.GetControlStatusRequest
                        .getDefaultInstance()).getLeaderId();
        assertThat(leader).matches("n[0-2]");
        return Integer.parseInt(leader.substring(1));
    }

    private void killAndRestart(int index, String streamRate) throws Exception {
        nodes[index].kill();
        nodes[index] = node(index, streamRate).launch().awaitReady();
        open(index);
    }

    @Test
    void aClusterGrowsShrinksAndRaisesReplicationUnderWritesAndLosesNoAcknowledgedWrite()
            throws Exception {
        String rate = Long.toString(64L << 20);
        launchAtOnce(3, rate);
        createTenant("solo", 1);
        createTenant("pair", 2);
        load("solo", 0, 1, 2);
        load("pair", 0, 1, 2);
        startWriters("pair", 0, 1, 2);

        // A fourth node started with --join is added at once; AddStorageNode answers with the
        // migration that streams its ranges.
        nodes[3] = node(3, rate).launch().awaitReady();
        open(3);
        AddStorageNodeResponse added = seed(1).addStorageNode(AddStorageNodeRequest.newBuilder()
                .setNodeId("n3").setHost("127.0.0.1").setPort(nodes[3].port()).build());
        assertThat(added.getSuccess()).as(added.getErrorMessage()).isTrue();
        assertThat(added.getMigrationId()).isNotEmpty();
        GetMigrationStatusResponse addition = follow(added.getMigrationId(), 2,
                ElasticClusterIT::completed);
        assertThat(addition.getType()).isEqualTo("node_addition");
        assertThat(addition.getProgress().getPercentage()).isEqualTo(100f);
        assertThat(addition.getProgress().getKeysMigrated()).isPositive();

        RemoveStorageNodeResponse removed = seed(0).removeStorageNode(RemoveStorageNodeRequest
                .newBuilder().setNodeId("n2").build());
        assertThat(removed.getSuccess()).as(removed.getErrorMessage()).isTrue();
        follow(removed.getMigrationId(), 3, ElasticClusterIT::completed);
        await().atMost(Duration.ofSeconds(30)).until(() -> seed(0).listStorageNodes(
                        ListStorageNodesRequest.getDefaultInstance()).getNodesList().stream()
                .filter(node -> node.getNodeId().equals("n2")).map(StorageNodeInfo::getStatus)
                .findFirst().orElse("").equals("inactive"));

        UpdateReplicationFactorResponse raised = seed(3).updateReplicationFactor(
                UpdateReplicationFactorRequest.newBuilder().setTenantId("solo")
                        .setNewReplicationFactor(2).build());
        assertThat(raised.getSuccess()).as(raised.getErrorMessage()).isTrue();
        follow(raised.getMigrationId(), 0, ElasticClusterIT::completed);
        stopWriters();
        assertThat(acknowledged.get()).isPositive();

        // Both original nodes that still hold data die at once and come back.
        nodes[0].kill();
        nodes[1].kill();
        for (int i : new int[] {0, 1}) {
            nodes[i] = node(i, rate).launch();
        }
        for (int i : new int[] {0, 1}) {
            nodes[i].awaitReady();
            open(i);
        }
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> active(3) == 3);
        everyAcknowledgedWriteReadsBack(new String[] {"solo", "pair"}, "pair", 0, 1, 3);
    }

    @Test
    void aMigrationSurvivesKillNineOfItsTargetASourceAndTheControlLeaderMidTransfer() throws Exception {
        // Slow enough that each transfer is caught in the middle.
        String rate = Integer.toString(256 << 10);
        launchAtOnce(3, rate);
        createTenant("pair", 2);
        load("pair", 0, 1, 2);
        startWriters("pair", 0, 1, 2);

        nodes[3] = node(3, rate).launch().awaitReady();
        open(3);
        String addition = seed(0).addStorageNode(AddStorageNodeRequest.newBuilder()
                .setNodeId("n3").setHost("127.0.0.1").setPort(nodes[3].port()).build())
                .getMigrationId();
        GetMigrationStatusResponse before = follow(addition, 0,
                status -> status.getProgress().getPercentage() >= 20);
        assertThat(before.getStatus()).isEqualTo("in_progress");
        killAndRestart(3, rate);
        follow(addition, 1, ElasticClusterIT::completed);
        assertThat(nodes[3].log()).contains("migration " + addition + ": task")
                .contains("resumes at range");

        // The draining node is the source of every range it leaves; killed mid-transfer, the
        // targets wait for it, and resume where they were once it is back.
        String removal = seed(0).removeStorageNode(RemoveStorageNodeRequest.newBuilder()
                .setNodeId("n2").build()).getMigrationId();
        follow(removal, 0, status -> status.getProgress().getPercentage() >= 20);
        killAndRestart(2, rate);
        // Then the control group's leader dies mid-transfer: the migration lives in the Raft
        // log, and the targets' reports reach the next leader.
        GetMigrationStatusResponse beforeLeaderDies = follow(removal, 1,
                status -> status.getProgress().getPercentage() >= 40
                        || status.getStatus().equals("completed"));
        int leader = controlLeader();
        if (!beforeLeaderDies.getStatus().equals("completed")) {
            killAndRestart(leader, rate);
        }
        follow(removal, leader == 1 ? 0 : 1, ElasticClusterIT::completed);
        stopWriters();
        everyAcknowledgedWriteReadsBack(new String[] {"pair"}, "pair", 0, 1, 3);
    }
}
