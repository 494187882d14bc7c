package io.cairndb.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.cairndb.testkit.RegisterHistory;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import seedclient.CoordinatorServiceGrpc;
import seedclient.SeedCoordinator.CreateTenantRequest;
import seedclient.SeedCoordinator.CreateTenantResponse;
import seedclient.SeedCoordinator.GetTenantRequest;
import seedclient.SeedCoordinator.ListStorageNodesRequest;
import seedclient.SeedCoordinator.ReadKeyValueRequest;
import seedclient.SeedCoordinator.ReadKeyValueResponse;
import seedclient.SeedCoordinator.WriteKeyValueRequest;
import seedclient.SeedCoordinator.WriteKeyValueResponse;

// Proves against three real processes, started at once, that the register workload of the
// cluster simulation (ClusterSimulationTest) keeps the simulation's invariants, judged by the same
// RegisterHistory, while one node at a time is killed with -9 and restarted or paused with
// SIGSTOP. Clients use stubs generated from the seed contract (and CairnDB's own for deletes,
// which the seed lacks), with unary calls spread over every node.
class RegisterWorkloadIT {

    private static final long SEED = Long.getLong("it.seed", 20261205L);
    private static final int CLIENTS = 4;
    private static final int OPS_PER_CLIENT = 120;
    /** Clients keep going until this many faults were injected, whatever their pace. */
    private static final int FAULTS_MIN = 6;
    private static final int ATTEMPTS_MAX = 8;
    private static final String[] TENANTS = {"alpha", "beta"};
    private static final String[] KEYS = {"k1", "k2", "k3"};

    @TempDir
    Path dir;

    private final ServerProcess[] nodes = new ServerProcess[3];
    private final int[][] ports = new int[3][];
    private final AtomicReferenceArray<ManagedChannel> channels = new AtomicReferenceArray<>(3);
    private final RegisterHistory history = new RegisterHistory();
    private final List<String> violations = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ConcurrentHashMap<String, Integer> faults = new ConcurrentHashMap<>();
    /** Client operations finished (answered, or given up after every attempt). */
    private final AtomicInteger operations = new AtomicInteger();

    private ServerProcess node(int index) {
        ServerProcess process = new ServerProcess(dir.resolve("n" + index), "--node-id",
                "n" + index)
                .ports(ports[index][0], ports[index][1], ports[index][2], ports[index][3])
                .env("CAIRN_MEMBERSHIP_HEARTBEAT_INTERVAL_MILLIS", "500")
                .env("CAIRN_MEMBERSHIP_HINT_DELIVERY_INTERVAL_MILLIS", "200")
                .env("CAIRN_REQUESTS_REQUEST_TIMEOUT_MILLIS", "3000");
        if (index > 0) {
            process.env("CAIRN_JOIN", "127.0.0.1:" + ports[0][0]);
        }
        return process;
    }

    private void open(int index) {
        channels.set(index, ManagedChannelBuilder.forTarget(nodes[index].target()).usePlaintext()
                .build());
    }

    private CoordinatorServiceGrpc.CoordinatorServiceBlockingStub seed(int index) {
        return CoordinatorServiceGrpc.newBlockingStub(channels.get(index))
                .withDeadlineAfter(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = 0; i < 3; i++) {
            if (channels.get(i) != null) {
                channels.get(i).shutdownNow();
            }
            if (nodes[i] != null) {
                nodes[i].close();
            }
        }
    }

    @Test
    void theSimulatedRegisterWorkloadKeepsItsInvariantsOnRealProcessesUnderKillAndPause()
            throws Exception {
        System.out.println("RegisterWorkloadIT: workload seed " + SEED + " (-Dit.seed=N)");
        // Fixed ports, every process launched at the same instant, as an orchestrator does.
        for (int i = 0; i < 3; i++) {
            ports[i] = new int[] {ServerProcess.freePort(), ServerProcess.freePort(),
                ServerProcess.freePort(), ServerProcess.freePort()};
            nodes[i] = node(i).launch();
        }
        for (int i = 0; i < 3; i++) {
            nodes[i].awaitReady();
            open(i);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> seed(1).listStorageNodes(
                        ListStorageNodesRequest.getDefaultInstance()).getNodesList().stream()
                .filter(node -> node.getStatus().equals("active")).count() == 3);
        for (String tenant : TENANTS) {
            CreateTenantResponse created = seed(0).createTenant(CreateTenantRequest.newBuilder()
                    .setTenantId(tenant).setReplicationFactor(3).build());
            assertThat(created.getSuccess()).as(created.getErrorMessage()).isTrue();
            for (int i = 0; i < 3; i++) {
                int via = i;
                await().atMost(Duration.ofSeconds(30)).until(() -> seed(via).getTenant(
                        GetTenantRequest.newBuilder().setTenantId(tenant).build()).getSuccess());
            }
        }

        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + 1);
        try {
            List<Future<?>> clients = new ArrayList<>();
            AtomicInteger sequence = new AtomicInteger();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                clients.add(pool.submit(() -> {
                    runClient(client, new Random(SEED + client), sequence);
                    return null;
                }));
            }
            Future<?> injector = pool.submit(() -> {
                injectFaults(new Random(SEED - 1), running);
                return null;
            });
            for (Future<?> client : clients) {
                client.get(5, TimeUnit.MINUTES);
            }
            running.set(false);
            injector.get(2, TimeUnit.MINUTES);
        } finally {
            running.set(false);
            pool.shutdownNow();
        }

        healAndCheckConvergence();
        System.out.println("RegisterWorkloadIT: faults " + faults + ", quorum reads checked "
                + history.quorumReadsChecked() + ", invariant violations " + violations.size());
        assertThat(violations).isEmpty();
        assertThat(faults).containsKeys("kill -9", "SIGSTOP");
        assertThat(history.quorumReadsChecked()).isPositive();
    }

    private int faultsInjected() {
        return faults.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static String level(Random random) {
        int roll = random.nextInt(10);
        return roll < 2 ? "one" : roll < 8 ? "quorum" : "all";
    }

    /** The simulation's client: writes, deletes and reads, retrying with the same key. */
    private void runClient(int client, Random random, AtomicInteger sequence) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        for (int op = 0; op < OPS_PER_CLIENT || faultsInjected() < FAULTS_MIN; op++) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the workload ran 3 minutes with " + faults
                        + " faults injected; the injector should have made " + FAULTS_MIN);
            }
            String tenant = TENANTS[random.nextInt(TENANTS.length)];
            String key = KEYS[random.nextInt(KEYS.length)];
            String level = level(random);
            int roll = random.nextInt(20);
            int number = sequence.getAndIncrement();
            if (roll < 12) {
                String value = roll < 10 ? RegisterHistory.value(tenant, key, client, number)
                        : null;
                String idempotencyKey = "c" + client + "-" + number;
                RegisterHistory.Write write = history.begin(tenant, key, value, idempotencyKey,
                        level, System.nanoTime());
                for (int attempt = 1; attempt <= ATTEMPTS_MAX; attempt++) {
                    if (attemptWrite(random.nextInt(3), tenant, key, value, idempotencyKey,
                            level)) {
                        history.acknowledged(write, System.nanoTime());
                        break;
                    }
                }
            } else {
                long start = System.nanoTime();
                for (int attempt = 1; attempt <= ATTEMPTS_MAX; attempt++) {
                    String[] value = new String[1];
                    if (attemptRead(random.nextInt(3), tenant, key, level, value)) {
                        String violation = history.checkRead(tenant, key, level, start,
                                System.nanoTime(), value[0], "QuorumReadSeesLatestQuorumWrite");
                        if (violation != null) {
                            violations.add(violation);
                        }
                        break;
                    }
                }
            }
            operations.incrementAndGet();
        }
    }

    private boolean attemptWrite(int via, String tenant, String key, String value,
                                 String idempotencyKey, String level) {
        try {
            if (value == null) {
                // The seed contract has no delete; CairnDB's contract adds it.
                io.cairndb.api.DeleteKeyValueResponse deleted = io.cairndb.api
                        .CoordinatorServiceGrpc.newBlockingStub(channels.get(via))
                        .withDeadlineAfter(5, TimeUnit.SECONDS)
                        .deleteKeyValue(io.cairndb.api.DeleteKeyValueRequest.newBuilder()
                                .setTenantId(tenant).setKey(key).setConsistency(level)
                                .setIdempotencyKey(idempotencyKey).build());
                return deleted.getSuccess();
            }
            WriteKeyValueResponse written = seed(via).writeKeyValue(WriteKeyValueRequest
                    .newBuilder().setTenantId(tenant).setKey(key)
                    .setValue(ByteString.copyFromUtf8(value)).setConsistency(level)
                    .setIdempotencyKey(idempotencyKey).build());
            if (!written.getSuccess() && written.getErrorMessage().contains("idempotency_key")) {
                violations.add("RetryMakesNoNewVersion: a retry of " + idempotencyKey
                        + " was refused: " + written.getErrorMessage());
            }
            return written.getSuccess();
        } catch (StatusRuntimeException e) {
            return false;
        }
    }

    /** One read; true with {@code value[0]} set (null: not found) when it answered. */
    private boolean attemptRead(int via, String tenant, String key, String level,
                                String[] value) {
        try {
            ReadKeyValueResponse read = seed(via).readKeyValue(ReadKeyValueRequest.newBuilder()
                    .setTenantId(tenant).setKey(key).setConsistency(level).build());
            if (read.getSuccess()) {
                value[0] = read.getValue().toStringUtf8();
                return true;
            }
            value[0] = null;
            return read.getErrorMessage().contains("not found");
        } catch (StatusRuntimeException e) {
            return false;
        }
    }

    /**
     * One fault at a time, on a random node: kill -9 and restart, or SIGSTOP and SIGCONT. The
     * schedule follows the workload, not the clock: a fault begins after some operations have
     * finished since the last one, and lasts while some more finish (or a bounded while, if the
     * clients are stuck behind it), however fast this machine runs them.
     */
    private void injectFaults(Random random, AtomicBoolean running) throws Exception {
        while (running.get()) {
            awaitOperations(running, 20 + random.nextInt(30));
            if (!running.get()) {
                return;
            }
            int victim = random.nextInt(3);
            if (random.nextBoolean()) {
                faults.merge("kill -9", 1, Integer::sum);
                channels.get(victim).shutdownNow();
                nodes[victim].kill();
                awaitOperations(running, 10 + random.nextInt(30));
                nodes[victim] = node(victim).launch().awaitReady();
                open(victim);
            } else {
                faults.merge("SIGSTOP", 1, Integer::sum);
                nodes[victim].signal("STOP");
                try {
                    awaitOperations(running, 10 + random.nextInt(30));
                } finally {
                    nodes[victim].signal("CONT");
                }
            }
        }
    }

    /** Waits until {@code count} more operations finished, the clients stopped, or 15 s. */
    private void awaitOperations(AtomicBoolean running, int count) {
        int target = operations.get() + count;
        long endNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        await().pollInterval(Duration.ofMillis(20)).atMost(Duration.ofSeconds(20))
                .until(() -> operations.get() >= target || !running.get()
                        || System.nanoTime() > endNanos);
    }

    /**
     * After the workload, every node up: hints delivered, every key read at all (which repairs
     * what differs); then ReplicasConvergeAfterHeal (each node's own copy, read through it at
     * one, agrees) and NoAcknowledgedWriteLost (that copy is no older than any write acknowledged
     * at quorum).
     */
    private void healAndCheckConvergence() {
        await().atMost(Duration.ofSeconds(60)).until(() -> io.cairndb.api.CoordinatorServiceGrpc
                .newBlockingStub(channels.get(0)).withDeadlineAfter(5, TimeUnit.SECONDS)
                .listStorageNodes(io.cairndb.api.ListStorageNodesRequest.getDefaultInstance())
                .getNodesList().stream().allMatch(node -> node.getAlive()
                        && node.getHintsPending() == 0));
        for (String tenant : TENANTS) {
            for (String key : KEYS) {
                String[] ignored = new String[1];
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> attemptRead(0, tenant, key, "all", ignored));
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    List<ReadKeyValueResponse> copies = new ArrayList<>();
                    for (int via = 0; via < 3; via++) {
                        copies.add(seed(via).readKeyValue(ReadKeyValueRequest.newBuilder()
                                .setTenantId(tenant).setKey(key).setConsistency("one").build()));
                    }
                    for (ReadKeyValueResponse copy : copies) {
                        assertThat(copy.getValue()).as("ReplicasConvergeAfterHeal: " + tenant
                                + "/" + key).isEqualTo(copies.get(0).getValue());
                        assertThat(copy.getVectorClock()).as("ReplicasConvergeAfterHeal: "
                                + tenant + "/" + key).isEqualTo(copies.get(0).getVectorClock());
                    }
                });
                long start = System.nanoTime();
                String[] last = new String[1];
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> attemptRead(0, tenant, key, "quorum", last));
                String violation = history.checkRead(tenant, key, "quorum", start,
                        System.nanoTime(), last[0], "NoAcknowledgedWriteLost");
                if (violation != null) {
                    violations.add(violation);
                }
            }
        }
    }
}
