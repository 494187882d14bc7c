package io.cairndb.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairndb.testkit.Property;
import java.util.Map;
import org.junit.jupiter.api.Test;

// Proves the hybrid clock is strictly monotonic and catches up, and vector clocks order correctly.
class ClocksTest {

    @Test
    void hybridClockIsStrictlyIncreasingEvenWhenWallTimeGoesBack() {
        Property.forAll("monotonic hlc", random -> {
            HybridLogicalClock clock = new HybridLogicalClock();
            long wall = 1_700_000_000_000L;
            long previous = 0;
            for (int i = 0; i < 200; i++) {
                wall += random.nextInt(7) - 3;
                if (random.nextInt(10) == 0) {
                    clock.observe(previous + random.nextInt(1_000_000));
                }
                long reading = clock.now(wall);
                assertThat(reading).isGreaterThan(previous);
                previous = Math.max(reading, clock.last());
            }
        });
    }

    @Test
    void hybridClockFollowsWallTimeAndPacksItsParts() {
        HybridLogicalClock clock = new HybridLogicalClock();
        long reading = clock.now(5_000);
        assertThat(HybridLogicalClock.wallMillis(reading)).isEqualTo(5_000);
        assertThat(HybridLogicalClock.logical(reading)).isZero();
        long next = clock.now(5_000);
        assertThat(HybridLogicalClock.wallMillis(next)).isEqualTo(5_000);
        assertThat(HybridLogicalClock.logical(next)).isEqualTo(1);
        clock.observe(HybridLogicalClock.pack(9_000, 3));
        assertThat(clock.now(6_000)).isEqualTo(HybridLogicalClock.pack(9_000, 4));
    }

    @Test
    void hybridClockNeverGoesBelowItsFloor() {
        long floor = HybridLogicalClock.pack(10_000, 0);
        assertThat(new HybridLogicalClock(floor).now(1)).isGreaterThan(floor);
    }

    @Test
    void vectorClocksCompare() {
        VectorClock a = VectorClock.of(Map.of("n1", 1L, "n2", 2L));
        VectorClock b = VectorClock.of(Map.of("n1", 1L, "n2", 3L));
        VectorClock c = VectorClock.of(Map.of("n1", 2L));
        assertThat(a.compare(a)).isEqualTo(VectorClock.Order.EQUAL);
        assertThat(a.compare(b)).isEqualTo(VectorClock.Order.BEFORE);
        assertThat(b.compare(a)).isEqualTo(VectorClock.Order.AFTER);
        assertThat(a.compare(c)).isEqualTo(VectorClock.Order.CONCURRENT);
        assertThat(VectorClock.empty().compare(a)).isEqualTo(VectorClock.Order.BEFORE);
    }

    @Test
    void mergeIsThePointwiseMaximum() {
        Property.forAll("merge is pointwise max", random -> {
            VectorClock a = randomClock(random);
            VectorClock b = randomClock(random);
            VectorClock merged = a.merge(b);
            assertThat(merged.compare(a)).isIn(VectorClock.Order.AFTER, VectorClock.Order.EQUAL);
            assertThat(merged.compare(b)).isIn(VectorClock.Order.AFTER, VectorClock.Order.EQUAL);
            for (String node : merged.asMap().keySet()) {
                assertThat(merged.get(node)).isEqualTo(Math.max(a.get(node), b.get(node)));
            }
            assertThat(a.merge(b)).isEqualTo(b.merge(a));
        });
    }

    @Test
    void pruningKeepsTheNewestEntries() {
        VectorClock clock = VectorClock.of(Map.of("a", 5L, "b", 1L, "c", 9L, "d", 7L));
        assertThat(clock.pruned(2).asMap()).containsOnlyKeys("c", "d");
        assertThat(clock.pruned(10)).isSameAs(clock);
        assertThat(clock.without("c").asMap()).containsOnlyKeys("a", "b", "d");
        assertThat(clock.maxCounter()).isEqualTo(9);
    }

    private static VectorClock randomClock(java.util.Random random) {
        java.util.Map<String, Long> entries = new java.util.HashMap<>();
        int size = random.nextInt(5);
        for (int i = 0; i < size; i++) {
            entries.put("n" + random.nextInt(6), (long) random.nextInt(10));
        }
        return VectorClock.of(entries);
    }
}
