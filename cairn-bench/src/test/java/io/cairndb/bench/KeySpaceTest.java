package io.cairndb.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Keys have the asked size and sort in index order; distributions stay in the key space. */
class KeySpaceTest {

    @Test
    void keysAreFixedSizeAndSortInIndexOrder() {
        KeySpace space = new KeySpace(1000, 8, 32);

        assertThat(space.key(0)).isEqualTo("k0000000");
        assertThat(space.key(999)).isEqualTo("k0000999");
        assertThat(space.key(42).compareTo(space.key(43))).isNegative();
        assertThat(space.value(7)).hasSize(32);
        assertThatThrownBy(() -> space.key(1000)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void zipfianStaysInRangeAndFavoursFewKeys() {
        long keys = 1000;
        KeyDistribution zipfian = KeyDistribution.zipfian(keys);
        KeyDistribution uniform = KeyDistribution.uniform(keys);
        SplittableRandom random = new SplittableRandom(11);
        long[] zipfianHits = new long[(int) keys];
        long[] uniformHits = new long[(int) keys];
        int draws = 200_000;
        for (int i = 0; i < draws; i++) {
            long z = zipfian.next(random);
            long u = uniform.next(random);
            assertThat(z).isBetween(0L, keys - 1);
            assertThat(u).isBetween(0L, keys - 1);
            zipfianHits[(int) z]++;
            uniformHits[(int) u]++;
        }
        // Under theta 0.99 the hottest key draws several percent of all operations; under a
        // uniform choice no key gets far above 1/keys.
        assertThat(max(zipfianHits)).isGreaterThan(draws / 50);
        assertThat(max(uniformHits)).isLessThan(draws / 250);
    }

    private static long max(long[] counts) {
        long max = 0;
        for (long count : counts) {
            max = Math.max(max, count);
        }
        return max;
    }
}
