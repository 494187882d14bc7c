package io.cairndb.bench.jmh;

import io.cairndb.client.CairnClient;
import io.cairndb.client.Consistency;
import io.cairndb.client.ReadResult;
import io.cairndb.client.WriteResult;
import io.cairndb.server.CairnServer;
import io.cairndb.server.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole request path of one node, in this JVM: the SDK's blocking call, gRPC over loopback,
 * validation, placement, the coordinator's quorum wait, the replica, the storage engine, and back.
 * What remains once the network and the other nodes are taken away; compare with {@link
 * StorageBenchmark} to see what the layers above storage cost.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CoordinatorWriteBenchmark {

    private static final int KEYS = 1_000;
    private static final String TENANT = "bench";

    @Param({"periodic", "sync"})
    public String durability;

    private Path directory;
    private CairnServer server;
    private CairnClient client;
    private byte[] value;
    private final AtomicLong next = new AtomicLong();

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        directory = Files.createTempDirectory("cairn-jmh-node");
        server = CairnServer.start(ConfigLoader.load(null, Map.of(), Map.of(
                "port", "0", "peerPort", "0", "raftPort", "0", "httpPort", "0",
                "dataDir", directory.toString(), "storage.durability", durability)));
        client = CairnClient.connect(server.host() + ":" + server.port());
        client.createTenant(TENANT, 1);
        value = new byte[256];
        new SplittableRandom(5).nextBytes(value);
        List<CompletableFuture<WriteResult>> preload = new ArrayList<>();
        for (int i = 0; i < KEYS; i++) {
            preload.add(client.writeAsync(TENANT, key(i), value, Consistency.QUORUM));
        }
        preload.forEach(CompletableFuture::join);
    }

    private static String key(long index) {
        return String.format("k%015d", index % KEYS);
    }

    /** A quorum write with a server-made idempotency key, as a client that names none sends. */
    @Benchmark
    public WriteResult write() {
        return client.write(TENANT, key(next.getAndIncrement()), value, Consistency.QUORUM);
    }

    @Benchmark
    public ReadResult read() {
        return client.read(TENANT, key(next.getAndIncrement()), Consistency.QUORUM);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        client.close();
        server.close();
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
