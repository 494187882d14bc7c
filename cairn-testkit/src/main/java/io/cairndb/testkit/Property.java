package io.cairndb.testkit;

import java.util.Random;

/**
 * Seeded property tests on plain JUnit.
 *
 * <p>A property runs {@code tries} times, each with its own {@link Random} seeded from one base
 * seed. The base seed comes from {@code -Dtest.seed} (random when unset) and the number of tries
 * from {@code -Dtest.tries} (default 100). A failure names the base seed and the failing try's
 * seed, so {@code -Dtest.seed=N -Dtest.tries=1} with the try seed reproduces it exactly.
 */
public final class Property {

    /** One try of a property; throw (any assertion error) to fail it. */
    @FunctionalInterface
    public interface Body {
        void check(Random random) throws Exception;
    }

    private Property() {
    }

    /** Tries per property, from {@code -Dtest.tries}. */
    public static int tries() {
        return Integer.getInteger("test.tries", 100);
    }

    /** The base seed, from {@code -Dtest.seed}, or a fresh one. */
    public static long baseSeed() {
        String configured = System.getProperty("test.seed");
        if (configured != null && !configured.isBlank()) {
            return Long.parseLong(configured.trim());
        }
        return new Random().nextLong();
    }

    /** Runs {@code body} {@link #tries()} times with independent seeded generators. */
    public static void forAll(String name, Body body) {
        forAll(name, tries(), body);
    }

    /** Runs {@code body} {@code tries} times with independent seeded generators. */
    public static void forAll(String name, int tries, Body body) {
        long base = baseSeed();
        Random seeds = new Random(base);
        for (int attempt = 0; attempt < tries; attempt++) {
            long seed = attempt == 0 ? base : seeds.nextLong();
            try {
                body.check(new Random(seed));
            } catch (Throwable failure) {
                throw new AssertionError("property '" + name + "' failed on try " + (attempt + 1)
                        + " of " + tries + "; reproduce with -Dtest.seed=" + seed
                        + " -Dtest.tries=1 (base seed " + base + "): " + failure, failure);
            }
        }
    }
}
