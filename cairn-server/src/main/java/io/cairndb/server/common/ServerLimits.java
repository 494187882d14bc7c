package io.cairndb.server.common;

import io.cairndb.core.Limits;
import java.util.ArrayList;
import java.util.List;

/**
 * The fixed bounds of the node's own machinery: gRPC messages, and the batches and queues of the
 * data path. Names carry the unit, then the qualifier, last. The bounds a client meets, and may
 * configure, are in cairn-core's {@link Limits}; the settings records hold the configured times.
 * docs/architecture.md lists every limit of the node and where it lives.
 *
 * <p>These are compile-time constants, copied into their users by javac, so this class may
 * never be loaded by a running node: {@link #brokenRelations} states the relations between them,
 * and a unit test checks that none is broken.
 */
public final class ServerLimits {

    /**
     * Largest gRPC message a node accepts, on its client port, on its peer port and on the
     * channels to its peers: a value at {@link Limits#VALUE_SIZE_BYTES_CEILING}, its key and its
     * clocks fit with room to spare.
     */
    public static final int MESSAGE_BYTES_MAX = 80 * 1024 * 1024;
    /**
     * Largest message a node accepts on its channel to the control member it joins through or
     * follows: a whole metadata state, audit log included.
     */
    public static final int METADATA_MESSAGE_BYTES_MAX = 64 * 1024 * 1024;

    /**
     * The longest a node waits for a quick answer it only reports on: a peer's stats, or the
     * control group's answer to a readiness check. The request timeout, when it is shorter.
     */
    public static final long PROBE_TIMEOUT_MILLIS_MAX = 2_000;

    /**
     * Calls that may be in flight to one replica at once; more writes wait and leave together in
     * the next call. One is best measured: the replica's group commit takes what arrives during
     * its fsync anyway, and the larger batches cost less CPU per write on both sides (3-node
     * RF 3 sync, c=16: 3,247 writes/s with one, 2,669 with two, and a lower p99).
     */
    public static final int REPLICA_SENDS_IN_FLIGHT_MAX = 1;
    /**
     * The same for reads, which wait on no fsync: a few calls in flight keep a lone read from
     * queueing behind another, and under load the rest still leave together.
     */
    public static final int REPLICA_READS_IN_FLIGHT_MAX = 4;
    /** Most requests one peer call carries (at the default value limit, well under a message). */
    public static final int REPLICA_BATCH_ITEMS_MAX = 128;
    /** Most key and value bytes one peer call carries, unless its first mutation alone is more. */
    public static final long REPLICA_BATCH_BYTES_MAX = 8L * 1024 * 1024;
    /**
     * Requests of one kind waiting for a call to one replica; past this, one fails instead of
     * queueing (a write is then hinted).
     */
    public static final int REPLICA_QUEUED_ITEMS_MAX = 10_000;

    /** Hints read from storage and delivered to a replica in one round. */
    public static final int HINT_DELIVERY_BATCH_ITEMS_MAX = 256;

    /** Entries one migration chunk carries at most, whatever its target asks. */
    public static final int MIGRATION_CHUNK_ITEMS_MAX = 10_000;

    /** Key and value bytes one migration chunk carries at most, whatever its target asks. */
    public static final int MIGRATION_CHUNK_BYTES_MAX = 8 << 20;

    /** Range reads a node serves to migration targets at once (its range-reader threads). */
    public static final int MIGRATION_RANGE_READERS = 2;

    /** Calls of one client's pipeline running at once; the stream stops reading past it. */
    public static final int PIPELINE_CALLS_IN_FLIGHT_MAX = 4096;
    /** Most results in one pipeline response message. */
    public static final int PIPELINE_RESULTS_PER_MESSAGE_MAX = 512;
    /** A pipeline response message takes no more results once it holds this many bytes. */
    public static final int PIPELINE_MESSAGE_BYTES_TARGET = 4 * 1024 * 1024;

    private ServerLimits() {
    }

    /** Each relation between the limits that does not hold, as a sentence; empty when all do. */
    public static List<String> brokenRelations() {
        List<String> broken = new ArrayList<>();
        // One mutation at the value ceiling travels alone in a peer call; the key, clocks and
        // framing need room beside it.
        require(broken, (long) Limits.VALUE_SIZE_BYTES_CEILING + 1024 * 1024 <= MESSAGE_BYTES_MAX,
                "a value at the ceiling, with 1 MiB for its key and clocks, fits a message");
        require(broken, REPLICA_BATCH_BYTES_MAX < MESSAGE_BYTES_MAX,
                "a full peer batch fits a message");
        require(broken, Limits.BATCH_SIZE_BYTES_MAX < MESSAGE_BYTES_MAX,
                "a client batch at the default bound fits a message");
        require(broken, METADATA_MESSAGE_BYTES_MAX <= MESSAGE_BYTES_MAX,
                "a metadata state a node accepts from the member it follows, it accepts as a "
                + "member too");
        require(broken, PIPELINE_MESSAGE_BYTES_TARGET < MESSAGE_BYTES_MAX,
                "a pipeline response at its target fits a message");
        require(broken, REPLICA_BATCH_ITEMS_MAX <= REPLICA_QUEUED_ITEMS_MAX,
                "a replica's queue holds a whole batch");
        require(broken, REPLICA_SENDS_IN_FLIGHT_MAX >= 1 && REPLICA_READS_IN_FLIGHT_MAX >= 1,
                "a replica takes at least one call at a time");
        require(broken, PIPELINE_RESULTS_PER_MESSAGE_MAX <= PIPELINE_CALLS_IN_FLIGHT_MAX,
                "a pipeline response message can fill up with results in flight");
        require(broken, HINT_DELIVERY_BATCH_ITEMS_MAX >= 1, "hint delivery makes progress");
        require(broken, MIGRATION_CHUNK_BYTES_MAX + (1L << 20) <= MESSAGE_BYTES_MAX,
                "a migration chunk and its framing fit in a peer message");
        return broken;
    }

    private static void require(List<String> broken, boolean holds, String relation) {
        if (!holds) {
            broken.add(relation);
        }
    }
}
