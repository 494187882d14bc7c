package io.cairndb.bench;

import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * Picks key indexes in {@code [0, keys)}. Implementations are immutable after construction and
 * safe to share between threads; each caller brings its own random generator.
 */
public interface KeyDistribution {

    /** The next key index, in {@code [0, keys)}. */
    long next(RandomGenerator random);

    /** Every key equally likely. */
    static KeyDistribution uniform(long keys) {
        if (keys < 1) {
            throw new IllegalArgumentException("keys must be >= 1, was " + keys);
        }
        return random -> random.nextLong(keys);
    }

    /**
     * YCSB's scrambled Zipfian: popularity follows Zipf's law with {@link
     * ZipfianGenerator#THETA_DEFAULT}, and the popular keys are scattered over the key space by a
     * hash so they do not cluster in one range.
     */
    static KeyDistribution zipfian(long keys) {
        ZipfianGenerator zipfian = new ZipfianGenerator(keys, ZipfianGenerator.THETA_DEFAULT);
        return random -> Long.remainderUnsigned(fnv1a64(zipfian.next(random)), keys);
    }

    /**
     * The distribution a name denotes: {@code uniform} or {@code zipfian}.
     *
     * @throws IllegalArgumentException naming the valid choices
     */
    static KeyDistribution parse(String name, long keys) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "uniform":
                return uniform(keys);
            case "zipfian":
                return zipfian(keys);
            default:
                throw new IllegalArgumentException("distribution must be uniform or zipfian, was '"
                        + name + "'");
        }
    }

    /** FNV-1a over the 8 bytes of {@code value}, the hash YCSB scrambles its Zipfian with. */
    static long fnv1a64(long value) {
        long hash = 0xCBF29CE484222325L;
        for (int i = 0; i < 8; i++) {
            hash ^= value & 0xFF;
            hash *= 0x100000001B3L;
            value >>>= 8;
        }
        return hash;
    }
}
