package io.cairndb.bench;

import java.util.random.RandomGenerator;

/**
 * Zipf-distributed integers in {@code [0, items)}: item {@code i} is drawn with probability
 * proportional to {@code 1 / (i + 1)^theta}, so item 0 is the most popular. This is the algorithm
 * of Gray et al., "Quickly Generating Billion-Record Synthetic Databases" (SIGMOD 1994), which YCSB
 * uses; building one costs O(items) for the zeta constant, drawing costs O(1).
 *
 * <p>Immutable and safe to share between threads.
 */
public final class ZipfianGenerator {

    /** YCSB's default skew. */
    public static final double THETA_DEFAULT = 0.99;

    private final long items;
    private final double theta;
    private final double zetaN;
    private final double alpha;
    private final double eta;
    private final double halfPowTheta;

    public ZipfianGenerator(long items, double theta) {
        if (items < 1) {
            throw new IllegalArgumentException("items must be >= 1, was " + items);
        }
        if (!(theta > 0 && theta < 1)) {
            throw new IllegalArgumentException("theta must be in (0, 1), was " + theta);
        }
        this.items = items;
        this.theta = theta;
        this.zetaN = zeta(items, theta);
        double zeta2 = zeta(2, theta);
        this.alpha = 1.0 / (1.0 - theta);
        this.eta = (1 - Math.pow(2.0 / items, 1 - theta)) / (1 - zeta2 / zetaN);
        this.halfPowTheta = 1 + Math.pow(0.5, theta);
    }

    public long items() {
        return items;
    }

    /** The next item, in {@code [0, items)}. */
    public long next(RandomGenerator random) {
        double u = random.nextDouble();
        double uz = u * zetaN;
        if (uz < 1.0) {
            return 0;
        }
        if (uz < halfPowTheta) {
            return Math.min(1, items - 1);
        }
        long item = (long) (items * Math.pow(eta * u - eta + 1, alpha));
        return Math.min(item, items - 1);
    }

    /** The generalized harmonic number: the sum of {@code 1 / i^theta} for i in 1..n. */
    static double zeta(long n, double theta) {
        double sum = 0;
        for (long i = 1; i <= n; i++) {
            sum += 1 / Math.pow(i, theta);
        }
        return sum;
    }
}
