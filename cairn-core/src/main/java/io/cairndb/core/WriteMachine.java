package io.cairndb.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * One write or delete at its coordinator, from the first send to the client's answer, as a pure
 * state machine in the shape of etcd's Raft: inputs go in (the start, each replica's answer or
 * failure, a clock reading, a timeout) and effects come out (send a mutation to a replica, keep a
 * hint for one, take a clock reading, answer or fail the client). It reads no clock, opens no
 * socket, touches no disk and starts no thread; its driver does all of that, one input at a time.
 *
 * <p>The rules it holds:
 * <ul>
 *   <li>A replica believed down is not waited on: it counts as a failure and is owed a hint. So
 *       is a replica whose call fails, whenever the failure arrives. A hint never counts as an
 *       acknowledgement. Hints are kept only for a request that is answered: they leave with the
 *       answer (or, for failures after it, at once), and a request that fails keeps none. Its
 *       client was told it failed and may retry under a new stamp; a hint of the failed attempt,
 *       delivered later under the old one, could land above a write the client made after the
 *       retry.</li>
 *   <li>The client is answered once {@code required} replicas acknowledged the current round;
 *       a request fails once that can no longer happen and every call of the round has ended,
 *       or at its timeout.</li>
 *   <li>Any replica's {@link ApplyResult.Outcome#CONFLICT} fails the request
 *       ({@link Idempotency#conflict}); when every first-round answer is a duplicate, the answer
 *       says so.</li>
 *   <li>When an answer shows the write was overtaken by a version it did not know about
 *       ({@link SequentialWrites}), or shows the request is a retry, it asks for a clock reading
 *       and sends a second round stamped above what the replicas showed, without the
 *       idempotency check, before it answers; unless the reading is past the request's
 *       deadline, or the caller gave up on the request, when it fails instead.</li>
 * </ul>
 *
 * <p>Not thread-safe: the driver serialises inputs.
 */
public final class WriteMachine {

    /** What the driver must do. */
    public sealed interface Effect permits Send, StoreHint, NeedStamp, Answer, Fail {
    }

    /**
     * Send {@code mutation} to {@code node}; report its answer with {@link #applied} or
     * {@link #failed}, naming {@code round}.
     */
    public record Send(String node, int round, Mutation mutation) implements Effect {
    }

    /** Keep {@code mutation} as a hint for {@code node}, to deliver when it is seen alive. */
    public record StoreHint(String node, Mutation mutation) implements Effect {
    }

    /** Read the coordinator's hybrid clock and call {@link #stamped} with the reading. */
    public record NeedStamp() implements Effect {
    }

    /** Answer the client: the write met its level. */
    public record Answer(VectorClock clock, int replicaCount, boolean duplicate) implements Effect {
    }

    /** Fail the client's request; {@code acknowledged} replicas had acknowledged it. */
    public record Fail(ErrorCode code, String message, int acknowledged) implements Effect {
    }

    private final Mutation first;
    private final List<String> targets;
    private final int required;
    private final String what;
    private final String idempotencyKey;
    private final long timeoutMillis;
    private final List<ApplyResult> answers;
    private final List<String> failures = new ArrayList<>(2);
    private Mutation current;
    private QuorumTracker tracker;
    private int round = 1;
    private boolean awaitingStamp;
    private boolean duplicateRequest;
    private boolean callerGone;
    private boolean done;
    private boolean answered;
    /**
     * Hints owed while the request is undecided, kept if it is answered and dropped if it fails;
     * null until one is owed, as most writes owe none.
     */
    private List<Effect> heldHints;

    /**
     * @param mutation the stamped write or tombstone, with its idempotency check
     * @param targets the key's replicas
     * @param required acknowledgements the consistency level needs, 1..targets
     * @param what "write" or "delete", for messages
     * @param idempotencyKey the request's key, for the conflict message
     * @param timeoutMillis the request's deadline, for the timeout message
     */
    public WriteMachine(Mutation mutation, List<String> targets, int required, String what,
                        String idempotencyKey, long timeoutMillis) {
        this.first = mutation;
        this.current = mutation;
        this.targets = targets;
        this.required = required;
        this.what = what;
        this.idempotencyKey = idempotencyKey;
        this.timeoutMillis = timeoutMillis;
        this.tracker = new QuorumTracker(required, targets.size());
        this.answers = new ArrayList<>(targets.size());
    }

    /** The first round: a send to each replica {@code alive} admits, a hint for each other. */
    public List<Effect> start(Predicate<String> alive) {
        return sendRound(alive);
    }

    /** {@code node} answered the mutation of {@code round}. */
    public List<Effect> applied(int round, String node, ApplyResult result) {
        if (done || awaitingStamp || round != this.round) {
            return List.of();
        }
        answers.add(result);
        if (tracker.acknowledge() != QuorumTracker.Outcome.SUCCEEDED) {
            return List.of();
        }
        return settle();
    }

    /** The call to {@code node} for {@code round} failed (error, deadline, refused). */
    public List<Effect> failed(int round, String node, String reason) {
        Effect hint = new StoreHint(node, round == 1 ? first : current);
        if (done) {
            return answered ? List.of(hint) : List.of();
        }
        hold(hint);
        if (awaitingStamp || round != this.round) {
            return List.of();
        }
        failures.add(reason);
        return failure(tracker.fail());
    }

    /** A reading of the coordinator's hybrid clock, asked for by {@link NeedStamp}. */
    public List<Effect> stamped(long reading, Predicate<String> alive) {
        if (done || !awaitingStamp) {
            throw new IllegalStateException("no clock reading was asked for: " + this);
        }
        // An attempt that reaches its second round after its deadline (its coordinator was
        // paused, or the answers came late) stops: another attempt of the request may have been
        // answered since and a later write begun, which a stamp taken now would overtake.
        long elapsedMillis = HybridLogicalClock.wallMillis(reading)
                - HybridLogicalClock.wallMillis(first.version().hlc());
        if (elapsedMillis > timeoutMillis) {
            done = true;
            awaitingStamp = false;
            return List.of(new Fail(ErrorCode.QUORUM_NOT_REACHED, what + " was not stamped "
                    + "again within " + timeoutMillis + " ms (" + elapsedMillis + " ms passed); "
                    + "a retry is safe", tracker.acknowledged()));
        }
        List<VectorClock> stored = new ArrayList<>(answers.size());
        for (ApplyResult answer : answers) {
            stored.add(answer.clock());
        }
        long stamp = SequentialWrites.restampReading(first.version(), reading, stored);
        Version again = SequentialWrites.restamped(first.version(), stored, stamp);
        // No idempotency check: the first round stored the record, and this round must apply
        // even where it did. A retry of the request still finds that record.
        current = new Mutation(first.tenantId(), first.key(), first.token(), again, null);
        awaitingStamp = false;
        round = 2;
        tracker = new QuorumTracker(required, targets.size());
        answers.clear();
        failures.clear();
        return sendRound(alive);
    }

    /**
     * The caller gave up on the request (it cancelled the call, or its own deadline passed). A
     * second round would be stamped for nobody, and perhaps above a write the caller began after
     * another attempt of this request was answered; so there is none: the request fails where it
     * would be stamped again. A round in flight goes on, for its hints.
     */
    public List<Effect> abandoned() {
        if (done) {
            return List.of();
        }
        callerGone = true;
        if (!awaitingStamp) {
            return List.of();
        }
        awaitingStamp = false;
        done = true;
        return List.of(abandonedFailure());
    }

    private Fail abandonedFailure() {
        return new Fail(ErrorCode.QUORUM_NOT_REACHED, what + " was not stamped again: its caller "
                + "gave up on it; a retry is safe", tracker.acknowledged());
    }

    /** The deadline of {@code round} passed. */
    public List<Effect> timedOut(int round) {
        if (done || round != this.round) {
            return List.of();
        }
        done = true;
        return List.of(new Fail(ErrorCode.QUORUM_NOT_REACHED, what + " reached "
                + tracker.acknowledged() + " of " + required + " required replicas within "
                + timeoutMillis + " ms" + (failures.isEmpty() ? "" : ": "
                + String.join("; ", failures)), tracker.acknowledged()));
    }

    /** Whether the client has its answer. */
    public boolean done() {
        return done;
    }

    /** The round now in flight: 1, or 2 once the write was stamped again. */
    public int round() {
        return round;
    }

    /** The mutation of the round in flight. */
    public Mutation mutation() {
        return current;
    }

    private List<Effect> sendRound(Predicate<String> alive) {
        List<Effect> effects = new ArrayList<>(targets.size() + 1);
        for (String node : targets) {
            if (alive.test(node)) {
                effects.add(new Send(node, round, current));
            } else {
                hold(new StoreHint(node, current));
                failures.add("replica " + node + " is believed down");
                QuorumTracker.Outcome outcome = tracker.fail();
                if (outcome == QuorumTracker.Outcome.FAILED && tracker.complete()) {
                    done = true;
                    effects.add(quorumFailure());
                }
            }
        }
        return effects;
    }

    private void hold(Effect hint) {
        if (heldHints == null) {
            heldHints = new ArrayList<>(2);
        }
        heldHints.add(hint);
    }

    private List<Effect> failure(QuorumTracker.Outcome outcome) {
        if (outcome == QuorumTracker.Outcome.FAILED && tracker.complete()) {
            done = true;
            return List.of(quorumFailure());
        }
        return List.of();
    }

    private Fail quorumFailure() {
        return new Fail(ErrorCode.QUORUM_NOT_REACHED, what + " reached " + tracker.acknowledged()
                + " of " + required + " required replicas: " + String.join("; ", failures),
                tracker.acknowledged());
    }

    /**
     * The level is met: a conflict, a second round, or the answer.
     *
     * <p>A write is stamped again when a replica that applied it shows that a version it did not
     * know about came out newer. So is a retry that any replica recognised: its first attempt may
     * have lost to a version it did not know about and never reached its own second round, and
     * replicas without the first attempt's record apply this attempt under a new stamp, now or
     * later (a delayed message, a hint), perhaps above what a later write gets. The second round,
     * stamped above this attempt's version and everything the answers showed, dominates them on
     * a quorum, so a later write sees it and is stamped above it in turn. The answer still says
     * the request was a duplicate.
     */
    private List<Effect> settle() {
        VectorClock clock = VectorClock.empty();
        boolean allDuplicates = true;
        boolean anyDuplicate = false;
        boolean overtaken = false;
        for (ApplyResult answer : answers) {
            if (answer.outcome() == ApplyResult.Outcome.CONFLICT) {
                done = true;
                CairnException conflict = Idempotency.conflict(idempotencyKey, what);
                return List.of(new Fail(conflict.code(), conflict.getMessage(),
                        tracker.acknowledged()));
            }
            boolean duplicate = answer.outcome() == ApplyResult.Outcome.DUPLICATE;
            allDuplicates &= duplicate;
            anyDuplicate |= duplicate;
            if (round == 1 && !duplicate) {
                overtaken |= SequentialWrites.isOvertaken(first.version(), answer.clock());
            }
            clock = clock.merge(answer.clock());
        }
        if (round == 1) {
            duplicateRequest = allDuplicates;
            if ((overtaken || anyDuplicate) && callerGone) {
                done = true;
                return List.of(abandonedFailure());
            }
            if (overtaken || anyDuplicate) {
                awaitingStamp = true;
                return List.of(new NeedStamp());
            }
        }
        done = true;
        answered = true;
        Answer answer = new Answer(clock, answers.size(), duplicateRequest);
        if (heldHints == null) {
            return List.of(answer);
        }
        List<Effect> effects = heldHints;
        heldHints = null;
        effects.add(answer);
        return effects;
    }

    @Override
    public String toString() {
        return "WriteMachine{" + what + ", round=" + round + ", " + tracker + ", done=" + done
                + ", awaitingStamp=" + awaitingStamp + "}";
    }
}
