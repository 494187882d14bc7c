package io.cairndb.testkit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The history of a register workload (writes, deletes and reads of a few keys, at one, quorum
 * and all) and the checks made of it. The same class judges the seeded cluster simulation and the
 * real-process test of the same workload, so the two worlds are held to identical rules. Times
 * are whatever clock the caller's world keeps (simulated or {@link System#nanoTime()}), as long as
 * one history uses one clock. Values name their tenant, key, client and operation, so every value
 * is unique and tells where it belongs ({@link #value}). Thread-safe.
 */
public final class RegisterHistory {

    /** A client's write, or a delete (value null), from its first attempt to its last. */
    public static final class Write {
        final String tenant;
        final String key;
        final String value;
        final String idempotencyKey;
        final String level;
        final long start;
        long end = -1;
        boolean degraded;

        private Write(String tenant, String key, String value, String idempotencyKey,
                      String level, long start) {
            this.tenant = tenant;
            this.key = key;
            this.value = value;
            this.idempotencyKey = idempotencyKey;
            this.level = level;
            this.start = start;
        }

        boolean acknowledgedAtQuorum() {
            return end >= 0 && !level.equals("one") && !degraded;
        }

        public long end() {
            return end;
        }

        @Override
        public String toString() {
            return (value == null ? "delete " + idempotencyKey : value) + " at " + level + " t="
                    + start + ".." + (end < 0 ? "?" : end) + (degraded ? " degraded" : "");
        }
    }

    private final Map<String, List<Write>> byKey = new HashMap<>();
    private final Map<String, Write> byValue = new HashMap<>();
    private long quorumReadsChecked;

    /** The value client {@code client} writes in its operation {@code sequence}. */
    public static String value(String tenant, String key, int client, int sequence) {
        return tenant + "/" + key + "/c" + client + "/" + sequence;
    }

    /** Whether {@code value} was written by this workload to {@code tenant}'s {@code key}. */
    public static boolean belongsTo(String value, String tenant, String key) {
        return value.startsWith(tenant + "/" + key + "/");
    }

    /** A write (or, with {@code value} null, a delete) begins; {@code level} is one/quorum/all. */
    public synchronized Write begin(String tenant, String key, String value,
                                    String idempotencyKey, String level, long start) {
        Write write = new Write(tenant, key, value, idempotencyKey, level, start);
        byKey.computeIfAbsent(tenant + "/" + key, k -> new ArrayList<>()).add(write);
        if (value != null) {
            byValue.put(value, write);
        }
        return write;
    }

    /** The client heard the write acknowledged at {@code end}. */
    public synchronized void acknowledged(Write write, long end) {
        write.end = end;
    }

    /**
     * A crash under periodic durability at {@code now} lost what its node applied since
     * {@code syncedAt}: writes that may have been acknowledged by it since are no longer held to
     * the quorum rules.
     */
    public synchronized void degradeSince(long syncedAt) {
        for (List<Write> writes : byKey.values()) {
            for (Write write : writes) {
                if (write.end < 0 || write.end >= syncedAt) {
                    write.degraded = true;
                }
            }
        }
    }

    /** Quorum reads checked so far. */
    public synchronized long quorumReadsChecked() {
        return quorumReadsChecked;
    }

    /**
     * Checks a read of {@code tenant}'s {@code key} at {@code level} that began at {@code start}
     * and ended at {@code end}, which returned {@code value} (null: not found). Returns the
     * violation, naming {@code invariant}, or null.
     *
     * <ul>
     *   <li>TenantIsolation: a value read is one a client wrote to this tenant and key.</li>
     *   <li>{@code invariant} (QuorumReadSeesLatestQuorumWrite, or NoAcknowledgedWriteLost for the
     *       final reads): a read at quorum or all that began after a write or delete W was
     *       acknowledged at quorum or all returns W, or a write not acknowledged at quorum before
     *       W began; it finds nothing only if a delete could explain it.</li>
     * </ul>
     */
    public synchronized String checkRead(String tenant, String key, String level, long start,
                                         long end, String value, String invariant) {
        Write read = value == null ? null : byValue.get(value);
        if (value != null && (read == null || !read.tenant.equals(tenant)
                || !read.key.equals(key))) {
            return "TenantIsolation: a read of " + tenant + "/" + key + " returned '" + value
                    + "', which no client wrote there";
        }
        if (level.equals("one")) {
            return null;
        }
        quorumReadsChecked++;
        List<Write> writes = byKey.getOrDefault(tenant + "/" + key, List.of());
        for (Write written : writes) {
            if (!written.acknowledgedAtQuorum() || written.end >= start) {
                continue;
            }
            if (read != null) {
                if (read.acknowledgedAtQuorum() && read.end < written.start) {
                    return invariant + ": " + tenant + "/" + key + " read at " + level
                            + " from t=" + start + " returned " + read.value + " (acknowledged t="
                            + read.end + "), older than " + describe(written) + historyOf(writes);
                }
            } else if (!deleteExplains(writes, written, end)) {
                return invariant + ": " + tenant + "/" + key + " read at " + level + " from t="
                        + start + " found nothing, though " + describe(written)
                        + " and no later delete explains it" + historyOf(writes);
            }
        }
        return null;
    }

    private static boolean deleteExplains(List<Write> writes, Write written, long readEnd) {
        for (Write write : writes) {
            if (write.value == null && write.start < readEnd
                    && !(write.acknowledgedAtQuorum() && write.end < written.start)) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Write write) {
        return (write.value == null ? "delete " + write.idempotencyKey : "write " + write.value)
                + " was acknowledged at " + write.level + " t=" + write.end + " (began t="
                + write.start + ")";
    }

    private static String historyOf(List<Write> writes) {
        StringBuilder out = new StringBuilder("\n  the key's writes:");
        for (Write write : writes.subList(Math.max(0, writes.size() - 12), writes.size())) {
            out.append("\n    ").append(write);
        }
        return out.toString();
    }
}
