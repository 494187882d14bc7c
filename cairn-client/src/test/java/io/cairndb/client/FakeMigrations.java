package io.cairndb.client;

import io.cairndb.api.GetMigrationStatusResponse;
import io.cairndb.api.MigrationProgress;
import io.cairndb.api.admin.MigrationInfo;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The migrations a {@link FakeCoordinator} starts and a {@link FakeAdmin} lists and cancels, one
 * table the two share as a node's services share the cluster's metadata. A migration starts a
 * quarter done (25 of 100 keys, 2,500 of 10,000 bytes) and stays there, unless a test queues
 * steps with {@link #then}: each status read then moves it one step, so a test can walk a
 * migration through its life one poll at a time, without a clock.
 */
public final class FakeMigrations {

    /** When the fake's migrations start, in Unix milliseconds: the fakes' "now". */
    public static final long STARTED_MILLIS = FakeAdmin.NOW_MILLIS;
    /** How long the fake estimates a migration takes from its start. */
    public static final long ESTIMATE_SECONDS = 300;

    private final Map<String, MigrationInfo> migrations = new LinkedHashMap<>();
    private final Map<String, Deque<MigrationInfo>> steps = new HashMap<>();

    /** Starts a migration and returns its id, {@code mig-N} for the Nth. */
    public synchronized String start(String type, String nodeId, String tenantId) {
        String id = "mig-" + (migrations.size() + 1);
        migrations.put(id, MigrationInfo.newBuilder().setMigrationId(id).setType(type)
                .setNodeId(nodeId).setTenantId(tenantId).setStatus("in_progress")
                .setKeysMigrated(25).setTotalKeys(100).setBytesMigrated(2_500)
                .setTotalBytes(10_000).setPercentage(25f).setStartedAtMillis(STARTED_MILLIS)
                .setTasks(4).setTasksDone(1).build());
        return id;
    }

    /**
     * Queues the next state a status read moves the migration to: its status, keys and bytes
     * moved (of 100 and 10,000), and a reason for a failure or cancellation (empty for none).
     */
    public synchronized FakeMigrations then(String id, String status, long keysMigrated,
                                            long bytesMigrated, String reason) {
        MigrationInfo last = steps.containsKey(id) && !steps.get(id).isEmpty()
                ? steps.get(id).peekLast() : migrations.get(id);
        if (last == null) {
            throw new IllegalStateException("no migration '" + id + "' to queue a step for");
        }
        MigrationInfo.Builder next = last.toBuilder().setStatus(status)
                .setKeysMigrated(keysMigrated).setBytesMigrated(bytesMigrated)
                .setPercentage(100f * keysMigrated / last.getTotalKeys()).setReason(reason)
                .setTasksDone((int) (last.getTasks() * keysMigrated / last.getTotalKeys()));
        if (Set.of("completed", "failed", "cancelled").contains(status)) {
            next.setFinishedAtMillis(STARTED_MILLIS + 60_000);
        }
        steps.computeIfAbsent(id, ignored -> new ArrayDeque<>()).addLast(next.build());
        return this;
    }

    /** The migration as a status read sees it, after its next queued step; null if unknown. */
    synchronized GetMigrationStatusResponse status(String id) {
        Deque<MigrationInfo> queued = steps.get(id);
        if (queued != null && !queued.isEmpty()) {
            migrations.put(id, queued.removeFirst());
        }
        MigrationInfo migration = migrations.get(id);
        if (migration == null) {
            return null;
        }
        GetMigrationStatusResponse.Builder status = GetMigrationStatusResponse.newBuilder()
                .setSuccess(true).setMigrationId(id).setType(migration.getType())
                .setNodeId(migration.getNodeId()).setStatus(migration.getStatus())
                .setProgress(MigrationProgress.newBuilder()
                        .setKeysMigrated(migration.getKeysMigrated())
                        .setTotalKeys(migration.getTotalKeys())
                        .setPercentage(migration.getPercentage()))
                .setStartedAt(migration.getStartedAtMillis() / 1000);
        if (migration.getFinishedAtMillis() == 0) {
            status.setEstimatedCompletion(migration.getStartedAtMillis() / 1000
                    + ESTIMATE_SECONDS);
        }
        return status.build();
    }

    /** Every migration, in the order they started. */
    synchronized List<MigrationInfo> all() {
        return new ArrayList<>(migrations.values());
    }

    synchronized MigrationInfo get(String id) {
        return migrations.get(id);
    }

    /** Marks a migration cancelled and returns it; its queued steps are dropped. */
    synchronized MigrationInfo cancel(String id, String reason) {
        steps.remove(id);
        MigrationInfo cancelled = migrations.get(id).toBuilder().setStatus("cancelled")
                .setReason(reason).setFinishedAtMillis(STARTED_MILLIS + 60_000).build();
        migrations.put(id, cancelled);
        return cancelled;
    }
}
