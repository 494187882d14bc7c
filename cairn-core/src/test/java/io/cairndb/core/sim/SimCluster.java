package io.cairndb.core.sim;

import io.cairndb.core.ApplyResult;
import io.cairndb.core.ClockOffsets;
import io.cairndb.core.ConsistencyLevel;
import io.cairndb.core.HybridLogicalClock;
import io.cairndb.core.Idempotency;
import io.cairndb.core.MemoryStore;
import io.cairndb.core.Mutation;
import io.cairndb.core.ReadMachine;
import io.cairndb.core.Ring;
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
        long restamps;
        long hintsDelivered;
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
                    + readsChecked + ", stamped again " + restamps + ", hints delivered "
                    + hintsDelivered + ", faults injected " + faults + ", invariant violations "
                    + violations.size();
        }
    }

    /** The shape of one run. */
    record Settings(int nodes, int replicationFactor, int clients, int opsPerClient,
                    boolean periodic, boolean wideSkew) {

        static Settings standard() {
            return new Settings(5, 3, 4, 40, false, true);
        }

        Settings periodicDurability() {
            return new Settings(nodes, replicationFactor, clients, opsPerClient, true, wideSkew);
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
    private static final String[] TENANTS = {"alpha", "beta"};
    private static final String[] KEYS = {"k1", "k2", "k3"};

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
    }

    // ------------------------------------------------------------------------------ the run

    Stats run() {
        for (Node node : nodes.values()) {
            every(node, HEARTBEAT_MILLIS, "heartbeat", () -> heartbeat(node));
            every(node, HINT_REPLAY_MILLIS, "hint replay", () -> replayHints(node));
            if (settings.periodic()) {
                every(node, SYNC_MILLIS, "sync", () -> sync(node));
            }
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
        if (trace.size() > 60) {
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

    private void sync(Node node) {
        node.syncedStore = node.store.copy();
        node.syncedHints = new ArrayList<>();
        node.hints.forEach(hint -> node.syncedHints.add(new Hint(hint.target, hint.mutation)));
        node.syncedRequests = new HashMap<>(node.appliedRequests);
        node.syncedAt = now;
    }

    // --------------------------------------------------------------------- the coordinator

    private void coordinateWrite(Node coordinator, WriteOp op, Consumer<Reply> reply) {
        ClockOffsets.Verdict verdict = coordinator.clockVerdict();
        if (!verdict.coordinateWrites()) {
            reply.accept(new Reply(false, null, false, verdict.reason()));
            return;
        }
        byte[] key = op.key().getBytes(StandardCharsets.UTF_8);
        long token = Tokens.token(op.tenant(), key);
        List<String> targets = ring.replicas(token, settings.replicationFactor());
        long wall = coordinator.wallMillis();
        long stamp = coordinator.hlc.now(wall);
        byte[] value = op.value() == null ? null : op.value().getBytes(StandardCharsets.UTF_8);
        Version version = value == null ? Version.tombstone(coordinator.id, stamp)
                : Version.write(value, coordinator.id, stamp);
        Mutation mutation = new Mutation(op.tenant(), key, token, version,
                new Mutation.IdempotencyRequest(op.idempotencyKey(),
                        Idempotency.requestHash(value), wall, IDEMPOTENCY_TTL_MILLIS));
        WriteMachine machine = new WriteMachine(mutation, targets,
                op.level().required(targets.size()), value == null ? "delete" : "write",
                op.idempotencyKey(), REQUEST_TIMEOUT_MILLIS);
        performWrite(coordinator, machine, machine.start(coordinator::believesAlive), reply);
        atNode(coordinator, REQUEST_TIMEOUT_MILLIS, "write deadline",
                () -> performWrite(coordinator, machine, machine.timedOut(1), reply));
    }

    private void performWrite(Node coordinator, WriteMachine machine,
                              List<WriteMachine.Effect> effects, Consumer<Reply> reply) {
        for (WriteMachine.Effect effect : effects) {
            if (effect instanceof WriteMachine.Send send) {
                Node replica = nodes.get(send.node());
                call(coordinator, replica, "apply", () -> applyAt(replica, send.mutation()),
                        (result, error) -> performWrite(coordinator, machine, error == null
                                ? machine.applied(send.round(), send.node(), result)
                                : machine.failed(send.round(), send.node(), error), reply));
            } else if (effect instanceof WriteMachine.StoreHint hint) {
                coordinator.hints.add(new Hint(hint.node(), hint.mutation()));
            } else if (effect instanceof WriteMachine.NeedStamp) {
                stats.restamps++;
                long reading = coordinator.hlc.now(coordinator.wallMillis());
                performWrite(coordinator, machine,
                        machine.stamped(reading, coordinator::believesAlive), reply);
                atNode(coordinator, REQUEST_TIMEOUT_MILLIS, "second round deadline",
                        () -> performWrite(coordinator, machine, machine.timedOut(2), reply));
            } else if (effect instanceof WriteMachine.Answer answer) {
                coordinator.hlc.observe(answer.clock().maxCounter());
                reply.accept(new Reply(true, null, answer.duplicate(), null));
            } else if (effect instanceof WriteMachine.Fail fail) {
                reply.accept(new Reply(false, null, false, fail.code() + ": " + fail.message()));
            }
        }
    }

    private void coordinateRead(Node coordinator, String tenant, String keyText,
                                ConsistencyLevel level, boolean askAll, Consumer<Reply> reply) {
        byte[] key = keyText.getBytes(StandardCharsets.UTF_8);
        long token = Tokens.token(tenant, key);
        List<String> targets = ring.replicas(token, settings.replicationFactor());
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
        String key = KEYS[random.nextInt(KEYS.length)];
        ConsistencyLevel level = level(random);
        int roll = random.nextInt(20);
        int sequence = opSequence++;
        if (roll < 12) {
            String value = roll < 10 ? RegisterHistory.value(tenant, key, client, sequence) : null;
            String idempotencyKey = "c" + client + "-" + sequence;
            attemptWrite(client, left, new WriteOp(tenant, key, value, idempotencyKey, level,
                    history.begin(tenant, key, value, idempotencyKey, level.wireName(), now)), 1);
        } else {
            readOp(client, left, tenant, key, level, now, 1);
        }
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
                stats.writesAcknowledged++;
                at(random.nextInt(20), "client " + client + " next", () -> nextOp(client, left));
            } else if (answer.error().startsWith("IDEMPOTENCY_KEY_CONFLICT")) {
                violation("RetryMakesNoNewVersion: a retry of " + op.idempotencyKey()
                        + " was refused as a conflict: " + answer.error());
            } else {
                retryWrite(client, left, op, attempt);
            }
        };
        at(1, "client " + client + " sends " + (op.value() == null ? "delete " : "write ")
                + op.idempotencyKey() + " to " + coordinator.id, () -> deliver(coordinator,
                "coordinate", () -> coordinateWrite(coordinator, op, answer -> at(1,
                        "reply to client " + client, () -> reply.accept(answer)))));
        at(CLIENT_TIMEOUT_MILLIS, "client " + client + " times out", () -> {
            if (!over[0]) {
                over[0] = true;
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
        boolean someoneDown = all.stream().anyMatch(node -> !node.up || now < node.pausedUntil)
                || !cutLinks.isEmpty();
        Node victim = all.get(random.nextInt(all.size()));
        int roll = random.nextInt(4);
        if (roll == 0) {
            Node other = all.get((all.indexOf(victim) + 1 + random.nextInt(all.size() - 1))
                    % all.size());
            String cut = link(victim.id, other.id);
            cutLinks.add(cut);
            stats.fault(Fault.LINK_CUT);
            at(300 + random.nextInt(2_000), "link " + cut + " heals", () -> cutLinks.remove(cut));
        } else if (!someoneDown && roll == 1) {
            List<String> cuts = new ArrayList<>();
            for (Node other : all) {
                if (other != victim) {
                    cuts.add(link(victim.id, other.id));
                }
            }
            cutLinks.addAll(cuts);
            stats.fault(Fault.PARTITION);
            at(300 + random.nextInt(2_000), victim.id + " rejoins the network",
                    () -> cuts.forEach(cutLinks::remove));
        } else if (!someoneDown && roll == 2) {
            crash(victim);
            at(200 + random.nextInt(2_000), victim.id + " restarts", () -> restart(victim));
        } else if (!someoneDown) {
            victim.pausedUntil = now + 300 + random.nextInt(2_500);
            stats.fault(Fault.PAUSE);
        }
        at(300 + random.nextInt(1_200), "fault", this::injectFault);
    }

    private void crash(Node node) {
        node.up = false;
        node.life++;
        stats.fault(Fault.CRASH);
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
        for (Node node : nodes.values()) {
            node.pausedUntil = Math.min(node.pausedUntil, now);
            if (!node.up) {
                restart(node);
            }
        }
        at(3_000, "read every key at all", () -> {
            int[] pending = {TENANTS.length * KEYS.length};
            Node reader = nodes.values().iterator().next();
            for (String tenant : TENANTS) {
                for (String key : KEYS) {
                    coordinateRead(reader, tenant, key, ConsistencyLevel.ALL, true, answer -> {
                        if (!answer.ok()) {
                            violation("ReplicasConvergeAfterHeal: the read of " + tenant + "/"
                                    + key + " at all after the heal failed: " + answer.error());
                        }
                        if (--pending[0] == 0) {
                            at(2_000, "check convergence", this::checkConvergence);
                        }
                    });
                }
            }
        });
    }

    // --------------------------------------------------------------------------- invariants

    /** Checks a read against the history ({@link RegisterHistory#checkRead}). */
    private void checkRead(String tenant, String key, ConsistencyLevel level, long start,
                           String value, String invariant) {
        String violation = history.checkRead(tenant, key, level.wireName(), start, now, value,
                invariant);
        if (violation != null) {
            violation(violation);
        }
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
            for (String key : KEYS) {
                byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
                long token = Tokens.token(tenant, bytes);
                Map<String, Version> held = new LinkedHashMap<>();
                for (String replica : ring.replicas(token, settings.replicationFactor())) {
                    held.put(replica, nodes.get(replica).store.get(tenant, bytes, token));
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
