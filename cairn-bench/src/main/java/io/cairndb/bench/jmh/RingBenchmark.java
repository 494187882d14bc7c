package io.cairndb.bench.jmh;

import io.cairndb.core.Ring;
import io.cairndb.core.TokenAllocator;
import io.cairndb.core.Tokens;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
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
 * Placement on every request: hashing a (tenant, key) to its token, and finding the token's
 * replicas on a ring of {@code nodes} nodes with {@code virtualNodes} tokens each.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RingBenchmark {

    private static final int KEYS = 1024;

    @Param({"3", "12"})
    public int nodes;

    @Param({"256"})
    public int virtualNodes;

    @Param({"3"})
    public int replicationFactor;

    private Ring ring;
    private String[] keys;
    private byte[][] keyBytes;
    private long[] tokens;
    private int next;

    @Setup
    public void setUp() {
        Map<String, long[]> tokensByNode = new HashMap<>();
        Map<String, Integer> weights = new HashMap<>();
        for (int i = 0; i < nodes; i++) {
            String node = "node-" + i;
            tokensByNode.put(node, TokenAllocator.allocate(tokensByNode, weights, node,
                    virtualNodes));
            weights.put(node, virtualNodes);
        }
        ring = Ring.of(tokensByNode);
        SplittableRandom random = new SplittableRandom(7);
        keys = new String[KEYS];
        keyBytes = new byte[KEYS][];
        tokens = new long[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = "user:" + random.nextLong(1_000_000_000L);
            keyBytes[i] = keys[i].getBytes(StandardCharsets.UTF_8);
            tokens[i] = Tokens.token("bench", keys[i]);
        }
    }

    private int nextIndex() {
        next = (next + 1) & (KEYS - 1);
        return next;
    }

    /** Murmur3 of tenant, separator and key bytes, as the coordinator computes per request. */
    @Benchmark
    public long tokenOfKeyBytes() {
        return Tokens.token("bench", keyBytes[nextIndex()]);
    }

    /** The same from a Java string, which the gRPC layer hands the coordinator. */
    @Benchmark
    public long tokenOfKeyString() {
        return Tokens.token("bench", keys[nextIndex()]);
    }

    /** Binary search of the ring and the walk to {@code replicationFactor} distinct nodes. */
    @Benchmark
    public List<String> replicasOfToken() {
        return ring.replicas(tokens[nextIndex()], replicationFactor);
    }

    /** Both together: the placement cost of one request. */
    @Benchmark
    public List<String> replicasOfKey() {
        return ring.replicas(Tokens.token("bench", keyBytes[nextIndex()]), replicationFactor);
    }
}
