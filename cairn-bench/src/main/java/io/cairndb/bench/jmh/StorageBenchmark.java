package io.cairndb.bench.jmh;

import io.cairndb.core.Tokens;
import io.cairndb.core.Version;
import io.cairndb.core.VersionResolver;
import io.cairndb.core.ApplyResult;
import io.cairndb.storage.DataStore;
import io.cairndb.storage.Durability;
import io.cairndb.core.Mutation;
import io.cairndb.storage.StorageEngine;
import io.cairndb.storage.StorageOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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
 * The storage engine alone: a put is {@link DataStore#apply} of a write waited on (read the
 * stored version, resolve, commit through the writer shard, fsync under {@code sync}); a get is
 * {@link DataStore#get} of a preloaded key. Run with {@code -t N} to see group commit share
 * fsyncs between N writers.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StorageBenchmark {

    private static final int KEYS = 10_000;
    private static final String TENANT = "bench";

    @Param({"periodic", "sync"})
    public String durability;

    @Param({"256"})
    public int valueSizeBytes;

    private Path directory;
    private StorageEngine engine;
    private byte[][] keys;
    private long[] tokens;
    private byte[] value;
    private final AtomicLong clock = new AtomicLong(System.currentTimeMillis() << 16);
    private final AtomicLong next = new AtomicLong();

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        directory = Files.createTempDirectory("cairn-jmh-storage");
        engine = StorageEngine.open(directory,
                StorageOptions.DEFAULTS.withDurability(Durability.parse(durability)),
                new VersionResolver());
        keys = new byte[KEYS][];
        tokens = new long[KEYS];
        value = new byte[valueSizeBytes];
        new SplittableRandom(3).nextBytes(value);
        List<CompletableFuture<ApplyResult>> preload = new ArrayList<>();
        for (int i = 0; i < KEYS; i++) {
            keys[i] = String.format("k%015d", i).getBytes(StandardCharsets.UTF_8);
            tokens[i] = Tokens.token(TENANT, keys[i]);
            preload.add(engine.data().apply(mutation(i)));
        }
        // All at once: the writer shards commit them in groups, so loading takes few fsyncs.
        preload.forEach(CompletableFuture::join);
    }

    private Mutation mutation(int index) {
        Version version = Version.write(value, "node-bench", clock.incrementAndGet());
        return new Mutation(TENANT, keys[index], tokens[index], version, null);
    }

    private int nextIndex() {
        return (int) (next.getAndIncrement() % KEYS);
    }

    @Benchmark
    public ApplyResult put() {
        return engine.data().apply(mutation(nextIndex())).join();
    }

    @Benchmark
    public Version get() {
        int index = nextIndex();
        return engine.data().get(TENANT, keys[index], tokens[index]);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        engine.close();
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
