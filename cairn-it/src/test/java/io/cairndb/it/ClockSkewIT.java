package io.cairndb.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
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

// Proves against real processes, one of them with its clock shifted by libfaketime and each on
// its own loopback address so that one link can be cut with iptables, that one client writing
// each key in sequence through alternating nodes at quorum loses no write, and that a node 30 s
// ahead refuses to coordinate writes, naming its offset. Uses a client generated from the seed.
class ClockSkewIT {

    private static final Path LIBFAKETIME = Path.of(
            "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1");

    @TempDir
    Path dir;

    private final List<ServerProcess> nodes = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final List<String> cutRules = new ArrayList<>();

    /**
     * Starts three nodes on 127.0.0.11, .12 and .13; node 0's clock runs {@code skew} ahead
     * (libfaketime's offset syntax, e.g. "+0.02" seconds), or is left alone when null.
     */
    private void startCluster(String skew) throws Exception {
        if (skew != null) {
            Assumptions.assumeTrue(Files.exists(LIBFAKETIME), () -> loud("libfaketime is not "
                    + "installed at " + LIBFAKETIME + " (Debian package faketime; .ci/run "
                    + "installs it)"));
        }
        // Fixed ports, every process launched at the same instant, as an orchestrator does.
        int seedPort = ServerProcess.freePort();
        for (int i = 0; i < 3; i++) {
            ServerProcess node = new ServerProcess(dir.resolve("n" + i), "--host",
                    "127.0.0." + (11 + i), "--node-id", "n" + i)
                    .ports(i == 0 ? seedPort : ServerProcess.freePort(), ServerProcess.freePort(),
                            ServerProcess.freePort(), ServerProcess.freePort())
                    .env("CAIRN_REQUESTS_REQUEST_TIMEOUT_MILLIS", "3000");
            if (i > 0) {
                node.env("CAIRN_JOIN", "127.0.0.11:" + seedPort);
            }
            if (i == 0 && skew != null) {
                node.env("LD_PRELOAD", LIBFAKETIME.toString()).env("FAKETIME", skew)
                        .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
                        .env("FAKETIME_FORCE_MONOTONIC_FIX", "0");
            }
            nodes.add(node.launch());
        }
        for (ServerProcess node : nodes) {
            node.awaitReady();
            channels.add(ManagedChannelBuilder.forTarget(node.target()).usePlaintext().build());
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> seed(1).listStorageNodes(
                        ListStorageNodesRequest.getDefaultInstance()).getNodesList().stream()
                .filter(node -> node.getStatus().equals("active")).count() == 3);
        CreateTenantResponse created = seed(1).createTenant(CreateTenantRequest.newBuilder()
                .setTenantId("reg").setReplicationFactor(3).build());
        assertThat(created.getSuccess()).as(created.getErrorMessage()).isTrue();
        for (int i = 0; i < 3; i++) {
            int via = i;
            await().atMost(Duration.ofSeconds(30)).until(() -> seed(via).getTenant(
                    GetTenantRequest.newBuilder().setTenantId("reg").build()).getSuccess());
        }
    }

    private static String loud(String message) {
        String line = "SKIPPED, NOT PASSED: " + message;
        System.out.println("*".repeat(line.length()) + "\n" + line + "\n"
                + "*".repeat(line.length()));
        return line;
    }

    private CoordinatorServiceGrpc.CoordinatorServiceBlockingStub seed(int index) {
        return CoordinatorServiceGrpc.newBlockingStub(channels.get(index))
                .withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private WriteKeyValueResponse write(int via, String key, String value) {
        return seed(via).writeKeyValue(WriteKeyValueRequest.newBuilder().setTenantId("reg")
                .setKey(key).setValue(ByteString.copyFromUtf8(value)).setConsistency("quorum")
                .build());
    }

    private String readValue(int via, String key) {
        try {
            ReadKeyValueResponse read = seed(via).readKeyValue(ReadKeyValueRequest.newBuilder()
                    .setTenantId("reg").setKey(key).setConsistency("quorum").build());
            return read.getSuccess() ? read.getValue().toStringUtf8() : null;
        } catch (StatusRuntimeException e) {
            return null;
        }
    }

    /** Drops every packet between nodes {@code a} and {@code b}, both ways. */
    private void cutLink(int a, int b) throws Exception {
        Assumptions.assumeTrue(iptables("-L", "INPUT", "-n") == 0, () -> loud("iptables is "
                + "missing or not permitted here (needs root and CAP_NET_ADMIN; .ci/run installs "
                + "the iptables package)"));
        String from = nodes.get(a).host();
        String to = nodes.get(b).host();
        for (String[] pair : new String[][] {{from, to}, {to, from}}) {
            String rule = "-s " + pair[0] + " -d " + pair[1] + " -j DROP";
            assertThat(iptables(("-I INPUT " + rule).split(" "))).isZero();
            cutRules.add(rule);
        }
        // The cut holds: each side's failure detector marks the other down.
        String other = nodes.get(b).nodeId();
        await().atMost(Duration.ofSeconds(30)).until(() -> io.cairndb.api.CoordinatorServiceGrpc
                .newBlockingStub(channels.get(a)).withDeadlineAfter(20, TimeUnit.SECONDS)
                .listStorageNodes(io.cairndb.api.ListStorageNodesRequest.getDefaultInstance())
                .getNodesList().stream()
                .anyMatch(node -> node.getNodeId().equals(other) && !node.getAlive()));
    }

    private static int iptables(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("iptables", "-w"));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return process.waitFor(30, TimeUnit.SECONDS) ? process.exitValue() : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (String rule : cutRules) {
            iptables(("-D INPUT " + rule).split(" "));
        }
        channels.forEach(ManagedChannel::shutdownNow);
        for (ServerProcess node : nodes) {
            node.close();
        }
    }

    /**
     * One client, one key at a time: write it through {@code first}, then at once through
     * {@code second}, each acknowledged before the next begins; then read every key at quorum
     * through every node. Returns how many keys read back an older value than the last one
     * acknowledged.
     */
    private int sequentialRegister(int keys, int first, int second) {
        List<String> expected = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            String key = "key-" + k;
            String last = null;
            for (int via : new int[] {first, second}) {
                String value = key + "-via-n" + via;
                WriteKeyValueResponse written = write(via, key, value);
                if (written.getSuccess()) {
                    last = value;
                }
            }
            expected.add(last);
        }
        int lost = 0;
        for (int via = 0; via < 3; via++) {
            for (int k = 0; k < keys; k++) {
                if (expected.get(k) != null && !expected.get(k).equals(readValue(via,
                        "key-" + k))) {
                    lost++;
                }
            }
        }
        return lost;
    }

    @Test
    void twentyMillisecondsOfSkewLoseNoSequentialWrite() throws Exception {
        startCluster("+0.02");
        assertThat(sequentialRegister(100, 0, 1)).isZero();
        assertThat(sequentialRegister(100, 0, 2)).isZero();
    }

    @Test
    void twentyMillisecondsOfSkewAndACutLinkLoseNoSequentialWrite() throws Exception {
        startCluster("+0.02");
        // n0 (ahead) and n1 cannot reach each other; n2 reaches both.
        cutLink(0, 1);
        assertThat(sequentialRegister(100, 0, 1)).isZero();
    }

    @Test
    void thirtySecondsAheadTheNodeRefusesWritesAndNothingAcknowledgedIsLost() throws Exception {
        startCluster("+30");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            WriteKeyValueResponse refused = write(0, "k", "v");
            assertThat(refused.getSuccess()).isFalse();
            assertThat(refused.getErrorMessage()).contains("ms ahead of")
                    .contains("clock.maxOffsetMillis");
        });
        // Writes through n0 are refused, not lost: every acknowledged one reads back.
        assertThat(sequentialRegister(50, 0, 1)).isZero();
        assertThat(sequentialRegister(50, 2, 1)).isZero();
    }

    @Test
    void withoutSkewNothingIsLost() throws Exception {
        startCluster(null);
        assertThat(sequentialRegister(100, 0, 1)).isZero();
    }
}
