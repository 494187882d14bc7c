package io.cairndb.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairndb.testkit.Property;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

// Proves version resolution is commutative, associative and idempotent, so replicas converge
// whatever order versions reach them in, with and without clock pruning.
class VersionResolverTest {

    /**
     * Versions as a cluster makes them: coordinators with skewed wall clocks stamp writes with
     * their hybrid clocks, sometimes after seeing another version (a read, a repair), and replicas
     * merge what they receive.
     */
    static List<Version> history(Random random, VersionResolver resolver) {
        int coordinators = 1 + random.nextInt(6);
        List<HybridLogicalClock> clocks = new ArrayList<>();
        long[] skew = new long[coordinators];
        for (int i = 0; i < coordinators; i++) {
            clocks.add(new HybridLogicalClock());
            skew[i] = random.nextInt(2000) - 1000;
        }
        List<Version> versions = new ArrayList<>();
        long wall = 1_700_000_000_000L;
        int writes = 1 + random.nextInt(12);
        for (int w = 0; w < writes; w++) {
            wall += random.nextInt(5);
            int c = random.nextInt(coordinators);
            if (!versions.isEmpty() && random.nextBoolean()) {
                clocks.get(c).observe(versions.get(random.nextInt(versions.size())).hlc());
            }
            long stamp = clocks.get(c).now(wall + skew[c]);
            String node = "node-" + c;
            Version write = random.nextInt(5) == 0 ? Version.tombstone(node, stamp)
                    : Version.write(("v" + w).getBytes(StandardCharsets.UTF_8), node, stamp);
            versions.add(write);
            if (random.nextInt(3) == 0 && versions.size() > 1) {
                Version a = versions.get(random.nextInt(versions.size()));
                Version b = versions.get(random.nextInt(versions.size()));
                versions.add(resolver.resolve(a, b));
            }
        }
        return versions;
    }

    @Test
    void resolutionIsCommutativeAssociativeAndIdempotent() {
        for (int entriesMax : new int[] {VersionResolver.CLOCK_ENTRIES_MAX, 2}) {
            VersionResolver resolver = new VersionResolver(entriesMax);
            Property.forAll("semilattice laws, clockEntriesMax=" + entriesMax, random -> {
                List<Version> versions = history(random, resolver);
                Version a = versions.get(random.nextInt(versions.size()));
                Version b = versions.get(random.nextInt(versions.size()));
                Version c = versions.get(random.nextInt(versions.size()));
                assertThat(resolver.resolve(a, b)).isEqualTo(resolver.resolve(b, a));
                assertThat(resolver.resolve(resolver.resolve(a, b), c))
                        .isEqualTo(resolver.resolve(a, resolver.resolve(b, c)));
                assertThat(resolver.resolve(a, a)).isEqualTo(a);
            });
        }
    }

    @Test
    void replicasConvergeWhateverTheOrderOfArrival() {
        VersionResolver resolver = new VersionResolver(3);
        Property.forAll("convergence", random -> {
            List<Version> versions = history(random, resolver);
            Version expected = null;
            for (Version version : versions) {
                expected = resolver.resolve(expected, version);
            }
            for (int replica = 0; replica < 4; replica++) {
                List<Version> arrival = new ArrayList<>(versions);
                Collections.shuffle(arrival, random);
                // Duplicates arrive too (retries, hints, repair).
                arrival.add(arrival.get(random.nextInt(arrival.size())));
                Version stored = null;
                for (Version version : arrival) {
                    stored = resolver.resolve(stored, version);
                }
                assertThat(stored).isEqualTo(expected);
            }
        });
    }

    @Test
    void survivorIsTheGreatestWriteAndCarriesTheJoinedClock() {
        VersionResolver resolver = new VersionResolver();
        Property.forAll("winner and clock", random -> {
            List<Version> versions = history(random, resolver);
            Version merged = null;
            Version greatest = null;
            VectorClock joined = VectorClock.empty();
            for (Version version : versions) {
                merged = resolver.resolve(merged, version);
                joined = joined.merge(version.clock());
                if (greatest == null || VersionResolver.compareWrites(version, greatest) > 0) {
                    greatest = version;
                }
            }
            assertThat(merged.hlc()).isEqualTo(greatest.hlc());
            assertThat(merged.coordinatorNodeId()).isEqualTo(greatest.coordinatorNodeId());
            assertThat(merged.value()).isEqualTo(greatest.value());
            assertThat(merged.clock()).isEqualTo(joined);
        });
    }

    @Test
    void dominatingClockWins() {
        VersionResolver resolver = new VersionResolver();
        Version first = Version.write(bytes("a"), "n1", 10);
        Version later = new Version(bytes("b"), VectorClock.of("n1", 10).merge(
                VectorClock.of("n2", 20)), 20, "n2");
        assertThat(resolver.resolve(first, later)).isEqualTo(later);
        assertThat(resolver.resolve(later, first)).isEqualTo(later);
    }

    @Test
    void concurrentWritesKeepTheHigherStampAndJoinClocks() {
        VersionResolver resolver = new VersionResolver();
        Version a = Version.write(bytes("a"), "n1", 30);
        Version b = Version.write(bytes("b"), "n2", 20);
        Version merged = resolver.resolve(a, b);
        assertThat(merged.value()).isEqualTo(bytes("a"));
        assertThat(merged.clock().asMap()).containsEntry("n1", 30L).containsEntry("n2", 20L);
    }

    @Test
    void tombstoneAfterValueWins() {
        VersionResolver resolver = new VersionResolver();
        Version value = Version.write(bytes("a"), "n1", 30);
        Version tombstone = Version.tombstone("n1", 31);
        assertThat(resolver.resolve(value, tombstone).isTombstone()).isTrue();
        assertThat(resolver.resolve(tombstone, value).isTombstone()).isTrue();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
