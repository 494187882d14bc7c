package io.cairndb.server.migration;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.util.concurrent.RateLimiter;
import io.cairndb.api.peer.FetchRangeRequest;
import io.cairndb.api.peer.FetchRangeResponse;
import io.cairndb.api.peer.TokenSpan;
import io.cairndb.core.Backoff;
import io.cairndb.core.Migration;
import io.cairndb.core.MigrationPlan.TokenRange;
import io.cairndb.core.MovedKeys;
import io.cairndb.server.common.ServerLimits;
import io.cairndb.server.control.ClusterMetadata;
import io.cairndb.server.control.MetadataCommand;
import io.cairndb.server.control.MetadataStore;
import io.cairndb.server.replica.PeerCodec;
import io.cairndb.storage.DataStore;
import io.cairndb.storage.NodeMetadata;
import io.cairndb.storage.RangeReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The target side of migrations, on every node: pulls the tasks of the running migration that
 * name this node as their target, chunk by chunk from any live source, merges each chunk into
 * storage, and reports progress to the control plane. The report that finishes the last task
 * flips the migration there.
 *
 * <p>Where a task stands is kept on this node, under {@code migration/<id>/<task>} in its own
 * metadata, written with an fsync after the chunk it follows is stored: a node killed mid-task
 * resumes from its last chunk, and a chunk applied twice changes nothing (versions merge).
 * Transfers share one rate limit ({@link MigrationSettings#streamBytesPerSecond}) and run at most
 * {@link MigrationSettings#maxConcurrentTransfers} at once; a chunk is bounded in bytes at both
 * ends, so memory is too, whatever a range's size.
 */
public final class MigrationRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MigrationRunner.class);

    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final String CHECKPOINT_PREFIX = "migration/";
    /** How often the runner looks for work and reports. */
    static final long TICK_MILLIS = 200;
    /** How long a task that paused on a failure (a source down, say) waits to try again. */
    private static final Backoff RETRY = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5));

    /** Sends a peer a FetchRange request. */
    public interface RangeFetcher {
        CompletableFuture<FetchRangeResponse> fetch(String nodeId, FetchRangeRequest request);
    }

    /**
     * Where one task stands on this node.
     *
     * @param range the index of the range being received
     * @param afterToken with {@code afterKey}, the last position received in that range; a null
     *     key: the range's start
     */
    record Checkpoint(int range, long afterToken, byte[] afterKey, long keys, long bytes,
                      boolean measured, long totalKeys, long totalBytes, boolean done) {

        static final Checkpoint START = new Checkpoint(0, 0, null, 0, 0, false, 0, 0, false);

        Checkpoint measuredAs(long keysToMove, long bytesToMove) {
            return new Checkpoint(range, afterToken, afterKey, keys, bytes, true, keysToMove,
                    bytesToMove, done);
        }

        Checkpoint received(FetchRangeResponse chunk, int ranges, long chunkKeys,
                            long chunkBytes) {
            return chunk.getExhausted()
                    ? new Checkpoint(ranges, 0, null, keys + chunkKeys, bytes + chunkBytes,
                            measured, totalKeys, totalBytes, done)
                    : new Checkpoint(chunk.getResumeRange(), chunk.getResumeToken(),
                            chunk.getResumeKey().toByteArray(), keys + chunkKeys,
                            bytes + chunkBytes, measured, totalKeys, totalBytes, done);
        }

        Checkpoint finished() {
            return new Checkpoint(range, afterToken, afterKey, keys, bytes, measured, totalKeys,
                    totalBytes, true);
        }
    }

    private final String self;
    private final MetadataStore metadata;
    private final DataStore data;
    private final NodeMetadata local;
    private final RangeFetcher fetcher;
    private final Predicate<String> alive;
    private final java.util.function.Supplier<Map<String, Long>> viewVersions;
    private final Map<String, Long> settledAt = new ConcurrentHashMap<>();
    private final MigrationSettings settings;
    private final LongSupplier wallMillis;
    private final long requestTimeoutMillis;
    private final Cleanup cleanup;
    private final RateLimiter limiter;
    private final ExecutorService workers;
    private final Map<String, Future<?>> active = new ConcurrentHashMap<>();
    /** Checkpoints read or written since start: the tick reports from them without disk reads. */
    private final Map<String, Checkpoint> checkpoints = new ConcurrentHashMap<>();
    private final Map<String, String> lastFailure = new ConcurrentHashMap<>();
    /** For a task that paused on a failure: how many times in a row, and when to try again. */
    private final Map<String, long[]> retries = new ConcurrentHashMap<>();
    private final AtomicBoolean reporting = new AtomicBoolean();
    private final AtomicBoolean cleaning = new AtomicBoolean();
    private volatile MetadataCommand.ReportMigration lastReport;
    private volatile long lastReportMillis;
    private volatile ScheduledFuture<?> ticks;
    private volatile boolean closed;

    public MigrationRunner(String self, MetadataStore metadata, DataStore data,
                           NodeMetadata local, RangeReader reader, RangeFetcher fetcher,
                           Predicate<String> alive,
                           java.util.function.Supplier<Map<String, Long>> viewVersions,
                           MigrationSettings settings,
                           LongSupplier wallMillis, long requestTimeoutMillis) {
        this.self = self;
        this.metadata = metadata;
        this.data = data;
        this.local = local;
        this.fetcher = fetcher;
        this.alive = alive;
        this.viewVersions = viewVersions;
        this.settings = settings;
        this.wallMillis = wallMillis;
        this.requestTimeoutMillis = requestTimeoutMillis;
        this.cleanup = new Cleanup(self, metadata, data, local, reader, wallMillis);
        this.limiter = RateLimiter.create(settings.streamBytesPerSecond());
        this.workers = Executors.newFixedThreadPool(settings.maxConcurrentTransfers() + 1,
                runnable -> {
                    Thread thread = new Thread(runnable, "migration-" + self);
                    thread.setDaemon(true);
                    return thread;
                });
    }

    /** Starts looking for work on {@code scheduler}. */
    public void start(ScheduledExecutorService scheduler) {
        ticks = scheduler.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    /**
     * Deletes, now, the keys this node no longer owns, on the runner's threads (a scan of every
     * tenant; never on a caller's); completes with the number deleted.
     */
    public CompletableFuture<Long> cleanupNow() {
        return CompletableFuture.supplyAsync(cleanup::run, workers);
    }

    void tick() {
        try {
            active.values().removeIf(Future::isDone);
            ClusterMetadata view = metadata.current();
            Migration running = view.runningMigration();
            if (running != null && settled(view, running)) {
                for (Migration.Task task : running.tasks()) {
                    String key = checkpointKey(running.id(), task.index());
                    long[] retry = retries.get(key);
                    if (task.done() || !task.target().equals(self) || active.containsKey(key)
                            || active.size() >= settings.maxConcurrentTransfers() || closed
                            || (retry != null && wallMillis.getAsLong() < retry[1])) {
                        continue;
                    }
                    active.put(key, workers.submit(() -> transfer(running.id(), task)));
                }
                report(running, false);
            }
            maybeCleanup(view);
        } catch (RuntimeException e) {
            LOG.warn("migration tick failed: {}", e.toString());
        }
    }

    /**
     * Whether every node that may coordinate writes has seen {@code running} start, and a write
     * timeout has passed since: from then on every write to a moving range also goes to its
     * pending replica, so nothing written before can be missing from the stream. A node believed
     * down is not waited for.
     */
    private boolean settled(ClusterMetadata view, Migration running) {
        long now = wallMillis.getAsLong();
        Long since = settledAt.get(running.id());
        if (since != null) {
            return now - since >= requestTimeoutMillis;
        }
        Map<String, Long> versions = viewVersions.get();
        for (String node : view.nodes().keySet()) {
            if (alive.test(node) && versions.getOrDefault(node, 0L)
                    < running.startedAtVersion()) {
                return false;
            }
        }
        settledAt.putIfAbsent(running.id(), now);
        return false;
    }

    // ------------------------------------------------------------------------ transfers

    private void transfer(String migrationId, Migration.Task task) {
        String key = checkpointKey(migrationId, task.index());
        try {
            Checkpoint at = load(key);
            if (at.done()) {
                // Received already; the report that says so is on its way.
                return;
            }
            if (at.keys() > 0 || at.range() > 0 || at.afterKey() != null) {
                LOG.info("migration {}: task {} resumes at range {} of {}, after {} keys",
                        migrationId, task.index(), at.range() + 1, task.ranges().size(),
                        at.keys());
            }
            if (!at.measured()) {
                FetchRangeResponse size = call(task, request(migrationId, task)
                        .setMeasureOnly(true).build());
                at = at.measuredAs(size.getKeys(), size.getBytes());
                save(key, at);
            }
            while (!at.done() && at.range() < task.ranges().size()) {
                if (closed || !running(migrationId)) {
                    return;
                }
                FetchRangeRequest.Builder request = request(migrationId, task)
                        .setRangeIndex(at.range())
                        .setItemsMax(ServerLimits.MIGRATION_CHUNK_ITEMS_MAX)
                        .setBytesMax(settings.chunkBytes());
                if (at.afterKey() != null) {
                    request.setResume(true).setAfterToken(at.afterToken())
                            .setAfterKey(com.google.protobuf.ByteString.copyFrom(at.afterKey()));
                }
                FetchRangeResponse chunk = call(task, request.build());
                List<MovedKeys.Entry> entries = MovedCodec.fromProto(chunk);
                List<CompletableFuture<?>> stored = new ArrayList<>(entries.size());
                long bytes = 0;
                for (MovedKeys.Entry entry : entries) {
                    stored.add(data.adopt(task.tenantId(), entry));
                    bytes += entry.size();
                }
                CompletableFuture.allOf(stored.toArray(new CompletableFuture<?>[0]))
                        .get(requestTimeoutMillis * 4, TimeUnit.MILLISECONDS);
                if (bytes > 0) {
                    limiter.acquire((int) Math.min(Integer.MAX_VALUE, bytes));
                }
                at = at.received(chunk, task.ranges().size(), entries.size(), bytes);
                // Synced, and so after the chunk's versions in the write-ahead log: a crash
                // never leaves a checkpoint ahead of what is stored.
                save(key, at);
            }
            if (!at.done()) {
                save(key, at.finished());
                LOG.info("migration {}: task {} ({} of tenant '{}') received, {} keys", migrationId,
                        task.index(), task.ranges().size() + " range(s)", task.tenantId(),
                        at.keys());
                ClusterMetadata view = metadata.current();
                Migration running = view.migration(migrationId);
                if (running != null) {
                    report(running, true);
                }
            }
            lastFailure.remove(key);
            retries.remove(key);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            // Tried again at a later tick, from the last checkpoint.
            String reason = e instanceof ExecutionException && e.getCause() != null
                    ? e.getCause().toString() : e.toString();
            if (!reason.equals(lastFailure.put(key, reason))) {
                LOG.warn("migration {}: task {} paused, will resume: {}", migrationId,
                        task.index(), reason);
            }
            long[] retry = retries.computeIfAbsent(key, ignored -> new long[2]);
            retry[1] = wallMillis.getAsLong() + RETRY.delay((int) retry[0]++,
                    ThreadLocalRandom.current()).toMillis();
        }
    }

    private FetchRangeRequest.Builder request(String migrationId, Migration.Task task) {
        FetchRangeRequest.Builder request = FetchRangeRequest.newBuilder()
                .setProtocolVersion(PeerCodec.PROTOCOL_VERSION)
                .setSenderNodeId(self)
                .setMigrationId(migrationId)
                .setTenantId(task.tenantId());
        for (TokenRange range : task.ranges()) {
            request.addRanges(TokenSpan.newBuilder().setFromExclusive(range.fromExclusive())
                    .setToInclusive(range.toInclusive()));
        }
        return request;
    }

    /** Asks the task's sources in turn, live ones first, until one answers. */
    private FetchRangeResponse call(Migration.Task task, FetchRangeRequest request)
            throws InterruptedException, TimeoutException, ExecutionException {
        List<String> order = new ArrayList<>(task.sources().size());
        task.sources().stream().filter(alive).forEach(order::add);
        task.sources().stream().filter(alive.negate()).forEach(order::add);
        ExecutionException last = null;
        for (String source : order) {
            try {
                return fetcher.fetch(source, request).get(requestTimeoutMillis * 4,
                        TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                last = e;
            }
        }
        if (last != null) {
            throw last;
        }
        throw new IllegalStateException("task " + task.index() + " has no source");
    }

    private boolean running(String migrationId) {
        Migration migration = metadata.current().migration(migrationId);
        return migration != null && migration.running();
    }

    // ------------------------------------------------------------------------- reports

    /**
     * Reports this node's progress in {@code running} when it changed and the interval has
     * passed, or at once ({@code now}) when a task finished. One report is in flight at a time;
     * one that fails is sent again at a later tick.
     */
    private void report(Migration running, boolean now) {
        long keys = 0;
        long bytes = 0;
        long totalKeys = 0;
        long totalBytes = 0;
        List<Integer> done = new ArrayList<>();
        boolean mine = false;
        for (Migration.Task task : running.tasks()) {
            if (!task.target().equals(self)) {
                continue;
            }
            mine = true;
            Checkpoint at = load(checkpointKey(running.id(), task.index()));
            keys += at.keys();
            bytes += at.bytes();
            totalKeys += at.totalKeys();
            totalBytes += at.totalBytes();
            if (at.done() || task.done()) {
                done.add(task.index());
            }
        }
        if (!mine) {
            return;
        }
        long at = wallMillis.getAsLong();
        MetadataCommand.ReportMigration report = new MetadataCommand.ReportMigration(
                running.id(), self, keys, bytes, totalKeys, totalBytes, done, at);
        MetadataCommand.ReportMigration previous = lastReport;
        boolean newlyDone = previous == null || !previous.migrationId().equals(running.id())
                || previous.doneTasks().size() < done.size();
        boolean due = at - lastReportMillis >= settings.reportIntervalMillis();
        // A report that failed leaves lastReport as it was, so it is sent again.
        if ((previous != null && sameFigures(previous, report)) || !(due || now || newlyDone)
                || !reporting.compareAndSet(false, true)) {
            return;
        }
        lastReportMillis = at;
        metadata.submit(report).whenComplete((applied, error) -> {
            reporting.set(false);
            if (error == null && applied.ok()) {
                lastReport = report;
            }
        });
    }

    private static boolean sameFigures(MetadataCommand.ReportMigration a,
                                       MetadataCommand.ReportMigration b) {
        return a.migrationId().equals(b.migrationId()) && a.keysMoved() == b.keysMoved()
                && a.bytesMoved() == b.bytesMoved() && a.totalKeys() == b.totalKeys()
                && a.totalBytes() == b.totalBytes() && a.doneTasks().equals(b.doneTasks());
    }

    // ------------------------------------------------------------------------- cleanup

    private void maybeCleanup(ClusterMetadata view) {
        if (closed || !cleanup.due(view, settings.cleanupGraceMillis())
                || !cleaning.compareAndSet(false, true)) {
            return;
        }
        workers.submit(() -> {
            try {
                cleanup.run();
            } catch (RuntimeException e) {
                LOG.warn("cleanup failed, will try again: {}", e.toString());
            } finally {
                cleaning.set(false);
            }
        });
    }

    // ---------------------------------------------------------------------- checkpoints

    static String checkpointKey(String migrationId, int task) {
        return CHECKPOINT_PREFIX + migrationId + "/" + task;
    }

    // From this node's metadata the first time (after a restart), from memory after that.
    private Checkpoint load(String key) {
        return checkpoints.computeIfAbsent(key, ignored -> {
            byte[] stored = local.get(key);
            if (stored == null) {
                return Checkpoint.START;
            }
            try {
                return JSON.readValue(stored, Checkpoint.class);
            } catch (IOException e) {
                throw new UncheckedIOException("checkpoint " + key + " is unreadable", e);
            }
        });
    }

    private void save(String key, Checkpoint checkpoint) {
        try {
            local.put(key, JSON.writeValueAsBytes(checkpoint));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode checkpoint " + key, e);
        }
        checkpoints.put(key, checkpoint);
    }

    @Override
    public void close() {
        closed = true;
        ScheduledFuture<?> scheduled = ticks;
        if (scheduled != null) {
            scheduled.cancel(false);
        }
        workers.shutdownNow();
        try {
            workers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
