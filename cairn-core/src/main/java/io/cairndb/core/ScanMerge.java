package io.cairndb.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A range scan's decision, pure: the key-ordered pages that storage nodes answered for one page
 * of a scan become one page for the client. No clock, socket or thread: the coordinator (and the
 * simulator) collect the pages, and this says what to answer.
 *
 * <p>Each node returns at most a page, so the merge holds at most a page per node. A node's page
 * ends at its last key, and keys past the smallest such end are dropped (they are fetched again
 * with the next page). Copies of a key from several replicas are resolved as a read would resolve
 * them. Every replica set must have its consistency level among the nodes that answered, or keys
 * held only by silent nodes could be missing from the page without anyone knowing.
 */
public final class ScanMerge {

    /** What the coordinator answers: a page, or a refusal. */
    public sealed interface Result permits Page, TooFewAnswered {
    }

    /**
     * One page for the client.
     *
     * @param items live keys in key order, with their resolved versions
     * @param resumeAfter the last key this page covers, to continue after; null when the scan is
     *     done
     */
    public record Page(List<KeyEntry> items, byte[] resumeAfter) implements Result {
    }

    /** A replica set had fewer members among the answers than the level needs. */
    public record TooFewAnswered(List<String> replicas, int required, int present,
                                 ConsistencyLevel level) implements Result {

        public String message() {
            return "range query needs " + required + " of replicas " + replicas
                    + " at consistency " + level.wireName() + ", but only " + present
                    + " answered";
        }
    }

    private ScanMerge() {
    }

    /**
     * Merges the pages that answered.
     *
     * @param answered each node's page, by node id; nodes that failed or were late are absent
     * @param replicaSets every replica set of the tenant's ring
     * @param limit live keys to answer at most
     * @param bytesMax key and value bytes to answer at most (at least one key when there is one)
     */
    public static Result merge(Map<String, KeyScan> answered,
                               Collection<List<String>> replicaSets, ConsistencyLevel level,
                               int limit, long bytesMax, VersionResolver resolver) {
        for (List<String> replicas : replicaSets) {
            int required = level.required(replicas.size());
            int present = (int) replicas.stream().filter(answered::containsKey).count();
            if (present < required) {
                return new TooFewAnswered(replicas, required, present, level);
            }
        }
        byte[] bound = null;
        for (KeyScan scan : answered.values()) {
            if (!scan.exhausted() && (bound == null
                    || Arrays.compareUnsigned(scan.resumeAfter(), bound) < 0)) {
                bound = scan.resumeAfter();
            }
        }
        TreeMap<byte[], KeyEntry> merged = new TreeMap<>(Arrays::compareUnsigned);
        for (KeyScan scan : answered.values()) {
            for (KeyEntry entry : scan.entries()) {
                if (bound == null || Arrays.compareUnsigned(entry.key(), bound) <= 0) {
                    merged.merge(entry.key(), entry, (a, b) -> new KeyEntry(a.key(), a.token(),
                            resolver.resolve(a.version(), b.version())));
                }
            }
        }
        List<KeyEntry> items = new ArrayList<>();
        long bytes = 0;
        byte[] lastCovered = null;
        for (KeyEntry entry : merged.values()) {
            Version version = entry.version();
            if (!version.isTombstone()) {
                long size = entry.key().length + version.value().length;
                if (items.size() == limit || (!items.isEmpty() && bytes + size > bytesMax)) {
                    return new Page(items, lastCovered);
                }
                items.add(entry);
                bytes += size;
            }
            lastCovered = entry.key();
        }
        return new Page(items, bound);
    }
}
