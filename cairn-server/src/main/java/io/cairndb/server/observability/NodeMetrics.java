package io.cairndb.server.observability;

import io.cairndb.core.Migration;
import io.cairndb.server.control.ClusterMetadata;
import io.cairndb.server.control.MetadataStore;
import io.cairndb.server.membership.Membership;
import io.cairndb.server.replica.HintedHandoff;
import io.cairndb.server.replica.ReplicaCallTimes;
import io.cairndb.storage.DataStore;
import io.cairndb.storage.StorageEngine;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongBiFunction;
import java.util.function.ToLongFunction;

/**
 * The node's meters, scraped at {@code /metrics} in Prometheus' text format. Names follow
 * Prometheus' conventions once Micrometer renders them: {@code cairn.raft.term} is
 * {@code cairn_raft_term}, a timer is {@code _seconds}, a counter {@code _total}, sizes
 * {@code _bytes}. Gauges read the node's components when scraped; nothing is sampled between
 * scrapes. Request meters are in {@link RequestMetrics}.
 */
public final class NodeMetrics implements AutoCloseable {

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final RequestMetrics requests;
    private final ReplicaMetrics replicaCalls;

    public NodeMetrics() {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        requests = new RequestMetrics(registry);
        replicaCalls = new ReplicaMetrics(registry);
    }

    public RequestMetrics requests() {
        return requests;
    }

    /** Where remote replicas time their calls, per peer and kind. */
    public ReplicaCallTimes replicaCalls() {
        return replicaCalls;
    }

    /**
     * Counts the read repairs the coordinator sends, {@code cairn_read_repairs_total} by
     * {@code kind}: {@code blocking} ones hold a client's answer back until the replicas agree,
     * {@code background} ones fix replicas whose answers came after it.
     *
     * @param coordinator what counts them; held weakly, as every watched component is
     * @param sent the repairs sent so far, blocking ({@code true}) or background
     */
    public <T> void watchReadRepairs(T coordinator, ToLongBiFunction<T, Boolean> sent) {
        for (boolean blocking : new boolean[] {true, false}) {
            FunctionCounter.builder("cairn.read.repairs", coordinator,
                            source -> sent.applyAsLong(source, blocking))
                    .description("Replica repairs sent by reads that found replicas differing")
                    .tag("kind", blocking ? "blocking" : "background")
                    .register(registry);
        }
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Every meter in Prometheus' text format (version 0.0.4). */
    public String scrape() {
        return registry.scrape();
    }

    /** Watches the node's storage, hints, control group and failure detector. */
    private static double migrationFigure(MetadataStore store,
                                          ToLongFunction<Migration> figure) {
        Migration running = store.current().runningMigration();
        return running == null ? 0 : figure.applyAsLong(running);
    }

    public void watch(StorageEngine storage, HintedHandoff hints, MetadataStore metadata,
                      Membership membership) {
        gauge("cairn.storage.size", "bytes", "Bytes of table files and memtables on this node",
                storage, StorageEngine::diskBytes);
        gauge("cairn.storage.live.keys", null, "Live (not deleted) keys held on this node",
                storage.data(), DataStore::liveKeys);
        gauge("cairn.hints.pending", null, "Writes held for replicas that were down",
                hints, HintedHandoff::pendingTotal);
        FunctionCounter.builder("cairn.hints.delivered", hints, HintedHandoff::deliveredTotal)
                .description("Hints delivered to their replica since this node started")
                .register(registry);
        FunctionCounter.builder("cairn.hints.stored", hints, HintedHandoff::storedTotal)
                .description("Hints kept for replicas that were down or slow")
                .register(registry);
        FunctionCounter.builder("cairn.hints.dropped", hints, HintedHandoff::droppedTotal)
                .description("Hints not kept: over the per-node bound, or the store failed; "
                        + "repair catches those replicas up")
                .register(registry);
        gauge("cairn.migrations.running", null, "Data migrations moving data now (0 or 1; "
                + "the others wait their turn)", metadata,
                store -> store.current().runningMigration() == null ? 0 : 1);
        gauge("cairn.migrations.pending", null, "Data migrations waiting for the running one",
                metadata, store -> store.current().migrations().stream()
                        .filter(m -> Migration.PENDING.equals(m.status())).count());
        gauge("cairn.migration.keys.moved", null, "Keys the running migration has moved so "
                + "far, all targets together (0 when none runs)", metadata,
                store -> migrationFigure(store, Migration::keysMigrated));
        gauge("cairn.migration.keys.to.move", null, "Keys the running migration must move, as "
                + "measured at its sources", metadata,
                store -> migrationFigure(store, Migration::totalKeys));
        gauge("cairn.migration.moved", "bytes", "Bytes the running migration has moved so far",
                metadata, store -> migrationFigure(store, Migration::bytesMigrated));
        gauge("cairn.migration.progress", "percent", "How far the running migration has got, "
                + "0 to 100", metadata, store -> migrationFigure(store,
                        m -> (long) m.percentage()));
        gauge("cairn.storage.compaction.pending", "bytes", "RocksDB's estimate of the bytes "
                + "compaction must rewrite", storage, StorageEngine::compactionPendingBytes);
        gauge("cairn.storage.compactions.running", null, "RocksDB compactions running now",
                storage, StorageEngine::compactionsRunning);
        gauge("cairn.storage.writes.stopped", null, "1 while RocksDB stops writes to let "
                + "flushes and compaction catch up", storage,
                engine -> engine.writesStopped() ? 1 : 0);
        for (boolean stops : new boolean[] {false, true}) {
            FunctionCounter.builder("cairn.storage.write.stalls", storage,
                            engine -> engine.writeStalls(stops))
                    .description("Times RocksDB slowed (delay) or stopped (stop) writes")
                    .tag("kind", stops ? "stop" : "delay")
                    .register(registry);
        }
        FunctionCounter.builder("cairn.storage.write.stall", storage,
                        engine -> engine.writeStallMicros() / 1e6)
                .description("Time writers waited in RocksDB write stalls")
                .baseUnit("seconds")
                .register(registry);
        FunctionTimer.builder("cairn.storage.wal.sync", storage, StorageEngine::walSyncs,
                        StorageEngine::walSyncNanos, TimeUnit.NANOSECONDS)
                .description("Fsyncs of the write-ahead log: periodic ones, or each group "
                        + "written under sync durability (write and fsync together)")
                .register(registry);
        gauge("cairn.raft.term", null, "The control group's Raft term as this node knows it",
                metadata, store -> store.status().term());
        gauge("cairn.raft.commit.index", null, "The control group's commit index",
                metadata, store -> store.status().commitIndex());
        gauge("cairn.raft.applied.index", null, "The metadata index this node has applied",
                metadata, store -> store.status().appliedIndex());
        gauge("cairn.raft.apply.lag", null, "Committed metadata entries not yet applied here",
                metadata, store -> Math.max(0, store.status().commitIndex()
                        - store.status().appliedIndex()));
        gauge("cairn.raft.leader", null, "1 if this node leads the control group, else 0",
                metadata, store -> store.status().isLeader() ? 1 : 0);
        FunctionCounter.builder("cairn.raft.leader.changes", metadata,
                        MetadataStore::leaderChanges)
                .description("Times this member learned of a new control-group leader")
                .register(registry);
        for (boolean up : new boolean[] {true, false}) {
            Gauge.builder("cairn.membership.nodes", metadata,
                            store -> store.current().nodes().keySet().stream()
                                    .filter(node -> membership.isAlive(node) == up).count())
                    .description("Nodes of the cluster this node's failure detector holds up "
                            + "or down")
                    .tag("state", up ? "up" : "down")
                    .register(registry);
        }
        watchPeers(metadata, membership);
    }

    /**
     * Meters each peer's phi (the failure detector's suspicion) while it is in the cluster: a
     * series per peer, added and removed as the metadata's nodes change.
     */
    private void watchPeers(MetadataStore metadata, Membership membership) {
        Map<String, Meter> phis = new HashMap<>();
        Consumer<ClusterMetadata> follow = state -> {
            synchronized (phis) {
                for (String node : state.nodes().keySet()) {
                    if (!node.equals(membership.selfNodeId()) && !phis.containsKey(node)) {
                        phis.put(node, Gauge.builder("cairn.membership.phi", membership,
                                        peers -> peers.phi(node))
                                .description("The failure detector's suspicion of a peer; "
                                        + "it counts as down past 8")
                                .tag("peer", node)
                                .register(registry));
                    }
                }
                phis.entrySet().removeIf(entry -> {
                    if (state.nodes().containsKey(entry.getKey())) {
                        return false;
                    }
                    registry.remove(entry.getValue());
                    return true;
                });
            }
        };
        follow.accept(metadata.current());
        metadata.addListener(follow);
    }

    private <T> void gauge(String name, String unit, String description, T source,
                           ToDoubleFunction<T> value) {
        Gauge.builder(name, source, value).description(description).baseUnit(unit)
                .register(registry);
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
