package io.cairndb.core;

/**
 * Counts replica answers for one request and decides when it has succeeded or can no longer
 * succeed. Not thread-safe: the caller serialises calls (a coordinator does so per request).
 */
public final class QuorumTracker {

    /** Where the request stands. */
    public enum Outcome {
        PENDING,
        SUCCEEDED,
        FAILED
    }

    private final int required;
    private final int total;
    private int acknowledged;
    private int failed;

    /**
     * @param required acknowledgements needed, 1..total
     * @param total replicas asked
     */
    public QuorumTracker(int required, int total) {
        if (total < 1 || required < 1 || required > total) {
            throw new IllegalArgumentException("need 1 <= required <= total, got required="
                    + required + " total=" + total);
        }
        this.required = required;
        this.total = total;
    }

    /** Records one acknowledgement and returns the outcome so far. */
    public Outcome acknowledge() {
        if (acknowledged + failed >= total) {
            throw new IllegalStateException("more answers than replicas: " + this);
        }
        acknowledged++;
        return outcome();
    }

    /** Records one failure (error, timeout, replica believed down) and returns the outcome so far. */
    public Outcome fail() {
        if (acknowledged + failed >= total) {
            throw new IllegalStateException("more answers than replicas: " + this);
        }
        failed++;
        return outcome();
    }

    public Outcome outcome() {
        if (acknowledged >= required) {
            return Outcome.SUCCEEDED;
        }
        if (total - failed < required) {
            return Outcome.FAILED;
        }
        return Outcome.PENDING;
    }

    public int acknowledged() {
        return acknowledged;
    }

    public int failed() {
        return failed;
    }

    public int required() {
        return required;
    }

    public int total() {
        return total;
    }

    /** True once every replica asked has answered. */
    public boolean complete() {
        return acknowledged + failed == total;
    }

    @Override
    public String toString() {
        return "QuorumTracker{required=" + required + ", total=" + total + ", acknowledged="
                + acknowledged + ", failed=" + failed + "}";
    }
}
