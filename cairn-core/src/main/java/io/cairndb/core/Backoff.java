package io.cairndb.core;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How long to wait before trying again: doubling from {@code initial} up to {@code max}, with the
 * upper half of each wait drawn at random, so that nodes retrying the same thing at once (members
 * racing to change the control group, joiners waiting for the same seed) spread out instead of
 * colliding again in step.
 *
 * @param initial the wait before the first retry, at most
 * @param max the longest wait
 */
public record Backoff(Duration initial, Duration max) {

    public Backoff {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("a backoff needs 0 < initial <= max; got initial "
                    + initial + ", max " + max);
        }
    }

    /**
     * The wait before retry number {@code attempt} (0 for the first retry): between half and all
     * of {@code min(max, initial * 2^attempt)}.
     */
    public Duration delay(int attempt, RandomGenerator random) {
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt is " + attempt + "; it counts from 0");
        }
        long ceilingMillis = initial.toMillis() << Math.min(attempt, 30);
        if (ceilingMillis <= 0 || ceilingMillis > max.toMillis()) {
            ceilingMillis = max.toMillis();
        }
        long half = ceilingMillis / 2;
        return Duration.ofMillis(half + random.nextLong(ceilingMillis - half + 1));
    }
}
