package io.cairndb.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * One read of one key at its coordinator, as a pure state machine: the start, each replica's
 * answer or failure, each repair's end and the timeout go in; effects come out (read a replica,
 * repair one, keep a hint, answer or fail the client). Like {@link WriteMachine}, it reads no
 * clock and does no I/O, and its driver serialises inputs.
 *
 * <p>The rules it holds:
 * <ul>
 *   <li>It asks {@code required} replicas in {@link #order} (every one when {@code askAll}), and
 *       asks the next one in order whenever one fails.</li>
 *   <li>Once {@code required} answered, their versions resolve to the winner. Above {@code one},
 *       every answering replica that differs from the winner is repaired before the client is
 *       answered (a blocking repair), so a later quorum read cannot see an older value.</li>
 *   <li>Answers that arrive after that are repaired in the background, once no read is in flight:
 *       all of them, or, if they changed the winner (or at {@code one}), every replica that
 *       differs from the latest.</li>
 *   <li>A repair that fails leaves a hint. The request fails when too few replicas can still
 *       answer, or at its timeout if the level was not met by then.</li>
 * </ul>
 */
public final class ReadMachine {

    /** What the driver must do. */
    public sealed interface Effect permits Read, Repair, StoreHint, Answer, Fail {
    }

    /** Read the key from {@code node}; report with {@link #answered} or {@link #failed}. */
    public record Read(String node) implements Effect {
    }

    /**
     * Write {@code mutation} (the winner) to {@code node}; report with {@link #repaired}. A
     * blocking repair holds the client's answer back until it ends.
     */
    public record Repair(String node, Mutation mutation, boolean blocking) implements Effect {
    }

    /** Keep {@code mutation} as a hint for {@code node}. */
    public record StoreHint(String node, Mutation mutation) implements Effect {
    }

    /**
     * Answer the client with {@code winner}: null or a tombstone means the key is not found.
     * {@code replicaCount} replicas answered in time.
     */
    public record Answer(Version winner, int replicaCount) implements Effect {
    }

    /** Fail the client's request. */
    public record Fail(ErrorCode code, String message, int acknowledged) implements Effect {
    }

    private final String tenantId;
    private final byte[] key;
    private final long token;
    private final List<String> order;
    private final int required;
    private final boolean askAll;
    private final boolean repairBeforeAnswer;
    private final long timeoutMillis;
    /** Every answer so far, node to version (null: the replica holds nothing). */
    private final Map<String, Version> answers = new LinkedHashMap<>();
    private final List<String> failures = new ArrayList<>(2);
    private Map<String, Version> answersAtLevel;
    private Version winner;
    private int next;
    private int inFlight;
    private int blockingRepairs;
    private boolean levelMet;
    private boolean done;
    private boolean lateRepairsSent;

    /**
     * @param order replicas in the order to ask them ({@link #order})
     * @param required answers the consistency level needs, 1..order
     * @param askAll ask every replica at once (level {@code all}, or a read-repair chance)
     * @param repairBeforeAnswer repair differing replicas before answering (levels above one)
     */
    public ReadMachine(String tenantId, byte[] key, long token, List<String> order, int required,
                       boolean askAll, boolean repairBeforeAnswer, long timeoutMillis) {
        if (required < 1 || required > order.size()) {
            throw new IllegalArgumentException("need 1 <= required <= replicas, got required="
                    + required + " replicas=" + order.size());
        }
        this.tenantId = tenantId;
        this.key = key;
        this.token = token;
        this.order = order;
        this.required = required;
        this.askAll = askAll;
        this.repairBeforeAnswer = repairBeforeAnswer;
        this.timeoutMillis = timeoutMillis;
    }

    /** Replicas in the order reads try them: {@code self}, other live ones, then the rest. */
    public static List<String> order(List<String> replicas, String self, Predicate<String> alive) {
        List<String> order = new ArrayList<>(replicas.size());
        if (replicas.contains(self)) {
            order.add(self);
        }
        for (String node : replicas) {
            if (!node.equals(self) && alive.test(node)) {
                order.add(node);
            }
        }
        for (String node : replicas) {
            if (!order.contains(node)) {
                order.add(node);
            }
        }
        return order;
    }

    /** The first reads. */
    public List<Effect> start() {
        int initial = askAll ? order.size() : required;
        List<Effect> effects = new ArrayList<>(initial);
        for (int i = 0; i < initial; i++) {
            readNext(effects);
        }
        return effects;
    }

    /** {@code node} answered with {@code version} (null: it holds nothing for the key). */
    public List<Effect> answered(String node, Version version) {
        inFlight--;
        answers.put(node, version);
        List<Effect> effects = new ArrayList<>(2);
        if (!levelMet && !done && answers.size() >= required) {
            levelMet = true;
            answersAtLevel = new LinkedHashMap<>(answers);
            winner = resolve(answersAtLevel);
            if (repairBeforeAnswer) {
                repair(winner, answersAtLevel, true, effects);
            }
            if (blockingRepairs == 0) {
                answer(effects);
            }
        }
        maybeRepairLate(effects);
        return effects;
    }

    /** The read of {@code node} failed. */
    public List<Effect> failed(String node, String reason) {
        inFlight--;
        failures.add(reason);
        List<Effect> effects = new ArrayList<>(2);
        readNext(effects);
        if (!levelMet && !done && answers.size() + inFlight < required) {
            done = true;
            effects.add(new Fail(ErrorCode.QUORUM_NOT_REACHED, "read reached " + answers.size()
                    + " of " + required + " required replicas: " + String.join("; ", failures),
                    answers.size()));
        }
        maybeRepairLate(effects);
        return effects;
    }

    /** {@code repair} ended, {@code ok} or not. */
    public List<Effect> repaired(Repair repair, boolean ok) {
        List<Effect> effects = new ArrayList<>(2);
        if (!ok) {
            effects.add(new StoreHint(repair.node(), repair.mutation()));
        }
        if (repair.blocking() && --blockingRepairs == 0 && !done) {
            answer(effects);
        }
        return effects;
    }

    /** The request's deadline passed. */
    public List<Effect> timedOut() {
        if (done || levelMet) {
            return List.of();
        }
        done = true;
        return List.of(new Fail(ErrorCode.QUORUM_NOT_REACHED, "read reached " + answers.size()
                + " of " + required + " required replicas within " + timeoutMillis + " ms"
                + (failures.isEmpty() ? "" : ": " + String.join("; ", failures)),
                answers.size()));
    }

    public boolean done() {
        return done;
    }

    private void readNext(List<Effect> effects) {
        if (next < order.size()) {
            inFlight++;
            effects.add(new Read(order.get(next++)));
        }
    }

    private void answer(List<Effect> effects) {
        done = true;
        effects.add(new Answer(winner, answersAtLevel.size()));
    }

    /** Once nothing is in flight after the level was met, repairs what the late answers show. */
    private void maybeRepairLate(List<Effect> effects) {
        if (inFlight > 0 || !levelMet || lateRepairsSent) {
            return;
        }
        lateRepairsSent = true;
        Version latest = resolve(answers);
        Map<String, Version> unrepaired = new LinkedHashMap<>(answers);
        if (repairBeforeAnswer && Objects.equals(latest, winner)) {
            unrepaired.keySet().removeAll(answersAtLevel.keySet());
        }
        repair(latest, unrepaired, false, effects);
    }

    private void repair(Version version, Map<String, Version> from, boolean blocking,
                        List<Effect> effects) {
        if (version == null) {
            return;
        }
        Mutation mutation = null;
        for (Map.Entry<String, Version> answer : from.entrySet()) {
            if (!version.equals(answer.getValue())) {
                if (mutation == null) {
                    mutation = new Mutation(tenantId, key, token, version, null);
                }
                effects.add(new Repair(answer.getKey(), mutation, blocking));
                if (blocking) {
                    blockingRepairs++;
                }
            }
        }
    }

    private static Version resolve(Map<String, Version> answers) {
        Version winner = null;
        for (Version version : answers.values()) {
            winner = version == null ? winner : VersionResolver.DEFAULT.resolve(winner, version);
        }
        return winner;
    }
}
