package io.cairndb.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

// Proves offsets are read halfway through the round trip, that only a node off from a majority of
// the cluster stops coordinating writes, and that a bounded HLC adopts no reading from too far
// ahead.
class ClockOffsetsTest {

    private static ClockOffsets.Sample sample(long offset, long at) {
        return new ClockOffsets.Sample(offset, 1, at);
    }

    @Test
    void aSampleIsReadHalfwayThroughTheRoundTrip() {
        ClockOffsets.Sample sample = ClockOffsets.Sample.measure(1_000, 10, 31_005);
        assertThat(sample.offsetMillis()).isEqualTo(30_000);
        assertThat(sample.uncertaintyMillis()).isEqualTo(5);
        assertThat(sample.measuredAtMillis()).isEqualTo(1_010);
        assertThat(sample.beyond(500)).isTrue();
        assertThat(ClockOffsets.Sample.measure(1_000, 2_000, 2_400).beyond(500))
                .as("an offset within the round trip's uncertainty is not beyond").isFalse();
    }

    @Test
    void onlyANodeOffFromAMajorityStopsCoordinatingWrites() {
        // Node a is 30 s ahead: both its peers see it so.
        ClockOffsets.Verdict ahead = ClockOffsets.judge("a", Map.of("b", sample(-30_000, 100),
                "c", sample(-30_010, 100)), 3, 500, 100, 10_000);
        assertThat(ahead.coordinateWrites()).isFalse();
        assertThat(ahead.reason()).isEqualTo("node a's clock is 30000 ms ahead of 2 of its 2 "
                + "measured peers, beyond clock.maxOffsetMillis (500 ms); it coordinates no "
                + "writes until its clock is back within bounds (send writes to another node)");
        // Node b sees one peer off and one in bounds: it is not the one that is off.
        assertThat(ClockOffsets.judge("b", Map.of("a", sample(30_000, 100), "c", sample(3, 100)),
                3, 500, 100, 10_000).coordinateWrites()).isTrue();
        // Behind, it says so.
        assertThat(ClockOffsets.judge("a", Map.of("b", sample(9_000, 100), "c",
                sample(9_000, 100)), 3, 500, 100, 10_000).reason()).contains("9000 ms behind");
        // Two nodes cannot tell who is off; stale samples are no evidence.
        assertThat(ClockOffsets.judge("a", Map.of("b", sample(-30_000, 100)), 2, 500, 100,
                10_000).coordinateWrites()).isTrue();
        assertThat(ClockOffsets.judge("a", Map.of("b", sample(-30_000, 100), "c",
                sample(-30_000, 100)), 3, 500, 50_000, 10_000).coordinateWrites()).isTrue();
    }

    @Test
    void aBoundedClockAdoptsNoReadingFromTooFarAhead() {
        long[] wall = {10_000};
        HybridLogicalClock clock = new HybridLogicalClock(0, () -> wall[0], 500);
        clock.observe(HybridLogicalClock.pack(10_400, 3));
        assertThat(clock.last()).isEqualTo(HybridLogicalClock.pack(10_400, 3));
        clock.observe(HybridLogicalClock.pack(40_000, 0));
        assertThat(clock.last()).isEqualTo(HybridLogicalClock.pack(10_400, 3));
        assertThat(clock.refusedCount()).isEqualTo(1);
        wall[0] = 39_600;
        clock.observe(HybridLogicalClock.pack(40_000, 0));
        assertThat(clock.last()).isEqualTo(HybridLogicalClock.pack(40_000, 0));
        assertThatThrownBy(() -> new HybridLogicalClock(0, () -> 0, -1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
