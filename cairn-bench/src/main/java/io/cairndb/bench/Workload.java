package io.cairndb.bench;

import java.util.Locale;

/**
 * What a run asks for: the share of reads among its operations. The rest are writes of whole
 * values to keys of the key space (YCSB's "update").
 */
public enum Workload {
    WRITE_ONLY("write-only", 0.0),
    READ_ONLY("read-only", 1.0),
    /** YCSB workload A, update heavy: 50% reads, 50% updates. */
    YCSB_A("ycsb-a", 0.5),
    /** YCSB workload B, read mostly: 95% reads, 5% updates. */
    YCSB_B("ycsb-b", 0.95),
    /** YCSB workload C, read only. */
    YCSB_C("ycsb-c", 1.0);

    private final String cliName;
    private final double readShare;

    Workload(String cliName, double readShare) {
        this.cliName = cliName;
        this.readShare = readShare;
    }

    /** The name on the command line and in reports. */
    public String cliName() {
        return cliName;
    }

    /** The share of operations that are reads, from 0 to 1. */
    public double readShare() {
        return readShare;
    }

    public boolean hasReads() {
        return readShare > 0;
    }

    /**
     * The workload a name denotes, ignoring case.
     *
     * @throws IllegalArgumentException naming the valid choices
     */
    public static Workload parse(String text) {
        for (Workload workload : values()) {
            if (workload.cliName.equals(text.toLowerCase(Locale.ROOT))) {
                return workload;
            }
        }
        throw new IllegalArgumentException("workload must be one of write-only, read-only, ycsb-a,"
                + " ycsb-b, ycsb-c; was '" + text + "'");
    }

    @Override
    public String toString() {
        return cliName;
    }
}
