package io.cairndb.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairndb.testkit.Property;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

// Proves a write is found overtaken exactly when a replica kept another coordinator's version at
// or above its reading, and that the write stamped again wins over every version it was shown.
class SequentialWritesTest {

    private final VersionResolver resolver = new VersionResolver();

    @Test
    void aWriteStampedBelowAnEarlierOneFromAClockAheadIsOvertaken() {
        Version earlier = Version.write(new byte[] {1}, "ahead", 2_000);
        Version later = Version.write(new byte[] {2}, "behind", 1_000);
        Version stored = resolver.resolve(earlier, later);
        assertThat(stored.value()).containsExactly(1);
        assertThat(SequentialWrites.isOvertaken(later, stored.clock())).isTrue();

        Version newer = Version.write(new byte[] {3}, "behind", 3_000);
        assertThat(SequentialWrites.isOvertaken(newer, resolver.resolve(earlier, newer).clock()))
                .isFalse();
        // Its own entry counts only above its reading (a clock gone back over a restart); a tie
        // with another coordinator counts.
        assertThat(SequentialWrites.isOvertaken(newer, VectorClock.of("behind", 3_000)))
                .isFalse();
        assertThat(SequentialWrites.isOvertaken(newer, VectorClock.of("behind", 3_001)))
                .isTrue();
        assertThat(SequentialWrites.isOvertaken(newer, VectorClock.of(Map.of("behind", 3_000L,
                "other", 3_000L)))).isTrue();
    }

    @Test
    void aRestampedWriteWinsOverEveryVersionItWasShown() {
        Property.forAll("restamped write wins", random -> {
            List<VectorClock> shown = new ArrayList<>();
            List<Version> versions = new ArrayList<>();
            for (int i = 0; i < 1 + random.nextInt(4); i++) {
                String node = "n" + random.nextInt(5);
                Version version = Version.write(new byte[] {(byte) i}, node,
                        1_000 + random.nextInt(10_000));
                versions.add(version);
                shown.add(version.clock());
            }
            Version written = Version.write(new byte[] {99}, "me", 500 + random.nextInt(10_000));
            long stamp = SequentialWrites.restampReading(written,
                    1_000 + random.nextInt(20_000), shown);
            Version again = SequentialWrites.restamped(written, shown, stamp);
            assertThat(again.value()).containsExactly(99);
            assertThat(again.hlc()).isEqualTo(stamp).isEqualTo(again.clock().maxCounter());
            for (Version version : versions) {
                assertThat(again.clock().compare(version.clock()))
                        .isEqualTo(VectorClock.Order.AFTER);
                assertThat(resolver.resolve(version, again)).isEqualTo(again);
                assertThat(resolver.resolve(again, version)).isEqualTo(again);
            }
        });
    }

    @Test
    void restampingRefusesAStampThatIsNotAboveWhatItWasShown() {
        Version written = Version.write(new byte[] {1}, "me", 10);
        assertThat(SequentialWrites.restampReading(written, 5,
                List.of(VectorClock.of("x", 20)))).isEqualTo(21);
        assertThat(SequentialWrites.restampReading(written, 50,
                List.of(VectorClock.of("x", 20)))).isEqualTo(50);
        assertThat(SequentialWrites.restampReading(written, 3, List.of())).isEqualTo(11);
        assertThatThrownBy(() -> SequentialWrites.restamped(written,
                List.of(VectorClock.of("x", 20)), 20))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not above the clocks' greatest reading 20");
    }
}
