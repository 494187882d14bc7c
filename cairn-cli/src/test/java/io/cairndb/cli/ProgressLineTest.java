package io.cairndb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairndb.cli.ProgressLine.Progress;
import io.cairndb.cli.ProgressLine.Sample;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

// Proves the watch line's bar, rate and time left follow from the samples alone, with no clock.
class ProgressLineTest {

    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");

    private static Sample sample(long atMillis, String status, long keys, long bytes) {
        return new Sample(T0.plusMillis(atMillis), status, keys / 10.0, keys, 1_000, bytes,
                1_048_576, null);
    }

    @Test
    void barFillsOneStepPerFullShareAndStaysInBounds() {
        assertThat(ProgressLine.bar(0, 10)).isEqualTo("[..........]");
        assertThat(ProgressLine.bar(55, 10)).isEqualTo("[#####.....]");
        assertThat(ProgressLine.bar(99.9, 10)).isEqualTo("[#########.]");
        assertThat(ProgressLine.bar(100, 10)).isEqualTo("[##########]");
        assertThat(ProgressLine.bar(140, 4)).isEqualTo("[####]");
        assertThat(ProgressLine.bar(-3, 4)).isEqualTo("[....]");
        assertThat(ProgressLine.bar(Double.NaN, 4)).isEqualTo("[....]");
    }

    @Test
    void rateIsKeysMovedOverTheLastIntervalAndEtaTheRemainderAtThatRate() {
        Progress progress = ProgressLine.of(sample(0, "in_progress", 100, 0),
                sample(500, "in_progress", 150, 0));

        assertThat(progress.keysPerSecond()).isEqualTo(100.0);
        // 850 keys left at 100 a second, rounded up.
        assertThat(progress.eta()).isEqualTo(Duration.ofSeconds(9));
    }

    @Test
    void withoutARateTheServersEstimateStandsIn() {
        Sample first = new Sample(T0, "in_progress", 10, 10, 100, -1, -1, T0.plusSeconds(90));

        Progress progress = ProgressLine.of(null, first);

        assertThat(progress.keysPerSecond()).isNull();
        assertThat(progress.eta()).isEqualTo(Duration.ofSeconds(90));
        Progress stalled = ProgressLine.of(first, new Sample(T0.plusMillis(500), "in_progress",
                10, 10, 100, -1, -1, T0.plusSeconds(90)));
        assertThat(stalled.keysPerSecond()).isEqualTo(0.0);
        assertThat(stalled.eta()).isEqualTo(Duration.ofMillis(89_500));
        assertThat(ProgressLine.of(null, new Sample(T0, "pending", 0, 0, 100, -1, -1, null))
                .eta()).isNull();
    }

    @Test
    void noTimePassingOrACountGoingBackwardsGivesNoRate() {
        assertThat(ProgressLine.of(sample(0, "in_progress", 100, 0),
                sample(0, "in_progress", 150, 0)).keysPerSecond()).isNull();
        assertThat(ProgressLine.of(sample(0, "in_progress", 100, 0),
                sample(500, "in_progress", 90, 0)).keysPerSecond()).isNull();
    }

    @Test
    void anEndedMigrationHasNoTimeLeftAndAFinishedCountHasNone() {
        assertThat(ProgressLine.of(sample(0, "in_progress", 100, 0),
                sample(500, "failed", 150, 0)).eta()).isNull();
        assertThat(ProgressLine.of(null, sample(0, "in_progress", 1_000, 0)).eta())
                .isEqualTo(Duration.ZERO);
    }

    @Test
    void textShowsBarPercentageKeysBytesRateAndEta() {
        Progress progress = ProgressLine.of(sample(0, "in_progress", 200, 262_144),
                sample(500, "in_progress", 250, 524_288));

        assertThat(ProgressLine.text(progress)).isEqualTo("[#####...............]  25.0%"
                + "  250/1000 keys  512.0 KiB/1.0 MiB  100 keys/s  eta 8s");
    }

    @Test
    void textLeavesOutUnknownBytesAndDashesAnUnknownRateAndEta() {
        Progress progress = ProgressLine.of(null,
                new Sample(T0, "in_progress", 100, 7, 7, -1, -1, null));

        assertThat(ProgressLine.text(progress))
                .isEqualTo("[####################] 100.0%  7/7 keys  - keys/s  eta 0s");
        assertThat(ProgressLine.text(ProgressLine.of(null,
                new Sample(T0, "pending", 0, 0, 0, -1, -1, null))))
                .isEqualTo("[....................]   0.0%  0/0 keys  - keys/s  eta -");
    }

    @Test
    void redrawReturnsToTheLineStartAndBlanksWhatALongerLineLeft() {
        assertThat(ProgressLine.redraw("abc", 0)).isEqualTo("\rabc");
        assertThat(ProgressLine.redraw("abc", 5)).isEqualTo("\rabc  ");
        assertThat(ProgressLine.redraw("abcdef", 5)).isEqualTo("\rabcdef");
    }

    @Test
    void unitsReadAsAPersonWouldSayThem() {
        assertThat(ProgressLine.bytes(0)).isEqualTo("0 B");
        assertThat(ProgressLine.bytes(1023)).isEqualTo("1023 B");
        assertThat(ProgressLine.bytes(1536)).isEqualTo("1.5 KiB");
        assertThat(ProgressLine.bytes(3L << 30)).isEqualTo("3.0 GiB");
        assertThat(ProgressLine.bytes(Long.MAX_VALUE)).isEqualTo("8.0 EiB");
        assertThat(ProgressLine.duration(Duration.ofSeconds(45))).isEqualTo("45s");
        assertThat(ProgressLine.duration(Duration.ofSeconds(125))).isEqualTo("2m05s");
        assertThat(ProgressLine.duration(Duration.ofSeconds(3_720))).isEqualTo("1h02m");
        assertThat(ProgressLine.rate(2.5)).isEqualTo("2.5");
        assertThat(ProgressLine.rate(12.4)).isEqualTo("12");
        assertThat(ProgressLine.rate(null)).isEqualTo("-");
    }
}
