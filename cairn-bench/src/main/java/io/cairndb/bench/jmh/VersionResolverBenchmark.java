package io.cairndb.bench.jmh;

import io.cairndb.core.VectorClock;
import io.cairndb.core.Version;
import io.cairndb.core.VersionResolver;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Version resolution, run on every replica write and every quorum read: a newer write over an
 * older one (one clock dominates) and two concurrent writes (clocks joined, last writer wins), with
 * clocks of {@code clockEntries} coordinators.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class VersionResolverBenchmark {

    @Param({"1", "3", "16"})
    public int clockEntries;

    private final VersionResolver resolver = new VersionResolver();
    private Version older;
    private Version newer;
    private Version concurrentA;
    private Version concurrentB;

    @Setup
    public void setUp() {
        byte[] value = new byte[256];
        long base = 1_000_000L << 16;
        Map<String, Long> history = new HashMap<>();
        for (int i = 0; i < clockEntries; i++) {
            history.put("node-" + i, base + i);
        }
        VectorClock oldClock = VectorClock.of(history);
        older = new Version(value, oldClock, oldClock.maxCounter(), "node-0");
        long newHlc = base + 1000;
        newer = new Version(value, oldClock.merge(VectorClock.of("node-0", newHlc)), newHlc,
                "node-0");
        // Each concurrent write saw the common history and then wrote on its own coordinator.
        long hlcA = base + 2000;
        long hlcB = base + 2001;
        concurrentA = new Version(value, oldClock.merge(VectorClock.of("node-a", hlcA)), hlcA,
                "node-a");
        concurrentB = new Version(value, oldClock.merge(VectorClock.of("node-b", hlcB)), hlcB,
                "node-b");
    }

    @Benchmark
    public Version dominating() {
        return resolver.resolve(older, newer);
    }

    @Benchmark
    public Version concurrent() {
        return resolver.resolve(concurrentA, concurrentB);
    }

    @Benchmark
    public VectorClock.Order compareClocks() {
        return concurrentA.clock().compare(concurrentB.clock());
    }
}
