package io.cairndb.server.replica;

import io.cairndb.core.HybridLogicalClock;
import io.cairndb.server.common.ServerLimits;
import io.cairndb.storage.Hint;
import io.cairndb.storage.HintStore;
import io.cairndb.core.Mutation;
import io.cairndb.storage.StorageException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hinted handoff. When a replica is believed down or fails to acknowledge a write, the
 * coordinator keeps the mutation as a hint in its own storage; once the failure detector sees the
 * replica alive again, the hints are delivered in order and deleted. Hints older than the hint
 * window are dropped (repair covers what they carried), and each node's hints are bounded.
 */
public final class HintedHandoff {

    private static final Logger LOG = LoggerFactory.getLogger(HintedHandoff.class);

    private final HintStore storage;
    private final Peers peers;
    private final HybridLogicalClock hlc;
    private final LongSupplier wallMillis;
    private final long windowMillis;
    private final long hintsPerNodeMax;
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, Long> counts = new ConcurrentHashMap<>();
    private final Set<String> delivering = ConcurrentHashMap.newKeySet();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder stored = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private volatile HintRouting routing = HintRouting.UNCHANGED;

    public HintedHandoff(HintStore storage, Peers peers, HybridLogicalClock hlc,
                         LongSupplier wallMillis, long windowMillis, long hintsPerNodeMax) {
        this.storage = storage;
        this.peers = peers;
        this.hlc = hlc;
        this.wallMillis = wallMillis;
        this.windowMillis = windowMillis;
        this.hintsPerNodeMax = hintsPerNodeMax;
        storage.counts().forEach((node, count) -> {
            pending.add(node);
            counts.put(node, count);
        });
    }

    /** Sends hints where {@code routing} says once data has moved. */
    public void route(HintRouting newRouting) {
        this.routing = newRouting;
    }

    /** Checks for deliverable hints every {@code intervalMillis} on {@code scheduler}. */
    public void start(ScheduledExecutorService scheduler, long intervalMillis) {
        scheduler.scheduleWithFixedDelay(this::deliverAll, intervalMillis, intervalMillis,
                TimeUnit.MILLISECONDS);
    }

    /** Keeps a hint for {@code nodeId}; returns whether it was kept (false past the bound). */
    public boolean store(String nodeId, Mutation mutation) {
        if (counts.getOrDefault(nodeId, 0L) >= hintsPerNodeMax) {
            dropped.increment();
            LOG.warn("hint for {} dropped: {} hints are already held for it; repair will catch "
                    + "it up", nodeId, hintsPerNodeMax);
            return false;
        }
        try {
            long now = wallMillis.getAsLong();
            storage.put(nodeId, hlc.now(now), now, mutation);
            counts.merge(nodeId, 1L, Long::sum);
            pending.add(nodeId);
            stored.increment();
            return true;
        } catch (StorageException e) {
            dropped.increment();
            LOG.warn("hint for {} not stored: {}", nodeId, e.getMessage());
            return false;
        }
    }

    /** Hints held for {@code nodeId}. */
    public long pendingFor(String nodeId) {
        return counts.getOrDefault(nodeId, 0L);
    }

    /** Hints kept for a replica that was down or slow, since this node started. */
    public long storedTotal() {
        return stored.sum();
    }

    /** Hints not kept (over the per-node bound, or the store failed) since this node started. */
    public long droppedTotal() {
        return dropped.sum();
    }

    /** Hints delivered to their replica since this node started. */
    public long deliveredTotal() {
        return delivered.sum();
    }

    /** Hints held for every node. */
    public long pendingTotal() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    private void deliverAll() {
        for (String node : pending) {
            if ((peers.isAlive(node) || routing.gone(node)) && delivering.add(node)) {
                deliver(node).whenComplete((ignored, error) -> delivering.remove(node));
            }
        }
    }

    /** Delivers one batch of a node's hints, oldest first, and schedules nothing else. */
    private CompletableFuture<Void> deliver(String node) {
        List<Hint> hints;
        try {
            hints = storage.hintsFor(node, ServerLimits.HINT_DELIVERY_BATCH_ITEMS_MAX);
        } catch (StorageException e) {
            LOG.warn("cannot read hints for {}: {}", node, e.getMessage());
            return CompletableFuture.completedFuture(null);
        }
        if (hints.isEmpty()) {
            pending.remove(node);
            counts.remove(node);
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        long now = wallMillis.getAsLong();
        for (Hint hint : hints) {
            chain = chain.thenCompose(ignored -> {
                if (now - hint.createdAtMillis() > windowMillis) {
                    forget(hint);
                    return CompletableFuture.completedFuture(null);
                }
                List<String> targets = routing.targets(node, hint.mutation());
                CompletableFuture<?>[] applied = new CompletableFuture<?>[targets.size()];
                for (int i = 0; i < applied.length; i++) {
                    applied[i] = peers.replica(targets.get(i)).apply(hint.mutation());
                }
                return CompletableFuture.allOf(applied).thenAccept(result -> {
                    forget(hint);
                    delivered.increment();
                });
            });
        }
        return chain.handle((ignored, error) -> {
            if (error != null) {
                LOG.debug("hint delivery to {} paused: {}", node, error.toString());
            } else {
                LOG.info("delivered {} hints to {}", hints.size(), node);
            }
            return null;
        });
    }

    private void forget(Hint hint) {
        storage.delete(hint);
        counts.computeIfPresent(hint.targetNodeId(), (node, count) -> count > 1 ? count - 1 : null);
    }
}
