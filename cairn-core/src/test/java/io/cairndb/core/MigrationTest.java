package io.cairndb.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairndb.core.Migration.Progress;
import io.cairndb.core.Migration.Task;
import io.cairndb.core.MigrationPlan.TokenRange;
import io.cairndb.testkit.Property;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

// Proves a migration's tasks, applied to who holds what, give every key of every tenant its new
// replicas from nodes that hold it, that gone nodes are never sources, and that progress and
// percentage only grow and reach 100 only when the migration completes.
class MigrationTest {

    private static final int VNODES = 8;

    private static Map<String, long[]> grow(Map<String, long[]> tokens, String node) {
        return TestRings.grow(tokens, node, VNODES);
    }

    private static Map<String, long[]> nodes(int count) {
        return TestRings.nodes(count, VNODES);
    }

    private static long[] samples(Random random, Map<String, long[]> tokens) {
        return TestRings.samples(random, tokens, 100);
    }
    private static final List<String> TENANTS = List.of("a", "b", "c");

    // ------------------------------------------------------------------------------ planning

    @Test
    void applyingThePlannedTasksGivesEveryKeyItsNewReplicas() {
        Property.forAll("migration tasks", random -> {
            Map<String, long[]> tokens = new TreeMap<>();
            int nextId = 0;
            for (int i = 0; i < 1 + random.nextInt(3); i++) {
                tokens = grow(tokens, "n" + nextId++);
            }
            Map<String, Integer> factors = new TreeMap<>();
            for (String tenant : TENANTS) {
                factors.put(tenant, 1 + random.nextInt(3));
            }
            for (int step = 0; step < 8; step++) {
                Map<String, long[]> nextTokens = new TreeMap<>(tokens);
                Map<String, Integer> nextFactors = new TreeMap<>(factors);
                String onlyTenant = null;
                int rfAfter = 0;
                Set<String> gone = Set.of();
                int roll = random.nextInt(3);
                if (roll == 0 || tokens.size() < 2) {
                    nextTokens = grow(tokens, "n" + nextId++);
                } else if (roll == 1) {
                    List<String> ids = new ArrayList<>(tokens.keySet());
                    String removed = ids.get(random.nextInt(ids.size()));
                    nextTokens.remove(removed);
                    if (random.nextBoolean()) {
                        // Forced: the node is gone, and its copies with it.
                        gone = Set.of(removed);
                    }
                } else {
                    onlyTenant = TENANTS.get(random.nextInt(TENANTS.size()));
                    rfAfter = 1 + random.nextInt(3);
                    nextFactors.put(onlyTenant, rfAfter);
                }
                Ring before = Ring.of(tokens);
                Ring after = Ring.of(nextTokens);
                // Who holds each tenant's copy of keys all round both rings: its replicas, as
                // the step before left them once the nodes that left cleaned up.
                Map<String, long[]> both = new TreeMap<>(tokens);
                both.putAll(nextTokens);
                long[] samples = samples(random, both);
                Map<String, NavigableMap<Long, Set<String>>> holders = new HashMap<>();
                for (String tenant : TENANTS) {
                    NavigableMap<Long, Set<String>> held = new TreeMap<>();
                    for (long token : samples) {
                        held.put(token, new HashSet<>(before.replicas(token,
                                factors.get(tenant))));
                    }
                    holders.put(tenant, held);
                }
                List<Task> tasks = Migration.plan(factors, before, after, onlyTenant, rfAfter,
                        gone);
                assertThat(Migration.plan(factors, before, after, onlyTenant, rfAfter, gone))
                        .as("deterministic").isEqualTo(tasks);
                for (int i = 0; i < tasks.size(); i++) {
                    Task task = tasks.get(i);
                    assertThat(task.index()).isEqualTo(i);
                    assertThat(task.sources()).noneMatch(gone::contains)
                            .doesNotContain(task.target());
                    assertThat(task.lost()).isEqualTo(task.sources().isEmpty());
                    assertThat(task.done()).isEqualTo(task.lost());
                    assertThat(task.ranges()).isNotEmpty();
                    if (onlyTenant != null) {
                        assertThat(task.tenantId()).isEqualTo(onlyTenant);
                    }
                }
                for (String tenant : TENANTS) {
                    int rfBefore = factors.get(tenant);
                    int rfNext = nextFactors.get(tenant);
                    NavigableMap<Long, Set<String>> held = holders.get(tenant);
                    // The tasks each sampled token is in; a token is in at most one range of
                    // one task for each target and sources (a replica that stays when the
                    // factor is lowered takes the token from each leaving one).
                    Map<Long, List<Task>> tasksAt = new HashMap<>();
                    for (Task task : tasks) {
                        if (!task.tenantId().equals(tenant)) {
                            continue;
                        }
                        for (TokenRange range : task.ranges()) {
                            for (long token : tokensIn(held.navigableKeySet(), range)) {
                                List<Task> at = tasksAt.computeIfAbsent(token,
                                        ignored -> new ArrayList<>(2));
                                for (Task other : at) {
                                    if (other.target().equals(task.target())
                                            && other.sources().equals(task.sources())) {
                                        throw new AssertionError("token " + token + " is in "
                                                + other + " and in " + task);
                                    }
                                }
                                at.add(task);
                            }
                        }
                    }
                    for (Map.Entry<Long, Set<String>> entry : held.entrySet()) {
                        long token = entry.getKey();
                        Set<String> copies = entry.getValue();
                        copies.removeAll(gone);
                        Set<String> live = Set.copyOf(copies);
                        boolean lost = false;
                        for (Task task : tasksAt.getOrDefault(token, List.of())) {
                            if (task.lost()) {
                                if (!live.isEmpty()) {
                                    throw new AssertionError("token " + token + " is held by "
                                            + live + " but " + task + " is lost");
                                }
                                lost = true;
                                continue;
                            }
                            // Sources are the replicas before (less gone ones): they hold it.
                            if (!live.containsAll(task.sources())) {
                                throw new AssertionError("token " + token + ", tenant " + tenant
                                        + ", step " + step + ": " + live
                                        + " do not hold it for the sources of " + task);
                            }
                            copies.add(task.target());
                        }
                        List<String> expected = after.replicas(token, rfNext);
                        // No key is owned by nobody.
                        if (expected.size() != Math.min(rfNext, nextTokens.size())) {
                            throw new AssertionError("token " + token + " has replicas "
                                    + expected + " at rf " + rfNext);
                        }
                        if (lost) {
                            // Its only copies were on the gone node: the key is lost.
                            if (!gone.containsAll(before.replicas(token, rfBefore))) {
                                throw new AssertionError("token " + token + " was lost with "
                                        + before.replicas(token, rfBefore) + " not all gone");
                            }
                        } else if (!copies.containsAll(expected)) {
                            throw new AssertionError("token " + token + ", tenant " + tenant
                                    + " after step " + step + ": held by " + copies
                                    + ", replicas " + expected);
                        }
                    }
                }
                tokens = nextTokens;
                factors = nextFactors;
            }
        });
    }

    @Test
    void goneNodesAreNeverSourcesAndTasksWithNoneLeftAreLost() {
        Map<String, long[]> three = nodes(3);
        Map<String, long[]> two = new TreeMap<>(three);
        two.remove("n1");
        Ring before = Ring.of(three);
        Ring after = Ring.of(two);

        List<Task> replicated = Migration.plan(Map.of("t", 2), before, after, null, 0,
                Set.of("n1"));
        assertThat(replicated).isNotEmpty();
        for (Task task : replicated) {
            assertThat(task.sources()).hasSize(1).doesNotContain("n1");
            assertThat(task.lost()).isFalse();
            assertThat(task.done()).isFalse();
        }

        List<Task> single = Migration.plan(Map.of("t", 1), before, after, null, 0,
                Set.of("n1"));
        assertThat(single).isNotEmpty().allSatisfy(task -> {
            assertThat(task.sources()).isEmpty();
            assertThat(task.lost()).isTrue();
            assertThat(task.done()).isTrue();
        });
        Migration migration = Migration.pending("m-1", Migration.NODE_DELETION, "n1", null, 0,
                true, 1).started(single, 2);
        assertThat(migration.lostTasks()).isEqualTo(single);
        assertThat(migration.allTasksDone()).isTrue();

        // Without the node gone, the same removal streams from it.
        assertThat(Migration.plan(Map.of("t", 1), before, after, null, 0, Set.of()))
                .allSatisfy(task -> assertThat(task.sources()).containsExactly("n1"));
    }

    /**
     * A write acknowledged at quorum by the node removed by force and one replica that stays
     * has one copy left: the new replica must take it from whichever replica that is, so it
     * receives the range from each of them.
     */
    @Test
    void aForcedRemovalGivesTheNewReplicaWhatEveryReplicaThatStaysHolds() {
        Map<String, long[]> five = nodes(5);
        Map<String, long[]> four = new TreeMap<>(five);
        four.remove("n1");
        Ring before = Ring.of(five);
        Ring after = Ring.of(four);

        List<Task> tasks = Migration.plan(Map.of("t", 3), before, after, null, 0, Set.of("n1"));

        assertThat(tasks).isNotEmpty();
        Map<String, Set<String>> sourcesOfEachRange = new TreeMap<>();
        for (Task task : tasks) {
            assertThat(task.sources()).hasSize(1).doesNotContain("n1");
            for (TokenRange range : task.ranges()) {
                sourcesOfEachRange.computeIfAbsent(task.target() + " " + range,
                        ignored -> new TreeSet<>()).addAll(task.sources());
            }
        }
        for (Task task : tasks) {
            for (TokenRange range : task.ranges()) {
                Set<String> staying = new TreeSet<>(before.replicas(range.toInclusive(), 3));
                staying.remove("n1");
                assertThat(sourcesOfEachRange.get(task.target() + " " + range))
                        .as("sources of %s for %s", range, task.target())
                        .isEqualTo(staying);
            }
        }
    }

    @Test
    void replicationChangePlansOnlyItsTenant() {
        Ring ring = Ring.of(nodes(3));

        List<Task> tasks = Migration.plan(Map.of("a", 1, "b", 1, "c", 3), ring, ring, "b", 2,
                Set.of());

        assertThat(tasks).isNotEmpty().allSatisfy(task -> assertThat(task.tenantId())
                .isEqualTo("b"));
        // Lowering a factor brings the replica that stays what only each leaving one holds.
        List<Task> lowered = Migration.plan(Map.of("c", 3), ring, ring, "c", 1, Set.of());
        assertThat(lowered).isNotEmpty().allSatisfy(task -> {
            assertThat(task.sources()).hasSize(1).doesNotContain(task.target());
            task.ranges().forEach(range -> assertThat(ring.replicas(range.toInclusive(), 1))
                    .containsExactly(task.target()));
        });
        // Nothing changes, nothing moves.
        assertThat(Migration.plan(Map.of("a", 2), ring, ring, null, 0, Set.of())).isEmpty();
    }

    // ------------------------------------------------------------------------------ progress

    /** A running migration with tasks 0 and 1 for n4 and task 2 for n5. */
    private static Migration running() {
        List<TokenRange> range = List.of(new TokenRange(0, 10));
        List<Task> tasks = List.of(
                new Task(0, "t", "n4", List.of("n1"), range, false, false),
                new Task(1, "t", "n4", List.of("n2"), range, false, false),
                new Task(2, "t", "n5", List.of("n1"), range, false, false));
        return Migration.pending("m-7", Migration.NODE_ADDITION, "n4", null, 0, false, 100)
                .started(tasks, 200);
    }

    @Test
    void pendingMigrationHasNoTasks() {
        Migration pending = Migration.pending("m-1", Migration.REPLICATION_CHANGE, null, "t", 3,
                false, 100);

        assertThat(pending.status()).isEqualTo(Migration.PENDING);
        assertThat(pending.tasks()).isEmpty();
        assertThat(pending.running()).isFalse();
        assertThat(pending.finished()).isFalse();
        assertThat(pending.percentage()).isZero();
        assertThat(pending.createdAtMillis()).isEqualTo(100);
        assertThat(pending.startedAtMillis()).isZero();
        // Reports are for running migrations only.
        assertThat(pending.progressed("n1", new Progress(5, 5, 5, 5), Set.of(0)))
                .isSameAs(pending);
    }

    @Test
    void progressKeepsTheGreatestFiguresOfEachTarget() {
        Migration migration = running()
                .progressed("n4", new Progress(10, 100, 40, 400), Set.of())
                .progressed("n4", new Progress(5, 50, 30, 300), Set.of())
                .progressed("n5", new Progress(1, 2, 3, 4), Set.of());

        assertThat(migration.progress().get("n4")).isEqualTo(new Progress(10, 100, 40, 400));
        assertThat(migration.keysMigrated()).isEqualTo(11);
        assertThat(migration.bytesMigrated()).isEqualTo(102);
        assertThat(migration.totalKeys()).isEqualTo(43);
        assertThat(migration.totalBytes()).isEqualTo(404);

        // Keys written meanwhile can make the moved count pass the measured total.
        Migration past = migration.progressed("n5", new Progress(100, 1000, 3, 4), Set.of());
        assertThat(past.totalKeys()).isEqualTo(past.keysMigrated()).isEqualTo(110);
        assertThat(past.totalBytes()).isEqualTo(past.bytesMigrated()).isEqualTo(1100);
    }

    @Test
    void reportsFinishOnlyTheTargetsOwnKnownTasks() {
        Migration migration = running();

        Migration unknown = migration.progressed("n4", new Progress(0, 0, 0, 0), Set.of(9, -1));
        assertThat(unknown.tasks()).isEqualTo(migration.tasks());

        Migration others = migration.progressed("n5", new Progress(0, 0, 0, 0), Set.of(0, 1));
        assertThat(others.tasks()).noneMatch(Task::done);

        Migration own = migration.progressed("n4", new Progress(0, 0, 0, 0), Set.of(0));
        assertThat(own.tasks()).extracting(Task::done).containsExactly(true, false, false);

        Migration all = own.progressed("n4", new Progress(0, 0, 0, 0), Set.of(1))
                .progressed("n5", new Progress(0, 0, 0, 0), Set.of(2));
        assertThat(all.allTasksDone()).isTrue();
        assertThat(all.running()).isTrue();
        assertThat(all.percentage()).isLessThan(100);
    }

    @Test
    void percentageNeverGoesBackwardsAndReaches100OnlyWhenCompleted() {
        Property.forAll("migration percentage", random -> {
            Migration migration = running();
            double last = migration.percentage();
            Map<String, Progress> greatest = new HashMap<>();
            for (int report = 0; report < 30; report++) {
                String target = random.nextBoolean() ? "n4" : "n5";
                Progress reported = new Progress(random.nextInt(1000), random.nextInt(10_000),
                        random.nextInt(1000), random.nextInt(10_000));
                Set<Integer> done = new HashSet<>();
                if (random.nextInt(4) == 0) {
                    done.add(random.nextInt(4));
                }
                Migration next = migration.progressed(target, reported, done);
                greatest.merge(target, reported, Progress::max);

                assertThat(next.percentage()).as("report %d", report)
                        .isGreaterThanOrEqualTo(last).isLessThan(100);
                assertThat(next.progress()).isEqualTo(greatest);
                for (int i = 0; i < next.tasks().size(); i++) {
                    assertThat(!migration.tasks().get(i).done() || next.tasks().get(i).done())
                            .as("a finished task stays finished").isTrue();
                }
                assertThat(next.totalKeys()).isGreaterThanOrEqualTo(next.keysMigrated());
                last = next.percentage();
                migration = next;
            }
            Migration failed = migration.finishedAs(Migration.FAILED, 900, "node gone");
            assertThat(failed.percentage()).isEqualTo(last);
            assertThat(failed.finished()).isTrue();
            assertThat(failed.reason()).isEqualTo("node gone");
            assertThat(failed.finishedAtMillis()).isEqualTo(900);

            Migration completed = migration.finishedAs(Migration.COMPLETED, 900, null);
            assertThat(completed.percentage()).isEqualTo(100);
            assertThat(completed.status()).isEqualTo(Migration.COMPLETED);
            // A report after the end changes nothing.
            assertThat(completed.progressed("n4", new Progress(1_000_000, 0, 0, 0),
                    Set.of(0, 1))).isSameAs(completed);
        });
    }

    @Test
    void migrationWithNoTaskIsReadyAtOnce() {
        Migration started = Migration.pending("m-1", Migration.REPLICATION_CHANGE, null, "t", 1,
                false, 1).started(List.of(), 2);

        assertThat(started.running()).isTrue();
        assertThat(started.allTasksDone()).isTrue();
        assertThat(started.startedAtMillis()).isEqualTo(2);
    }

    /** The tokens of {@code sampled} in {@code range}. */
    private static List<Long> tokensIn(NavigableSet<Long> sampled, TokenRange range) {
        long from = range.fromExclusive();
        long to = range.toInclusive();
        List<Long> in = new ArrayList<>();
        if (from < to) {
            in.addAll(sampled.subSet(from, false, to, true));
        } else {
            in.addAll(sampled.tailSet(from, false));
            in.addAll(sampled.headSet(to, true));
        }
        return in;
    }
}
