package io.cairndb.core;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a key's replicas are, while the cluster is stable and while a migration moves data. A
 * key has natural replicas, who own it now (reads go to them, and the consistency level counts
 * them), and, while a migration is running, pending replicas: the nodes that will own it once the
 * migration flips. Writes go to both, and each pending replica is one more acknowledgement the
 * write needs, as Cassandra counts pending endpoints, so the requested level still holds on the
 * natural replicas whatever the pending ones answer.
 *
 * <p>Immutable; a pure function of the rings and the running migration.
 */
public final class Placement {

    /**
     * A key's replicas: who owns it now, and who will own it once the migration flips.
     *
     * @param staying while a lowered replication factor moves the key to fewer replicas, how
     *     many of the natural ones stay (the first ones); otherwise -1
     */
    public record Replicas(List<String> natural, List<String> pending, int staying) {

        public Replicas(List<String> natural, List<String> pending) {
            this(natural, pending, -1);
        }

        /** Every node a write must be sent to: the natural replicas, then the pending ones. */
        public List<String> writeTargets() {
            if (pending.isEmpty()) {
                return natural;
            }
            List<String> all = new ArrayList<>(natural.size() + pending.size());
            all.addAll(natural);
            all.addAll(pending);
            return all;
        }

        /**
         * Acknowledgements a write at {@code level} needs: the level's on the natural replicas,
         * plus one per pending replica. While the factor is lowered, also enough that the level
         * holds on the replicas that stay, whatever the leaving ones answer: once the migration
         * flips, those alone serve the key.
         */
        public int writeRequired(ConsistencyLevel level) {
            int required = level.required(natural.size()) + pending.size();
            if (staying >= 0) {
                required = Math.max(required,
                        level.required(staying) + natural.size() - staying);
            }
            return required;
        }
    }

    private final Ring owners;
    private final Ring future;
    private final String tenantOnly;
    private final int replicationFactorAfter;

    private Placement(Ring owners, Ring future, String tenantOnly, int replicationFactorAfter) {
        this.owners = owners;
        this.future = future;
        this.tenantOnly = tenantOnly;
        this.replicationFactorAfter = replicationFactorAfter;
    }

    /** No migration runs: every key's replicas are its ring's, and none is pending. */
    public static Placement stable(Ring ring) {
        return new Placement(ring, null, null, 0);
    }

    /** A node joins or leaves: keys are owned on {@code before} and will be on {@code after}. */
    public static Placement nodeChange(Ring before, Ring after) {
        return new Placement(before, after, null, 0);
    }

    /** One tenant's replication factor changes to {@code replicationFactorAfter}. */
    public static Placement replicationChange(Ring ring, String tenantId,
                                              int replicationFactorAfter) {
        return new Placement(ring, ring, tenantId, replicationFactorAfter);
    }

    /** The ring of the nodes that own data now. */
    public Ring owners() {
        return owners;
    }

    /** Whether a migration is moving data, so some keys may have pending replicas. */
    public boolean moving() {
        return future != null;
    }

    /** The replicas of a key of {@code tenantId}, whose replication factor is {@code rf}. */
    public Replicas replicas(String tenantId, int rf, long token) {
        List<String> natural = replicasOn(owners, token, rf);
        if (future == null) {
            return new Replicas(natural, List.of());
        }
        List<String> after;
        if (tenantOnly == null) {
            after = replicasOn(future, token, rf);
        } else if (tenantOnly.equals(tenantId)) {
            after = replicasOn(future, token, replicationFactorAfter);
        } else {
            return new Replicas(natural, List.of());
        }
        if (after.size() < natural.size() && natural.containsAll(after)) {
            return new Replicas(natural, List.of(), after.size());
        }
        List<String> pending = null;
        for (String node : after) {
            if (!natural.contains(node)) {
                if (pending == null) {
                    pending = new ArrayList<>(2);
                }
                pending.add(node);
            }
        }
        return new Replicas(natural, pending == null ? List.of() : List.copyOf(pending));
    }

    /**
     * Whether {@code node} holds a key of {@code tenantId} by right: it is a natural or a pending
     * replica. Data a node holds without right may be cleaned up.
     */
    public boolean holds(String node, String tenantId, int rf, long token) {
        Replicas replicas = replicas(tenantId, rf, token);
        return replicas.natural().contains(node) || replicas.pending().contains(node);
    }

    private static List<String> replicasOn(Ring ring, long token, int rf) {
        return ring.isEmpty() ? List.of() : ring.replicas(token, rf);
    }
}
