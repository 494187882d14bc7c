package io.cairndb.core.sim;

import io.cairndb.core.ApplyResult;
import io.cairndb.core.ClockOffsets;
import io.cairndb.core.ConsistencyLevel;
import io.cairndb.core.HybridLogicalClock;
import io.cairndb.core.KeyEntry;
import io.cairndb.core.KeyScan;
import io.cairndb.core.Idempotency;
import io.cairndb.core.MemoryStore;
import io.cairndb.core.Migration;
import io.cairndb.core.MigrationPlan.TokenRange;
import io.cairndb.core.MovedKeys;
import io.cairndb.core.Mutation;
import io.cairndb.core.Placement;
import io.cairndb.core.ReadMachine;
import io.cairndb.core.Ring;
import io.cairndb.core.ScanMerge;
import io.cairndb.core.TokenAllocator;
import io.cairndb.core.Tokens;
import io.cairndb.core.Version;
import io.cairndb.core.VersionResolver;
import io.cairndb.core.WriteMachine;
import io.cairndb.testkit.RegisterHistory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A seeded, single-threaded simulation of a CairnDB cluster. Its nodes run the production
 * request machines ({@link WriteMachine}, {@link ReadMachine}), the production idempotency
 * decision and version resolution over {@link MemoryStore}, hybrid logical clocks and the clock
 * verdict; only the transport, the disk and time are simulated.
 *
 * <p>The world: N nodes on a token ring; a network that delays, drops, duplicates and reorders
 * messages, cuts one link or isolates a node; clocks with offsets from milliseconds to minutes and
 * drift; crashes that keep what the durability mode keeps ({@code sync}: everything acknowledged;
 * {@code periodic}: what the last sync wrote) and pauses that freeze a node mid-flight. Clients run
 * a register workload of writes, deletes and reads of a few keys in two tenants, at {@code one},
 * {@code quorum} and {@code all}, retrying with the same idempotency key. Invariants are checked
 * after every event and at the end; one seed reproduces one run exactly.
 */
final class SimCluster {

    /** The faults the world injects, counted for the summary line. */
    enum Fault { DROP, DUPLICATE, LINK_CUT, PARTITION, CRASH, PAUSE }

    /** What one or more runs did. */
    static final class Stats {
        long seeds;
        long events;
        long writesAcknowledged;
        long writesGivenUp;
        long readsChecked;
        long scanPagesChecked;
        /** Pages that continued a scan from where its previous page stopped. */
        long scanPagesFollowed;
        long restamps;
        long hintsDelivered;
        final Migrations migrations = new Migrations();
        final Map<Fault, Long> faults = new EnumMap<>(Fault.class);
        final List<String> violations = new ArrayList<>();
        /** A digest of every event of every run, to show a seed replays exactly. */
        long traceHash = 17;

        void fault(Fault fault) {
            faults.merge(fault, 1L, Long::sum);
        }

        String summary(String name) {
            return name + ": seeds " + seeds + ", events " + events + ", writes acknowledged "
                    + writesAcknowledged + ", given up " + writesGivenUp + ", quorum reads checked "
                    + readsChecked + ", scan pages checked " + scanPagesChecked + " ("
                    + scanPagesFollowed + " following another), stamped again " + restamps
                    + ", hints delivered " + hintsDelivered + ", faults injected " + faults
                    + (migrations.started > 0 ? ", " + migrations : "")
                    + ", invariant violations " + violations.size();
        }
    }

    /** What the runs' migrations did, for the summary line. */
    static final class Migrations {
        long started;
        long completed;
        long cancelled;
        long failed;
        long rejected;
        long chunks;
        long keysAdopted;
        long flipsChecked;
        long cleanups;
        long keysPurged;
        long lostKeys;
        long targetCrashes;
        long sourceCrashes;
        long midChunkCrashes;
        long controlOutages;
        long controlTimeouts;

        @Override
        public String toString() {
            return "migrations started " + started + ", completed " + completed + ", cancelled "
                    + cancelled + ", failed " + failed + ", commands refused " + rejected
                    + ", chunks " + chunks + ", keys adopted " + keysAdopted + ", flips checked "
                    + flipsChecked + ", cleanups " + cleanups + ", keys purged " + keysPurged
                    + ", keys lost with a forced removal " + lostKeys + ", crashes of a target "
                    + targetCrashes + " (mid-chunk " + midChunkCrashes + "), of a source "
                    + sourceCrashes + ", control outages " + controlOutages
                    + ", control calls timed out " + controlTimeouts;
        }
    }

    /** The shape of one run. */
    record Settings(int nodes, int replicationFactor, int clients, int opsPerClient,
                    boolean periodic, boolean wideSkew, boolean migrations, int keys) {

        static Settings standard() {
            return new Settings(5, 3, 4, 40, false, true, false, 3);
        }

        /**
         * Five nodes, one perhaps standing by; tenants at factors 1 to 3; and, during the
         * workload, nodes added and removed, factors changed, migrations cancelled, on more keys.
         */
        static Settings migrating() {
            return new Settings(5, 3, 4, 50, false, true, true, 8);
        }

        Settings periodicDurability() {
            return new Settings(nodes, replicationFactor, clients, opsPerClient, true, wideSkew,
                    migrations, keys);
        }
    }

    private static final long EPOCH_MILLIS = 1_790_000_000_000L;
    private static final long MAX_OFFSET_MILLIS = 500;
    private static final long REQUEST_TIMEOUT_MILLIS = 2_000;
    private static final long CALL_TIMEOUT_MILLIS = 1_000;
    private static final long CLIENT_TIMEOUT_MILLIS = 3_000;
    private static final long HEARTBEAT_MILLIS = 200;
    private static final long ALIVE_WINDOW_MILLIS = 1_000;
    private static final long HINT_REPLAY_MILLIS = 300;
    private static final long SYNC_MILLIS = 100;
    private static final long IDEMPOTENCY_TTL_MILLIS = 600_000;
    private static final int ATTEMPTS_MAX = 4;
    /** A scan's page at most: more than any tenant's keys, so such a page covers the tenant. */
    private static final int SCAN_ITEMS_MAX = 100;
    /** Half the scans take pages of one to this many keys, and follow them page by page. */
    private static final int SCAN_SMALL_PAGE_ITEMS_MAX = 3;
    /** Half of those also bound a page's key and value bytes, to at most this (a key is ~20). */
    private static final int SCAN_SMALL_PAGE_BYTES_MAX = 48;
    private static final String[] TENANTS = {"alpha", "beta"};
    /** How often a node's migration runner looks for work and reports. */
    private static final long MIGRATION_TICK_MILLIS = 200;
    /** How often a node asks the control plane for the latest metadata. */
    private static final long METADATA_PULL_MILLIS = 250;
    private static final long REPORT_INTERVAL_MILLIS = 500;
    private static final long CLEANUP_GRACE_MILLIS = 1_000;
    private static final long SETTLE_MILLIS_MAX = 120_000;
    /** Events a violation prints, from {@code -Dsim.traceEvents} (60 by default). */
    /**
     * Runs {@code seeds} seeds from {@code -Dsim.firstSeed} (1 by default) into one set of
     * figures, stopping at the first violation; with {@code -Dsim.seed=N}, that seed alone.
     */
    static Stats runSeeds(Settings settings, int seeds) {
        Stats stats = new Stats();
        String one = System.getProperty("sim.seed");
        long base = one != null ? Long.parseLong(one) : Long.getLong("sim.firstSeed", 1L);
        int count = one != null ? 1 : seeds;
        for (int i = 0; i < count && stats.violations.isEmpty(); i++) {
            new SimCluster(base + i, settings, stats).run();
        }
        return stats;
    }

    private static final int TRACE_EVENTS = Integer.getInteger("sim.traceEvents", 60);
    /**
     * Whether a factor may be lowered by two at once (3 to 1). On by default since kept replicas
     * take in what only the leaving ones hold; {@code -Dsim.lowerFactorByTwo=false} turns it off.
     */
    private static final boolean LOWER_FACTOR_BY_TWO =
            Boolean.parseBoolean(System.getProperty("sim.lowerFactorByTwo", "true"));
    /**
     * Whether a node is removed by force while other migrations run or wait. On by default since
     * a forced removal goes before every waiting migration and fails a running one that needs
     * the dead node; {@code -Dsim.forceRemoveBehindQueue=false} turns it off.
     */
    private static final boolean FORCE_BEHIND_QUEUE =
            Boolean.parseBoolean(System.getProperty("sim.forceRemoveBehindQueue", "true"));
    /**
     * Whether one pause in four lasts up to eight seconds, past the clients' timeout, so that a
     * request a client gave up on runs late. Off by default: see docs/simulation.md for what such
     * a request can still do; {@code -Dsim.longPauses=true} turns it on.
     */
    private static final boolean LONG_PAUSES = Boolean.getBoolean("sim.longPauses");
    private static final TokenRange EVERY_TOKEN = new TokenRange(Long.MAX_VALUE, Long.MAX_VALUE);

    private record Event(long at, long seq, String what, Runnable action) {
    }

    /** A hint a coordinator keeps for a replica. */
    private static final class Hint {
        final String target;
        final Mutation mutation;
        boolean inFlight;

        Hint(String target, Mutation mutation) {
            this.target = target;
            this.mutation = mutation;
        }
    }

    /** One simulated node. */
    private final class Node {
        final String id;
        final long offsetMillis;
        final double drift;
        HybridLogicalClock hlc;
        MemoryStore store = new MemoryStore(VersionResolver.DEFAULT);
        List<Hint> hints = new ArrayList<>();
        /** This replica's own record of idempotency keys it applied: the oracle of retries. */
        Map<String, String> appliedRequests = new HashMap<>();
        MemoryStore syncedStore = store.copy();
        List<Hint> syncedHints = new ArrayList<>();
        Map<String, String> syncedRequests = new HashMap<>();
        long syncedAt;
        boolean up = true;
        int life;
        long pausedUntil;
        final Map<String, Long> lastHeard = new HashMap<>();
        final Map<String, ClockOffsets.Sample> samples = new HashMap<>();
        /** The control plane's state as this node last learned it (kept across a crash). */
        ControlState view;
        /** Where each of its tasks stands, by migration and task: durable, synced when saved. */
        Map<String, Checkpoint> checkpoints = new HashMap<>();
        Map<String, Checkpoint> syncedCheckpoints = new HashMap<>();
        /** Tasks being pulled now (lost in a crash). */
        final Set<String> transfers = new HashSet<>();
        /** When each migration's start was seen settled: every live node's view holds it. */
        final Map<String, Long> settledAt = new HashMap<>();
        Report lastReport;
        long lastReportAt = -REPORT_INTERVAL_MILLIS;
        boolean reporting;
        boolean cleaning;
        long cleanedThrough;
        /** Removed for good: it never restarts. */
        boolean gone;

        Node(String id, long offsetMillis, double drift) {
            this.id = id;
            this.offsetMillis = offsetMillis;
            this.drift = drift;
            this.hlc = clock(0);
        }

        HybridLogicalClock clock(long floor) {
            return new HybridLogicalClock(floor, this::wallMillis, MAX_OFFSET_MILLIS);
        }

        long wallMillis() {
            return EPOCH_MILLIS + now + offsetMillis + (long) (now * drift);
        }

        boolean believesAlive(String peer) {
            Long heard = lastHeard.get(peer);
            return peer.equals(id) || heard != null && now - heard <= ALIVE_WINDOW_MILLIS;
        }

        /** The production clock verdict, from this node's heartbeat samples. */
        ClockOffsets.Verdict clockVerdict() {
            return ClockOffsets.judge(id, samples, nodes.size(), MAX_OFFSET_MILLIS, wallMillis(),
                    10_000);
        }
    }

    /**
     * Where one migration task stands on its target, as {@code MigrationRunner.Checkpoint}: the
     * range being received and the last position received in it (a null key: its start).
     */
    private record Checkpoint(int range, long afterToken, byte[] afterKey, long keys, long bytes,
                              boolean measured, long totalKeys, long totalBytes, boolean done) {

        static final Checkpoint START = new Checkpoint(0, 0, null, 0, 0, false, 0, 0, false);

        Checkpoint measuredAs(long keysToMove, long bytesToMove) {
            return new Checkpoint(range, afterToken, afterKey, keys, bytes, true, keysToMove,
                    bytesToMove, done);
        }

        Checkpoint received(MovedKeys.Chunk chunk, long chunkKeys, long chunkBytes) {
            return chunk.exhausted()
                    ? new Checkpoint(range + 1, 0, null, keys + chunkKeys, bytes + chunkBytes,
                            measured, totalKeys, totalBytes, done)
                    : new Checkpoint(range, chunk.resumeToken(), chunk.resumeKey(),
                            keys + chunkKeys, bytes + chunkBytes, measured, totalKeys,
                            totalBytes, done);
        }

        Checkpoint finished() {
            return new Checkpoint(range, afterToken, afterKey, keys, bytes, measured, totalKeys,
                    totalBytes, true);
        }
    }

    /** A target's progress report, as {@code MetadataCommand.ReportMigration}. */
    private record Report(String migrationId, String target, Migration.Progress progress,
                          Set<Integer> doneTasks) {
    }

    /** A command the control plane refuses, as the server's state machine throws. */
    private static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    static final String ACTIVE = "active";
    static final String STANDBY = "standby";
    static final String JOINING = "joining";
    static final String DRAINING = "draining";
    static final String INACTIVE = "inactive";

    /**
     * The control plane's state, as {@code ClusterMetadata} holds it: node statuses, tenants'
     * replication factors and migrations; immutable. The owner ring is the active and draining
     * nodes'.
     */
    private final class ControlState {
        final long version;
        final Map<String, String> status;
        final Map<String, Integer> factors;
        final List<Migration> migrations;
        private Placement placement;

        ControlState(long version, Map<String, String> status, Map<String, Integer> factors,
                     List<Migration> migrations) {
            this.version = version;
            // Sorted, so that iteration, and so a seed's run, is the same in every JVM.
            this.status = java.util.Collections.unmodifiableMap(new TreeMap<>(status));
            this.factors = java.util.Collections.unmodifiableMap(new TreeMap<>(factors));
            this.migrations = List.copyOf(migrations);
        }

        ControlState with(Map<String, String> newStatus, Map<String, Integer> newFactors,
                          List<Migration> newMigrations) {
            return new ControlState(version + 1, newStatus, newFactors, newMigrations);
        }

        boolean ownsData(String node) {
            String at = status.get(node);
            return ACTIVE.equals(at) || DRAINING.equals(at);
        }

        Ring owners() {
            Map<String, long[]> owning = new TreeMap<>();
            tokens.forEach((node, its) -> {
                if (ownsData(node)) {
                    owning.put(node, its);
                }
            });
            return Ring.of(owning);
        }

        Ring futureRing(Migration migration) {
            Map<String, long[]> future = new TreeMap<>();
            tokens.forEach((node, its) -> {
                if (ownsData(node) || node.equals(migration.nodeId())) {
                    future.put(node, its);
                }
            });
            if (Migration.NODE_DELETION.equals(migration.type())) {
                future.remove(migration.nodeId());
            }
            return Ring.of(future);
        }

        Migration running() {
            return migrations.stream().filter(Migration::running).findFirst().orElse(null);
        }

        Migration migration(String id) {
            return migrations.stream().filter(m -> m.id().equals(id)).findFirst().orElse(null);
        }

        Placement placement() {
            if (placement == null) {
                Migration running = running();
                placement = running == null ? Placement.stable(owners())
                        : Migration.REPLICATION_CHANGE.equals(running.type())
                        ? Placement.replicationChange(owners(), running.tenantId(),
                                running.replicationFactorAfter())
                        : Placement.nodeChange(owners(), futureRing(running));
            }
            return placement;
        }

        Placement.Replicas replicas(String tenant, long token) {
            return placement().replicas(tenant, factors.get(tenant), token);
        }

        @Override
        public String toString() {
            return "v" + version + " " + status + " " + factors + " " + migrations.stream()
                    .map(m -> m.id() + ":" + m.type() + "(" + (m.nodeId() != null ? m.nodeId()
                            : m.tenantId() + "->" + m.replicationFactorAfter()) + ")"
                            + m.status()).toList();
        }
    }

    /** A client's write or delete (value null), and its entry in the history. */
    private record WriteOp(String tenant, String key, String value, String idempotencyKey,
                           ConsistencyLevel level, RegisterHistory.Write recorded) {
    }

    /** What a coordinator answered a client. */
    private record Reply(boolean ok, String value, boolean duplicate, String error) {
    }

    private final long seed;
    private final Settings settings;
    private final Stats stats;
    private final Random random;
    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) -> a.at != b.at
            ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private final Map<String, Node> nodes = new TreeMap<>();
    private final Ring ring;
    private final Map<String, long[]> tokens;
    private final List<String> keys = new ArrayList<>();
    /** The control plane: one linearizable state machine, sometimes unreachable. */
    private ControlState control;
    private long controlIndex;
    private long controlDownUntil;
    /** Each migration's keys moved and percentage, highest seen: they never go back. */
    private final Map<String, double[]> progressSeen = new HashMap<>();
    /** Keys whose only copies were on a node removed for good. */
    private final Set<String> lostKeys = new HashSet<>();
    private final Set<String> acknowledgedKeys = new HashSet<>();
    private int chunkItemsMax = 2;
    private boolean healed;
    private long settleStarted;
    private final Set<String> cutLinks = new HashSet<>();
    private final Deque<String> trace = new ArrayDeque<>();
    private final RegisterHistory history = new RegisterHistory();
    private long now;
    private long seq;
    private int clientsRunning;
    private int opSequence;
    private boolean networkFaults = true;
    private boolean finished;
    private final int violationsBefore;

    SimCluster(long seed, Settings settings, Stats stats) {
        this.seed = seed;
        this.settings = settings;
        this.stats = stats;
        this.random = new Random(seed);
        this.violationsBefore = stats.violations.size();
        Map<String, long[]> tokens = new TreeMap<>();
        Map<String, Integer> weights = new HashMap<>();
        for (int i = 1; i <= settings.nodes(); i++) {
            String id = "n" + i;
            // Most clocks within half the accepted bound, some near it; with wide skew, one
            // node's clock minutes off, which the clock verdict must keep from stamping writes.
            long offset = random.nextInt(3) == 0 ? 0
                    : random.nextLong(-MAX_OFFSET_MILLIS / 2, MAX_OFFSET_MILLIS / 2 + 1);
            if (settings.wideSkew() && i == settings.nodes() && random.nextBoolean()) {
                offset = (random.nextBoolean() ? 1 : -1) * random.nextLong(60_000, 300_000);
            }
            double drift = (random.nextDouble() - 0.5) * 4e-4;
            nodes.put(id, new Node(id, offset, drift));
            tokens.put(id, TokenAllocator.allocate(tokens, weights, id, 8));
            weights.put(id, 8);
        }
        this.ring = Ring.of(tokens);
        this.tokens = tokens;
        for (int k = 1; k <= settings.keys(); k++) {
            keys.add("k" + k);
        }
        if (settings.migrations()) {
            // Four active nodes and one standing by, or five active; tenants at factors 1 to 3.
            Map<String, String> status = new TreeMap<>();
            boolean standby = random.nextBoolean();
            for (String id : nodes.keySet()) {
                status.put(id, standby && id.equals("n" + settings.nodes()) ? STANDBY : ACTIVE);
            }
            Map<String, Integer> factors = new TreeMap<>();
            for (String tenant : TENANTS) {
                factors.put(tenant, 1 + random.nextInt(3));
            }
            control = new ControlState(0, status, factors, List.of());
            nodes.values().forEach(node -> node.view = control);
            chunkItemsMax = 1 + random.nextInt(3);
        }
    }

    // ------------------------------------------------------------------------------ the run

    Stats run() {
        for (Node node : nodes.values()) {
            every(node, HEARTBEAT_MILLIS, "heartbeat", () -> heartbeat(node));
            every(node, HINT_REPLAY_MILLIS, "hint replay", () -> replayHints(node));
            if (settings.periodic()) {
                every(node, SYNC_MILLIS, "sync", () -> sync(node));
            }
            if (settings.migrations()) {
                every(node, MIGRATION_TICK_MILLIS, "migration tick", () -> migrationTick(node));
                every(node, METADATA_PULL_MILLIS, "metadata pull", () -> pullMetadata(node));
            }
        }
        if (settings.migrations()) {
            scheduleScenario();
        }
        // Clients start once heartbeats have shown the nodes to each other.
        clientsRunning = settings.clients();
        for (int c = 0; c < settings.clients(); c++) {
            int client = c;
            int[] left = {settings.opsPerClient()};
            at(ALIVE_WINDOW_MILLIS + random.nextInt(100), "client " + c + " starts",
                    () -> nextOp(client, left));
        }
        at(ALIVE_WINDOW_MILLIS + 300 + random.nextInt(700), "fault", this::injectFault);
        while (!queue.isEmpty() && stats.violations.size() == violationsBefore) {
            Event event = queue.poll();
            now = event.at;
            note(event.what);
            event.action.run();
            stats.events++;
            stats.traceHash = stats.traceHash * 31 + event.what.hashCode() + now;
            checkStoredValuesBelongToTheirKey();
        }
        stats.readsChecked += history.quorumReadsChecked();
        stats.seeds++;
        return stats;
    }

    private void at(long delay, String what, Runnable action) {
        queue.add(new Event(now + delay, seq++, what, action));
    }

    /** Runs {@code action} on {@code node} after {@code delay}, if it is still the same life. */
    private void atNode(Node node, long delay, String what, Runnable action) {
        int life = node.life;
        at(delay, what + " @" + node.id, () -> onNode(node, life, what, action));
    }

    private void onNode(Node node, int life, String what, Runnable action) {
        if (!node.up || node.life != life) {
            return;
        }
        if (now < node.pausedUntil) {
            // A paused process runs nothing; what was due runs when it resumes.
            at(node.pausedUntil - now, what + " (after pause) @" + node.id,
                    () -> onNode(node, life, what, action));
            return;
        }
        action.run();
    }

    private void every(Node node, long periodMillis, String what, Runnable action) {
        at(random.nextInt((int) periodMillis) + 1, what + " @" + node.id, new Runnable() {
            @Override
            public void run() {
                if (finished) {
                    return;
                }
                if (node.up && now >= node.pausedUntil) {
                    action.run();
                }
                at(periodMillis, what + " @" + node.id, this);
            }
        });
    }

    private void note(String what) {
        trace.addLast("t=" + now + " " + what);
        if (trace.size() > TRACE_EVENTS) {
            trace.removeFirst();
        }
    }

    // ------------------------------------------------------------------------------ network

    private static String link(String a, String b) {
        return a.compareTo(b) < 0 ? a + "|" + b : b + "|" + a;
    }

    /** A message from {@code from} to {@code to}, handled at {@code to} on arrival. */
    private void send(Node from, Node to, String what, Runnable onArrival) {
        if (from == to) {
            at(0, what + " @" + to.id, () -> deliver(to, what, onArrival));
            return;
        }
        if (cutLinks.contains(link(from.id, to.id))) {
            return;
        }
        int copies = 1;
        if (networkFaults && random.nextInt(100) < 2) {
            stats.fault(Fault.DROP);
            return;
        }
        if (networkFaults && random.nextInt(100) < 2) {
            stats.fault(Fault.DUPLICATE);
            copies = 2;
        }
        for (int i = 0; i < copies; i++) {
            at(1 + random.nextInt(20), what + " " + from.id + "->" + to.id, () -> {
                if (!cutLinks.contains(link(from.id, to.id))) {
                    deliver(to, what, onArrival);
                }
            });
        }
    }

    private void deliver(Node to, String what, Runnable onArrival) {
        if (!to.up) {
            return;
        }
        if (now < to.pausedUntil) {
            at(to.pausedUntil - now, what + " (after pause) @" + to.id,
                    () -> deliver(to, what, onArrival));
            return;
        }
        onArrival.run();
    }

    /**
     * A call from {@code from} to {@code to}: {@code handler} runs at {@code to}, and its answer
     * (or "deadline" once {@link #CALL_TIMEOUT_MILLIS} passed) reaches {@code callback} at
     * {@code from}, once, as an RPC layer delivers it.
     */
    private <T> void call(Node from, Node to, String what, Supplier<T> handler,
                          BiConsumer<T, String> callback) {
        boolean[] answered = {false};
        int life = from.life;
        send(from, to, what, () -> {
            T answer = handler.get();
            send(to, from, what + " answer", () -> {
                if (from.life == life && !answered[0]) {
                    answered[0] = true;
                    callback.accept(answer, null);
                }
            });
        });
        atNode(from, CALL_TIMEOUT_MILLIS, what + " deadline", () -> {
            if (!answered[0]) {
                answered[0] = true;
                callback.accept(null, "call to " + to.id + " timed out");
            }
        });
    }

    // ----------------------------------------------------------------------- node behaviour

    private void heartbeat(Node node) {
        for (Node peer : nodes.values()) {
            if (peer == node) {
                continue;
            }
            long sentAtWall = node.wallMillis();
            long sentAt = now;
            call(node, peer, "heartbeat", () -> {
                peer.lastHeard.put(node.id, now);
                return new long[] {peer.wallMillis(), peer.hlc.last()};
            }, (answer, error) -> {
                if (error == null) {
                    node.lastHeard.put(peer.id, now);
                    node.samples.put(peer.id, ClockOffsets.Sample.measure(sentAtWall,
                            now - sentAt, answer[0]));
                    node.hlc.observe(answer[1]);
                }
            });
        }
    }

    /** A replica applies a mutation; its own record of requests checks the idempotency rule. */
    private ApplyResult applyAt(Node replica, Mutation mutation) {
        replica.hlc.observe(mutation.version().hlc());
        ApplyResult result = replica.store.applyNow(mutation);
        Mutation.IdempotencyRequest check = mutation.idempotency();
        if (check != null) {
            String recordKey = mutation.tenantId() + "/" + new String(mutation.key(),
                    StandardCharsets.UTF_8) + "/" + check.idempotencyKey();
            String hash = java.util.HexFormat.of().formatHex(check.requestHash());
            String seen = replica.appliedRequests.get(recordKey);
            if (seen != null && seen.equals(hash)
                    && result.outcome() != ApplyResult.Outcome.DUPLICATE) {
                violation("RetryMakesNoNewVersion: " + replica.id + " answered a retry of "
                        + recordKey + " with " + result.outcome() + ", not DUPLICATE");
            } else if (seen != null && !seen.equals(hash)
                    && result.outcome() != ApplyResult.Outcome.CONFLICT) {
                violation("RetryMakesNoNewVersion: " + replica.id + " applied another request "
                        + "under the used key " + recordKey);
            }
            if (result.outcome() == ApplyResult.Outcome.APPLIED) {
                replica.appliedRequests.put(recordKey, hash);
            }
        }
        return result;
    }

    private void replayHints(Node node) {
        for (Hint hint : List.copyOf(node.hints)) {
            Node target = nodes.get(hint.target);
            if (settings.migrations() && !hint.inFlight) {
                List<String> routed = routedHint(node, hint);
                if (routed != null) {
                    replayRoutedHint(node, hint, routed);
                    continue;
                }
            }
            if (hint.inFlight || !node.believesAlive(target.id)) {
                continue;
            }
            hint.inFlight = true;
            call(node, target, "hint", () -> applyAt(target, hint.mutation), (result, error) -> {
                hint.inFlight = false;
                if (error == null) {
                    node.hints.remove(hint);
                    stats.hintsDelivered++;
                }
            });
        }
    }

    /**
     * Where a hint goes once data moved, as the server's hint routing: to its node while that
     * node is a natural or pending replica of the key, else (null here: as kept) to the key's
     * replicas now.
     */
    private List<String> routedHint(Node node, Hint hint) {
        Mutation mutation = hint.mutation;
        Placement.Replicas replicas = node.view.replicas(mutation.tenantId(), mutation.token());
        if (replicas.natural().contains(hint.target) || replicas.pending().contains(hint.target)
                || replicas.natural().isEmpty()) {
            return null;
        }
        return replicas.writeTargets();
    }

    private void replayRoutedHint(Node node, Hint hint, List<String> targets) {
        hint.inFlight = true;
        int[] waiting = {targets.size()};
        boolean[] failed = {false};
        for (String id : targets) {
            Node target = nodes.get(id);
            call(node, target, "routed hint", () -> applyAt(target, hint.mutation),
                    (result, error) -> {
                        failed[0] |= error != null;
                        if (--waiting[0] == 0) {
                            hint.inFlight = false;
                            if (!failed[0]) {
                                node.hints.remove(hint);
                                stats.hintsDelivered++;
                            }
                        }
                    });
        }
    }

    private void sync(Node node) {
        node.syncedStore = node.store.copy();
        node.syncedHints = new ArrayList<>();
        node.hints.forEach(hint -> node.syncedHints.add(new Hint(hint.target, hint.mutation)));
        node.syncedRequests = new HashMap<>(node.appliedRequests);
        node.syncedCheckpoints = new HashMap<>(node.checkpoints);
        node.syncedAt = now;
    }

    // --------------------------------------------------------------------- the coordinator

    /**
     * @param callerGone set once the client's cancel reached the coordinator, as a gRPC call's
     *     context is cancelled when its client gives up
     */
    private void coordinateWrite(Node coordinator, WriteOp op, boolean[] callerGone,
                                 Consumer<Reply> reply) {
        ClockOffsets.Verdict verdict = coordinator.clockVerdict();
        if (!verdict.coordinateWrites()) {
            reply.accept(new Reply(false, null, false, verdict.reason()));
            return;
        }
        byte[] key = op.key().getBytes(StandardCharsets.UTF_8);
        long token = Tokens.token(op.tenant(), key);
        // Writes go to the natural replicas and the pending ones, each pending one an
        // acknowledgement more, as the server's coordinator sends them.
        Placement.Replicas replicas = replicasAt(coordinator, op.tenant(), token);
        List<String> targets = replicas.writeTargets();
        long wall = coordinator.wallMillis();
        long stamp = coordinator.hlc.now(wall);
        byte[] value = op.value() == null ? null : op.value().getBytes(StandardCharsets.UTF_8);
        Version version = value == null ? Version.tombstone(coordinator.id, stamp)
                : Version.write(value, coordinator.id, stamp);
        Mutation mutation = new Mutation(op.tenant(), key, token, version,
                new Mutation.IdempotencyRequest(op.idempotencyKey(),
                        Idempotency.requestHash(value), wall, IDEMPOTENCY_TTL_MILLIS));
        WriteMachine machine = new WriteMachine(mutation, targets,
                replicas.writeRequired(op.level()), value == null ? "delete" : "write",
                op.idempotencyKey(), REQUEST_TIMEOUT_MILLIS);
        performWrite(coordinator, machine, machine.start(coordinator::believesAlive), callerGone,
                reply);
        atNode(coordinator, REQUEST_TIMEOUT_MILLIS, "write deadline",
                () -> performWrite(coordinator, machine, machine.timedOut(1), callerGone, reply));
    }

    private void performWrite(Node coordinator, WriteMachine machine,
                              List<WriteMachine.Effect> effects, boolean[] callerGone,
                              Consumer<Reply> reply) {
        for (WriteMachine.Effect effect : effects) {
            if (effect instanceof WriteMachine.Send send) {
                Node replica = nodes.get(send.node());
                call(coordinator, replica, "apply", () -> applyAt(replica, send.mutation()),
                        (result, error) -> performWrite(coordinator, machine, error == null
                                ? machine.applied(send.round(), send.node(), result)
                                : machine.failed(send.round(), send.node(), error), callerGone,
                                reply));
            } else if (effect instanceof WriteMachine.StoreHint hint) {
                coordinator.hints.add(new Hint(hint.node(), hint.mutation()));
            } else if (effect instanceof WriteMachine.NeedStamp) {
                if (callerGone[0]) {
                    // As the node's driver: a cancelled call is not stamped again.
                    performWrite(coordinator, machine, machine.abandoned(), callerGone, reply);
                    continue;
                }
                stats.restamps++;
                long reading = coordinator.hlc.now(coordinator.wallMillis());
                performWrite(coordinator, machine,
                        machine.stamped(reading, coordinator::believesAlive), callerGone, reply);
                atNode(coordinator, REQUEST_TIMEOUT_MILLIS, "second round deadline",
                        () -> performWrite(coordinator, machine, machine.timedOut(2), callerGone,
                                reply));
            } else if (effect instanceof WriteMachine.Answer answer) {
                coordinator.hlc.observe(answer.clock().maxCounter());
                reply.accept(new Reply(true, null, answer.duplicate(), null));
            } else if (effect instanceof WriteMachine.Fail fail) {
                reply.accept(new Reply(false, null, false, fail.code() + ": " + fail.message()));
            }
        }
    }

    /** A key's replicas as {@code node}'s view of the control plane places them. */
    private Placement.Replicas replicasAt(Node node, String tenant, long token) {
        if (!settings.migrations()) {
            return new Placement.Replicas(ring.replicas(token, settings.replicationFactor()),
                    List.of());
        }
        return node.view.replicas(tenant, token);
    }

    private void coordinateRead(Node coordinator, String tenant, String keyText,
                                ConsistencyLevel level, boolean askAll, Consumer<Reply> reply) {
        byte[] key = keyText.getBytes(StandardCharsets.UTF_8);
        long token = Tokens.token(tenant, key);
        List<String> targets = replicasAt(coordinator, tenant, token).natural();
        ReadMachine machine = new ReadMachine(tenant, key, token,
                ReadMachine.order(targets, coordinator.id, coordinator::believesAlive),
                level.required(targets.size()), askAll, level != ConsistencyLevel.ONE,
                REQUEST_TIMEOUT_MILLIS);
        performRead(coordinator, machine, machine.start(), tenant, key, token, reply);
        atNode(coordinator, REQUEST_TIMEOUT_MILLIS, "read deadline", () -> performRead(
                coordinator, machine, machine.timedOut(), tenant, key, token, reply));
    }

    private void performRead(Node coordinator, ReadMachine machine,
                             List<ReadMachine.Effect> effects, String tenant, byte[] key,
                             long token, Consumer<Reply> reply) {
        for (ReadMachine.Effect effect : effects) {
            if (effect instanceof ReadMachine.Read read) {
                Node replica = nodes.get(read.node());
                call(coordinator, replica, "read", () -> replica.store.get(tenant, key, token),
                        (version, error) -> performRead(coordinator, machine, error == null
                                ? machine.answered(read.node(), version)
                                : machine.failed(read.node(), error), tenant, key, token, reply));
            } else if (effect instanceof ReadMachine.Repair repair) {
                Node replica = nodes.get(repair.node());
                call(coordinator, replica, "repair", () -> applyAt(replica, repair.mutation()),
                        (result, error) -> performRead(coordinator, machine,
                                machine.repaired(repair, error == null), tenant, key, token,
                                reply));
            } else if (effect instanceof ReadMachine.StoreHint hint) {
                coordinator.hints.add(new Hint(hint.node(), hint.mutation()));
            } else if (effect instanceof ReadMachine.Answer answer) {
                Version winner = answer.winner();
                if (winner != null) {
                    coordinator.hlc.observe(winner.hlc());
                }
                reply.accept(new Reply(true, winner == null || winner.isTombstone() ? null
                        : new String(winner.value(), StandardCharsets.UTF_8), false, null));
            } else if (effect instanceof ReadMachine.Fail fail) {
                reply.accept(new Reply(false, null, false, fail.message()));
            }
        }
    }

    /**
     * As the node's {@code Coordinator.rangeQuery}: every owner the coordinator believes alive is
     * asked for one page from {@code startInclusive} on, and once all have answered or the
     * request times out, the production {@link ScanMerge} decides the page or the refusal over
     * the owners' replica sets.
     */
    private void coordinateScan(Node coordinator, String tenant, ConsistencyLevel level,
                                byte[] startInclusive, int limit, long bytesMax,
                                Consumer<ScanMerge.Result> reply) {
        Ring owners = settings.migrations() ? coordinator.view.placement().owners() : ring;
        int factor = settings.migrations() ? coordinator.view.factors.get(tenant)
                : settings.replicationFactor();
        Map<String, KeyScan> answered = new TreeMap<>();
        boolean[] decided = {false};
        Runnable decide = () -> {
            if (!decided[0]) {
                decided[0] = true;
                reply.accept(ScanMerge.merge(answered, owners.replicaSets(factor), level,
                        limit, bytesMax, VersionResolver.DEFAULT));
            }
        };
        List<String> asked = owners.nodes().stream().filter(coordinator::believesAlive)
                .toList();
        int[] waiting = {asked.size()};
        for (String id : asked) {
            Node replica = nodes.get(id);
            call(coordinator, replica, "scan", () -> replica.store.scanKeys(tenant,
                    startInclusive, null, limit, bytesMax, limit), (scan, error) -> {
                        if (error == null) {
                            answered.put(id, scan);
                        }
                        if (--waiting[0] == 0) {
                            decide.run();
                        }
                    });
        }
        if (asked.isEmpty()) {
            decide.run();
        }
        atNode(coordinator, REQUEST_TIMEOUT_MILLIS, "scan deadline", decide);
    }

    // ------------------------------------------------------------------------------ clients

    private static ConsistencyLevel level(Random random) {
        int roll = random.nextInt(10);
        return roll < 2 ? ConsistencyLevel.ONE : roll < 8 ? ConsistencyLevel.QUORUM
                : ConsistencyLevel.ALL;
    }

    private void nextOp(int client, int[] left) {
        if (left[0]-- <= 0) {
            if (--clientsRunning == 0) {
                at(100, "heal", this::heal);
            }
            return;
        }
        String tenant = TENANTS[random.nextInt(TENANTS.length)];
        String key = keys.get(random.nextInt(keys.size()));
        ConsistencyLevel level = level(random);
        int roll = random.nextInt(20);
        int sequence = opSequence++;
        if (roll < 12) {
            String value = roll < 10 ? RegisterHistory.value(tenant, key, client, sequence) : null;
            String idempotencyKey = "c" + client + "-" + sequence;
            attemptWrite(client, left, new WriteOp(tenant, key, value, idempotencyKey, level,
                    history.begin(tenant, key, value, idempotencyKey, level.wireName(), now)), 1);
        } else if (roll < 19) {
            readOp(client, left, tenant, key, level, now, 1);
        } else {
            int pages = random.nextInt(4);
            int pageItems = pages < 2 ? SCAN_ITEMS_MAX
                    : 1 + random.nextInt(SCAN_SMALL_PAGE_ITEMS_MAX);
            long pageBytes = pages == 3 ? 1 + random.nextInt(SCAN_SMALL_PAGE_BYTES_MAX)
                    : Long.MAX_VALUE;
            scanOp(client, left, new ScanOp(tenant, level, pageItems, pageBytes), null, now, 1);
        }
    }

    /**
     * A range scan of a whole tenant, read in pages of at most {@code pageItems} live keys and
     * {@code pageBytes} of their keys and values (one key at least).
     */
    private record ScanOp(String tenant, ConsistencyLevel level, int pageItems, long pageBytes) {
    }

    /**
     * One page of a range scan of a whole tenant, through a random node, retried on a refusal or
     * a timeout; each key the page covers is judged as a read of that key over the page's span.
     * A page that ends before the tenant does is followed by the next, from just after the last
     * key it covers, as a client follows {@code next_page_token}.
     *
     * @param after the last key the previous page covered; null for the first page
     */
    private void scanOp(int client, int[] left, ScanOp op, String after, long start,
                        int attempt) {
        Node coordinator = randomNode();
        boolean[] over = {false};
        Runnable next = () -> at(random.nextInt(20), "client " + client + " next",
                () -> nextOp(client, left));
        Runnable retry = () -> {
            if (attempt < ATTEMPTS_MAX) {
                scanOp(client, left, op, after, start, attempt + 1);
            } else {
                next.run();
            }
        };
        Consumer<ScanMerge.Result> reply = result -> {
            if (over[0]) {
                return;
            }
            over[0] = true;
            if (!(result instanceof ScanMerge.Page page)) {
                retry.run();
            } else if (checkScan(op, after, start, page) && page.resumeAfter() != null) {
                String covered = new String(page.resumeAfter(), StandardCharsets.UTF_8);
                at(random.nextInt(20), "client " + client + " scans on after " + covered,
                        () -> scanOp(client, left, op, covered, now, 1));
            } else {
                next.run();
            }
        };
        // The smallest key after the last one covered is that key followed by a 0 byte.
        byte[] startInclusive = after == null ? null
                : (after + "\0").getBytes(StandardCharsets.UTF_8);
        at(1, "client " + client + " scans " + op.tenant() + " at " + op.level().wireName()
                + " from " + coordinator.id + (after == null ? "" : " after " + after)
                + " (pages of " + op.pageItems() + " keys, " + op.pageBytes() + " bytes)",
                () -> deliver(coordinator, "coordinate", () -> coordinateScan(coordinator,
                        op.tenant(), op.level(), startInclusive, op.pageItems(), op.pageBytes(),
                        answer -> at(1, "reply to client " + client,
                                () -> reply.accept(answer)))));
        at(CLIENT_TIMEOUT_MILLIS, "client " + client + " times out", () -> {
            if (!over[0]) {
                over[0] = true;
                retry.run();
            }
        });
    }

    /** One attempt of a write through a random node; a retry carries the same idempotency key. */
    private void attemptWrite(int client, int[] left, WriteOp op, int attempt) {
        Node coordinator = randomNode();
        boolean[] over = {false};
        Consumer<Reply> reply = answer -> {
            if (over[0]) {
                return;
            }
            over[0] = true;
            if (answer.ok()) {
                history.acknowledged(op.recorded(), now);
                acknowledgedKeys.add(op.tenant() + "/" + op.key());
                stats.writesAcknowledged++;
                at(random.nextInt(20), "client " + client + " next", () -> nextOp(client, left));
            } else if (answer.error().startsWith("IDEMPOTENCY_KEY_CONFLICT")) {
                violation("RetryMakesNoNewVersion: a retry of " + op.idempotencyKey()
                        + " was refused as a conflict: " + answer.error());
            } else {
                retryWrite(client, left, op, attempt);
            }
        };
        boolean[] callerGone = {false};
        at(1, "client " + client + " sends " + (op.value() == null ? "delete " : "write ")
                + op.idempotencyKey() + " to " + coordinator.id, () -> deliver(coordinator,
                "coordinate", () -> coordinateWrite(coordinator, op, callerGone, answer -> at(1,
                        "reply to client " + client, () -> reply.accept(answer)))));
        at(CLIENT_TIMEOUT_MILLIS, "client " + client + " times out", () -> {
            if (!over[0]) {
                over[0] = true;
                // The cancel follows the request on its connection, so it never overtakes it.
                at(1, "client " + client + " cancels " + op.idempotencyKey() + " at "
                        + coordinator.id, () -> deliver(coordinator, "cancel",
                        () -> callerGone[0] = true));
                retryWrite(client, left, op, attempt);
            }
        });
    }

    private void retryWrite(int client, int[] left, WriteOp op, int attempt) {
        if (attempt < ATTEMPTS_MAX) {
            at(20 + random.nextInt(100), "client " + client + " retries " + op.idempotencyKey(),
                    () -> attemptWrite(client, left, op, attempt + 1));
        } else {
            stats.writesGivenUp++;
            at(1, "client " + client + " gives up", () -> nextOp(client, left));
        }
    }

    private void readOp(int client, int[] left, String tenant, String key, ConsistencyLevel level,
                        long start, int attempt) {
        Node coordinator = randomNode();
        boolean[] over = {false};
        Runnable next = () -> at(random.nextInt(20), "client " + client + " next",
                () -> nextOp(client, left));
        Consumer<Reply> reply = answer -> {
            if (over[0]) {
                return;
            }
            over[0] = true;
            if (answer.ok()) {
                checkRead(tenant, key, level, start, answer.value(),
                        "QuorumReadSeesLatestQuorumWrite");
                next.run();
            } else if (attempt < ATTEMPTS_MAX) {
                readOp(client, left, tenant, key, level, start, attempt + 1);
            } else {
                next.run();
            }
        };
        boolean askAll = level == ConsistencyLevel.ALL || random.nextInt(10) == 0;
        at(1, "client " + client + " reads " + tenant + "/" + key + " at " + level.wireName()
                + " from " + coordinator.id, () -> deliver(coordinator, "coordinate",
                () -> coordinateRead(coordinator, tenant, key, level, askAll,
                        answer -> at(1, "reply to client " + client,
                                () -> reply.accept(answer)))));
        at(CLIENT_TIMEOUT_MILLIS, "client " + client + " times out", () -> {
            if (!over[0]) {
                over[0] = true;
                if (attempt < ATTEMPTS_MAX) {
                    readOp(client, left, tenant, key, level, start, attempt + 1);
                } else {
                    next.run();
                }
            }
        });
    }

    private Node randomNode() {
        List<Node> all = List.copyOf(nodes.values());
        return all.get(random.nextInt(all.size()));
    }

    // ------------------------------------------------------------------------------- faults

    private void injectFault() {
        if (clientsRunning == 0) {
            return;
        }
        List<Node> all = List.copyOf(nodes.values());
        // A node removed for good is down for good, and does not stop other faults.
        boolean someoneDown = all.stream().anyMatch(node -> !node.gone
                && (!node.up || now < node.pausedUntil)) || !cutLinks.isEmpty();
        Node victim = all.get(random.nextInt(all.size()));
        if (settings.migrations()) {
            if (random.nextInt(6) == 0) {
                // The control plane loses its leader: commands and reports time out meanwhile.
                controlDownUntil = Math.max(controlDownUntil, now + 300 + random.nextInt(2_700));
                stats.migrations.controlOutages++;
            }
            Migration running = control.running();
            if (running != null && random.nextBoolean()) {
                // Half the time the victim is a target or a source of the running migration.
                List<String> involved = new ArrayList<>();
                running.tasks().stream().filter(task -> !task.done()).forEach(task -> {
                    involved.add(task.target());
                    involved.addAll(task.sources());
                });
                if (!involved.isEmpty()) {
                    victim = nodes.get(involved.get(random.nextInt(involved.size())));
                }
            }
            if (victim.gone) {
                at(300 + random.nextInt(1_200), "fault", this::injectFault);
                return;
            }
        }
        int roll = random.nextInt(4);
        Node chosen = victim;
        if (roll == 0) {
            Node other = all.get((all.indexOf(chosen) + 1 + random.nextInt(all.size() - 1))
                    % all.size());
            String cut = link(victim.id, other.id);
            cutLinks.add(cut);
            stats.fault(Fault.LINK_CUT);
            at(300 + random.nextInt(2_000), "link " + cut + " heals", () -> cutLinks.remove(cut));
        } else if (!someoneDown && roll == 1) {
            List<String> cuts = new ArrayList<>();
            for (Node other : all) {
                if (other != chosen) {
                    cuts.add(link(victim.id, other.id));
                }
            }
            cutLinks.addAll(cuts);
            stats.fault(Fault.PARTITION);
            at(300 + random.nextInt(2_000), victim.id + " rejoins the network",
                    () -> cuts.forEach(cutLinks::remove));
        } else if (!someoneDown && roll == 2) {
            crash(victim);
            at(200 + random.nextInt(2_000), victim.id + " restarts", () -> restart(chosen));
        } else if (!someoneDown) {
            victim.pausedUntil = now + 300 + random.nextInt(
                    LONG_PAUSES && random.nextInt(4) == 0 ? 8_000 : 2_500);
            stats.fault(Fault.PAUSE);
        }
        at(300 + random.nextInt(1_200), "fault", this::injectFault);
    }

    private void crash(Node node) {
        node.up = false;
        node.life++;
        stats.fault(Fault.CRASH);
        if (settings.migrations()) {
            Migration running = control.running();
            if (running != null && running.tasks().stream().anyMatch(task -> !task.done()
                    && task.target().equals(node.id))) {
                stats.migrations.targetCrashes++;
            }
            if (running != null && running.tasks().stream().anyMatch(task -> !task.done()
                    && task.sources().contains(node.id))) {
                stats.migrations.sourceCrashes++;
            }
            node.transfers.clear();
            node.settledAt.clear();
            node.reporting = false;
            node.cleaning = false;
            if (settings.periodic()) {
                node.checkpoints = new HashMap<>(node.syncedCheckpoints);
            }
        }
        if (settings.periodic()) {
            // What was not synced is gone; writes that may have reached this replica since the
            // last sync may have lost an acknowledgement, and are not held to the quorum rules.
            history.degradeSince(node.syncedAt);
            node.store = node.syncedStore.copy();
            node.appliedRequests = new HashMap<>(node.syncedRequests);
            node.hints = new ArrayList<>();
            node.syncedHints.forEach(hint -> node.hints.add(new Hint(hint.target,
                    hint.mutation)));
        }
    }

    private void restart(Node node) {
        if (node.gone || node.up) {
            return;
        }
        // The clock restarts from the highest reading the store holds, as a node's does.
        long[] highest = {0};
        node.store.forEach((tenant, key, token, version) ->
                highest[0] = Math.max(highest[0], version.hlc()));
        node.hlc = node.clock(highest[0]);
        node.lastHeard.clear();
        node.samples.clear();
        node.hints.forEach(hint -> hint.inFlight = false);
        node.up = true;
    }

    /**
     * After the workload: links healed, nodes up and running, no more lost messages; hints are
     * delivered, then every key is read at {@code all}, which repairs what differs.
     */
    private void heal() {
        cutLinks.clear();
        networkFaults = false;
        healed = true;
        controlDownUntil = Math.min(controlDownUntil, now);
        for (Node node : nodes.values()) {
            node.pausedUntil = Math.min(node.pausedUntil, now);
            if (!node.up) {
                restart(node);
            }
        }
        if (settings.migrations()) {
            settleStarted = now;
            at(500, "settle", this::settle);
        } else {
            at(3_000, "read every key at all", this::readEveryKeyAtAll);
        }
    }

    /** Every key read at {@code all}, which repairs what differs; then convergence is checked. */
    private void readEveryKeyAtAll() {
        {
            int[] pending = {TENANTS.length * keys.size()};
            Node reader = nodes.values().stream().filter(node -> !node.gone).findFirst()
                    .orElseThrow();
            for (String tenant : TENANTS) {
                for (String key : keys) {
                    coordinateRead(reader, tenant, key, ConsistencyLevel.ALL, true, answer -> {
                        if (!answer.ok()) {
                            violation("ReplicasConvergeAfterHeal: the read of " + tenant + "/"
                                    + key + " at all after the heal failed: " + answer.error()
                                    + (settings.migrations() ? "; control plane " + control
                                    : ""));
                        }
                        if (--pending[0] == 0) {
                            at(2_000, "check convergence", this::checkConvergence);
                        }
                    });
                }
            }
        }
    }

    // ------------------------------------------------------------------- the control plane

    /**
     * Applies {@code command} to the control plane's state, as its log applies an entry, and
     * pushes the new state to every node through the network. Throws {@link Refused}.
     */
    private void applyControl(UnaryOperator<ControlState> command) {
        ControlState before = control;
        ControlState after = command.apply(before);
        if (after == before) {
            return;
        }
        control = after;
        controlChanged(before, after);
        for (Node node : nodes.values()) {
            sendFromControl(node, "metadata v" + after.version, () -> learn(node, after));
        }
    }

    private void learn(Node node, ControlState state) {
        if (state.version > node.view.version) {
            node.view = state;
        }
    }

    /** A message from the control plane to a node: delayed, lost or doubled like any other. */
    private void sendFromControl(Node to, String what, Runnable onArrival) {
        if (networkFaults && random.nextInt(100) < 2) {
            return;
        }
        int copies = networkFaults && random.nextInt(100) < 2 ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            at(1 + random.nextInt(20), what + " control->" + to.id, () -> {
                if (!isolated(to)) {
                    deliver(to, what, onArrival);
                }
            });
        }
    }

    /**
     * A node's call to the control plane: while the control plane is down (no leader) or the
     * node is cut off, the call times out, and the caller tries again later. {@code handler}
     * runs at the control plane, once per copy of the request that arrives.
     */
    private <T> void callControl(Node from, String what, Supplier<T> handler,
                                 BiConsumer<T, String> callback) {
        boolean[] answered = {false};
        int life = from.life;
        Runnable arrive = () -> {
            if (now < controlDownUntil || isolated(from)) {
                return;
            }
            T answer;
            String error = null;
            try {
                answer = handler.get();
            } catch (Refused refused) {
                answer = null;
                error = "refused: " + refused.getMessage();
            }
            T sent = answer;
            String failure = error;
            sendFromControl(from, what + " answer", () -> {
                if (from.life == life && !answered[0]) {
                    answered[0] = true;
                    callback.accept(sent, failure);
                }
            });
        };
        if (!(networkFaults && random.nextInt(100) < 2)) {
            int copies = networkFaults && random.nextInt(100) < 2 ? 2 : 1;
            for (int i = 0; i < copies; i++) {
                at(1 + random.nextInt(20), what + " " + from.id + "->control", arrive);
            }
        }
        atNode(from, CALL_TIMEOUT_MILLIS, what + " deadline", () -> {
            if (!answered[0]) {
                answered[0] = true;
                stats.migrations.controlTimeouts++;
                callback.accept(null, "call to the control plane timed out");
            }
        });
    }

    private boolean isolated(Node node) {
        for (String other : nodes.keySet()) {
            if (!other.equals(node.id) && !cutLinks.contains(link(node.id, other))) {
                return false;
            }
        }
        return true;
    }

    /** An operator's command: sent again every half second while the control plane is down. */
    private void operator(String what, UnaryOperator<ControlState> command, int attempt) {
        at(1 + random.nextInt(20), "operator: " + what, () -> {
            if (now < controlDownUntil || networkFaults && random.nextInt(100) < 2) {
                if (attempt < 30) {
                    at(500, "operator retries: " + what, () -> operator(what, command,
                            attempt + 1));
                }
                return;
            }
            try {
                applyControl(command);
            } catch (Refused refused) {
                stats.migrations.rejected++;
                note("refused: " + refused.getMessage());
            }
        });
    }

    /** Counts what changed, marks lost keys, and checks that progress never goes back. */
    private void controlChanged(ControlState before, ControlState after) {
        for (Migration migration : after.migrations) {
            Migration earlier = before.migration(migration.id());
            String was = earlier == null ? null : earlier.status();
            if ((was == null || Migration.PENDING.equals(was))
                    && migration.startedAtMillis() > 0) {
                stats.migrations.started++;
            }
            if (!migration.status().equals(was)) {
                switch (migration.status()) {
                    case Migration.COMPLETED -> stats.migrations.completed++;
                    case Migration.CANCELLED -> stats.migrations.cancelled++;
                    case Migration.FAILED -> stats.migrations.failed++;
                    default -> { }
                }
            }
            double[] seen = progressSeen.computeIfAbsent(migration.id(), id -> new double[2]);
            if (migration.keysMigrated() < seen[0] || migration.percentage() < seen[1]) {
                violation("MigrationProgressNeverGoesBack: " + migration.id() + " went from "
                        + (long) seen[0] + " keys, " + seen[1] + "% to "
                        + migration.keysMigrated() + " keys, " + migration.percentage() + "%");
            }
            seen[0] = Math.max(seen[0], migration.keysMigrated());
            seen[1] = Math.max(seen[1], migration.percentage());
        }
    }

    // The keys of a task with no source left: their only copies were on a node gone for good.
    private void markLostKeys(Migration migration) {
        for (Migration.Task task : migration.lostTasks()) {
            for (String key : keys) {
                long token = Tokens.token(task.tenantId(), key);
                if (task.ranges().stream().anyMatch(range -> range.contains(token))
                        && lostKeys.add(task.tenantId() + "/" + key)) {
                    stats.migrations.lostKeys++;
                }
            }
        }
    }

    // The control plane's commands, as the server's Migrations applies them: pure functions of
    // the state, which refuse what the server refuses.

    private ControlState addNode(ControlState state, String node) {
        String status = state.status.get(node);
        if (!STANDBY.equals(status) && !INACTIVE.equals(status)) {
            throw new Refused("node '" + node + "' is already " + status);
        }
        Map<String, String> statuses = new TreeMap<>(state.status);
        statuses.put(node, JOINING);
        return enqueue(state.with(statuses, state.factors, state.migrations),
                Migration.NODE_ADDITION, node, null, 0, false);
    }

    private ControlState removeNode(ControlState state, String node, boolean force) {
        String status = state.status.get(node);
        if (INACTIVE.equals(status)) {
            throw new Refused("node '" + node + "' was removed already");
        }
        Map<String, String> statuses = new TreeMap<>(state.status);
        if (STANDBY.equals(status)) {
            statuses.put(node, INACTIVE);
            return state.with(statuses, state.factors, state.migrations);
        }
        if (JOINING.equals(status) || DRAINING.equals(status)) {
            throw new Refused("node '" + node + "' is " + status);
        }
        long remaining = state.status.entrySet().stream().filter(e -> ACTIVE.equals(e.getValue())
                && !e.getKey().equals(node)).count();
        for (Map.Entry<String, Integer> tenant : state.factors.entrySet()) {
            int rf = Math.max(tenant.getValue(), state.migrations.stream()
                    .filter(m -> !m.finished() && Migration.REPLICATION_CHANGE.equals(m.type())
                            && tenant.getKey().equals(m.tenantId()))
                    .mapToInt(Migration::replicationFactorAfter).max().orElse(0));
            if (rf > remaining) {
                throw new Refused("cannot remove '" + node + "': tenant '" + tenant.getKey()
                        + "' has replication factor " + rf + " and " + remaining + " would remain");
            }
        }
        List<Migration> migrations = new ArrayList<>(state.migrations);
        if (force) {
            Migration running = state.running();
            if (running != null && needs(running, node)) {
                migrations.set(migrations.indexOf(running), running.finishedAs(Migration.FAILED,
                        now, "node '" + node + "', which it needed, was removed for good"));
                statuses = reverted(statuses, running);
            }
        }
        statuses.put(node, DRAINING);
        return enqueue(state.with(statuses, state.factors, migrations), Migration.NODE_DELETION,
                node, null, 0, force);
    }

    private ControlState changeFactor(ControlState state, String tenant, int factor) {
        return enqueue(state.with(state.status, state.factors, state.migrations),
                Migration.REPLICATION_CHANGE, null, tenant, factor, false);
    }

    private ControlState report(ControlState state, Report report) {
        Migration migration = state.migration(report.migrationId());
        List<Migration> migrations = new ArrayList<>(state.migrations);
        if (migration != null && migration.running()) {
            migrations.set(migrations.indexOf(migration), migration.progressed(report.target(),
                    report.progress(), report.doneTasks()));
        }
        return advance(state.with(state.status, state.factors, migrations));
    }

    private ControlState cancel(ControlState state, String migrationId) {
        Migration migration = state.migration(migrationId);
        if (migration == null || migration.finished()) {
            throw new Refused("migration '" + migrationId + "' has ended already");
        }
        List<Migration> migrations = new ArrayList<>(state.migrations);
        migrations.set(migrations.indexOf(migration), migration.finishedAs(Migration.CANCELLED,
                now, "cancelled by the operator"));
        return advance(state.with(reverted(new TreeMap<>(state.status), migration),
                state.factors, migrations));
    }

    private ControlState enqueue(ControlState state, String type, String node, String tenant,
                                 int factorAfter, boolean force) {
        List<Migration> migrations = new ArrayList<>(state.migrations);
        Migration queued = Migration.pending("m-" + ++controlIndex, type, node, tenant,
                factorAfter, force, now);
        if (force) {
            // As the server does: a dead node leaves before anything waiting is planned.
            int first = 0;
            while (first < migrations.size() && !Migration.PENDING.equals(
                    migrations.get(first).status())) {
                first++;
            }
            migrations.add(first, queued);
        } else {
            migrations.add(queued);
        }
        return advance(state.with(state.status, state.factors, migrations));
    }

    /** Flips the running migration once all its tasks are done, and starts the next. */
    private ControlState advance(ControlState state) {
        while (true) {
            Migration running = state.running();
            if (running != null) {
                if (!running.allTasksDone()) {
                    return state;
                }
                state = flip(state, running);
                continue;
            }
            Migration next = state.migrations.stream().filter(m -> Migration.PENDING.equals(
                    m.status())).findFirst().orElse(null);
            if (next == null) {
                return state;
            }
            List<Migration> migrations = new ArrayList<>(state.migrations);
            // The state this start lands in is the next version.
            Migration started = next.started(plan(state, next), now, state.version + 1);
            markLostKeys(started);
            migrations.set(migrations.indexOf(next), started);
            state = state.with(state.status, state.factors, migrations);
        }
    }

    private List<Migration.Task> plan(ControlState state, Migration migration) {
        Set<String> gone = new HashSet<>();
        state.status.keySet().stream().filter(node -> !state.ownsData(node)).forEach(gone::add);
        if (migration.force()) {
            gone.add(migration.nodeId());
        }
        if (Migration.REPLICATION_CHANGE.equals(migration.type())) {
            return Migration.plan(state.factors, state.owners(), state.owners(),
                    migration.tenantId(), migration.replicationFactorAfter(), gone);
        }
        return Migration.plan(state.factors, state.owners(), state.futureRing(migration), null,
                0, gone);
    }

    private ControlState flip(ControlState state, Migration migration) {
        Map<String, String> statuses = new TreeMap<>(state.status);
        Map<String, Integer> factors = new TreeMap<>(state.factors);
        switch (migration.type()) {
            case Migration.NODE_ADDITION -> statuses.put(migration.nodeId(), ACTIVE);
            case Migration.NODE_DELETION -> statuses.put(migration.nodeId(), INACTIVE);
            default -> factors.put(migration.tenantId(), migration.replicationFactorAfter());
        }
        List<Migration> migrations = new ArrayList<>(state.migrations);
        migrations.set(migrations.indexOf(migration), migration.finishedAs(Migration.COMPLETED,
                now, migration.lostTasks().isEmpty() ? null : "keys lost"));
        ControlState flipped = state.with(statuses, factors, migrations);
        checkQuorumsAtFlip(flipped, migration);
        return flipped;
    }

    private static Map<String, String> reverted(Map<String, String> statuses,
                                                Migration migration) {
        if (Migration.NODE_ADDITION.equals(migration.type())) {
            statuses.put(migration.nodeId(), STANDBY);
        } else if (Migration.NODE_DELETION.equals(migration.type())) {
            statuses.put(migration.nodeId(), ACTIVE);
        }
        return statuses;
    }

    private static boolean needs(Migration migration, String node) {
        return node.equals(migration.nodeId()) || migration.tasks().stream().anyMatch(task ->
                !task.done() && (task.target().equals(node)
                        || task.sources().contains(node)));
    }

    // --------------------------------------------------------------- the migration runner

    private static String checkpointKey(String migrationId, int task) {
        return migrationId + "/" + task;
    }

    /** A node's runner looks for tasks it must receive, starts them, and reports. */
    private void migrationTick(Node node) {
        Migration running = node.view.running();
        if (running != null && settled(node, running)) {
            for (Migration.Task task : running.tasks()) {
                String key = checkpointKey(running.id(), task.index());
                if (task.done() || !task.target().equals(node.id)
                        || node.transfers.contains(key)) {
                    continue;
                }
                node.transfers.add(key);
                transfer(node, running.id(), task);
            }
            report(node, running, false);
        }
        maybeCleanup(node);
    }

    /**
     * As {@code MigrationRunner.settled}: every node {@code node} believes alive has a view that
     * holds the migration (read from the nodes themselves, where the server reads heartbeats,
     * which can only lag), and a request timeout has passed since, so no write made with an
     * older view is still in flight.
     */
    private boolean settled(Node node, Migration running) {
        Long since = node.settledAt.get(running.id());
        if (since != null) {
            return now - since >= REQUEST_TIMEOUT_MILLIS;
        }
        for (Node other : nodes.values()) {
            if ((other == node || node.believesAlive(other.id))
                    && other.view.version < running.startedAtVersion()) {
                return false;
            }
        }
        node.settledAt.put(running.id(), now);
        return false;
    }

    /**
     * One step of a task, as {@code MigrationRunner.transfer}: measure its ranges once, then
     * pull the chunk after the checkpoint from a source, store it, and only then checkpoint.
     * A failed pull ends the transfer; the next tick resumes it from the checkpoint.
     */
    private void transfer(Node node, String migrationId, Migration.Task task) {
        String key = checkpointKey(migrationId, task.index());
        Checkpoint at = node.checkpoints.getOrDefault(key, Checkpoint.START);
        if (at.done()) {
            node.transfers.remove(key);
            return;
        }
        if (!at.measured()) {
            fetch(node, task, "measure " + key, source -> {
                long[] size = {0, 0};
                for (TokenRange range : task.ranges()) {
                    MovedKeys.Size measured = source.store.measure(task.tenantId(), range);
                    size[0] += measured.keys();
                    size[1] += measured.bytes();
                }
                return size;
            }, 0, (size, error) -> {
                if (error != null) {
                    node.transfers.remove(key);
                    return;
                }
                save(node, key, at.measuredAs(size[0], size[1]));
                transfer(node, migrationId, task);
            });
            return;
        }
        if (at.range() >= task.ranges().size()) {
            save(node, key, at.finished());
            node.transfers.remove(key);
            Migration running = node.view.migration(migrationId);
            if (running != null) {
                report(node, running, true);
            }
            return;
        }
        Migration current = node.view.migration(migrationId);
        if (current == null || !current.running()) {
            node.transfers.remove(key);
            return;
        }
        TokenRange range = task.ranges().get(at.range());
        fetch(node, task, "chunk " + key + " range " + at.range(), source ->
                source.store.readRange(task.tenantId(), range, at.afterToken(), at.afterKey(),
                        chunkItemsMax, Long.MAX_VALUE, source.wallMillis()), 0,
                (chunk, error) -> {
                    if (error != null) {
                        node.transfers.remove(key);
                        return;
                    }
                    long bytes = 0;
                    for (MovedKeys.Entry entry : chunk.entries()) {
                        node.store.adopt(task.tenantId(), entry);
                        bytes += entry.size();
                    }
                    stats.migrations.chunks++;
                    stats.migrations.keysAdopted += chunk.entries().size();
                    Checkpoint next = at.received(chunk, chunk.entries().size(), bytes);
                    // The checkpoint is written once the chunk's writes have committed, a
                    // moment later: a crash in between resumes from the chunk before.
                    atNode(node, 1 + random.nextInt(3), "checkpoint " + key, () -> {
                        save(node, key, next);
                        transfer(node, migrationId, task);
                    });
                    maybeCrashMidChunk(node);
                });
    }

    /** Saves a checkpoint, synced: with it, everything written before it is durable. */
    private void save(Node node, String key, Checkpoint checkpoint) {
        node.checkpoints.put(key, checkpoint);
        if (settings.periodic()) {
            sync(node);
        }
    }

    /** Asks the task's sources in turn, those believed alive first, until one answers. */
    private <T> void fetch(Node node, Migration.Task task, String what,
                           java.util.function.Function<Node, T> handler, int attempt,
                           BiConsumer<T, String> callback) {
        List<String> order = new ArrayList<>();
        task.sources().stream().filter(node::believesAlive).forEach(order::add);
        task.sources().stream().filter(source -> !node.believesAlive(source))
                .forEach(order::add);
        if (attempt >= order.size()) {
            callback.accept(null, "no source answered");
            return;
        }
        Node source = nodes.get(order.get(attempt));
        call(node, source, what, () -> handler.apply(source), (answer, error) -> {
            if (error == null) {
                callback.accept(answer, null);
            } else {
                fetch(node, task, what, handler, attempt + 1, callback);
            }
        });
    }

    /**
     * Reports this node's progress when it changed and the interval passed, or at once when a
     * task finished; one report in flight; one that failed is sent again at a later tick.
     */
    private void report(Node node, Migration running, boolean immediately) {
        long keysMoved = 0;
        long bytesMoved = 0;
        long totalKeys = 0;
        long totalBytes = 0;
        Set<Integer> done = new java.util.TreeSet<>();
        boolean mine = false;
        for (Migration.Task task : running.tasks()) {
            if (!task.target().equals(node.id)) {
                continue;
            }
            mine = true;
            Checkpoint at = node.checkpoints.getOrDefault(checkpointKey(running.id(),
                    task.index()), Checkpoint.START);
            keysMoved += at.keys();
            bytesMoved += at.bytes();
            totalKeys += at.totalKeys();
            totalBytes += at.totalBytes();
            if (at.done() || task.done()) {
                done.add(task.index());
            }
        }
        if (!mine) {
            return;
        }
        Report report = new Report(running.id(), node.id, new Migration.Progress(keysMoved,
                bytesMoved, totalKeys, totalBytes), Set.copyOf(done));
        Report previous = node.lastReport;
        boolean newlyDone = previous == null || !previous.migrationId().equals(running.id())
                || previous.doneTasks().size() < done.size();
        boolean changed = previous == null || !previous.equals(report);
        boolean due = now - node.lastReportAt >= REPORT_INTERVAL_MILLIS;
        if (!changed || !(due || immediately || newlyDone) || node.reporting) {
            return;
        }
        node.reporting = true;
        node.lastReportAt = now;
        callControl(node, "report " + running.id() + " " + done, () -> {
            applyControl(state -> report(state, report));
            return Boolean.TRUE;
        }, (applied, error) -> {
            node.reporting = false;
            if (error == null) {
                node.lastReport = report;
            }
        });
    }

    /** A node asks the control plane for its state, as a follower catches up on the log. */
    private void pullMetadata(Node node) {
        callControl(node, "metadata pull", () -> control, (state, error) -> {
            if (error == null) {
                learn(node, state);
            }
        });
    }

    // ---------------------------------------------------------------------------- cleanup

    /** Cleanup by itself: a migration ended a grace period ago, and none runs or waits. */
    private void maybeCleanup(Node node) {
        boolean ended = false;
        for (Migration migration : node.view.migrations) {
            if (!migration.finished()) {
                return;
            }
            ended |= migration.finishedAtMillis() > node.cleanedThrough
                    && migration.finishedAtMillis() + CLEANUP_GRACE_MILLIS <= now;
        }
        if (ended) {
            cleanup(node, "after a migration");
        }
    }

    /**
     * Deletes the keys the node holds without right by its view: read, then purged a moment
     * later only if unchanged, as {@code Cleanup} does. Then no key it holds without right may be
     * one it read and left.
     */
    private void cleanup(Node node, String why) {
        if (node.cleaning || !node.up) {
            return;
        }
        node.cleaning = true;
        atNode(node, 1 + random.nextInt(5), "cleanup (" + why + ")", () -> {
            ControlState view = node.view;
            long through = view.migrations.stream().filter(Migration::finished)
                    .mapToLong(Migration::finishedAtMillis).max().orElse(0);
            Map<String, MovedKeys.Chunk> read = new TreeMap<>();
            for (String tenant : view.factors.keySet()) {
                read.put(tenant, node.store.readRange(tenant, EVERY_TOKEN, 0, null,
                        Integer.MAX_VALUE, Long.MAX_VALUE, node.wallMillis()));
            }
            atNode(node, 1 + random.nextInt(5), "cleanup purges", () -> {
                node.cleaning = false;
                long purged = 0;
                for (Map.Entry<String, MovedKeys.Chunk> tenant : read.entrySet()) {
                    for (MovedKeys.Entry entry : tenant.getValue().entries()) {
                        if (!view.placement().holds(node.id, tenant.getKey(),
                                view.factors.get(tenant.getKey()), entry.token())) {
                            node.store.purge(tenant.getKey(), entry.key(), entry.token(),
                                    entry.version());
                            purged++;
                        }
                    }
                }
                node.cleanedThrough = Math.max(node.cleanedThrough, through);
                stats.migrations.cleanups++;
                stats.migrations.keysPurged += purged;
                checkCleanedNode(node, view, read);
            });
        });
    }

    // ------------------------------------------------------------------- the scenario

    /** What the operator does during the workload, chosen by the seed. */
    private void scheduleScenario() {
        int actions = 1 + random.nextInt(3);
        for (int i = 0; i < actions; i++) {
            int roll = random.nextInt(10);
            at(ALIVE_WINDOW_MILLIS + 300 + random.nextInt(5_000), "operator acts",
                    () -> operatorActs(roll));
        }
        if (random.nextInt(4) == 0) {
            at(ALIVE_WINDOW_MILLIS + 500 + random.nextInt(5_000), "operator acts",
                    () -> operatorActs(8));
        }
    }

    private void operatorActs(int roll) {
        if (healed) {
            return;
        }
        List<String> active = control.status.entrySet().stream()
                .filter(e -> ACTIVE.equals(e.getValue())).map(Map.Entry::getKey).toList();
        List<String> addable = control.status.entrySet().stream()
                .filter(e -> STANDBY.equals(e.getValue()) || INACTIVE.equals(e.getValue()))
                .map(Map.Entry::getKey).filter(id -> !nodes.get(id).gone).toList();
        if (roll < 2 && !addable.isEmpty()) {
            String node = addable.get(random.nextInt(addable.size()));
            operator("add " + node, state -> addNode(state, node), 1);
        } else if (roll < 4) {
            String node = active.get(random.nextInt(active.size()));
            operator("remove " + node, state -> removeNode(state, node, false), 1);
        } else if (roll < 5 && (FORCE_BEHIND_QUEUE
                || control.migrations.stream().allMatch(Migration::finished))) {
            // A node dies for good: the one that is down, or one crashed now; then it is
            // removed with force, and its ranges are copied from the other replicas.
            String node = active.stream().filter(id -> !nodes.get(id).up).findFirst()
                    .orElse(active.get(random.nextInt(active.size())));
            Node dead = nodes.get(node);
            if (dead.up) {
                crash(dead);
            }
            operator("remove " + node + " (force)", state -> {
                ControlState removed = removeNode(state, node, true);
                dead.gone = true;
                return removed;
            }, 1);
            // Refused (too few nodes would remain), it was not dead for good after all.
            at(5_000, node + " restarts unless removed", () -> restart(dead));
        } else if (roll < 8) {
            String tenant = TENANTS[random.nextInt(TENANTS.length)];
            int factor = 1 + random.nextInt(3);
            // Lowering a factor by two (3 to 1) moves no data, and the one replica kept may lack
            // a write the two others acknowledged at quorum: the planted scenario of a known
            // flaw, run only with -Dsim.lowerFactorByTwo=true. Otherwise one step at a time,
            // from the factor the last queued change leaves.
            int base = control.migrations.stream().filter(m -> !m.finished()
                            && Migration.REPLICATION_CHANGE.equals(m.type())
                            && tenant.equals(m.tenantId()))
                    .mapToInt(Migration::replicationFactorAfter).reduce((a, b) -> b)
                    .orElse(control.factors.get(tenant));
            if (factor < base - 1 && !LOWER_FACTOR_BY_TWO) {
                factor = base - 1;
            }
            int chosenFactor = factor;
            operator("replication factor of " + tenant + " to " + chosenFactor,
                    state -> changeFactor(state, tenant, chosenFactor), 1);
        } else if (roll < 9) {
            // The running migration, else a waiting one; never the removal of a dead node,
            // which would leave a dead node owning data.
            Migration target = control.migrations.stream().filter(m -> !m.finished()
                    && !m.force()).min((a, b) -> Boolean.compare(b.running(), a.running()))
                    .orElse(null);
            if (target != null) {
                String id = target.id();
                operator("cancel " + id, state -> cancel(state, id), 1);
            }
        } else {
            Node node = randomNode();
            cleanup(node, "on demand");
        }
    }

    /** Sometimes, a target crashes right after a chunk arrived, before its checkpoint. */
    private void maybeCrashMidChunk(Node node) {
        if (healed || random.nextInt(50) != 0 || nodes.values().stream().anyMatch(
                other -> other != node && (!other.up || now < other.pausedUntil))) {
            return;
        }
        stats.migrations.midChunkCrashes++;
        crash(node);
        at(200 + random.nextInt(1_500), node.id + " restarts", () -> restart(node));
    }

    // A cleanup already under way read an older view: this one starts after it.
    private void cleanupAfterHeal(Node node) {
        if (node.cleaning) {
            at(20, "cleanup waits @" + node.id, () -> cleanupAfterHeal(node));
        } else {
            cleanup(node, "after the heal");
        }
    }

    /** After the heal: every migration, running or waiting, must finish. */
    private void settle() {
        if (control.migrations.stream().anyMatch(m -> !m.finished())) {
            if (now - settleStarted > SETTLE_MILLIS_MAX) {
                violation("MigrationsFinishAfterHeal: after " + SETTLE_MILLIS_MAX / 1000
                        + " s healed, the control plane still has " + control
                        + (control.running() == null ? "" : "; tasks left: "
                        + control.running().tasks().stream().filter(task -> !task.done())
                        .toList()) + "; gone: " + nodes.values().stream()
                        .filter(node -> node.gone).map(node -> node.id).toList());
                return;
            }
            at(500, "settle", this::settle);
            return;
        }
        at(CLEANUP_GRACE_MILLIS + 500, "clean up every node", () -> {
            for (Node node : nodes.values()) {
                if (node.up) {
                    learn(node, control);
                    cleanupAfterHeal(node);
                }
            }
            at(1_000, "read every key at all", this::readEveryKeyAtAll);
        });
    }

    // --------------------------------------------------------------------------- invariants

    /** Checks a read against the history ({@link RegisterHistory#checkRead}). */
    private void checkRead(String tenant, String key, ConsistencyLevel level, long start,
                           String value, String invariant) {
        if (lostKeys.contains(tenant + "/" + key)) {
            return;
        }
        String violation = history.checkRead(tenant, key, level.wireName(), start, now, value,
                invariant);
        if (violation != null) {
            violation(violation);
        }
    }

    /**
     * Judges a scan's page key by key, as reads over the page's span: a key the page covers
     * ({@code after} excluded, up to where it says it stopped) but does not hold reads as not
     * found. A page must hold only keys it covers, within its bounds, and move the scan on
     * (ScanPagesMoveOn), or a client following pages would loop or skip keys.
     *
     * @return whether the page passed, so that the scan may go on from it
     */
    private boolean checkScan(ScanOp op, String after, long start, ScanMerge.Page page) {
        String covered = page.resumeAfter() == null ? null
                : new String(page.resumeAfter(), StandardCharsets.UTF_8);
        if (covered != null && after != null && covered.compareTo(after) <= 0) {
            violation("ScanPagesMoveOn: a page of " + op.tenant() + " after " + after
                    + " says it stopped at " + covered);
            return false;
        }
        long bytes = 0;
        for (KeyEntry item : page.items()) {
            bytes += item.key().length + item.version().value().length;
        }
        if (page.items().size() > op.pageItems()
                || (page.items().size() > 1 && bytes > op.pageBytes())) {
            violation("ScanPagesMoveOn: a page of at most " + op.pageItems() + " keys and "
                    + op.pageBytes() + " bytes held " + page.items().size() + " keys, " + bytes
                    + " bytes");
            return false;
        }
        Map<String, String> values = new HashMap<>();
        for (KeyEntry item : page.items()) {
            String key = new String(item.key(), StandardCharsets.UTF_8);
            if ((after != null && key.compareTo(after) <= 0)
                    || (covered != null && key.compareTo(covered) > 0)) {
                violation("ScanPagesMoveOn: a page of " + op.tenant() + " covering (" + after
                        + ", " + covered + "] held " + key);
                return false;
            }
            values.put(key, new String(item.version().value(), StandardCharsets.UTF_8));
        }
        for (String key : keys) {
            if ((after == null || key.compareTo(after) > 0)
                    && (covered == null || key.compareTo(covered) <= 0)) {
                checkRead(op.tenant(), key, op.level(), start, values.get(key),
                        "QuorumScanSeesLatestQuorumWrite");
            }
        }
        stats.scanPagesChecked++;
        if (after != null) {
            stats.scanPagesFollowed++;
        }
        return true;
    }

    /** TenantIsolation, after every event: a stored value belongs to its tenant and key. */
    private void checkStoredValuesBelongToTheirKey() {
        for (Node node : nodes.values()) {
            node.store.forEach((tenant, key, token, version) -> {
                if (version.isTombstone()) {
                    return;
                }
                String value = new String(version.value(), StandardCharsets.UTF_8);
                String keyText = new String(key, StandardCharsets.UTF_8);
                if (!RegisterHistory.belongsTo(value, tenant, keyText)) {
                    violation("TenantIsolation: " + node.id + " stores '" + value + "' under "
                            + tenant + "/" + keyText);
                }
            });
        }
    }

    /**
     * ReplicasConvergeAfterHeal: every replica of a key holds the same version; and
     * NoAcknowledgedWriteLost: that version is no older than any write acknowledged at quorum.
     */
    private void checkConvergence() {
        finished = true;
        for (String tenant : TENANTS) {
            for (String key : keys) {
                if (lostKeys.contains(tenant + "/" + key)) {
                    continue;
                }
                byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
                long token = Tokens.token(tenant, bytes);
                Map<String, Version> held = new LinkedHashMap<>();
                List<String> replicas = settings.migrations()
                        ? control.replicas(tenant, token).natural()
                        : ring.replicas(token, settings.replicationFactor());
                for (String replica : replicas) {
                    held.put(replica, nodes.get(replica).store.get(tenant, bytes, token));
                }
                if (settings.migrations() && acknowledgedKeys.contains(tenant + "/" + key)
                        && (held.size() != Math.min(control.factors.get(tenant),
                        control.owners().size()) || held.containsValue(null))) {
                    violation("EveryKeyHasItsCopiesAfterMigrations: " + tenant + "/" + key
                            + " at factor " + control.factors.get(tenant) + " is held as "
                            + held + " on its replicas; control plane " + control);
                    return;
                }
                if (held.values().stream().distinct().count() > 1) {
                    violation("ReplicasConvergeAfterHeal: replicas of " + tenant + "/" + key
                            + " differ: " + held);
                    return;
                }
                Version version = held.values().iterator().next();
                checkRead(tenant, key, ConsistencyLevel.QUORUM, now,
                        version == null || version.isTombstone() ? null
                                : new String(version.value(), StandardCharsets.UTF_8),
                        "NoAcknowledgedWriteLost");
            }
        }
        if (settings.migrations()) {
            for (Node node : nodes.values()) {
                if (!node.gone) {
                    checkHeldByRight(node, control, Map.of(), "DataOnlyOnOwnersAfterCleanup");
                }
            }
        }
    }

    /**
     * At a flip, every key's new natural replicas must answer a quorum read with the latest
     * write acknowledged at quorum: each quorum of them is checked as a read at this moment.
     */
    private void checkQuorumsAtFlip(ControlState flipped, Migration migration) {
        stats.migrations.flipsChecked++;
        for (String tenant : TENANTS) {
            for (String key : keys) {
                byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
                long token = Tokens.token(tenant, bytes);
                List<String> natural = flipped.replicas(tenant, token).natural();
                int quorum = ConsistencyLevel.QUORUM.required(natural.size());
                for (List<String> replicas : subsets(natural, quorum)) {
                    Version winner = null;
                    for (String replica : replicas) {
                        Version held = nodes.get(replica).store.get(tenant, bytes, token);
                        winner = held == null ? winner : winner == null ? held
                                : VersionResolver.DEFAULT.resolve(winner, held);
                    }
                    String value = winner == null || winner.isTombstone() ? null
                            : new String(winner.value(), StandardCharsets.UTF_8);
                    checkRead(tenant, key, ConsistencyLevel.QUORUM, now, value,
                            "QuorumReadSeesLatestQuorumWriteAtFlip (" + migration.id() + " "
                                    + migration.type() + ", replicas " + replicas + ")");
                }
            }
        }
    }

    private static List<List<String>> subsets(List<String> from, int size) {
        List<List<String>> out = new ArrayList<>();
        if (size == 0) {
            out.add(List.of());
            return out;
        }
        for (int i = 0; i <= from.size() - size; i++) {
            for (List<String> rest : subsets(from.subList(i + 1, from.size()), size - 1)) {
                List<String> subset = new ArrayList<>(size);
                subset.add(from.get(i));
                subset.addAll(rest);
                out.add(subset);
            }
        }
        return out;
    }

    /** After a cleanup: what the node holds without right arrived after the cleanup read it. */
    private void checkCleanedNode(Node node, ControlState view,
                                  Map<String, MovedKeys.Chunk> read) {
        Map<String, Version> seen = new HashMap<>();
        read.forEach((tenant, chunk) -> chunk.entries().forEach(entry -> seen.put(tenant + "/"
                + new String(entry.key(), StandardCharsets.UTF_8), entry.version())));
        checkHeldByRight(node, view, seen, "CleanupLeavesDataOnlyOnOwners");
    }

    private void checkHeldByRight(Node node, ControlState view, Map<String, Version> readBefore,
                                  String invariant) {
        node.store.forEach((tenant, key, token, version) -> {
            String name = tenant + "/" + new String(key, StandardCharsets.UTF_8);
            if (!view.placement().holds(node.id, tenant, view.factors.get(tenant), token)
                    && (readBefore.isEmpty() || version.equals(readBefore.get(name)))) {
                violation(invariant + ": " + node.id + " still holds " + name + " (" + version
                        + "), of which it is no replica in " + view);
            }
        });
    }

    private void violation(String what) {
        if (stats.violations.size() > violationsBefore) {
            return;
        }
        StringBuilder clocks = new StringBuilder();
        nodes.values().forEach(node -> clocks.append(node.id).append(' ')
                .append(node.offsetMillis).append(" ms ").append(Math.round(node.drift * 1e6))
                .append(" ppm; "));
        stats.violations.add("seed " + seed + (settings.periodic() ? " (periodic)" : "") + ": "
                + what + "\n  clocks: " + clocks + "\n  replay: -Dsim.seed=" + seed
                + "\n  last events:\n    " + String.join("\n    ", trace));
    }
}
