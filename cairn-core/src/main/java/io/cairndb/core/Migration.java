package io.cairndb.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One data migration, as the control plane records it: what started it (a node added or
 * removed, a tenant's replication factor changed), its status, its tasks, and how far each
 * target has got. Immutable; every change is a pure function returning a new record, applied by
 * the metadata log on every member alike.
 *
 * <p>A task is the ranges of one tenant that one target must receive from the same replicas.
 * Targets pull their tasks in chunks and report progress; once every task is done the migration
 * flips: the new owners take over reads, and the nodes that left the replica sets may clean up.
 *
 * @param replicationFactorAfter the tenant's factor once a {@code replication_change} completes
 *     (0 for node changes)
 * @param force a {@code node_deletion} of a node that is gone: it is never a source
 * @param progress each target's reported progress, by node id
 * @param percentage how far the migration has got, 0 to 100; it never goes backwards
 * @param startedAtVersion the metadata version that started it: a node whose view is older
 *     does not send writes to its pending replicas yet
 */
public record Migration(String id, String type, String nodeId, String tenantId,
                        int replicationFactorAfter, boolean force, String status,
                        long createdAtMillis, long startedAtMillis, long finishedAtMillis,
                        String reason, List<Task> tasks, Map<String, Progress> progress,
                        double percentage, long startedAtVersion) {

    public static final String NODE_ADDITION = "node_addition";
    public static final String NODE_DELETION = "node_deletion";
    public static final String REPLICATION_CHANGE = "replication_change";

    public static final String PENDING = "pending";
    public static final String IN_PROGRESS = "in_progress";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";

    public Migration {
        tasks = tasks == null ? List.of() : List.copyOf(tasks);
        progress = progress == null ? Map.of() : Map.copyOf(progress);
    }

    /**
     * The ranges of one tenant that {@code target} must receive; any of {@code sources} (the
     * replicas before, in ring order) can send them. A task with no source left is {@code lost}:
     * its keys had their only copies on a node that is gone.
     */
    public record Task(int index, String tenantId, String target, List<String> sources,
                       List<MigrationPlan.TokenRange> ranges, boolean done, boolean lost) {

        public Task {
            sources = List.copyOf(sources);
            ranges = List.copyOf(ranges);
        }

        Task finished() {
            return new Task(index, tenantId, target, sources, ranges, true, lost);
        }
    }

    /**
     * What a target reports: keys and bytes it received, and, once it has measured its ranges at
     * their sources, how many there were to receive.
     */
    public record Progress(long keysMoved, long bytesMoved, long totalKeys, long totalBytes) {

        /** The greater of each figure: progress never goes backwards. */
        Progress max(Progress other) {
            return new Progress(Math.max(keysMoved, other.keysMoved),
                    Math.max(bytesMoved, other.bytesMoved), Math.max(totalKeys, other.totalKeys),
                    Math.max(totalBytes, other.totalBytes));
        }
    }

    /** A migration waiting its turn: it has no tasks until it starts. */
    public static Migration pending(String id, String type, String nodeId, String tenantId,
                                    int replicationFactorAfter, boolean force, long atMillis) {
        return new Migration(id, type, nodeId, tenantId, replicationFactorAfter, force, PENDING,
                atMillis, 0, 0, null, List.of(), Map.of(), 0, 0);
    }

    public boolean finished() {
        return COMPLETED.equals(status) || FAILED.equals(status) || CANCELLED.equals(status);
    }

    public boolean running() {
        return IN_PROGRESS.equals(status);
    }

    /** Whether every task is done, so the migration can flip. */
    public boolean allTasksDone() {
        return tasks.stream().allMatch(Task::done);
    }

    public long keysMigrated() {
        return progress.values().stream().mapToLong(Progress::keysMoved).sum();
    }

    public long bytesMigrated() {
        return progress.values().stream().mapToLong(Progress::bytesMoved).sum();
    }

    /** Keys to move as measured so far; never less than the keys moved. */
    public long totalKeys() {
        return Math.max(keysMigrated(),
                progress.values().stream().mapToLong(Progress::totalKeys).sum());
    }

    public long totalBytes() {
        return Math.max(bytesMigrated(),
                progress.values().stream().mapToLong(Progress::totalBytes).sum());
    }

    /** Tasks whose every source is gone: their keys could not be moved. */
    public List<Task> lostTasks() {
        return tasks.stream().filter(Task::lost).toList();
    }

    /** Starts the migration with its tasks; one with no task to run is ready to flip at once. */
    public Migration started(List<Task> plannedTasks, long atMillis) {
        return started(plannedTasks, atMillis, 0);
    }

    /** Starts the migration with its tasks at metadata version {@code version}. */
    public Migration started(List<Task> plannedTasks, long atMillis, long version) {
        return new Migration(id, type, nodeId, tenantId, replicationFactorAfter, force,
                IN_PROGRESS, createdAtMillis, atMillis, 0, null, plannedTasks, Map.of(), 0,
                version);
    }

    /**
     * A target's report: its figures (each kept at the greatest reported) and the tasks it has
     * finished. Ignored once the migration has finished.
     */
    public Migration progressed(String target, Progress reported, Set<Integer> doneTasks) {
        if (!running()) {
            return this;
        }
        Map<String, Progress> figures = new TreeMap<>(progress);
        figures.merge(target, reported, Progress::max);
        List<Task> updated = new ArrayList<>(tasks.size());
        for (Task task : tasks) {
            updated.add(!task.done() && task.target().equals(target)
                    && doneTasks.contains(task.index()) ? task.finished() : task);
        }
        Migration next = new Migration(id, type, nodeId, tenantId, replicationFactorAfter, force,
                status, createdAtMillis, startedAtMillis, finishedAtMillis, reason, updated,
                figures, percentage, startedAtVersion);
        return next.withPercentage(Math.max(percentage, next.measuredPercentage()));
    }

    /** Ends the migration: completed (at 100%), failed or cancelled, naming why. */
    public Migration finishedAs(String endStatus, long atMillis, String why) {
        return new Migration(id, type, nodeId, tenantId, replicationFactorAfter, force, endStatus,
                createdAtMillis, startedAtMillis, atMillis, why, tasks, progress,
                COMPLETED.equals(endStatus) ? 100 : percentage, startedAtVersion);
    }

    private Migration withPercentage(double value) {
        return new Migration(id, type, nodeId, tenantId, replicationFactorAfter, force, status,
                createdAtMillis, startedAtMillis, finishedAtMillis, reason, tasks, progress,
                value, startedAtVersion);
    }

    // Below 100 until the flip: keys written meanwhile can make the moved count pass the total.
    private double measuredPercentage() {
        long total = totalKeys();
        if (total == 0) {
            return allTasksDone() ? 99.9 : 0;
        }
        long doneShare = tasks.isEmpty() ? 0 : tasks.stream().filter(Task::done).count();
        double byKeys = 100.0 * keysMigrated() / total;
        double byTasks = tasks.isEmpty() ? 0 : 100.0 * doneShare / tasks.size();
        return Math.min(99.9, Math.max(byKeys, byTasks));
    }

    /**
     * The tasks that move every tenant from {@code before} to {@code after}: for each tenant (at
     * its replication factor, or at {@code replicationFactorAfter} for the one tenant of a
     * replication change), each range whose replica set changes, grouped by target and sources.
     * Nodes in {@code gone} are never sources. Pure and deterministic: tenants in id order,
     * ranges in token order.
     *
     * <p>Sources keep every acknowledged write reachable, as Cassandra's consistent range
     * movement does:
     * <ul>
     *   <li>a new replica receives the range from the replicas it replaces (those leaving the
     *       set), so a quorum of the new set holds whatever a quorum of the old set held; when
     *       none of those is left (a forced removal), from each replica that stays, so that it
     *       holds the union of what the survivors hold;</li>
     *   <li>when nothing replaces the leaving replicas (a factor lowered), each replica that stays
     *       receives the range from each leaving one, so a write acknowledged only by replicas
     *       that leave is not lost;</li>
     *   <li>when the set only grows (a factor raised), from any replica of the range.</li>
     * </ul>
     *
     * @param onlyTenant the tenant whose factor changes, or null for a node change (every
     *     tenant)
     */
    public static List<Task> plan(Map<String, Integer> replicationFactors, Ring before, Ring after,
                                  String onlyTenant, int replicationFactorAfter,
                                  Set<String> gone) {
        Map<String, MigrationPlan> plans = new HashMap<>();
        List<Task> tasks = new ArrayList<>();
        for (Map.Entry<String, Integer> tenant : new TreeMap<>(replicationFactors).entrySet()) {
            if (onlyTenant != null && !onlyTenant.equals(tenant.getKey())) {
                continue;
            }
            int rfBefore = tenant.getValue();
            int rfAfter = onlyTenant != null ? replicationFactorAfter : rfBefore;
            MigrationPlan plan = plans.computeIfAbsent(rfBefore + "/" + rfAfter,
                    ignored -> MigrationPlan.between(before, rfBefore, after, rfAfter));
            Map<List<String>, List<MigrationPlan.TokenRange>> grouped = new LinkedHashMap<>();
            for (MigrationPlan.Transfer transfer : plan.transfers()) {
                List<String> leaving = new ArrayList<>(transfer.leaving());
                leaving.removeAll(gone);
                List<String> staying = new ArrayList<>(transfer.before());
                staying.removeAll(transfer.leaving());
                staying.removeAll(gone);
                if (transfer.targets().isEmpty()) {
                    // Lowered: the replicas that stay take in what only the leaving ones hold.
                    for (String keeper : transfer.after()) {
                        for (String source : leaving) {
                            group(grouped, keeper, List.of(source), transfer.range());
                        }
                    }
                    continue;
                }
                if (!leaving.isEmpty() || transfer.leaving().isEmpty()) {
                    // A replaced replica is left to send, or nothing is replaced (a factor
                    // raised): any one of them sends the range.
                    List<String> sources = !leaving.isEmpty() ? leaving
                            : without(transfer.before(), gone);
                    for (String target : transfer.targets()) {
                        group(grouped, target, sources, transfer.range());
                    }
                    continue;
                }
                // Every replica replaced is gone (a forced removal): each replica that stays
                // sends what it holds, so that a write acknowledged by the gone node and one that
                // stays is on a quorum of the new set again. With none left, the range is lost.
                for (String target : transfer.targets()) {
                    if (staying.isEmpty()) {
                        group(grouped, target, List.of(), transfer.range());
                    }
                    for (String source : staying) {
                        group(grouped, target, List.of(source), transfer.range());
                    }
                }
            }
            for (Map.Entry<List<String>, List<MigrationPlan.TokenRange>> group
                    : grouped.entrySet()) {
                List<String> key = group.getKey();
                List<String> sources = key.subList(1, key.size());
                boolean lost = sources.isEmpty();
                tasks.add(new Task(tasks.size(), tenant.getKey(), key.get(0), sources,
                        group.getValue(), lost, lost));
            }
        }
        return tasks;
    }

    private static void group(Map<List<String>, List<MigrationPlan.TokenRange>> grouped,
                              String target, List<String> sources,
                              MigrationPlan.TokenRange range) {
        List<String> key = new ArrayList<>(sources.size() + 1);
        key.add(target);
        key.addAll(sources);
        grouped.computeIfAbsent(key, ignored -> new ArrayList<>()).add(range);
    }

    private static List<String> without(List<String> nodes, Set<String> gone) {
        List<String> left = new ArrayList<>(nodes);
        left.removeAll(gone);
        return left;
    }
}
