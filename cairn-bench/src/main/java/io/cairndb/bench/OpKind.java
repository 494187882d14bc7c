package io.cairndb.bench;

/** The two operations a workload mixes. YCSB's "update" is a write of an existing key. */
public enum OpKind {
    READ("read"),
    WRITE("write");

    private final String reportName;

    OpKind(String reportName) {
        this.reportName = reportName;
    }

    public String reportName() {
        return reportName;
    }
}
